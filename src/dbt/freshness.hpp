// Reading dbt's target/sources.json (written by `dbt source freshness`), schema v1 to v3: how stale each source is
// and whether that passes, warns or errors against its freshness criteria.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbt/artifact_metadata.hpp"
#include "dbt/run_results.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

struct FreshnessThreshold {
  std::optional<std::int64_t> count;
  std::string period;  // minute, hour, day
  bool set() const { return count.has_value() && !period.empty(); }
};

struct FreshnessResult {
  std::string unique_id;
  RunStatus status = RunStatus::unknown;  // pass, warn, error or runtime error
  std::string status_text;
  std::string max_loaded_at;
  std::string snapshotted_at;
  std::optional<double> age_seconds;  // max_loaded_at_time_ago_in_s
  FreshnessThreshold warn_after;
  FreshnessThreshold error_after;
  std::string error;  // the message of a runtime error
  std::string started_at;
  std::string completed_at;

  // "last loaded 3d 4h ago (2024-01-02T...); errors after 24 hour(s)" or the runtime error.
  std::string describe() const;
};

struct FreshnessResults {
  std::string path;
  ArtifactMetadata metadata;
  std::vector<FreshnessResult> results;
  std::vector<std::string> warnings;
};

Result<FreshnessResults> load_freshness(const std::filesystem::path& path);

// "3d 4h", "5h 12m", "42s"
std::string format_age(double seconds);

}  // namespace cowork::dbt
