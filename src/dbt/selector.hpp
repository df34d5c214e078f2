// dbt's node selection syntax over a Graph, as `dbt ls --select ... --exclude ...` reads it:
//   space-separated arguments are a union, commas inside one argument an intersection;
//   an atom is [@][N]+]method:value[+[N]] or a bare value (fqn / name, or a path when it has a '/');
//   methods: fqn, path, file, tag, source, package, resource_type, config.<key>, test_name, test_type, exposure,
//   metric, unit_test, semantic_model, saved_query, result (needs run results); values may use * ? [..] wildcards.
// Tests join a selection indirectly, as in dbt: eager (any parent selected), cautious (all parents), buildable, empty.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dbt/graph.hpp"
#include "dbt/run_results.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

enum class IndirectSelection { eager, cautious, buildable, empty };
Result<IndirectSelection> indirect_selection_from_string(std::string_view text);

struct SelectorAtom {
  bool at = false;  // @ operator: the node, its descendants and their ancestors
  int parents = 0;  // 0 none, -1 all, N: up to N generations
  int children = 0;
  std::string method;      // empty for the default method
  std::string method_arg;  // for config.<key>: the key
  std::string value;
};

// Parses one atom; errors say what is wrong with which part.
Result<SelectorAtom> parse_selector_atom(std::string_view text);

struct SelectionOptions {
  IndirectSelection indirect = IndirectSelection::eager;
  const RunResults* run_results = nullptr;  // for result:<status>
};

// Selects nodes. An empty `select` means every node. Returns node ids sorted by unique id.
Result<std::vector<NodeId>> select_nodes(const Graph& graph, const std::vector<std::string>& select,
                                         const std::vector<std::string>& exclude, const SelectionOptions& options = {});

}  // namespace cowork::dbt
