#include "dbt/freshness.hpp"

#include <cmath>

#include "util/files.hpp"
#include "util/json_reader.hpp"

namespace cowork::dbt {
namespace {

using json::JsonReader;
using json::Value;

Status parse_threshold(JsonReader& reader, Value& value, FreshnessThreshold& out) {
  return reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
    if (key == "count") {
      COWORK_ASSIGN_OR_RETURN(out.count, reader.get_optional_int(field));
      return {};
    }
    if (key == "period") return reader.read_string(field, out.period);
    return {};
  });
}

Status parse_result(JsonReader& reader, Value& value, FreshnessResult& result) {
  return reader.for_each_field(
      value,
      [&](std::string_view key, Value& field) -> Status {
        if (key == "unique_id") return reader.read_string(field, result.unique_id);
        if (key == "status") return reader.read_string(field, result.status_text);
        if (key == "max_loaded_at") return reader.read_string(field, result.max_loaded_at);
        if (key == "snapshotted_at") return reader.read_string(field, result.snapshotted_at);
        if (key == "error") return reader.read_string(field, result.error);
        if (key == "max_loaded_at_time_ago_in_s") {
          COWORK_ASSIGN_OR_RETURN(result.age_seconds, reader.get_optional_double(field));
          return {};
        }
        if (key == "criteria") {
          return reader.for_each_field(field, [&](std::string_view ckey, Value& cfield) -> Status {
            if (ckey == "warn_after") return parse_threshold(reader, cfield, result.warn_after);
            if (ckey == "error_after") return parse_threshold(reader, cfield, result.error_after);
            return {};
          });
        }
        if (key == "timing") {
          return reader.for_each_element(field, [&](std::size_t, Value& entry) -> Status {
            return reader.for_each_field(entry, [&](std::string_view tkey, Value& tfield) -> Status {
              std::string stamp;
              if (tkey == "started_at") {
                COWORK_TRY(reader.read_string(tfield, stamp));
                if (!stamp.empty() && (result.started_at.empty() || stamp < result.started_at))
                  result.started_at = stamp;
              } else if (tkey == "completed_at") {
                COWORK_TRY(reader.read_string(tfield, stamp));
                if (stamp > result.completed_at) result.completed_at = stamp;
              }
              return {};
            });
          });
        }
        return {};
      },
      /*null_ok=*/false);
}

}  // namespace

std::string format_age(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "an unknown time";
  auto total = static_cast<long long>(seconds);
  const long long days = total / 86400, hours = (total % 86400) / 3600, minutes = (total % 3600) / 60;
  if (days > 0) return fmt::format("{}d {}h", days, hours);
  if (hours > 0) return fmt::format("{}h {}m", hours, minutes);
  if (minutes > 0) return fmt::format("{}m {}s", minutes, total % 60);
  return fmt::format("{}s", total);
}

std::string FreshnessResult::describe() const {
  if (status == RunStatus::runtime_error || !error.empty())
    return error.empty() ? std::string("freshness check failed to run") : "freshness check failed: " + error;
  std::string text =
      age_seconds ? fmt::format("last loaded {} ago", format_age(*age_seconds)) : std::string("last load time unknown");
  if (!max_loaded_at.empty()) text += fmt::format(" (max_loaded_at {})", max_loaded_at);
  if (status == RunStatus::error && error_after.set())
    text += fmt::format("; errors after {} {}(s)", *error_after.count, error_after.period);
  else if (status == RunStatus::warn && warn_after.set())
    text += fmt::format("; warns after {} {}(s)", *warn_after.count, warn_after.period);
  return text;
}

Result<FreshnessResults> load_freshness(const std::filesystem::path& path) {
  COWORK_ASSIGN_OR_RETURN(auto file, PaddedFile::open(path, simdjson::SIMDJSON_PADDING));
  FreshnessResults out;
  out.path = path.string();
  JsonReader reader(out.path, file.data(), file.size(), file.capacity());
  COWORK_TRY(reader.open());
  bool saw_metadata = false;
  COWORK_TRY(reader.for_each_root_field([&](std::string_view key, Value& value) -> Status {
    if (key == "metadata") {
      saw_metadata = true;
      return read_metadata(reader, value, out.metadata);
    }
    if (key == "results") {
      return reader.for_each_element(value, [&](std::size_t, Value& entry) -> Status {
        FreshnessResult result;
        COWORK_TRY(parse_result(reader, entry, result));
        if (result.unique_id.empty()) return reader.error_here("a result without a unique_id");
        result.status = run_status_from_string(result.status_text);
        out.results.push_back(std::move(result));
        return {};
      });
    }
    return {};
  }));
  COWORK_TRY(check_metadata(ArtifactKind::sources, out.path, saw_metadata, out.metadata, out.warnings));
  return out;
}

}  // namespace cowork::dbt
