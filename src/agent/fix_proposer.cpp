// The fix proposer: 3-5 options across strategies for the incident's failure kind, each a real patch (SQL edits
// that keep the Jinja, YAML edits that keep the file's formatting) with pros, cons, risk, when to use it and the
// rules it relies on. The knowledge base decides the ranking: a rule that prescribes a strategy puts it first, one
// that forbids a strategy sinks it and makes it high risk, and a failure a rule calls expected makes the severity
// change acceptable. An option that weakens a test is never low risk.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "agent/findings.hpp"
#include "agent/sql_patch.hpp"
#include "fixes/diff.hpp"
#include "fixes/property_edits.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace cowork::agent {
namespace {

constexpr std::string_view k_agent = "fix_proposer";

const Rule* find_rule(const Findings& f, RuleAction action, std::string_view strategy) {
  for (const Rule& r : f.rules)
    if (r.action == action && r.strategy == strategy) return &r;
  return nullptr;
}

bool any_expected(const Findings& f) {
  return std::any_of(f.rules.begin(), f.rules.end(), [](const Rule& r) { return r.action == RuleAction::expected; });
}

}  // namespace

void weigh_by_rules(const Findings& f, FixOption& option) {
  std::set<std::string> refs;
  if (const Rule* r = find_rule(f, RuleAction::prescribe, option.strategy); r != nullptr) {
    option.score += 100;
    option.pros.push_back(fmt::format("What {} prescribes: \"{}\"", r->id, r->sentence));
    option.rationale += fmt::format(" {} ({}) prescribes this fix.", r->id, r->path);
    refs.insert(r->id);
    // An agreed rule lowers the risk one step: what it prescribes has been decided, not guessed.
    if (!option.weakens_test) option.risk = option.risk == "high" ? "medium" : "low";
  }
  if (const Rule* r = find_rule(f, RuleAction::forbid, option.strategy); r != nullptr) {
    option.score -= 100;
    option.cons.insert(option.cons.begin(), fmt::format("{} forbids it: \"{}\"", r->id, r->sentence));
    option.risk = "high";
    refs.insert(r->id);
  }
  if (option.weakens_test) {
    if (any_expected(f) && option.strategy == "warn_severity") {
      const Rule& r = *std::find_if(f.rules.begin(), f.rules.end(),
                                    [](const Rule& x) { return x.action == RuleAction::expected; });
      option.score += 60;
      option.pros.push_back(fmt::format("{} says this failure is expected: \"{}\"", r.id, r.sentence));
      refs.insert(r.id);
      option.risk = "medium";  // allowed by a rule, but it still weakens a test: never low
    } else {
      option.score -= 40;
      option.risk = "high";
      if (const Rule* r = find_rule(f, RuleAction::forbid, "weaken_test"); r != nullptr) {
        option.score -= 60;
        option.cons.insert(option.cons.begin(), fmt::format("{} forbids weakening tests: \"{}\"", r->id, r->sentence));
        refs.insert(r->id);
      }
    }
  }
  for (const auto& id : refs) option.kb_refs.push_back(id);
  option.rationale = std::string(trim(option.rationale));
}

namespace {

struct Proposer {
  const Findings& f;
  const Diagnosis& diagnosis;
  StepRecorder& recorder;
  std::vector<FixOption> options;
  std::vector<std::string> skipped;  // strategies that could not be offered, and why

  std::filesystem::path project() const { return recorder.context().project_dir; }

  Result<std::string> read(const std::string& path) const {
    std::ifstream in(project() / path, std::ios::binary);
    if (!in) return make_error(ErrorCode::not_found, "cannot read {}", path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  const Rule* rule(RuleAction action, std::string_view strategy) const { return find_rule(f, action, strategy); }
  bool expected() const { return any_expected(f); }

  // Where a data fix goes: the model a rule names for this strategy, else the root node, as (node, name, path,
  // column).
  Hop location(std::string_view strategy) const {
    std::string wanted;
    if (const Rule* r = rule(RuleAction::prescribe, strategy); r != nullptr) wanted = r->location;
    for (const Hop& hop : f.hops)
      if (!wanted.empty() ? hop.name == wanted : hop.node == diagnosis.root_cause.node) return hop;
    if (!wanted.empty()) {
      if (auto node = recorder.context().find_node(wanted)) {
        return Hop{std::string((*node)->unique_id), std::string((*node)->name), f.column, f.column,
                   std::string((*node)->original_file_path)};
      }
    }
    return f.hops.empty() ? Hop{f.model_id, f.model_name, f.column, f.column, f.model_path} : f.hops.back();
  }

  // The expression behind output column `column` of the model's final SELECT.
  std::string expression_of(const std::string& sql, const std::string& column) const {
    auto select = find_final_select(sql);
    if (select)
      for (const auto& item : select->items)
        if (iequals(item.name, column)) return item.expression;
    return column;
  }

  void add(FixOption option, const std::string& path, const std::string& before, const std::string& after) {
    if (before == after) {
      skipped.push_back(fmt::format("{}: the edit changes nothing in {}", option.strategy, path));
      return;
    }
    option.edits.push_back({path, before, after, fixes::unified_diff(before, after, path)});
    push(std::move(option));
  }

  void push(FixOption option) {
    weigh_by_rules(f, option);
    options.push_back(std::move(option));
  }

  FixOption option(std::string strategy, std::string category, std::string risk, int score) const {
    FixOption o;
    o.strategy = std::move(strategy);
    o.category = std::move(category);
    o.risk = std::move(risk);
    o.score = score;
    return o;
  }

  // -- strategies shared by kinds -------------------------------------------------------------------------------

  void warn_severity() {
    if (f.property_file.empty() || f.test_name.empty()) {
      skipped.push_back("warn_severity: the test is not declared in a property file");
      return;
    }
    auto before = read(f.property_file);
    if (!before) return skipped.push_back(before.error().message);
    auto after = fixes::set_test_config(*before, f.property_file, fixes::Resource::model(f.model_name), f.column,
                                        f.test_name, "severity", "warn");
    if (!after) return skipped.push_back("warn_severity: " + after.error().message);
    FixOption o = option("warn_severity", "config", "high", 20);
    o.title = fmt::format("Set the {} test on {}.{} to severity warn", f.test_name, f.model_name, f.column);
    o.weakens_test = true;
    o.warn_counts_as_pass = true;
    o.pros = {"The pipeline keeps running; the failure stays visible as a warning"};
    o.cons = {"The test no longer stops bad rows from reaching downstream models and dashboards"};
    o.when_to_use = "When the failure is expected for a while (late-arriving data) and an agreed rule allows it";
    o.rationale = "Changes only the test's severity in the property file.";
    add(std::move(o), f.property_file, *before, *after);
  }

  void filter_rows(const std::string& condition_template, const std::string& title, int score,
                   std::string when_to_use) {
    const Hop at = location("filter_rows");
    auto before = read(at.path);
    if (!before) return skipped.push_back(before.error().message);
    std::string condition = condition_template;
    const std::string expression = expression_of(*before, at.column);
    for (std::size_t p; (p = condition.find("{expr}")) != std::string::npos;) condition.replace(p, 6, expression);
    // A rule's own condition ("filter `host_id is not null`"), when it is about this column.
    if (const Rule* r = rule(RuleAction::prescribe, "filter_rows");
        r != nullptr && r->params.contains("condition") &&
        to_lower(r->params.at("condition")).find(to_lower(at.column)) != std::string::npos)
      condition = r->params.at("condition");
    auto after = add_where_condition(*before, condition);
    if (!after) return skipped.push_back("filter_rows: " + after.error().message);
    FixOption o = option("filter_rows", "data", "high", score);
    o.title = fmt::format("{} in {}", title, at.name);
    o.pros = {"Downstream models only see rows that meet the rule", "A small change in one model"};
    o.cons = {"The filtered rows disappear from every model downstream and from their counts"};
    o.when_to_use = std::move(when_to_use);
    o.rationale = fmt::format("Adds `where {}` to {}.", condition, at.name);
    add(std::move(o), at.path, *before, *after);
  }

  void replace_expression(std::string strategy, const Hop& at, const std::string& expression, std::string title,
                          std::string risk, int score, std::vector<std::string> pros, std::vector<std::string> cons,
                          std::string when_to_use, std::string rationale) {
    auto before = read(at.path);
    if (!before) return skipped.push_back(before.error().message);
    auto after = replace_column_expression(*before, at.column, expression);
    if (!after) return skipped.push_back(strategy + ": " + after.error().message);
    FixOption o = option(std::move(strategy), "data", std::move(risk), score);
    o.title = std::move(title);
    o.pros = std::move(pros);
    o.cons = std::move(cons);
    o.when_to_use = std::move(when_to_use);
    o.rationale = std::move(rationale);
    add(std::move(o), at.path, *before, *after);
  }

  // -- per kind -----------------------------------------------------------------------------------------------------

  std::vector<std::string> accepted() const {
    std::vector<std::string> out;
    if (f.kwargs.contains("values") && f.kwargs["values"].is_array())
      for (const auto& v : f.kwargs["values"]) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    return out;
  }

  // The accepted value an offending one most likely stands for: a rule's mapping, else the accepted value sharing
  // the longest leading word run ("Entire place" -> "Entire home/apt").
  std::optional<std::pair<std::string, bool>> mapping_for(const std::string& value) const {
    for (const Rule& r : f.rules)
      if (r.action == RuleAction::prescribe && r.strategy == "map_values" && r.params.contains("from") &&
          iequals(r.params.at("from"), value))
        return std::make_pair(r.params.at("to"), true);
    std::string best;
    std::size_t best_len = 0;
    const std::string lower = to_lower(value);
    for (const auto& candidate : accepted()) {
      const std::string c = to_lower(candidate);
      std::size_t n = 0;
      while (n < c.size() && n < lower.size() && c[n] == lower[n]) ++n;
      if (n >= 3 && n > best_len) {
        best = candidate;
        best_len = n;
      }
    }
    if (best.empty()) return std::nullopt;
    return std::make_pair(best, false);
  }

  void accepted_values() {
    std::vector<std::string> values = f.offending_values;
    if (values.empty()) skipped.push_back("the values outside the list are unknown (the warehouse was not queried)");
    // 1. Map the new values onto approved ones where the data enters.
    if (!values.empty()) {
      std::string cases;
      std::vector<std::string> pairs;
      bool from_rule = true;
      for (const auto& value : values) {
        auto target = mapping_for(value);
        if (!target) continue;
        from_rule = from_rule && target->second;
        cases += fmt::format(" when {} then {}", sql_literal(value), sql_literal(target->first));
        pairs.push_back(fmt::format("'{}' -> '{}'", value, target->first));
      }
      if (!cases.empty()) {
        const Hop at = location("map_values");
        std::vector<std::string> cons = {"Hides the source's new label; the mapping must be kept up to date"};
        if (!from_rule) cons.push_back("The mapping is a guess from the labels' similarity: confirm it with the data owner");
        replace_expression("map_values", at, "case {expr}" + cases + " else {expr} end",
                           fmt::format("Map {} in {}", fmt::join(pairs, ", "), at.name), "medium", 60,
                           {"Fixes the data where it enters, so every downstream model and dashboard agrees",
                            "The test keeps guarding against other new values"},
                           std::move(cons), "When the new value is a renamed label for an approved one",
                           fmt::format("Rewrites {}.{} with a CASE over the new values.", at.name, at.column));
      }
    }
    // 2. Approve the new values in the test.
    if (!values.empty() && !f.property_file.empty()) {
      auto before = read(f.property_file);
      if (before) {
        std::vector<fixes::Value> yaml_values;
        for (const auto& value : values) yaml_values.emplace_back(value);
        auto after = fixes::add_accepted_values(*before, f.property_file, fixes::Resource::model(f.model_name),
                                                f.column, yaml_values);
        if (after) {
          FixOption o = option("approve_values", "config", "medium", 40);
          o.title = fmt::format("Add {} to the accepted values of {}.{}", fmt::join(quote_all(values), ", "),
                                f.model_name, f.column);
          o.pros = {"A one-line change to the test; no data is altered"};
          o.cons = {"Dashboards and models that group by this column see a new category"};
          o.when_to_use = "When the new value is a real, approved category";
          o.rationale = "Extends the test's list of accepted values in the property file.";
          add(std::move(o), f.property_file, *before, *after);
        } else {
          skipped.push_back("approve_values: " + after.error().message);
        }
      }
    }
    // 3. Filter the rows out.
    if (!values.empty()) {
      std::vector<std::string> literals;
      for (const auto& value : values) literals.push_back(sql_literal(value));
      filter_rows(fmt::format("{{expr}} is null or {{expr}} not in ({})", fmt::join(literals, ", ")),
                  fmt::format("Filter out rows with {}", fmt::join(quote_all(values), ", ")), 10,
                  "When the rows are junk that no report should count");
    }
    // 4. Warn.
    warn_severity();
  }

  void not_null() {
    filter_rows("{expr} is not null", fmt::format("Filter out rows with a null {}", f.column), 40,
                "When rows without the value cannot be used by any downstream model");
    const Hop at = location("coalesce_default");
    std::string fallback = "'unknown'";
    if (auto it = f.stats.find(f.model_id); it != f.stats.end() && it->second.raw.contains("min") &&
                                            it->second.raw["min"].is_number())
      fallback = "0";
    replace_expression("coalesce_default", at, "coalesce({expr}, " + fallback + ")",
                       fmt::format("Default a null {} to {} in {}", at.column, fallback, at.name), "medium", 30,
                       {"Keeps every row"}, {"Invents a value: counts and joins on it become misleading"},
                       "When a documented default exists for a missing value",
                       fmt::format("Wraps {}.{} in coalesce().", at.name, at.column));
    warn_severity();
  }

  void unique() {
    const Hop at = location("dedupe_latest");
    auto before = read(at.path);
    if (!before) return skipped.push_back(before.error().message);
    std::string order;
    if (const Rule* r = rule(RuleAction::prescribe, "dedupe_latest"); r != nullptr && r->params.contains("order"))
      order = r->params.at("order");
    if (order.empty()) {
      if (auto select = find_final_select(*before))
        for (const std::string candidate : {"updated_at", "_loaded_at", "loaded_at", "modified_at", "created_at"})
          for (const auto& item : select->items)
            if (order.empty() && iequals(item.name, candidate)) order = item.name;
    }
    if (!order.empty()) {
      auto after = keep_latest_row(*before, at.column, order, recorder.context().dialect);
      if (after) {
        FixOption o = option("dedupe_latest", "data", "medium", 60);
        o.title = fmt::format("Keep the latest row per {} (by {}) in {}", at.column, order, at.name);
        o.pros = {"Removes the duplicates where they enter; every downstream model gets one row per key",
                  "Deterministic: the most recent version of each row wins"};
        o.cons = {"Older versions of a row are dropped from this model"};
        o.when_to_use = "When the source re-sends changed rows and the newest one is right";
        o.rationale = fmt::format("Adds a row_number() over {} ordered by {} desc to {}.", at.column, order, at.name);
        add(std::move(o), at.path, *before, *after);
      } else {
        skipped.push_back("dedupe_latest: " + after.error().message);
      }
    } else {
      skipped.push_back(fmt::format("dedupe_latest: {} has no column that tells which row is newest", at.name));
    }
    if (auto select = find_final_select(*before)) {
      std::string after = *before;
      const std::size_t at_pos = select->select_pos + 6;
      if (to_lower(std::string_view(after).substr(at_pos, 9)).find("distinct") == std::string::npos) {
        after.insert(at_pos, " distinct");
        FixOption o = option("distinct", "data", "medium", 30);
        o.title = fmt::format("Select distinct rows in {}", at.name);
        o.pros = {"A one-word change"};
        o.cons = {"Only removes rows that are identical in every column; changed duplicates stay"};
        o.when_to_use = "When the duplicates are exact copies";
        o.rationale = fmt::format("Makes the final SELECT of {} distinct.", at.name);
        add(std::move(o), at.path, *before, after);
      }
    }
    warn_severity();
  }

  void relationships() {
    warn_severity();
    std::string to = f.kwargs.value("to", std::string());
    const std::string field = f.kwargs.value("field", std::string());
    if (!to.empty() && !field.empty()) {
      const Hop at = f.hops.empty() ? Hop{f.model_id, f.model_name, f.column, f.column, f.model_path} : f.hops.front();
      auto before = read(at.path);
      if (before) {
        const std::string condition = fmt::format("{} in (select {} from {{{{ {} }}}})", expression_of(*before, at.column),
                                                  field, to);
        auto after = add_where_condition(*before, condition);
        if (after) {
          FixOption o = option("filter_rows", "data", "high", 20);
          o.title = fmt::format("Filter out {} rows whose {} has no parent in {}", at.name, at.column, to);
          o.pros = {"The relationship holds in every run"};
          o.cons = {"Rows whose parent arrives late are dropped and, for incremental models, never come back"};
          o.when_to_use = "When orphan rows are junk, not late data";
          o.rationale = fmt::format("Adds `where {}` to {}.", condition, at.name);
          add(std::move(o), at.path, *before, *after);
        } else {
          skipped.push_back("filter_rows: " + after.error().message);
        }
      }
    }
    FixOption o = option("snooze", "snooze", "medium", expected() ? 45 : 25);
    o.title = fmt::format("Snooze the incident for 48 hours and ask the owners of {} for the missing parents",
                          f.kwargs.value("to", std::string("the parent model")));
    o.pros = {"Changes nothing; if the parents arrive, the test passes again on its own"};
    o.cons = {"The pipeline stays red (an error-severity test still stops downstream models) until they arrive"};
    o.when_to_use = "When the missing parents are late, not lost, and the build can wait";
    o.rationale = "Waits for the upstream data instead of changing code.";
    push(std::move(o));
  }

  void custom_test() {
    if (!f.bound) {
      skipped.push_back(fmt::format("the condition of {} could not be read; only the severity can be changed",
                                    f.test_name));
      warn_severity();
      return;
    }
    std::string bound = fmt::format("{}", *f.bound);
    if (const Rule* r = rule(RuleAction::prescribe, "clamp_values"); r != nullptr && r->params.contains("value"))
      bound = r->params.at("value");
    const Hop at = location("clamp_values");
    const std::string op = f.bound_op;
    replace_expression("clamp_values", at, fmt::format("case when {{expr}} {} {} then {} else {{expr}} end", op,
                                                       *f.bound, bound),
                       fmt::format("Treat {} values {} {} as {} in {}", at.column, op, *f.bound, bound, at.name),
                       "medium", 60, {"Keeps every row", "The values follow the documented meaning of the export"},
                       {"Replaces the source's value; the raw value stays only in the source table"},
                       "When a documented rule says what the out-of-range value means",
                       fmt::format("Wraps {}.{} in a CASE that replaces values the test rejects.", at.name, at.column));
    const std::string negated = op == "<" ? ">=" : op == "<=" ? ">" : op == ">" ? "<=" : "<";
    filter_rows(fmt::format("{{expr}} is null or {{expr}} {} {}", negated, *f.bound),
                fmt::format("Filter out rows with {} {} {}", f.column, op, *f.bound), 20,
                "When rows with such values are not real and no report should count them");
    warn_severity();
  }

  // The new name of a renamed column, from the commit's diff: the added line that replaced the removed one.
  std::string renamed_to(const Commit& commit, const std::string& old_name) const {
    std::vector<std::string> removed, added;
    for (std::string_view rest = commit.diff; !rest.empty();) {
      const auto end = rest.find('\n');
      const std::string line(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      if (line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0) continue;
      if (!line.empty() && line[0] == '-') removed.push_back(line.substr(1));
      if (!line.empty() && line[0] == '+') added.push_back(line.substr(1));
    }
    for (std::size_t k = 0; k < removed.size() && k < added.size(); ++k) {
      const auto at = removed[k].find(old_name);
      if (at == std::string::npos) continue;
      // The same line with another identifier in place of the old name.
      const std::string prefix = removed[k].substr(0, at);
      const std::string suffix = removed[k].substr(at + old_name.size());
      if (added[k].rfind(prefix, 0) == 0 && added[k].size() >= prefix.size() + suffix.size() &&
          added[k].compare(added[k].size() - suffix.size(), suffix.size(), suffix) == 0)
        return added[k].substr(prefix.size(), added[k].size() - prefix.size() - suffix.size());
    }
    return {};
  }

  void model_error() {
    const std::string& old_name = f.missing_column;
    const Commit* commit = commit_removing(f, old_name);
    if (commit == nullptr) {
      skipped.push_back(old_name.empty() ? "the error does not name a missing column"
                                         : fmt::format("no recent commit in the lineage mentions '{}'", old_name));
      return;
    }
    // 1. Revert the commit's change to the file.
    auto current = read(commit->path);
    if (current) {
      ProcessRequest request;
      request.argv = {"git", "show", commit->sha + "^:" + commit->path};
      request.cwd = project();
      request.timeout = std::chrono::seconds(20);
      auto shown = run_process(request);
      if (shown && shown->exit_code == 0) {
        FixOption o = option("revert_commit", "code", "low", 70);
        o.title = fmt::format("Revert {}'s change to {} (commit {})", commit->author, commit->path,
                              commit->sha.substr(0, 8));
        o.pros = {"Restores the last version that built, in one step", "No model downstream needs to change"};
        o.cons = {"Undoes the intent of the change; its author must fix forward in a new pull request"};
        o.when_to_use = "When a recent change broke the build and the build must be green quickly";
        o.rationale = fmt::format("Commit {} ('{}') changed '{}' in {}; reverting it restores the column.",
                                  commit->sha.substr(0, 8), commit->message, old_name, commit->path);
        add(std::move(o), commit->path, *current, shown->out);
      } else {
        skipped.push_back(fmt::format("revert_commit: git show {}^:{} failed", commit->sha.substr(0, 8), commit->path));
      }
    }
    const std::string new_name = renamed_to(*commit, old_name);
    if (new_name.empty()) {
      skipped.push_back(fmt::format("the commit does not show what '{}' was renamed to", old_name));
      return;
    }
    // 2. Use the new name in the failing model.
    if (!f.model_path.empty()) {
      auto before = read(f.model_path);
      if (before) {
        std::string after;
        const std::string& text = *before;
        for (std::size_t i = 0; i < text.size();) {
          const bool word_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_');
          if (word_start && text.compare(i, old_name.size(), old_name) == 0 &&
              (i + old_name.size() >= text.size() ||
               !(std::isalnum(static_cast<unsigned char>(text[i + old_name.size()])) || text[i + old_name.size()] == '_'))) {
            // Keep the output name: `... as host_name` stays.
            std::string_view head(after);
            while (!head.empty() && std::isspace(static_cast<unsigned char>(head.back()))) head.remove_suffix(1);
            const bool alias = head.size() >= 2 && iequals(head.substr(head.size() - 2), "as") &&
                               (head.size() == 2 || std::isspace(static_cast<unsigned char>(head[head.size() - 3])));
            after += alias ? old_name : new_name;
            i += old_name.size();
            continue;
          }
          after += text[i++];
        }
        FixOption o = option("patch_reference", "code", "medium", 50);
        o.title = fmt::format("Read {} as {} in {}", old_name, new_name, f.model_name);
        o.pros = {"Keeps the upstream change and adapts the model that broke", "The model's own output is unchanged"};
        o.cons = {"Other models or tools that read the old column name break too and need the same change"};
        o.when_to_use = "When the rename upstream was intended and is here to stay";
        o.rationale = fmt::format("Replaces references to '{}' with '{}' in {}.", old_name, new_name, f.model_path);
        add(std::move(o), f.model_path, *before, after);
      }
    }
    // 3. Keep the old name as an alias upstream.
    auto upstream = read(commit->path);
    if (upstream) {
      auto select = find_final_select(*upstream);
      if (select) {
        for (const auto& item : select->items) {
          if (!iequals(item.name, new_name)) continue;
          std::string after = *upstream;
          after.insert(item.end, fmt::format(",\n    {} as {}", item.expression, old_name));
          FixOption o = option("alias_column", "code", "medium", 40);
          o.title = fmt::format("Keep {} as an alias of {} in {}", old_name, new_name, commit->path);
          o.pros = {"Every model that reads the old name keeps working", "Keeps the new name for new code"};
          o.cons = {"Two names for one column until the old one is retired"};
          o.when_to_use = "When several models or tools read the old name";
          o.rationale = fmt::format("Adds `{} as {}` next to `{}` in {}.", item.expression, old_name, new_name, commit->path);
          add(std::move(o), commit->path, *upstream, after);
          break;
        }
      }
    }
  }

  static std::vector<std::string> quote_all(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) out.push_back("'" + v + "'");
    return out;
  }
};

}  // namespace

std::vector<FixOption> propose_fixes(const Findings& findings, const Diagnosis& diagnosis, StepRecorder& recorder) {
  Proposer proposer{findings, diagnosis, recorder, {}, {}};
  switch (findings.kind) {
    case FailureKind::accepted_values: proposer.accepted_values(); break;
    case FailureKind::not_null: proposer.not_null(); break;
    case FailureKind::unique: proposer.unique(); break;
    case FailureKind::relationships: proposer.relationships(); break;
    case FailureKind::custom_test: proposer.custom_test(); break;
    case FailureKind::model_error: proposer.model_error(); break;
    default: proposer.warn_severity(); break;
  }
  auto& options = proposer.options;
  std::stable_sort(options.begin(), options.end(), [](const FixOption& a, const FixOption& b) { return a.score > b.score; });
  if (options.size() > 5) options.resize(5);
  std::vector<std::string> titles;
  for (const auto& o : options) titles.push_back(fmt::format("{} ({} risk)", o.strategy, o.risk));
  recorder.note(k_agent, "propose",
                fmt::format("{} options: {}{}", options.size(), fmt::join(titles, ", "),
                            proposer.skipped.empty() ? "" : fmt::format("; not offered: {}", fmt::join(proposer.skipped, "; "))));
  return options;
}

}  // namespace cowork::agent
