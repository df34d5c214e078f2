// The native engine's build/run/test/seed/compile as a function, for commands that build on the user's behalf
// (`cowork demo`) as well as for the commands themselves.
#pragma once

#include <string>
#include <vector>

#include "cli/common.hpp"
#include "dbt/runner.hpp"

namespace cowork::cli {

struct BuildOptions {
  CommonOptions common;
  dbt::Command command = dbt::Command::build;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  bool full_refresh = false;
  bool fail_fast = false;
  bool no_elementary = false;
  std::string vars;
  std::string dbt;  // run this dbt executable instead of the native engine
};

// Runs the command with dbt's progress lines on stdout; returns the exit code (0 green, 1 failures, 2 unusable input).
int run_build(const BuildOptions& options);

}  // namespace cowork::cli
