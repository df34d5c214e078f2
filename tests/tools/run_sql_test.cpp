// run_sql: the guard and a read-only connection.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(RunSql, RunsAReadOnlyQuery) {
  const auto out = call_ok("run_sql", {{"sql",
                                        "select room_type, count(*) as n from main.dim_listings_cleansed "
                                        "where room_type = 'Entire place' group by 1"}});
  ASSERT_EQ(out.result["rows"].size(), 1u);
  EXPECT_EQ(out.result["columns"][1]["name"], "n");
  EXPECT_EQ(out.result["rows"][0][1], 37);
  EXPECT_FALSE(out.result["truncated"].get<bool>());
}

TEST(RunSql, TruncatesAtTheLimit) {
  const auto out = call_ok("run_sql", {{"sql", "select listing_id from main.dim_listings_cleansed"}, {"limit", 3}});
  EXPECT_EQ(out.result["rows"].size(), 3u);
  EXPECT_TRUE(out.result["truncated"].get<bool>());
}

TEST(RunSql, RefusesAWriteWithTheGuardsReason) {
  const Error error = call_error("run_sql", {{"sql", "delete from main.dim_listings_cleansed"}});
  EXPECT_EQ(error.code, ErrorCode::permission_denied);
  EXPECT_TRUE(error.message.starts_with("refused: ")) << error.message;
  // And the data is still there.
  const auto out = call_ok("run_sql", {{"sql", "select count(*) from main.dim_listings_cleansed"}});
  EXPECT_GT(out.result["rows"][0][0].get<std::int64_t>(), 0);
}

TEST(RunSql, AMissingRelationIsAnErrorNamingTheDatabase) {
  const Error error = call_error("run_sql", {{"sql", "select * from main.no_such_table"}});
  EXPECT_NE(error.message.find("duckdb"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace cowork::testing
