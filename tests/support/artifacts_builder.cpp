#include "support/artifacts_builder.hpp"

#include <fstream>

namespace cowork::testing {
namespace {

void write_json(const std::filesystem::path& path, const nlohmann::json& json) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << json.dump(2);
}

}  // namespace

ManifestBuilder::ManifestBuilder(int schema_version, std::string project)
    : m_version(schema_version), m_project(std::move(project)) {}

std::string ManifestBuilder::test_name(const std::string& test, const std::string& model, const std::string& column) {
  return column.empty() ? test + "_" + model : test + "_" + model + "_" + column;
}

std::string ManifestBuilder::resolve(const std::string& reference) const {
  if (reference.starts_with("source:")) return "source." + m_project + "." + reference.substr(7);
  for (const char* kind : {"model", "seed", "snapshot"}) {
    const std::string id = std::string(kind) + "." + m_project + "." + reference;
    if (m_nodes.contains(id)) return id;
  }
  return "model." + m_project + "." + reference;
}

std::string ManifestBuilder::id(const std::string& name) const {
  if (m_sources.contains("source." + m_project + "." + name)) return "source." + m_project + "." + name;
  if (m_exposures.contains("exposure." + m_project + "." + name)) return "exposure." + m_project + "." + name;
  for (const char* kind : {"model", "seed", "test"}) {
    const std::string candidate = std::string(kind) + "." + m_project + "." + name;
    if (m_nodes.contains(candidate)) return candidate;
  }
  return "model." + m_project + "." + name;
}

void ManifestBuilder::add_node(nlohmann::json node) {
  const std::string id = node["unique_id"];
  m_nodes[id] = std::move(node);
}

ManifestBuilder& ManifestBuilder::model(const std::string& name, const std::vector<std::string>& parents,
                                        nlohmann::json meta) {
  nlohmann::json depends = nlohmann::json::array();
  for (const auto& parent : parents) depends.push_back(resolve(parent));
  const std::string code_key = m_version >= 7 ? "raw_code" : "raw_sql";
  add_node({{"unique_id", "model." + m_project + "." + name},
            {"resource_type", "model"},
            {"name", name},
            {"package_name", m_project},
            {"path", name + ".sql"},
            {"original_file_path", "models/" + name + ".sql"},
            {"fqn", {m_project, name}},
            {"tags", nlohmann::json::array()},
            {"meta", std::move(meta)},
            {"config", {{"materialized", "view"}, {"enabled", true}}},
            {"depends_on", {{"nodes", depends}, {"macros", nlohmann::json::array()}}},
            {code_key, "select 1"},
            {"columns", nlohmann::json::object()}});
  return *this;
}

ManifestBuilder& ManifestBuilder::seed(const std::string& name) {
  add_node({{"unique_id", "seed." + m_project + "." + name},
            {"resource_type", "seed"},
            {"name", name},
            {"package_name", m_project},
            {"path", name + ".csv"},
            {"original_file_path", "seeds/" + name + ".csv"},
            {"fqn", {m_project, name}},
            {"config", {{"materialized", "seed"}}},
            {"depends_on", {{"nodes", nlohmann::json::array()}}}});
  return *this;
}

ManifestBuilder& ManifestBuilder::source(const std::string& source_name, const std::string& table) {
  const std::string id = "source." + m_project + "." + source_name + "." + table;
  m_sources[id] = {{"unique_id", id},
                   {"resource_type", "source"},
                   {"name", table},
                   {"source_name", source_name},
                   {"package_name", m_project},
                   {"original_file_path", "models/sources.yml"},
                   {"fqn", {m_project, source_name, table}},
                   {"identifier", table}};
  return *this;
}

ManifestBuilder& ManifestBuilder::test(const std::string& test, const std::string& model, const std::string& column,
                                       const std::vector<std::string>& extra_parents, const std::string& severity) {
  const std::string name = test_name(test, model, column);
  const std::string attached = resolve(model);
  nlohmann::json depends = nlohmann::json::array({attached});
  for (const auto& parent : extra_parents) depends.push_back(resolve(parent));
  nlohmann::json kwargs = {{"model", "{{ get_where_subquery(ref('" + model + "')) }}"}};
  if (!column.empty()) kwargs["column_name"] = column;
  nlohmann::json node = {{"unique_id", "test." + m_project + "." + name},
                         {"resource_type", "test"},
                         {"name", name},
                         {"package_name", m_project},
                         {"path", name + ".sql"},
                         {"original_file_path", "models/schema.yml"},
                         {"fqn", {m_project, name}},
                         {"config", {{"severity", severity}, {"warn_if", "!= 0"}, {"error_if", "!= 0"}}},
                         {"depends_on", {{"nodes", depends}}},
                         {"test_metadata", {{"name", test}, {"kwargs", kwargs}, {"namespace", nullptr}}}};
  if (!column.empty()) node["column_name"] = column;
  if (m_version >= 9) node["attached_node"] = attached;
  add_node(std::move(node));
  return *this;
}

ManifestBuilder& ManifestBuilder::singular_test(const std::string& name, const std::vector<std::string>& parents) {
  nlohmann::json depends = nlohmann::json::array();
  for (const auto& parent : parents) depends.push_back(resolve(parent));
  add_node({{"unique_id", "test." + m_project + "." + name},
            {"resource_type", "test"},
            {"name", name},
            {"package_name", m_project},
            {"path", name + ".sql"},
            {"original_file_path", "tests/" + name + ".sql"},
            {"fqn", {m_project, name}},
            {"config", {{"severity", "ERROR"}}},
            {"depends_on", {{"nodes", depends}}}});
  return *this;
}

ManifestBuilder& ManifestBuilder::exposure(const std::string& name, const std::vector<std::string>& parents) {
  nlohmann::json depends = nlohmann::json::array();
  for (const auto& parent : parents) depends.push_back(resolve(parent));
  const std::string id = "exposure." + m_project + "." + name;
  m_exposures[id] = {{"unique_id", id},
                     {"resource_type", "exposure"},
                     {"name", name},
                     {"type", "dashboard"},
                     {"owner", {{"name", "Analytics"}, {"email", "analytics@example.com"}}},
                     {"package_name", m_project},
                     {"original_file_path", "models/exposures.yml"},
                     {"fqn", {m_project, name}},
                     {"depends_on", {{"nodes", depends}}}};
  return *this;
}

ManifestBuilder& ManifestBuilder::without_parent_map() {
  m_parent_map = false;
  return *this;
}

nlohmann::json ManifestBuilder::build() const {
  nlohmann::json manifest = {
      {"metadata",
       {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/manifest/v" + std::to_string(m_version) + ".json"},
        {"dbt_version", "1.8.0"},
        {"generated_at", "2026-11-01T10:00:00Z"},
        {"project_name", m_project},
        {"adapter_type", "duckdb"}}},
      {"nodes", m_nodes},
      {"sources", m_sources},
      {"exposures", m_exposures},
      {"macros", nlohmann::json::object()},
  };
  if (m_parent_map) {
    nlohmann::json parent_map = nlohmann::json::object();
    for (const auto* collection : {&m_nodes, &m_sources, &m_exposures})
      for (const auto& [id, node] : collection->items())
        parent_map[id] = node.contains("depends_on") ? node["depends_on"].value("nodes", nlohmann::json::array())
                                                     : nlohmann::json::array();
    manifest["parent_map"] = parent_map;
  }
  return manifest;
}

std::filesystem::path ManifestBuilder::write(const std::filesystem::path& dir) const {
  const auto path = dir / "manifest.json";
  write_json(path, build());
  return path;
}

RunResultsBuilder::RunResultsBuilder(std::string command, int schema_version)
    : m_version(schema_version), m_command(std::move(command)) {}

RunResultsBuilder& RunResultsBuilder::result(const std::string& unique_id, const std::string& status,
                                             nlohmann::json failures, nlohmann::json message) {
  m_results.push_back(
      {{"unique_id", unique_id},
       {"status", status},
       {"failures", std::move(failures)},
       {"message", std::move(message)},
       {"execution_time", 0.1},
       {"thread_id", "Thread-1"},
       {"timing",
        {{{"name", "execute"}, {"started_at", "2026-11-01T10:00:01Z"}, {"completed_at", "2026-11-01T10:00:02Z"}}}},
       {"adapter_response", nlohmann::json::object()}});
  return *this;
}

nlohmann::json RunResultsBuilder::build() const {
  return {
      {"metadata",
       {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/run-results/v" + std::to_string(m_version) + ".json"},
        {"dbt_version", "1.8.0"},
        {"generated_at", "2026-11-01T10:00:05Z"},
        {"invocation_id", "00000000-0000-0000-0000-000000000001"}}},
      {"results", m_results},
      {"elapsed_time", 3.5},
      {"args", {{"which", m_command}}}};
}

std::filesystem::path RunResultsBuilder::write(const std::filesystem::path& dir) const {
  const auto path = dir / "run_results.json";
  write_json(path, build());
  return path;
}

}  // namespace cowork::testing
