// upstream_tests: the tests of everything a node reads from, with how they did in the last run.
#include <map>

#include "tools/support.hpp"

namespace cowork::tools {
namespace {

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* node, context.find_node(string_arg(args, "node")));
  const dbt::Graph& graph = *context.artifacts.graph;
  std::map<std::string_view, const dbt::RunResult*> results;
  if (context.artifacts.run_results)
    for (const auto& result : context.artifacts.run_results->results) results[result.unique_id] = &result;

  nlohmann::json tests = nlohmann::json::array();
  std::int64_t failing = 0, not_run = 0;
  for (const dbt::Reached& reached : graph.walk(*graph.find(node->unique_id), dbt::Direction::up)) {
    const dbt::Node& ancestor = graph.node(reached.node);
    if (!(dbt::is_buildable(ancestor.resource_type) || ancestor.resource_type == dbt::ResourceType::source)) continue;
    for (dbt::NodeId test_id : graph.tests_of(reached.node)) {
      const dbt::Node& test = graph.node(test_id);
      const auto found = results.find(test.unique_id);
      const dbt::RunResult* result = found == results.end() ? nullptr : found->second;
      nlohmann::json status = "not run";
      if (result != nullptr) {
        status = std::string(dbt::to_string(result->status));
        if (dbt::is_failure(result->status)) ++failing;
      } else {
        ++not_run;
      }
      tests.push_back({{"unique_id", std::string(test.unique_id)},
                       {"name", std::string(test.name)},
                       {"attached_node", std::string(ancestor.unique_id)},
                       {"column", std::string(test.tested_column())},
                       {"status", status},
                       {"failures", result != nullptr && result->failures ? nlohmann::json(*result->failures)
                                                                          : nlohmann::json(nullptr)},
                       {"depth", reached.depth}});
    }
  }
  std::string summary = fmt::format("{} upstream of {}: {} failing",
                                    plural(static_cast<std::int64_t>(tests.size()), "test"), node->name, failing);
  if (not_run > 0) summary += fmt::format(", {} not in the run results", not_run);
  return ToolOutput{{{"tests", std::move(tests)}, {"failing", failing}}, std::move(summary)};
}

}  // namespace

void register_upstream_tests(ToolRegistry& registry) {
  registry.add({
      "upstream_tests",
      "The data tests on every model, seed, snapshot and source upstream of a node (all depths), with their status "
      "and failing row count in the last run. Use it to tell whether a failure started upstream (an upstream test "
      "fails too) or at this node (everything upstream passes), and to spot upstream gaps with no tests.",
      object_schema({{"node", string_param("A model, seed, snapshot or source, by name or unique id")}}, {"node"}),
      run,
  });
}

}  // namespace cowork::tools
