// upstream_tests: the tests above a node and how they did.
#include <map>

#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(UpstreamTests, ListsTheTestsOfEveryAncestorWithTheirStatus) {
  // dim_listings_w_hosts reads dim_listings_cleansed (three failing tests) and dim_hosts_cleansed (which the renamed
  // column broke, so its tests were skipped).
  const auto out = call_ok("upstream_tests", {{"node", "dim_listings_w_hosts"}});
  const auto& tests = out.result["tests"];
  std::map<std::string, std::string> status;
  for (const auto& test : tests) status[test["name"]] = test["status"];
  EXPECT_EQ(
      status["accepted_values_dim_listings_cleansed_room_type__Entire_home_apt__Private_room__Shared_room__Hotel_room"],
      "fail");
  EXPECT_EQ(status["not_null_dim_listings_cleansed_host_id"], "fail");
  EXPECT_EQ(status["unique_dim_listings_cleansed_listing_id"], "fail");
  EXPECT_EQ(status["not_null_dim_listings_cleansed_listing_id"], "pass");
  EXPECT_EQ(status["unique_dim_hosts_cleansed_host_id"], "skipped");
  EXPECT_FALSE(status.contains("unique_dim_listings_w_hosts_listing_id")) << "its own tests are not upstream";
  EXPECT_EQ(out.result["failing"], 3);
  for (const auto& test : tests)
    if (test["name"] == "not_null_dim_listings_cleansed_host_id") {
      EXPECT_EQ(test["failures"], reported_failures("not_null_dim_listings_cleansed_host_id"));
      EXPECT_EQ(test["column"], "host_id");
      EXPECT_EQ(test["attached_node"], "model.airbnb.dim_listings_cleansed");
    }
}

TEST(UpstreamTests, ASourceHasNoneAbove) {
  const auto out = call_ok("upstream_tests", {{"node", "airbnb.listings"}});
  EXPECT_TRUE(out.result["tests"].empty());
  EXPECT_EQ(out.result["failing"], 0);
}

}  // namespace
}  // namespace cowork::testing
