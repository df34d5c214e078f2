#include "dbt/manifest.hpp"

#include <algorithm>

#include "util/files.hpp"
#include "util/json_reader.hpp"
#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

using json::JsonReader;
using json::Value;

// "project://models/schema.yml" -> "models/schema.yml"
std::string strip_patch_prefix(std::string_view patch_path) {
  const auto scheme = patch_path.find("://");
  return std::string(scheme == std::string_view::npos ? patch_path : patch_path.substr(scheme + 3));
}

void merge_meta(nlohmann::json& into, nlohmann::json&& from) {
  if (!from.is_object() || from.empty()) return;
  if (!into.is_object()) into = nlohmann::json::object();
  for (auto& [key, value] : from.items()) into[key] = std::move(value);
}

class ManifestParser {
 public:
  ManifestParser(JsonReader& reader, Manifest& manifest, const ManifestOptions& options)
      : m_reader(reader), m_manifest(manifest), m_options(options) {}

  Status parse() {
    bool saw_metadata = false;
    COWORK_TRY(m_reader.for_each_root_field([&](std::string_view key, Value& value) -> Status {
      if (key == "metadata") {
        saw_metadata = true;
        return read_metadata(m_reader, value, m_manifest.metadata);
      }
      if (key == "nodes") return parse_node_map(value, ResourceType::other);
      if (key == "sources") return parse_node_map(value, ResourceType::source);
      if (key == "exposures") return parse_node_map(value, ResourceType::exposure);
      if (key == "metrics") return parse_node_map(value, ResourceType::metric);
      if (key == "semantic_models") return parse_node_map(value, ResourceType::semantic_model);
      if (key == "saved_queries") return parse_node_map(value, ResourceType::saved_query);
      if (key == "unit_tests") return parse_node_map(value, ResourceType::unit_test);
      if (key == "functions") return parse_node_map(value, ResourceType::function);
      if (key == "macros" && m_options.keep_macros) return parse_macros(value);
      if (key == "parent_map") return parse_parent_map(value);
      if (key == "disabled") return parse_disabled(value);
      return {};  // docs, selectors, child_map, groups...: not needed
    }));
    return check_metadata(ArtifactKind::manifest, m_reader.label(), saw_metadata, m_manifest.metadata,
                          m_manifest.warnings);
  }

 private:
  Status parse_node_map(Value& value, ResourceType default_type) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& node_value) -> Status {
      Node node;
      node.resource_type = default_type;
      COWORK_TRY(parse_node(node_value, node));
      if (node.unique_id.empty()) node.unique_id = key;
      if (node.resource_type == ResourceType::other && node.resource_type_text.empty())
        node.resource_type = resource_type_from_unique_id(node.unique_id);
      finish_node(node);
      m_manifest.nodes.push_back(std::move(node));
      return {};
    });
  }

  // Fills what older or Fusion manifests leave out, so readers see one shape.
  static void finish_node(Node& node) {
    if (node.name.empty()) {
      const auto dot = node.unique_id.rfind('.');
      node.name = node.unique_id.substr(dot == std::string::npos ? 0 : dot + 1);
    }
    if (node.resource_type == ResourceType::test || node.resource_type == ResourceType::unit_test) {
      if (!node.test) node.test.emplace();
      TestInfo& test = *node.test;
      if (test.column_name.empty() && test.kwargs.is_object()) {
        auto it = test.kwargs.find("column_name");
        if (it != test.kwargs.end() && it->is_string()) test.column_name = it->get<std::string>();
      }
      test.severity = test.severity.empty() ? "ERROR" : to_lower(test.severity) == "warn" ? "WARN" : "ERROR";
      if (test.warn_if.empty()) test.warn_if = "!= 0";
      if (test.error_if.empty()) test.error_if = "!= 0";
    } else {
      node.test.reset();
    }
  }

  Status parse_node(Value& value, Node& node) {
    const bool keep_code = m_options.keep_code;
    return m_reader.for_each_field(
        value,
        [&](std::string_view key, Value& field) -> Status {
          switch (key.empty() ? '\0' : key[0]) {
            case 'a':
              if (key == "alias") return m_reader.read_string(field, node.alias);
              if (key == "attached_node") return m_reader.read_string(field, test_of(node).attached_node);
              break;
            case 'c':
              if (key == "config") return parse_config(field, node);
              if (key == "columns") return parse_columns(field, node);
              if (key == "column_name") return m_reader.read_string(field, test_of(node).column_name);
              if (key == "compiled_code" || key == "compiled_sql")
                return keep_code ? m_reader.read_string(field, node.compiled_code) : Status{};
              break;
            case 'd':
              if (key == "depends_on") return parse_depends_on(field, node);
              if (key == "description") return m_reader.read_string(field, node.description);
              if (key == "database") return m_reader.read_string(field, node.database);
              break;
            case 'f':
              if (key == "fqn") return m_reader.read_string_list(field, node.fqn);
              break;
            case 'i':
              if (key == "identifier") return m_reader.read_string(field, node.identifier);
              break;
            case 'l':
              if (key == "language") return m_reader.read_string(field, node.language);
              if (key == "loaded_at_field") return m_reader.read_string(field, node.loaded_at_field);
              if (key == "label") return m_reader.read_string(field, node.label);
              break;
            case 'm':
              if (key == "meta") return read_meta(field, node);
              if (key == "maturity") return m_reader.read_string(field, node.maturity);
              break;
            case 'n':
              if (key == "name") return m_reader.read_string(field, node.name);
              break;
            case 'o':
              if (key == "original_file_path") return m_reader.read_string(field, node.original_file_path);
              if (key == "owner") return parse_owner(field, node);
              break;
            case 'p':
              if (key == "path") return m_reader.read_string(field, node.path);
              if (key == "package_name") return m_reader.read_string(field, node.package_name);
              if (key == "patch_path") {
                std::string patch;
                COWORK_TRY(m_reader.read_string(field, patch));
                node.patch_path = strip_patch_prefix(patch);
                return {};
              }
              break;
            case 'r':
              if (key == "resource_type") {
                COWORK_TRY(m_reader.read_string(field, node.resource_type_text));
                if (!node.resource_type_text.empty())
                  node.resource_type = resource_type_from_string(node.resource_type_text);
                return {};
              }
              if (key == "raw_code" || key == "raw_sql")
                return keep_code ? m_reader.read_string(field, node.raw_code) : Status{};
              if (key == "relation_name") return m_reader.read_string(field, node.relation_name);
              break;
            case 's':
              if (key == "schema") return m_reader.read_string(field, node.schema);
              if (key == "source_name") return m_reader.read_string(field, node.source_name);
              break;
            case 't':
              if (key == "tags") return read_tags(field, node.tags);
              if (key == "test_metadata") return parse_test_metadata(field, node);
              if (key == "type") return m_reader.read_string(field, node.exposure_type);
              break;
            case 'u':
              if (key == "unique_id") return m_reader.read_string(field, node.unique_id);
              if (key == "url") return m_reader.read_string(field, node.url);
              break;
            default:
              break;
          }
          return {};
        },
        /*null_ok=*/false);
  }

  static TestInfo& test_of(Node& node) {
    if (!node.test) node.test.emplace();
    return *node.test;
  }

  // Tags are a list, but some writers put a single string.
  Status read_tags(Value& value, std::vector<std::string>& out) {
    simdjson::ondemand::json_type type;
    if (auto code = value.type().get(type)) return m_reader.from_simdjson(code);
    if (type == simdjson::ondemand::json_type::string) {
      COWORK_ASSIGN_OR_RETURN(auto tag, m_reader.get_string(value));
      out.emplace_back(tag);
      return {};
    }
    std::vector<std::string> tags;
    COWORK_TRY(m_reader.read_string_list(value, tags));
    for (auto& tag : tags)
      if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
    return {};
  }

  Status read_meta(Value& value, Node& node) {
    COWORK_ASSIGN_OR_RETURN(auto meta, m_reader.get_json(value));
    if (!meta.is_null() && !meta.is_object())
      return m_reader.error_here("expected an object, found " + std::string(meta.type_name()));
    merge_meta(node.meta, std::move(meta));
    return {};
  }

  Status parse_owner(Value& value, Node& node) {
    std::string name, email;
    COWORK_TRY(m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "name") return m_reader.read_string(field, name);
      if (key == "email") {
        // dbt 1.9+ allows a list of emails.
        simdjson::ondemand::json_type type;
        if (auto code = field.type().get(type)) return m_reader.from_simdjson(code);
        if (type == simdjson::ondemand::json_type::array) {
          std::vector<std::string> emails;
          COWORK_TRY(m_reader.read_string_list(field, emails));
          email = join(emails, ", ");
          return {};
        }
        return m_reader.read_string(field, email);
      }
      return {};
    }));
    node.owner = !name.empty() ? name : email;
    return {};
  }

  Status parse_config(Value& value, Node& node) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "materialized") return m_reader.read_string(field, node.materialized);
      if (key == "enabled") {
        COWORK_ASSIGN_OR_RETURN(auto enabled, m_reader.get_optional_bool(field));
        if (enabled) node.enabled = *enabled;
        return {};
      }
      if (key == "meta") return read_meta(field, node);
      if (key == "tags") return read_tags(field, node.tags);
      if (key == "severity") return m_reader.read_string(field, test_of_if_test(node).severity);
      if (key == "where") return m_reader.read_string(field, test_of_if_test(node).where);
      if (key == "warn_if") return m_reader.read_string(field, test_of_if_test(node).warn_if);
      if (key == "error_if") return m_reader.read_string(field, test_of_if_test(node).error_if);
      if (key == "limit") {
        COWORK_ASSIGN_OR_RETURN(auto limit, m_reader.get_optional_int(field));
        test_of_if_test(node).limit = limit;
        return {};
      }
      if (key == "store_failures") {
        COWORK_ASSIGN_OR_RETURN(auto store, m_reader.get_optional_bool(field));
        test_of_if_test(node).store_failures = store.value_or(false);
        return {};
      }
      return {};
    });
  }

  // Config keys such as severity appear on every node kind in some versions; only tests keep them. The resource type
  // may not be known yet (keys come in any order), so the values are parked in `test` and dropped by finish_node.
  static TestInfo& test_of_if_test(Node& node) { return test_of(node); }

  Status parse_test_metadata(Value& value, Node& node) {
    TestInfo& test = test_of(node);
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "name") return m_reader.read_string(field, test.name);
      if (key == "namespace") return m_reader.read_string(field, test.namespace_);
      if (key == "kwargs") {
        COWORK_ASSIGN_OR_RETURN(test.kwargs, m_reader.get_json(field));
        return {};
      }
      return {};
    });
  }

  Status parse_columns(Value& value, Node& node) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      Column column;
      COWORK_TRY(m_reader.for_each_field(field, [&](std::string_view column_key, Value& column_field) -> Status {
        if (column_key == "name") return m_reader.read_string(column_field, column.name);
        if (column_key == "description") return m_reader.read_string(column_field, column.description);
        if (column_key == "data_type") return m_reader.read_string(column_field, column.data_type);
        return {};
      }));
      if (column.name.empty()) column.name = key;
      node.columns.push_back(std::move(column));
      return {};
    });
  }

  Status parse_depends_on(Value& value, Node& node) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "nodes") return m_reader.read_string_list(field, node.depends_on);
      if (key == "macros") return m_reader.read_string_list(field, node.depends_on_macros);
      return {};
    });
  }

  Status parse_macros(Value& value) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& macro_value) -> Status {
      Macro macro;
      COWORK_TRY(m_reader.for_each_field(macro_value, [&](std::string_view field_key, Value& field) -> Status {
        if (field_key == "name") return m_reader.read_string(field, macro.name);
        if (field_key == "package_name") return m_reader.read_string(field, macro.package_name);
        if (field_key == "original_file_path") return m_reader.read_string(field, macro.original_file_path);
        if (field_key == "macro_sql") return m_reader.read_string(field, macro.macro_sql);
        return {};
      }));
      macro.unique_id = key;
      m_manifest.macros.push_back(std::move(macro));
      return {};
    });
  }

  // v4+: {unique_id: [node, ...]}; v1 to v3: [node, ...].
  Status parse_disabled(Value& value) {
    simdjson::ondemand::json_type type;
    if (auto code = value.type().get(type)) return m_reader.from_simdjson(code);
    if (type == simdjson::ondemand::json_type::array) {
      return m_reader.for_each_element(value, [&](std::size_t, Value& node) -> Status {
        return m_reader.for_each_field(node, [&](std::string_view key, Value& field) -> Status {
          if (key != "unique_id") return {};
          return m_reader.read_string(field, m_manifest.disabled.emplace_back());
        });
      });
    }
    return m_reader.for_each_field(value, [&](std::string_view id, Value&) -> Status {
      m_manifest.disabled.emplace_back(id);
      return {};
    });
  }

  Status parse_parent_map(Value& value) {
    auto& map = m_manifest.parent_map.emplace();
    return m_reader.for_each_field(value, [&](std::string_view key, Value& parents) -> Status {
      auto& list = map[std::string(key)];
      return m_reader.read_string_list(parents, list);
    });
  }

  JsonReader& m_reader;
  Manifest& m_manifest;
  const ManifestOptions& m_options;
};

}  // namespace

Result<Manifest> load_manifest(const std::filesystem::path& path, const ManifestOptions& options) {
  COWORK_ASSIGN_OR_RETURN(auto file, PaddedFile::open(path, simdjson::SIMDJSON_PADDING));
  Manifest manifest;
  manifest.path = path.string();
  JsonReader reader(manifest.path, file.data(), file.size(), file.capacity());
  COWORK_TRY(reader.open());
  ManifestParser parser(reader, manifest, options);
  COWORK_TRY(parser.parse());
  return manifest;
}

}  // namespace cowork::dbt
