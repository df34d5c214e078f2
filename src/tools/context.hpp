// Opening a ToolContext on a dbt project: its artifacts and incidents, and the lazily opened warehouse, knowledge base
// and compiler the tools need. The CLI (`cowork tool`), the investigation pipeline and the servers open one per
// investigation.
#pragma once

#include <filesystem>
#include <string>

#include "tools/tool.hpp"
#include "util/error.hpp"

namespace cowork::tools {

// dbt's own flags, as the surfaces take them.
struct ContextOptions {
  std::filesystem::path project_dir = ".";
  std::string profiles_dir;   // empty: $DBT_PROFILES_DIR, the project folder, ~/.dbt
  std::string target;         // empty: the profile's default target
  std::string target_path;    // empty: $DBT_TARGET_PATH, the project's target-path, target/
  std::string knowledge_dir;  // empty: cowork.yml's knowledge_base, else <project>/knowledge_base
};

// Loads target/manifest.json (required: its absence is an error saying how to produce it), run_results.json and
// sources.json (optional), and builds the incidents. Nothing else is opened here: the warehouse (read-only), the
// knowledge base and the compiler are opened on first use and cached, a failure too, so a project without a profile
// still serves the tools that need only its artifacts. A relative DuckDB path is taken from the project folder when
// the database is there (the surfaces do not run from inside the project, as dbt does), else from the working
// directory.
Result<ToolContext> open_context(const ContextOptions& options);

}  // namespace cowork::tools
