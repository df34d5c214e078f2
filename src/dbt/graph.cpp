#include "dbt/graph.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

// Reads the quoted string arguments of a call such as ref('a', "b") starting at `open` (the '(').
std::vector<std::string> call_arguments(std::string_view text, std::size_t open) {
  std::vector<std::string> args;
  std::size_t i = open + 1;
  while (i < text.size() && text[i] != ')') {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      const auto close = text.find(c, i + 1);
      if (close == std::string_view::npos) break;
      args.emplace_back(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      // A keyword argument such as v=2 or version=2: not a name.
      while (i < text.size() && text[i] != ',' && text[i] != ')') ++i;
    } else {
      ++i;
    }
  }
  return args;
}

}  // namespace

TestTarget parse_test_target(std::string_view model_argument) {
  TestTarget target;
  for (std::string_view call : {std::string_view("ref("), std::string_view("source(")}) {
    std::size_t at = 0;
    while ((at = model_argument.find(call, at)) != std::string_view::npos) {
      // Require a word boundary so that "my_ref(" does not count.
      const bool boundary = at == 0 || !(std::isalnum(static_cast<unsigned char>(model_argument[at - 1])) ||
                                         model_argument[at - 1] == '_');
      if (boundary) {
        auto args = call_arguments(model_argument, at + call.size() - 1);
        if (call == "source(" && args.size() >= 2) {
          target.is_source = true;
          target.package_or_source = args[0];
          target.name = args[1];
          return target;
        }
        if (call == "ref(" && !args.empty()) {
          target.name = args.back();
          if (args.size() >= 2) target.package_or_source = args[0];
          return target;
        }
      }
      at += call.size();
    }
  }
  return target;
}

namespace {

// Sorted, de-duplicated (from, to) pairs into compressed adjacency over `count` nodes.
void compress_pairs(std::vector<std::pair<NodeId, NodeId>>& pairs, std::size_t count, std::vector<std::uint32_t>& start,
                    std::vector<NodeId>& ids) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  start.assign(count + 1, 0);
  ids.clear();
  ids.reserve(pairs.size());
  for (const auto& [from, to] : pairs) {
    ++start[from + 1];
    ids.push_back(to);
  }
  for (std::size_t i = 0; i < count; ++i) start[i + 1] += start[i];
}

}  // namespace

Graph Graph::build(std::shared_ptr<const Manifest> manifest, const GraphOptions& options) {
  Graph graph;
  graph.m_manifest = std::move(manifest);
  const Manifest& m = *graph.m_manifest;
  graph.m_nodes.reserve(m.nodes.size());
  graph.m_by_id.reserve(m.nodes.size());
  std::size_t edge_count = 0;
  for (const Node& node : m.nodes) {
    if (!graph.m_by_id.insert(node.unique_id, static_cast<NodeId>(graph.m_nodes.size()))) {
      graph.m_warnings.push_back(fmt::format("{}: {} appears twice; the first is used", m.path, node.unique_id));
      continue;
    }
    graph.m_nodes.push_back(&node);
    edge_count += node.depends_on.size();
  }

  const bool from_map = options.use_parent_map && m.parent_map.has_value() && !m.parent_map->empty();
  graph.m_edges_from_parent_map = from_map;
  std::vector<std::pair<NodeId, NodeId>> edges;  // (child, parent)
  edges.reserve(edge_count);
  std::size_t missing_edges = 0;
  std::string first_missing;
  std::unordered_set<std::string_view> disabled(m.disabled.begin(), m.disabled.end());
  auto add_parent = [&](NodeId child, std::string_view parent_id) {
    NodeId parent;
    if (auto found = graph.m_by_id.find(parent_id)) {
      parent = *found;
    } else {
      const bool is_disabled = disabled.contains(parent_id);
      if (!is_disabled && missing_edges++ == 0) first_missing = std::string(parent_id);
      parent = graph.intern_placeholder(parent_id);
      graph.m_placeholders.back().enabled = !is_disabled;
    }
    edges.emplace_back(child, parent);
  };
  const std::size_t manifest_nodes = graph.m_nodes.size();
  for (NodeId id = 0; id < manifest_nodes; ++id) {
    const Node& node = *graph.m_nodes[id];
    const std::vector<std::string_view>* list = &node.depends_on;
    if (from_map) {
      auto it = m.parent_map->find(node.unique_id);
      if (it != m.parent_map->end()) list = &it->second;
    }
    for (const auto& parent_id : *list) add_parent(id, parent_id);
  }
  if (from_map) {
    // Entries of parent_map for ids that are not nodes of any kind we read (rare: a kind added by a newer dbt).
    for (const auto& [child_id, list] : *m.parent_map) {
      if (graph.m_by_id.find(child_id)) continue;
      NodeId child = graph.intern_placeholder(child_id);
      for (const auto& parent_id : list) add_parent(child, parent_id);
    }
  }
  if (missing_edges > 0)
    graph.m_warnings.push_back(fmt::format("{}: {} edge(s) name nodes the manifest does not have (first: {})", m.path,
                                           missing_edges, first_missing));

  const std::size_t count = graph.m_nodes.size();
  compress_pairs(edges, count, graph.m_parent_start, graph.m_parent_ids);
  for (auto& [child, parent] : edges) std::swap(child, parent);
  compress_pairs(edges, count, graph.m_child_start, graph.m_child_ids);
  graph.attach_tests();
  return graph;
}

NodeId Graph::intern_placeholder(std::string_view unique_id) {
  Node& node = m_placeholders.emplace_back();
  node.unique_id = m_arena.store(unique_id);
  node.resource_type = resource_type_from_unique_id(unique_id);
  node.resource_type_text = to_string(node.resource_type);
  const auto dot = node.unique_id.rfind('.');
  node.name = node.unique_id.substr(dot == std::string_view::npos ? 0 : dot + 1);
  node.placeholder = true;
  const auto id = static_cast<NodeId>(m_nodes.size());
  m_nodes.push_back(&node);
  m_by_id.insert(node.unique_id, id);
  return id;
}

const std::unordered_multimap<std::string_view, NodeId>& Graph::names() const {
  std::call_once(*m_by_name_once, [this] {
    m_by_name.reserve(m_nodes.size());
    for (NodeId id = 0; id < m_nodes.size(); ++id) m_by_name.emplace(m_nodes[id]->name, id);
  });
  return m_by_name;
}

const std::vector<std::uint32_t>& Graph::rank() const {
  std::call_once(*m_rank_once, [this] {
    std::vector<NodeId> order(m_nodes.size());
    for (NodeId id = 0; id < order.size(); ++id) order[id] = id;
    std::sort(order.begin(), order.end(),
              [&](NodeId a, NodeId b) { return m_nodes[a]->unique_id < m_nodes[b]->unique_id; });
    m_rank.resize(order.size());
    for (std::uint32_t position = 0; position < order.size(); ++position) m_rank[order[position]] = position;
  });
  return m_rank;
}

void Graph::attach_tests() {
  m_attached.assign(m_nodes.size(), k_none);
  std::vector<std::pair<NodeId, NodeId>> tests;  // (attached node, test)
  for (NodeId id = 0; id < m_nodes.size(); ++id) {
    const Node& node = *m_nodes[id];
    if (!node.test) continue;
    NodeId attached = k_none;
    if (!node.test->attached_node.empty()) {
      if (auto found = find(node.test->attached_node)) attached = *found;
    }
    const auto candidates = parents(id);
    if (attached == k_none && node.test->kwargs.is_object()) {
      auto it = node.test->kwargs.find("model");
      if (it != node.test->kwargs.end() && it->is_string()) {
        const TestTarget target = parse_test_target(it->get_ref<const std::string&>());
        for (NodeId parent : candidates) {
          const Node& p = *m_nodes[parent];
          if (target.is_source ? (p.resource_type == ResourceType::source &&
                                  p.source_name == target.package_or_source && p.name == target.name)
                               : (p.resource_type != ResourceType::source && p.name == target.name)) {
            attached = parent;
            break;
          }
        }
      }
    }
    if (attached == k_none && node.resource_type == ResourceType::unit_test && !candidates.empty()) {
      // A unit test depends on the model it tests and on the refs it mocks; the model is the one named in its id.
      for (NodeId parent : candidates)
        if (node.unique_id.find("." + std::string(m_nodes[parent]->name) + ".") != std::string_view::npos)
          attached = parent;
    }
    if (attached == k_none && candidates.size() == 1) attached = candidates[0];
    if (attached != k_none) {
      m_attached[id] = attached;
      tests.emplace_back(attached, id);
    }
  }
  compress_pairs(tests, m_nodes.size(), m_test_start, m_test_ids);
}

std::optional<NodeId> Graph::find(std::string_view unique_id) const {
  return m_by_id.find(unique_id);
}

Result<NodeId> Graph::resolve(std::string_view name_or_id) const {
  if (auto id = find(name_or_id)) return *id;
  std::vector<NodeId> matches;
  const auto& by_name = names();
  auto [first, last] = by_name.equal_range(name_or_id);
  for (auto it = first; it != last; ++it) matches.push_back(it->second);
  if (matches.empty()) {
    // source_name.table_name
    const auto dot = name_or_id.find('.');
    if (dot != std::string_view::npos) {
      const auto source = name_or_id.substr(0, dot), table = name_or_id.substr(dot + 1);
      auto [sfirst, slast] = by_name.equal_range(table);
      for (auto it = sfirst; it != slast; ++it)
        if (m_nodes[it->second]->resource_type == ResourceType::source && m_nodes[it->second]->source_name == source)
          matches.push_back(it->second);
    }
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    // Suggest names that contain the text, so a typo or partial name still gets somewhere.
    std::vector<std::string> suggestions;
    const std::string needle = to_lower(name_or_id);
    for (const Node* node : m_nodes) {
      if (node->resource_type == ResourceType::test || node->placeholder) continue;
      if (to_lower(node->name).find(needle) != std::string::npos) suggestions.emplace_back(node->unique_id);
    }
    std::sort(suggestions.begin(), suggestions.end());
    if (suggestions.size() > 5) suggestions.resize(5);
    if (suggestions.empty())
      return make_error(ErrorCode::not_found, "no node named '{}' in {}", name_or_id, m_manifest->path);
    return make_error(ErrorCode::not_found, "no node named '{}' in {}; did you mean: {}", name_or_id, m_manifest->path,
                      join(suggestions, ", "));
  }
  std::vector<NodeId> buildable;
  for (NodeId id : matches)
    if (is_buildable(m_nodes[id]->resource_type)) buildable.push_back(id);
  if (buildable.size() == 1) return buildable[0];
  std::vector<std::string> ids;
  for (NodeId id : matches) ids.emplace_back(m_nodes[id]->unique_id);
  std::sort(ids.begin(), ids.end());
  return make_error(ErrorCode::invalid_argument, "'{}' names {} nodes; give a unique id: {}", name_or_id, ids.size(),
                    join(ids, ", "));
}

std::span<const NodeId> Graph::parents(NodeId id) const {
  return {m_parent_ids.data() + m_parent_start[id], m_parent_start[id + 1] - m_parent_start[id]};
}

std::span<const NodeId> Graph::children(NodeId id) const {
  return {m_child_ids.data() + m_child_start[id], m_child_start[id + 1] - m_child_start[id]};
}

std::span<const NodeId> Graph::tests_of(NodeId id) const {
  return {m_test_ids.data() + m_test_start[id], m_test_start[id + 1] - m_test_start[id]};
}

std::optional<NodeId> Graph::attached_node(NodeId test) const {
  if (m_attached[test] == k_none) return std::nullopt;
  return m_attached[test];
}

std::vector<Reached> Graph::walk(NodeId from, Direction direction, int max_depth) const {
  std::vector<Reached> out;
  if (max_depth == 0) return out;
  std::vector<int> depth(m_nodes.size(), -1);
  depth[from] = 0;
  std::vector<NodeId> frontier{from}, next;
  int level = 0;
  while (!frontier.empty() && (max_depth < 0 || level < max_depth)) {
    ++level;
    next.clear();
    for (NodeId id : frontier) {
      for (NodeId neighbour : direction == Direction::up ? parents(id) : children(id)) {
        if (depth[neighbour] >= 0) continue;
        depth[neighbour] = level;
        next.push_back(neighbour);
      }
    }
    const auto& by_id = rank();
    std::sort(next.begin(), next.end(), [&](NodeId a, NodeId b) { return by_id[a] < by_id[b]; });
    for (NodeId id : next) out.push_back({id, level, direction});
    std::swap(frontier, next);
  }
  return out;
}

bool Graph::is_upstream(NodeId ancestor, NodeId node) const {
  if (ancestor == node) return false;
  std::vector<char> seen(m_nodes.size(), 0);
  std::vector<NodeId> stack{node};
  while (!stack.empty()) {
    NodeId id = stack.back();
    stack.pop_back();
    for (NodeId parent : parents(id)) {
      if (parent == ancestor) return true;
      if (!seen[parent]) {
        seen[parent] = 1;
        stack.push_back(parent);
      }
    }
  }
  return false;
}

}  // namespace cowork::dbt
