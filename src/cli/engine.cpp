#include "cli/engine.hpp"

namespace cowork::cli {

dbt::EngineOptions engine_options(const CommonOptions& options, nlohmann::json vars, warehouse::AccessMode access) {
  dbt::EngineOptions engine;
  engine.project_dir = options.project_dir;
  engine.profiles_dir = options.profiles_dir;
  engine.target = options.target;
  engine.vars = std::move(vars);
  engine.access = access;
  return engine;
}

Result<dbt::ProfileTarget> load_target(const CommonOptions& options, const dbt::ProjectSettings& settings) {
  return dbt::load_target(engine_options(options), settings);
}

Result<Engine> open_engine(const CommonOptions& options, const nlohmann::json& vars, warehouse::AccessMode access) {
  return dbt::open_engine(engine_options(options, vars, access));
}

}  // namespace cowork::cli
