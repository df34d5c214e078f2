#include "incidents/incident.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "util/strings.hpp"

namespace cowork::incidents {
namespace {

using dbt::Graph;
using dbt::Node;
using dbt::NodeId;
using dbt::ResourceType;
using dbt::RunStatus;

bool is_test_type(std::string_view resource_type) {
  return resource_type == "test" || resource_type == "unit_test";
}

// A set of failures on one node with one plausible cause (rule 1 of the header).
struct Group {
  std::string key;      // stable identity, the seed of the incident id
  std::string subject;  // unique id of the node the failures are about
  std::optional<NodeId> subject_id;
  std::string column;        // lower-cased tested column; empty for node-level groups
  bool error = false;        // the node (or a query against it) errored
  bool error_level = false;  // holds a failure that stops a build (anything but warn)
  std::vector<std::size_t> failures;
  std::unordered_set<NodeId> ancestors;  // upstream of the subject (or of a singular test's parents)
  int parent = -1;                       // the upstream group it joined
  int depth = 0;                         // distance from its incident's root group
  std::vector<int> ambiguous;            // several possible upstream causes, none chosen
};

class Builder {
 public:
  Builder(const dbt::ArtifactSet& artifacts, std::vector<Failure> extra)
      : m_artifacts(artifacts), m_graph(artifacts.graph.get()), m_extra(std::move(extra)) {}

  IncidentReport build() {
    IncidentReport report;
    report.warnings = m_artifacts.warnings;
    collect_run_results(report);
    collect_freshness(report);
    collect_extra();
    form_groups();
    link_groups();
    assemble(report);
    attribute_skips(report);
    finish(report);
    return report;
  }

 private:
  const Node* node_of(std::string_view unique_id, std::optional<NodeId>& id) const {
    if (m_graph == nullptr) return nullptr;
    id = m_graph->find(unique_id);
    return id ? &m_graph->node(*id) : nullptr;
  }

  Failure describe(const std::string& unique_id, RunStatus status) const {
    Failure failure;
    failure.unique_id = unique_id;
    failure.status = status;
    std::optional<NodeId> id;
    const Node* node = node_of(unique_id, id);
    failure.resource_type = node != nullptr ? std::string(dbt::to_string(node->resource_type))
                                            : std::string(dbt::to_string(dbt::resource_type_from_unique_id(unique_id)));
    failure.name = node != nullptr ? std::string(node->name) : unique_id.substr(unique_id.rfind('.') + 1);
    failure.subject = unique_id;
    if (node != nullptr && node->test) {
      const dbt::TestInfo& test = *node->test;
      if (!test.name.empty())
        failure.test_name =
            test.namespace_.empty() ? std::string(test.name) : fmt::format("{}.{}", test.namespace_, test.name);
      failure.column = std::string(test.column_name);
      failure.severity = std::string(test.severity);
      if (auto attached = m_graph->attached_node(*id))
        failure.subject = std::string(m_graph->node(*attached).unique_id);
    }
    return failure;
  }

  void collect_run_results(IncidentReport& report) {
    if (!m_artifacts.run_results) return;
    const dbt::RunResults& run = *m_artifacts.run_results;
    report.results = run.results.size();
    report.run_results_path = run.path;
    report.command = run.command;
    report.generated_at = run.metadata.generated_at;
    report.dbt_version = run.metadata.dbt_version;
    std::size_t missing = 0;
    for (const auto& result : run.results) {
      if (result.status == RunStatus::skipped) {
        m_skipped.push_back(result.unique_id);
        continue;
      }
      if (!dbt::is_failure(result.status)) continue;
      Failure failure = describe(result.unique_id, result.status);
      failure.failures = result.failures;
      failure.origin = "run_results";
      failure.started_at = result.started_at;
      failure.completed_at = result.completed_at;
      if (result.message) {
        failure.message = *result.message;
      } else if (result.failures) {
        failure.message = fmt::format("{} failing row(s)", *result.failures);  // dbt Fusion writes no message
      }
      if (m_graph != nullptr && !m_graph->find(result.unique_id)) ++missing;
      m_failures.push_back(std::move(failure));
    }
    if (missing > 0)
      report.warnings.push_back(fmt::format(
          "{}: {} failing result(s) name nodes that manifest.json does not have; are the two files from different "
          "runs? Those failures are listed without lineage",
          run.path, missing));
  }

  void collect_freshness(IncidentReport& report) {
    if (!m_artifacts.freshness) return;
    report.results += m_artifacts.freshness->results.size();
    for (const auto& result : m_artifacts.freshness->results) {
      if (!dbt::is_failure(result.status)) continue;
      Failure failure = describe(result.unique_id, result.status);
      failure.origin = "sources";
      failure.message = result.describe();
      failure.started_at = result.started_at;
      failure.completed_at = result.completed_at;
      m_failures.push_back(std::move(failure));
    }
  }

  // Failures from outside the artifacts: the manifest's description of the node wins over the failure's own.
  void collect_extra() {
    for (Failure& extra : m_extra) {
      Failure failure = describe(extra.unique_id, extra.status);
      std::optional<NodeId> id;
      if (node_of(extra.unique_id, id) == nullptr) {
        if (!extra.name.empty()) failure.name = extra.name;
        if (!extra.resource_type.empty()) failure.resource_type = extra.resource_type;
        if (!extra.subject.empty()) failure.subject = extra.subject;
        failure.test_name = extra.test_name;
        failure.column = extra.column;
        failure.severity = extra.severity;
      }
      failure.failures = extra.failures;
      failure.message = std::move(extra.message);
      failure.origin = extra.origin.empty() ? std::string("elementary") : std::move(extra.origin);
      failure.started_at = std::move(extra.started_at);
      failure.completed_at = std::move(extra.completed_at);
      failure.elementary = std::move(extra.elementary);
      m_failures.push_back(std::move(failure));
    }
    m_extra.clear();
  }

  void form_groups() {
    std::unordered_map<std::string, int> by_key;
    for (std::size_t i = 0; i < m_failures.size(); ++i) {
      const Failure& failure = m_failures[i];
      const bool test = is_test_type(failure.resource_type);
      const bool errored = failure.status == RunStatus::error || failure.status == RunStatus::runtime_error ||
                           failure.status == RunStatus::partial_success;
      std::string key;
      std::string column;
      bool error = false;
      if (failure.origin == "sources") {
        key = failure.subject + "|freshness";
      } else if (!test || errored) {
        key = failure.subject + "|error";
        error = true;
      } else if (!failure.column.empty()) {
        column = to_lower(failure.column);
        key = failure.subject + "|" + column;
      } else {
        key = failure.unique_id;
      }
      auto [it, inserted] = by_key.try_emplace(key, static_cast<int>(m_groups.size()));
      if (inserted) {
        Group group;
        group.key = key;
        group.subject = failure.subject;
        group.column = column;
        group.error = error;
        std::optional<NodeId> id;
        if (node_of(failure.subject, id) != nullptr) group.subject_id = id;
        m_groups.push_back(std::move(group));
      }
      Group& group = m_groups[it->second];
      group.failures.push_back(i);
      if (dbt::is_error_level(failure.status)) group.error_level = true;
    }
    if (m_graph == nullptr) return;
    for (Group& group : m_groups) {
      if (!group.subject_id) continue;
      for (const auto& reached : m_graph->walk(*group.subject_id, dbt::Direction::up))
        group.ancestors.insert(reached.node);
    }
  }

  // The candidate in `candidates` with no other candidate upstream of it; ties go to the smallest key.
  int most_upstream(const std::vector<int>& candidates) const {
    int best = -1;
    for (int c : candidates) {
      const Group& group = m_groups[c];
      const bool has_upstream_candidate = std::any_of(candidates.begin(), candidates.end(), [&](int other) {
        return other != c && m_groups[other].subject_id && group.ancestors.contains(*m_groups[other].subject_id);
      });
      if (has_upstream_candidate) continue;
      if (best < 0 || group.key < m_groups[best].key) best = c;
    }
    return best;
  }

  void link_groups() {
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
      Group& group = m_groups[g];
      if (group.ancestors.empty()) continue;
      std::vector<int> upstream, errors, same_column;
      for (std::size_t h = 0; h < m_groups.size(); ++h) {
        const Group& other = m_groups[h];
        if (h == g || !other.subject_id || !group.ancestors.contains(*other.subject_id)) continue;
        upstream.push_back(static_cast<int>(h));
        if (other.error) errors.push_back(static_cast<int>(h));
        if (!group.column.empty() && other.column == group.column) same_column.push_back(static_cast<int>(h));
      }
      if (upstream.empty()) continue;
      if (!group.column.empty()) {
        std::vector<int> compatible = errors;
        compatible.insert(compatible.end(), same_column.begin(), same_column.end());
        if (!compatible.empty()) group.parent = most_upstream(compatible);
      } else if (!errors.empty()) {
        group.parent = most_upstream(errors);
      } else {
        // Upstream failures of other columns may or may not explain a model-level check; keep them apart but point
        // at them.
        group.ambiguous = upstream;
      }
    }
  }

  int root_of(int g) const {
    while (m_groups[g].parent >= 0) g = m_groups[g].parent;
    return g;
  }

  void assemble(IncidentReport& report) {
    std::map<int, std::vector<int>> members;  // root group -> its groups
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
      int depth = 0;
      for (int p = m_groups[g].parent; p >= 0; p = m_groups[p].parent) ++depth;
      m_groups[g].depth = depth;
      members[root_of(static_cast<int>(g))].push_back(static_cast<int>(g));
    }
    for (auto& [root, groups] : members) {
      std::sort(groups.begin(), groups.end(), [&](int a, int b) {
        if (m_groups[a].depth != m_groups[b].depth) return m_groups[a].depth < m_groups[b].depth;
        return m_groups[a].key < m_groups[b].key;
      });
      Incident incident;
      incident.id = "inc_" + hex(stable_hash(m_groups[root].key), 8);
      incident.column = m_failures[m_groups[root].failures.front()].column;
      for (int g : groups) {
        const Group& group = m_groups[g];
        std::vector<std::size_t> ordered = group.failures;
        std::sort(ordered.begin(), ordered.end(),
                  [&](std::size_t a, std::size_t b) { return m_failures[a].unique_id < m_failures[b].unique_id; });
        for (std::size_t f : ordered) incident.failures.push_back(m_failures[f]);
        if (std::find(incident.models.begin(), incident.models.end(), group.subject) == incident.models.end())
          incident.models.push_back(group.subject);
        m_incident_of_group[g] = report.incidents.size();
      }
      incident.root_candidates = root_candidates(m_groups[root]);
      report.incidents.push_back(std::move(incident));
    }
  }

  bool declares_column(NodeId id, std::string_view column) const {
    const Node& node = m_graph->node(id);
    if (node.find_column(column) != nullptr) return true;
    if (m_artifacts.catalog) {
      auto it = m_artifacts.catalog->entries.find(std::string(node.unique_id));
      if (it != m_artifacts.catalog->entries.end())
        for (const auto& c : it->second.columns)
          if (iequals(c.name, column)) return true;
    }
    return false;
  }

  std::vector<std::string> root_candidates(const Group& root) const {
    std::vector<std::string> out{root.subject};
    if (m_graph == nullptr || !root.subject_id) return out;
    auto add = [&](NodeId id) {
      const Node& node = m_graph->node(id);
      if (std::find(out.begin(), out.end(), node.unique_id) == out.end()) out.emplace_back(node.unique_id);
    };
    constexpr std::size_t k_limit = 10;
    for (int g : root.ambiguous)
      if (m_groups[g].subject_id) add(*m_groups[g].subject_id);
    const auto upstream = m_graph->walk(*root.subject_id, dbt::Direction::up);
    for (const auto& reached : upstream) {
      if (out.size() >= k_limit) break;
      const Node& node = m_graph->node(reached.node);
      const bool data_node = dbt::is_buildable(node.resource_type) || node.resource_type == ResourceType::source;
      if (!data_node) continue;
      // With a column, the ancestors that carry it; without, the direct parents.
      if (!root.column.empty() ? declares_column(reached.node, root.column) : reached.depth == 1) add(reached.node);
    }
    return out;
  }

  // Rule 3: each skipped node joins the incident of the nearest build-stopping group upstream of it.
  void attribute_skips(IncidentReport& report) {
    std::unordered_map<NodeId, std::vector<int>> groups_at;  // subject -> error-level groups
    for (std::size_t g = 0; g < m_groups.size(); ++g)
      if (m_groups[g].error_level && m_groups[g].subject_id)
        groups_at[*m_groups[g].subject_id].push_back(static_cast<int>(g));
    for (const auto& unique_id : m_skipped) {
      std::optional<NodeId> id = m_graph != nullptr ? m_graph->find(unique_id) : std::nullopt;
      int chosen = -1;
      if (id && !groups_at.empty()) {
        int level = -1;
        for (const auto& reached : m_graph->walk(*id, dbt::Direction::up)) {
          if (level >= 0 && reached.depth > level) break;
          auto it = groups_at.find(reached.node);
          if (it == groups_at.end()) continue;
          level = reached.depth;
          for (int g : it->second)
            if (chosen < 0 || m_groups[g].key < m_groups[chosen].key) chosen = g;
        }
      }
      if (chosen < 0) {
        report.unattributed_skips.push_back(unique_id);
        continue;
      }
      report.incidents[m_incident_of_group.at(chosen)].skipped.push_back(unique_id);
    }
  }

  void finish(IncidentReport& report) {
    for (Incident& incident : report.incidents) {
      std::sort(incident.skipped.begin(), incident.skipped.end());
      compute_impact(incident);
      compute_severity(incident);
      incident.title = title_of(incident);
      for (const Failure& failure : incident.failures) {
        if (!failure.started_at.empty() && (incident.first_seen.empty() || failure.started_at < incident.first_seen))
          incident.first_seen = failure.started_at;
        // Elementary remembers earlier runs: the incident began when its oldest failure started failing.
        if (failure.elementary && !failure.elementary->failing_since.empty() &&
            (incident.first_seen.empty() || failure.elementary->failing_since < incident.first_seen))
          incident.first_seen = failure.elementary->failing_since;
        const std::string& end = failure.completed_at.empty() ? failure.started_at : failure.completed_at;
        if (end > incident.last_seen) incident.last_seen = end;
      }
      if (incident.first_seen.empty()) incident.first_seen = report.generated_at;
      if (incident.last_seen.empty()) incident.last_seen = report.generated_at;
    }
    std::sort(report.incidents.begin(), report.incidents.end(), [](const Incident& a, const Incident& b) {
      if (a.severity != b.severity) return a.severity > b.severity;
      if (a.failures.size() != b.failures.size()) return a.failures.size() > b.failures.size();
      return a.id < b.id;
    });
    std::sort(report.unattributed_skips.begin(), report.unattributed_skips.end());
  }

  void compute_impact(Incident& incident) const {
    if (m_graph == nullptr) return;
    std::vector<char> involved(m_graph->size(), 0), seen(m_graph->size(), 0);
    std::vector<NodeId> starts;
    auto involve = [&](const std::string& unique_id) {
      if (auto id = m_graph->find(unique_id); id && !involved[*id]) {
        involved[*id] = 1;
        starts.push_back(*id);
      }
    };
    for (const auto& id : incident.models) involve(id);
    for (const auto& failure : incident.failures) involve(failure.unique_id);
    std::vector<NodeId> models, exposures;
    for (NodeId start : starts) {
      if (seen[start]) continue;
      for (const auto& reached : m_graph->walk(start, dbt::Direction::down)) {
        if (seen[reached.node]) continue;
        seen[reached.node] = 1;
        if (involved[reached.node]) continue;
        const Node& node = m_graph->node(reached.node);
        if (dbt::is_buildable(node.resource_type)) models.push_back(reached.node);
        if (node.resource_type == ResourceType::exposure) exposures.push_back(reached.node);
      }
    }
    const auto& rank = m_graph->rank();
    for (auto* list : {&models, &exposures})
      std::sort(list->begin(), list->end(), [&](NodeId a, NodeId b) { return rank[a] < rank[b]; });
    for (NodeId id : models) incident.impact.downstream_models.emplace_back(m_graph->node(id).unique_id);
    for (NodeId id : exposures) incident.impact.exposures.emplace_back(m_graph->node(id).unique_id);
  }

  void compute_severity(Incident& incident) const {
    const bool error_level = std::any_of(incident.failures.begin(), incident.failures.end(),
                                         [](const Failure& f) { return dbt::is_error_level(f.status); });
    int level = error_level ? static_cast<int>(Severity::high) : static_cast<int>(Severity::low);
    incident.severity_reasons.push_back(base_reason(incident));
    if (!incident.impact.exposures.empty()) {
      ++level;
      std::vector<std::string> names;
      for (const auto& id : incident.impact.exposures) names.push_back(id.substr(id.rfind('.') + 1));
      incident.severity_reasons.push_back(fmt::format("feeds {} exposure(s): {}", names.size(), join(names, ", ")));
    }
    if (m_graph != nullptr) {
      // The highest meta.criticality among the failing nodes and everything downstream of them.
      int raise = 0;
      std::string reason;
      auto consider = [&](const std::string& unique_id) {
        auto id = m_graph->find(unique_id);
        if (!id) return;
        const std::string criticality = m_graph->node(*id).criticality();
        const int r = (criticality == "critical" || criticality == "tier1" || criticality == "p0") ? 2
                      : (criticality == "high" || criticality == "tier2" || criticality == "p1")   ? 1
                                                                                                   : 0;
        if (r > raise) {
          raise = r;
          reason = fmt::format("{} has meta.criticality: {}", m_graph->node(*id).name, criticality);
        }
      };
      for (const auto& id : incident.models) consider(id);
      for (const auto& failure : incident.failures) consider(failure.unique_id);
      for (const auto& id : incident.impact.downstream_models) consider(id);
      for (const auto& id : incident.impact.exposures) consider(id);
      if (raise > 0) {
        level += raise;
        incident.severity_reasons.push_back(reason);
      }
    }
    incident.severity = static_cast<Severity>(std::min(level, static_cast<int>(Severity::critical)));
  }

  // Why the incident is at least high (an error) or low (warnings only).
  static std::string base_reason(const Incident& incident) {
    for (const Failure& f : incident.failures) {
      if (!dbt::is_error_level(f.status)) continue;
      if (f.origin == "sources")
        return f.status == RunStatus::runtime_error ? "a source's freshness check errored"
                                                    : "a source is past its error_after";
      if (!is_test_type(f.resource_type)) return fmt::format("{} {} errored", f.resource_type, f.name);
      if (f.status == RunStatus::fail) return "a test fails at severity error";
      return "a test errored";
    }
    return "warnings only";
  }

  std::string subject_label(const Failure& failure) const {
    std::optional<NodeId> id;
    const Node* node = node_of(failure.subject, id);
    if (node == nullptr) return failure.subject.substr(failure.subject.rfind('.') + 1);
    if (node->resource_type == ResourceType::source) return fmt::format("source {}.{}", node->source_name, node->name);
    return std::string(node->name);
  }

  std::string title_of(const Incident& incident) const {
    const Failure& first = incident.failures.front();
    std::string title;
    const std::string verb = first.status == RunStatus::warn ? "warns" : "failed";
    if (first.origin == "sources") {
      title = fmt::format("{} is {}", subject_label(first),
                          first.status == RunStatus::runtime_error ? "unreadable (freshness check errored)"
                          : first.status == RunStatus::warn        ? "getting stale (freshness warning)"
                                                                   : "stale (freshness error)");
    } else if (!is_test_type(first.resource_type)) {
      title = fmt::format("{} {} {}", first.resource_type, first.name,
                          first.status == RunStatus::partial_success ? "partly failed" : "errored");
    } else if (first.status == RunStatus::error || first.status == RunStatus::runtime_error) {
      title = fmt::format("test {} errored on {}", first.test_name.empty() ? first.name : first.test_name,
                          subject_label(first));
    } else if (!first.test_name.empty()) {
      const std::string where = first.column.empty() ? subject_label(first) : subject_label(first) + "." + first.column;
      title = fmt::format("{} {} on {}", first.test_name, verb, where);
    } else {
      title =
          fmt::format("{} {} {}", first.resource_type == "unit_test" ? "unit test" : "singular test", first.name, verb);
      if (first.subject != first.unique_id) title += " on " + subject_label(first);
    }
    const std::size_t more = incident.failures.size() - 1;
    if (more > 0) title += fmt::format(" (+{} related failure{})", more, more == 1 ? "" : "s");
    return title;
  }

  const dbt::ArtifactSet& m_artifacts;
  const Graph* m_graph;
  std::vector<Failure> m_extra;
  std::vector<Failure> m_failures;
  std::vector<std::string> m_skipped;
  std::vector<Group> m_groups;
  std::unordered_map<int, std::size_t> m_incident_of_group;
};

}  // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
    case Severity::critical:
      return "critical";
  }
  return "low";
}

IncidentReport build_incidents(const dbt::ArtifactSet& artifacts) {
  return Builder(artifacts, {}).build();
}

IncidentReport build_incidents(const dbt::ArtifactSet& artifacts, std::vector<Failure> extra_failures) {
  return Builder(artifacts, std::move(extra_failures)).build();
}

nlohmann::ordered_json to_json(const ElementaryDetail& detail) {
  nlohmann::ordered_json samples = nlohmann::ordered_json::array();
  for (const auto& row : detail.samples) samples.push_back(nlohmann::ordered_json(row));
  auto text_or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
  };
  return {
      {"detected_at", detail.detected_at},
      {"status", detail.status},
      {"failing_since", text_or_null(detail.failing_since)},
      {"failing_runs", detail.failing_runs},
      {"runs", detail.runs},
      {"last_passed_at", text_or_null(detail.last_passed_at)},
      {"test_type", detail.test_type},
      {"test_sub_type", detail.test_sub_type},
      {"test_results_query", text_or_null(detail.test_results_query)},
      {"samples", std::move(samples)},
  };
}

nlohmann::ordered_json to_json(const Failure& failure) {
  nlohmann::ordered_json out = {
      {"unique_id", failure.unique_id},
      {"name", failure.name},
      {"resource_type", failure.resource_type},
      {"status", dbt::to_string(failure.status)},
      {"failures", failure.failures ? nlohmann::ordered_json(*failure.failures) : nlohmann::ordered_json(nullptr)},
      {"message", failure.message},
      {"subject", failure.subject},
      {"origin", failure.origin},
  };
  if (!failure.test_name.empty()) out["test"] = failure.test_name;
  if (!failure.column.empty()) out["column"] = failure.column;
  if (!failure.severity.empty()) out["severity"] = failure.severity;
  if (failure.elementary) out["elementary"] = to_json(*failure.elementary);
  return out;
}

nlohmann::ordered_json to_json(const Incident& incident) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const auto& failure : incident.failures) failures.push_back(to_json(failure));
  nlohmann::ordered_json out = {
      {"id", incident.id},
      {"title", incident.title},
      {"severity", to_string(incident.severity)},
      {"severity_reasons", incident.severity_reasons},
      {"status", incident.status},
      {"failures", std::move(failures)},
      {"skipped", incident.skipped},
      {"models", incident.models},
      {"root_candidates", incident.root_candidates},
      {"column", incident.column.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(incident.column)},
      {"impact", {{"downstream_models", incident.impact.downstream_models}, {"exposures", incident.impact.exposures}}},
      {"first_seen", incident.first_seen},
      {"last_seen", incident.last_seen},
  };
  if (!incident.snoozed_until.empty()) out["snoozed_until"] = incident.snoozed_until;
  return out;
}

nlohmann::ordered_json to_json(const IncidentReport& report) {
  nlohmann::ordered_json incidents = nlohmann::ordered_json::array();
  for (const auto& incident : report.incidents) incidents.push_back(to_json(incident));
  nlohmann::ordered_json out = {
      {"incidents", std::move(incidents)},
      {"unattributed_skips", report.unattributed_skips},
      {"run",
       {{"run_results", report.run_results_path},
        {"command", report.command},
        {"generated_at", report.generated_at},
        {"dbt_version", report.dbt_version},
        {"results", report.results}}},
  };
  if (!report.elementary_schema.empty())
    out["elementary"] = {{"schema", report.elementary_schema},
                         {"tests", report.elementary_tests},
                         {"enriched", report.elementary_enriched},
                         {"added", report.elementary_added}};
  return out;
}

}  // namespace cowork::incidents
