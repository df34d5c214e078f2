#include "dbt/project.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <system_error>

#include <yaml-cpp/yaml.h>

#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/yaml.hpp"

namespace cowork::dbt {
namespace {

namespace fs = std::filesystem;

Location location_of(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

std::unexpected<Error> error_at(const std::string& file, const YAML::Node& node, std::string_view what) {
  return make_error(ErrorCode::invalid_argument, "{}: {}", location_of(file, node).str(), what);
}

std::string scalar(const YAML::Node& node) {
  if (!node || node.IsNull() || !node.IsScalar()) return {};
  return node.Scalar();
}

Result<std::vector<std::string>> string_list(const std::string& file, const YAML::Node& node, std::string_view key) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) return error_at(file, node, fmt::format("{} must be a list of strings", key));
  for (const auto& item : node) {
    if (!item.IsScalar()) return error_at(file, item, fmt::format("{} must be a list of strings", key));
    out.push_back(item.Scalar());
  }
  return out;
}

// Test entries put these keys next to the arguments, or under `config:`; they configure the test rather than
// being passed to its macro (dbt's TestBuilder.CONFIG_ARGS).
constexpr std::array<std::string_view, 14> k_test_config_keys = {
    "severity",  "tags",           "enabled",           "where", "limit",    "warn_if", "error_if",
    "fail_calc", "store_failures", "store_failures_as", "meta",  "database", "schema",  "alias"};

class PropertyParser {
 public:
  PropertyParser(const std::string& file, Project& project) : m_file(file), m_project(project) {}

  Status parse(const YAML::Node& root) {
    if (!root || root.IsNull()) return {};  // an empty file
    if (!root.IsMap()) return error_at(m_file, root, "a property file must be a mapping (version: 2, models: ...)");
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "models" || key == "seeds" || key == "snapshots") {
        COWORK_TRY(parse_nodes(key, value));
      } else if (key == "sources") {
        COWORK_TRY(parse_sources(value));
      } else if (key == "exposures") {
        COWORK_TRY(parse_exposures(value));
      } else if (key == "version" || key == "macros" || key == "analyses" || key == "metrics" ||
                 key == "semantic_models" || key == "saved_queries" || key == "groups" || key == "unit_tests" ||
                 key == "data_tests") {
        // Not used by the native engine; dbt reads them, so they are not errors.
      } else {
        m_project.warnings.push_back(
            fmt::format("{}: unknown top-level key '{}' ignored", location_of(m_file, entry.first).str(), key));
      }
    }
    return {};
  }

 private:
  Result<std::vector<TestSpec>> parse_tests(const YAML::Node& node, const std::string& column) {
    std::vector<TestSpec> tests;
    if (!node || node.IsNull()) return tests;
    if (!node.IsSequence()) return error_at(m_file, node, "data tests must be a list");
    for (const auto& entry : node) {
      TestSpec test;
      test.location = location_of(m_file, entry);
      test.column = column;
      YAML::Node args;
      if (entry.IsScalar()) {
        test.test_name = entry.Scalar();
      } else if (entry.IsMap()) {
        if (entry["test_name"]) {
          // {test_name: unique, name: ..., config: ...}
          test.test_name = scalar(entry["test_name"]);
          args = static_cast<const YAML::Node&>(entry);
        } else if (entry.size() == 1) {
          auto it = entry.begin();
          test.test_name = it->first.as<std::string>();
          args = it->second;
        } else {
          return error_at(m_file, entry,
                          "a data test must be a name (`- unique`) or a mapping with exactly one test name "
                          "(`- accepted_values: {values: [...]}`)");
        }
      } else {
        return error_at(m_file, entry, "a data test must be a name or a mapping");
      }
      if (test.test_name.empty()) return error_at(m_file, entry, "a data test without a name");
      if (args && !args.IsNull() && !args.IsMap())
        return error_at(m_file, args, fmt::format("the arguments of test '{}' must be a mapping", test.test_name));
      if (args && args.IsMap()) {
        for (const auto& arg : args) {
          const std::string key = arg.first.as<std::string>();
          if (key == "test_name") continue;
          if (key == "name") {
            test.custom_name = scalar(arg.second);
          } else if (key == "config") {
            if (!arg.second.IsMap()) return error_at(m_file, arg.second, "a test's config must be a mapping");
            for (const auto& item : arg.second) test.config[item.first.as<std::string>()] = yaml_to_json(item.second);
          } else if (key == "arguments") {
            // dbt 1.10+: the macro's arguments nested under `arguments:`.
            if (!arg.second.IsMap()) return error_at(m_file, arg.second, "a test's arguments must be a mapping");
            for (const auto& item : arg.second) test.args[item.first.as<std::string>()] = yaml_to_json(item.second);
          } else if (std::find(k_test_config_keys.begin(), k_test_config_keys.end(), key) != k_test_config_keys.end()) {
            if (test.config.contains(key))
              return error_at(m_file, arg.first, fmt::format("'{}' is set both on the test and in its config", key));
            test.config[key] = yaml_to_json(arg.second);
          } else {
            test.args[key] = yaml_to_json(arg.second);
          }
        }
      }
      const auto dot = test.test_name.find('.');
      if (dot != std::string::npos) {
        test.namespace_ = test.test_name.substr(0, dot);
        test.name = test.test_name.substr(dot + 1);
      } else {
        test.name = test.test_name;
      }
      if (test.args.contains("model"))
        return error_at(m_file, entry, fmt::format("test '{}' may not take a `model` argument", test.test_name));
      tests.push_back(std::move(test));
    }
    return tests;
  }

  Result<std::vector<ColumnSpec>> parse_columns(const YAML::Node& node) {
    std::vector<ColumnSpec> columns;
    if (!node || node.IsNull()) return columns;
    if (!node.IsSequence()) return error_at(m_file, node, "columns must be a list");
    for (const auto& entry : node) {
      if (!entry.IsMap()) return error_at(m_file, entry, "a column must be a mapping with a name");
      ColumnSpec column;
      column.location = location_of(m_file, entry);
      column.name = scalar(entry["name"]);
      if (column.name.empty()) return error_at(m_file, entry, "a column without a name");
      column.description = scalar(entry["description"]);
      column.data_type = scalar(entry["data_type"]);
      if (entry["meta"]) column.meta = yaml_to_json(entry["meta"]);
      COWORK_ASSIGN_OR_RETURN(column.tags, string_list(m_file, entry["tags"], "tags"));
      for (const char* key : {"tests", "data_tests"}) {
        COWORK_ASSIGN_OR_RETURN(auto tests, parse_tests(entry[key], column.name));
        column.tests.insert(column.tests.end(), tests.begin(), tests.end());
      }
      columns.push_back(std::move(column));
    }
    return columns;
  }

  Status parse_nodes(const std::string& kind, const YAML::Node& node) {
    if (!node || node.IsNull()) return {};
    if (!node.IsSequence()) return error_at(m_file, node, fmt::format("{} must be a list", kind));
    for (const auto& entry : node) {
      if (!entry.IsMap()) return error_at(m_file, entry, fmt::format("each of {} must be a mapping with a name", kind));
      NodeProperties props;
      props.file = m_file;
      props.location = location_of(m_file, entry);
      props.name = scalar(entry["name"]);
      if (props.name.empty()) return error_at(m_file, entry, fmt::format("an entry of {} without a name", kind));
      props.description = scalar(entry["description"]);
      if (entry["config"]) {
        if (!entry["config"].IsMap()) return error_at(m_file, entry["config"], "config must be a mapping");
        props.config = yaml_to_json(entry["config"]);
      }
      // Older projects put meta, tags and docs beside config; they are configs all the same.
      if (entry["meta"]) props.config["meta"] = yaml_to_json(entry["meta"]);
      if (entry["tags"]) props.config["tags"] = yaml_to_json(entry["tags"]);
      COWORK_ASSIGN_OR_RETURN(props.columns, parse_columns(entry["columns"]));
      for (const char* key : {"tests", "data_tests"}) {
        COWORK_ASSIGN_OR_RETURN(auto tests, parse_tests(entry[key], ""));
        props.tests.insert(props.tests.end(), tests.begin(), tests.end());
      }
      if (kind == "models") {
        m_project.model_properties.push_back(std::move(props));
      } else if (kind == "seeds") {
        m_project.seed_properties.push_back(std::move(props));
      } else {
        m_project.warnings.push_back(
            fmt::format("{}: snapshot properties are not used by the native engine", props.location.str()));
      }
    }
    return {};
  }

  Status parse_sources(const YAML::Node& node) {
    if (!node || node.IsNull()) return {};
    if (!node.IsSequence()) return error_at(m_file, node, "sources must be a list");
    for (const auto& entry : node) {
      if (!entry.IsMap()) return error_at(m_file, entry, "a source must be a mapping with a name");
      SourceSpec source;
      source.file = m_file;
      source.location = location_of(m_file, entry);
      source.name = scalar(entry["name"]);
      if (source.name.empty()) return error_at(m_file, entry, "a source without a name");
      source.database = scalar(entry["database"]);
      source.schema = scalar(entry["schema"]);
      source.description = scalar(entry["description"]);
      source.loader = scalar(entry["loader"]);
      source.loaded_at_field = scalar(entry["loaded_at_field"]);
      if (entry["freshness"]) source.freshness = yaml_to_json(entry["freshness"]);
      if (entry["meta"]) source.meta = yaml_to_json(entry["meta"]);
      if (entry["config"]) source.config = yaml_to_json(entry["config"]);
      const YAML::Node& tables = entry["tables"];
      if (tables && !tables.IsNull()) {
        if (!tables.IsSequence()) return error_at(m_file, tables, "tables must be a list");
        for (const auto& table_node : tables) {
          if (!table_node.IsMap()) return error_at(m_file, table_node, "a source table must be a mapping with a name");
          SourceTableSpec table;
          table.location = location_of(m_file, table_node);
          table.name = scalar(table_node["name"]);
          if (table.name.empty()) return error_at(m_file, table_node, "a source table without a name");
          table.identifier = scalar(table_node["identifier"]);
          table.description = scalar(table_node["description"]);
          table.loaded_at_field = scalar(table_node["loaded_at_field"]);
          if (table_node["freshness"]) table.freshness = yaml_to_json(table_node["freshness"]);
          if (table_node["meta"]) table.meta = yaml_to_json(table_node["meta"]);
          if (table_node["config"]) table.config = yaml_to_json(table_node["config"]);
          COWORK_ASSIGN_OR_RETURN(table.columns, parse_columns(table_node["columns"]));
          for (const char* key : {"tests", "data_tests"}) {
            COWORK_ASSIGN_OR_RETURN(auto tests, parse_tests(table_node[key], ""));
            table.tests.insert(table.tests.end(), tests.begin(), tests.end());
          }
          source.tables.push_back(std::move(table));
        }
      }
      m_project.sources.push_back(std::move(source));
    }
    return {};
  }

  Status parse_exposures(const YAML::Node& node) {
    if (!node || node.IsNull()) return {};
    if (!node.IsSequence()) return error_at(m_file, node, "exposures must be a list");
    for (const auto& entry : node) {
      if (!entry.IsMap()) return error_at(m_file, entry, "an exposure must be a mapping with a name");
      ExposureSpec exposure;
      exposure.file = m_file;
      exposure.location = location_of(m_file, entry);
      exposure.name = scalar(entry["name"]);
      if (exposure.name.empty()) return error_at(m_file, entry, "an exposure without a name");
      exposure.type = scalar(entry["type"]);
      exposure.label = scalar(entry["label"]);
      exposure.description = scalar(entry["description"]);
      exposure.maturity = scalar(entry["maturity"]);
      exposure.url = scalar(entry["url"]);
      if (const auto& owner = entry["owner"]; owner && owner.IsMap()) {
        exposure.owner_name = scalar(owner["name"]);
        exposure.owner_email = scalar(owner["email"]);
      }
      COWORK_ASSIGN_OR_RETURN(exposure.depends_on, string_list(m_file, entry["depends_on"], "depends_on"));
      if (entry["meta"]) exposure.meta = yaml_to_json(entry["meta"]);
      m_project.exposures.push_back(std::move(exposure));
    }
    return {};
  }

  const std::string& m_file;
  Project& m_project;
};

// Files under each of `folders` (relative to root) with one of `extensions`, sorted, paths relative to root.
std::vector<fs::path> find_files(const fs::path& root, const std::vector<std::string>& folders,
                                 std::initializer_list<std::string_view> extensions) {
  std::vector<fs::path> out;
  for (const auto& folder : folders) {
    const fs::path dir = root / folder;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file()) continue;
      const std::string ext = it->path().extension().string();
      if (std::find(extensions.begin(), extensions.end(), ext) == extensions.end()) continue;
      out.push_back(fs::relative(it->path(), root));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// project name, the folders between the resource path and the file, the file's stem.
std::vector<std::string> fqn_of(const std::string& project, const std::string& resource_path, const fs::path& file) {
  std::vector<std::string> fqn{project};
  const fs::path inner = file.lexically_relative(resource_path);
  for (auto part = inner.begin(); part != inner.end(); ++part) {
    if (std::next(part) == inner.end()) break;
    fqn.push_back(part->string());
  }
  fqn.push_back(file.stem().string());
  return fqn;
}

Result<std::vector<ProjectFile>> read_files(const fs::path& root, const std::string& project,
                                            const std::vector<std::string>& resource_paths,
                                            std::initializer_list<std::string_view> extensions,
                                            const std::function<bool(const fs::path&)>& keep) {
  std::vector<ProjectFile> out;
  for (const auto& resource_path : resource_paths) {
    for (const auto& file : find_files(root, {resource_path}, extensions)) {
      if (keep && !keep(file)) continue;
      ProjectFile item;
      item.path = file.generic_string();
      item.name = file.stem().string();
      item.fqn = fqn_of(project, resource_path, file);
      COWORK_ASSIGN_OR_RETURN(item.contents, read_file(root / file));
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace

std::string Location::str() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

Result<ProjectSettings> load_project_settings(const fs::path& root) {
  const fs::path file = root / "dbt_project.yml";
  std::error_code ec;
  if (!fs::exists(file, ec))
    return make_error(ErrorCode::not_found, "{}: no dbt_project.yml; is {} a dbt project folder?", file.string(),
                      root.string());
  const std::string label = "dbt_project.yml";
  COWORK_ASSIGN_OR_RETURN(auto yaml, load_yaml_file(file, label));
  if (!yaml.IsMap()) return error_at(label, yaml, "dbt_project.yml must be a mapping of settings");
  ProjectSettings settings;
  settings.name = scalar(yaml["name"]);
  if (settings.name.empty()) return error_at(label, yaml, "dbt_project.yml needs a `name`");
  settings.profile = scalar(yaml["profile"]);
  if (settings.profile.empty()) settings.profile = settings.name;
  settings.version = scalar(yaml["version"]);
  if (const auto& cv = yaml["config-version"]; cv && scalar(cv) != "2")
    return error_at(label, cv, "only config-version: 2 is supported");
  struct PathKey {
    const char* key;
    std::vector<std::string>* out;
  };
  for (const PathKey& path_key :
       {PathKey{"model-paths", &settings.model_paths}, PathKey{"source-paths", &settings.model_paths},
        PathKey{"seed-paths", &settings.seed_paths}, PathKey{"data-paths", &settings.seed_paths},
        PathKey{"test-paths", &settings.test_paths}, PathKey{"macro-paths", &settings.macro_paths},
        PathKey{"snapshot-paths", &settings.snapshot_paths}, PathKey{"analysis-paths", &settings.analysis_paths}}) {
    if (yaml[path_key.key]) {
      COWORK_ASSIGN_OR_RETURN(*path_key.out, string_list(label, yaml[path_key.key], path_key.key));
    }
  }
  if (const auto& target = yaml["target-path"]; target && !target.IsNull()) {
    if (!target.IsScalar()) return error_at(label, target, "target-path must be a string");
    settings.target_path = target.Scalar();
  }
  auto tree = [&](const char* key, nlohmann::json& out) -> Status {
    const auto& node = yaml[key];
    if (!node || node.IsNull()) return {};
    if (!node.IsMap()) return error_at(label, node, fmt::format("`{}` must be a mapping", key));
    nlohmann::json value = yaml_to_json(node);
    for (auto& [k, v] : value.items()) out[k] = std::move(v);
    return {};
  };
  COWORK_TRY(tree("vars", settings.vars));
  COWORK_TRY(tree("models", settings.models));
  COWORK_TRY(tree("seeds", settings.seeds));
  COWORK_TRY(tree("tests", settings.tests));
  COWORK_TRY(tree("data_tests", settings.tests));
  COWORK_TRY(tree("sources", settings.sources));
  COWORK_TRY(tree("snapshots", settings.snapshots));
  return settings;
}

Status parse_property_file(std::string_view text, const std::string& file, Project& project) {
  COWORK_ASSIGN_OR_RETURN(auto yaml, parse_yaml(text, file));
  return PropertyParser(file, project).parse(yaml);
}

Result<Project> load_project(const fs::path& root) {
  Project project;
  project.root = root;
  COWORK_ASSIGN_OR_RETURN(project.settings, load_project_settings(root));
  const ProjectSettings& s = project.settings;
  const std::string& name = s.name;

  COWORK_ASSIGN_OR_RETURN(project.models, read_files(root, name, s.model_paths, {".sql"}, nullptr));
  for (const auto& python : find_files(root, s.model_paths, {".py"}))
    project.warnings.push_back(
        fmt::format("{}: python models are not run by the native engine", python.generic_string()));
  COWORK_ASSIGN_OR_RETURN(project.seeds, read_files(root, name, s.seed_paths, {".csv"}, nullptr));
  COWORK_ASSIGN_OR_RETURN(project.macro_files, read_files(root, name, s.macro_paths, {".sql"}, nullptr));
  // <test-path>/generic holds generic test definitions (macro files); every other .sql there is a singular test.
  auto is_generic = [&](const fs::path& file) {
    for (const auto& test_path : s.test_paths) {
      const fs::path inner = file.lexically_relative(test_path);
      if (!inner.empty() && *inner.begin() == "generic") return true;
    }
    return false;
  };
  COWORK_ASSIGN_OR_RETURN(auto generic, read_files(root, name, s.test_paths, {".sql"}, is_generic));
  project.macro_files.insert(project.macro_files.end(), generic.begin(), generic.end());
  COWORK_ASSIGN_OR_RETURN(project.singular_tests, read_files(root, name, s.test_paths, {".sql"},
                                                             [&](const fs::path& f) { return !is_generic(f); }));
  COWORK_ASSIGN_OR_RETURN(project.analyses, read_files(root, name, s.analysis_paths, {".sql"}, nullptr));
  if (!find_files(root, s.snapshot_paths, {".sql"}).empty())
    project.warnings.push_back("snapshots are not run by the native engine; they are left out of builds");

  // Property files may sit in any resource folder.
  std::vector<std::string> property_folders = s.model_paths;
  for (const auto* more : {&s.seed_paths, &s.snapshot_paths, &s.analysis_paths, &s.macro_paths})
    property_folders.insert(property_folders.end(), more->begin(), more->end());
  std::sort(property_folders.begin(), property_folders.end());
  property_folders.erase(std::unique(property_folders.begin(), property_folders.end()), property_folders.end());
  for (const auto& file : find_files(root, property_folders, {".yml", ".yaml"})) {
    COWORK_ASSIGN_OR_RETURN(auto text, read_file(root / file));
    COWORK_TRY(parse_property_file(text, file.generic_string(), project));
  }
  return project;
}

}  // namespace cowork::dbt
