// What the investigator gathered for one incident, in the shape the diagnostician and the fix proposer read. Every
// field comes from a tool call recorded as a step; a tool that failed leaves its field empty and an error step.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/kb_rules.hpp"
#include "agent/report.hpp"
#include "tools/tool.hpp"

namespace cowork::agent {

// What kind of failure the incident is rooted at; it decides the evidence and the fix strategies.
enum class FailureKind { accepted_values, not_null, unique, relationships, custom_test, singular_test, model_error,
                         freshness, other };
std::string_view to_string(FailureKind kind);

// One model the failing column passes through, from the failing model up to the earliest.
struct Hop {
  std::string node;  // unique id
  std::string name;
  std::string column;
  std::string expression;
  std::string path;  // the model's file, relative to the project
};

struct ColumnStats {
  std::string node;
  std::string column;
  std::string relation;
  std::int64_t rows = 0, nulls = 0, distinct = 0;
  std::vector<std::pair<std::string, std::int64_t>> outside;  // values outside the accepted list, with counts
  nlohmann::json raw;
  // Rows that show the problem for this failure kind: outside values, nulls, duplicate rows, values below a bound.
  std::int64_t bad_rows = 0;
};

struct Commit {
  std::string sha, author, date, message, diff, path;
};

struct Findings {
  std::string incident_id;
  nlohmann::json incident;  // incident_details' result
  FailureKind kind = FailureKind::other;
  std::string test_id, test_name;  // the root failure's test (empty for a model error)
  std::string model_id, model_name, model_path;
  std::string column;
  nlohmann::json kwargs = nlohmann::json::object();
  std::string severity;
  std::string message;
  std::vector<std::string> failing_tests;  // every failing test of the incident
  std::vector<std::string> failing_models;
  std::string property_file;  // where the test is declared, relative to the project
  std::string macro_sql;      // a custom generic test's macro
  std::vector<Hop> hops;
  std::map<std::string, ColumnStats> stats;  // by node
  std::vector<std::string> offending_values;
  std::optional<double> bound;  // a custom test's threshold (`where col < 1` -> 1)
  std::string bound_op;         // the comparison that fails: "<" in `where col < 1`
  std::string order_column;     // a column telling which row is newest (updated_at...)
  std::vector<Commit> commits;  // recent commits of the files in the lineage
  std::string missing_column;   // a model error about an unknown column
  std::vector<KnowledgeRef> knowledge;
  std::vector<Rule> rules;      // what the knowledge base says about this incident
  std::vector<Evidence> evidence;
  bool warehouse_ok = true;
  std::string warehouse_error;
};

// Records tool calls as steps (and reports them live).
class StepRecorder {
 public:
  StepRecorder(tools::ToolContext& context, const tools::ToolRegistry& tools, std::vector<Step>& steps,
               std::function<void(const Step&)> on_step)
      : m_context(context), m_tools(tools), m_steps(steps), m_on_step(std::move(on_step)) {}
  // Calls the tool; the result on success, nullopt (and an error step) on failure.
  std::optional<nlohmann::json> call(std::string_view agent, std::string_view tool, nlohmann::json args,
                                     std::string* error = nullptr);
  // A step that is not a tool call (a conclusion, a verification).
  void note(std::string_view agent, std::string_view tool, std::string summary, std::int64_t ms = 0,
            nlohmann::json args = nlohmann::json::object());
  // A step that failed without reaching a tool (a model's call to an unknown tool, arguments that are not JSON).
  void fail(std::string_view agent, std::string_view tool, std::string summary,
            nlohmann::json args = nlohmann::json::object());
  // Who the following steps are made by: "playbook" (default) or "model".
  void set_by(std::string by) { m_by = std::move(by); }
  const tools::ToolRegistry& tools() const { return m_tools; }
  tools::ToolContext& context() { return m_context; }

 private:
  void record(std::string_view agent, std::string_view tool, nlohmann::json args, std::string summary,
              std::int64_t ms, bool ok);
  tools::ToolContext& m_context;
  const tools::ToolRegistry& m_tools;
  std::vector<Step>& m_steps;
  std::function<void(const Step&)> m_on_step;
  std::string m_by = "playbook";
};

// The most recent commit of the lineage whose diff removes a line naming `column` (a rename or a deletion).
const Commit* commit_removing(const Findings& findings, std::string_view column);

// The investigator: gathers the evidence for the incident's root failure.
Result<Findings> investigate_incident(StepRecorder& recorder, std::string_view incident_id);

// The diagnostician: names the root node, column and category.
Diagnosis diagnose(const Findings& findings, StepRecorder& recorder);

// Applies the knowledge base to an option by its strategy: a prescribing rule adds to its score, cites the rule and
// lowers its risk one step; a forbidding one sinks it and makes it high risk; a test-weakening option is never low
// risk and only acceptable when a rule calls the failure expected.
void weigh_by_rules(const Findings& findings, FixOption& option);

// The fix proposer: 3-5 options, ranked by the knowledge base's rules.
std::vector<FixOption> propose_fixes(const Findings& findings, const Diagnosis& diagnosis, StepRecorder& recorder);

}  // namespace cowork::agent
