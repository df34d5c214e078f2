// Reading dbt's target/run_results.json, schema v1 to v6 and dbt Fusion's (which omits `message`,
// `compiled_code` and sometimes whole results). One RunResult per executed, skipped or failed node.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbt/artifact_metadata.hpp"
#include "util/arena.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace cowork::dbt {

enum class RunStatus {
  success,
  error,
  skipped,
  pass,
  fail,
  warn,
  runtime_error,
  partial_success,
  no_op,
  reused,
  unknown,
};

// dbt's spelling: "success", "runtime error", "partial success", "no-op"...
std::string_view to_string(RunStatus status);
// Accepts dbt's spellings case-insensitively, with spaces, dashes or underscores; anything else is `unknown`.
RunStatus run_status_from_string(std::string_view text);
// fail, error, warn, runtime error and partial success: the results that make an incident.
bool is_failure(RunStatus status);
// Failures that stop a `dbt build` (everything but warn).
bool is_error_level(RunStatus status);

struct RunResult {
  std::string unique_id;
  RunStatus status = RunStatus::unknown;
  std::string status_text;               // as written
  std::optional<std::string> message;    // absent in Fusion's results
  std::optional<std::int64_t> failures;  // rows a test returned; null for non-tests
  double execution_time = 0;
  std::string thread_id;
  std::string started_at;    // earliest timing start, ISO-8601 as written
  std::string completed_at;  // latest timing end
  LazyText compiled_code;    // points into RunResults::file
  std::string relation_name;
};

struct RunResults {
  std::string path;
  ArtifactMetadata metadata;
  std::string command;  // args.which: build, run, test, seed, snapshot...
  double elapsed_time = 0;
  std::vector<RunResult> results;
  std::vector<std::string> warnings;
  std::unique_ptr<PaddedFile> file;  // holds the text compiled_code points into
};

Result<RunResults> load_run_results(const std::filesystem::path& path);

}  // namespace cowork::dbt
