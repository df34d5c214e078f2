// yaml_properties: the entry of a model, column, source table or test in its property file, with its line.
#include "fixes/yaml_document.hpp"
#include "tools/support.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

using fixes::NodeKind;
using fixes::PathStep;
using fixes::ScalarStyle;
using fixes::YamlDocument;

// A plain scalar as YAML 1.2's core schema types it; quoted scalars stay strings.
nlohmann::json scalar_json(const fixes::Node& node) {
  if (node.style != ScalarStyle::plain) return node.value;
  const std::string& v = node.value;
  if (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
  if (v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "false" || v == "False" || v == "FALSE") return false;
  try {
    std::size_t used = 0;
    if (v.find_first_of(".eE") == std::string::npos) {
      const long long number = std::stoll(v, &used);
      if (used == v.size()) return number;
    } else {
      const double number = std::stod(v, &used);
      if (used == v.size() && std::isdigit(static_cast<unsigned char>(v.back()))) return number;
    }
  } catch (const std::exception&) {
    // not a number: a string
  }
  return v;
}

nlohmann::json to_json(const YamlDocument& doc, fixes::NodeId id) {
  const fixes::Node& node = doc.node(id);
  switch (node.kind) {
    case NodeKind::null:
      return nullptr;
    case NodeKind::scalar:
      return scalar_json(node);
    case NodeKind::block_scalar:
    case NodeKind::alias:
      return node.value;
    case NodeKind::block_mapping:
    case NodeKind::flow_mapping: {
      nlohmann::json out = nlohmann::json::object();
      for (std::size_t i = 0; i < node.keys.size(); ++i)
        out[doc.node(node.keys[i]).value] = to_json(doc, node.values[i]);
      return out;
    }
    case NodeKind::block_sequence:
    case NodeKind::flow_sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (fixes::NodeId item : node.values) out.push_back(to_json(doc, item));
      return out;
    }
  }
  return nullptr;
}

std::string_view section_of(dbt::ResourceType type) {
  switch (type) {
    case dbt::ResourceType::seed:
      return "seeds";
    case dbt::ResourceType::snapshot:
      return "snapshots";
    case dbt::ResourceType::exposure:
      return "exposures";
    default:
      return "models";
  }
}

// The path of the entry describing `node` (a model, seed, snapshot, source table or exposure).
fixes::Path entry_path(const dbt::Node& node) {
  if (node.resource_type == dbt::ResourceType::source)
    return {PathStep::key("sources"), PathStep::match("name", std::string(node.source_name)), PathStep::key("tables"),
            PathStep::match("name", std::string(node.name))};
  return {PathStep::key(std::string(section_of(node.resource_type))), PathStep::match("name", std::string(node.name))};
}

std::string file_of(const dbt::Node& node) {
  if (node.resource_type == dbt::ResourceType::source || node.resource_type == dbt::ResourceType::exposure)
    return std::string(node.original_file_path);
  return std::string(node.patch_path);
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* node, context.find_node(string_arg(args, "node")));
  std::string column = string_arg(args, "column");
  std::string test = string_arg(args, "test");
  const dbt::Graph& graph = *context.artifacts.graph;

  // A test given as the node (or as `test` by its node name) is looked up under the node and column it is on.
  const dbt::Node* owner = node;
  const dbt::Node* test_node = nullptr;
  if (node->resource_type == dbt::ResourceType::test) {
    test_node = node;
  } else if (!test.empty()) {
    if (auto found = context.find_node(test); found && (*found)->resource_type == dbt::ResourceType::test)
      test_node = *found;
  }
  if (test_node != nullptr) {
    if (!test_node->test || test_node->test->name.empty())
      return make_error(ErrorCode::invalid_argument,
                        "{} is a singular test: it is a SQL file ({}), not a property-file entry; read it with "
                        "test_definition",
                        test_node->unique_id, test_node->original_file_path);
    const auto attached = graph.attached_node(*graph.find(test_node->unique_id));
    if (!attached)
      return make_error(ErrorCode::not_found, "{}: the node it tests is not in the manifest", test_node->unique_id);
    owner = &graph.node(*attached);
    if (column.empty()) column = std::string(test_node->test->column_name);
    test = test_node->test->namespace_.empty()
               ? std::string(test_node->test->name)
               : fmt::format("{}.{}", test_node->test->namespace_, test_node->test->name);
  }
  if (owner->resource_type == dbt::ResourceType::test)
    return make_error(ErrorCode::invalid_argument, "{} is a test without a node it is attached to", owner->unique_id);

  const std::string file = test_node != nullptr ? std::string(test_node->original_file_path) : file_of(*owner);
  if (file.empty() || (!file.ends_with(".yml") && !file.ends_with(".yaml")))
    return make_error(ErrorCode::not_found,
                      "{} has no property file entry (no models: entry in a .yml file describes it); its columns and "
                      "tests would go into one such as models/schema.yml",
                      owner->unique_id);
  COWORK_ASSIGN_OR_RETURN(std::string text, read_file(context.project_dir / file));
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::parse(std::move(text), file));

  fixes::Path path = entry_path(*owner);
  if (!column.empty()) {
    path.push_back(PathStep::key("columns"));
    path.push_back(PathStep::match("name", column));
  }
  auto entry = doc.resolve(path);
  // Column names are matched as dbt matches them: case-insensitively when the exact spelling is not there.
  if (!entry && !column.empty()) {
    auto columns_path = path;
    columns_path.pop_back();
    if (auto columns = doc.resolve(columns_path); columns && doc.node(*columns).is_sequence())
      for (fixes::NodeId item : doc.node(*columns).values)
        if (doc.node(item).is_mapping() && iequals(doc.scalar_at(item, "name"), column)) entry = item;
  }
  if (!entry)
    return make_error(ErrorCode::not_found, "{}: no entry for {}{} ({})", file, owner->unique_id,
                      column.empty() ? std::string() : " column " + column, entry.error().message);
  if (!test.empty()) {
    COWORK_ASSIGN_OR_RETURN(std::vector<fixes::NodeId> tests, doc.tests_of(*entry));
    std::vector<fixes::NodeId> matching;
    const auto bare = test.substr(test.find('.') == std::string::npos ? 0 : test.find('.') + 1);
    for (fixes::NodeId t : tests) {
      const std::string name = doc.test_name(t);
      if (name == test || name == bare || doc.test_custom_name(t) == test) matching.push_back(t);
    }
    if (matching.empty()) {
      std::vector<std::string> names;
      for (fixes::NodeId t : tests) names.push_back(doc.test_name(t));
      return make_error(ErrorCode::not_found, "{}: {} has no test '{}'{}", doc.location(doc.node(*entry).begin),
                        doc.describe(*entry), test,
                        names.empty() ? std::string(" (it has no tests)") : "; its tests: " + join(names, ", "));
    }
    // Of two same-named tests, the one whose arguments match the test node's.
    entry = matching.front();
    if (test_node != nullptr && matching.size() > 1)
      for (fixes::NodeId t : matching) {
        nlohmann::json props = to_json(doc, t);
        const std::string text = props.dump();
        bool all = true;
        for (const auto& [key, value] : test_node->test->kwargs.items())
          if (key != "model" && key != "column_name" && text.find(value.dump()) == std::string::npos) all = false;
        if (all) {
          entry = t;
          break;
        }
      }
  }

  const fixes::Node& found = doc.node(*entry);
  std::size_t begin = found.begin;
  if (found.parent != fixes::k_no_node && doc.node(found.parent).is_sequence() && found.index >= 0)
    begin = doc.node(found.parent).entry_begins[static_cast<std::size_t>(found.index)];
  begin = doc.line_start(begin);
  const int line = doc.line_of(begin);
  std::string yaml = doc.text().substr(begin, found.end - begin);
  nlohmann::json properties = to_json(doc, *entry);
  const std::string what = test.empty() ? (column.empty() ? std::string(owner->name) : column) : test;
  return ToolOutput{{{"path", file}, {"line", line}, {"yaml", yaml}, {"properties", std::move(properties)}},
                    fmt::format("{}:{}: {} ({})", file, line, what, doc.describe(*entry))};
}

}  // namespace

void register_yaml_properties(ToolRegistry& registry) {
  registry.add({
      "yaml_properties",
      "The entry of a model, seed, source table, column or data test in its property YAML file (schema.yml, "
      "sources.yml): the file, the 1-based line where the entry starts, its text as written and as JSON. Use it "
      "before proposing a config fix (accepted values, severity, where), since a fix edits exactly that entry.",
      object_schema({{"node", string_param("A model, seed, source (source_name.table) or test, by name or unique id")},
                     {"column", string_param("A column of that node: its entry under columns:")},
                     {"test", string_param("A data test of the node or column: its name (accepted_values, not_null, "
                                           "dbt_utils.expression_is_true) or the test node's name")}},
                    {"node"}),
      run,
  });
}

}  // namespace cowork::tools
