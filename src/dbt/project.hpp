// A dbt project as its files describe it, before any Jinja is rendered: dbt_project.yml (paths, vars, the config
// trees by folder), the model, seed, singular-test, macro and analysis files, and the property YAML (models,
// sources, seeds, exposures, with their columns and data tests). The native compiler (compiler.hpp) turns this into
// a manifest; errors here point at file:line:column.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork::dbt {

struct Location {
  std::string file;  // relative to the project folder
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;
  std::string str() const;  // "models/schema.yml:12:7"
};

// dbt_project.yml.
struct ProjectSettings {
  std::string name;
  std::string profile;
  std::string version;
  std::vector<std::string> model_paths{"models"};
  std::vector<std::string> seed_paths{"seeds"};
  std::vector<std::string> test_paths{"tests"};
  std::vector<std::string> macro_paths{"macros"};
  std::vector<std::string> snapshot_paths{"snapshots"};
  std::vector<std::string> analysis_paths{"analyses"};
  std::string target_path = "target";
  nlohmann::json vars = nlohmann::json::object();
  // The config trees, as written (keys keep their "+"; see config.hpp for how they apply to a node).
  nlohmann::json models = nlohmann::json::object();
  nlohmann::json seeds = nlohmann::json::object();
  nlohmann::json tests = nlohmann::json::object();  // `tests:` and `data_tests:` together
  nlohmann::json sources = nlohmann::json::object();
  nlohmann::json snapshots = nlohmann::json::object();
};

// One entry under `tests:` / `data_tests:` of a model, column, seed or source table.
struct TestSpec {
  std::string test_name;    // as written: "unique", "accepted_values", "dbt_utils.expression_is_true"
  std::string name;         // without namespace: "expression_is_true"
  std::string namespace_;   // "dbt_utils", or empty
  std::string custom_name;  // the entry's own `name:`, which replaces the synthesized test name
  nlohmann::json args = nlohmann::json::object();  // the macro's keyword arguments (values, to, field, ...)
  nlohmann::json config =
      nlohmann::json::object();  // severity, where, warn_if, error_if, limit, tags, meta, enabled...
  std::string column;            // the column it is attached to; empty for model-level tests
  Location location;
};

struct ColumnSpec {
  std::string name;
  std::string description;
  std::string data_type;
  nlohmann::json meta = nlohmann::json::object();
  std::vector<std::string> tags;
  std::vector<TestSpec> tests;
  Location location;
};

// A `models:`, `seeds:` or `snapshots:` entry of a property file.
struct NodeProperties {
  std::string name;
  std::string description;
  nlohmann::json config = nlohmann::json::object();
  std::vector<ColumnSpec> columns;
  std::vector<TestSpec> tests;
  std::string file;  // the property file (dbt's patch_path)
  Location location;
};

struct SourceTableSpec {
  std::string name;
  std::string identifier;  // the relation's name, when it differs from `name`
  std::string description;
  std::string loaded_at_field;
  nlohmann::json freshness;  // null when not set
  nlohmann::json meta = nlohmann::json::object();
  nlohmann::json config = nlohmann::json::object();
  std::vector<ColumnSpec> columns;
  std::vector<TestSpec> tests;
  Location location;
};

struct SourceSpec {
  std::string name;
  std::string database;
  std::string schema;  // may hold Jinja ("{{ target.schema }}_raw"), rendered by the compiler
  std::string description;
  std::string loader;
  std::string loaded_at_field;
  nlohmann::json freshness;
  nlohmann::json meta = nlohmann::json::object();
  nlohmann::json config = nlohmann::json::object();
  std::vector<SourceTableSpec> tables;
  std::string file;
  Location location;
};

struct ExposureSpec {
  std::string name;
  std::string type;  // dashboard, notebook, analysis, ml, application
  std::string label;
  std::string description;
  std::string maturity;
  std::string url;
  std::string owner_name;
  std::string owner_email;
  std::vector<std::string> depends_on;  // "ref('orders')", "source('raw', 'orders')"
  nlohmann::json meta = nlohmann::json::object();
  std::string file;
  Location location;
};

// A .sql file of the project (model, singular test, macro file or analysis) or a seed .csv.
struct ProjectFile {
  std::string path;              // relative to the project folder: models/staging/stg_orders.sql
  std::string name;              // file name without extension: stg_orders
  std::vector<std::string> fqn;  // project name, folders under the resource path, name
  std::string contents;
};

struct Project {
  std::filesystem::path root;
  ProjectSettings settings;
  std::vector<ProjectFile> models;
  std::vector<ProjectFile> seeds;
  std::vector<ProjectFile> singular_tests;
  std::vector<ProjectFile> macro_files;  // macros/ and the generic tests under <test-path>/generic
  std::vector<ProjectFile> analyses;
  std::vector<NodeProperties> model_properties;
  std::vector<NodeProperties> seed_properties;
  std::vector<SourceSpec> sources;
  std::vector<ExposureSpec> exposures;
  std::vector<std::string> warnings;  // things ignored on purpose (python models, snapshots, unknown keys...)
};

// Reads dbt_project.yml at `root` and every project file it points at. A malformed dbt_project.yml or property file
// is an error naming file:line:column; a missing dbt_project.yml says so.
Result<Project> load_project(const std::filesystem::path& root);

// Reads just dbt_project.yml.
Result<ProjectSettings> load_project_settings(const std::filesystem::path& root);

// Parses the property YAML `text` of `file` (relative path) into `project`.
Status parse_property_file(std::string_view text, const std::string& file, Project& project);

}  // namespace cowork::dbt
