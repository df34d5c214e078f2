// Writing dbt's artifacts from the native engine: target/manifest.json in the v12 shape (nodes with raw and compiled
// code, depends_on, config, columns, test_metadata, original_file_path, patch_path; sources, exposures, macros;
// parent and child maps) and target/run_results.json in the v6 shape, so that cowork's own reader and real dbt
// tooling read them. Files are written atomically.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dbt/compiler.hpp"
#include "dbt/run_results.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

// What dbt writes as `dbt_version`: a dbt version the artifacts are compatible with, tagged with cowork's own.
inline constexpr const char* k_engine_dbt_version = "1.10.0+cowork.0.1.0";

struct ArtifactContext {
  std::string invocation_id;
  std::string generated_at;  // ISO-8601 UTC
  std::string adapter_type;
  std::string project_name;
};

// manifest.json's text (v12 shape), written member by member so thousands of nodes stay linear.
std::string manifest_text(const Compiler& compiler, const ArtifactContext& context);
Status write_manifest(const std::filesystem::path& path, const Compiler& compiler, const ArtifactContext& context);

// One executed (or skipped) node, as run_results.json records it.
struct ExecutionResult {
  std::string unique_id;
  RunStatus status = RunStatus::success;
  std::optional<std::string> message;
  std::optional<std::int64_t> failures;
  std::string compile_started_at, compile_completed_at, execute_started_at, execute_completed_at;
  double execution_time = 0;
  nlohmann::ordered_json adapter_response = nlohmann::ordered_json::object();
  std::optional<std::string> compiled_code;
  std::optional<std::string> relation_name;
  std::string thread_id = "Thread-1";
};

nlohmann::ordered_json run_results_json(const std::vector<ExecutionResult>& results, double elapsed_seconds,
                                        const std::string& command, const ArtifactContext& context,
                                        const nlohmann::json& args = nlohmann::json::object());
Status write_run_results(const std::filesystem::path& path, const std::vector<ExecutionResult>& results,
                         double elapsed_seconds, const std::string& command, const ArtifactContext& context,
                         const nlohmann::json& args = nlohmann::json::object());

// The current time as dbt writes it: 2024-05-07T13:53:04.324213Z.
std::string utc_now_iso();

}  // namespace cowork::dbt
