#include "dbt/run_results.hpp"

#include <array>
#include <utility>

#include "util/files.hpp"
#include "util/json_reader.hpp"
#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

using json::JsonReader;
using json::Value;

constexpr std::array<std::pair<RunStatus, std::string_view>, 10> k_status_names{{
    {RunStatus::success, "success"},
    {RunStatus::error, "error"},
    {RunStatus::skipped, "skipped"},
    {RunStatus::pass, "pass"},
    {RunStatus::fail, "fail"},
    {RunStatus::warn, "warn"},
    {RunStatus::runtime_error, "runtime error"},
    {RunStatus::partial_success, "partial success"},
    {RunStatus::no_op, "no-op"},
    {RunStatus::reused, "reused"},
}};

std::string normalise_status(std::string_view text) {
  std::string out = to_lower(trim(text));
  for (char& c : out)
    if (c == '_') c = ' ';
  if (out == "no op" || out == "noop") out = "no-op";
  if (out == "partial-success") out = "partial success";
  if (out == "runtime-error") out = "runtime error";
  return out;
}

Status parse_timing(JsonReader& reader, Value& value, RunResult& result) {
  return reader.for_each_element(value, [&](std::size_t, Value& entry) -> Status {
    std::string started, completed;
    COWORK_TRY(reader.for_each_field(entry, [&](std::string_view key, Value& field) -> Status {
      if (key == "started_at") return reader.read_string(field, started);
      if (key == "completed_at") return reader.read_string(field, completed);
      return {};
    }));
    // ISO-8601 timestamps of one writer compare correctly as text.
    if (!started.empty() && (result.started_at.empty() || started < result.started_at)) result.started_at = started;
    if (!completed.empty() && completed > result.completed_at) result.completed_at = completed;
    return {};
  });
}

Status parse_result(JsonReader& reader, Value& value, RunResult& result) {
  return reader.for_each_field(
      value,
      [&](std::string_view key, Value& field) -> Status {
        if (key == "unique_id") return reader.read_string(field, result.unique_id);
        if (key == "status") {
          // v1 wrote some statuses as numbers or null for tests; keep the text either way.
          COWORK_ASSIGN_OR_RETURN(result.status_text, reader.get_scalar_text(field));
          return {};
        }
        if (key == "message") {
          COWORK_ASSIGN_OR_RETURN(auto message, reader.get_optional_string(field));
          if (message) result.message = std::string(*message);
          return {};
        }
        if (key == "failures") {
          COWORK_ASSIGN_OR_RETURN(result.failures, reader.get_optional_int(field));
          return {};
        }
        if (key == "execution_time") {
          COWORK_ASSIGN_OR_RETURN(auto seconds, reader.get_optional_double(field));
          result.execution_time = seconds.value_or(0);
          return {};
        }
        if (key == "thread_id") return reader.read_string(field, result.thread_id);
        if (key == "timing") return parse_timing(reader, field, result);
        if (key == "compiled_code" || key == "compiled_sql") {
          COWORK_ASSIGN_OR_RETURN(result.compiled_code, reader.get_lazy_text(field));
          return {};
        }
        if (key == "relation_name") return reader.read_string(field, result.relation_name);
        if (key == "node") {
          // v1 to v3 nested the node; only its unique_id matters here.
          return reader.for_each_field(field, [&](std::string_view node_key, Value& node_field) -> Status {
            if (node_key == "unique_id" && result.unique_id.empty())
              return reader.read_string(node_field, result.unique_id);
            return {};
          });
        }
        return {};
      },
      /*null_ok=*/false);
}

}  // namespace

std::string_view to_string(RunStatus status) {
  for (const auto& [value, name] : k_status_names)
    if (value == status) return name;
  return "unknown";
}

RunStatus run_status_from_string(std::string_view text) {
  const std::string normal = normalise_status(text);
  for (const auto& [value, name] : k_status_names)
    if (name == normal) return value;
  return RunStatus::unknown;
}

bool is_failure(RunStatus status) {
  return status == RunStatus::fail || status == RunStatus::error || status == RunStatus::warn ||
         status == RunStatus::runtime_error || status == RunStatus::partial_success;
}

bool is_error_level(RunStatus status) {
  return is_failure(status) && status != RunStatus::warn;
}

Result<RunResults> load_run_results(const std::filesystem::path& path) {
  COWORK_ASSIGN_OR_RETURN(auto file, PaddedFile::open(path, simdjson::SIMDJSON_PADDING));
  RunResults run;
  run.path = path.string();
  run.file = std::make_unique<PaddedFile>(std::move(file));
  JsonReader reader(run.path, run.file->data(), run.file->size(), run.file->capacity());
  COWORK_TRY(reader.open());
  bool saw_metadata = false;
  bool saw_results = false;
  COWORK_TRY(reader.for_each_root_field([&](std::string_view key, Value& value) -> Status {
    if (key == "metadata") {
      saw_metadata = true;
      return read_metadata(reader, value, run.metadata);
    }
    if (key == "elapsed_time") {
      COWORK_ASSIGN_OR_RETURN(auto seconds, reader.get_optional_double(value));
      run.elapsed_time = seconds.value_or(0);
      return {};
    }
    if (key == "args") {
      return reader.for_each_field(value, [&](std::string_view arg, Value& field) -> Status {
        if (arg == "which") return reader.read_string(field, run.command);
        return {};
      });
    }
    if (key == "results") {
      saw_results = true;
      return reader.for_each_element(
          value,
          [&](std::size_t, Value& entry) -> Status {
            RunResult result;
            COWORK_TRY(parse_result(reader, entry, result));
            if (result.unique_id.empty()) return reader.error_here("a result without a unique_id");
            result.status = run_status_from_string(result.status_text);
            run.results.push_back(std::move(result));
            return {};
          },
          /*null_ok=*/false);
    }
    return {};
  }));
  COWORK_TRY(check_metadata(ArtifactKind::run_results, run.path, saw_metadata, run.metadata, run.warnings));
  if (!saw_results) return make_error(ErrorCode::invalid_argument, "{}: $.results is missing", run.path);
  std::size_t unknown = 0;
  std::string example;
  for (const auto& result : run.results) {
    if (result.status == RunStatus::unknown) {
      if (unknown++ == 0) example = fmt::format("'{}' on {}", result.status_text, result.unique_id);
    }
  }
  if (unknown > 0)
    run.warnings.push_back(
        fmt::format("{}: {} result(s) have a status cowork does not know (first: {}); they are "
                    "listed but not treated as failures",
                    run.path, unknown, example));
  return run;
}

}  // namespace cowork::dbt
