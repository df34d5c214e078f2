#include "fixes/property_edits.hpp"

#include <algorithm>
#include <charconv>

#include "util/strings.hpp"

namespace cowork::fixes {

namespace {

std::string_view kind_word(Resource::Kind kind) {
  switch (kind) {
    case Resource::Kind::model:
      return "model";
    case Resource::Kind::seed:
      return "seed";
    case Resource::Kind::snapshot:
      return "snapshot";
    case Resource::Kind::source:
      return "source";
  }
  return "model";
}

std::string names_or_none(const std::vector<std::string>& names) {
  return names.empty() ? std::string("none") : join(names, ", ");
}

// The item of `list` whose `name:` is `name`; case-insensitively when nothing matches exactly and one item does.
Result<NodeId> item_named(const YamlDocument& doc, NodeId list, std::string_view name, std::string_view what,
                          std::string_view owner, std::vector<std::string>& names) {
  std::vector<NodeId> exact, loose;
  for (NodeId item : doc.node(list).values) {
    if (!doc.node(item).is_mapping()) continue;
    const std::string item_name = doc.scalar_at(item, "name");
    names.push_back(item_name);
    if (item_name == name) exact.push_back(item);
    if (iequals(item_name, name)) loose.push_back(item);
  }
  const std::vector<NodeId>& found = exact.empty() ? loose : exact;
  if (found.size() > 1)
    return make_error(ErrorCode::invalid_argument, "{}: {} describes the {} '{}' twice; which one is meant?",
                      doc.location(doc.node(found[1]).begin), owner, what, name);
  return found.empty() ? k_no_node : found[0];
}

std::string owner_words(const Resource& resource, std::string_view column) {
  if (column.empty()) return resource.describe();
  return fmt::format("column '{}' of {}", column, resource.describe());
}

// `accepted_values#1` selects the second of two same-named tests.
std::pair<std::string, int> split_test_selector(std::string_view test) {
  const std::size_t hash = test.rfind('#');
  if (hash == std::string_view::npos || hash + 1 >= test.size()) return {std::string(test), -1};
  int which = 0;
  const auto [ptr, ec] = std::from_chars(test.data() + hash + 1, test.data() + test.size(), which);
  if (ec != std::errc() || ptr != test.data() + test.size()) return {std::string(test), -1};
  return {std::string(test.substr(0, hash)), which};
}

std::string value_text(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

}  // namespace

std::string Resource::describe() const {
  if (kind == Kind::source) return fmt::format("source table '{}.{}'", name, table);
  return fmt::format("{} '{}'", kind_word(kind), name);
}

Result<NodeId> find_resource(const YamlDocument& doc, const Resource& resource) {
  const std::string_view word = kind_word(resource.kind);
  const std::string section = std::string(word) + "s";
  const NodeId root = doc.root();
  if (!doc.node(root).is_mapping())
    return make_error(ErrorCode::not_found, "{}: no {} named '{}' (the file is not a mapping of dbt properties)",
                      doc.file(), word, resource.name);
  COWORK_ASSIGN_OR_RETURN(NodeId list, doc.find_key(root, section));
  if (list == k_no_node || doc.node(list).kind == NodeKind::null)
    return make_error(ErrorCode::not_found, "{}: no {} named '{}' (this file has no {}: list)", doc.file(), word,
                      resource.name, section);
  if (!doc.node(list).is_sequence())
    return make_error(ErrorCode::invalid_argument, "{}: {}: should be a list", doc.location(doc.node(list).begin),
                      section);
  std::vector<std::string> names;
  COWORK_ASSIGN_OR_RETURN(NodeId item, item_named(doc, list, resource.name, word, "this file", names));
  if (item == k_no_node)
    return make_error(ErrorCode::not_found, "{}: no {} named '{}' ({} here: {})", doc.file(), word, resource.name,
                      section, names_or_none(names));
  if (resource.kind != Resource::Kind::source) return item;
  const std::string owner = fmt::format("source '{}'", resource.name);
  COWORK_ASSIGN_OR_RETURN(NodeId tables, doc.find_key(item, "tables"));
  if (tables == k_no_node || !doc.node(tables).is_sequence())
    return make_error(ErrorCode::not_found, "{}: {} lists no tables, so none named '{}'",
                      doc.location(doc.node(item).begin), owner, resource.table);
  names.clear();
  COWORK_ASSIGN_OR_RETURN(NodeId table, item_named(doc, tables, resource.table, "table", owner, names));
  if (table == k_no_node)
    return make_error(ErrorCode::not_found, "{}: {} has no table '{}' (tables here: {})",
                      doc.location(doc.node(item).begin), owner, resource.table, names_or_none(names));
  return table;
}

Result<NodeId> find_column(const YamlDocument& doc, const Resource& resource, std::string_view column) {
  COWORK_ASSIGN_OR_RETURN(NodeId owner, find_resource(doc, resource));
  if (column.empty()) return owner;
  COWORK_ASSIGN_OR_RETURN(NodeId columns, doc.find_key(owner, "columns"));
  if (columns == k_no_node || !doc.node(columns).is_sequence())
    return make_error(ErrorCode::not_found, "{}: {} lists no columns, so none named '{}'",
                      doc.location(doc.node(owner).begin), resource.describe(), column);
  std::vector<std::string> names;
  COWORK_ASSIGN_OR_RETURN(NodeId item, item_named(doc, columns, column, "column", resource.describe(), names));
  if (item == k_no_node)
    return make_error(ErrorCode::not_found, "{}: {} has no column '{}' (columns here: {})",
                      doc.location(doc.node(owner).begin), resource.describe(), column, names_or_none(names));
  return item;
}

Result<NodeId> find_test(const YamlDocument& doc, const Resource& resource, std::string_view column,
                         std::string_view test) {
  COWORK_ASSIGN_OR_RETURN(NodeId owner, find_column(doc, resource, column));
  const auto [name, which] = split_test_selector(test);
  COWORK_ASSIGN_OR_RETURN(std::vector<NodeId> entries, doc.tests_of(owner));
  std::vector<NodeId> found;
  std::vector<std::string> names;
  for (NodeId e : entries) {
    names.push_back(doc.test_name(e));
    if (doc.test_name(e) == name || doc.test_custom_name(e) == name) found.push_back(e);
  }
  if (found.empty()) {
    for (NodeId e : entries) {
      const std::string full = doc.test_name(e);
      const std::size_t dot = full.rfind('.');
      if (dot != std::string::npos && full.substr(dot + 1) == name) found.push_back(e);
    }
  }
  const std::string where = doc.location(doc.node(owner).begin);
  if (found.empty())
    return make_error(ErrorCode::not_found, "{}: {} has no test '{}' (tests here: {})", where,
                      owner_words(resource, column), name, names_or_none(names));
  if (which >= 0) {
    if (static_cast<std::size_t>(which) >= found.size())
      return make_error(ErrorCode::not_found, "{}: {} has {} '{}' tests; there is no #{}", where,
                        owner_words(resource, column), found.size(), name, which);
    return found[static_cast<std::size_t>(which)];
  }
  if (found.size() > 1)
    return make_error(ErrorCode::invalid_argument,
                      "{}: {} has {} '{}' tests; name the one meant by its name: or as '{}#N' (N from 0)",
                      doc.location(doc.node(found[1]).begin), owner_words(resource, column), found.size(), name, name);
  return found[0];
}

Result<std::string> add_accepted_values(std::string_view text, std::string_view file, const Resource& resource,
                                        std::string_view column, const std::vector<Value>& values) {
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::parse(std::string(text), std::string(file)));
  COWORK_ASSIGN_OR_RETURN(NodeId entry, find_test(doc, resource, column, "accepted_values"));
  NodeId args = test_body(doc, entry);
  if (args == k_no_node || !doc.node(args).is_mapping())
    return make_error(ErrorCode::invalid_argument, "{}: the accepted_values test of {} has no values: list",
                      doc.location(doc.node(entry).begin), owner_words(resource, column));
  // dbt 1.10 puts a test's arguments under `arguments:`.
  COWORK_ASSIGN_OR_RETURN(NodeId arguments, doc.find_key(args, "arguments"));
  if (arguments != k_no_node && doc.node(arguments).is_mapping()) args = arguments;
  COWORK_ASSIGN_OR_RETURN(NodeId list, doc.find_key(args, "values"));
  if (list == k_no_node)
    return make_error(ErrorCode::invalid_argument, "{}: the accepted_values test of {} has no values: list",
                      doc.location(doc.node(entry).begin), owner_words(resource, column));
  const Node& l = doc.node(list);
  if (l.kind != NodeKind::null && !l.is_sequence())
    return make_error(ErrorCode::invalid_argument,
                      "{}: the values: of this accepted_values test are {}, not a list cowork can add to",
                      doc.location(l.begin), l.kind == NodeKind::alias ? "an alias" : "computed or a scalar");
  std::vector<std::string> present;
  for (NodeId item : l.values)
    if (doc.node(item).kind == NodeKind::scalar) present.push_back(doc.node(item).value);
  std::vector<Value> to_add;
  for (const Value& v : values) {
    const std::string key = value_text(v);
    if (std::find(present.begin(), present.end(), key) != present.end()) continue;
    present.push_back(key);
    to_add.push_back(v);
  }
  if (to_add.empty()) return std::string(text);
  Editor editor(doc);
  COWORK_TRY(editor.append_items(list, to_add));
  return editor.finish();
}

Result<std::string> set_test_config(std::string_view text, std::string_view file, const Resource& resource,
                                    std::string_view column, std::string_view test, std::string_view key,
                                    const Value& value) {
  if (key.empty() || key == "config" || key == "arguments")
    return make_error(ErrorCode::invalid_argument, "set_test_config: '{}' is not a test config key", key);
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::parse(std::string(text), std::string(file)));
  COWORK_ASSIGN_OR_RETURN(NodeId entry, find_test(doc, resource, column, test));
  Editor editor(doc);
  const NodeId body = test_body(doc, entry);
  if (body != k_no_node && doc.node(body).is_mapping()) {
    COWORK_ASSIGN_OR_RETURN(NodeId config, doc.find_key(body, "config"));
    if (config != k_no_node && doc.node(config).is_mapping()) {
      COWORK_ASSIGN_OR_RETURN(NodeId existing, doc.find_key(config, key));
      if (existing != k_no_node) {
        COWORK_TRY(editor.replace_value(existing, value));
        return editor.finish();
      }
    }
    // The older style sets configs at the test's top level; change it there rather than add a second one.
    COWORK_ASSIGN_OR_RETURN(NodeId top, doc.find_key(body, key));
    if (top != k_no_node) {
      COWORK_TRY(editor.replace_value(top, value));
      return editor.finish();
    }
  }
  COWORK_TRY(set_in_test(editor, entry, {"config", std::string(key)}, value));
  return editor.finish();
}

Result<std::string> add_data_test(std::string_view text, std::string_view file, const Resource& resource,
                                  std::string_view column, const Value& test) {
  if (!(test.is_string() || (test.is_object() && test.size() >= 1)))
    return make_error(ErrorCode::invalid_argument, "add_data_test: a test is a name or {{name: {{...}}}}, not {}",
                      test.dump());
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::parse(std::string(text), std::string(file)));
  COWORK_ASSIGN_OR_RETURN(NodeId resource_node, find_resource(doc, resource));
  Editor editor(doc);
  const std::string& tests_key = doc.conventions().tests_key;
  NodeId owner = resource_node;
  if (!column.empty()) {
    COWORK_ASSIGN_OR_RETURN(NodeId columns, doc.find_key(resource_node, "columns"));
    std::vector<std::string> names;
    NodeId found = k_no_node;
    if (columns != k_no_node && doc.node(columns).is_sequence()) {
      COWORK_ASSIGN_OR_RETURN(found, item_named(doc, columns, column, "column", resource.describe(), names));
    }
    if (found == k_no_node) {
      // A column the file does not describe yet gets an entry of its own.
      Value entry = Value::object();
      entry["name"] = std::string(column);
      entry[tests_key] = Value::array({test});
      if (columns == k_no_node) {
        COWORK_TRY(editor.set_in(resource_node, {"columns"}, Value::array({entry})));
      } else {
        COWORK_TRY(editor.append_items(columns, {entry}));
      }
      return editor.finish();
    }
    owner = found;
  }
  if (test.is_string()) {
    COWORK_ASSIGN_OR_RETURN(std::vector<NodeId> entries, doc.tests_of(owner));
    for (NodeId e : entries)
      if (doc.test_name(e) == test.get<std::string>()) return std::string(text);
  }
  COWORK_ASSIGN_OR_RETURN(NodeId data_tests, doc.find_key(owner, "data_tests"));
  COWORK_ASSIGN_OR_RETURN(NodeId tests, doc.find_key(owner, "tests"));
  const NodeId list = data_tests != k_no_node ? data_tests : tests;
  if (list == k_no_node) {
    COWORK_TRY(editor.set_in(owner, {tests_key}, Value::array({test})));
  } else {
    COWORK_TRY(editor.append_items(list, {test}));
  }
  return editor.finish();
}

Result<std::string> remove_data_test(std::string_view text, std::string_view file, const Resource& resource,
                                     std::string_view column, std::string_view test) {
  COWORK_ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::parse(std::string(text), std::string(file)));
  COWORK_ASSIGN_OR_RETURN(NodeId entry, find_test(doc, resource, column, test));
  const NodeId list = doc.node(entry).parent;
  Editor editor(doc);
  if (doc.node(list).values.size() == 1 && doc.node(list).parent != k_no_node &&
      doc.node(doc.node(list).parent).is_mapping()) {
    COWORK_TRY(editor.remove_entry(doc.node(list).parent, doc.node(list).index));
  } else {
    COWORK_TRY(editor.remove_entry(list, doc.node(entry).index));
  }
  return editor.finish();
}

}  // namespace cowork::fixes
