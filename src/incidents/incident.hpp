// Incidents: the failures of a dbt invocation grouped by shared root cause, with a severity, an impact and stable
// ids, built from the artifacts alone (run_results.json, sources.json, and the manifest's lineage). This is what
// `cowork incidents` prints and what an investigation starts from.
//
// Grouping rules, in order:
//  1. Failures on one node with a common cause are one group: an error of the node itself and tests that error while
//     querying it (a missing relation, bad SQL); failing tests on the same column; each failing model-level or
//     singular test on its own.
//  2. A group joins a failing group upstream of it when the two plausibly share a cause: the upstream node errored
//     (a broken model explains whatever fails below it), or both groups test the same column. Of several candidates
//     the most upstream wins, so each incident is rooted at the earliest failure in the lineage. Upstream failures
//     that may or may not be related are named in root_candidates instead of merged.
//  3. Skipped nodes join the incident of the nearest error upstream of them (the one that skipped them); they are
//     never incidents of their own.
//
// Failures known from elsewhere than the artifacts (Elementary's result tables, elementary_source.hpp) are grouped by
// the same rules when passed to build_incidents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/artifacts.hpp"
#include "dbt/run_results.hpp"

namespace cowork::incidents {

enum class Severity { low, medium, high, critical };
std::string_view to_string(Severity severity);

// What Elementary's result tables say about a failing test: its latest result, its failed-row samples and its
// history (elementary_source.hpp fills it).
struct ElementaryDetail {
  std::string detected_at;     // the latest result, ISO-8601 UTC
  std::string status;          // as Elementary wrote it: fail, warn, error
  std::string failing_since;   // the first failing result after the last passing one (or the first result at all)
  std::int64_t failing_runs = 0;  // results from failing_since to the latest, all failing
  std::int64_t runs = 0;          // results recorded for the test
  std::string last_passed_at;     // empty when it never passed
  std::string test_results_query;
  std::string test_type;      // dbt_test, anomaly_detection, schema_change
  std::string test_sub_type;  // generic, singular, expectation, or the anomaly's kind
  std::vector<nlohmann::json> samples;  // failed rows, each an object of column -> value
};

struct Failure {
  std::string unique_id;
  std::string name;
  std::string resource_type;
  dbt::RunStatus status = dbt::RunStatus::unknown;
  std::optional<std::int64_t> failures;  // rows the test returned
  std::string message;                   // dbt's message, or a description of a stale source
  std::string test_name;                 // generic test (namespace-qualified when from a package), else empty
  std::string column;                    // tested column, when known
  std::string subject;                   // the node the failure is about: a test's model or source, else itself
  std::string severity;                  // a test's configured severity (ERROR or WARN)
  std::string origin;                    // run_results, sources, or elementary (a result newer than the artifacts)
  std::string started_at;
  std::string completed_at;
  std::optional<ElementaryDetail> elementary;  // when Elementary's tables have the test
};

struct Impact {
  std::vector<std::string> downstream_models;  // models, snapshots and seeds downstream, not themselves failing
  std::vector<std::string> exposures;
};

struct Incident {
  std::string id;  // stable: the same root failure gives the same id in every run
  std::string title;
  Severity severity = Severity::low;
  std::vector<std::string> severity_reasons;
  std::string status = "open";  // the lifecycle status, set from the state store by surfaces that keep one
  std::string snoozed_until;    // while snoozed
  std::vector<Failure> failures;             // root group first
  std::vector<std::string> skipped;          // unique ids skipped because of it
  std::vector<std::string> models;           // the nodes failing, upstream first
  std::vector<std::string> root_candidates;  // where the cause may be: the root node, then ancestors with the column
  std::string column;                        // the root failure's column, when there is one
  Impact impact;
  std::string first_seen;
  std::string last_seen;
};

struct IncidentReport {
  std::vector<Incident> incidents;  // most severe first
  // Skipped nodes with no failure upstream to blame (a --fail-fast stop, or results from another run).
  std::vector<std::string> unattributed_skips;
  std::size_t results = 0;  // results read
  std::string run_results_path;
  std::string command;  // build, test...
  std::string generated_at;
  std::string dbt_version;
  std::vector<std::string> warnings;
  // Set when Elementary's tables were merged in (elementary_source.hpp): where they were read, how many tests they
  // had, how many failures they enriched and added.
  std::string elementary_schema;
  std::size_t elementary_tests = 0;
  std::size_t elementary_enriched = 0;
  std::size_t elementary_added = 0;
};

// Builds the incidents of the loaded artifacts. Needs run_results or freshness results; the manifest (and its graph)
// is optional: without it every failure is its own incident and nothing can be said about impact.
IncidentReport build_incidents(const dbt::ArtifactSet& artifacts);

// The same, with failures the artifacts do not have (origin "elementary": test results newer than the artifacts, or
// a project without run_results.json) grouped with theirs. Each extra failure needs unique_id and status; what the
// manifest knows of the node (name, test, column, subject) replaces what the failure says, which serves only for
// nodes the manifest lacks.
IncidentReport build_incidents(const dbt::ArtifactSet& artifacts, std::vector<Failure> extra_failures);

nlohmann::ordered_json to_json(const ElementaryDetail& detail);
nlohmann::ordered_json to_json(const Failure& failure);
nlohmann::ordered_json to_json(const Incident& incident);
nlohmann::ordered_json to_json(const IncidentReport& report);

}  // namespace cowork::incidents
