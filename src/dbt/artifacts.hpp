// Finding and loading the artifacts of one dbt invocation: the target folder (dbt's --target-path, $DBT_TARGET_PATH,
// the project's `target-path`, else target/), and manifest.json, run_results.json, sources.json and catalog.json in
// it. A folder of artifacts with no project around it is enough.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbt/catalog.hpp"
#include "dbt/freshness.hpp"
#include "dbt/graph.hpp"
#include "dbt/manifest.hpp"
#include "dbt/run_results.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

// Reads `target-path` from <project_dir>/dbt_project.yml; empty when the file or the key is absent. A malformed
// dbt_project.yml is an error naming its line and column.
Result<std::string> project_target_path(const std::filesystem::path& project_dir);

// The folder the artifacts are in: `flag` (--target-path) if given, else $DBT_TARGET_PATH, else the project's
// target-path, else "target"; relative paths are taken from the project folder, as dbt does.
Result<std::filesystem::path> resolve_target_dir(const std::filesystem::path& project_dir, const std::string& flag);

enum class Need { skip, optional, required };

struct ArtifactRequest {
  Need manifest = Need::required;
  Need run_results = Need::skip;
  Need freshness = Need::skip;
  Need catalog = Need::skip;
  // Explicit files, overriding <target>/<name>.json.
  std::filesystem::path manifest_path, run_results_path, freshness_path, catalog_path;
  ManifestOptions manifest_options;
};

struct ArtifactSet {
  std::filesystem::path target_dir;
  std::shared_ptr<const Manifest> manifest;
  std::shared_ptr<const Graph> graph;  // set with the manifest
  std::optional<RunResults> run_results;
  std::optional<FreshnessResults> freshness;
  std::optional<Catalog> catalog;
  std::vector<std::string> warnings;  // from every file loaded, and about files that were looked for and missing
};

// Loads what `request` asks for from `target_dir`. A required file that is missing is a not_found error that says
// how to produce it; a missing optional one is skipped. A file that exists but is broken is always an error, even an
// optional one: ignoring it would hide failures.
Result<ArtifactSet> load_artifacts(const std::filesystem::path& target_dir, const ArtifactRequest& request);

}  // namespace cowork::dbt
