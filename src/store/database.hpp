// A small RAII layer over SQLite's C API for the state database: a connection set up for several processes sharing
// one file (WAL journal, a busy timeout, foreign keys, synchronous=NORMAL), prepared statements with typed bind/get,
// transactions that roll back unless committed, and versioned migrations. Store (store.hpp) is its one user; nothing
// else in cowork talks to SQLite.
//
// Errors are values naming the database file and what was being done. A file that is not SQLite, or is corrupt, says
// so; a database written by a newer cowork (a schema version this code does not know) is refused rather than misread.
//
// Thread-safety: a Database is one connection; use it from one thread at a time (open one per thread, it is cheap).
// Statements and transactions borrow their Database's connection and must not outlive it.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/error.hpp"

struct sqlite3_stmt;

namespace cowork::store {

namespace detail {
struct Connection;
}

// A prepared statement. Parameters are 1-based (SQLite's convention), columns 0-based. A bind error (an index out of
// range) is kept and returned by the next step() or run(), so binds chain. Move-only.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  template <std::integral T>
  requires(!std::same_as<T, bool>) Statement& bind(int index, T value) {
    return bind_int64(index, static_cast<std::int64_t>(value));
  }
  Statement& bind(int index, bool value) { return bind_int64(index, value ? 1 : 0); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);  // copied by SQLite: the view need not outlive the call
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullptr_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }
  // Binds `value`, or NULL when it is empty: for optional text columns.
  Statement& bind_text_or_null(int index, std::string_view value);

  // Advances to the next row: true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Runs a statement that returns no rows (or whose rows do not matter) to completion.
  Status run();
  // Rewinds to run again; bindings are kept.
  void reset();

  int column_count() const;
  bool is_null(int column) const;
  std::int64_t get_int(int column) const;
  double get_double(int column) const;
  std::string get_text(int column) const;  // NULL reads as ""
  std::optional<std::string> get_optional_text(int column) const;
  std::optional<std::int64_t> get_optional_int(int column) const;

 private:
  friend class Database;
  Statement(detail::Connection* connection, sqlite3_stmt* statement, bool* in_use);
  Statement& bind_int64(int index, std::int64_t value);
  Statement& check_bind(int rc, int index);
  void release();

  detail::Connection* m_connection = nullptr;
  sqlite3_stmt* m_statement = nullptr;
  bool* m_in_use = nullptr;  // set when the connection's cache owns the statement: reset on release, not finalized
  int m_bind_error = 0;      // first failed bind's result code
  int m_bind_index = 0;
};

enum class TransactionMode {
  deferred,   // takes the write lock at the first write; for read-only transactions (one consistent snapshot)
  immediate,  // takes the write lock at BEGIN, waiting up to the busy timeout; for every transaction that writes
};

// An open transaction; rolled back when destroyed unless committed. Move-only.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();
  Status rollback();

 private:
  friend class Database;
  explicit Transaction(detail::Connection* connection) : m_connection(connection) {}

  detail::Connection* m_connection = nullptr;  // null once committed or rolled back
};

// One step of the schema: `sql` (any number of statements) takes the database from version - 1 to `version`.
struct Migration {
  int version = 0;
  std::string_view description;
  std::string_view sql;
};

struct DatabaseOptions {
  // How long a statement waits for another connection's lock before failing. Writers hold the lock for milliseconds;
  // the wait only matters when many processes write at once.
  std::chrono::milliseconds busy_timeout{10'000};
  // Identifies the files this application owns (PRAGMA application_id), set by the first migration. A database with
  // another non-zero id is refused. 0: no check.
  std::int32_t application_id = 0;
  // Creates the file when missing (the folder must exist).
  bool create = true;
};

class Database {
 public:
  // Opens (or creates) the database at `path` and sets up the connection. Fails, naming the file, when it cannot be
  // opened, is not a SQLite database, is corrupt, or belongs to another application.
  static Result<Database> open(const std::filesystem::path& path, const DatabaseOptions& options = {});

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::filesystem::path& path() const;

  // Runs `sql` (one or more statements, no results wanted).
  Status exec(std::string_view sql);
  // A new statement, finalized when the returned object is destroyed.
  Result<Statement> prepare(std::string_view sql);
  // A statement kept prepared for the life of the connection (keyed by its text), for hot paths. The returned handle
  // resets it and clears its bindings when destroyed. A statement already in use is prepared afresh instead, so
  // nesting is safe.
  Result<Statement> cached(std::string_view sql);

  Result<Transaction> begin(TransactionMode mode = TransactionMode::immediate);

  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  std::int64_t changes() const;

  // PRAGMA user_version: the last migration applied (0 for a new database).
  Result<int> schema_version();
  // Applies, in order, each migration whose version is above the database's, each in its own immediate transaction
  // (another process migrating at the same moment is waited for, and its work is not repeated). `migrations` must
  // be sorted by version, starting at 1 with no gaps. A database whose version is above the last migration's was
  // written by a newer cowork and is refused.
  Status migrate(std::span<const Migration> migrations);

  // The connection's journal mode ("wal" for files; "memory" for in-memory databases).
  Result<std::string> journal_mode();

  // An error for the connection's last failure: `doing` ("reading incident inc_1"), SQLite's message, the file.
  Error last_error(std::string_view doing) const;

 private:
  explicit Database(std::unique_ptr<detail::Connection> connection);
  Status configure(const DatabaseOptions& options);

  std::unique_ptr<detail::Connection> m_connection;
  std::int32_t m_application_id = 0;
};

}  // namespace cowork::store
