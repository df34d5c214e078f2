// Incidents from Elementary's tables: the latest result of every test, its failed-row samples and its history, read
// from the schema the Elementary dbt package (or cowork's native engine, dbt/elementary.hpp) writes to, then merged
// into an IncidentReport built from the artifacts. `cowork incidents` reads them read-only after the artifacts; the
// investigation tools and the server use the same two calls.
//
// Tables and columns read (Elementary's names): elementary_test_results (id, test_unique_id, model_unique_id,
// invocation_id, detected_at, column_name, test_type, test_sub_type, test_results_description, test_results_query,
// test_short_name, severity, status, failures; result_rows when present) and test_result_rows
// (elementary_test_results_id, result_row) when present.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/artifacts.hpp"
#include "incidents/incident.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::incidents {

struct ElementaryOptions {
  std::size_t sample_limit = 10;  // failed rows kept per failing test
};

// One test as Elementary's tables know it.
struct ElementaryTest {
  std::string unique_id;        // test_unique_id
  std::string result_id;        // elementary_test_results.id of the latest result
  std::string model_unique_id;  // the tested model or source; may be empty
  std::string invocation_id;
  std::string detected_at;  // the latest result, ISO-8601 UTC ("2026-11-28T10:00:00.000000Z")
  std::string status;       // as written, lower-cased: pass, fail, warn, error
  dbt::RunStatus run_status = dbt::RunStatus::unknown;
  std::optional<std::int64_t> failures;
  std::string description;  // test_results_description (dbt's message for a dbt test)
  std::string test_results_query;
  std::string column;
  std::string test_type;
  std::string test_sub_type;
  std::string short_name;               // test_short_name: not_null, accepted_values...
  std::string severity;                 // ERROR or WARN
  std::vector<nlohmann::json> samples;  // failed rows of the latest result, at most ElementaryOptions::sample_limit
  // History over every result of the test.
  std::string failing_since;      // the first failing result after the last passing one; empty when it passes now
  std::int64_t failing_runs = 0;  // failing results since then (0 when it passes now)
  std::int64_t runs = 0;
  std::string last_passed_at;

  bool failing() const { return dbt::is_failure(run_status); }
  // The test's failure as incidents are built from, with the Elementary detail attached.
  Failure to_failure() const;
  ElementaryDetail detail() const;
};

struct ElementaryResults {
  // False when the schema or elementary_test_results does not exist: a project without Elementary, not an error.
  bool present = false;
  std::string schema;
  std::string source;                 // the warehouse, for messages (Warehouse::describe())
  std::vector<ElementaryTest> tests;  // sorted by unique id
  std::string latest_detected_at;     // the newest result of any test, ISO-8601 UTC
  std::vector<std::string> warnings;  // rows that could not be read in full (a sample that is not JSON...)

  const ElementaryTest* find(std::string_view unique_id) const;
};

// Reads the latest result, samples and history of every test in `schema`. A missing schema or
// elementary_test_results table gives present = false; a missing test_result_rows only means no samples. A table
// without a column this reads is invalid_argument naming the schema, table and column; a database failure is passed
// through with the warehouse named.
Result<ElementaryResults> read_elementary(warehouse::Warehouse& warehouse, std::string_view schema,
                                          const ElementaryOptions& options = {});

// Merges Elementary's results into `report`, which was built from `artifacts`. Failures of run_results.json that
// Elementary knows get its detail (failing_since, which also moves the incident's first_seen back, samples, query).
// A test whose latest Elementary result fails and that the artifacts do not show failing becomes a failure of origin
// "elementary" when that result is newer than run_results.json (another invocation, detected after it was generated)
// or when there is no run_results.json, or when the artifacts did not run the test at all; the incidents are then
// rebuilt with the same grouping. Tests the manifest no longer has are ignored. Warnings go to report.warnings.
void merge_elementary(IncidentReport& report, const ElementaryResults& elementary, const dbt::ArtifactSet& artifacts);

// What the latest run executed, for Store::sync_incidents: every result in run_results.json that was not skipped,
// the sources whose freshness was checked, and the tests whose latest Elementary result is newer than the artifacts.
std::unordered_set<std::string> executed_nodes(const dbt::ArtifactSet& artifacts,
                                               const ElementaryResults* elementary = nullptr);

// Elementary's timestamp text ("2026-11-28 10:00:00", "2026-11-28 10:00:00.25+00") as ISO-8601 UTC with six
// fractional digits like dbt's timings ("2026-11-28T10:00:00.000000Z", "2026-11-28T10:00:00.250000Z"), so the two
// compare as text; text that is not a timestamp is returned as it is.
std::string elementary_time_to_iso(std::string_view text);

}  // namespace cowork::incidents
