#include "warehouse/postgres_warehouse.hpp"

#include <poll.h>

#include <libpq-fe.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <functional>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

namespace cowork::warehouse {
namespace {

using Clock = std::chrono::steady_clock;

// The server cancels a statement at statement_timeout; the client waits this much longer before sending a cancel of
// its own (the server may be too busy to notice its timer, or a network hiccup may hide its answer)...
constexpr std::chrono::milliseconds k_client_grace{1000};
// ...and this long for an answer to that cancel before it gives up on the connection and reconnects.
constexpr std::chrono::milliseconds k_cancel_wait{3000};

struct ConnectionDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using OwnedConnection = std::unique_ptr<PGconn, ConnectionDeleter>;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using OwnedResult = std::unique_ptr<PGresult, ResultDeleter>;

struct CancelDeleter {
  void operator()(PGcancel* cancel) const { PQfreeCancel(cancel); }
};

// ---- Types ------------------------------------------------------------------------------------------------------

// pg_type.typname of the built-in types results commonly carry; others are looked up in pg_type.
std::string_view builtin_type_name(Oid oid) {
  switch (oid) {
    case 16:
      return "bool";
    case 17:
      return "bytea";
    case 18:
      return "char";
    case 19:
      return "name";
    case 20:
      return "int8";
    case 21:
      return "int2";
    case 23:
      return "int4";
    case 25:
      return "text";
    case 26:
      return "oid";
    case 114:
      return "json";
    case 142:
      return "xml";
    case 700:
      return "float4";
    case 701:
      return "float8";
    case 705:
      return "unknown";
    case 790:
      return "money";
    case 869:
      return "inet";
    case 1000:
      return "_bool";
    case 1005:
      return "_int2";
    case 1007:
      return "_int4";
    case 1009:
      return "_text";
    case 1015:
      return "_varchar";
    case 1016:
      return "_int8";
    case 1021:
      return "_float4";
    case 1022:
      return "_float8";
    case 1042:
      return "bpchar";
    case 1043:
      return "varchar";
    case 1082:
      return "date";
    case 1083:
      return "time";
    case 1114:
      return "timestamp";
    case 1184:
      return "timestamptz";
    case 1186:
      return "interval";
    case 1231:
      return "_numeric";
    case 1266:
      return "timetz";
    case 1700:
      return "numeric";
    case 2205:
      return "regclass";
    case 2249:
      return "record";
    case 2278:
      return "void";
    case 2950:
      return "uuid";
    case 3802:
      return "jsonb";
    default:
      return {};
  }
}

enum class Decode { boolean, integer, floating, text };

Decode decode_for(Oid oid) {
  switch (oid) {
    case 16:
      return Decode::boolean;
    case 20:
    case 21:
    case 23:
    case 26:
      return Decode::integer;
    case 700:
    case 701:
    case 1700:
      return Decode::floating;  // numeric as double, as the interface promises
    default:
      return Decode::text;
  }
}

// Values arrive in PostgreSQL's text format (dates in ISO style, set at connect).
Value decode(Decode decode, const char* text, int length) {
  const std::string_view view(text, static_cast<std::size_t>(length));
  switch (decode) {
    case Decode::boolean:
      return view == "t";
    case Decode::integer: {
      std::int64_t number = 0;
      if (auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), number);
          ec == std::errc() && end == view.data() + view.size())
        return number;
      break;
    }
    case Decode::floating: {
      if (view == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (view == "Infinity") return std::numeric_limits<double>::infinity();
      if (view == "-Infinity") return -std::numeric_limits<double>::infinity();
      double number = 0;
      if (auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), number);
          ec == std::errc() && end == view.data() + view.size())
        return number;
      break;
    }
    case Decode::text:
      break;
  }
  return std::string(view);
}

// ---- Errors -----------------------------------------------------------------------------------------------------

ErrorCode classify_sqlstate(std::string_view state) {
  if (state == "57014") return ErrorCode::timeout;  // query_canceled: statement_timeout or our PQcancel
  if (state.starts_with("08") || state.starts_with("57P") || state.starts_with("53")) return ErrorCode::unavailable;
  if (state.starts_with("28") || state == "42501" || state == "25006") return ErrorCode::permission_denied;
  if (state == "42P01" || state == "42703" || state == "42883" || state == "42704" || state == "3F000" ||
      state == "3D000")
    return ErrorCode::not_found;
  return ErrorCode::invalid_argument;
}

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  return fmt::format("{:g}", static_cast<double>(timeout.count()) / 1000.0);
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

// Tables, views, materialized views, partitioned and foreign tables: what a dbt relation can be.
constexpr std::string_view k_relation_exists_sql = R"(
SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p', 'f'))";

// format_type names the types as psql and dbt's catalog do: integer, numeric(10,2), character varying(20).
constexpr std::string_view k_relation_columns_sql = R"(
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum)";

// One request to the server: the statement, its parameters, and how to send it.
struct Request {
  std::string_view sql;
  std::vector<std::string> params;
  // The extended protocol, which takes exactly one statement; the simple one takes several.
  bool one_statement = true;
  // Rows arrive one at a time, so rows past a row limit are dropped as they come instead of held in memory.
  bool single_row = false;
  std::chrono::milliseconds timeout{0};
};

using ResultHandler = std::function<void(const PGresult*)>;

Request catalog_request(std::string_view sql, std::string_view schema, std::string_view name) {
  return Request{.sql = sql, .params = {std::string(schema), std::string(name)}, .timeout = QueryOptions{}.timeout};
}

// ---- The adapter ------------------------------------------------------------------------------------------------

class PostgresWarehouse final : public Warehouse {
 public:
  explicit PostgresWarehouse(const ConnectionConfig& config)
      : m_config(config), m_location(fmt::format("postgres at {}:{}/{}", config.host, config.port, config.dbname)) {}

  Status connect() {
    const auto port = std::to_string(m_config.port);
    const auto timeout = std::to_string(std::max<std::int64_t>(1, m_config.connect_timeout.count()));
    // ISO dates so values come back as the interface promises; the read-only default is a second fence behind the
    // READ ONLY transaction every statement runs in (see the header).
    std::string options = "-c DateStyle=ISO,MDY";
    if (read_only()) options += " -c default_transaction_read_only=on";
    std::vector<std::pair<const char*, std::string>> settings = {
        {"host", m_config.host},     {"port", port},       {"connect_timeout", timeout}, {"application_name", "cowork"},
        {"client_encoding", "UTF8"}, {"options", options},
    };
    if (!m_config.dbname.empty()) settings.emplace_back("dbname", m_config.dbname);
    if (!m_config.user.empty()) settings.emplace_back("user", m_config.user);
    if (!m_config.password.empty()) settings.emplace_back("password", m_config.password);
    if (!m_config.sslmode.empty()) settings.emplace_back("sslmode", m_config.sslmode);
    std::vector<const char*> keywords, values;
    for (const auto& [keyword, value] : settings) {
      keywords.push_back(keyword);
      values.push_back(value.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);

    forget_session_state();
    m_connection.reset(PQconnectdbParams(keywords.data(), values.data(), 0));
    if (!m_connection) return make_error(ErrorCode::internal, "libpq could not allocate a connection to {}", where());
    if (PQstatus(m_connection.get()) != CONNECTION_OK) {
      auto error = connect_error();
      m_connection.reset();
      return std::unexpected(std::move(error));
    }
    // libpq prints NOTICEs and WARNINGs ("there is no transaction in progress") to stderr by default.
    PQsetNoticeProcessor(
        m_connection.get(), [](void*, const char*) {}, nullptr);
    return {};
  }

  std::string_view type() const override { return "postgres"; }

  std::string describe() const override {
    std::vector<std::string> notes;
    if (!m_config.schema.empty()) notes.push_back("schema " + m_config.schema);
    if (read_only()) notes.emplace_back("read-only");
    if (notes.empty()) return m_location;
    return fmt::format("{} ({})", m_location, fmt::join(notes, ", "));
  }

  Result<QueryResult> query(std::string_view sql, const QueryOptions& options) override {
    return run_query(Request{.sql = sql, .single_row = true, .timeout = options.timeout}, options.row_limit);
  }

  Status execute(std::string_view sql, const QueryOptions& options) override {
    // In read-only mode one statement per call, so "ROLLBACK; INSERT ..." cannot leave the read-only transaction.
    return run_statement(Request{.sql = sql, .one_statement = read_only(), .timeout = options.timeout}, nullptr);
  }

  Status begin() override {
    COWORK_TRY(transaction_command(read_only() ? "BEGIN TRANSACTION READ ONLY" : "BEGIN TRANSACTION"));
    m_in_transaction = true;
    return {};
  }

  Status commit() override {
    bool rolled_back = false;
    auto status = transaction_command("COMMIT", [&](const PGresult* result) {
      rolled_back = std::string_view(PQcmdStatus(const_cast<PGresult*>(result))) == "ROLLBACK";
    });
    m_in_transaction = false;
    COWORK_TRY(status);
    // COMMIT of a transaction that had failed succeeds as a ROLLBACK; the caller must not think its work is saved.
    if (rolled_back)
      return make_error(ErrorCode::invalid_argument,
                        "{}: the transaction was rolled back, not committed, because a statement in it had failed",
                        m_location);
    return {};
  }

  Status rollback() override {
    Status status;
    if (m_connection && PQstatus(connection()) == CONNECTION_OK) status = transaction_command("ROLLBACK");
    m_in_transaction = false;
    // A transaction whose connection is gone was rolled back by the server, which is what the caller asked for; the
    // next call reconnects.
    if (!status && (!m_connection || PQstatus(connection()) != CONNECTION_OK)) return {};
    return status;
  }

  std::string quote(std::string_view identifier) const override { return quote_identifier(identifier); }

  Result<bool> relation_exists(std::string_view schema, std::string_view name) override {
    COWORK_ASSIGN_OR_RETURN(auto result, run_query(catalog_request(k_relation_exists_sql, schema, name), -1));
    return !result.rows.empty();
  }

  Result<std::vector<Column>> relation_columns(std::string_view schema, std::string_view name) override {
    COWORK_ASSIGN_OR_RETURN(auto result, run_query(catalog_request(k_relation_columns_sql, schema, name), -1));
    if (result.rows.empty()) {
      // A table can have no columns in PostgreSQL; only a missing one is not_found.
      COWORK_ASSIGN_OR_RETURN(bool exists, relation_exists(schema, name));
      if (!exists)
        return make_error(ErrorCode::not_found, "relation {}.{} does not exist in {}", schema, name, m_location);
    }
    std::vector<Column> columns;
    for (const auto& row : result.rows) columns.push_back({to_string(row[0]), to_string(row[1])});
    return columns;
  }

 private:
  bool read_only() const { return m_config.access == AccessMode::read_only; }
  PGconn* connection() const { return m_connection.get(); }
  std::string where() const { return m_location; }

  void forget_session_state() {
    m_session_timeout_ms = -1;
    m_local_timeout_ms = -1;
  }

  // Why the connection attempt failed, told apart the way a person fixing it needs: credentials, database, network.
  Error connect_error() const {
    const std::string message = trimmed(PQerrorMessage(connection()));
    auto contains = [&](std::string_view part) { return message.find(part) != std::string::npos; };
    if (PQconnectionNeedsPassword(connection()) || contains("authentication failed") || contains("password") ||
        contains("pg_hba.conf") || (contains("role \"") && contains("does not exist")) ||
        contains("permission denied") || contains("CONNECT privilege")) {
      return Error{ErrorCode::permission_denied,
                   fmt::format("{} refused the credentials of user \"{}\": {}", m_location, m_config.user, message)};
    }
    if (contains("database \"") && contains("does not exist"))
      return Error{ErrorCode::not_found, fmt::format("{}: the database does not exist: {}", m_location, message)};
    return Error{ErrorCode::unavailable, fmt::format("cannot reach {}: {}", m_location, message)};
  }

  // A connection lost since the last call (server restart, network) is re-established once before giving up.
  Status ensure_connected() {
    if (m_connection && PQstatus(connection()) == CONNECTION_OK) return {};
    // The server rolls back the transaction of a connection it lost; the caller must hear that its work is gone
    // rather than have the next statements run outside any transaction.
    const bool lost_transaction = std::exchange(m_in_transaction, false);
    if (!m_connection) {
      COWORK_TRY(connect());
    } else {
      forget_session_state();
      PQreset(connection());
      if (PQstatus(connection()) != CONNECTION_OK) {
        auto error = connect_error();
        error.message = "lost the connection and could not reconnect: " + error.message;
        return std::unexpected(std::move(error));
      }
    }
    if (lost_transaction)
      return make_error(ErrorCode::unavailable,
                        "{}: the connection was lost inside a transaction, so the server rolled the transaction back "
                        "(reconnected; begin again)",
                        m_location);
    return {};
  }

  Error connection_lost(std::string_view doing) const {
    return Error{ErrorCode::unavailable, fmt::format("{}: connection lost while {}: {}", m_location, doing,
                                                     trimmed(PQerrorMessage(connection())))};
  }

  Error server_error(const PGresult* result, std::chrono::milliseconds timeout) const {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string sqlstate = state != nullptr ? state : "";
    const auto code = classify_sqlstate(sqlstate);
    if (code == ErrorCode::timeout) {
      const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
      return Error{code, fmt::format("query on {} timed out after {} s and was cancelled ({}, SQLSTATE 57014)",
                                     m_location, seconds_text(timeout), primary != nullptr ? primary : "cancelled")};
    }
    const auto message = trimmed(PQresultErrorMessage(result));
    return Error{code, sqlstate.empty() ? fmt::format("{}: {}", m_location, message)
                                        : fmt::format("{}: {} (SQLSTATE {})", m_location, message, sqlstate)};
  }

  enum class Wait { readable, timed_out, failed };

  Wait wait_readable(Clock::time_point deadline) const {
    while (true) {
      int wait_ms = -1;
      if (deadline != Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return Wait::timed_out;
        wait_ms = static_cast<int>(std::min<std::int64_t>(left, INT_MAX));
      }
      pollfd descriptor{PQsocket(connection()), POLLIN, 0};
      const int ready = ::poll(&descriptor, 1, wait_ms);
      if (ready > 0) return Wait::readable;
      if (ready == 0) continue;  // the loop re-checks the deadline
      if (errno != EINTR) return Wait::failed;
    }
  }

  void send_cancel() const {
    std::unique_ptr<PGcancel, CancelDeleter> cancel(PQgetCancel(connection()));
    char message[256];
    if (cancel) PQcancel(cancel.get(), message, sizeof message);
  }

  // Sends one request and passes each of its results to `on_result` until the server has answered completely.
  // Returns the first error the server reported, a timeout, or a lost connection; the connection is idle afterwards
  // (or closed, if even a cancel got no answer, and reopened by the next call).
  Status round_trip(const Request& request, const ResultHandler& on_result) {
    const std::string sql(request.sql);
    int sent = 0;
    if (request.one_statement) {
      std::vector<const char*> values;
      for (const auto& param : request.params) values.push_back(param.c_str());
      sent = PQsendQueryParams(connection(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0);
    } else {
      sent = PQsendQuery(connection(), sql.c_str());
    }
    if (sent == 0) return std::unexpected(connection_lost("sending a statement"));
    if (request.single_row) PQsetSingleRowMode(connection());

    auto deadline =
        request.timeout.count() > 0 ? Clock::now() + request.timeout + k_client_grace : Clock::time_point::max();
    bool cancelled = false;
    std::optional<Error> first_error;
    while (true) {
      while (PQisBusy(connection()) != 0) {
        const auto wait = wait_readable(deadline);
        if (wait == Wait::timed_out) {
          if (!cancelled) {
            send_cancel();
            cancelled = true;
            deadline = Clock::now() + k_cancel_wait;
            continue;
          }
          // Not even the cancel was answered: this connection cannot be trusted with the next statement.
          m_connection.reset();
          return make_error(ErrorCode::timeout,
                            "query on {} timed out after {} s; the server did not answer a cancel either, so the "
                            "connection was closed (the next call reconnects)",
                            m_location, seconds_text(request.timeout));
        }
        if (wait == Wait::failed || PQconsumeInput(connection()) == 0)
          return std::unexpected(connection_lost("waiting for results"));
      }
      OwnedResult result(PQgetResult(connection()));
      if (!result) break;
      switch (PQresultStatus(result.get())) {
        case PGRES_FATAL_ERROR:
        case PGRES_BAD_RESPONSE:
        case PGRES_NONFATAL_ERROR:
          if (!first_error) first_error = server_error(result.get(), request.timeout);
          break;
        case PGRES_COPY_IN:
          // COPY ... FROM STDIN has no data to read here; ending it with an error makes the server abandon it.
          PQputCopyEnd(connection(), "cowork does not send COPY data; use a file or a query");
          break;
        case PGRES_COPY_OUT: {
          char* buffer = nullptr;
          while (PQgetCopyData(connection(), &buffer, 0) > 0) PQfreemem(buffer);
          break;
        }
        default:
          if (!first_error && on_result) on_result(result.get());
          break;
      }
      if (PQstatus(connection()) != CONNECTION_OK) return std::unexpected(connection_lost("reading results"));
    }
    if (first_error) return std::unexpected(std::move(*first_error));
    return {};
  }

  // Runs one request as a statement of the caller's: under statement_timeout and, in read-only mode outside a
  // transaction of the caller's, inside BEGIN TRANSACTION READ ONLY ... ROLLBACK. `before_end` runs after a successful
  // statement, still inside that transaction.
  Status run_statement(const Request& request, const ResultHandler& on_result,
                       const std::function<Status()>& before_end = nullptr) {
    COWORK_TRY(ensure_connected());
    const auto timeout_ms =
        static_cast<int>(std::clamp<std::int64_t>(request.timeout.count(), 0, std::numeric_limits<int>::max()));
    const auto state = PQtransactionStatus(connection());
    const bool wrap = read_only() && state == PQTRANS_IDLE;

    // SET LOCAL lasts until the transaction ends and a plain SET inside one is undone by a rollback, so the value is
    // remembered per session (outside transactions) and per transaction (inside).
    std::string prologue;
    if (wrap) {
      prologue = fmt::format("BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = {}", timeout_ms);
    } else if (state == PQTRANS_INTRANS && m_local_timeout_ms != timeout_ms) {
      prologue = fmt::format("SET LOCAL statement_timeout = {}", timeout_ms);
    } else if (state == PQTRANS_IDLE && m_session_timeout_ms != timeout_ms) {
      prologue = fmt::format("SET statement_timeout = {}", timeout_ms);
    }
    if (!prologue.empty()) {
      auto status = round_trip(Request{.sql = prologue, .one_statement = false, .timeout = request.timeout}, nullptr);
      if (!status) {
        if (wrap && m_connection) (void)round_trip(Request{.sql = "ROLLBACK"}, nullptr);
        return status;
      }
      if (wrap || state == PQTRANS_INTRANS)
        m_local_timeout_ms = timeout_ms;
      else
        m_session_timeout_ms = timeout_ms;
    }

    auto status = round_trip(request, on_result);
    if (status && before_end) status = before_end();
    if (wrap && m_connection) {
      auto ended = round_trip(Request{.sql = "ROLLBACK", .timeout = request.timeout}, nullptr);
      if (status && !ended) status = std::move(ended);
    }
    if (!m_connection || PQtransactionStatus(connection()) == PQTRANS_IDLE) m_local_timeout_ms = -1;
    return status;
  }

  // Runs a statement that returns rows; see query().
  Result<QueryResult> run_query(Request request, std::int64_t row_limit) {
    request.single_row = true;
    QueryResult out;
    std::vector<Decode> decoders;
    std::vector<Oid> oids;
    auto on_result = [&](const PGresult* result) {
      auto* rows = const_cast<PGresult*>(result);
      const auto status = PQresultStatus(result);
      if (status == PGRES_COMMAND_OK) {
        const std::string_view command = PQcmdStatus(rows);
        if (command.starts_with("INSERT") || command.starts_with("UPDATE") || command.starts_with("DELETE") ||
            command.starts_with("MERGE")) {
          std::int64_t affected = 0;
          const std::string_view count = PQcmdTuples(rows);
          std::from_chars(count.data(), count.data() + count.size(), affected);
          out.rows_affected = affected;
        }
        return;
      }
      if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK) return;
      const int fields = PQnfields(result);
      if (out.columns.empty() && fields > 0) {
        for (int i = 0; i < fields; ++i) {
          const Oid oid = PQftype(result, i);
          oids.push_back(oid);
          decoders.push_back(decode_for(oid));
          out.columns.push_back({PQfname(result, i), std::string(builtin_type_name(oid))});
        }
      }
      for (int row = 0; row < PQntuples(result); ++row) {
        // Past the limit the rest is still read (and dropped): stopping early would need a cancel, which would also
        // abort a transaction of the caller's.
        if (row_limit >= 0 && static_cast<std::int64_t>(out.rows.size()) >= row_limit) {
          out.truncated = true;
          continue;
        }
        auto& values = out.rows.emplace_back();
        values.reserve(static_cast<std::size_t>(fields));
        for (int col = 0; col < fields; ++col) {
          if (PQgetisnull(result, row, col) != 0)
            values.emplace_back(std::monostate{});
          else
            values.push_back(decode(decoders[static_cast<std::size_t>(col)], PQgetvalue(result, row, col),
                                    PQgetlength(result, row, col)));
        }
      }
    };
    auto name_types = [&]() -> Status { return resolve_type_names(out.columns, oids); };
    COWORK_TRY(run_statement(request, on_result, name_types));
    return out;
  }

  // Names the result types the built-in table does not know (user-defined enums, domains, arrays...), from pg_type.
  Status resolve_type_names(std::vector<Column>& columns, const std::vector<Oid>& oids) {
    std::string wanted;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!columns[i].type.empty()) continue;
      if (auto it = m_type_names.find(oids[i]); it != m_type_names.end()) {
        columns[i].type = it->second;
        continue;
      }
      wanted += (wanted.empty() ? "" : ",") + std::to_string(oids[i]);
    }
    if (!wanted.empty()) {
      auto status = round_trip(Request{.sql = "SELECT oid::int8, typname::text FROM pg_catalog.pg_type WHERE oid = "
                                              "ANY($1::oid[])",
                                       .params = {"{" + wanted + "}"},
                                       .timeout = QueryOptions{}.timeout},
                               [&](const PGresult* result) {
                                 for (int row = 0; row < PQntuples(result); ++row) {
                                   const auto oid =
                                       static_cast<Oid>(std::strtoul(PQgetvalue(result, row, 0), nullptr, 10));
                                   m_type_names[oid] = PQgetvalue(result, row, 1);
                                 }
                               });
      // A name is a nicety: without it the type is shown by number.
      (void)status;
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!columns[i].type.empty()) continue;
      auto it = m_type_names.find(oids[i]);
      columns[i].type = it != m_type_names.end() ? it->second : fmt::format("oid {}", oids[i]);
    }
    return {};
  }

  // BEGIN/COMMIT/ROLLBACK, never wrapped in a read-only transaction of our own.
  Status transaction_command(std::string_view sql, const ResultHandler& on_result = nullptr) {
    COWORK_TRY(ensure_connected());
    auto status = round_trip(Request{.sql = sql, .timeout = QueryOptions{}.timeout}, on_result);
    if (!m_connection || PQtransactionStatus(connection()) == PQTRANS_IDLE) m_local_timeout_ms = -1;
    return status;
  }

  ConnectionConfig m_config;
  std::string m_location;
  OwnedConnection m_connection;
  int m_session_timeout_ms = -1;  // statement_timeout of the session, -1 when unknown
  int m_local_timeout_ms = -1;    // statement_timeout of the open transaction, -1 when unknown or none
  bool m_in_transaction = false;  // between begin() and commit()/rollback()
  std::unordered_map<Oid, std::string> m_type_names;
};

}  // namespace

Result<std::unique_ptr<Warehouse>> open_postgres_warehouse(const ConnectionConfig& config) {
  auto warehouse = std::make_unique<PostgresWarehouse>(config);
  COWORK_TRY(warehouse->connect());
  return warehouse;
}

void register_postgres_warehouse() {
  register_warehouse("postgres", open_postgres_warehouse);
}

}  // namespace cowork::warehouse
