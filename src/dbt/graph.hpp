// The lineage graph of a dbt project: every node of the manifest, its parents and children, the tests attached to
// each model and column, and walks up and down with a depth. Edges come from the manifest's parent_map when it has
// one and are computed from each node's depends_on otherwise. Immutable once built; safe to share across threads.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dbt/manifest.hpp"
#include "util/error.hpp"
#include "util/string_index.hpp"

namespace cowork::dbt {

using NodeId = std::uint32_t;

enum class Direction { up, down };

struct Reached {
  NodeId node;
  int depth;  // 1 for direct parents or children
  Direction direction;
};

struct GraphOptions {
  // Use the manifest's parent_map when present. Off, edges always come from depends_on.
  bool use_parent_map = true;
};

class Graph {
 public:
  static Graph build(std::shared_ptr<const Manifest> manifest, const GraphOptions& options = {});

  const Manifest& manifest() const { return *m_manifest; }
  std::size_t size() const { return m_nodes.size(); }
  const Node& node(NodeId id) const { return *m_nodes[id]; }
  // Whether the edges came from the file's parent_map (else from depends_on).
  bool edges_from_parent_map() const { return m_edges_from_parent_map; }

  std::optional<NodeId> find(std::string_view unique_id) const;
  // A unique id, a node name ("stg_orders"), or a source as "source_name.table_name". A name several nodes share is
  // an error listing them, unless exactly one of them is a model, seed or snapshot.
  Result<NodeId> resolve(std::string_view name_or_id) const;

  std::span<const NodeId> parents(NodeId id) const;
  std::span<const NodeId> children(NodeId id) const;

  // Nodes reachable upstream (or downstream) within `max_depth` steps (negative: no limit), each once at its
  // shortest distance, ordered by depth and then unique id.
  std::vector<Reached> walk(NodeId from, Direction direction, int max_depth = -1) const;
  // Whether `ancestor` is reachable upstream from `node`.
  bool is_upstream(NodeId ancestor, NodeId node) const;

  // Tests whose attached node is `id` (for a model, seed, snapshot or source).
  std::span<const NodeId> tests_of(NodeId id) const;
  // The node a test is defined on: attached_node, else the ref()/source() in its `model` argument, else its only
  // parent. Empty for singular tests that read several nodes.
  std::optional<NodeId> attached_node(NodeId test) const;

  // rank()[id] orders nodes by unique id, so sorting by unique id is an integer compare. Computed on first use.
  const std::vector<std::uint32_t>& rank() const;

  // Diagnostics found while building (edges to nodes the manifest does not have, and such).
  const std::vector<std::string>& warnings() const { return m_warnings; }

 private:
  Graph() = default;
  NodeId intern_placeholder(std::string_view unique_id);
  void attach_tests();
  const std::unordered_multimap<std::string_view, NodeId>& names() const;

  std::shared_ptr<const Manifest> m_manifest;
  std::vector<const Node*> m_nodes;
  std::deque<Node> m_placeholders;  // nodes named by an edge but missing from the manifest
  StringArena m_arena;              // their text
  StringIndex m_by_id;
  // Built on first use: only name resolution needs it, and most loads never resolve a name.
  mutable std::unordered_multimap<std::string_view, NodeId> m_by_name;
  mutable std::unique_ptr<std::once_flag> m_by_name_once = std::make_unique<std::once_flag>();
  mutable std::vector<std::uint32_t> m_rank;
  mutable std::unique_ptr<std::once_flag> m_rank_once = std::make_unique<std::once_flag>();
  // Compressed adjacency: the parents of node i are m_parent_ids[m_parent_start[i] .. m_parent_start[i + 1]).
  std::vector<std::uint32_t> m_parent_start, m_child_start, m_test_start;
  std::vector<NodeId> m_parent_ids, m_child_ids, m_test_ids;
  std::vector<NodeId> m_attached;  // per node: the attached node of a test, or k_none
  bool m_edges_from_parent_map = false;
  std::vector<std::string> m_warnings;

  static constexpr NodeId k_none = UINT32_MAX;
};

// The ref or source a test's `model` argument names: "{{ get_where_subquery(ref('orders')) }}" -> {"", "orders"};
// "{{ source('raw', 'orders') }}" -> {"raw", "orders"} with is_source. Empty name when it names neither.
struct TestTarget {
  bool is_source = false;
  std::string package_or_source;  // ref's package, or the source name
  std::string name;
};
TestTarget parse_test_target(std::string_view model_argument);

}  // namespace cowork::dbt
