#include "agent/kb_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace cowork::agent {
namespace {

const Rule* find(const std::vector<Rule>& rules, RuleAction action, std::string_view strategy) {
  auto it = std::find_if(rules.begin(), rules.end(),
                         [&](const Rule& r) { return r.action == action && r.strategy == strategy; });
  return it == rules.end() ? nullptr : &*it;
}

RuleSubject airbnb(std::string column, std::string test, std::vector<std::string> values = {}) {
  RuleSubject subject;
  subject.column = std::move(column);
  subject.test_name = std::move(test);
  subject.values = std::move(values);
  subject.models = {"src_listings", "dim_listings_cleansed", "fct_reviews", "dim_hosts_cleansed"};
  return subject;
}

const Section k_room_types{"knowledge_base/data_quality_policies.md", "Data quality policies > Room types (DQ-114)", 14,
                           "The approved room types are exactly: `Entire home/apt`, `Private room`.\n\n"
                           "Since the platform's September 2024 release, the export sends `Entire place` for what used "
                           "to be\n`Entire home/apt`. Decision DQ-114 (Data Governance, 2024-09-12): map `Entire place` "
                           "to `Entire home/apt` in\n`src_listings`. Do **not** add `Entire place` to the accepted "
                           "values: it would split the dashboards' largest group\nin two."};

TEST(KbRules, AMappingDecisionPrescribesTheMappingWhereItBelongs) {
  auto rules = read_rules(k_room_types, airbnb("room_type", "accepted_values", {"Entire place"}));
  const Rule* map = find(rules, RuleAction::prescribe, "map_values");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(map->id, "DQ-114");
  EXPECT_EQ(map->params.at("from"), "Entire place");
  EXPECT_EQ(map->params.at("to"), "Entire home/apt");
  EXPECT_EQ(map->location, "src_listings");
  const Rule* forbid = find(rules, RuleAction::forbid, "approve_values");
  ASSERT_NE(forbid, nullptr) << "\"Do **not** add ... to the accepted values\" forbids approving the value";
}

TEST(KbRules, ASectionAboutAnotherColumnSaysNothing) {
  auto rules = read_rules(k_room_types, airbnb("minimum_nights", "positive_value", {"0"}));
  EXPECT_TRUE(rules.empty());
}

TEST(KbRules, AnExpectedFailureAndItsHandling) {
  const Section late{"knowledge_base/incident_playbook.md", "Incident playbook > Late-arriving data", 16,
                     "the `relationships` test from `fct_reviews.listing_id` to\n`dim_listings_cleansed` is "
                     "**expected** to fail for up to 48 hours after a listing is created. This is not a data\nerror. The "
                     "agreed handling (incident review IR-2024-07): set that test to severity `warn` so the pipeline "
                     "keeps\nrunning, and keep the reviews: do not filter them out, they count towards host ratings."};
  auto rules = read_rules(late, airbnb("listing_id", "relationships"));
  EXPECT_NE(find(rules, RuleAction::expected, "warn_severity"), nullptr);
  EXPECT_NE(find(rules, RuleAction::prescribe, "warn_severity"), nullptr);
  EXPECT_NE(find(rules, RuleAction::forbid, "filter_rows"), nullptr);
  EXPECT_EQ(find(rules, RuleAction::forbid, "warn_severity"), nullptr);
  EXPECT_EQ(rules.front().id, "IR-2024-07");
  // The same section says nothing about a unique test on the same column.
  auto unique = read_rules(late, airbnb("listing_id", "unique"));
  EXPECT_EQ(find(unique, RuleAction::expected, "warn_severity"), nullptr);
}

TEST(KbRules, FilterAndPlaceholderRules) {
  const Section hosts{"kb.md", "Listings without a host (DQ-201)", 36,
                      "Decision DQ-201: exclude them from\n`dim_listings_cleansed` (filter `host_id is not null`) and "
                      "report the count.\nNever invent a placeholder host (for example `coalesce(host_id, 0)`): it would "
                      "create a fake\nhost with real revenue. `host_id` is mandatory."};
  auto rules = read_rules(hosts, airbnb("host_id", "not_null"));
  const Rule* filter = find(rules, RuleAction::prescribe, "filter_rows");
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ(filter->location, "dim_listings_cleansed");
  EXPECT_EQ(filter->params.at("condition"), "host_id is not null");
  EXPECT_NE(find(rules, RuleAction::forbid, "coalesce_default"), nullptr);
}

TEST(KbRules, GeneralPrinciplesOnlyForbid) {
  const Section general{"kb.md", "General principles", 6,
                        "- Fix data problems as early in the lineage as possible.\n- Never weaken or delete a test to "
                        "make a run green. Changing a test's severity to `warn` is allowed only where a policy below "
                        "says the failure is expected."};
  auto rules = read_rules(general, airbnb("room_type", "accepted_values", {"Entire place"}));
  ASSERT_FALSE(rules.empty());
  for (const auto& rule : rules) EXPECT_EQ(rule.action, RuleAction::forbid) << rule.sentence;
  EXPECT_NE(find(rules, RuleAction::forbid, "weaken_test"), nullptr);
}

TEST(KbRules, RuleIds) {
  EXPECT_EQ(rule_ids("see DQ-114 and IR-2024-07, not abc-12"), (std::vector<std::string>{"DQ-114", "IR-2024-07"}));
}

}  // namespace
}  // namespace cowork::agent
