// incident_details: the incident under investigation, with what each failing test checks.
#include "tools/support.hpp"

namespace cowork::tools {
namespace {

nlohmann::json test_json(const dbt::Node& node) {
  const dbt::TestInfo& test = *node.test;
  std::string test_name(test.name);
  if (!test.namespace_.empty()) test_name = fmt::format("{}.{}", test.namespace_, test.name);
  return {{"test_name", test_name},
          {"kwargs", test.kwargs.is_null() ? nlohmann::json::object() : test.kwargs},
          {"column", std::string(test.column_name)},
          {"model", std::string(test.attached_node)},
          {"severity", std::string(test.severity)},
          {"where", test.where.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(test.where))}};
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const incidents::Incident* incident, context.find_incident(string_arg(args, "incident_id")));
  nlohmann::json result = incidents::to_json(*incident);
  const dbt::Graph* graph = context.artifacts.graph.get();
  for (std::size_t i = 0; i < incident->failures.size(); ++i) {
    if (graph == nullptr) break;
    const auto id = graph->find(incident->failures[i].unique_id);
    if (!id) continue;
    const dbt::Node& node = graph->node(*id);
    if (node.test) {
      nlohmann::json test = test_json(node);
      if (test["model"].get<std::string>().empty())
        if (auto attached = graph->attached_node(*id)) test["model"] = std::string(graph->node(*attached).unique_id);
      result["failures"][i]["test"] = std::move(test);
    }
  }
  std::string rows;
  for (const auto& failure : incident->failures)
    if (failure.failures && *failure.failures > 0) {
      rows = fmt::format(", {} failing {} on the first", *failure.failures, *failure.failures == 1 ? "row" : "rows");
      break;
    }
  return ToolOutput{std::move(result), fmt::format("{} ({}): {}{}", incident->id,
                                                   incidents::to_string(incident->severity), incident->title, rows)};
}

}  // namespace

void register_incident_details(ToolRegistry& registry) {
  registry.add({
      "incident_details",
      "The incident being investigated: its failures (tests and models with dbt's status, failing row count and "
      "message), and for each failing test what it checks (test_name, kwargs such as accepted values, column, model, "
      "severity, where), the models involved, skipped nodes, root candidates and downstream impact. Call it first.",
      object_schema({{"incident_id", string_param("The incident id (inc_...), or a unique prefix of it")}},
                    {"incident_id"}),
      run,
  });
}

}  // namespace cowork::tools
