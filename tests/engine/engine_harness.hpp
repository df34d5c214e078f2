// What the engine tests share: a small dbt project in a temporary folder, built by the native runner against one
// warehouse (a DuckDB file of its own, or a schema of its own on the test process's PostgreSQL server), with helpers
// to look up results by node name and to query what the build left in the warehouse.
//
// Suites that run on both warehouses are parameterised over Backend; a PostgreSQL server that cannot be started fails
// those tests with the reason (never a silent pass).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/compiler.hpp"
#include "dbt/runner.hpp"
#include "support/temp_dir.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::engine_test {

enum class Backend { duckdb, postgres };

// "duckdb" / "postgres", for parameterised test names.
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

// The DuckDB target the compiler tests compile against: profile `name`, target dev, schema main, database "dev" (the
// stem of dev.duckdb). Compiling needs no connection.
dbt::ProfileTarget fixed_duckdb_target(const std::string& profile = "shop");

// The dbt_project.yml the tests start from: project `shop`, profile `shop`, default paths.
inline constexpr const char* k_project_yml = R"(name: shop
version: "1.0"
config-version: 2
profile: shop
)";

struct RunOutcome {
  dbt::RunSummary summary;
  std::vector<std::string> started;  // unique ids in the order the runner started them
};

// A dbt project in a temporary folder and the warehouse it is built on.
class EngineProject {
 public:
  explicit EngineProject(Backend backend = Backend::duckdb);
  ~EngineProject();

  // Opens the warehouse (on PostgreSQL: the shared server, a fresh schema). Call once, from SetUp, with ASSERT.
  Status connect();

  Backend backend() const { return m_backend; }
  // The project folder (holds dbt_project.yml; k_project_yml unless a test writes its own).
  std::filesystem::path root() const;
  std::filesystem::path target_dir() const { return root() / "target"; }
  void write(std::string_view relative, std::string_view text) const;
  void remove(std::string_view relative) const;

  const dbt::ProfileTarget& target() const { return m_target; }
  // The target schema: main on DuckDB, a schema of this project's own on PostgreSQL.
  const std::string& schema() const { return m_target.schema; }
  warehouse::Warehouse& warehouse() { return *m_warehouse; }

  // Loads the project from disk and compiles it for this warehouse's target.
  Result<std::unique_ptr<dbt::Compiler>> compile(const nlohmann::json& vars = nlohmann::json::object()) const;

  // Loads and compiles the project, then runs `options` (target_dir defaults to <root>/target). The compiler of the
  // last run stays available for lookups.
  Result<RunOutcome> run(dbt::RunOptions options = {}, const nlohmann::json& vars = nlohmann::json::object());
  Result<RunOutcome> build(std::vector<std::string> select = {}, bool full_refresh = false);
  const dbt::Compiler& compiler() const { return *m_compiler; }

  // A quoted relation name in `schema` (default: the target schema).
  std::string relation(std::string_view name, std::string_view schema = {}) const;
  // Runs a query for an assertion: a failure fails the test (and returns an empty result).
  warehouse::QueryResult query(std::string_view sql);
  // count(*) of a relation of the target schema, or -1 when the query fails.
  std::int64_t count(std::string_view name, std::string_view schema = {});
  // "table", "view" or nullopt.
  std::optional<std::string> relation_type(std::string_view name, std::string_view schema = {});
  // Column names of a relation, lower-cased, in order.
  std::vector<std::string> columns(std::string_view name, std::string_view schema = {});

 private:
  Backend m_backend;
  testing::TempDir m_dir;
  dbt::ProfileTarget m_target;
  std::unique_ptr<warehouse::Warehouse> m_warehouse;
  std::unique_ptr<dbt::Compiler> m_compiler;
  int m_runs = 0;
};

// The result of the node named `name` (a model, seed or test name; a unique id works too), or nullptr.
const dbt::ExecutionResult* find_result(const RunOutcome& outcome, const dbt::Compiler& compiler,
                                        std::string_view name);
// The unique id of the node named `name` in the compiler, or "" (tests fail when it is missing).
std::string id_of(const dbt::Compiler& compiler, std::string_view name);

// An integer cell as the warehouses return it (integers, numerics as double, text of digits).
std::optional<std::int64_t> as_int(const warehouse::Value& value);
std::string as_text(const warehouse::Value& value);

}  // namespace cowork::engine_test
