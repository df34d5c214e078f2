#include "engine_harness.hpp"

#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

#include "dbt/artifact_writer.hpp"
#include "dbt/project.hpp"
#include "postgres_server.hpp"

namespace cowork::engine_test {
namespace {

namespace fs = std::filesystem;

std::string unique_schema() {
  static std::atomic<int> counter{0};
  return fmt::format("eng{}_{}", ::getpid(), ++counter);
}

}  // namespace

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::duckdb ? "duckdb" : "postgres";
}

dbt::ProfileTarget fixed_duckdb_target(const std::string& profile) {
  dbt::ProfileTarget target;
  target.profiles_file = "profiles.yml";
  target.profile = profile;
  target.target = "dev";
  target.type = "duckdb";
  target.schema = "main";
  target.database = "dev";
  target.settings = {{"type", "duckdb"}, {"path", "dev.duckdb"}, {"schema", "main"}, {"threads", 1}};
  return target;
}

EngineProject::EngineProject(Backend backend) : m_backend(backend) {
  write("dbt_project.yml", k_project_yml);
}

EngineProject::~EngineProject() = default;

Status EngineProject::connect() {
  m_target.profiles_file = (m_dir.path() / "profiles.yml").string();
  m_target.profile = "shop";
  m_target.target = "dev";
  m_target.threads = 1;
  warehouse::ConnectionConfig config;
  if (m_backend == Backend::duckdb) {
    const std::string path = (m_dir.path() / "warehouse.duckdb").string();
    m_target.type = "duckdb";
    m_target.schema = "main";
    m_target.database = "warehouse";
    m_target.settings = {{"type", "duckdb"}, {"path", path}, {"schema", "main"}, {"threads", 1}};
    config.type = "duckdb";
    config.path = path;
  } else {
    COWORK_ASSIGN_OR_RETURN(auto* server, testing::PostgresServer::shared());
    config = server->config();
    m_target.type = "postgres";
    m_target.schema = unique_schema();
    m_target.database = config.dbname;
    m_target.settings = {{"type", "postgres"},       {"host", config.host},   {"port", config.port},
                         {"user", config.user},      {"password", config.password},
                         {"dbname", config.dbname},  {"schema", m_target.schema},
                         {"threads", 1}};
  }
  config.schema = m_target.schema;
  COWORK_ASSIGN_OR_RETURN(m_warehouse, warehouse::open_warehouse(config));
  return {};
}

fs::path EngineProject::root() const {
  return m_dir.path() / "project";
}

void EngineProject::write(std::string_view relative, std::string_view text) const {
  m_dir.write((fs::path("project") / relative).string(), text);
}

void EngineProject::remove(std::string_view relative) const {
  std::error_code ec;
  fs::remove(root() / relative, ec);
}

Result<std::unique_ptr<dbt::Compiler>> EngineProject::compile(const nlohmann::json& vars) const {
  COWORK_ASSIGN_OR_RETURN(auto project, dbt::load_project(root()));
  dbt::CompileOptions options;
  options.vars = vars;
  options.invocation_id = "00000000-0000-4000-8000-000000000000";
  options.run_started_at = "2026-01-01T00:00:00.000000Z";
  dbt::ProfileTarget target = m_target;
  if (target.type.empty()) target = fixed_duckdb_target();
  return dbt::Compiler::create(std::move(project), target, options);
}

Result<RunOutcome> EngineProject::run(dbt::RunOptions options, const nlohmann::json& vars) {
  if (!m_warehouse) return make_error(ErrorCode::internal, "EngineProject::connect() was not called");
  COWORK_ASSIGN_OR_RETURN(m_compiler, compile(vars));
  dbt::ArtifactContext context;
  context.invocation_id = fmt::format("00000000-0000-4000-8000-{:012}", ++m_runs);
  context.generated_at = dbt::utc_now_iso();
  context.adapter_type = m_target.type;
  context.project_name = m_compiler->project().settings.name;
  if (options.target_dir.empty()) options.target_dir = target_dir();
  RunOutcome outcome;
  dbt::Runner runner(*m_compiler, *m_warehouse, context);
  COWORK_ASSIGN_OR_RETURN(outcome.summary, runner.run(options, [&](const dbt::RunEvent& event) {
                            if (event.kind == dbt::RunEvent::Kind::started)
                              outcome.started.push_back(event.node->unique_id);
                          }));
  return outcome;
}

Result<RunOutcome> EngineProject::build(std::vector<std::string> select, bool full_refresh) {
  dbt::RunOptions options;
  options.command = dbt::Command::build;
  options.select = std::move(select);
  options.full_refresh = full_refresh;
  return run(options);
}

std::string EngineProject::relation(std::string_view name, std::string_view schema) const {
  const std::string_view in = schema.empty() ? std::string_view(m_target.schema) : schema;
  return m_warehouse->quote(in) + "." + m_warehouse->quote(name);
}

warehouse::QueryResult EngineProject::query(std::string_view sql) {
  auto result = m_warehouse->query(sql);
  EXPECT_TRUE(result) << sql << "\n" << (result ? "" : result.error().message);
  return result ? std::move(*result) : warehouse::QueryResult{};
}

std::int64_t EngineProject::count(std::string_view name, std::string_view schema) {
  auto result = m_warehouse->query("select count(*) from " + relation(name, schema));
  if (!result || result->rows.empty()) return -1;
  return as_int(result->rows[0][0]).value_or(-1);
}

std::optional<std::string> EngineProject::relation_type(std::string_view name, std::string_view schema) {
  auto result = m_warehouse->query(fmt::format(
      "select table_type from information_schema.tables where table_schema = '{}' and table_name = '{}'",
      schema.empty() ? std::string_view(m_target.schema) : schema, name));
  if (!result || result->rows.empty()) return std::nullopt;
  const std::string type = as_text(result->rows[0][0]);
  return type.find("VIEW") != std::string::npos ? "view" : "table";
}

std::vector<std::string> EngineProject::columns(std::string_view name, std::string_view schema) {
  std::vector<std::string> out;
  auto columns = m_warehouse->relation_columns(schema.empty() ? std::string_view(m_target.schema) : schema, name);
  if (!columns) return out;
  for (const auto& column : *columns) {
    std::string lower = column.name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(lower);
  }
  return out;
}

const dbt::ExecutionResult* find_result(const RunOutcome& outcome, const dbt::Compiler& compiler,
                                        std::string_view name) {
  for (const auto& result : outcome.summary.results) {
    if (result.unique_id == name) return &result;
    const dbt::ProjectNode* node = compiler.find(result.unique_id);
    if (node != nullptr && node->name == name) return &result;
  }
  return nullptr;
}

std::string id_of(const dbt::Compiler& compiler, std::string_view name) {
  for (const auto& node : compiler.nodes())
    if (node.name == name) return node.unique_id;
  ADD_FAILURE() << "no node named " << name;
  return {};
}

std::optional<std::int64_t> as_int(const warehouse::Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string as_text(const warehouse::Value& value) {
  return warehouse::to_string(value);
}

}  // namespace cowork::engine_test
