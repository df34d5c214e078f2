#include "dbt/artifact_writer.hpp"
#include "util/json_text.hpp"

#include <chrono>
#include <map>

#include "util/files.hpp"
#include "util/md5.hpp"

namespace cowork::dbt {
namespace {

using ojson = nlohmann::ordered_json;

ojson columns_json(const std::vector<ColumnSpec>& columns) {
  ojson out = ojson::object();
  for (const auto& column : columns) {
    out[column.name] = ojson{{"name", column.name},
                             {"description", column.description},
                             {"meta", ojson(column.meta)},
                             {"data_type", column.data_type.empty() ? ojson(nullptr) : ojson(column.data_type)},
                             {"constraints", ojson::array()},
                             {"quote", nullptr},
                             {"tags", column.tags}};
  }
  return out;
}

ojson node_json(const ProjectNode& node, const std::string& project) {
  ojson config = ojson(node.config);
  if (!config.contains("tags")) config["tags"] = ojson::array();
  if (!config.contains("meta")) config["meta"] = ojson::object();
  ojson out = {
      {"database", node.database.empty() ? ojson(nullptr) : ojson(node.database)},
      {"schema", node.schema},
      {"name", node.name},
      {"resource_type", std::string(to_string(node.resource_type))},
      {"package_name", node.package_name},
      {"path", node.path},
      {"original_file_path", node.original_file_path},
      {"unique_id", node.unique_id},
      {"fqn", node.fqn},
      {"alias", node.alias},
      {"checksum", {{"name", node.checksum.empty() ? "none" : "md5"}, {"checksum", node.checksum}}},
      {"config", config},
      {"tags", node.tags()},
      {"description", node.description},
      {"columns", columns_json(node.columns)},
      {"meta", ojson(node.meta())},
      {"group", nullptr},
      {"docs", {{"show", true}, {"node_color", nullptr}}},
      {"patch_path", node.patch_path.empty() ? ojson(nullptr) : ojson(project + "://" + node.patch_path)},
      {"build_path", nullptr},
      {"unrendered_config", ojson::object()},
      {"created_at", 0.0},
      {"relation_name", node.relation_name.empty() ? ojson(nullptr) : ojson(node.relation_name)},
      {"raw_code", node.raw_code},
      {"language", node.language},
      {"refs", ojson(node.refs)},
      {"sources", ojson(node.sources)},
      {"metrics", ojson::array()},
      {"depends_on", {{"macros", node.depends_on_macros}, {"nodes", node.depends_on}}},
      {"compiled_path", nullptr},
      {"compiled", node.compiled},
      {"compiled_code", node.compiled ? ojson(node.compiled_code) : ojson(nullptr)},
      {"extra_ctes_injected", node.compiled},
      {"extra_ctes", ojson::array()},
      {"contract", {{"enforced", false}, {"alias_types", true}, {"checksum", nullptr}}},
  };
  if (node.resource_type == ResourceType::test) {
    if (node.test) {
      const std::string ns = node.test->namespace_;
      out["test_metadata"] = {{"name", node.test->name},
                              {"kwargs", ojson(node.test_kwargs)},
                              {"namespace", ns.empty() ? ojson(nullptr) : ojson(ns)}};
      out["column_name"] = node.column_name.empty() ? ojson(nullptr) : ojson(node.column_name);
      out["file_key_name"] = "models." + node.test->custom_name;
    }
    out["attached_node"] = node.attached_node.empty() ? ojson(nullptr) : ojson(node.attached_node);
  }
  if (node.resource_type == ResourceType::model) {
    out["access"] = "protected";
    out["constraints"] = ojson::array();
    out["version"] = nullptr;
    out["latest_version"] = nullptr;
    out["deprecation_date"] = nullptr;
    out["primary_key"] = ojson::array();
  }
  if (node.resource_type == ResourceType::seed) out["root_path"] = nullptr;
  return out;
}

ojson source_json(const ProjectNode& node) {
  ojson config = ojson(node.config);
  return {{"database", node.database.empty() ? ojson(nullptr) : ojson(node.database)},
          {"schema", node.schema},
          {"name", node.name},
          {"resource_type", "source"},
          {"package_name", node.package_name},
          {"path", node.path},
          {"original_file_path", node.original_file_path},
          {"unique_id", node.unique_id},
          {"fqn", node.fqn},
          {"source_name", node.source_name},
          {"source_description", node.source_description},
          {"loader", node.loader},
          {"identifier", node.identifier},
          {"quoting", ojson::object()},
          {"loaded_at_field", node.loaded_at_field.empty() ? ojson(nullptr) : ojson(node.loaded_at_field)},
          {"freshness", ojson(node.freshness)},
          {"external", nullptr},
          {"description", node.description},
          {"columns", columns_json(node.columns)},
          {"meta", ojson(node.meta())},
          {"source_meta", ojson::object()},
          {"tags", node.tags()},
          {"config", config},
          {"patch_path", nullptr},
          {"unrendered_config", ojson::object()},
          {"relation_name", node.relation_name},
          {"created_at", 0.0}};
}

ojson exposure_json(const ProjectNode& node) {
  return {{"name", node.name},
          {"resource_type", "exposure"},
          {"package_name", node.package_name},
          {"path", node.path},
          {"original_file_path", node.original_file_path},
          {"unique_id", node.unique_id},
          {"fqn", node.fqn},
          {"type", node.exposure_type},
          {"owner",
           {{"email", node.owner_email.empty() ? ojson(nullptr) : ojson(node.owner_email)},
            {"name", node.owner_name.empty() ? ojson(nullptr) : ojson(node.owner_name)}}},
          {"description", node.description},
          {"label", node.label.empty() ? ojson(nullptr) : ojson(node.label)},
          {"maturity", node.maturity.empty() ? ojson(nullptr) : ojson(node.maturity)},
          {"meta", ojson(node.meta())},
          {"tags", node.tags()},
          {"config", ojson(node.config)},
          {"unrendered_config", ojson::object()},
          {"url", node.url.empty() ? ojson(nullptr) : ojson(node.url)},
          {"depends_on", {{"macros", ojson::array()}, {"nodes", node.depends_on}}},
          {"refs", ojson(node.refs)},
          {"sources", ojson(node.sources)},
          {"metrics", ojson::array()},
          {"created_at", 0.0}};
}

}  // namespace

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - seconds).count();
  const std::time_t time = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:06}Z", buffer, micros);
}

namespace {

// Appends `"key":value,...` members to a JSON object being written as text; the caller writes the braces.
class MemberWriter {
 public:
  explicit MemberWriter(std::string& out) : m_out(out) {}
  void member(std::string_view key, const ojson& value) {
    key_only(key);
    m_out += dump_json(value);
  }
  void key_only(std::string_view key) {
    if (!m_first) m_out += ',';
    m_first = false;
    m_out += dump_json(ojson(std::string(key)));
    m_out += ':';
  }

 private:
  std::string& m_out;
  bool m_first = true;
};

}  // namespace

std::string manifest_text(const Compiler& compiler, const ArtifactContext& context) {
  // Written member by member rather than as one JSON tree: a project of thousands of nodes would otherwise pay for
  // ordered_json's linear key lookups on every insert and for copying the whole tree into its parent.
  const std::string& project = context.project_name;
  std::map<std::string_view, const std::vector<std::string>*> parents;
  std::map<std::string_view, std::vector<std::string_view>> children;
  for (const auto& node : compiler.nodes()) {
    parents[node.unique_id] = &node.depends_on;
    children[node.unique_id];
  }
  for (const auto& [id, list] : parents)
    for (const auto& parent : *list) children[parent].push_back(id);

  std::string out;
  out.reserve(compiler.nodes().size() * 4096);
  out += '{';
  MemberWriter top(out);
  top.member("metadata", {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/manifest/v12.json"},
                          {"dbt_version", k_engine_dbt_version},
                          {"generated_at", context.generated_at},
                          {"invocation_id", context.invocation_id},
                          {"env", ojson::object()},
                          {"project_name", project},
                          {"project_id", md5_hex(project)},
                          {"user_id", nullptr},
                          {"send_anonymous_usage_stats", false},
                          {"adapter_type", context.adapter_type}});
  auto section = [&](std::string_view name, auto&& include, auto&& to_json) {
    top.key_only(name);
    out += '{';
    MemberWriter members(out);
    for (const auto& node : compiler.nodes())
      if (include(node)) members.member(node.unique_id, to_json(node));
    out += '}';
  };
  section(
      "nodes",
      [](const ProjectNode& n) { return n.resource_type != ResourceType::source && n.resource_type != ResourceType::exposure; },
      [&](const ProjectNode& n) { return node_json(n, project); });
  section(
      "sources", [](const ProjectNode& n) { return n.resource_type == ResourceType::source; },
      [](const ProjectNode& n) { return source_json(n); });

  top.key_only("macros");
  out += '{';
  {
    MemberWriter members(out);
    for (const auto& macro : compiler.macros()) {
      members.member(macro.unique_id, {{"name", macro.name},
                                       {"resource_type", "macro"},
                                       {"package_name", macro.package_name},
                                       {"path", macro.original_file_path},
                                       {"original_file_path", macro.original_file_path},
                                       {"unique_id", macro.unique_id},
                                       {"macro_sql", macro.macro_sql},
                                       {"depends_on", {{"macros", ojson::array()}}},
                                       {"description", ""},
                                       {"meta", ojson::object()},
                                       {"docs", {{"show", true}, {"node_color", nullptr}}},
                                       {"patch_path", nullptr},
                                       {"arguments", ojson::array()},
                                       {"created_at", 0.0},
                                       {"supported_languages", nullptr}});
    }
  }
  out += '}';
  top.member("docs", ojson::object());
  section(
      "exposures", [](const ProjectNode& n) { return n.resource_type == ResourceType::exposure; },
      [](const ProjectNode& n) { return exposure_json(n); });
  for (const char* empty : {"metrics", "groups", "selectors", "disabled"}) top.member(empty, ojson::object());

  top.key_only("parent_map");
  out += '{';
  {
    MemberWriter members(out);
    for (const auto& [id, list] : parents) members.member(id, *list);
  }
  out += '}';
  top.key_only("child_map");
  out += '{';
  {
    MemberWriter members(out);
    for (auto& [id, list] : children) {
      std::sort(list.begin(), list.end());
      ojson ids = ojson::array();
      for (auto child : list) ids.push_back(std::string(child));
      members.member(id, ids);
    }
  }
  out += '}';
  for (const char* empty : {"group_map", "saved_queries", "semantic_models", "unit_tests"})
    top.member(empty, ojson::object());
  out += '}';
  return out;
}

Status write_manifest(const std::filesystem::path& path, const Compiler& compiler, const ArtifactContext& context) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  return write_file_atomic(path, manifest_text(compiler, context));
}

nlohmann::ordered_json run_results_json(const std::vector<ExecutionResult>& results, double elapsed_seconds,
                                        const std::string& command, const ArtifactContext& context,
                                        const nlohmann::json& args) {
  ojson list = ojson::array();
  for (const auto& result : results) {
    ojson timing = ojson::array();
    if (!result.compile_started_at.empty())
      timing.push_back({{"name", "compile"},
                        {"started_at", result.compile_started_at},
                        {"completed_at", result.compile_completed_at}});
    if (!result.execute_started_at.empty())
      timing.push_back({{"name", "execute"},
                        {"started_at", result.execute_started_at},
                        {"completed_at", result.execute_completed_at}});
    list.push_back({{"status", std::string(to_string(result.status))},
                    {"timing", timing},
                    {"thread_id", result.thread_id},
                    {"execution_time", result.execution_time},
                    {"adapter_response", result.adapter_response},
                    {"message", result.message ? ojson(*result.message) : ojson(nullptr)},
                    {"failures", result.failures ? ojson(*result.failures) : ojson(nullptr)},
                    {"unique_id", result.unique_id},
                    {"compiled", result.compiled_code.has_value()},
                    {"compiled_code", result.compiled_code ? ojson(*result.compiled_code) : ojson(nullptr)},
                    {"relation_name", result.relation_name ? ojson(*result.relation_name) : ojson(nullptr)},
                    {"batch_results", nullptr}});
  }
  ojson args_json = ojson(args);
  args_json["which"] = command;
  ojson out = ojson::object();
  out["metadata"] = {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/run-results/v6.json"},
                     {"dbt_version", k_engine_dbt_version},
                     {"generated_at", utc_now_iso()},
                     {"invocation_id", context.invocation_id},
                     {"env", ojson::object()}};
  out["results"] = std::move(list);  // moved, not copied: the list holds every compiled query
  out["elapsed_time"] = elapsed_seconds;
  out["args"] = std::move(args_json);
  return out;
}

Status write_run_results(const std::filesystem::path& path, const std::vector<ExecutionResult>& results,
                         double elapsed_seconds, const std::string& command, const ArtifactContext& context,
                         const nlohmann::json& args) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  return write_file_atomic(path, dump_json(run_results_json(results, elapsed_seconds, command, context, args), 2));
}

}  // namespace cowork::dbt
