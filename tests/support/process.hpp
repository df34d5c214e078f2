// Runs a program to completion and captures its exit code, stdout and stderr; for tests of the cowork binary.
#pragma once

#include <string>
#include <vector>

#include "util/process.hpp"

namespace cowork::testing {

using ProcessResult = cowork::ProcessResult;

// Runs argv[0] with the given arguments (no shell). `env` entries ("NAME=value") are added to the environment.
// Throws when the program cannot be started, so a test fails loudly.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          const std::string& cwd = {});

// The path of the built cowork binary.
std::string cowork_binary();
// The source tree's tests/fixtures folder.
std::string fixtures_dir();

}  // namespace cowork::testing
