#include "store/database.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace cowork::store {
namespace detail {

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

struct Connection {
  struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, entry] : cache) sqlite3_finalize(entry.statement);
    // close_v2 defers the close until statements still alive are finalized, so a misuse cannot crash here.
    if (db != nullptr) sqlite3_close_v2(db);
  }

  sqlite3* db = nullptr;
  std::filesystem::path path;
  std::chrono::milliseconds busy_timeout{0};
  std::unordered_map<std::string, CachedStatement, TransparentHash, std::equal_to<>> cache;
};

}  // namespace detail

namespace {

using detail::Connection;

std::string shorten_sql(std::string_view sql) {
  std::string text;
  for (char c : sql) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !text.empty() && text.back() == ' ') continue;
    text += c;
  }
  const auto start = text.find_first_not_of(' ');
  text = start == std::string::npos ? "" : text.substr(start);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Turns SQLite's result code `rc` into an Error naming the file. The connection's message is used when it describes
// `rc` (it always does right after the failing call).
Error sqlite_error(const Connection& connection, int rc, std::string_view doing) {
  const std::string path = connection.path.string();
  std::string detail = connection.db != nullptr ? sqlite3_errmsg(connection.db) : sqlite3_errstr(rc);
  if (detail.empty() || detail == "not an error") detail = sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Error{ErrorCode::invalid_argument,
                   fmt::format("{} is not a SQLite database or is corrupt ({}, while {}); cowork keeps its state in "
                               "this file: move it aside and cowork starts a new one",
                               path, detail, doing)};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error{ErrorCode::timeout,
                   fmt::format("{}: {}: the database stayed locked by another connection for {} ms ({})", path, doing,
                               connection.busy_timeout.count(), detail)};
    case SQLITE_CANTOPEN: {
      const int system_errno = connection.db != nullptr ? sqlite3_system_errno(connection.db) : 0;
      const ErrorCode code = system_errno == EACCES || system_errno == EPERM ? ErrorCode::permission_denied
                             : system_errno == ENOENT                        ? ErrorCode::not_found
                                                                             : ErrorCode::unavailable;
      std::string reason = system_errno != 0 ? std::generic_category().message(system_errno) : detail;
      return Error{code, fmt::format("cannot open {} ({}, while {})", path, reason, doing)};
    }
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY:
      return Error{ErrorCode::permission_denied, fmt::format("{}: {}: {}", path, doing, detail)};
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return Error{ErrorCode::unavailable, fmt::format("{}: {}: {}", path, doing, detail)};
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return Error{ErrorCode::invalid_argument, fmt::format("{}: {}: {}", path, doing, detail)};
    default:
      return Error{ErrorCode::internal, fmt::format("{}: {}: {}", path, doing, detail)};
  }
}

Status exec_on(Connection& connection, std::string_view sql, std::string_view doing) {
  const std::string text(sql);
  const int rc = sqlite3_exec(connection.db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(connection, rc, doing));
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Connection* connection, sqlite3_stmt* statement, bool* in_use)
    : m_connection(connection), m_statement(statement), m_in_use(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : m_connection(std::exchange(other.m_connection, nullptr)),
      m_statement(std::exchange(other.m_statement, nullptr)),
      m_in_use(std::exchange(other.m_in_use, nullptr)),
      m_bind_error(other.m_bind_error),
      m_bind_index(other.m_bind_index) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    m_connection = std::exchange(other.m_connection, nullptr);
    m_statement = std::exchange(other.m_statement, nullptr);
    m_in_use = std::exchange(other.m_in_use, nullptr);
    m_bind_error = other.m_bind_error;
    m_bind_index = other.m_bind_index;
  }
  return *this;
}

Statement::~Statement() {
  release();
}

void Statement::release() {
  if (m_statement == nullptr) return;
  if (m_in_use != nullptr) {
    // Back to the cache: a statement left mid-way would hold its read snapshot open (and block checkpoints).
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    *m_in_use = false;
  } else {
    sqlite3_finalize(m_statement);
  }
  m_statement = nullptr;
  m_in_use = nullptr;
}

Statement& Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK && m_bind_error == 0) {
    m_bind_error = rc;
    m_bind_index = index;
  }
  return *this;
}

Statement& Statement::bind_int64(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(m_statement, index, value), index);
}

Statement& Statement::bind(int index, double value) {
  return check_bind(sqlite3_bind_double(m_statement, index, value), index);
}

Statement& Statement::bind(int index, std::string_view value) {
  // A non-null pointer even for an empty view, so "" binds as empty text rather than NULL.
  return check_bind(sqlite3_bind_text64(m_statement, index, value.empty() ? "" : value.data(), value.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8),
                    index);
}

Statement& Statement::bind(int index, std::nullptr_t) {
  return check_bind(sqlite3_bind_null(m_statement, index), index);
}

Statement& Statement::bind_text_or_null(int index, std::string_view value) {
  return value.empty() ? bind(index, nullptr) : bind(index, value);
}

Result<bool> Statement::step() {
  // Built only on failure: step() is on the hot path of every event appended.
  const auto doing = [&] { return fmt::format("running `{}`", shorten_sql(sqlite3_sql(m_statement))); };
  if (m_bind_error != 0) {
    return std::unexpected(Error{ErrorCode::internal,
                                 fmt::format("{}: {}: binding parameter {}: {}", m_connection->path.string(), doing(),
                                             m_bind_index, sqlite3_errstr(m_bind_error))});
  }
  const int rc = sqlite3_step(m_statement);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqlite_error(*m_connection, rc, doing());
  sqlite3_reset(m_statement);
  return std::unexpected(std::move(error));
}

Status Statement::run() {
  while (true) {
    COWORK_ASSIGN_OR_RETURN(const bool row, step());
    if (!row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(m_statement);
}

int Statement::column_count() const {
  return sqlite3_column_count(m_statement);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

std::int64_t Statement::get_int(int column) const {
  return sqlite3_column_int64(m_statement, column);
}

double Statement::get_double(int column) const {
  return sqlite3_column_double(m_statement, column);
}

std::string Statement::get_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)));
}

std::optional<std::string> Statement::get_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return get_text(column);
}

std::optional<std::int64_t> Statement::get_optional_int(int column) const {
  if (is_null(column)) return std::nullopt;
  return get_int(column);
}

// ---------------------------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Transaction&& other) noexcept : m_connection(std::exchange(other.m_connection, nullptr)) {}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (m_connection != nullptr) (void)rollback();
    m_connection = std::exchange(other.m_connection, nullptr);
  }
  return *this;
}

Transaction::~Transaction() {
  if (m_connection != nullptr) (void)rollback();
}

Status Transaction::commit() {
  if (m_connection == nullptr) return make_error(ErrorCode::internal, "commit of a transaction that is no longer open");
  // On failure the transaction stays open, and the destructor rolls it back.
  COWORK_TRY(exec_on(*m_connection, "COMMIT", "committing"));
  m_connection = nullptr;
  return {};
}

Status Transaction::rollback() {
  Connection* connection = std::exchange(m_connection, nullptr);
  if (connection == nullptr) return {};
  // Some errors (a full disk, an I/O error) roll the transaction back by themselves.
  if (sqlite3_get_autocommit(connection->db) != 0) return {};
  return exec_on(*connection, "ROLLBACK", "rolling back");
}

// ---------------------------------------------------------------------------------------------------------------
// Database

Database::Database(std::unique_ptr<Connection> connection) : m_connection(std::move(connection)) {}
Database::Database(Database&& other) noexcept = default;
Database& Database::operator=(Database&& other) noexcept = default;
Database::~Database() = default;

const std::filesystem::path& Database::path() const {
  return m_connection->path;
}

Result<Database> Database::open(const std::filesystem::path& path, const DatabaseOptions& options) {
  auto connection = std::make_unique<Connection>();
  connection->path = path;
  connection->busy_timeout = options.busy_timeout;

  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    return make_error(ErrorCode::invalid_argument, "{} is not a file (a SQLite database was expected there)",
                      path.string());
  if (!options.create && !std::filesystem::exists(status))
    return make_error(ErrorCode::not_found, "{} does not exist", path.string());

  const int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &connection->db, flags, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(*connection, rc, "opening"));
  Database database(std::move(connection));
  COWORK_TRY(database.configure(options));
  return database;
}

Status Database::configure(const DatabaseOptions& options) {
  Connection& connection = *m_connection;
  sqlite3_extended_result_codes(connection.db, 1);
  // First, so that every statement below (switching to WAL takes a lock) waits for other processes.
  sqlite3_busy_timeout(connection.db, static_cast<int>(options.busy_timeout.count()));
  // The first statement that reads the file: a file that is not SQLite fails here, before anything is written to it.
  COWORK_TRY(exec_on(connection, "PRAGMA journal_mode = WAL", "switching to the WAL journal"));
  // In WAL mode NORMAL loses no committed transaction when a process dies; only a power cut can take back the last
  // few. Each commit then costs a write(2) and no fsync.
  COWORK_TRY(exec_on(connection, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", "setting up the connection"));
  if (const char* pages = std::getenv("CKPT")) COWORK_TRY(exec_on(connection, std::string("PRAGMA wal_autocheckpoint = ") + pages, "x"));
  if (options.application_id != 0) {
    COWORK_ASSIGN_OR_RETURN(Statement statement, prepare("PRAGMA application_id"));
    COWORK_ASSIGN_OR_RETURN(const bool row, statement.step());
    const std::int64_t id = row ? statement.get_int(0) : 0;
    if (id != 0 && id != options.application_id)
      return make_error(ErrorCode::invalid_argument,
                        "{} is a SQLite database of another application (application_id {:#x}, cowork's is {:#x})",
                        connection.path.string(), id, options.application_id);
  }
  m_application_id = options.application_id;
  return {};
}

Status Database::exec(std::string_view sql) {
  return exec_on(*m_connection, sql, fmt::format("running `{}`", shorten_sql(sql)));
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v3(m_connection->db, sql.data(), static_cast<int>(sql.size()), 0, &statement, nullptr);
  if (rc != SQLITE_OK)
    return std::unexpected(sqlite_error(*m_connection, rc, fmt::format("preparing `{}`", shorten_sql(sql))));
  if (statement == nullptr) return make_error(ErrorCode::internal, "preparing an empty statement");
  return Statement(m_connection.get(), statement, nullptr);
}

Result<Statement> Database::cached(std::string_view sql) {
  auto found = m_connection->cache.find(sql);
  if (found == m_connection->cache.end()) {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(m_connection->db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK)
      return std::unexpected(sqlite_error(*m_connection, rc, fmt::format("preparing `{}`", shorten_sql(sql))));
    if (statement == nullptr) return make_error(ErrorCode::internal, "preparing an empty statement");
    found = m_connection->cache.emplace(std::string(sql), Connection::CachedStatement{statement, false}).first;
  }
  if (found->second.in_use) return prepare(sql);
  found->second.in_use = true;
  return Statement(m_connection.get(), found->second.statement, &found->second.in_use);
}

Result<Transaction> Database::begin(TransactionMode mode) {
  COWORK_TRY(exec_on(*m_connection, mode == TransactionMode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED",
                     "starting a transaction"));
  return Transaction(m_connection.get());
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_connection->db);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(m_connection->db);
}

Result<int> Database::schema_version() {
  COWORK_ASSIGN_OR_RETURN(Statement statement, prepare("PRAGMA user_version"));
  COWORK_ASSIGN_OR_RETURN(const bool row, statement.step());
  return row ? static_cast<int>(statement.get_int(0)) : 0;
}

Result<std::string> Database::journal_mode() {
  COWORK_ASSIGN_OR_RETURN(Statement statement, prepare("PRAGMA journal_mode"));
  COWORK_ASSIGN_OR_RETURN(const bool row, statement.step());
  return row ? statement.get_text(0) : std::string();
}

Error Database::last_error(std::string_view doing) const {
  return sqlite_error(*m_connection, sqlite3_extended_errcode(m_connection->db), doing);
}

Status Database::migrate(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1)
      return make_error(ErrorCode::internal, "migration {} is numbered {}: migrations must run 1, 2, 3...", i + 1,
                        migrations[i].version);
  }
  const int latest = static_cast<int>(migrations.size());
  const std::string path = m_connection->path.string();
  const auto too_new = [&](int version) {
    return make_error(ErrorCode::invalid_argument,
                      "{} has schema version {}, but this cowork knows versions up to {}: it was written by a newer "
                      "cowork. Upgrade cowork to use it (the file was left untouched)",
                      path, version, latest);
  };

  COWORK_ASSIGN_OR_RETURN(int current, schema_version());
  if (current > latest) return too_new(current);
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    COWORK_ASSIGN_OR_RETURN(Transaction transaction, begin(TransactionMode::immediate));
    // Another process may have migrated while this one waited for the lock.
    COWORK_ASSIGN_OR_RETURN(current, schema_version());
    if (current > latest) return too_new(current);
    if (current >= migration.version) continue;
    if (current == 0) {
      COWORK_ASSIGN_OR_RETURN(Statement tables, prepare("SELECT name FROM sqlite_schema WHERE type = 'table' LIMIT 1"));
      COWORK_ASSIGN_OR_RETURN(const bool has_table, tables.step());
      if (has_table)
        return make_error(ErrorCode::invalid_argument,
                          "{} holds tables (e.g. '{}') but no cowork schema version: it is not cowork's state "
                          "database, and cowork will not write into it",
                          path, tables.get_text(0));
      if (m_application_id != 0) COWORK_TRY(exec(fmt::format("PRAGMA application_id = {}", m_application_id)));
    }
    if (auto applied = exec_on(*m_connection, migration.sql,
                               fmt::format("applying migration {} ({})", migration.version, migration.description));
        !applied)
      return applied;
    COWORK_TRY(exec(fmt::format("PRAGMA user_version = {}", migration.version)));
    COWORK_TRY(transaction.commit());
    current = migration.version;
  }
  return {};
}

}  // namespace cowork::store
