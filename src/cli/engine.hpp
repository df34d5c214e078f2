// The native engine set up from a command's flags (dbt/engine.hpp does the work).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "dbt/engine.hpp"

namespace cowork::cli {

using dbt::connection_config;
using dbt::Engine;
using dbt::new_invocation_id;
using dbt::parse_vars;
using dbt::profile_renderer;

dbt::EngineOptions engine_options(const CommonOptions& options, nlohmann::json vars = nlohmann::json::object(),
                                  warehouse::AccessMode access = warehouse::AccessMode::read_write);

// The profile target of the project at options.project_dir, following dbt's lookup.
Result<dbt::ProfileTarget> load_target(const CommonOptions& options, const dbt::ProjectSettings& settings);

// Loads the project, its target, compiles it and connects. `access` is how the warehouse is opened.
Result<Engine> open_engine(const CommonOptions& options, const nlohmann::json& vars,
                           warehouse::AccessMode access = warehouse::AccessMode::read_write);

}  // namespace cowork::cli
