#include "dbt/freshness.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::TempDir;

TEST(Freshness, ReadsStatusAgeCriteriaAndRuntimeErrors) {
  TempDir dir;
  auto path = dir.write("sources.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json"},
    "results": [
      {"unique_id": "source.a.raw.orders", "max_loaded_at": "2021-05-31T00:00:28+00:00",
       "snapshotted_at": "2022-03-01T02:39:40+00:00", "max_loaded_at_time_ago_in_s": 97200.5, "status": "error",
       "criteria": {"warn_after": {"count": null, "period": null}, "error_after": {"count": 1, "period": "hour"}, "filter": null},
       "timing": [], "thread_id": "Thread-1", "execution_time": 1.0},
      {"unique_id": "source.a.raw.customers", "error": "Database Error: no column created_at", "status": "runtime error"}
    ], "elapsed_time": 1.2})");
  auto freshness = load_freshness(path);
  ASSERT_TRUE(freshness) << freshness.error().message;
  ASSERT_EQ(freshness->results.size(), 2u);
  const auto& stale = freshness->results[0];
  EXPECT_EQ(stale.status, RunStatus::error);
  EXPECT_FALSE(stale.warn_after.set());
  EXPECT_TRUE(stale.error_after.set());
  EXPECT_EQ(stale.describe(),
            "last loaded 1d 3h ago (max_loaded_at 2021-05-31T00:00:28+00:00); errors after 1 hour(s)");
  EXPECT_EQ(freshness->results[1].status, RunStatus::runtime_error);
  EXPECT_EQ(freshness->results[1].describe(), "freshness check failed: Database Error: no column created_at");
}

TEST(Freshness, FormatAge) {
  EXPECT_EQ(format_age(42), "42s");
  EXPECT_EQ(format_age(125), "2m 5s");
  EXPECT_EQ(format_age(3 * 3600 + 120), "3h 2m");
  EXPECT_EQ(format_age(2 * 86400 + 5 * 3600), "2d 5h");
  EXPECT_EQ(format_age(-1), "an unknown time");
}

}  // namespace
}  // namespace cowork::dbt
