// Runs a program to completion and captures its exit code, stdout and stderr; for tests of the cowork binary.
#pragma once

#include <string>
#include <vector>

namespace cowork::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] with the given arguments (no shell). `env` entries ("NAME=value") are added to the environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// The path of the built cowork binary.
std::string cowork_binary();
// The source tree's tests/fixtures folder.
std::string fixtures_dir();

}  // namespace cowork::testing
