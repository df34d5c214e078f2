// DuckDB's C library, loaded at run time. DuckDB is not a system package: `make build` (scripts/setup.sh) unpacks
// libduckdb.so from the npm package @duckdb/node-bindings-linux-x64 into third_party/duckdb/, and the binary dlopens
// it, so cowork builds and runs without DuckDB's headers and the other warehouses work where DuckDB is missing.
// The types below are the parts of duckdb.h (C API v1.x, checked against 1.5) that DuckDbWarehouse uses, declared
// here because no duckdb.h is installed; their layouts must match the library's. Used by duckdb_warehouse.cpp and
// by tests that point the loader at another path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace cowork::warehouse::duckdb_c {

using idx_t = std::uint64_t;

// duckdb_type: the ids of duckdb.h's DUCKDB_TYPE enum that the adapter reads natively or names.
enum Type : int {
  type_invalid = 0,
  type_boolean = 1,
  type_tinyint = 2,
  type_smallint = 3,
  type_integer = 4,
  type_bigint = 5,
  type_utinyint = 6,
  type_usmallint = 7,
  type_uinteger = 8,
  type_ubigint = 9,
  type_float = 10,
  type_double = 11,
  type_timestamp = 12,
  type_date = 13,
  type_time = 14,
  type_interval = 15,
  type_hugeint = 16,
  type_varchar = 17,
  type_blob = 18,
  type_decimal = 19,
  type_timestamp_s = 20,
  type_timestamp_ms = 21,
  type_timestamp_ns = 22,
  type_enum = 23,
  type_list = 24,
  type_struct = 25,
  type_map = 26,
  type_uuid = 27,
  type_union = 28,
  type_bit = 29,
  type_time_tz = 30,
  type_timestamp_tz = 31,
  type_uhugeint = 32,
  type_array = 33,
};

// duckdb_state
enum State : int { success = 0, error = 1 };

// duckdb_statement_type (the ones the adapter tells apart).
enum StatementType : int {
  statement_invalid = 0,
  statement_select = 1,
  statement_insert = 2,
  statement_update = 3,
  statement_delete = 5,
};

struct Hugeint {
  std::uint64_t lower;
  std::int64_t upper;
};

// duckdb_string_t: 16 bytes; strings of up to 12 bytes are stored inline.
struct StringT {
  union {
    struct {
      std::uint32_t length;
      char prefix[4];
      char* ptr;
    } pointer;
    struct {
      std::uint32_t length;
      char inlined[12];
    } inlined;
  } value;
};
static_assert(sizeof(StringT) == 16);

// duckdb_result: a value struct owned by the caller, freed with destroy_result.
struct Result {
  idx_t deprecated_column_count;
  idx_t deprecated_row_count;
  idx_t deprecated_rows_changed;
  void* deprecated_columns;
  char* deprecated_error_message;
  void* internal_data;
};
static_assert(sizeof(Result) == 48);

// Opaque handles: pointers to a struct holding one pointer, as in duckdb.h.
struct OpaqueHandle {
  void* internal;
};
using Database = OpaqueHandle*;
using Connection = OpaqueHandle*;
using Config = OpaqueHandle*;
using PreparedStatement = OpaqueHandle*;
using LogicalType = OpaqueHandle*;
using DataChunk = OpaqueHandle*;
using Vector = OpaqueHandle*;

// The C API functions the adapter calls, resolved from the loaded library.
struct Api {
  std::string library_path;  // the file that was loaded
  std::string version;       // duckdb_library_version(), e.g. "v1.5.6"

  State (*open_ext)(const char* path, Database* out_database, Config config, char** out_error);
  void (*close)(Database* database);
  State (*connect)(Database database, Connection* out_connection);
  void (*disconnect)(Connection* connection);
  void (*interrupt)(Connection connection);
  State (*create_config)(Config* out_config);
  State (*set_config)(Config config, const char* name, const char* option);
  void (*destroy_config)(Config* config);
  void (*free)(void* ptr);
  const char* (*library_version)();

  State (*query)(Connection connection, const char* query, Result* out_result);
  void (*destroy_result)(Result* result);
  const char* (*result_error)(Result* result);
  idx_t (*column_count)(Result* result);
  const char* (*column_name)(Result* result, idx_t column);
  LogicalType (*column_logical_type)(Result* result, idx_t column);
  idx_t (*rows_changed)(Result* result);
  DataChunk (*fetch_chunk)(Result result);

  State (*prepare)(Connection connection, const char* query, PreparedStatement* out_statement);
  const char* (*prepare_error)(PreparedStatement statement);
  void (*destroy_prepare)(PreparedStatement* statement);
  int (*prepared_statement_type)(PreparedStatement statement);
  idx_t (*prepared_statement_column_count)(PreparedStatement statement);
  const char* (*prepared_statement_column_name)(PreparedStatement statement, idx_t column);  // free with `free`
  LogicalType (*prepared_statement_column_logical_type)(PreparedStatement statement, idx_t column);
  State (*execute_prepared)(PreparedStatement statement, Result* out_result);

  idx_t (*data_chunk_get_size)(DataChunk chunk);
  Vector (*data_chunk_get_vector)(DataChunk chunk, idx_t column);
  void (*destroy_data_chunk)(DataChunk* chunk);
  void* (*vector_get_data)(Vector vector);
  std::uint64_t* (*vector_get_validity)(Vector vector);

  int (*get_type_id)(LogicalType type);
  void (*destroy_logical_type)(LogicalType* type);
  std::uint8_t (*decimal_width)(LogicalType type);
  std::uint8_t (*decimal_scale)(LogicalType type);
  int (*decimal_internal_type)(LogicalType type);
  char* (*logical_type_get_alias)(LogicalType type);  // free with `free`; null without an alias
  LogicalType (*list_type_child_type)(LogicalType type);
  LogicalType (*array_type_child_type)(LogicalType type);
  idx_t (*array_type_array_size)(LogicalType type);
  idx_t (*struct_type_child_count)(LogicalType type);
  char* (*struct_type_child_name)(LogicalType type, idx_t index);  // free with `free`
  LogicalType (*struct_type_child_type)(LogicalType type, idx_t index);
  LogicalType (*map_type_key_type)(LogicalType type);
  LogicalType (*map_type_value_type)(LogicalType type);

  // The materialized-value functions, for the rare result that cannot be read through chunks (see the adapter).
  bool (*value_is_null)(Result* result, idx_t column, idx_t row);
  char* (*value_varchar)(Result* result, idx_t column, idx_t row);  // free with `free`
};

}  // namespace cowork::warehouse::duckdb_c

namespace cowork::warehouse {

// Where the library is looked for, in order: $COWORK_DUCKDB_LIBRARY alone when it is set (an explicit choice is not
// second-guessed); otherwise the source tree's third_party/duckdb/ (where `make build` puts it), the same folder
// relative to the running executable (../third_party/duckdb/), and finally the bare name for the system's search path.
std::vector<std::string> duckdb_library_candidates();

// Loads the first candidate that opens and resolves every function the adapter needs. On failure the error
// (ErrorCode::unavailable) lists each candidate with its reason and says how to install the library. A loaded library
// is never unloaded: DuckDB keeps threads and static state alive for the life of the process.
Result<const duckdb_c::Api*> load_duckdb_library(const std::vector<std::string>& candidates);

// The process-wide library from duckdb_library_candidates(), loaded on first use. A failure is not cached, so a later
// call can succeed once the library has been installed.
Result<const duckdb_c::Api*> duckdb_library();

}  // namespace cowork::warehouse
