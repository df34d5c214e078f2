#include "cli/common.hpp"

#include "cli/command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

namespace cowork::cli {

void add_common_options(CLI::App& app, CommonOptions& options, std::vector<std::string> formats) {
  app.add_option("--project-dir", options.project_dir, "The dbt project folder (default: the current folder)");
  app.add_option("--profiles-dir", options.profiles_dir,
                 "Folder with profiles.yml (default: $DBT_PROFILES_DIR, the project folder, then ~/.dbt)");
  app.add_option("--target", options.target, "The profile target to use (default: the profile's target)");
  app.add_option("--target-path", options.target_path,
                 "Folder of dbt artifacts (default: $DBT_TARGET_PATH, the project's target-path, then target/)");
  app.add_option("--manifest", options.manifest, "Read this manifest.json instead of the one in the target folder");
  app.add_option("--run-results", options.run_results,
                 "Read this run_results.json instead of the one in the target folder");
  const std::string default_format = formats.front();
  app.add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember(formats))
      ->default_str(default_format);
}

Result<dbt::ArtifactSet> load_artifacts(const CommonOptions& options, dbt::ArtifactRequest request) {
  COWORK_ASSIGN_OR_RETURN(auto target_dir, dbt::resolve_target_dir(options.project_dir, options.target_path));
  if (!options.manifest.empty()) request.manifest_path = options.manifest;
  if (!options.run_results.empty()) request.run_results_path = options.run_results;
  return dbt::load_artifacts(target_dir, request);
}

int report_error(const Error& error) {
  Style style;
  std::cerr << style.red("error:") << ' ' << error.message << '\n';
  return k_exit_usage;  // like dbt, which exits 2 for anything that stopped the run itself
}

void print_warnings(const std::vector<std::string>& warnings) {
  Style style;
  for (const auto& warning : warnings) std::cerr << style.yellow("warning:") << ' ' << warning << '\n';
}

Style::Style() {
  const char* no_color = std::getenv("NO_COLOR");
  m_enabled = ::isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0');
}

std::string Style::wrap(std::string_view code, std::string_view text) const {
  if (!m_enabled) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

}  // namespace cowork::cli
