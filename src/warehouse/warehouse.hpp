// The warehouse seen by the rest of cowork: one interface every adapter implements (DuckDB, PostgreSQL; BigQuery and
// Snowflake later), and a registry that opens the right one for a dbt profile's `type`. The native dbt runner builds
// models through it, the investigation tools run read-only queries through it, and the fix verifier runs builds in a
// sandbox through it (a transaction that is rolled back, or a scratch DuckDB with the real database attached
// read-only). Adapters turn every database failure into an Error value naming the database, so callers never see a
// driver's exception or C handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "util/error.hpp"

namespace cowork::warehouse {

// One cell. std::monostate is SQL NULL; integers of every width are std::int64_t (wider values that do not fit, like
// a HUGEINT or a UBIGINT above 2^63, come back as their decimal text); DECIMAL/NUMERIC are double; dates and times are
// ISO text ("2024-01-31", "2024-01-31 12:00:00.5"); anything else is the database's own text for the value.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct Column {
  std::string name;
  std::string
      type;  // as the database names it: INTEGER, VARCHAR, DECIMAL(18,3) on DuckDB; int4, text, numeric on Postgres
};

struct QueryResult {
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;
  bool truncated = false;           // more rows than QueryOptions::row_limit; `rows` holds the first row_limit
  std::int64_t rows_affected = -1;  // rows written by an INSERT/UPDATE/DELETE without RETURNING; -1 otherwise
};

struct QueryOptions {
  std::int64_t row_limit = -1;  // < 0: all rows. Rows past the limit are not returned and set `truncated`.
  // How long the statement may run before it is cancelled in the database and ErrorCode::timeout is returned; zero or
  // less waits forever. The connection stays usable after a timeout.
  std::chrono::milliseconds timeout{30000};
};

enum class AccessMode { read_write, read_only };

struct ConnectionConfig {
  std::string type;  // "duckdb" or "postgres": the dbt profile's `type`
  std::string path;  // duckdb: the database file, or ":memory:" (also when empty)
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string user, password, dbname, sslmode;
  std::chrono::seconds connect_timeout{10};
  std::string schema;  // the target schema; informational (shown by describe())
  AccessMode access = AccessMode::read_write;
  // duckdb: other databases to ATTACH read-only, as {path, alias}; the verification sandbox attaches the real
  // database this way to a scratch one.
  std::vector<std::pair<std::string, std::string>> attach_read_only;
};

// A connection to one database. Not thread-safe: one caller at a time, like the connection it wraps. Every method
// returns an Error rather than throwing; database errors carry the database's message and say which database.
class Warehouse {
 public:
  virtual ~Warehouse() = default;

  // The registry key: "duckdb", "postgres".
  virtual std::string_view type() const = 0;
  // Where this connection points, for messages: "duckdb at /abs/dev.duckdb", "postgres at 127.0.0.1:5432/analytics",
  // followed by the schema, the access mode and attachments in parentheses when there are any.
  virtual std::string describe() const = 0;

  // Runs one statement and returns its rows (a statement without rows returns no columns). Several statements in
  // `sql` are an error. Codes: timeout (cancelled after options.timeout), not_found (a missing relation),
  // permission_denied (a write in read-only mode), unavailable (the connection is gone), invalid_argument (any other
  // SQL error).
  virtual Result<QueryResult> query(std::string_view sql, const QueryOptions& options = {}) = 0;
  // Runs statements whose rows are not wanted (DDL, DML); several may be separated by `;` (on PostgreSQL in
  // read-only mode, one). Errors as for query(). When one of several fails, DuckDB keeps what the statements before
  // it did, while PostgreSQL runs the statements of one call as one transaction (unless they contain their own
  // BEGIN/COMMIT), so none of them has an effect.
  virtual Status execute(std::string_view sql, const QueryOptions& options = {}) = 0;

  // An explicit transaction: statements between begin() and commit() or rollback() are one unit. The sandbox runs
  // a build inside one and rolls it back.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual Status rollback() = 0;

  // `identifier` as a quoted SQL identifier: my "odd" name -> "my ""odd"" name".
  virtual std::string quote(std::string_view identifier) const = 0;
  // Whether a table or view `schema`.`name` exists. On DuckDB the schema may be written `database.schema` to look in
  // an attached database; names match as the database resolves unquoted identifiers.
  virtual Result<bool> relation_exists(std::string_view schema, std::string_view name) = 0;
  // The columns of a table or view in ordinal order; not_found if it does not exist.
  virtual Result<std::vector<Column>> relation_columns(std::string_view schema, std::string_view name) = 0;
};

// Delegates every call to an inner warehouse. Tests and decorators (logging, fault injection) subclass it and
// override the one call they change.
class ForwardingWarehouse : public Warehouse {
 public:
  explicit ForwardingWarehouse(std::unique_ptr<Warehouse> inner) : m_inner(std::move(inner)) {}

  std::string_view type() const override { return m_inner->type(); }
  std::string describe() const override { return m_inner->describe(); }
  Result<QueryResult> query(std::string_view sql, const QueryOptions& options = {}) override {
    return m_inner->query(sql, options);
  }
  Status execute(std::string_view sql, const QueryOptions& options = {}) override {
    return m_inner->execute(sql, options);
  }
  Status begin() override { return m_inner->begin(); }
  Status commit() override { return m_inner->commit(); }
  Status rollback() override { return m_inner->rollback(); }
  std::string quote(std::string_view identifier) const override { return m_inner->quote(identifier); }
  Result<bool> relation_exists(std::string_view schema, std::string_view name) override {
    return m_inner->relation_exists(schema, name);
  }
  Result<std::vector<Column>> relation_columns(std::string_view schema, std::string_view name) override {
    return m_inner->relation_columns(schema, name);
  }

  Warehouse& inner() { return *m_inner; }

 private:
  std::unique_ptr<Warehouse> m_inner;
};

using WarehouseFactory = std::function<Result<std::unique_ptr<Warehouse>>(const ConnectionConfig&)>;

// Adds or replaces the factory for `type`. Thread-safe.
void register_warehouse(std::string type, WarehouseFactory factory);

// Registers the adapters built into cowork (duckdb, postgres). Called by open_warehouse() and
// supported_warehouse_types() before they look, so a program never depends on static initialisers of a static library
// being linked in; safe to call any number of times.
void register_builtin_warehouses();

// Opens a connection with the factory registered for config.type. An unknown type is invalid_argument naming it and
// the supported types; a factory's own error is passed through.
Result<std::unique_ptr<Warehouse>> open_warehouse(const ConnectionConfig& config);

// The registered types, sorted.
std::vector<std::string> supported_warehouse_types();

// The database's spelling of a value for messages and text output: NULL, true/false, numbers, strings as they are.
std::string to_string(const Value& value);

}  // namespace cowork::warehouse
