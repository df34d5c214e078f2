// The native dbt compiler: turns a Project (project.hpp) into the nodes of a manifest (models, seeds, tests,
// sources, exposures, analyses) with their configs, dependencies and relation names, and renders each node's SQL
// with the Jinja engine and dbt's context (ref, source, config, var, env_var, this, target, is_incremental,
// adapter.quote/dispatch, return, log). What the native engine does not do (run_query, statement blocks, adapter
// introspection) is an error naming the file and line, never silently wrong SQL.
//
// Used by the runner (runner.hpp) for `cowork build/run/test/seed/compile`, and by the fix verifier to compile a
// patched copy of a project.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/node.hpp"
#include "dbt/profiles.hpp"
#include "dbt/project.hpp"
#include "jinja/environment.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

// A node of the compiled project. Unlike the read-only manifest Node it owns its data.
struct ProjectNode {
  std::string unique_id;
  std::string name;
  ResourceType resource_type = ResourceType::model;
  std::string package_name;
  std::string path;                // relative to its resource folder (dbt's `path`)
  std::string original_file_path;  // relative to the project folder
  std::string patch_path;          // the property file that describes it, if any
  std::vector<std::string> fqn;
  std::string raw_code;
  std::string compiled_code;  // set once compiled
  bool compiled = false;
  std::string language = "sql";
  nlohmann::json config = nlohmann::json::object();
  std::vector<std::string> depends_on;  // unique ids, in the order first referenced
  std::vector<std::string> depends_on_macros;
  nlohmann::json refs = nlohmann::json::array();     // [{"name", "package", "version"}]
  nlohmann::json sources = nlohmann::json::array();  // [[source, table]]
  std::string database;
  std::string schema;
  std::string alias;
  std::string relation_name;  // quoted, as SQL refers to it; empty for ephemeral models and tests
  std::string description;
  std::vector<ColumnSpec> columns;
  std::string checksum;  // md5 of the file's text

  // Tests.
  std::optional<TestSpec> test;                           // set for generic tests: the entry they come from
  std::string test_macro;                                 // "test_not_null", "dbt_utils.test_expression_is_true"
  nlohmann::json test_kwargs = nlohmann::json::object();  // test_metadata.kwargs (model, column_name, args)
  std::string column_name;
  std::string attached_node;

  // Sources.
  std::string source_name;
  std::string identifier;
  std::string loaded_at_field;
  std::string source_description;
  std::string loader;
  nlohmann::json freshness;

  // Exposures.
  std::string exposure_type;
  std::string maturity;
  std::string url;
  std::string label;
  std::string owner_name;
  std::string owner_email;

  Location location;  // where errors about the node point

  std::string materialized() const;
  bool enabled() const;
  std::vector<std::string> tags() const;
  nlohmann::json meta() const;
  // ERROR or WARN, for tests.
  std::string severity() const;
};

struct CompileOptions {
  nlohmann::json vars = nlohmann::json::object();  // --vars, over the project's vars
  std::string invocation_id;
  std::string run_started_at;  // ISO-8601
};

// What compiling one node needs to know about the warehouse.
struct CompileState {
  bool is_incremental = false;  // the node is incremental, exists, and no full refresh was asked for
};

class Compiler {
 public:
  // Parses every file of the project: builds the nodes, resolves ref() and source(), applies configs. Errors point at
  // file:line:column.
  static Result<std::unique_ptr<Compiler>> create(Project project, ProfileTarget target, CompileOptions options = {});
  ~Compiler();

  const Project& project() const { return m_project; }
  const ProfileTarget& target() const { return m_target; }
  const std::vector<ProjectNode>& nodes() const { return m_nodes; }
  std::vector<ProjectNode>& nodes() { return m_nodes; }
  const ProjectNode* find(std::string_view unique_id) const;
  // Macros as the manifest lists them: unique id -> (file, body).
  struct MacroEntry {
    std::string unique_id, name, package_name, original_file_path, macro_sql;
  };
  const std::vector<MacroEntry>& macros() const { return m_macros; }
  const std::vector<std::string>& warnings() const { return m_warnings; }

  // Renders a node's SQL: a model's body with its ephemeral parents inlined as CTEs, a test's query (without dbt's
  // count wrapper), an analysis. Stores it in the node (compiled_code) and returns it.
  Result<std::string> compile(ProjectNode& node, const CompileState& state = {});
  // Renders one of the node's hooks ("pre_hook" / "post_hook"), in order.
  Result<std::vector<std::string>> render_hooks(const ProjectNode& node, std::string_view which);

  // Quotes an identifier for the target's warehouse.
  std::string quote(std::string_view identifier) const;

 private:
  Compiler(Project project, ProfileTarget target, CompileOptions options);
  Status setup_environment();
  Status parse_all();

  struct Impl;
  std::unique_ptr<Impl> m_impl;
  Project m_project;
  ProfileTarget m_target;
  CompileOptions m_options;
  std::vector<ProjectNode> m_nodes;
  std::unordered_map<std::string, std::size_t> m_index;
  std::vector<MacroEntry> m_macros;
  std::vector<std::string> m_warnings;

  friend struct CompilerAccess;
};

// dbt's name for a generic test: <test>_<model>_<args>, shortened with an MD5 when 64 characters or longer.
// Returns {short name (the relation alias and file name), full name (the unique id and fqn)}.
std::pair<std::string, std::string> generic_test_names(const std::string& test_type, const std::string& target_name,
                                                       const nlohmann::json& args);

}  // namespace cowork::dbt
