// Setting up the native engine: the project, its profile target (with env_var() rendered), the compiler and a
// warehouse connection. Shared by the CLI's build/run/test/seed/compile, sql and demo commands, the investigation
// tools and the verification sandbox.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "dbt/compiler.hpp"
#include "dbt/profiles.hpp"
#include "dbt/project.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::dbt {

// Where the project is and how to reach its warehouse: dbt's --project-dir, --profiles-dir, --target and --vars.
struct EngineOptions {
  std::filesystem::path project_dir = ".";
  std::string profiles_dir;  // empty: $DBT_PROFILES_DIR, the project folder, ~/.dbt
  std::string target;        // empty: the profile's default target
  nlohmann::json vars = nlohmann::json::object();
  warehouse::AccessMode access = warehouse::AccessMode::read_write;
};

// Renders profiles.yml values with env_var() (and var() from `vars`).
ProfileRenderer profile_renderer(nlohmann::json vars = nlohmann::json::object());

// The profile target of the project at options.project_dir, following dbt's lookup.
Result<ProfileTarget> load_target(const EngineOptions& options, const ProjectSettings& settings);

// Where a relative DuckDB `path` of a profile points. dbt-duckdb takes it from the working directory, which is the
// project folder when dbt runs there; cowork also runs from elsewhere (--project-dir), so a file that exists in the
// project folder wins, then one in the working directory; a file that exists in neither is where dbt-duckdb would
// create it, in the working directory. Absolute paths and ":memory:" are returned as they are.
std::string resolve_duckdb_path(const std::string& path, const std::filesystem::path& project_dir);

// How to connect for a profile target. With `project_dir`, a relative DuckDB path is resolved as above; without,
// it is taken from the working directory, as in dbt-duckdb.
Result<warehouse::ConnectionConfig> connection_config(const ProfileTarget& target,
                                                      const std::filesystem::path& project_dir = {});

// --vars as dbt takes it: a YAML or JSON mapping ("{key: value}").
Result<nlohmann::json> parse_vars(const std::string& text);

struct Engine {
  ProfileTarget target;
  std::unique_ptr<Compiler> compiler;
  std::unique_ptr<warehouse::Warehouse> warehouse;
  std::string invocation_id;
};

// Loads the project and its target, creates the compiler and connects with options.access.
Result<Engine> open_engine(const EngineOptions& options);

// A random id in UUID form, for invocation ids.
std::string new_invocation_id();

}  // namespace cowork::dbt
