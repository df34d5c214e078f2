// kb_search on the demo's knowledge base.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(KbSearch, BoostedWithTheNewValueFindsTheRoomTypeRuleFirst) {
  const auto out = call_ok("kb_search", {{"query", "accepted_values room_type dim_listings_cleansed"},
                                         {"boost", {"Entire place", "room_type"}}});
  const auto& results = out.result["results"];
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results[0]["rule_ids"][0], "DQ-114") << results[0].dump(2);
  EXPECT_EQ(results[0]["path"], "knowledge_base/data_quality_policies.md");
  EXPECT_GT(results[0]["line"].get<int>(), 0);
  EXPECT_FALSE(results[0]["excerpt"].get<std::string>().empty());
  EXPECT_LE(results.size(), 5u);
  EXPECT_NE(out.summary.find("DQ-114"), std::string::npos) << out.summary;
}

TEST(KbSearch, TheLimitHolds) {
  const auto out = call_ok("kb_search", {{"query", "listings hosts reviews"}, {"limit", 2}});
  EXPECT_EQ(out.result["results"].size(), 2u);
}

TEST(KbSearch, AQueryOfStopWordsIsAnError) {
  const Error error = call_error("kb_search", {{"query", "the of and"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace cowork::testing
