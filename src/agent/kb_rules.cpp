#include "agent/kb_rules.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "util/strings.hpp"

namespace cowork::agent {
namespace {

// Sentences: split at ". ", "! ", "? " and at list items and blank lines.
std::vector<std::string> sentences(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    std::string trimmed(trim(current));
    if (!trimmed.empty()) out.push_back(trimmed);
    current.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      // A new list item or a blank line ends the sentence; a wrapped line continues it.
      std::size_t j = i + 1;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j >= text.size() || text[j] == '\n' || text[j] == '-' || text[j] == '*' || text[j] == '#') {
        flush();
      } else {
        current += ' ';
      }
      continue;
    }
    current += c;
    if ((c == '.' || c == '!' || c == '?') && (i + 1 >= text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      // "e.g." and "1.5" are not ends; a sentence needs a few words.
      if (current.size() > 12) flush();
    }
  }
  flush();
  // Clauses: "Decision DQ-114 (...): map ..." and "set it to `warn` ..., and keep the reviews: do not filter them"
  // hold several instructions; each is read on its own.
  std::vector<std::string> clauses;
  for (const auto& sentence : out) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < sentence.size(); ++i) {
      const bool colon = (sentence[i] == ':' || sentence[i] == ';') && i + 1 < sentence.size() && sentence[i + 1] == ' ';
      const bool and_clause = sentence.compare(i, 6, ", and ") == 0;
      if (!colon && !and_clause) continue;
      std::string clause(trim(std::string_view(sentence).substr(start, i - start)));
      if (!clause.empty()) clauses.push_back(clause);
      start = i + (and_clause ? 6 : 2);
    }
    std::string clause(trim(std::string_view(sentence).substr(start)));
    if (!clause.empty()) clauses.push_back(clause);
  }
  return clauses;
}

std::string plain_lower(std::string_view text) {
  std::string out;
  for (char c : to_lower(text))
    if (c != '*') out += c;
  return out;
}

// The `code spans` of a sentence.
std::vector<std::string> code_spans(std::string_view sentence) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = sentence.find('`', at)) != std::string_view::npos) {
    const auto end = sentence.find('`', at + 1);
    if (end == std::string_view::npos) break;
    out.emplace_back(sentence.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return out;
}

bool has_word(const std::string& lower, std::string_view word) {
  std::size_t at = 0;
  while ((at = lower.find(word, at)) != std::string::npos) {
    const bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(lower[at - 1]));
    const bool end = at + word.size() >= lower.size() || !std::isalnum(static_cast<unsigned char>(lower[at + word.size()]));
    if (start && end) return true;
    at += word.size();
  }
  return false;
}

bool contains(const std::string& lower, std::string_view text) { return lower.find(text) != std::string::npos; }

bool negative(const std::string& lower) {
  return contains(lower, "do not") || contains(lower, "don't") || has_word(lower, "never") ||
         contains(lower, "must not") || contains(lower, "should not");
}

// The strategies a sentence talks about.
std::vector<std::string> strategies_in(const std::string& lower) {
  std::vector<std::string> out;
  if (contains(lower, "accepted values") || contains(lower, "accepted_values") || contains(lower, "approve"))
    out.push_back("approve_values");
  if (has_word(lower, "filter") || has_word(lower, "exclude") || contains(lower, "filter them") ||
      contains(lower, "drop them") || contains(lower, "remove them"))
    out.push_back("filter_rows");
  if (has_word(lower, "distinct")) out.push_back("distinct");
  if (contains(lower, "placeholder") || has_word(lower, "coalesce") || contains(lower, "default value"))
    out.push_back("coalesce_default");
  if (contains(lower, "deduplicate") || contains(lower, "dedupe")) out.push_back("dedupe_latest");
  if (has_word(lower, "map")) out.push_back("map_values");
  if (has_word(lower, "treat")) out.push_back("clamp_values");
  if (contains(lower, "severity") || has_word(lower, "warn")) out.push_back("warn_severity");
  if (contains(lower, "weaken") || contains(lower, "delete a test") || contains(lower, "disable"))
    out.push_back("weaken_test");
  if (has_word(lower, "revert")) out.push_back("revert_commit");
  return out;
}

}  // namespace

std::vector<std::string> rule_ids(std::string_view text) {
  static const std::regex pattern(R"(\b[A-Z]{2,5}-[0-9]{2,5}(?:-[0-9]{1,4})?\b)");
  std::vector<std::string> out;
  const std::string owned(text);
  for (auto it = std::sregex_iterator(owned.begin(), owned.end(), pattern); it != std::sregex_iterator(); ++it)
    if (std::find(out.begin(), out.end(), it->str()) == out.end()) out.push_back(it->str());
  return out;
}

std::vector<Rule> read_rules(const Section& section, const RuleSubject& subject) {
  std::vector<Rule> out;
  const std::string section_lower = to_lower(section.text + " " + section.heading);
  auto mentions = [&](const std::string& lower, std::string_view name) {
    return !name.empty() && contains(lower, to_lower(name));
  };
  bool section_about_subject = mentions(section_lower, subject.column);
  // Values match as whole words: the value 0 is not in "2024-09-12".
  // A short or numeric value (0, 'f') counts only as a code span (`0`): as a bare word it is everywhere.
  auto mentions_value = [&](const std::string& lower, const std::string& value) {
    if (value.empty()) return false;
    const bool numeric = value.find_first_not_of("0123456789.-") == std::string::npos;
    if (numeric || value.size() < 3) return contains(lower, "`" + to_lower(value) + "`");
    return has_word(lower, to_lower(value));
  };
  for (const auto& value : subject.values) section_about_subject = section_about_subject || mentions_value(section_lower, value);
  for (const auto& topic : subject.topics) section_about_subject = section_about_subject || mentions(section_lower, topic);
  // A section of general principles (no column, value or model of the project named) applies to every incident,
  // but only its prohibitions.
  bool names_any_model = false;
  for (const auto& model : subject.models) names_any_model = names_any_model || mentions(section_lower, model);
  const bool general = !section_about_subject && !names_any_model && !mentions(section_lower, "_id");
  if (!section_about_subject && !general) return out;

  const auto ids = rule_ids(section.heading + "\n" + section.text);
  std::string id = ids.empty() ? section.path + "#" + section.heading : ids.front();
  for (const std::string& sentence : sentences(section.text)) {
    const std::string lower = to_lower(sentence);
    const std::string plain = plain_lower(sentence);  // without **emphasis**, for "Do **not**"
    const auto spans = code_spans(sentence);
    bool about_value = false;
    for (const auto& value : subject.values) about_value = about_value || mentions_value(lower, value);
    // A test is named in the clause or elsewhere in the section ("set that test to severity `warn`").
    const bool about_test = !subject.test_name.empty() && contains(section_lower, to_lower(subject.test_name));
    auto base = [&](RuleAction action, std::string strategy) {
      Rule rule;
      rule.id = id;
      rule.path = section.path;
      rule.heading = section.heading;
      rule.line = section.line;
      rule.sentence = sentence;
      rule.action = action;
      rule.strategy = std::move(strategy);
      for (const auto& model : subject.models) {
        if (contains(lower, "in `" + to_lower(model) + "`") || contains(lower, "from `" + to_lower(model) + "`")) {
          rule.location = model;
          break;
        }
      }
      return rule;
    };
    if (contains(plain, "expected") && about_test && !general && !negative(plain))
      out.push_back(base(RuleAction::expected, "warn_severity"));
    const auto talked = strategies_in(plain);
    if (talked.empty()) continue;
    if (negative(plain)) {
      // "Never weaken or delete a test ... severity `warn` is allowed only where ... expected": a prohibition of
      // weakening; the severity clause is the exception, not another prohibition.
      for (const auto& strategy : talked) {
        if (strategy == "warn_severity" && contains(lower, "allowed only")) continue;
        if (general && strategy != "weaken_test" && strategy != "warn_severity") continue;
        out.push_back(base(RuleAction::forbid, strategy));
      }
      continue;
    }
    if (general) {
      if (contains(lower, "allowed only") && contains(lower, "severity"))
        out.push_back(base(RuleAction::forbid, "weaken_test"));
      continue;
    }
    // Prescriptions.
    if (std::find(talked.begin(), talked.end(), "map_values") != talked.end() && spans.size() >= 2) {
      // "map `A` to `B`": A must be an offending value.
      const auto map_at = lower.find("map ");
      for (std::size_t k = 0; k + 1 < spans.size(); ++k) {
        const auto from_at = sentence.find('`' + spans[k] + '`');
        const auto to_at = sentence.find('`' + spans[k + 1] + '`');
        if (map_at == std::string::npos || from_at < map_at || lower.substr(from_at, to_at - from_at).find(" to ") ==
                                                                    std::string::npos)
          continue;
        Rule rule = base(RuleAction::prescribe, "map_values");
        rule.params["from"] = spans[k];
        rule.params["to"] = spans[k + 1];
        out.push_back(std::move(rule));
        break;
      }
    }
    if (std::find(talked.begin(), talked.end(), "clamp_values") != talked.end()) {
      // "treat `0` (and any value below 1) as `1`".
      const auto as_at = lower.rfind(" as `");
      if (as_at != std::string::npos) {
        const auto end = sentence.find('`', as_at + 5);
        if (end != std::string::npos) {
          Rule rule = base(RuleAction::prescribe, "clamp_values");
          rule.params["value"] = sentence.substr(as_at + 5, end - as_at - 5);
          out.push_back(std::move(rule));
        }
      }
    }
    if (std::find(talked.begin(), talked.end(), "dedupe_latest") != talked.end()) {
      Rule rule = base(RuleAction::prescribe, "dedupe_latest");
      // "keeping the most recent row per `listing_id` by `updated_at`"
      const auto per = lower.find("per `");
      const auto by = lower.find("by `");
      if (per != std::string::npos) rule.params["key"] = sentence.substr(per + 5, sentence.find('`', per + 5) - per - 5);
      if (by != std::string::npos) rule.params["order"] = sentence.substr(by + 4, sentence.find('`', by + 4) - by - 4);
      out.push_back(std::move(rule));
    }
    if (std::find(talked.begin(), talked.end(), "filter_rows") != talked.end() &&
        (contains(lower, "exclude") || contains(lower, "filter `"))) {
      Rule rule = base(RuleAction::prescribe, "filter_rows");
      for (const auto& span : spans)
        if (contains(to_lower(span), " is not null") || contains(to_lower(span), " not in ") ||
            contains(to_lower(span), " in (") || contains(span, ">") || contains(span, "<"))
          rule.params["condition"] = span;
      out.push_back(std::move(rule));
    }
    if (std::find(talked.begin(), talked.end(), "warn_severity") != talked.end() && about_test &&
        contains(lower, "set")) {
      out.push_back(base(RuleAction::prescribe, "warn_severity"));
    }
    if (std::find(talked.begin(), talked.end(), "revert_commit") != talked.end()) {
      out.push_back(base(RuleAction::prescribe, "revert_commit"));
    }
    if (std::find(talked.begin(), talked.end(), "approve_values") != talked.end() && about_value &&
        (contains(lower, "is approved") || contains(lower, "are approved") || contains(lower, "add "))) {
      out.push_back(base(RuleAction::prescribe, "approve_values"));
    }
  }
  return out;
}

}  // namespace cowork::agent
