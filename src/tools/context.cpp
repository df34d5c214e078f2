#include "tools/context.hpp"

#include <memory>
#include <optional>

#include "dbt/artifact_writer.hpp"
#include "dbt/compiler.hpp"
#include "dbt/engine.hpp"

namespace cowork::tools {
namespace {

namespace fs = std::filesystem;

// What the lazy functions of one context share. Each resource is opened once; its error is kept as well, so a
// missing profile costs one lookup, not one per tool call.
struct LazyState {
  fs::path project_dir;
  ContextOptions options;
  std::optional<Result<dbt::ProfileTarget>> target;
  std::optional<Result<std::unique_ptr<warehouse::Warehouse>>> warehouse;
  std::optional<Result<knowledge::KnowledgeBase>> knowledge;
  std::optional<Result<std::unique_ptr<dbt::Compiler>>> compiler;

  dbt::EngineOptions engine_options() const {
    dbt::EngineOptions engine;
    engine.project_dir = project_dir;
    engine.profiles_dir = options.profiles_dir;
    engine.target = options.target;
    engine.access = warehouse::AccessMode::read_only;
    return engine;
  }

  const Result<dbt::ProfileTarget>& profile_target() {
    if (!target) {
      auto loaded = [&]() -> Result<dbt::ProfileTarget> {
        COWORK_ASSIGN_OR_RETURN(auto settings, dbt::load_project_settings(project_dir));
        return dbt::load_target(engine_options(), settings);
      }();
      if (!loaded)
        loaded.error().with_context(
            fmt::format("no warehouse for the project at {} (tools that query it are unavailable; give "
                        "--profiles-dir/--target, or add a profiles.yml)",
                        project_dir.string()));
      target = std::move(loaded);
    }
    return *target;
  }

  Result<warehouse::Warehouse*> open_warehouse() {
    if (!warehouse) {
      warehouse = [&]() -> Result<std::unique_ptr<warehouse::Warehouse>> {
        const auto& profile = profile_target();
        if (!profile) return std::unexpected(profile.error());
        COWORK_ASSIGN_OR_RETURN(auto config, dbt::connection_config(*profile, project_dir));
        config.access = warehouse::AccessMode::read_only;
        auto opened = warehouse::open_warehouse(config);
        if (!opened) {
          opened.error().with_context(fmt::format("opening the warehouse of target '{}' in {} read-only",
                                                  profile->target, profile->profiles_file));
        }
        return opened;
      }();
    }
    if (!*warehouse) return std::unexpected(warehouse->error());
    return warehouse->value().get();
  }

  Result<const knowledge::KnowledgeBase*> open_knowledge() {
    if (!knowledge) {
      knowledge = [&]() -> Result<knowledge::KnowledgeBase> {
        fs::path folder = options.knowledge_dir;
        if (folder.empty()) {
          COWORK_ASSIGN_OR_RETURN(folder, knowledge::resolve_knowledge_base_dir(project_dir));
        } else if (folder.is_relative()) {
          folder = fs::absolute(folder);
        }
        knowledge::LoadOptions load;
        load.project_dir = project_dir;
        return knowledge::KnowledgeBase::load(folder, load);
      }();
    }
    if (!*knowledge) return std::unexpected(knowledge->error());
    return &knowledge->value();
  }

  Result<dbt::Compiler*> open_compiler() {
    if (!compiler) {
      compiler = [&]() -> Result<std::unique_ptr<dbt::Compiler>> {
        COWORK_ASSIGN_OR_RETURN(auto project, dbt::load_project(project_dir));
        const auto& profile = profile_target();
        if (!profile) return std::unexpected(profile.error());
        dbt::CompileOptions compile;
        compile.invocation_id = dbt::new_invocation_id();
        compile.run_started_at = dbt::utc_now_iso();
        auto created = dbt::Compiler::create(std::move(project), *profile, compile);
        if (!created) created.error().with_context(fmt::format("compiling the project at {}", project_dir.string()));
        return created;
      }();
    }
    if (!*compiler) return std::unexpected(compiler->error());
    return compiler->value().get();
  }
};

sql::Dialect dialect_of(std::string_view type) {
  return type == "postgres" ? sql::Dialect::postgres : sql::Dialect::duckdb;
}

}  // namespace

Result<ToolContext> open_context(const ContextOptions& options) {
  std::error_code ec;
  const fs::path project_dir = fs::absolute(options.project_dir, ec).lexically_normal();
  if (ec || !fs::is_directory(project_dir, ec))
    return make_error(ErrorCode::not_found, "project folder {} does not exist; give --project-dir",
                      options.project_dir.string());

  ToolContext context;
  context.project_dir = project_dir;
  COWORK_ASSIGN_OR_RETURN(const fs::path target_dir, dbt::resolve_target_dir(project_dir, options.target_path));
  dbt::ArtifactRequest request;
  request.manifest = dbt::Need::required;
  request.run_results = dbt::Need::optional;
  request.freshness = dbt::Need::optional;
  COWORK_ASSIGN_OR_RETURN(context.artifacts, dbt::load_artifacts(target_dir, request));
  if (context.artifacts.run_results || context.artifacts.freshness)
    context.report = incidents::build_incidents(context.artifacts);

  auto state = std::make_shared<LazyState>();
  state->project_dir = project_dir;
  state->options = options;
  // The dialect decides how the guard reads SQL, so take it from the profile when there is one, else from the
  // adapter that wrote the manifest.
  if (const auto& profile = state->profile_target(); profile) {
    context.dialect = dialect_of(profile->type);
  } else {
    context.dialect = dialect_of(context.artifacts.manifest->metadata.adapter_type);
  }
  context.warehouse = [state] { return state->open_warehouse(); };
  context.knowledge = [state] { return state->open_knowledge(); };
  context.compiler = [state] { return state->open_compiler(); };
  return context;
}

}  // namespace cowork::tools
