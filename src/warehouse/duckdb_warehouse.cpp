#include "warehouse/duckdb_warehouse.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "warehouse/duckdb_library.hpp"
#include "warehouse/watchdog.hpp"

namespace cowork::warehouse {
namespace {

namespace c = duckdb_c;

constexpr std::string_view k_memory = ":memory:";
// DuckDB forgets an interrupt that arrives while no query is running (while a statement is being prepared, or between
// the statements of an execute()), so once the deadline has passed the interrupt is repeated until the call returns.
constexpr std::chrono::milliseconds k_interrupt_repeat{50};

// ---- RAII over the C handles ------------------------------------------------------------------------------------

// Owns a handle that the C API destroys through a pointer to it (duckdb_close(&db), duckdb_destroy_prepare(&p)...).
template <typename Handle, auto Destroy>
class Owned {
 public:
  explicit Owned(const c::Api& api, Handle handle = nullptr) : m_api(&api), m_handle(handle) {}
  ~Owned() { reset(); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;

  Handle get() const { return m_handle; }
  // For the C API's out-parameters; whatever was held is destroyed first.
  Handle* out() {
    reset();
    return &m_handle;
  }
  void reset() {
    if (m_handle != nullptr) (m_api->*Destroy)(&m_handle);
    m_handle = nullptr;
  }

 private:
  const c::Api* m_api;
  Handle m_handle;
};

using OwnedDatabase = Owned<c::Database, &c::Api::close>;
using OwnedConnection = Owned<c::Connection, &c::Api::disconnect>;
using OwnedConfig = Owned<c::Config, &c::Api::destroy_config>;
using OwnedPrepared = Owned<c::PreparedStatement, &c::Api::destroy_prepare>;
using OwnedType = Owned<c::LogicalType, &c::Api::destroy_logical_type>;
using OwnedChunk = Owned<c::DataChunk, &c::Api::destroy_data_chunk>;

// duckdb_result is a struct the caller owns; it must be destroyed once a query has filled it, even after an error.
class OwnedResult {
 public:
  explicit OwnedResult(const c::Api& api) : m_api(&api) {}
  ~OwnedResult() {
    if (m_filled) m_api->destroy_result(&m_result);
  }
  OwnedResult(const OwnedResult&) = delete;
  OwnedResult& operator=(const OwnedResult&) = delete;

  c::Result* out() {
    m_filled = true;
    return &m_result;
  }
  c::Result* get() { return &m_result; }
  std::string error() {
    const char* message = m_api->result_error(&m_result);
    return message != nullptr ? message : "unknown DuckDB error";
  }

 private:
  const c::Api* m_api;
  c::Result m_result{};
  bool m_filled = false;
};

// A string the C API allocated and the caller frees with duckdb_free.
std::string take_string(const c::Api& api, const char* text) {
  if (text == nullptr) return {};
  std::string copy(text);
  api.free(const_cast<char*>(text));
  return copy;
}

// ---- SQL text ---------------------------------------------------------------------------------------------------

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'') out += '\'';
    out += ch;
  }
  out += '\'';
  return out;
}

std::string quote_identifier(std::string_view identifier) {
  std::string out = "\"";
  for (char ch : identifier) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

// The statement without trailing blanks and semicolons, so it can stand inside parentheses.
std::string_view strip_statement_end(std::string_view sql) {
  while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    sql.remove_suffix(1);
  return sql;
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  return fmt::format("{:g}", static_cast<double>(timeout.count()) / 1000.0);
}

// ---- Types ------------------------------------------------------------------------------------------------------

std::string_view simple_type_name(int id) {
  switch (id) {
    case c::type_boolean:
      return "BOOLEAN";
    case c::type_tinyint:
      return "TINYINT";
    case c::type_smallint:
      return "SMALLINT";
    case c::type_integer:
      return "INTEGER";
    case c::type_bigint:
      return "BIGINT";
    case c::type_utinyint:
      return "UTINYINT";
    case c::type_usmallint:
      return "USMALLINT";
    case c::type_uinteger:
      return "UINTEGER";
    case c::type_ubigint:
      return "UBIGINT";
    case c::type_float:
      return "FLOAT";
    case c::type_double:
      return "DOUBLE";
    case c::type_timestamp:
      return "TIMESTAMP";
    case c::type_date:
      return "DATE";
    case c::type_time:
      return "TIME";
    case c::type_interval:
      return "INTERVAL";
    case c::type_hugeint:
      return "HUGEINT";
    case c::type_uhugeint:
      return "UHUGEINT";
    case c::type_varchar:
      return "VARCHAR";
    case c::type_blob:
      return "BLOB";
    case c::type_timestamp_s:
      return "TIMESTAMP_S";
    case c::type_timestamp_ms:
      return "TIMESTAMP_MS";
    case c::type_timestamp_ns:
      return "TIMESTAMP_NS";
    case c::type_enum:
      return "ENUM";
    case c::type_uuid:
      return "UUID";
    case c::type_union:
      return "UNION";
    case c::type_bit:
      return "BIT";
    case c::type_time_tz:
      return "TIME WITH TIME ZONE";
    case c::type_timestamp_tz:
      return "TIMESTAMP WITH TIME ZONE";
    default:
      return {};
  }
}

// DuckDB's name for a type: INTEGER, DECIMAL(18,3), VARCHAR[], STRUCT(a INTEGER, b VARCHAR), or an alias like JSON.
std::string type_name(const c::Api& api, c::LogicalType type) {
  if (auto alias = take_string(api, api.logical_type_get_alias(type)); !alias.empty()) return alias;
  const int id = api.get_type_id(type);
  switch (id) {
    case c::type_decimal:
      return fmt::format("DECIMAL({},{})", api.decimal_width(type), api.decimal_scale(type));
    case c::type_list: {
      OwnedType child(api, api.list_type_child_type(type));
      return type_name(api, child.get()) + "[]";
    }
    case c::type_array: {
      OwnedType child(api, api.array_type_child_type(type));
      return fmt::format("{}[{}]", type_name(api, child.get()), api.array_type_array_size(type));
    }
    case c::type_struct: {
      std::string out = "STRUCT(";
      const auto count = api.struct_type_child_count(type);
      for (c::idx_t i = 0; i < count; ++i) {
        OwnedType child(api, api.struct_type_child_type(type, i));
        if (i > 0) out += ", ";
        out += take_string(api, api.struct_type_child_name(type, i)) + " " + type_name(api, child.get());
      }
      return out + ")";
    }
    case c::type_map: {
      OwnedType key(api, api.map_type_key_type(type));
      OwnedType value(api, api.map_type_value_type(type));
      return fmt::format("MAP({}, {})", type_name(api, key.get()), type_name(api, value.get()));
    }
    default: {
      const auto name = simple_type_name(id);
      return name.empty() ? fmt::format("TYPE{}", id) : std::string(name);
    }
  }
}

// How a column's vector is decoded into Values. `unreadable` types are turned into text by DuckDB itself (see query()).
enum class Kind {
  boolean,
  int8,
  int16,
  int32,
  int64,
  uint8,
  uint16,
  uint32,
  uint64,
  int128,
  uint128,
  float32,
  float64,
  decimal,
  varchar,
  date,
  time,
  timestamp_s,
  timestamp_ms,
  timestamp_us,
  timestamp_ns,
  unreadable,
};

struct ColumnReader {
  Kind kind = Kind::unreadable;
  int decimal_storage = 0;  // the integer type a DECIMAL is stored as
  double decimal_divisor = 1;
  std::string type;  // for the placeholder of an unreadable value
};

ColumnReader column_reader(const c::Api& api, c::LogicalType type) {
  ColumnReader reader;
  reader.type = type_name(api, type);
  switch (api.get_type_id(type)) {
    case c::type_boolean:
      reader.kind = Kind::boolean;
      break;
    case c::type_tinyint:
      reader.kind = Kind::int8;
      break;
    case c::type_smallint:
      reader.kind = Kind::int16;
      break;
    case c::type_integer:
      reader.kind = Kind::int32;
      break;
    case c::type_bigint:
      reader.kind = Kind::int64;
      break;
    case c::type_utinyint:
      reader.kind = Kind::uint8;
      break;
    case c::type_usmallint:
      reader.kind = Kind::uint16;
      break;
    case c::type_uinteger:
      reader.kind = Kind::uint32;
      break;
    case c::type_ubigint:
      reader.kind = Kind::uint64;
      break;
    case c::type_hugeint:
      reader.kind = Kind::int128;
      break;
    case c::type_uhugeint:
      reader.kind = Kind::uint128;
      break;
    case c::type_float:
      reader.kind = Kind::float32;
      break;
    case c::type_double:
      reader.kind = Kind::float64;
      break;
    case c::type_decimal:
      reader.kind = Kind::decimal;
      reader.decimal_storage = api.decimal_internal_type(type);
      reader.decimal_divisor = std::pow(10.0, api.decimal_scale(type));
      break;
    case c::type_varchar:
      reader.kind = Kind::varchar;
      break;
    case c::type_date:
      reader.kind = Kind::date;
      break;
    case c::type_time:
      reader.kind = Kind::time;
      break;
    case c::type_timestamp:
      reader.kind = Kind::timestamp_us;
      break;
    case c::type_timestamp_s:
      reader.kind = Kind::timestamp_s;
      break;
    case c::type_timestamp_ms:
      reader.kind = Kind::timestamp_ms;
      break;
    case c::type_timestamp_ns:
      reader.kind = Kind::timestamp_ns;
      break;
    default:
      reader.kind = Kind::unreadable;
      break;
  }
  return reader;
}

// ---- Values -----------------------------------------------------------------------------------------------------

__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

std::string uint128_text(UInt128 value) {
  if (value == 0) return "0";
  std::string digits;
  while (value > 0) {
    digits += static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  }
  return {digits.rbegin(), digits.rend()};
}

Value int128_value(Int128 value) {
  if (value >= std::numeric_limits<std::int64_t>::min() && value <= std::numeric_limits<std::int64_t>::max())
    return static_cast<std::int64_t>(value);
  if (value < 0) return "-" + uint128_text(-static_cast<UInt128>(value));
  return uint128_text(static_cast<UInt128>(value));
}

Value uint128_value(UInt128 value) {
  if (value <= static_cast<UInt128>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(value);
  return uint128_text(value);
}

Int128 hugeint_at(const void* data, c::idx_t row) {
  const auto& h = static_cast<const c::Hugeint*>(data)[row];
  return (static_cast<Int128>(h.upper) << 64) | static_cast<Int128>(h.lower);
}

// "2024-01-31"; years before 1 as DuckDB writes them ("0044-03-15 (BC)").
std::string date_text(std::int64_t days_since_epoch) {
  using namespace std::chrono;
  if (days_since_epoch >= std::numeric_limits<std::int32_t>::max()) return "infinity";
  if (days_since_epoch <= -std::numeric_limits<std::int32_t>::max()) return "-infinity";
  const year_month_day ymd{sys_days{days{days_since_epoch}}};
  if (!ymd.ok()) return fmt::format("{} days after 1970-01-01", days_since_epoch);
  const int year = static_cast<int>(ymd.year());
  if (year <= 0)
    return fmt::format("{:04}-{:02}-{:02} (BC)", 1 - year, static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
  return fmt::format("{:04}-{:02}-{:02}", year, static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// "13:45:07", "13:45:07.25": the fraction has `digits` places with trailing zeros dropped.
std::string time_text(std::int64_t units_of_day, std::int64_t units_per_second, int digits) {
  const std::int64_t seconds = units_of_day / units_per_second;
  const std::int64_t fraction = units_of_day % units_per_second;
  std::string out = fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (fraction != 0) {
    std::string text = fmt::format("{:0{}}", fraction, digits);
    while (!text.empty() && text.back() == '0') text.pop_back();
    out += "." + text;
  }
  return out;
}

std::string timestamp_text(std::int64_t value, std::int64_t units_per_second, int digits) {
  if (value == std::numeric_limits<std::int64_t>::max()) return "infinity";
  if (value == -std::numeric_limits<std::int64_t>::max()) return "-infinity";
  const std::int64_t units_per_day = units_per_second * 86400;
  std::int64_t days = value / units_per_day;
  std::int64_t rest = value % units_per_day;
  if (rest < 0) {
    rest += units_per_day;
    --days;
  }
  std::string date = date_text(days);
  std::string time = time_text(rest, units_per_second, digits);
  // DuckDB puts the era after the whole timestamp.
  if (date.ends_with(" (BC)")) return date.substr(0, date.size() - 5) + " " + time + " (BC)";
  return date + " " + time;
}

template <typename T>
T at(const void* data, c::idx_t row) {
  return static_cast<const T*>(data)[row];
}

Value read_value(const ColumnReader& reader, const void* data, c::idx_t row) {
  switch (reader.kind) {
    case Kind::boolean:
      return at<bool>(data, row);
    case Kind::int8:
      return static_cast<std::int64_t>(at<std::int8_t>(data, row));
    case Kind::int16:
      return static_cast<std::int64_t>(at<std::int16_t>(data, row));
    case Kind::int32:
      return static_cast<std::int64_t>(at<std::int32_t>(data, row));
    case Kind::int64:
      return at<std::int64_t>(data, row);
    case Kind::uint8:
      return static_cast<std::int64_t>(at<std::uint8_t>(data, row));
    case Kind::uint16:
      return static_cast<std::int64_t>(at<std::uint16_t>(data, row));
    case Kind::uint32:
      return static_cast<std::int64_t>(at<std::uint32_t>(data, row));
    case Kind::uint64:
      return uint128_value(at<std::uint64_t>(data, row));
    case Kind::int128:
      return int128_value(hugeint_at(data, row));
    case Kind::uint128:
      return uint128_value(static_cast<UInt128>(hugeint_at(data, row)));
    case Kind::float32:
      return static_cast<double>(at<float>(data, row));
    case Kind::float64:
      return at<double>(data, row);
    case Kind::decimal: {
      double unscaled = 0;
      switch (reader.decimal_storage) {
        case c::type_smallint:
          unscaled = at<std::int16_t>(data, row);
          break;
        case c::type_integer:
          unscaled = at<std::int32_t>(data, row);
          break;
        case c::type_bigint:
          unscaled = static_cast<double>(at<std::int64_t>(data, row));
          break;
        default:
          unscaled = static_cast<double>(hugeint_at(data, row));
          break;
      }
      return unscaled / reader.decimal_divisor;
    }
    case Kind::varchar: {
      const auto& s = static_cast<const c::StringT*>(data)[row];
      const std::uint32_t length = s.value.inlined.length;
      return length <= sizeof(s.value.inlined.inlined) ? std::string(s.value.inlined.inlined, length)
                                                       : std::string(s.value.pointer.ptr, length);
    }
    case Kind::date:
      return date_text(at<std::int32_t>(data, row));
    case Kind::time:
      return time_text(at<std::int64_t>(data, row), 1'000'000, 6);
    case Kind::timestamp_s:
      return timestamp_text(at<std::int64_t>(data, row), 1, 0);
    case Kind::timestamp_ms:
      return timestamp_text(at<std::int64_t>(data, row), 1'000, 3);
    case Kind::timestamp_us:
      return timestamp_text(at<std::int64_t>(data, row), 1'000'000, 6);
    case Kind::timestamp_ns:
      return timestamp_text(at<std::int64_t>(data, row), 1'000'000'000, 9);
    case Kind::unreadable:
      break;
  }
  return fmt::format("<{} value>", reader.type);
}

bool is_valid(const std::uint64_t* validity, c::idx_t row) {
  return validity == nullptr || ((validity[row / 64] >> (row % 64)) & 1) != 0;
}

// ---- Errors -----------------------------------------------------------------------------------------------------

// DuckDB's messages start with the error class ("Catalog Error: ..."); the code follows from it.
ErrorCode classify(std::string_view message) {
  auto contains = [&](std::string_view part) { return message.find(part) != std::string_view::npos; };
  if (message.starts_with("INTERRUPT")) return ErrorCode::timeout;
  if (message.starts_with("Permission Error") || contains("read-only mode") ||
      contains("configuration has been locked"))
    return ErrorCode::permission_denied;
  if (message.starts_with("Catalog Error") && contains("does not exist")) return ErrorCode::not_found;
  if (message.starts_with("IO Error") && (contains("No such file") || contains("No files found")))
    return ErrorCode::not_found;
  if (message.starts_with("IO Error") && contains("Could not set lock")) return ErrorCode::unavailable;
  if (contains("Permission denied")) return ErrorCode::permission_denied;
  return ErrorCode::invalid_argument;
}

// ---- The adapter ------------------------------------------------------------------------------------------------

class DuckDbWarehouse final : public Warehouse {
 public:
  DuckDbWarehouse(const c::Api& api, std::string path, const ConnectionConfig& config)
      : m_api(&api),
        m_path(std::move(path)),
        m_config(config),
        m_location(fmt::format("duckdb at {}", m_path)),
        m_database(api),
        m_connection(api) {}

  // Opens the database with `settings` applied at start-up and connects.
  Status open(const std::vector<std::pair<const char*, const char*>>& settings) {
    OwnedConfig config(*m_api);
    if (m_api->create_config(config.out()) != c::success)
      return make_error(ErrorCode::internal, "DuckDB could not create a configuration object");
    for (const auto& [name, value] : settings) {
      if (m_api->set_config(config.get(), name, value) != c::success)
        return make_error(ErrorCode::internal, "DuckDB {} does not accept the setting {}={} (opening {})",
                          m_api->version, name, value, m_path);
    }
    char* error = nullptr;
    if (m_api->open_ext(m_path.c_str(), m_database.out(), config.get(), &error) != c::success) {
      const std::string message = error != nullptr ? take_string(*m_api, error) : "unknown error";
      return make_error(classify(message), "cannot open DuckDB database {}: {}", m_path, message);
    }
    if (m_api->connect(m_database.get(), m_connection.out()) != c::success)
      return make_error(ErrorCode::internal, "cannot connect to DuckDB database {}", m_path);
    return {};
  }

  Status attach(const std::string& path, const std::string& alias) {
    const auto statement = fmt::format("ATTACH {} AS {} (READ_ONLY)", quote_literal(path), quote(alias));
    if (auto status = execute(statement, {}); !status) {
      return make_error(status.error().code, "cannot attach {} read-only as {} to {}: {}", path, alias, m_location,
                        status.error().message);
    }
    return {};
  }

  // After the attachments: from here on no statement can read or write files other than the open databases, or
  // change settings.
  Status lock_down() { return execute("SET enable_external_access = false; SET lock_configuration = true", {}); }

  std::string_view type() const override { return "duckdb"; }

  std::string describe() const override {
    std::vector<std::string> notes;
    if (!m_config.schema.empty()) notes.push_back("schema " + m_config.schema);
    if (m_config.access == AccessMode::read_only) notes.emplace_back("read-only");
    for (const auto& [path, alias] : m_attached)
      notes.push_back(fmt::format("{} attached read-only from {}", alias, path));
    if (notes.empty()) return m_location;
    return fmt::format("{} ({})", m_location, fmt::join(notes, ", "));
  }

  Result<QueryResult> query(std::string_view sql, const QueryOptions& options) override {
    const std::string text(sql);
    Watchdog::Scope deadline(
        m_watchdog, options.timeout, [this] { m_api->interrupt(m_connection.get()); }, k_interrupt_repeat);

    OwnedPrepared statement(*m_api);
    if (m_api->prepare(m_connection.get(), text.c_str(), statement.out()) != c::success) {
      const char* message = m_api->prepare_error(statement.get());
      return failure(message != nullptr ? message : "cannot prepare the statement", deadline, options);
    }
    const int statement_type = m_api->prepared_statement_type(statement.get());

    // Names and types as the statement declares them; types DuckDB's vectors do not give a plain value for are
    // turned into text by DuckDB's own cast in a wrapping SELECT.
    QueryResult out;
    std::vector<bool> as_text;
    const auto column_count = m_api->prepared_statement_column_count(statement.get());
    for (c::idx_t i = 0; i < column_count; ++i) {
      OwnedType type(*m_api, m_api->prepared_statement_column_logical_type(statement.get(), i));
      auto reader = column_reader(*m_api, type.get());
      out.columns.push_back(
          {take_string(*m_api, m_api->prepared_statement_column_name(statement.get(), i)), reader.type});
      as_text.push_back(reader.kind == Kind::unreadable);
    }
    const bool needs_text = std::find(as_text.begin(), as_text.end(), true) != as_text.end();

    // A SELECT is wrapped when it helps: the casts above, and a LIMIT so DuckDB stops producing rows past the row
    // limit instead of materialising the whole result. Statements that cannot be a subquery (PRAGMA, which DuckDB
    // also calls a SELECT) keep their own text, and then the limit is applied here and unreadable values are shown
    // as a placeholder.
    OwnedPrepared wrapped(*m_api);
    bool use_wrapped = false;
    if (statement_type == c::statement_select && (needs_text || options.row_limit >= 0)) {
      const auto wrapped_sql = wrap_select(text, out.columns, as_text, options.row_limit);
      use_wrapped = m_api->prepare(m_connection.get(), wrapped_sql.c_str(), wrapped.out()) == c::success;
    }

    OwnedResult result(*m_api);
    if (m_api->execute_prepared(use_wrapped ? wrapped.get() : statement.get(), result.out()) != c::success)
      return failure(result.error(), deadline, options);

    // A write without RETURNING answers with one "Count" column; with RETURNING DuckDB does not count the rows.
    const bool counted_write = (statement_type == c::statement_insert || statement_type == c::statement_update ||
                                statement_type == c::statement_delete) &&
                               out.columns.size() == 1 && out.columns[0].name == "Count";
    if (counted_write) out.rows_affected = static_cast<std::int64_t>(m_api->rows_changed(result.get()));

    // Decode by the result's own types (VARCHAR where the wrapper cast); the statement's count is the reference.
    const auto result_columns = m_api->column_count(result.get());
    if (result_columns != out.columns.size())
      return make_error(ErrorCode::internal, "{}: the statement declared {} columns but returned {}", m_location,
                        out.columns.size(), result_columns);
    std::vector<ColumnReader> readers;
    for (c::idx_t i = 0; i < result_columns; ++i) {
      OwnedType type(*m_api, m_api->column_logical_type(result.get(), i));
      readers.push_back(column_reader(*m_api, type.get()));
    }

    std::vector<const void*> data(result_columns);
    std::vector<const std::uint64_t*> validity(result_columns);
    const auto limit = options.row_limit;
    while (true) {
      OwnedChunk chunk(*m_api, m_api->fetch_chunk(*result.get()));
      if (chunk.get() == nullptr) break;
      const auto size = m_api->data_chunk_get_size(chunk.get());
      for (c::idx_t col = 0; col < result_columns; ++col) {
        auto vector = m_api->data_chunk_get_vector(chunk.get(), col);
        data[col] = m_api->vector_get_data(vector);
        validity[col] = m_api->vector_get_validity(vector);
      }
      for (c::idx_t row = 0; row < size; ++row) {
        if (limit >= 0 && static_cast<std::int64_t>(out.rows.size()) >= limit) {
          out.truncated = true;
          return out;
        }
        auto& values = out.rows.emplace_back();
        values.reserve(result_columns);
        for (c::idx_t col = 0; col < result_columns; ++col) {
          if (!is_valid(validity[col], row))
            values.emplace_back(std::monostate{});
          else
            values.push_back(read_value(readers[col], data[col], row));
        }
      }
    }
    return out;
  }

  Status execute(std::string_view sql, const QueryOptions& options) override {
    const std::string text(sql);
    Watchdog::Scope deadline(
        m_watchdog, options.timeout, [this] { m_api->interrupt(m_connection.get()); }, k_interrupt_repeat);
    OwnedResult result(*m_api);
    if (m_api->query(m_connection.get(), text.c_str(), result.out()) != c::success)
      return failure(result.error(), deadline, options);
    return {};
  }

  Status begin() override { return execute("BEGIN TRANSACTION", {}); }
  Status commit() override { return execute("COMMIT", {}); }
  Status rollback() override { return execute("ROLLBACK", {}); }

  std::string quote(std::string_view identifier) const override { return quote_identifier(identifier); }

  Result<bool> relation_exists(std::string_view schema, std::string_view name) override {
    COWORK_ASSIGN_OR_RETURN(auto result, query(fmt::format("SELECT count(*) FROM information_schema.tables WHERE {}",
                                                           relation_condition(schema, name)),
                                               {}));
    return !result.rows.empty() && std::get<std::int64_t>(result.rows[0][0]) > 0;
  }

  Result<std::vector<Column>> relation_columns(std::string_view schema, std::string_view name) override {
    COWORK_ASSIGN_OR_RETURN(auto result,
                            query(fmt::format("SELECT column_name, data_type FROM "
                                              "information_schema.columns WHERE {} ORDER BY ordinal_position",
                                              relation_condition(schema, name)),
                                  {}));
    if (result.rows.empty())
      return make_error(ErrorCode::not_found, "relation {}.{} does not exist in {}", schema, name, m_location);
    std::vector<Column> columns;
    for (const auto& row : result.rows) columns.push_back({to_string(row[0]), to_string(row[1])});
    return columns;
  }

  void remember_attachment(std::string path, std::string alias) {
    m_attached.emplace_back(std::move(path), std::move(alias));
  }

 private:
  // The error for a failed statement: a timeout when the watchdog interrupted it, else DuckDB's message.
  std::unexpected<Error> failure(std::string_view message, Watchdog::Scope& deadline,
                                 const QueryOptions& options) const {
    if (deadline.expired())
      return make_error(ErrorCode::timeout, "query on {} timed out after {} s and was cancelled", m_location,
                        seconds_text(options.timeout));
    return make_error(classify(message), "{}: {}", m_location, message);
  }

  static std::string wrap_select(std::string_view sql, const std::vector<Column>& columns,
                                 const std::vector<bool>& as_text, std::int64_t row_limit) {
    std::string select;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) select += ", ";
      // Positional references (#1) stay right when the statement has duplicate or unnamed columns.
      select += as_text[i] ? fmt::format("CAST(#{} AS VARCHAR)", i + 1) : fmt::format("#{}", i + 1);
      select += " AS " + quote_identifier(columns[i].name);
    }
    // The newline ends a trailing line comment in the statement.
    auto wrapped = fmt::format("SELECT {} FROM (\n{}\n) AS cowork_query", select, strip_statement_end(sql));
    if (row_limit >= 0) wrapped += fmt::format(" LIMIT {}", row_limit + 1);
    return wrapped;
  }

  // information_schema filter for `schema`.`name`; "db.schema" looks in an attached database. DuckDB resolves
  // unquoted identifiers case-insensitively, so the match does too.
  static std::string relation_condition(std::string_view schema, std::string_view name) {
    std::string catalog_condition = "table_catalog = current_database()";
    if (auto dot = schema.find('.'); dot != std::string_view::npos) {
      catalog_condition = fmt::format("lower(table_catalog) = lower({})", quote_literal(schema.substr(0, dot)));
      schema = schema.substr(dot + 1);
    }
    return fmt::format("{} AND lower(table_schema) = lower({}) AND lower(table_name) = lower({})", catalog_condition,
                       quote_literal(schema), quote_literal(name));
  }

  const c::Api* m_api;
  std::string m_path;
  ConnectionConfig m_config;
  std::string m_location;
  std::vector<std::pair<std::string, std::string>> m_attached;
  // Declared so that the connection is closed before the database, and the watchdog (which may call
  // duckdb_interrupt on the connection) is stopped before either.
  OwnedDatabase m_database;
  OwnedConnection m_connection;
  Watchdog m_watchdog;
};

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

}  // namespace

Result<std::unique_ptr<Warehouse>> open_duckdb_warehouse(const ConnectionConfig& config) {
  COWORK_ASSIGN_OR_RETURN(const c::Api* api, duckdb_library());
  const bool in_memory = config.path.empty() || config.path == k_memory;
  const std::string path = in_memory ? std::string(k_memory) : absolute_path(config.path);
  const bool read_only = config.access == AccessMode::read_only;

  // Attaching is external access, so with attachments the lock-down waits until they are attached (lock_down());
  // without, it is part of the start-up configuration and never off, not even for one statement.
  std::vector<std::pair<const char*, const char*>> settings;
  if (read_only && !in_memory) settings.emplace_back("access_mode", "READ_ONLY");
  const bool lock_at_open = read_only && config.attach_read_only.empty();
  if (lock_at_open) {
    settings.emplace_back("enable_external_access", "false");
    settings.emplace_back("lock_configuration", "true");
  }

  auto warehouse = std::make_unique<DuckDbWarehouse>(*api, path, config);
  COWORK_TRY(warehouse->open(settings));
  for (const auto& [attach_path, alias] : config.attach_read_only) {
    const auto absolute = absolute_path(attach_path);
    COWORK_TRY(warehouse->attach(absolute, alias));
    warehouse->remember_attachment(absolute, alias);
  }
  if (read_only && !lock_at_open) COWORK_TRY(warehouse->lock_down());
  return warehouse;
}

void register_duckdb_warehouse() {
  register_warehouse("duckdb", open_duckdb_warehouse);
}

}  // namespace cowork::warehouse
