// column_profile on the demo's warehouse: the new room type, its parent, null counts and bad input.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

const nlohmann::json k_room_types = {"Entire home/apt", "Private room", "Shared room", "Hotel room"};

TEST(ColumnProfile, FindsTheNewRoomTypeAndThatItCameFromSrcListings) {
  const auto out =
      call_ok("column_profile",
              {{"model", "dim_listings_cleansed"}, {"column", "room_type"}, {"accepted_values", k_room_types}});
  const auto& result = out.result;
  EXPECT_EQ(result["relation"], "\"airbnb\".\"main\".\"dim_listings_cleansed\"");
  ASSERT_EQ(result["outside_accepted"].size(), 1u) << result.dump(2);
  EXPECT_EQ(result["outside_accepted"][0]["value"], "Entire place");
  EXPECT_EQ(result["outside_accepted"][0]["count"], 37);
  // The injected rows carry the release date as updated_at.
  EXPECT_TRUE(result["outside_accepted"][0]["first_seen"].is_string());
  EXPECT_EQ(result["timestamp_column"], "updated_at");
  EXPECT_GT(result["rows"].get<std::int64_t>(), 37);
  EXPECT_EQ(result["nulls"], 0);
  EXPECT_EQ(result["distinct"], 5);  // the four accepted types and the new one
  EXPECT_LE(result["top_values"].size(), 10u);

  const auto& parent = result["parent"];
  ASSERT_TRUE(parent.is_object()) << result.dump(2);
  EXPECT_EQ(parent["model"], "model.airbnb.src_listings");
  ASSERT_EQ(parent["outside_accepted"].size(), 1u);
  EXPECT_EQ(parent["outside_accepted"][0]["value"], "Entire place");
  EXPECT_EQ(parent["outside_accepted"][0]["count"], 37);
  EXPECT_NE(out.summary.find("37 rows outside the accepted list ('Entire place')"), std::string::npos) << out.summary;
}

TEST(ColumnProfile, CountsNullsAndWhenTheyArrived) {
  const auto out = call_ok("column_profile", {{"model", "dim_listings_cleansed"}, {"column", "host_id"}});
  const std::int64_t reported = reported_failures("not_null_dim_listings_cleansed_host_id");
  ASSERT_GT(reported, 0);
  EXPECT_EQ(out.result["nulls"], reported);  // the null_host_ids fault, as the not_null test counted it
  EXPECT_TRUE(out.result["null_first_seen"].is_string()) << out.result.dump(2);
  EXPECT_FALSE(out.result.contains("outside_accepted"));
}

TEST(ColumnProfile, QuotesValuesItPutsInSql) {
  // A quote in an accepted value must not break (or escape) the query.
  const auto out = call_ok("column_profile", {{"model", "dim_listings_cleansed"},
                                              {"column", "room_type"},
                                              {"accepted_values", {"Entire home/apt", "O'Brien's room"}}});
  std::int64_t outside = 0;
  for (const auto& value : out.result["outside_accepted"]) outside += value["count"].get<std::int64_t>();
  EXPECT_GT(outside, 37);
}

TEST(ColumnProfile, AnUnknownColumnListsTheColumns) {
  const Error error = call_error("column_profile", {{"model", "dim_listings_cleansed"}, {"column", "room_typ"}});
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_NE(error.message.find("has no column room_typ"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("room_type"), std::string::npos) << error.message;
}

TEST(ColumnProfile, AnUnknownTimestampColumnIsAnError) {
  const Error error = call_error("column_profile", {{"model", "dim_listings_cleansed"},
                                                    {"column", "room_type"},
                                                    {"accepted_values", k_room_types},
                                                    {"timestamp_column", "loaded_at"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_NE(error.message.find("loaded_at"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace cowork::testing
