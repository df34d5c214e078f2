#include "dbt/engine.hpp"

#include <cstdlib>
#include <random>

#include "dbt/artifact_writer.hpp"
#include "jinja/environment.hpp"
#include "util/yaml.hpp"

namespace cowork::dbt {

ProfileRenderer profile_renderer(nlohmann::json vars) {
  auto env = std::make_shared<jinja::Environment>();
  env->set_function("env_var", [](jinja::CallContext& context) -> Result<jinja::Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind(std::array<std::string_view, 2>{"var", "default"}, 1));
    if (!args[0].is_string()) return make_error(ErrorCode::invalid_argument, "env_var() takes a variable name");
    if (const char* value = std::getenv(args[0].as_string().c_str()); value != nullptr) return jinja::Value(value);
    if (!args[1].is_undefined()) return jinja::Value(args[1].str());
    return make_error(ErrorCode::invalid_argument, "environment variable '{}' is not set and has no default",
                      args[0].as_string());
  });
  env->set_function("var", [vars](jinja::CallContext& context) -> Result<jinja::Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind(std::array<std::string_view, 2>{"name", "default"}, 1));
    if (args[0].is_string())
      if (auto it = vars.find(args[0].as_string()); it != vars.end()) return jinja::from_json(*it);
    if (!args[1].is_undefined()) return args[1];
    return make_error(ErrorCode::invalid_argument, "var '{}' is not set", args[0].str());
  });
  return [env](std::string_view text, std::string_view where) -> Result<std::string> {
    auto rendered = env->render(text, "profiles.yml " + std::string(where));
    if (!rendered) return std::unexpected(rendered.error());
    return *rendered;
  };
}

Result<ProfileTarget> load_target(const EngineOptions& options, const ProjectSettings& settings) {
  COWORK_ASSIGN_OR_RETURN(auto file, find_profiles_file(options.project_dir, options.profiles_dir));
  return load_profile_target(file, settings.profile, options.target, profile_renderer(settings.vars));
}

std::string resolve_duckdb_path(const std::string& path, const std::filesystem::path& project_dir) {
  namespace fs = std::filesystem;
  if (path.empty() || path == ":memory:" || fs::path(path).is_absolute() || project_dir.empty()) return path;
  std::error_code ec;
  const fs::path in_project = project_dir / path;
  if (fs::exists(in_project, ec)) return in_project.string();
  return path;
}

Result<warehouse::ConnectionConfig> connection_config(const ProfileTarget& target,
                                                      const std::filesystem::path& project_dir) {
  warehouse::ConnectionConfig config;
  config.type = target.type;
  config.schema = target.schema;
  const auto& s = target.settings;
  auto text = [&](const char* key) -> std::string {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  const auto supported = warehouse::supported_warehouse_types();
  if (std::find(supported.begin(), supported.end(), target.type) == supported.end())
    return make_error(ErrorCode::invalid_argument,
                      "{}: target '{}' of profile '{}' has type '{}', which cowork cannot connect to; supported: {}",
                      target.profiles_file, target.target, target.profile, target.type, fmt::join(supported, ", "));
  if (target.type == "duckdb") {
    config.path = resolve_duckdb_path(text("path"), project_dir);
    if (config.path.empty()) config.path = ":memory:";
    return config;
  }
  config.host = text("host");
  if (config.host.empty()) config.host = "localhost";
  if (auto port = s.find("port"); port != s.end() && port->is_number_integer()) config.port = port->get<int>();
  config.user = text("user");
  config.password = text("password");
  if (config.password.empty()) config.password = text("pass");
  config.dbname = text("dbname");
  if (config.dbname.empty()) config.dbname = text("database");
  config.sslmode = text("sslmode");
  if (auto timeout = s.find("connect_timeout"); timeout != s.end() && timeout->is_number_integer())
    config.connect_timeout = std::chrono::seconds(timeout->get<int>());
  if (target.schema.empty())
    return make_error(ErrorCode::invalid_argument, "{}: target '{}' of profile '{}' needs a `schema`",
                      target.profiles_file, target.target, target.profile);
  return config;
}

Result<nlohmann::json> parse_vars(const std::string& text) {
  if (text.empty()) return nlohmann::json::object();
  COWORK_ASSIGN_OR_RETURN(auto yaml, parse_yaml(text, "--vars"));
  nlohmann::json vars = yaml_to_json(yaml);
  if (!vars.is_object())
    return make_error(ErrorCode::invalid_argument, "--vars must be a mapping, like --vars '{{key: value}}'");
  return vars;
}

std::string new_invocation_id() {
  std::random_device device;
  std::mt19937_64 random(device());
  const std::uint64_t a = random(), b = random();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

Result<Engine> open_engine(const EngineOptions& options) {
  COWORK_ASSIGN_OR_RETURN(auto project, load_project(options.project_dir));
  Engine engine;
  COWORK_ASSIGN_OR_RETURN(engine.target, load_target(options, project.settings));
  engine.invocation_id = new_invocation_id();
  CompileOptions compile;
  compile.vars = options.vars;
  compile.invocation_id = engine.invocation_id;
  compile.run_started_at = utc_now_iso();
  COWORK_ASSIGN_OR_RETURN(auto config, connection_config(engine.target, options.project_dir));
  config.access = options.access;
  COWORK_ASSIGN_OR_RETURN(engine.compiler, Compiler::create(std::move(project), engine.target, compile));
  COWORK_ASSIGN_OR_RETURN(engine.warehouse, warehouse::open_warehouse(config));
  return engine;
}

}  // namespace cowork::cli
