#include "dbt/selector.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

constexpr std::string_view k_methods =
    "fqn, path, file, tag, source, package, resource_type, config.<key>, test_name, test_type, exposure, metric, "
    "unit_test, semantic_model, saved_query, result";

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

int to_int(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

// dbt's fqn matching: the leaf matches the whole selector, or the dotted selector matches a prefix of the fqn
// (with or without the package name), each part a wildcard pattern.
bool fqn_parts_match(const std::vector<std::string_view>& fqn, const std::vector<std::string_view>& parts) {
  if (parts.size() > fqn.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (!glob_match(parts[i], fqn[i])) return false;
  return true;
}

bool fqn_matches(const Node& node, std::string_view selector) {
  if (node.fqn.empty()) return glob_match(selector, node.name);
  if (glob_match(selector, node.fqn.back())) return true;
  std::vector<std::string_view> flat;
  for (const auto& segment : node.fqn)
    for (auto piece : split(segment, '.')) flat.push_back(piece);
  const auto parts = split(selector, '.');
  if (fqn_parts_match(flat, parts)) return true;
  if (flat.size() > 1) {
    std::vector<std::string_view> unscoped(flat.begin() + 1, flat.end());
    return fqn_parts_match(unscoped, parts);
  }
  return false;
}

std::string strip_slashes(std::string_view path) {
  std::string out(path);
  while (out.starts_with("./")) out.erase(0, 2);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

bool path_matches(const Node& node, std::string_view selector) {
  const std::string pattern = strip_slashes(selector);
  const std::string_view file = node.original_file_path;
  if (file.empty()) return false;
  if (has_glob(pattern)) return glob_match(pattern, file);
  return file == pattern || (file.starts_with(pattern) && file.size() > pattern.size() && file[pattern.size()] == '/');
}

bool file_matches(const Node& node, std::string_view selector) {
  std::string_view file = node.original_file_path;
  const auto slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  if (glob_match(selector, file)) return true;
  const auto dot = file.rfind('.');
  return dot != std::string_view::npos && glob_match(selector, file.substr(0, dot));
}

bool source_matches(const Node& node, std::string_view selector) {
  if (node.resource_type != ResourceType::source) return false;
  const auto parts = split(selector, '.');
  // source_name, source_name.table, or package.source_name.table
  if (parts.size() == 1) return glob_match(parts[0], node.source_name);
  if (parts.size() == 2) return glob_match(parts[0], node.source_name) && glob_match(parts[1], node.name);
  if (parts.size() == 3)
    return glob_match(parts[0], node.package_name) && glob_match(parts[1], node.source_name) &&
           glob_match(parts[2], node.name);
  return false;
}

// The tests of a node: the children that are tests or unit tests.
bool is_test(const Node& node) {
  return node.resource_type == ResourceType::test || node.resource_type == ResourceType::unit_test;
}

class Selector {
 public:
  Selector(const Graph& graph, const SelectionOptions& options) : m_graph(graph), m_options(options) {
    if (options.run_results != nullptr)
      for (const auto& result : options.run_results->results) m_status.emplace(result.unique_id, result.status);
  }

  // The nodes one atom matches, before graph operators.
  Result<std::vector<char>> match(const SelectorAtom& atom) const {
    std::vector<char> hit(m_graph.size(), 0);
    std::string method = atom.method;
    if (method.empty()) {
      const bool looks_like_path = atom.value.find('/') != std::string::npos || atom.value.ends_with(".sql") ||
                                   atom.value.ends_with(".py") || atom.value.ends_with(".csv") ||
                                   atom.value.ends_with(".yml");
      method = looks_like_path ? (atom.value.find('/') != std::string::npos ? "path" : "file") : "fqn";
    }
    if (method == "result" && m_options.run_results == nullptr)
      return make_error(ErrorCode::invalid_argument,
                        "selector 'result:{}' needs run results (target/run_results.json), and none were loaded",
                        atom.value);
    for (NodeId id = 0; id < m_graph.size(); ++id) {
      const Node& node = m_graph.node(id);
      if (node.placeholder) continue;
      COWORK_ASSIGN_OR_RETURN(bool matched, matches(node, method, atom));
      hit[id] = matched ? 1 : 0;
    }
    return hit;
  }

  Result<bool> matches(const Node& node, const std::string& method, const SelectorAtom& atom) const {
    const std::string& value = atom.value;
    if (method == "fqn") return fqn_matches(node, value);
    if (method == "path") return path_matches(node, value);
    if (method == "file") return file_matches(node, value);
    if (method == "tag")
      return std::any_of(node.tags.begin(), node.tags.end(),
                         [&](std::string_view tag) { return glob_match(value, tag); });
    if (method == "source") return source_matches(node, value);
    if (method == "package") return glob_match(value, node.package_name);
    if (method == "resource_type") return to_string(node.resource_type) == value || node.resource_type_text == value;
    if (method == "exposure") return node.resource_type == ResourceType::exposure && glob_match(value, node.name);
    if (method == "metric") return node.resource_type == ResourceType::metric && glob_match(value, node.name);
    if (method == "unit_test") return node.resource_type == ResourceType::unit_test && fqn_matches(node, value);
    if (method == "semantic_model")
      return node.resource_type == ResourceType::semantic_model && glob_match(value, node.name);
    if (method == "saved_query") return node.resource_type == ResourceType::saved_query && glob_match(value, node.name);
    if (method == "test_name") {
      if (!node.test || node.resource_type != ResourceType::test || node.test->name.empty()) return false;
      const std::string qualified = node.test->namespace_.empty()
                                        ? std::string(node.test->name)
                                        : fmt::format("{}.{}", node.test->namespace_, node.test->name);
      return glob_match(value, node.test->name) || glob_match(value, qualified);
    }
    if (method == "test_type") {
      if (value == "unit") return node.resource_type == ResourceType::unit_test;
      if (node.resource_type != ResourceType::test) return false;
      const bool generic = node.test && !node.test->name.empty();
      if (value == "generic" || value == "schema") return generic;
      if (value == "singular" || value == "data") return !generic;
      return make_error(ErrorCode::invalid_argument, "test_type:{} is not a test type; use generic, singular or unit",
                        value);
    }
    if (method == "config") {
      const std::string& key = atom.method_arg;
      if (key == "materialized") return glob_match(value, node.materialized);
      if (key == "enabled") return (value == "true") == node.enabled;
      if (key == "tags")
        return std::any_of(node.tags.begin(), node.tags.end(),
                           [&](std::string_view tag) { return glob_match(value, tag); });
      if (key == "severity") return node.test.has_value() && iequals(value, node.test->severity);
      if (key == "meta.criticality" || key == "criticality") return glob_match(to_lower(value), node.criticality());
      return make_error(ErrorCode::invalid_argument,
                        "config.{} cannot be selected on; supported: config.materialized, config.enabled, config.tags, "
                        "config.severity",
                        key);
    }
    if (method == "result") {
      auto it = m_status.find(node.unique_id);
      if (it == m_status.end()) return false;
      return run_status_from_string(value) == it->second;
    }
    return make_error(ErrorCode::invalid_argument, "unknown selector method '{}' in '{}:{}'; supported: {}",
                      atom.method, atom.method, value, k_methods);
  }

  // The nodes within `max_depth` steps (negative: any) of a node in `from`, `from` included.
  std::vector<char> reach(const std::vector<char>& from, Direction direction, int max_depth) const {
    std::vector<char> seen = from;
    std::vector<NodeId> frontier, next;
    for (NodeId id = 0; id < m_graph.size(); ++id)
      if (from[id]) frontier.push_back(id);
    for (int level = 0; !frontier.empty() && (max_depth < 0 || level < max_depth); ++level) {
      next.clear();
      for (NodeId id : frontier)
        for (NodeId neighbour : direction == Direction::up ? m_graph.parents(id) : m_graph.children(id))
          if (!seen[neighbour]) {
            seen[neighbour] = 1;
            next.push_back(neighbour);
          }
      std::swap(frontier, next);
    }
    return seen;
  }

  // Applies the graph operators of `atom` to the matched set.
  std::vector<char> expand(const SelectorAtom& atom, const std::vector<char>& hit) const {
    std::vector<char> out = hit;
    auto merge = [&](const std::vector<char>& more) {
      for (NodeId id = 0; id < m_graph.size(); ++id) out[id] = out[id] || more[id];
    };
    if (atom.parents != 0) merge(reach(hit, Direction::up, atom.parents));
    if (atom.at) {
      const auto descendants = reach(hit, Direction::down, -1);
      merge(descendants);
      merge(reach(descendants, Direction::up, -1));
    } else if (atom.children != 0) {
      merge(reach(hit, Direction::down, atom.children));
    }
    return out;
  }

  Result<std::vector<char>> evaluate(const std::vector<std::string>& arguments) const {
    std::vector<char> result(m_graph.size(), 0);
    for (const auto& argument : arguments) {
      for (auto word : split(argument, ' ')) {
        word = trim(word);
        if (word.empty()) continue;
        std::vector<char> intersection;
        bool first = true;
        for (auto piece : split(word, ',')) {
          COWORK_ASSIGN_OR_RETURN(auto atom, parse_selector_atom(piece));
          COWORK_ASSIGN_OR_RETURN(auto hit, match(atom));
          auto expanded = expand(atom, hit);
          if (first) {
            intersection = std::move(expanded);
            first = false;
          } else {
            for (NodeId id = 0; id < m_graph.size(); ++id) intersection[id] = intersection[id] && expanded[id];
          }
        }
        for (NodeId id = 0; id < m_graph.size(); ++id) result[id] = result[id] || intersection[id];
      }
    }
    return result;
  }

  void add_indirect_tests(std::vector<char>& selected) const {
    if (m_options.indirect == IndirectSelection::empty) return;
    const std::vector<char> direct = selected;
    for (NodeId id = 0; id < m_graph.size(); ++id) {
      const Node& node = m_graph.node(id);
      if (!is_test(node) || direct[id]) continue;
      const auto parents = m_graph.parents(id);
      if (parents.empty()) continue;
      const bool any = std::any_of(parents.begin(), parents.end(), [&](NodeId p) { return direct[p] != 0; });
      const bool all = std::all_of(parents.begin(), parents.end(), [&](NodeId p) { return direct[p] != 0; });
      bool take = false;
      switch (m_options.indirect) {
        case IndirectSelection::eager:
          take = any;
          break;
        case IndirectSelection::cautious:
          take = all;
          break;
        case IndirectSelection::buildable:
          // Parents not selected must be upstream of a selected parent.
          take = any && std::all_of(parents.begin(), parents.end(), [&](NodeId p) {
                   if (direct[p]) return true;
                   return std::any_of(parents.begin(), parents.end(),
                                      [&](NodeId q) { return direct[q] && m_graph.is_upstream(p, q); });
                 });
          break;
        case IndirectSelection::empty:
          break;
      }
      if (take) selected[id] = 1;
    }
  }

 private:
  const Graph& m_graph;
  const SelectionOptions& m_options;
  std::unordered_map<std::string_view, RunStatus> m_status;
};

}  // namespace

Result<IndirectSelection> indirect_selection_from_string(std::string_view text) {
  if (text == "eager") return IndirectSelection::eager;
  if (text == "cautious") return IndirectSelection::cautious;
  if (text == "buildable") return IndirectSelection::buildable;
  if (text == "empty") return IndirectSelection::empty;
  return make_error(ErrorCode::invalid_argument,
                    "unknown indirect selection '{}'; use eager, cautious, buildable or empty", text);
}

Result<SelectorAtom> parse_selector_atom(std::string_view text) {
  const std::string original(text);
  SelectorAtom atom;
  text = trim(text);
  if (text.empty()) return make_error(ErrorCode::invalid_argument, "empty selector");
  if (text.front() == '@') {
    atom.at = true;
    text.remove_prefix(1);
  }
  // Leading N+ or +.
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits < text.size() && text[digits] == '+') {
    atom.parents = digits == 0 ? -1 : to_int(text.substr(0, digits));
    if (digits > 0 && atom.parents == 0)
      return make_error(ErrorCode::invalid_argument, "selector '{}': a depth of 0 selects nothing upstream", original);
    text.remove_prefix(digits + 1);
  }
  // Trailing + or +N.
  const auto plus = text.rfind('+');
  if (plus != std::string_view::npos && (plus + 1 == text.size() || all_digits(text.substr(plus + 1)))) {
    atom.children = plus + 1 == text.size() ? -1 : to_int(text.substr(plus + 1));
    if (plus + 1 < text.size() && atom.children == 0)
      return make_error(ErrorCode::invalid_argument, "selector '{}': a depth of 0 selects nothing downstream",
                        original);
    text = text.substr(0, plus);
  }
  if (atom.at && atom.parents != 0)
    return make_error(ErrorCode::invalid_argument, "selector '{}': '@' cannot be combined with a leading '+'",
                      original);
  if (text.find('+') != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "selector '{}': '+' may only lead or trail a selector", original);
  const auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    std::string_view method = text.substr(0, colon);
    atom.value = std::string(text.substr(colon + 1));
    if (method.starts_with("config.")) {
      atom.method = "config";
      atom.method_arg = std::string(method.substr(7));
    } else {
      atom.method = std::string(method);
    }
    if (atom.method.empty())
      return make_error(ErrorCode::invalid_argument, "selector '{}': missing method before ':'", original);
  } else {
    atom.value = std::string(text);
  }
  if (atom.value.empty()) return make_error(ErrorCode::invalid_argument, "selector '{}': nothing to select", original);
  return atom;
}

Result<std::vector<NodeId>> select_nodes(const Graph& graph, const std::vector<std::string>& select,
                                         const std::vector<std::string>& exclude, const SelectionOptions& options) {
  Selector selector(graph, options);
  bool any_select = std::any_of(select.begin(), select.end(), [](const std::string& s) { return !trim(s).empty(); });
  std::vector<char> selected;
  if (any_select) {
    COWORK_ASSIGN_OR_RETURN(selected, selector.evaluate(select));
  } else {
    selected.assign(graph.size(), 1);
  }
  std::vector<char> excluded(graph.size(), 0);
  if (!exclude.empty()) {
    COWORK_ASSIGN_OR_RETURN(excluded, selector.evaluate(exclude));
  }
  for (NodeId id = 0; id < graph.size(); ++id)
    if (excluded[id]) selected[id] = 0;
  selector.add_indirect_tests(selected);
  std::vector<NodeId> out;
  for (NodeId id = 0; id < graph.size(); ++id)
    if (selected[id] && !excluded[id] && !graph.node(id).placeholder) out.push_back(id);
  std::sort(out.begin(), out.end(), [&, &rank = graph.rank()](NodeId a, NodeId b) { return rank[a] < rank[b]; });
  return out;
}

}  // namespace cowork::dbt
