// How the native runner builds each kind of node in the warehouse: views, tables, incremental models (append, or
// delete+insert on unique_key, with on_schema_change), seeds (typed tables loaded from CSV), and the query that runs
// a data test and counts its failures the way dbt does (warn_if / error_if). SQL is written for DuckDB and
// PostgreSQL alike where they agree, and per adapter where they do not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dbt/compiler.hpp"
#include "dbt/run_results.hpp"
#include "dbt/seed_csv.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::dbt {

// What building a node did, as dbt's adapter_response reports it.
struct BuildOutcome {
  std::string message;  // "CREATE VIEW", "SELECT 1500", "INSERT 500"
  std::string code;     // CREATE VIEW, SELECT, INSERT
  std::int64_t rows_affected = -1;
};

// table, view, or nullopt when the relation does not exist.
Result<std::optional<std::string>> relation_type(warehouse::Warehouse& warehouse, const std::string& schema,
                                                 const std::string& name);

Status ensure_schema(warehouse::Warehouse& warehouse, const std::string& schema);

// Builds a model from its compiled SQL. `full_refresh` rebuilds incremental models from scratch.
Result<BuildOutcome> materialize_model(warehouse::Warehouse& warehouse, const ProjectNode& node,
                                       const std::string& compiled_sql, bool full_refresh);

// Creates the seed's table (replacing it) and loads its rows.
Result<BuildOutcome> load_seed(warehouse::Warehouse& warehouse, const ProjectNode& node, const SeedTable& table);

// The warehouse type for a seed column: its declared type, else one chosen from the inferred type.
std::string seed_column_type(std::string_view warehouse_type, const SeedColumn& column, bool needs_bigint);

struct TestOutcome {
  RunStatus status = RunStatus::pass;  // pass, warn, fail
  std::int64_t failures = 0;
  std::string message;  // "Got 3 results, configured to fail if != 0"
};

// Runs a test's compiled query inside dbt's counting wrapper and decides pass / warn / fail from the node's
// severity, warn_if, error_if, fail_calc and limit.
Result<TestOutcome> run_test_query(warehouse::Warehouse& warehouse, const ProjectNode& node,
                                   const std::string& compiled_sql);

// Up to `limit` rows the test query returns, as JSON objects (Elementary's failed-row samples).
Result<nlohmann::json> sample_failed_rows(warehouse::Warehouse& warehouse, const std::string& compiled_sql,
                                          std::int64_t limit);

}  // namespace cowork::dbt
