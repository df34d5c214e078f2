// What a knowledge-base section says about an incident, read as rules the fix proposer must follow: a fix it
// prescribes ("map `Entire place` to `Entire home/apt` in `src_listings`"), one it forbids ("Do not add ... to the
// accepted values", "Never invent a placeholder host"), a failure it calls expected ("is **expected** to fail ...
// set that test to severity `warn`"), and where fixes belong. The reading is sentence by sentence and deliberately
// plain: a rule counts only when its sentence (or its section) names the incident's column, an offending value or
// the failing test, so a policy about another column never steers the fix.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cowork::agent {

enum class RuleAction { prescribe, forbid, expected };

struct Rule {
  std::string id;  // the section's rule id (DQ-114), else "path#heading"
  std::string path;
  std::string heading;
  int line = 0;
  std::string sentence;
  RuleAction action = RuleAction::prescribe;
  // map_values, approve_values, filter_rows, coalesce_default, distinct, dedupe_latest, clamp_values,
  // warn_severity, weaken_test, revert_commit
  std::string strategy;
  std::string location;                        // a model the fix belongs in, when the sentence names one
  std::map<std::string, std::string> params;   // from/to (map_values), key/order (dedupe_latest), value (clamp)
};

struct RuleSubject {
  std::string column;
  std::string model;  // the failing model's name
  std::string test_name;
  std::vector<std::string> values;  // offending values
  std::vector<std::string> models;  // every model of the project, to recognise locations
  std::vector<std::string> topics;  // other words that make a section relevant ("code change" for a model error)
};

struct Section {
  std::string path;
  std::string heading;
  int line = 0;
  std::string text;
};

// The rules of one section that apply to the subject.
std::vector<Rule> read_rules(const Section& section, const RuleSubject& subject);

// Rule ids (DQ-114, IR-2024-07) in a text.
std::vector<std::string> rule_ids(std::string_view text);

}  // namespace cowork::agent
