// The investigator: the evidence for an incident's root failure, gathered through the tools (each call a step).
#include <algorithm>
#include <chrono>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "agent/findings.hpp"
#include "util/strings.hpp"

namespace cowork::agent {

namespace {

constexpr std::string_view k_agent = "investigator";

std::string str(const nlohmann::json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t num(const nlohmann::json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->get<std::int64_t>();
}

std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

FailureKind kind_of(const std::string& resource_type, const std::string& test_name, bool has_metadata,
                    const std::string& origin) {
  if (origin == "sources") return FailureKind::freshness;
  if (resource_type == "model" || resource_type == "seed" || resource_type == "snapshot") return FailureKind::model_error;
  if (resource_type != "test") return FailureKind::other;
  if (!has_metadata) return FailureKind::singular_test;
  if (test_name == "accepted_values") return FailureKind::accepted_values;
  if (test_name == "not_null") return FailureKind::not_null;
  if (test_name == "unique") return FailureKind::unique;
  if (test_name == "relationships") return FailureKind::relationships;
  return FailureKind::custom_test;
}

// "Referenced column "host_name" not found" (DuckDB), `column "host_name" does not exist` (PostgreSQL).
std::string missing_column_in(const std::string& message) {
  static const std::regex patterns[] = {
      std::regex(R"(column \"?([A-Za-z_][A-Za-z0-9_]*)\"? not found)", std::regex::icase),
      std::regex(R"(column \"?([A-Za-z_][A-Za-z0-9_.]*)\"? does not exist)", std::regex::icase),
      std::regex(R"(Referenced column \"?([A-Za-z_][A-Za-z0-9_]*)\"?)", std::regex::icase),
      // DuckDB, when the name is also an alias of the SELECT: `Column "host_name" referenced that exists in the
      // SELECT clause - but this column cannot be referenced before it is defined`.
      std::regex(R"(Column \"([A-Za-z_][A-Za-z0-9_]*)\" referenced)", std::regex::icase),
  };
  for (const auto& pattern : patterns) {
    std::smatch match;
    if (std::regex_search(message, match, pattern)) {
      std::string name = match[1].str();
      if (auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(dot + 1);
      return name;
    }
  }
  return {};
}

// The failing rows tell what a custom test objects to: `where minimum_nights < 1` -> bound 1, op "<".
void read_bound(Findings& findings) {
  static const std::regex pattern(R"(column_name\s*\}\}\s*(<=|>=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?))");
  std::smatch match;
  if (std::regex_search(findings.macro_sql, match, pattern)) {
    findings.bound_op = match[1].str();
    findings.bound = std::stod(match[2].str());
  }
}

}  // namespace

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::accepted_values: return "accepted_values";
    case FailureKind::not_null: return "not_null";
    case FailureKind::unique: return "unique";
    case FailureKind::relationships: return "relationships";
    case FailureKind::custom_test: return "custom_test";
    case FailureKind::singular_test: return "singular_test";
    case FailureKind::model_error: return "model_error";
    case FailureKind::freshness: return "freshness";
    case FailureKind::other: break;
  }
  return "other";
}

std::optional<nlohmann::json> StepRecorder::call(std::string_view agent, std::string_view tool, nlohmann::json args,
                                                 std::string* error) {
  const tools::ToolCall call = m_tools.call(m_context, tool, args);
  record(agent, tool, std::move(args), call.summary(), call.duration.count(), call.ok());
  if (!call.ok()) {
    if (error != nullptr) *error = call.error ? call.error->message : "failed";
    return std::nullopt;
  }
  return call.output->result;
}

void StepRecorder::note(std::string_view agent, std::string_view tool, std::string summary, std::int64_t ms,
                        nlohmann::json args) {
  record(agent, tool, std::move(args), std::move(summary), ms, true);
}

void StepRecorder::fail(std::string_view agent, std::string_view tool, std::string summary, nlohmann::json args) {
  record(agent, tool, std::move(args), std::move(summary), 0, false);
}

void StepRecorder::record(std::string_view agent, std::string_view tool, nlohmann::json args, std::string summary,
                          std::int64_t ms, bool ok) {
  Step step;
  step.agent = std::string(agent);
  step.tool = std::string(tool);
  step.args = std::move(args);
  step.summary = std::move(summary);
  step.ms = ms;
  step.ok = ok;
  step.by = m_by;
  m_steps.push_back(step);
  if (m_on_step) m_on_step(step);
}

namespace {

// The column's statistics on one model, with the count of rows that show this failure kind.
void profile(StepRecorder& recorder, Findings& findings, const Hop& hop, const std::vector<std::string>& accepted) {
  nlohmann::json args = {{"model", hop.node}, {"column", hop.column}};
  if (!accepted.empty()) args["accepted_values"] = accepted;
  std::string error;
  auto result = recorder.call(k_agent, "column_profile", args, &error);
  if (!result) {
    if (findings.warehouse_ok && (error.find("warehouse") != std::string::npos ||
                                  error.find("connect") != std::string::npos || error.find("profile") != std::string::npos)) {
      findings.warehouse_ok = false;
      findings.warehouse_error = error;
    }
    return;
  }
  ColumnStats stats;
  stats.node = hop.node;
  stats.column = hop.column;
  stats.relation = str(*result, "relation");
  stats.rows = num(*result, "rows");
  stats.nulls = num(*result, "nulls");
  stats.distinct = num(*result, "distinct");
  stats.raw = *result;
  if (auto it = result->find("outside_accepted"); it != result->end() && it->is_array())
    for (const auto& entry : *it) stats.outside.emplace_back(value_text(entry.value("value", nlohmann::json())),
                                                            entry.value("count", std::int64_t{0}));
  switch (findings.kind) {
    case FailureKind::accepted_values:
      for (const auto& [value, count] : stats.outside) stats.bad_rows += count;
      break;
    case FailureKind::not_null: stats.bad_rows = stats.nulls; break;
    case FailureKind::unique: stats.bad_rows = std::max<std::int64_t>(0, stats.rows - stats.nulls - stats.distinct); break;
    default: break;
  }
  findings.stats[hop.node] = std::move(stats);
}

// Rows below (or above) a custom test's bound, per model.
void count_bound(StepRecorder& recorder, Findings& findings, const Hop& hop) {
  auto stats = findings.stats.find(hop.node);
  if (stats == findings.stats.end() || !findings.bound || stats->second.relation.empty()) return;
  const std::string sql = fmt::format("select count(*) as bad_rows from {} where {} {} {}", stats->second.relation,
                                      hop.column, findings.bound_op, *findings.bound);
  auto result = recorder.call(k_agent, "run_sql", {{"sql", sql}, {"limit", 1}});
  if (!result) return;
  const auto& rows = (*result)["rows"];
  if (rows.is_array() && !rows.empty() && rows[0].is_array() && !rows[0].empty() && rows[0][0].is_number())
    stats->second.bad_rows = rows[0][0].get<std::int64_t>();
}

// The knowledge base, searched with the incident's names boosted; the sections found are read for rules.
void search_knowledge(StepRecorder& recorder, Findings& findings) {
  std::vector<std::string> boosts;
  auto add = [&](const std::string& term) {
    if (!term.empty() && std::find(boosts.begin(), boosts.end(), term) == boosts.end()) boosts.push_back(term);
  };
  add(findings.column);
  add(findings.model_name);
  for (const auto& hop : findings.hops) add(hop.name);
  for (std::size_t k = 0; k < findings.offending_values.size() && k < 3; ++k) add(findings.offending_values[k]);
  add(findings.missing_column);
  std::string query;
  switch (findings.kind) {
    case FailureKind::model_error: query = "model fails after a code change commit revert " + findings.missing_column; break;
    case FailureKind::relationships: query = "relationships test fails missing " + findings.column + " late arriving"; break;
    default:
      query = fmt::format("{} test {} {} {}", findings.test_name, findings.model_name, findings.column,
                          findings.offending_values.empty() ? "" : findings.offending_values.front());
  }
  auto result = recorder.call(k_agent, "kb_search", {{"query", query}, {"boost", boosts}, {"limit", 4}});
  if (!result) return;
  auto knowledge = recorder.context().knowledge();
  RuleSubject subject;
  subject.column = findings.kind == FailureKind::model_error ? findings.missing_column : findings.column;
  subject.model = findings.model_name;
  subject.test_name = findings.test_name;
  subject.values = findings.offending_values;
  if (findings.kind == FailureKind::model_error) subject.topics = {"code change", "after a merge", "revert"};
  if (recorder.context().artifacts.manifest)
    for (const auto& node : recorder.context().artifacts.manifest->nodes)
      if (node.resource_type == dbt::ResourceType::model) subject.models.emplace_back(node.name);
  for (const auto& hit : (*result)["results"]) {
    KnowledgeRef ref;
    ref.path = str(hit, "path");
    ref.heading = str(hit, "heading");
    ref.excerpt = str(hit, "excerpt");
    ref.score = hit.value("score", 0.0);
    ref.line = hit.value("line", 0);
    if (hit.contains("rule_ids") && hit["rule_ids"].is_array())
      for (const auto& id : hit["rule_ids"]) ref.rule_ids.push_back(value_text(id));
    Section section{ref.path, ref.heading, ref.line, ref.excerpt};
    if (knowledge)
      for (const auto& chunk : (*knowledge)->chunks())
        if (chunk.path == ref.path && static_cast<int>(chunk.line) == ref.line) section.text = chunk.text;
    auto rules = read_rules(section, subject);
    // A section that says nothing about this incident is not cited, unless it is the best match.
    if (rules.empty() && !findings.knowledge.empty()) continue;
    for (auto& rule : rules) findings.rules.push_back(std::move(rule));
    findings.knowledge.push_back(std::move(ref));
  }
  std::vector<std::string> said;
  for (const auto& rule : findings.rules) {
    const char* verb = rule.action == RuleAction::forbid ? "forbids" : rule.action == RuleAction::expected ? "expects" : "prescribes";
    said.push_back(fmt::format("{} {} {}", rule.id, verb, rule.strategy));
  }
  findings.evidence.push_back({"kb_search", said.empty() ? std::string("no rule about this failure")
                                                         : fmt::format("{}", fmt::join(said, "; "))});
}

}  // namespace

Result<Findings> investigate_incident(StepRecorder& recorder, std::string_view incident_id) {
  Findings findings;
  std::string error;
  auto details = recorder.call(k_agent, "incident_details", {{"incident_id", std::string(incident_id)}}, &error);
  if (!details) return make_error(ErrorCode::not_found, "{}", error);
  findings.incident = *details;
  findings.incident_id = str(*details, "id");
  const auto& failures = (*details)["failures"];
  if (!failures.is_array() || failures.empty())
    return make_error(ErrorCode::invalid_argument, "incident {} has no failures to investigate", incident_id);
  for (const auto& failure : failures) {
    if (str(failure, "resource_type") == "test") findings.failing_tests.push_back(str(failure, "unique_id"));
    else findings.failing_models.push_back(str(failure, "unique_id"));
  }
  // The root failure is the first: the incident puts the root group first.
  const auto& root = failures[0];
  const auto& test = root.contains("test") && root["test"].is_object() ? root["test"] : nlohmann::json::object();
  findings.message = str(root, "message");
  findings.test_name = str(test, "test_name");
  findings.kind = kind_of(str(root, "resource_type"), findings.test_name, !test.empty() && !findings.test_name.empty(),
                          str(root, "origin"));
  if (findings.kind == FailureKind::model_error) {
    findings.model_id = str(root, "unique_id");
  } else {
    findings.test_id = str(root, "unique_id");
    findings.model_id = str(test, "model");
    if (findings.model_id.empty()) findings.model_id = str(root, "subject");
    findings.column = str(test, "column");
    if (findings.column.empty()) findings.column = str(root, "column");
    if (test.contains("kwargs") && test["kwargs"].is_object()) findings.kwargs = test["kwargs"];
    findings.severity = str(test, "severity");
  }
  findings.evidence.push_back({"incident_details", fmt::format("{} ({}): {}", str(root, "unique_id"),
                                                               str(root, "status"), findings.message.substr(0, 160))});

  // The model and its lineage.
  if (!findings.model_id.empty()) {
    if (auto sql = recorder.call(k_agent, "model_sql", {{"model", findings.model_id}})) {
      findings.model_name = str(*sql, "unique_id");
      findings.model_path = str(*sql, "path");
      if (auto dot = findings.model_name.rfind('.'); dot != std::string::npos)
        findings.model_name = findings.model_name.substr(dot + 1);
    }
    if (auto lineage = recorder.call(k_agent, "lineage", {{"node", findings.model_id}, {"direction", "both"}, {"depth", 3}})) {
      std::size_t up = 0, down = 0;
      for (const auto& node : (*lineage)["nodes"]) (str(node, "direction") == "up" ? up : down)++;
      findings.evidence.push_back({"lineage", fmt::format("{} has {} upstream and {} downstream nodes within 3 steps",
                                                          findings.model_name, up, down)});
    }
  }
  if (!findings.test_id.empty()) {
    if (auto definition = recorder.call(k_agent, "test_definition", {{"test", findings.test_id}})) {
      findings.property_file = str(*definition, "path");
      findings.macro_sql = str(*definition, "macro_sql");
      if (findings.severity.empty()) findings.severity = str(*definition, "severity");
      if (findings.kwargs.empty() && (*definition)["kwargs"].is_object()) findings.kwargs = (*definition)["kwargs"];
      read_bound(findings);
    }
  }

  // The column through the models above it.
  if (!findings.column.empty() && !findings.model_id.empty()) {
    findings.hops.push_back({findings.model_id, findings.model_name, findings.column, findings.column, findings.model_path});
    if (auto lineage = recorder.call(k_agent, "column_lineage", {{"model", findings.model_id}, {"column", findings.column}})) {
      findings.hops.clear();
      for (const auto& hop : (*lineage)["hops"]) {
        Hop h;
        h.node = str(hop, "model");
        h.column = str(hop, "column");
        h.expression = str(hop, "expression");
        auto node = recorder.context().find_node(h.node);
        if (node) {
          h.node = std::string((*node)->unique_id);
          h.name = std::string((*node)->name);
          h.path = std::string((*node)->original_file_path);
        }
        findings.hops.push_back(std::move(h));
      }
      if (findings.hops.empty())
        findings.hops.push_back({findings.model_id, findings.model_name, findings.column, findings.column, findings.model_path});
      std::vector<std::string> names;
      for (const auto& hop : findings.hops) names.push_back(hop.name + "." + hop.column);
      findings.evidence.push_back({"column_lineage", fmt::format("{} comes from {}", names.front(),
                                                                 fmt::join(names.begin() + 1, names.end(), " <- "))});
    }
  }

  // The data, per kind.
  std::vector<std::string> accepted;
  if (findings.kind == FailureKind::accepted_values && findings.kwargs.contains("values"))
    for (const auto& value : findings.kwargs["values"]) accepted.push_back(value_text(value));
  if (!findings.test_id.empty()) {
    if (auto rows = recorder.call(k_agent, "failed_rows", {{"test", findings.test_id}, {"limit", 10}})) {
      findings.evidence.push_back({"failed_rows", fmt::format("{} failing rows; e.g. {}", num(*rows, "count"),
                                                              (*rows)["rows"].is_array() && !(*rows)["rows"].empty()
                                                                  ? (*rows)["rows"][0].dump()
                                                                  : "none")});
      if (findings.kind == FailureKind::relationships || findings.kind == FailureKind::custom_test) {
        std::set<std::string> seen;
        for (const auto& row : (*rows)["rows"])
          if (row.is_array() && !row.empty() && seen.insert(value_text(row[0])).second)
            findings.offending_values.push_back(value_text(row[0]));
      }
    }
  }
  const bool column_kind = findings.kind == FailureKind::accepted_values || findings.kind == FailureKind::not_null ||
                           findings.kind == FailureKind::unique || findings.kind == FailureKind::custom_test ||
                           findings.kind == FailureKind::relationships;
  if (column_kind) {
    for (const auto& hop : findings.hops) {
      profile(recorder, findings, hop, accepted);
      if (findings.kind == FailureKind::custom_test) count_bound(recorder, findings, hop);
      if (!findings.warehouse_ok) break;
    }
    if (auto it = findings.stats.find(findings.model_id); it != findings.stats.end()) {
      for (const auto& [value, count] : it->second.outside) findings.offending_values.push_back(value);
    }
    for (const auto& hop : findings.hops) {
      auto it = findings.stats.find(hop.node);
      if (it == findings.stats.end()) continue;
      std::string what;
      switch (findings.kind) {
        case FailureKind::accepted_values: {
          std::vector<std::string> parts;
          for (const auto& [value, count] : it->second.outside) parts.push_back(fmt::format("'{}' x{}", value, count));
          what = parts.empty() ? "no values outside the accepted list" : fmt::format("outside the list: {}", fmt::join(parts, ", "));
          break;
        }
        case FailureKind::not_null: what = fmt::format("{} nulls in {} rows", it->second.nulls, it->second.rows); break;
        case FailureKind::unique:
          what = fmt::format("{} duplicate rows ({} rows, {} distinct)", it->second.bad_rows, it->second.rows,
                             it->second.distinct);
          break;
        case FailureKind::custom_test:
          what = fmt::format("{} rows {} {}", it->second.bad_rows, findings.bound_op,
                             findings.bound ? fmt::format("{}", *findings.bound) : "?");
          break;
        default: what = fmt::format("{} rows, {} distinct values", it->second.rows, it->second.distinct); break;
      }
      findings.evidence.push_back({"column_profile", fmt::format("{}.{}: {}", hop.name, hop.column, what)});
    }
  }
  // Recent changes to the files in the lineage.
  std::vector<std::string> paths;
  if (!findings.model_path.empty()) paths.push_back(findings.model_path);
  for (const auto& hop : findings.hops)
    if (!hop.path.empty() && std::find(paths.begin(), paths.end(), hop.path) == paths.end()) paths.push_back(hop.path);
  if (findings.kind == FailureKind::model_error && !findings.model_id.empty()) {
    if (auto lineage = recorder.call(k_agent, "lineage", {{"node", findings.model_id}, {"direction", "up"}, {"depth", 1}}))
      for (const auto& node : (*lineage)["nodes"])
        if (str(node, "resource_type") == "model" && !str(node, "path").empty() &&
            std::find(paths.begin(), paths.end(), str(node, "path")) == paths.end())
          paths.push_back(str(node, "path"));
    findings.missing_column = missing_column_in(findings.message);
  }
  for (const auto& path : paths) {
    auto history = recorder.call(k_agent, "git_history", {{"path", path}, {"limit", 3}});
    if (!history) continue;
    for (const auto& commit : (*history)["commits"]) {
      Commit c{str(commit, "sha"), str(commit, "author"), str(commit, "date"), str(commit, "message"),
               str(commit, "diff"), path};
      findings.commits.push_back(std::move(c));
    }
  }

  search_knowledge(recorder, findings);

  // Upstream tests that fail too point at the same cause.
  if (!findings.model_id.empty()) {
    if (auto upstream = recorder.call(k_agent, "upstream_tests", {{"node", findings.model_id}})) {
      if (num(*upstream, "failing") > 0)
        findings.evidence.push_back({"upstream_tests", fmt::format("{} upstream tests fail too", num(*upstream, "failing"))});
    }
  }
  return findings;
}

}  // namespace cowork::agent
