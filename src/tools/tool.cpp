#include "tools/tool.hpp"

#include <algorithm>
#include <exception>

#include "util/strings.hpp"

namespace cowork::tools {
namespace {

std::string_view json_type_name(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number_integer()) return "an integer";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  return "an object";
}

bool has_type(const nlohmann::json& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "integer")
    return value.is_number_integer() ||
           (value.is_number_float() &&
            value.get<double>() == static_cast<double>(static_cast<std::int64_t>(value.get<double>())));
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  if (type == "null") return value.is_null();
  return true;  // a type this subset does not know constrains nothing
}

std::string expected_type(const nlohmann::json& type) {
  auto one = [](const std::string& name) -> std::string {
    if (name == "integer" || name == "array" || name == "object") return "an " + name;
    return "a " + name;
  };
  if (type.is_string()) return one(type.get<std::string>());
  std::vector<std::string> names;
  for (const auto& t : type)
    if (t.is_string()) names.push_back(one(t.get<std::string>()));
  return join(names, " or ");
}

Status validate_at(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path) {
  if (!schema.is_object()) return {};
  if (auto type = schema.find("type"); type != schema.end()) {
    bool ok = false;
    if (type->is_string()) {
      ok = has_type(value, type->get<std::string>());
    } else if (type->is_array()) {
      for (const auto& t : *type) ok = ok || (t.is_string() && has_type(value, t.get<std::string>()));
    } else {
      ok = true;
    }
    if (!ok)
      return make_error(ErrorCode::invalid_argument, "{}: expected {}, got {}", path, expected_type(*type),
                        json_type_name(value));
  }
  if (auto options = schema.find("enum"); options != schema.end() && options->is_array()) {
    if (std::find(options->begin(), options->end(), value) == options->end()) {
      std::vector<std::string> allowed;
      for (const auto& option : *options) allowed.push_back(option.dump());
      return make_error(ErrorCode::invalid_argument, "{}: {} is not one of {}", path, value.dump(),
                        join(allowed, ", "));
    }
  }
  if (value.is_number()) {
    if (auto minimum = schema.find("minimum");
        minimum != schema.end() && minimum->is_number() && value.get<double>() < minimum->get<double>())
      return make_error(ErrorCode::invalid_argument, "{}: {} is below the minimum {}", path, value.dump(),
                        minimum->dump());
    if (auto maximum = schema.find("maximum");
        maximum != schema.end() && maximum->is_number() && value.get<double>() > maximum->get<double>())
      return make_error(ErrorCode::invalid_argument, "{}: {} is above the maximum {}", path, value.dump(),
                        maximum->dump());
  }
  if (value.is_object()) {
    const auto properties = schema.find("properties");
    if (auto required = schema.find("required"); required != schema.end() && required->is_array())
      for (const auto& name : *required)
        if (name.is_string() && !value.contains(name.get<std::string>()))
          return make_error(ErrorCode::invalid_argument, "{}.{}: required argument missing", path,
                            name.get<std::string>());
    const auto additional = schema.find("additionalProperties");
    const bool closed = additional != schema.end() && additional->is_boolean() && !additional->get<bool>();
    for (const auto& [key, item] : value.items()) {
      const bool known = properties != schema.end() && properties->is_object() && properties->contains(key);
      if (known) {
        COWORK_TRY(validate_at((*properties)[key], item, path + "." + key));
      } else if (closed) {
        std::vector<std::string> names;
        if (properties != schema.end() && properties->is_object())
          for (const auto& [name, _] : properties->items()) names.push_back(name);
        return make_error(ErrorCode::invalid_argument, "{}.{}: unknown argument; the arguments are: {}", path, key,
                          names.empty() ? std::string("none") : join(names, ", "));
      } else if (additional != schema.end() && additional->is_object()) {
        COWORK_TRY(validate_at(*additional, item, path + "." + key));
      }
    }
  }
  if (value.is_array())
    if (auto items = schema.find("items"); items != schema.end())
      for (std::size_t i = 0; i < value.size(); ++i)
        COWORK_TRY(validate_at(*items, value[i], fmt::format("{}[{}]", path, i)));
  return {};
}

// Levenshtein distance, for "did you mean" on names a person or a model mistyped.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The names a node answers to besides its unique id.
std::vector<std::string> names_of(const dbt::Node& node) {
  std::vector<std::string> names{std::string(node.name)};
  if (node.resource_type == dbt::ResourceType::source)
    names.push_back(fmt::format("{}.{}", node.source_name, node.name));
  return names;
}

bool findable(const dbt::Node& node) {
  return !node.placeholder &&
         (dbt::is_buildable(node.resource_type) || node.resource_type == dbt::ResourceType::source ||
          node.resource_type == dbt::ResourceType::test || node.resource_type == dbt::ResourceType::unit_test ||
          node.resource_type == dbt::ResourceType::exposure);
}

}  // namespace

Status validate_arguments(const nlohmann::json& schema, const nlohmann::json& value) {
  return validate_at(schema, value, "args");
}

std::string ToolCall::summary() const {
  if (output) return output->summary;
  if (error) return "error: " + error->message;
  return "error: the call did not run";
}

void ToolRegistry::add(Tool tool) {
  for (Tool& existing : m_tools)
    if (existing.name == tool.name) {
      existing = std::move(tool);
      return;
    }
  m_tools.push_back(std::move(tool));
}

const Tool* ToolRegistry::find(std::string_view name) const {
  for (const Tool& tool : m_tools)
    if (tool.name == name) return &tool;
  return nullptr;
}

ToolCall ToolRegistry::call(ToolContext& context, std::string_view name, const nlohmann::json& args) const {
  ToolCall call;
  call.tool = std::string(name);
  call.args = args.is_null() ? nlohmann::json::object() : args;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&](Result<ToolOutput> outcome) {
    call.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (outcome) {
      call.output = std::move(*outcome);
    } else {
      call.error = std::move(outcome.error());
    }
    return std::move(call);
  };
  const Tool* tool = find(name);
  if (tool == nullptr) {
    std::vector<std::string> names;
    for (const Tool& t : m_tools) names.push_back(t.name);
    return finish(make_error(ErrorCode::not_found, "no tool named '{}'; the tools are: {}", name, join(names, ", ")));
  }
  if (auto valid = validate_arguments(tool->parameters, call.args); !valid)
    return finish(std::unexpected(Error{valid.error().code, fmt::format("{}: {}", tool->name, valid.error().message)}));
  try {
    return finish(tool->handler(context, call.args));
  } catch (const std::exception& e) {
    return finish(make_error(ErrorCode::internal, "{}: the tool stopped unexpectedly: {}", tool->name, e.what()));
  } catch (...) {
    return finish(make_error(ErrorCode::internal, "{}: the tool stopped unexpectedly", tool->name));
  }
}

Result<const incidents::Incident*> ToolContext::find_incident(std::string_view id) const {
  const std::string wanted = to_lower(trim(id));
  if (wanted.empty()) return make_error(ErrorCode::invalid_argument, "no incident id given");
  std::vector<const incidents::Incident*> matches;
  for (const auto& incident : report.incidents) {
    if (incident.id == wanted) return &incident;
    if (incident.id.starts_with(wanted) || incident.id.starts_with("inc_" + wanted)) matches.push_back(&incident);
  }
  if (matches.size() == 1) return matches.front();
  std::vector<std::string> ids;
  for (const auto& incident : report.incidents) ids.push_back(fmt::format("{} ({})", incident.id, incident.title));
  if (matches.empty()) {
    if (ids.empty())
      return make_error(ErrorCode::not_found, "no incident '{}': the run results have no failures{}", id,
                        artifacts.run_results ? "" : " (no run_results.json was found)");
    return make_error(ErrorCode::not_found, "no incident '{}'; the incidents are: {}", id, join(ids, "; "));
  }
  std::vector<std::string> ambiguous;
  for (const auto* incident : matches) ambiguous.push_back(incident->id);
  return make_error(ErrorCode::invalid_argument, "'{}' matches {} incidents; give more of the id: {}", id,
                    matches.size(), join(ambiguous, ", "));
}

Result<const dbt::Node*> ToolContext::find_node(std::string_view id_or_name) const {
  const std::string_view wanted = trim(id_or_name);
  if (wanted.empty()) return make_error(ErrorCode::invalid_argument, "no node given: name a model, source or test");
  if (!artifacts.graph) return make_error(ErrorCode::not_found, "no manifest is loaded, so no node can be found");
  const dbt::Graph& graph = *artifacts.graph;
  if (auto id = graph.find(wanted); id && !graph.node(*id).placeholder) return &graph.node(*id);

  // Exact names first, then names that differ only in case.
  std::vector<const dbt::Node*> matches;
  for (bool exact : {true, false}) {
    for (std::size_t i = 0; i < graph.size(); ++i) {
      const dbt::Node& node = graph.node(static_cast<dbt::NodeId>(i));
      if (!findable(node)) continue;
      for (const std::string& name : names_of(node))
        if (exact ? name == wanted : iequals(name, wanted)) {
          matches.push_back(&node);
          break;
        }
      if (node.resource_type == dbt::ResourceType::test &&
          (exact ? dbt::short_name(node.unique_id) == wanted : iequals(dbt::short_name(node.unique_id), wanted)) &&
          (matches.empty() || matches.back() != &node))
        matches.push_back(&node);
    }
    if (!matches.empty()) break;
  }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    // A model and the test named after it are not really ambiguous: the relation-building node wins, as in dbt.
    std::vector<const dbt::Node*> buildable;
    for (const auto* node : matches)
      if (dbt::is_buildable(node->resource_type)) buildable.push_back(node);
    if (buildable.size() == 1) return buildable.front();
    std::vector<std::string> ids;
    for (const auto* node : matches) ids.emplace_back(node->unique_id);
    std::sort(ids.begin(), ids.end());
    return make_error(ErrorCode::invalid_argument, "'{}' names {} nodes; give the unique id of one: {}", wanted,
                      ids.size(), join(ids, ", "));
  }

  struct Suggestion {
    std::size_t distance;
    std::string name;
  };
  std::vector<Suggestion> suggestions;
  const std::string needle = to_lower(wanted);
  for (std::size_t i = 0; i < graph.size(); ++i) {
    const dbt::Node& node = graph.node(static_cast<dbt::NodeId>(i));
    if (!findable(node) || node.resource_type == dbt::ResourceType::test) continue;
    for (const std::string& name : names_of(node)) {
      const std::size_t distance = edit_distance(wanted, name);
      const bool near = distance <= std::max<std::size_t>(2, wanted.size() / 4);
      const bool contains = needle.size() >= 3 && to_lower(name).find(needle) != std::string::npos;
      if (near || contains) {
        suggestions.push_back({near ? distance : wanted.size(), name});
        break;
      }
    }
  }
  std::sort(suggestions.begin(), suggestions.end(), [](const Suggestion& a, const Suggestion& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.name < b.name;
  });
  if (suggestions.size() > 5) suggestions.resize(5);
  if (suggestions.empty())
    return make_error(ErrorCode::not_found,
                      "no model, seed, snapshot, source or test named '{}' in {}; list the nodes with `cowork ls`",
                      wanted, graph.manifest().path);
  std::vector<std::string> names;
  for (const auto& suggestion : suggestions) names.push_back(suggestion.name);
  return make_error(ErrorCode::not_found, "no node named '{}' in {}; did you mean: {}?", wanted, graph.manifest().path,
                    join(names, ", "));
}

}  // namespace cowork::tools
