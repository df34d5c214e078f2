// Setting up the native engine for a command: the project, its profile target (with env_var() rendered), the
// compiler and a warehouse connection. Shared by build/run/test/seed/compile, sql and demo.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "dbt/compiler.hpp"
#include "dbt/profiles.hpp"
#include "dbt/project.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::cli {

// Renders profiles.yml values with env_var() (and var() from `vars`).
dbt::ProfileRenderer profile_renderer(nlohmann::json vars = nlohmann::json::object());

// The profile target of the project at options.project_dir, following dbt's lookup.
Result<dbt::ProfileTarget> load_target(const CommonOptions& options, const dbt::ProjectSettings& settings);

// How to connect for a profile target. DuckDB paths are relative to the working directory, as in dbt-duckdb.
Result<warehouse::ConnectionConfig> connection_config(const dbt::ProfileTarget& target);

// --vars as dbt takes it: a YAML or JSON mapping ("{key: value}").
Result<nlohmann::json> parse_vars(const std::string& text);

struct Engine {
  dbt::ProfileTarget target;
  std::unique_ptr<dbt::Compiler> compiler;
  std::unique_ptr<warehouse::Warehouse> warehouse;
  std::string invocation_id;
};

// Loads the project, its target, compiles it and connects. `access` is how the warehouse is opened.
Result<Engine> open_engine(const CommonOptions& options, const nlohmann::json& vars,
                           warehouse::AccessMode access = warehouse::AccessMode::read_write);

// A random id in UUID form, for invocation ids.
std::string new_invocation_id();

}  // namespace cowork::cli
