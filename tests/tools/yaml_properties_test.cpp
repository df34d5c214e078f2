// yaml_properties: entries of models, columns, tests and sources with their lines.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(YamlProperties, AColumnEntry) {
  const auto out = call_ok("yaml_properties", {{"node", "dim_listings_cleansed"}, {"column", "room_type"}});
  EXPECT_EQ(out.result["path"], "models/schema.yml");
  EXPECT_EQ(out.result["line"], 21);
  EXPECT_TRUE(out.result["yaml"].get<std::string>().starts_with("      - name: room_type\n")) << out.result["yaml"];
  EXPECT_EQ(out.result["properties"]["description"], "Type of the room, from the platform's fixed list.");
  EXPECT_EQ(out.result["properties"]["data_tests"][0]["accepted_values"]["values"].size(), 4u);
}

TEST(YamlProperties, ATestByNameUnderAColumn) {
  const auto out = call_ok("yaml_properties",
                           {{"node", "dim_listings_cleansed"}, {"column", "room_type"}, {"test", "accepted_values"}});
  EXPECT_EQ(out.result["line"], 24);
  EXPECT_EQ(out.result["properties"]["accepted_values"]["values"][3], "Hotel room");
}

TEST(YamlProperties, ATestNodeFindsItsOwnEntry) {
  const auto out = call_ok("yaml_properties", {{"node", "not_null_dim_listings_cleansed_host_id"}});
  EXPECT_EQ(out.result["path"], "models/schema.yml");
  EXPECT_EQ(out.result["line"], 17);
  EXPECT_EQ(out.result["properties"], "not_null");
}

TEST(YamlProperties, AModelEntryAndASourceTable) {
  const auto model = call_ok("yaml_properties", {{"node", "dim_listings_cleansed"}});
  EXPECT_EQ(model.result["line"], 4);
  EXPECT_EQ(model.result["properties"]["meta"]["criticality"], "high");
  const auto source = call_ok("yaml_properties", {{"node", "airbnb.listings"}});
  EXPECT_EQ(source.result["path"], "models/sources.yml");
  EXPECT_EQ(source.result["properties"]["identifier"], "raw_listings");
}

TEST(YamlProperties, AMissingColumnOrTestIsAClearError) {
  const Error column = call_error("yaml_properties", {{"node", "dim_listings_cleansed"}, {"column", "colour"}});
  EXPECT_EQ(column.code, ErrorCode::not_found);
  EXPECT_NE(column.message.find("models/schema.yml"), std::string::npos) << column.message;
  const Error test =
      call_error("yaml_properties", {{"node", "dim_listings_cleansed"}, {"column", "room_type"}, {"test", "unique"}});
  EXPECT_NE(test.message.find("its tests: accepted_values"), std::string::npos) << test.message;
}

TEST(YamlProperties, AModelWithoutAPropertyFileSaysSo) {
  const Error error = call_error("yaml_properties", {{"node", "src_listings"}});
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_NE(error.message.find("no property file entry"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace cowork::testing
