#include "warehouse/duckdb_library.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#ifndef COWORK_DUCKDB_DIR
#define COWORK_DUCKDB_DIR ""
#endif

namespace cowork::warehouse {
namespace {

constexpr std::string_view k_library_name = "libduckdb.so";
constexpr std::string_view k_environment_variable = "COWORK_DUCKDB_LIBRARY";

// Resolves `name` into `slot`; records the first missing symbol.
template <typename Function>
void resolve(void* handle, const char* name, Function*& slot, std::string& missing) {
  slot = reinterpret_cast<Function*>(::dlsym(handle, name));
  if (slot == nullptr && missing.empty()) missing = name;
}

// Resolves every function of the Api; the name of the first one the library lacks, or empty.
std::string resolve_all(void* handle, duckdb_c::Api& api) {
  std::string missing;
  resolve(handle, "duckdb_open_ext", api.open_ext, missing);
  resolve(handle, "duckdb_close", api.close, missing);
  resolve(handle, "duckdb_connect", api.connect, missing);
  resolve(handle, "duckdb_disconnect", api.disconnect, missing);
  resolve(handle, "duckdb_interrupt", api.interrupt, missing);
  resolve(handle, "duckdb_create_config", api.create_config, missing);
  resolve(handle, "duckdb_set_config", api.set_config, missing);
  resolve(handle, "duckdb_destroy_config", api.destroy_config, missing);
  resolve(handle, "duckdb_free", api.free, missing);
  resolve(handle, "duckdb_library_version", api.library_version, missing);
  resolve(handle, "duckdb_query", api.query, missing);
  resolve(handle, "duckdb_destroy_result", api.destroy_result, missing);
  resolve(handle, "duckdb_result_error", api.result_error, missing);
  resolve(handle, "duckdb_column_count", api.column_count, missing);
  resolve(handle, "duckdb_column_name", api.column_name, missing);
  resolve(handle, "duckdb_column_logical_type", api.column_logical_type, missing);
  resolve(handle, "duckdb_rows_changed", api.rows_changed, missing);
  resolve(handle, "duckdb_fetch_chunk", api.fetch_chunk, missing);
  resolve(handle, "duckdb_prepare", api.prepare, missing);
  resolve(handle, "duckdb_prepare_error", api.prepare_error, missing);
  resolve(handle, "duckdb_destroy_prepare", api.destroy_prepare, missing);
  resolve(handle, "duckdb_prepared_statement_type", api.prepared_statement_type, missing);
  resolve(handle, "duckdb_prepared_statement_column_count", api.prepared_statement_column_count, missing);
  resolve(handle, "duckdb_prepared_statement_column_name", api.prepared_statement_column_name, missing);
  resolve(handle, "duckdb_prepared_statement_column_logical_type", api.prepared_statement_column_logical_type, missing);
  resolve(handle, "duckdb_execute_prepared", api.execute_prepared, missing);
  resolve(handle, "duckdb_data_chunk_get_size", api.data_chunk_get_size, missing);
  resolve(handle, "duckdb_data_chunk_get_vector", api.data_chunk_get_vector, missing);
  resolve(handle, "duckdb_destroy_data_chunk", api.destroy_data_chunk, missing);
  resolve(handle, "duckdb_vector_get_data", api.vector_get_data, missing);
  resolve(handle, "duckdb_vector_get_validity", api.vector_get_validity, missing);
  resolve(handle, "duckdb_get_type_id", api.get_type_id, missing);
  resolve(handle, "duckdb_destroy_logical_type", api.destroy_logical_type, missing);
  resolve(handle, "duckdb_decimal_width", api.decimal_width, missing);
  resolve(handle, "duckdb_decimal_scale", api.decimal_scale, missing);
  resolve(handle, "duckdb_decimal_internal_type", api.decimal_internal_type, missing);
  resolve(handle, "duckdb_logical_type_get_alias", api.logical_type_get_alias, missing);
  resolve(handle, "duckdb_list_type_child_type", api.list_type_child_type, missing);
  resolve(handle, "duckdb_array_type_child_type", api.array_type_child_type, missing);
  resolve(handle, "duckdb_array_type_array_size", api.array_type_array_size, missing);
  resolve(handle, "duckdb_struct_type_child_count", api.struct_type_child_count, missing);
  resolve(handle, "duckdb_struct_type_child_name", api.struct_type_child_name, missing);
  resolve(handle, "duckdb_struct_type_child_type", api.struct_type_child_type, missing);
  resolve(handle, "duckdb_map_type_key_type", api.map_type_key_type, missing);
  resolve(handle, "duckdb_map_type_value_type", api.map_type_value_type, missing);
  resolve(handle, "duckdb_value_is_null", api.value_is_null, missing);
  resolve(handle, "duckdb_value_varchar", api.value_varchar, missing);
  return missing;
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

std::vector<std::string> duckdb_library_candidates() {
  if (const char* explicit_path = std::getenv(k_environment_variable.data());
      explicit_path != nullptr && *explicit_path != '\0')
    return {explicit_path};
  std::vector<std::string> candidates;
  auto add = [&](std::filesystem::path path) {
    const auto text = path.lexically_normal().string();
    for (const auto& existing : candidates)
      if (existing == text) return;
    candidates.push_back(text);
  };
  if (std::string_view(COWORK_DUCKDB_DIR).size() > 0)
    add(std::filesystem::path(COWORK_DUCKDB_DIR) / std::string(k_library_name));
  if (auto dir = executable_dir(); !dir.empty())
    add(dir / ".." / "third_party" / "duckdb" / std::string(k_library_name));
  candidates.emplace_back(k_library_name);
  return candidates;
}

Result<const duckdb_c::Api*> load_duckdb_library(const std::vector<std::string>& candidates) {
  std::string reasons;
  for (const auto& candidate : candidates) {
    // A bare name goes to the dynamic loader's search path; a path that does not exist gets a plainer reason than
    // dlerror's.
    const bool is_path = candidate.find('/') != std::string::npos;
    std::string reason;
    if (is_path && !std::filesystem::exists(candidate)) {
      reason = "no such file";
    } else if (void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL); handle == nullptr) {
      const char* message = ::dlerror();
      reason = message != nullptr ? message : "dlopen failed";
      if (!is_path) reason = "not on the system library path (" + reason + ")";
    } else {
      auto api = std::make_unique<duckdb_c::Api>();
      if (auto missing = resolve_all(handle, *api); !missing.empty()) {
        reason = fmt::format("it lacks {} (cowork needs DuckDB 1.1 or newer; 1.5 is tested)", missing);
      } else {
        api->library_path = candidate;
        api->version = api->library_version();
        // Intentionally leaked with the handle: see the header.
        return api.release();
      }
    }
    reasons += fmt::format("\n  {}: {}", candidate, reason);
  }
  return make_error(ErrorCode::unavailable,
                    "DuckDB's C library (libduckdb.so) could not be loaded. Looked in:{}\n"
                    "Install it with `make build` (scripts/setup.sh downloads it into third_party/duckdb/), or set "
                    "{} to the path of a libduckdb.so (DuckDB 1.5).",
                    reasons.empty() ? std::string("\n  (no candidates)") : reasons, k_environment_variable);
}

Result<const duckdb_c::Api*> duckdb_library() {
  static std::mutex mutex;
  static const duckdb_c::Api* loaded = nullptr;
  std::lock_guard lock(mutex);
  if (loaded != nullptr) return loaded;
  COWORK_ASSIGN_OR_RETURN(loaded, load_duckdb_library(duckdb_library_candidates()));
  return loaded;
}

}  // namespace cowork::warehouse
