// lineage: what a node reads from and what reads from it.
#include "tools/support.hpp"

namespace cowork::tools {
namespace {

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* root, context.find_node(string_arg(args, "node")));
  const std::string direction = string_arg(args, "direction", "both");
  const int depth = static_cast<int>(int_arg(args, "depth", 3));
  const dbt::Graph& graph = *context.artifacts.graph;
  const dbt::NodeId root_id = *graph.find(root->unique_id);
  nlohmann::json nodes = nlohmann::json::array();
  std::size_t up = 0, down = 0;
  for (const dbt::Direction way : {dbt::Direction::up, dbt::Direction::down}) {
    if (direction != "both" && (way == dbt::Direction::up) != (direction == "up")) continue;
    for (const dbt::Reached& reached : graph.walk(root_id, way, depth)) {
      const dbt::Node& node = graph.node(reached.node);
      if (node.resource_type == dbt::ResourceType::test) continue;  // upstream_tests lists those
      nodes.push_back({{"unique_id", std::string(node.unique_id)},
                       {"name", dbt::short_name(node.unique_id)},
                       {"resource_type", std::string(dbt::to_string(node.resource_type))},
                       {"path", std::string(node.original_file_path)},
                       {"direction", way == dbt::Direction::up ? "up" : "down"},
                       {"depth", reached.depth}});
      (way == dbt::Direction::up ? up : down)++;
    }
  }
  std::vector<std::string> parts;
  if (direction != "down") parts.push_back(fmt::format("{} upstream", up));
  if (direction != "up") parts.push_back(fmt::format("{} downstream", down));
  return ToolOutput{{{"root", std::string(root->unique_id)}, {"nodes", std::move(nodes)}},
                    fmt::format("{}: {} (depth {})", dbt::short_name(root->unique_id), fmt::join(parts, ", "), depth)};
}

}  // namespace

void register_lineage(ToolRegistry& registry) {
  nlohmann::json direction = string_param("up: what the node reads from; down: what reads from it; both (default)");
  direction["enum"] = {"up", "down", "both"};
  registry.add({
      "lineage",
      "The models, seeds, sources, snapshots and exposures upstream and/or downstream of a node, with their file path "
      "and distance. Use it to see where a failing model's data comes from (direction up) or what a bad model breaks "
      "(direction down). Tests are not listed; use upstream_tests for those.",
      object_schema({{"node", string_param("A model, seed, snapshot or source (source_name.table), by name or id")},
                     {"direction", direction},
                     {"depth", integer_param("How many steps to walk (default 3)", 1, 100)}},
                    {"node"}),
      run,
  });
}

}  // namespace cowork::tools
