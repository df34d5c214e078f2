// column_lineage through the demo's compiled SQL, up to the raw source.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(ColumnLineage, FollowsRoomTypeUpToTheSource) {
  const auto out = call_ok("column_lineage", {{"model", "dim_listings_cleansed"}, {"column", "room_type"}});
  const auto& hops = out.result["hops"];
  ASSERT_EQ(hops.size(), 2u) << out.result.dump(2);
  EXPECT_EQ(hops[0]["model"], "model.airbnb.dim_listings_cleansed");
  EXPECT_EQ(hops[0]["column"], "room_type");
  EXPECT_TRUE(hops[0]["direct"].get<bool>());
  EXPECT_EQ(hops[1]["model"], "model.airbnb.src_listings");
  EXPECT_EQ(hops[1]["column"], "room_type");
  const auto& sources = out.result["sources"];
  ASSERT_EQ(sources.size(), 1u) << out.result.dump(2);
  EXPECT_EQ(sources[0]["node"], "source.airbnb.airbnb.listings");
  EXPECT_EQ(sources[0]["column"], "room_type");
  EXPECT_EQ(sources[0]["relation"], "airbnb.main_raw.raw_listings");
  EXPECT_NE(out.summary.find("dim_listings_cleansed.room_type <- src_listings.room_type"), std::string::npos)
      << out.summary;
}

TEST(ColumnLineage, FollowsARenameAndSaysWhenAValueIsComputed) {
  // price is computed from src_listings.price_str, which renames the source's price.
  const auto out = call_ok("column_lineage", {{"model", "dim_listings_cleansed"}, {"column", "price"}});
  const auto& hops = out.result["hops"];
  ASSERT_EQ(hops.size(), 2u) << out.result.dump(2);
  EXPECT_FALSE(hops[0]["direct"].get<bool>());
  EXPECT_EQ(hops[1]["column"], "price_str");
  EXPECT_EQ(hops[1]["expression"], "price");
  ASSERT_EQ(out.result["sources"].size(), 1u);
  EXPECT_EQ(out.result["sources"][0]["column"], "price");
}

TEST(ColumnLineage, AnUnknownColumnNamesTheModelsColumns) {
  const Error error = call_error("column_lineage", {{"model", "dim_listings_cleansed"}, {"column", "colour"}});
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_NE(error.message.find("model.airbnb.dim_listings_cleansed"), std::string::npos) << error.message;
}

TEST(ColumnLineage, RefusesANodeThatIsNotAModel) {
  const Error error = call_error("column_lineage", {{"model", "airbnb.listings"}, {"column", "room_type"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_NE(error.message.find("not a model"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace cowork::testing
