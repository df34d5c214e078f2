// Elementary's tables, written after tests run, so that investigations read the same tables real users of the
// Elementary dbt package have: elementary_test_results, test_result_rows (failed-row samples), dbt_run_results,
// dbt_models and dbt_tests, with the package's column names, in the schema <target schema>_elementary. Rows are
// appended, as the package's incremental models do.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/artifact_writer.hpp"
#include "dbt/compiler.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::dbt {

struct ElementaryRun {
  std::string invocation_id;
  std::string detected_at;  // "2026-11-28 10:00:00"
  std::vector<ExecutionResult> results;
  std::map<std::string, nlohmann::json> failed_rows;  // test unique id -> sampled rows (array of objects)
};

// The schema the tables go to: "<target schema>_elementary".
std::string elementary_schema(const Compiler& compiler);

Status write_elementary_tables(warehouse::Warehouse& warehouse, const Compiler& compiler, const ElementaryRun& run);

}  // namespace cowork::dbt
