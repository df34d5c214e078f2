// What every command shares: dbt's own flags (--project-dir, --profiles-dir, --target, --target-path), explicit
// artifact files, --format, loading the artifacts, and printing errors, warnings and colour for people.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "dbt/artifacts.hpp"
#include "util/error.hpp"

namespace cowork::cli {

struct CommonOptions {
  std::string project_dir = ".";
  std::string profiles_dir;
  std::string target;
  std::string target_path;
  std::string manifest;
  std::string run_results;
  std::string format = "text";
};

// Adds the shared flags. `formats` lists the --format values the command accepts.
void add_common_options(CLI::App& app, CommonOptions& options, std::vector<std::string> formats);

// Resolves the target folder from the flags and loads the requested artifacts.
Result<dbt::ArtifactSet> load_artifacts(const CommonOptions& options, dbt::ArtifactRequest request);

// "error: <message>" on stderr; returns the exit code for an error that stopped the command (2).
int report_error(const Error& error);
void print_warnings(const std::vector<std::string>& warnings);

// ANSI styling when stdout is a terminal and NO_COLOR is unset.
class Style {
 public:
  Style();
  std::string bold(std::string_view text) const { return wrap("1", text); }
  std::string dim(std::string_view text) const { return wrap("2", text); }
  std::string red(std::string_view text) const { return wrap("31", text); }
  std::string yellow(std::string_view text) const { return wrap("33", text); }
  std::string green(std::string_view text) const { return wrap("32", text); }
  std::string magenta(std::string_view text) const { return wrap("35", text); }

 private:
  std::string wrap(std::string_view code, std::string_view text) const;
  bool m_enabled;
};

}  // namespace cowork::cli
