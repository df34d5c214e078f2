// failed_rows runs a test's SQL read-only and counts what it returns.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

constexpr const char* k_room_type_test =
    "accepted_values_dim_listings_cleansed_room_type__Entire_home_apt__Private_room__Shared_room__Hotel_room";

TEST(FailedRows, ReturnsTheUnexpectedRoomType) {
  const auto out = call_ok("failed_rows", {{"test", k_room_type_test}});
  ASSERT_EQ(out.result["rows"].size(), 1u) << out.result.dump(2);
  EXPECT_EQ(out.result["columns"][0]["name"], "value_field");
  EXPECT_EQ(out.result["rows"][0][0], "Entire place");
  EXPECT_EQ(out.result["rows"][0][1], 37);
  EXPECT_EQ(out.result["count"], 1);
  EXPECT_FALSE(out.result["truncated"].get<bool>());
}

TEST(FailedRows, LimitsTheRowsButCountsThemAll) {
  const auto out = call_ok("failed_rows", {{"test", "not_null_dim_listings_cleansed_host_id"}, {"limit", 5}});
  EXPECT_EQ(out.result["rows"].size(), 5u);
  EXPECT_TRUE(out.result["truncated"].get<bool>());
  // The null_host_ids fault: as many rows as the build reported for the test.
  const std::int64_t reported = reported_failures("not_null_dim_listings_cleansed_host_id");
  ASSERT_GT(reported, 5);
  EXPECT_EQ(out.result["count"], reported);
  EXPECT_NE(out.summary.find(fmt::format("{} failing rows", reported)), std::string::npos) << out.summary;
}

TEST(FailedRows, RefusesAModel) {
  const Error error = call_error("failed_rows", {{"test", "dim_listings_cleansed"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_NE(error.message.find("not a test"), std::string::npos) << error.message;
}

TEST(FailedRows, ValidatesTheLimit) {
  const Error error = call_error("failed_rows", {{"test", k_room_type_test}, {"limit", 0}});
  EXPECT_EQ(error.message, "failed_rows: args.limit: 0 is below the minimum 1");
}

}  // namespace
}  // namespace cowork::testing
