// The read-only guard. Every query the investigation runs against a user's warehouse (SQL typed by a person or written
// by an LLM, through `cowork sql`, the SQL tool and the agents) goes through guard_read_only before it reaches DuckDB
// or PostgreSQL. It reads the query with the tokenizer (sql/tokenizer.hpp), so words inside string literals, comments
// and quoted identifiers never count, and it bounds the rows a query can return.
//
// It is a first line of defence, not the only one: the warehouse adapters should still open connections read-only
// (PostgreSQL: a read-only transaction and role; DuckDB: read_only and enable_external_access = false).
//
// The rules, which tests/sql/golden/guard_cases.txt pins case by case:
//  - Exactly one statement. Empty statements (`;;`) and comments around it are fine; a second statement anywhere,
//    even after a `;` followed only by comments and then more SQL, is refused.
//  - It starts with SELECT, WITH, VALUES, TABLE, DuckDB's FROM-first form, or one of these in parentheses
//    ("(SELECT 1)"); or, unparenthesised, DESCRIBE (DuckDB), SHOW, or EXPLAIN without ANALYZE (ANALYSE, or an ANALYZE
//    option in EXPLAIN (...)) of a query that itself starts like that. A WITH must end in a query (SELECT, VALUES,
//    TABLE, FROM, or a parenthesised query), not in a data-modifying statement.
//  - Words are matched only as unquoted identifiers, case-insensitively, and only when bare: neither preceded nor
//    followed by `.` (so t.update, "update" and update_count are columns, never keywords).
//  - Write words (INSERT, UPDATE, DELETE, MERGE, UPSERT, TRUNCATE, CREATE, DROP, ALTER, GRANT, REVOKE) are refused
//    wherever they stand bare, because PostgreSQL lets DML nest inside WITH and after a CTE list, and these words have
//    no read-only meaning in a query; a column named like one must be quoted ("update") or qualified (t.update).
//    INTO is refused anywhere (SELECT ... INTO creates a table), and so are row locks (FOR UPDATE, FOR NO KEY UPDATE,
//    FOR SHARE, FOR KEY SHARE).
//  - Other statement words (SET, RESET, COPY, ATTACH, DETACH, INSTALL, LOAD, EXPORT, IMPORT, PRAGMA, CALL,
//    CHECKPOINT, VACUUM, ANALYZE, BEGIN/START/COMMIT/ROLLBACK/END/ABORT/SAVEPOINT/RELEASE, USE, LOCK, LISTEN, NOTIFY,
//    UNLISTEN, PREPARE, EXECUTE, DEALLOCATE, DO, REFRESH, DISCARD, DECLARE, FETCH, MOVE, CLOSE, CLUSTER, REINDEX,
//    COMMENT, SECURITY, REASSIGN, FORCE) are refused where a statement can begin: the start of the query, the first
//    token inside a parenthesis that is not a function call's, and the statement EXPLAIN explains. Elsewhere they are
//    ordinary names (`SELECT set, load FROM t`, `OFFSET 5 ROWS FETCH NEXT 5 ROWS ONLY`, CYCLE ... SET ...).
//    A parenthesis belongs to a function call when it follows an identifier or quoted identifier other than a word
//    that introduces a subquery (FROM, JOIN, IN, EXISTS, ANY, ALL, SOME, ARRAY, LATERAL, AS, MATERIALIZED, UNION, ...).
//  - REPLACE, ORDER and every word not named here are never refused: replace() is a string function and
//    SELECT * REPLACE (...) a DuckDB star modifier; the statements that write with REPLACE start with CREATE or
//    INSERT, which are refused.
//  - Functions that read or write files, reach other databases or the network, run SQL given as text, or change the
//    server's state are refused when called: an identifier or quoted identifier directly followed by `(` (comments
//    between them do not matter), matched case-insensitively on its last dotted part, so pg_catalog.pg_read_file( and
//    "read_csv"( count. Families are matched by prefix: DuckDB's read_*, parquet_*, iceberg_*, delta_*, st_read*,
//    sqlite_*, postgres_*, mysql_*, from_substrait*; PostgreSQL's lo_*, dblink*, pg_ls_*, pg_read_*, pg_file_*,
//    pg_stat_reset*, pg_advisory*, pg_try_advisory*, pg_sleep*, pg_create_*, pg_drop_*, pg_copy_*, pg_replication_*,
//    pg_logical_*, pg_wal_replay_*, query_to_xml*, cursor_to_xml*, table_to_xml*, schema_to_xml*, database_to_xml*.
//    The list applies to both dialects: a name dangerous in one is never a harmless built-in of the other.
//  - A table reference that is a file: a string literal where a table goes (after FROM, JOIN, a comma of a FROM list,
//    DESCRIBE, SHOW, SUMMARIZE, PIVOT, UNPIVOT, or an opening parenthesis in such a place), and in DuckDB a quoted
//    identifier there that looks like a path (contains . / \ or :) or a dotted name ending in a data file extension
//    (data.csv, x.parquet), which DuckDB's replacement scans read as files. FROM as a keyword argument (inside the
//    parentheses of TRIM, EXTRACT, SUBSTRING, OVERLAY or POSITION, before any SELECT there) and IS [NOT] DISTINCT
//    FROM do not start a list of tables.
//  - Things the engine would read differently from the tokenizer are refused rather than guessed at: in PostgreSQL a
//    '...' string with a backslash that would end elsewhere if standard_conforming_strings were off; in DuckDB a
//    Unicode space inside a string, quoted identifier or dollar-quoted string (DuckDB rewrites those outside what it
//    takes for quotes, see tokenizer.hpp); between tokens those spaces are handed on as plain spaces, so DuckDB has
//    nothing left to rewrite. A NUL byte, unbalanced brackets or an unterminated literal is malformed input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sql/tokenizer.hpp"
#include "util/error.hpp"

namespace cowork::sql {

struct GuardOptions {
  std::int64_t default_limit = 100;  // rows when the caller asks for no particular number
  std::int64_t max_limit = 1000;     // the most rows a caller may ask for
};

struct GuardedQuery {
  std::string sql;         // the statement to execute, LIMIT enforced where it can be
  std::int64_t limit = 0;  // rows the caller may show; where the statement was wrapped it fetches limit + 1 so the
                           // caller can tell "truncated"
  bool wrapped = false;    // whether `sql` carries the limit (SELECT/WITH/VALUES), or the caller must cap rows itself
                           // (DESCRIBE/SHOW/EXPLAIN)
  std::string kind;        // select, with, values, describe, show, explain
};

// Checks that `sql` is one read-only statement (the rules above) and bounds its rows.
//
// The limit is `requested_limit`, or options.default_limit when absent; below 1 or above options.max_limit is
// ErrorCode::invalid_argument naming the maximum. SELECT, WITH and VALUES statements come back wrapped as
// `SELECT * FROM (<statement>) AS cowork_guarded LIMIT <limit + 1>`, where <statement> is the query without the
// comments and whitespace around it and without its trailing `;` (the user's own ORDER BY and LIMIT stay inside).
// DESCRIBE, SHOW and EXPLAIN come back as that same trimmed statement with wrapped = false.
//
// A query the guard will not run is ErrorCode::permission_denied with a message that starts "refused: " and says what
// the query would do and what is allowed instead. Malformed input (empty, an unterminated string or comment,
// unbalanced parentheses) is ErrorCode::invalid_argument naming the line:column. Never throws; linear in the input.
Result<GuardedQuery> guard_read_only(std::string_view sql, Dialect dialect,
                                     std::optional<std::int64_t> requested_limit = {},
                                     const GuardOptions& options = {});

}  // namespace cowork::sql
