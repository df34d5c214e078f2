// The investigation tools. The playbook engine and the LLM agents gather evidence only through these: each tool has
// a name, a description, a JSON schema for its arguments and a handler that returns JSON and a one-line summary.
// Tools never write: not to the project's files, not to the warehouse (queries go through the read-only guard and a
// read-only connection).
//
// One file a tool (src/tools/<name>.cpp), each defining `void register_<name>(ToolRegistry&)`; builtin.cpp calls
// them all.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/artifacts.hpp"
#include "incidents/incident.hpp"
#include "knowledge/knowledge_base.hpp"
#include "sql/guard.hpp"
#include "util/error.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::dbt {
class Compiler;
}

namespace cowork::tools {

// What the tools work on: one project, its artifacts, the incident under investigation, and lazily opened
// resources (a read-only warehouse connection, the knowledge base, the native compiler). Owned by the caller;
// one investigation at a time uses it.
struct ToolContext {
  std::filesystem::path project_dir;  // absolute
  dbt::ArtifactSet artifacts;         // manifest + graph (required), run_results (optional)
  incidents::IncidentReport report;   // the incidents of those artifacts
  // The warehouse, opened read-only on first use; an error when the project has no usable profile (the message
  // says why). Tools that need it return that error; the investigation goes on without their evidence.
  std::function<Result<warehouse::Warehouse*>()> warehouse;
  sql::Dialect dialect = sql::Dialect::duckdb;  // of the warehouse
  // The knowledge base, loaded on first use; an error when it is missing (the message names the folder).
  std::function<Result<const knowledge::KnowledgeBase*>()> knowledge;
  // The native compiler of the project, for compiled SQL the artifacts lack; an error when the engine cannot
  // load the project.
  std::function<Result<dbt::Compiler*>()> compiler;
  // Row limit and timeout for warehouse queries.
  std::int64_t row_limit = 100;
  std::chrono::milliseconds query_timeout{30000};

  // The incident by full id or unique prefix (also without "inc_").
  Result<const incidents::Incident*> find_incident(std::string_view id) const;
  // A node by unique id or by name (models, seeds, snapshots, sources as "source_name.table", tests); an unknown
  // or ambiguous name is an error that lists the candidates.
  Result<const dbt::Node*> find_node(std::string_view id_or_name) const;
};

struct ToolOutput {
  nlohmann::json result;  // the evidence, as JSON
  std::string summary;    // one line a person reads: "room_type: 37 rows outside the accepted list ('Entire place')"
};

using ToolHandler = std::function<Result<ToolOutput>(ToolContext&, const nlohmann::json& args)>;

struct Tool {
  std::string name;         // snake_case, unique: "column_profile"
  std::string description;  // for people and for LLMs: what it returns and when to use it
  nlohmann::json parameters;  // JSON schema of the arguments: {"type": "object", "properties": {...}, "required": [...]}
  ToolHandler handler;
};

// One call, as the audit trail records it.
struct ToolCall {
  std::string tool;
  nlohmann::json args;
  std::optional<ToolOutput> output;  // set when the call succeeded
  std::optional<Error> error;        // set when it failed (bad arguments, unknown tool, the handler's error)
  std::chrono::milliseconds duration{0};
  bool ok() const { return output.has_value(); }
  std::string summary() const;  // the output's summary, or "error: <message>"
};

class ToolRegistry {
 public:
  // Adds a tool; a second tool of the same name replaces the first.
  void add(Tool tool);
  const Tool* find(std::string_view name) const;
  // In the order they were added.
  const std::vector<Tool>& tools() const { return m_tools; }
  // Validates `args` against the tool's schema (an unknown tool, a missing required argument, a wrong type, an
  // argument the schema does not know, a value outside an enum are errors naming the argument), runs the handler
  // and times it. Never throws: a handler's exception becomes an internal error.
  ToolCall call(ToolContext& context, std::string_view name, const nlohmann::json& args) const;

 private:
  std::vector<Tool> m_tools;
};

// Validates `value` against the subset of JSON schema the tools use (type, properties, required,
// additionalProperties, enum, items, minimum, maximum); the message names the path ("args.limit: expected an
// integer").
Status validate_arguments(const nlohmann::json& schema, const nlohmann::json& value);

// Every built-in tool.
const ToolRegistry& builtin_tools();

}  // namespace cowork::tools
