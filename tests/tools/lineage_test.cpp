// lineage: up, down, depth.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

bool has(const nlohmann::json& nodes, const std::string& id, const std::string& direction, int depth) {
  for (const auto& node : nodes)
    if (node["unique_id"] == id && node["direction"] == direction && node["depth"] == depth) return true;
  return false;
}

TEST(Lineage, BothWaysByDefault) {
  const auto out = call_ok("lineage", {{"node", "dim_listings_cleansed"}});
  const auto& nodes = out.result["nodes"];
  EXPECT_EQ(out.result["root"], "model.airbnb.dim_listings_cleansed");
  EXPECT_TRUE(has(nodes, "model.airbnb.src_listings", "up", 1)) << nodes.dump(2);
  EXPECT_TRUE(has(nodes, "source.airbnb.airbnb.listings", "up", 2)) << nodes.dump(2);
  EXPECT_TRUE(has(nodes, "model.airbnb.dim_listings_w_hosts", "down", 1)) << nodes.dump(2);
  for (const auto& node : nodes) {
    EXPECT_NE(node["resource_type"], "test") << "tests are upstream_tests' job";
    EXPECT_FALSE(node["name"].get<std::string>().empty());
  }
  for (const auto& node : nodes)
    if (node["unique_id"] == "model.airbnb.src_listings") {
      EXPECT_EQ(node["path"], "models/src/src_listings.sql");
    }
}

TEST(Lineage, OneDirectionAndADepth) {
  const auto out = call_ok("lineage", {{"node", "dim_listings_cleansed"}, {"direction", "up"}, {"depth", 1}});
  for (const auto& node : out.result["nodes"]) {
    EXPECT_EQ(node["direction"], "up");
    EXPECT_EQ(node["depth"], 1);
  }
  EXPECT_TRUE(has(out.result["nodes"], "model.airbnb.src_listings", "up", 1));
}

TEST(Lineage, RejectsAnUnknownDirection) {
  const Error error = call_error("lineage", {{"node", "dim_listings_cleansed"}, {"direction", "left"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_NE(error.message.find("args.direction"), std::string::npos);
}

TEST(Lineage, AnUnknownNodeSuggestsOne) {
  const Error error = call_error("lineage", {{"node", "src_listing"}});
  EXPECT_NE(error.message.find("did you mean: src_listings"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace cowork::testing
