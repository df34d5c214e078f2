// `cowork lineage NODE [--up N] [--down N] [--format text|json]`: what a node reads from and what reads from it.
#include <iostream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "util/json_text.hpp"
#include "dbt/graph.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

using dbt::Direction;
using dbt::Graph;
using dbt::NodeId;

struct LineageOptions {
  CommonOptions common;
  std::string node;
  int up = -1;
  int down = -1;
};

std::string_view node_path(const dbt::Node& node) {
  return node.original_file_path.empty() ? node.path : node.original_file_path;
}

std::string label(const dbt::Node& node) {
  if (node.resource_type == dbt::ResourceType::source) return fmt::format("{}.{}", node.source_name, node.name);
  return std::string(node.name);
}

class TreePrinter {
 public:
  TreePrinter(const Graph& graph, Direction direction, int max_depth, const Style& style)
      : m_graph(graph), m_direction(direction), m_max_depth(max_depth), m_style(style) {}

  void print(NodeId root) {
    m_expanded.insert(root);
    print_children(root, "", 1);
  }

 private:
  std::vector<NodeId> next_of(NodeId id) const {
    auto span = m_direction == Direction::up ? m_graph.parents(id) : m_graph.children(id);
    std::vector<NodeId> out(span.begin(), span.end());
    std::sort(out.begin(), out.end(), [&, &rank = m_graph.rank()](NodeId a, NodeId b) { return rank[a] < rank[b]; });
    return out;
  }

  void print_children(NodeId id, const std::string& indent, int depth) {
    if (m_max_depth >= 0 && depth > m_max_depth) return;
    std::vector<NodeId> nodes, tests;
    for (NodeId next : next_of(id)) {
      const auto type = m_graph.node(next).resource_type;
      (type == dbt::ResourceType::test || type == dbt::ResourceType::unit_test ? tests : nodes).push_back(next);
    }
    const std::size_t lines = nodes.size() + (tests.empty() ? 0 : 1);
    std::size_t line = 0;
    for (NodeId next : nodes) {
      const bool last = ++line == lines;
      const dbt::Node& node = m_graph.node(next);
      std::cout << indent << (last ? "└── " : "├── ") << m_style.bold(label(node)) << "  "
                << m_style.dim(fmt::format("{}  {}", dbt::to_string(node.resource_type), node_path(node)));
      if (node.placeholder) std::cout << m_style.yellow(node.enabled ? "  (not in the manifest)" : "  (disabled)");
      if (!m_expanded.insert(next).second) {
        if (!next_of(next).empty()) std::cout << m_style.dim("  (shown above)");
        std::cout << '\n';
        continue;
      }
      std::cout << '\n';
      print_children(next, indent + (last ? "    " : "│   "), depth + 1);
    }
    if (!tests.empty()) {
      std::vector<std::string> names;
      for (NodeId test : tests) {
        const dbt::Node& node = m_graph.node(test);
        if (node.test && !node.test->name.empty())
          names.emplace_back(node.test->column_name.empty()
                                 ? node.test->name
                                 : fmt::format("{}({})", node.test->name, node.test->column_name));
        else
          names.emplace_back(node.name);
      }
      std::cout << indent << "└── "
                << m_style.dim(fmt::format("{} test{}: {}", tests.size(), tests.size() == 1 ? "" : "s",
                                           one_line(join(names, ", "), 160)))
                << '\n';
    }
  }

  const Graph& m_graph;
  Direction m_direction;
  int m_max_depth;
  const Style& m_style;
  std::set<NodeId> m_expanded;
};

int run(const LineageOptions& options) {
  dbt::ArtifactRequest request;
  auto artifacts = load_artifacts(options.common, request);
  if (!artifacts) return report_error(artifacts.error());
  print_warnings(artifacts->warnings);
  const Graph& graph = *artifacts->graph;
  auto root = graph.resolve(options.node);
  if (!root) return report_error(root.error());

  if (options.common.format == "json") {
    nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
    for (Direction direction : {Direction::up, Direction::down}) {
      for (const auto& reached : graph.walk(*root, direction, direction == Direction::up ? options.up : options.down)) {
        const dbt::Node& node = graph.node(reached.node);
        nodes.push_back(nlohmann::ordered_json{{"unique_id", node.unique_id},
                                               {"resource_type", dbt::to_string(node.resource_type)},
                                               {"path", node_path(node)},
                                               {"direction", direction == Direction::up ? "up" : "down"},
                                               {"depth", reached.depth}});
      }
    }
    nlohmann::ordered_json out = {{"root", graph.node(*root).unique_id}, {"nodes", std::move(nodes)}};
    std::cout << dump_json(out, 2) << '\n';
    return k_exit_ok;
  }

  Style style;
  const dbt::Node& node = graph.node(*root);
  std::cout << style.bold(node.unique_id) << "  "
            << style.dim(fmt::format("{}  {}", dbt::to_string(node.resource_type), node_path(node))) << '\n';
  for (Direction direction : {Direction::up, Direction::down}) {
    const int depth = direction == Direction::up ? options.up : options.down;
    if (depth == 0) continue;
    const auto reached = graph.walk(*root, direction, depth);
    const char* word = direction == Direction::up ? "upstream" : "downstream";
    std::cout << '\n'
              << style.bold(word) << ' '
              << style.dim(fmt::format("({} node{}{})", reached.size(), reached.size() == 1 ? "" : "s",
                                       depth > 0 ? fmt::format(", depth {}", depth) : std::string()))
              << '\n';
    if (reached.empty()) {
      std::cout << "    "
                << style.dim(direction == Direction::up ? "nothing: this node reads no other node"
                                                        : "nothing reads from this node")
                << '\n';
      continue;
    }
    TreePrinter(graph, direction, depth, style).print(*root);
  }
  return k_exit_ok;
}

}  // namespace

Runner setup_lineage(CLI::App& app) {
  auto options = std::make_shared<LineageOptions>();
  app.add_option("node", options->node, "A unique id (model.shop.orders), a name (orders) or source_name.table")
      ->required();
  app.add_option("--up", options->up, "Generations of parents to show (default: all; 0: none)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--down", options->down, "Generations of children to show (default: all; 0: none)")
      ->check(CLI::Range(0, 1000000));
  add_common_options(app, options->common, {"text", "json"});
  app.footer(R"(Examples:
  cowork lineage stg_orders                    the whole lineage of a model, as a tree
  cowork lineage orders --up 1 --down 0        its direct parents only
  cowork lineage model.shop.orders --format json
  cowork lineage raw.orders --target-path ci/artifacts   a source, from a folder of artifacts

json: {"root": ID, "nodes": [{"unique_id", "resource_type", "path", "direction": "up"|"down", "depth"}]},
depth 1 for direct parents and children.)");
  return [options] { return run(*options); };
}

}  // namespace cowork::cli
