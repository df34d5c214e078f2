// The diagnostician: from the investigator's findings, the root node (the earliest node in the lineage where the
// problem is visible), the column, the category (data, code or config), a summary and a confidence.
#include <algorithm>

#include <fmt/format.h>

#include "agent/findings.hpp"
#include "util/strings.hpp"

namespace cowork::agent {
namespace {

constexpr std::string_view k_agent = "diagnostician";

bool has_rule(const Findings& findings, RuleAction action, std::string_view strategy = {}) {
  return std::any_of(findings.rules.begin(), findings.rules.end(), [&](const Rule& rule) {
    return rule.action == action && (strategy.empty() || rule.strategy == strategy);
  });
}

std::string node_of_path(StepRecorder& recorder, const std::string& path) {
  const auto& manifest = recorder.context().artifacts.manifest;
  if (!manifest) return {};
  for (const auto& node : manifest->nodes)
    if (node.original_file_path == path && node.resource_type == dbt::ResourceType::model) return std::string(node.unique_id);
  return {};
}

std::string short_sha(const std::string& sha) { return sha.substr(0, 8); }

}  // namespace

// The commit that removed or renamed `column`: a removed line that names it.
const Commit* commit_removing(const Findings& findings, std::string_view column) {
  if (column.empty()) return nullptr;
  const std::string lower_column = to_lower(column);
  for (const Commit& commit : findings.commits) {
    for (std::string_view rest = commit.diff; !rest.empty();) {
      const auto end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      if (line.size() > 1 && line[0] == '-' && line.substr(0, 3) != "---" &&
          to_lower(line).find(lower_column) != std::string::npos)
        return &commit;
    }
  }
  return nullptr;
}

Diagnosis diagnose(const Findings& findings, StepRecorder& recorder) {
  Diagnosis diagnosis;
  diagnosis.evidence = findings.evidence;
  diagnosis.knowledge = findings.knowledge;
  if (findings.incident.contains("impact")) {
    const auto& impact = findings.incident["impact"];
    if (impact.contains("downstream_models"))
      for (const auto& id : impact["downstream_models"]) diagnosis.downstream_models.push_back(id.get<std::string>());
    if (impact.contains("exposures"))
      for (const auto& id : impact["exposures"]) diagnosis.exposures.push_back(id.get<std::string>());
  }
  RootCause& root = diagnosis.root_cause;
  root.node = findings.model_id.empty() ? findings.test_id : findings.model_id;
  root.column = findings.column;

  if (findings.kind == FailureKind::model_error) {
    root.category = "code";
    root.column = findings.missing_column;
    if (const Commit* commit = commit_removing(findings, findings.missing_column)) {
      const std::string node = node_of_path(recorder, commit->path);
      if (!node.empty()) root.node = node;
      root.confidence = 0.9;
      root.summary = fmt::format(
          "{} fails because column '{}' no longer exists upstream: commit {} by {} ({}) changed {} ('{}').",
          findings.model_name, findings.missing_column, short_sha(commit->sha), commit->author, commit->date.substr(0, 10),
          commit->path, commit->message);
    } else if (!findings.commits.empty()) {
      root.confidence = 0.5;
      root.summary = fmt::format("{} fails to build ({}); the latest change in its lineage is commit {} by {} to {}.",
                                 findings.model_name, findings.message.substr(0, 160),
                                 short_sha(findings.commits.front().sha), findings.commits.front().author,
                                 findings.commits.front().path);
    } else {
      root.confidence = 0.4;
      root.summary = fmt::format("{} fails to build: {}", findings.model_name, findings.message.substr(0, 200));
    }
    recorder.note(k_agent, "diagnose", fmt::format("root cause: {} ({}), confidence {:.0f}%", root.node, root.category,
                                                   root.confidence * 100));
    return diagnosis;
  }

  // The earliest model where the bad rows are visible.
  const Hop* earliest = nullptr;
  for (const Hop& hop : findings.hops) {
    auto it = findings.stats.find(hop.node);
    if (it != findings.stats.end() && it->second.bad_rows > 0) earliest = &hop;
  }
  if (findings.kind == FailureKind::relationships && !findings.hops.empty()) earliest = &findings.hops.back();
  if (earliest != nullptr) {
    root.node = earliest->node;
    root.column = earliest->column;
  }
  std::int64_t bad = 0;
  if (auto it = findings.stats.find(findings.model_id); it != findings.stats.end()) bad = it->second.bad_rows;
  std::string values;
  if (!findings.offending_values.empty()) {
    std::vector<std::string> quoted;
    for (std::size_t k = 0; k < findings.offending_values.size() && k < 3; ++k)
      quoted.push_back("'" + findings.offending_values[k] + "'");
    values = fmt::format("{}", fmt::join(quoted, ", "));
  }
  const std::string where = earliest != nullptr && earliest->node != findings.model_id
                                ? fmt::format(" and already in {}", earliest->name)
                                : std::string();
  const Commit* code_change = commit_removing(findings, findings.column);
  // A change to the column's code in the last commits explains the failure better than the data.
  const bool recent_code = code_change != nullptr && findings.stats.empty();

  if (has_rule(findings, RuleAction::expected)) {
    root.category = "config";
    root.confidence = 0.85;
    const Rule& rule = *std::find_if(findings.rules.begin(), findings.rules.end(),
                                     [](const Rule& r) { return r.action == RuleAction::expected; });
    root.summary = fmt::format("{} fails on {}.{} ({}), a failure {} says is expected: the test's severity no longer "
                               "matches the agreed rule.",
                               findings.test_name, findings.model_name, findings.column,
                               values.empty() ? fmt::format("{} rows", bad) : "values " + values, rule.id);
  } else if (recent_code) {
    root.category = "code";
    root.confidence = 0.6;
    root.summary = fmt::format("{}.{} changed in commit {} by {} ('{}') and {} fails since.", findings.model_name,
                               findings.column, short_sha(code_change->sha), code_change->author, code_change->message,
                               findings.test_name);
  } else {
    root.category = "data";
    root.confidence = findings.stats.empty() ? 0.45 : (findings.rules.empty() ? 0.7 : 0.9);
    switch (findings.kind) {
      case FailureKind::accepted_values:
        root.summary = fmt::format("New values {} arrive in {}.{}{}: {} rows outside the accepted list.", values,
                                   findings.model_name, findings.column, where, bad);
        break;
      case FailureKind::not_null:
        root.summary = fmt::format("{} rows of {} have a null {}{}; they come from upstream data.", bad,
                                   findings.model_name, findings.column, where);
        break;
      case FailureKind::unique:
        root.summary = fmt::format("{} duplicate rows of {} in {}{}: the same key arrives more than once.", bad,
                                   findings.column, findings.model_name, where);
        break;
      case FailureKind::relationships:
        root.summary = fmt::format("{}.{} has values with no parent in {} ({}); they arrive from upstream.",
                                   findings.model_name, findings.column,
                                   findings.kwargs.value("to", std::string("the parent model")), values);
        break;
      case FailureKind::custom_test:
        root.summary = fmt::format("{} rows of {}.{} break {} ({} {}){}.", bad, findings.model_name, findings.column,
                                   findings.test_name, findings.bound_op,
                                   findings.bound ? fmt::format("{}", *findings.bound) : "?", where);
        break;
      default:
        root.summary = fmt::format("{} fails: {}", findings.test_id.empty() ? findings.model_id : findings.test_id,
                                   findings.message.substr(0, 200));
    }
    if (!findings.warehouse_ok)
      root.summary += fmt::format(" (the warehouse could not be queried: {})", findings.warehouse_error);
  }
  recorder.note(k_agent, "diagnose", fmt::format("root cause: {}{} ({}), confidence {:.0f}%", root.node,
                                                 root.column.empty() ? "" : "." + root.column, root.category,
                                                 root.confidence * 100));
  return diagnosis;
}

}  // namespace cowork::agent
