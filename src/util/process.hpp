// Running another program (git, dbt) to completion without a shell, capturing its exit code and output. Used where
// cowork drives a tool the user already has; nothing here interprets the output.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace cowork {

struct ProcessRequest {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::vector<std::string> env;   // "NAME=value" entries added to (or replacing in) the current environment
  std::filesystem::path cwd;      // empty: the current directory
  std::optional<std::chrono::milliseconds> timeout;  // killed (SIGKILL) when it runs longer
};

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when the program was killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Starts the program, waits for it and returns what it printed. An error only when it cannot be started at all
// (not found, not executable); a non-zero exit is a result, not an error.
Result<ProcessResult> run_process(const ProcessRequest& request);

// True when `program` (no '/') is an executable file in a PATH folder.
bool on_path(const std::string& program);

}  // namespace cowork
