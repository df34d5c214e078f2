// test_definition: generic, custom generic and singular tests.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(TestDefinition, AnAcceptedValuesTest) {
  const auto out = call_ok(
      "test_definition",
      {{"test",
        "accepted_values_dim_listings_cleansed_room_type__Entire_home_apt__Private_room__Shared_room__Hotel_room"}});
  const auto& r = out.result;
  EXPECT_EQ(r["test_name"], "accepted_values");
  EXPECT_TRUE(r["namespace"].is_null());
  EXPECT_EQ(r["column"], "room_type");
  EXPECT_EQ(r["model"], "model.airbnb.dim_listings_cleansed");
  EXPECT_EQ(r["kwargs"]["values"][0], "Entire home/apt");
  EXPECT_EQ(r["severity"], "ERROR");
  EXPECT_EQ(r["warn_if"], "!= 0");
  EXPECT_EQ(r["path"], "models/schema.yml");
  EXPECT_NE(r["compiled_sql"].get<std::string>().find("not in"), std::string::npos);
  EXPECT_TRUE(r["macro_sql"].is_null()) << "accepted_values is dbt's own";
}

TEST(TestDefinition, ACustomGenericTestBringsItsMacro) {
  const auto out = call_ok("test_definition", {{"test", "positive_value_dim_listings_cleansed_minimum_nights"}});
  EXPECT_EQ(out.result["test_name"], "positive_value");
  const std::string macro = out.result["macro_sql"];
  EXPECT_NE(macro.find("where {{ column_name }} < 1"), std::string::npos) << macro;
  EXPECT_EQ(out.result["macro_path"], "tests/generic/positive_value.sql");
  EXPECT_NE(out.summary.find("custom generic test"), std::string::npos);
}

TEST(TestDefinition, ASingularTest) {
  const auto out = call_ok("test_definition", {{"test", "no_future_reviews"}});
  EXPECT_TRUE(out.result["test_name"].is_null());
  EXPECT_EQ(out.result["path"], "tests/no_future_reviews.sql");
  EXPECT_TRUE(out.result["singular"].get<bool>());
}

TEST(TestDefinition, AModelListsItsTests) {
  const Error error = call_error("test_definition", {{"test", "dim_hosts_cleansed"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_NE(error.message.find("not_null_dim_hosts_cleansed_host_name"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace cowork::testing
