#include "dbt/artifacts.hpp"

#include <cstdlib>
#include <system_error>

#include <yaml-cpp/yaml.h>

#include "util/files.hpp"

namespace cowork::dbt {
namespace {

bool path_exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::filesystem::path pick(const std::filesystem::path& override_path, const std::filesystem::path& dir,
                           std::string_view name) {
  return override_path.empty() ? dir / name : override_path;
}

std::string how_to_produce(std::string_view name) {
  if (name == "manifest.json")
    return "run `dbt parse` (or any dbt command) first, or point --target-path at the folder";
  if (name == "run_results.json") return "run `dbt build` or `dbt test` first, or point --target-path at the folder";
  if (name == "sources.json") return "run `dbt source freshness` first";
  return "run `dbt docs generate` first";
}

template <typename T, typename Loader>
Status load_one(Need need, const std::filesystem::path& path, std::string_view name, const std::filesystem::path& dir,
                bool explicit_path, std::optional<T>& out, std::vector<std::string>& warnings, Loader&& loader) {
  if (need == Need::skip) return {};
  if (!path_exists(path)) {
    if (need == Need::optional && !explicit_path) return {};
    if (explicit_path) return make_error(ErrorCode::not_found, "{}: no such file", path.string());
    return make_error(ErrorCode::not_found, "no {} in {}: {}", name, dir.string(), how_to_produce(name));
  }
  COWORK_ASSIGN_OR_RETURN(auto loaded, loader(path));
  warnings.insert(warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
  out = std::move(loaded);
  return {};
}

}  // namespace

Result<std::string> project_target_path(const std::filesystem::path& project_dir) {
  const auto file = project_dir / "dbt_project.yml";
  if (!path_exists(file)) return std::string();
  COWORK_ASSIGN_OR_RETURN(auto text, read_file(file));
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) return std::string();
    if (!root.IsMap())
      return make_error(ErrorCode::invalid_argument, "{}: expected a mapping of project settings at the top level",
                        file.string());
    auto node = root["target-path"];
    if (!node || node.IsNull()) return std::string();
    if (!node.IsScalar())
      return make_error(ErrorCode::invalid_argument, "{}:{}:{}: target-path must be a string", file.string(),
                        node.Mark().line + 1, node.Mark().column + 1);
    return node.as<std::string>();
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::invalid_argument, "{}:{}:{}: invalid YAML: {}", file.string(), e.mark.line + 1,
                      e.mark.column + 1, e.msg);
  }
}

Result<std::filesystem::path> resolve_target_dir(const std::filesystem::path& project_dir, const std::string& flag) {
  std::string chosen = flag;
  if (chosen.empty()) {
    if (const char* env = std::getenv("DBT_TARGET_PATH"); env != nullptr && *env != '\0') chosen = env;
  }
  if (chosen.empty()) {
    COWORK_ASSIGN_OR_RETURN(chosen, project_target_path(project_dir));
  }
  if (chosen.empty()) chosen = "target";
  std::filesystem::path path(chosen);
  if (path.is_relative()) path = project_dir / path;  // as dbt does, even for --target-path
  return path.lexically_normal();
}

Result<ArtifactSet> load_artifacts(const std::filesystem::path& target_dir, const ArtifactRequest& request) {
  ArtifactSet set;
  set.target_dir = target_dir;
  if (!request.manifest_path.empty() || !request.run_results_path.empty()) {
    // Explicit files need no folder.
  } else if (!path_exists(target_dir)) {
    return make_error(ErrorCode::not_found,
                      "{}: no such folder; run dbt in the project first, or pass --target-path DIR (a folder with "
                      "manifest.json and run_results.json)",
                      target_dir.string());
  } else if (!std::filesystem::is_directory(target_dir)) {
    return make_error(ErrorCode::invalid_argument, "{}: is a file, not a folder of dbt artifacts", target_dir.string());
  }

  std::optional<Manifest> manifest;
  COWORK_TRY(
      load_one<Manifest>(request.manifest, pick(request.manifest_path, target_dir, "manifest.json"), "manifest.json",
                         target_dir, !request.manifest_path.empty(), manifest, set.warnings,
                         [&](const std::filesystem::path& p) { return load_manifest(p, request.manifest_options); }));
  if (manifest) {
    set.manifest = std::make_shared<const Manifest>(std::move(*manifest));
    auto graph = std::make_shared<const Graph>(Graph::build(set.manifest));
    set.warnings.insert(set.warnings.end(), graph->warnings().begin(), graph->warnings().end());
    set.graph = std::move(graph);
  }
  COWORK_TRY(load_one<RunResults>(request.run_results, pick(request.run_results_path, target_dir, "run_results.json"),
                                  "run_results.json", target_dir, !request.run_results_path.empty(), set.run_results,
                                  set.warnings, [](const std::filesystem::path& p) { return load_run_results(p); }));
  COWORK_TRY(load_one<FreshnessResults>(request.freshness, pick(request.freshness_path, target_dir, "sources.json"),
                                        "sources.json", target_dir, !request.freshness_path.empty(), set.freshness,
                                        set.warnings,
                                        [](const std::filesystem::path& p) { return load_freshness(p); }));
  COWORK_TRY(load_one<Catalog>(request.catalog, pick(request.catalog_path, target_dir, "catalog.json"), "catalog.json",
                               target_dir, !request.catalog_path.empty(), set.catalog, set.warnings,
                               [](const std::filesystem::path& p) { return load_catalog(p); }));
  return set;
}

}  // namespace cowork::dbt
