#include "sql/guard.hpp"

#include <array>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace cowork::sql {
namespace {

constexpr std::string_view k_read_tables_only = "investigation queries may read only tables in the warehouse";
constexpr std::string_view k_change_nothing = "investigation queries must not change the warehouse or the server";

std::string_view allowed_statements(Dialect dialect) {
  return dialect == Dialect::duckdb ? "only SELECT, WITH ... SELECT, VALUES, DESCRIBE, SHOW and EXPLAIN are allowed"
                                    : "only SELECT, WITH ... SELECT, VALUES, SHOW and EXPLAIN are allowed";
}

// Where a statement word is refused; see guard.hpp for why the two lists differ.
enum class Reach { anywhere, statement_start };

struct StatementWord {
  std::string_view word;
  Reach reach;
  std::string_view effect;
};

constexpr auto k_statement_words = std::to_array<StatementWord>({
    {"insert", Reach::anywhere, "writes to the warehouse"},
    {"update", Reach::anywhere, "writes to the warehouse"},
    {"delete", Reach::anywhere, "writes to the warehouse"},
    {"merge", Reach::anywhere, "writes to the warehouse"},
    {"upsert", Reach::anywhere, "writes to the warehouse"},
    {"truncate", Reach::anywhere, "empties tables in the warehouse"},
    {"create", Reach::anywhere, "creates objects in the warehouse"},
    {"drop", Reach::anywhere, "drops objects from the warehouse"},
    {"alter", Reach::anywhere, "changes objects in the warehouse"},
    {"grant", Reach::anywhere, "changes permissions"},
    {"revoke", Reach::anywhere, "changes permissions"},
    {"copy", Reach::statement_start, "copies data between tables and files"},
    {"attach", Reach::statement_start, "attaches a database"},
    {"detach", Reach::statement_start, "detaches a database"},
    {"install", Reach::statement_start, "installs an extension"},
    {"load", Reach::statement_start, "loads an extension or library"},
    {"export", Reach::statement_start, "writes the database to files"},
    {"import", Reach::statement_start, "loads data into the warehouse"},
    {"set", Reach::statement_start, "changes session settings"},
    {"reset", Reach::statement_start, "changes session settings"},
    {"pragma", Reach::statement_start, "runs a pragma, which can change settings or the database"},
    {"call", Reach::statement_start, "calls a procedure, which can change the warehouse"},
    {"checkpoint", Reach::statement_start, "runs storage maintenance"},
    {"force", Reach::statement_start, "runs storage or extension maintenance"},
    {"vacuum", Reach::statement_start, "runs storage maintenance"},
    {"analyze", Reach::statement_start, "rewrites table statistics"},
    {"analyse", Reach::statement_start, "rewrites table statistics"},
    {"cluster", Reach::statement_start, "rewrites tables"},
    {"reindex", Reach::statement_start, "rebuilds indexes"},
    {"refresh", Reach::statement_start, "refreshes a materialized view"},
    {"begin", Reach::statement_start, "controls transactions"},
    {"start", Reach::statement_start, "controls transactions"},
    {"commit", Reach::statement_start, "controls transactions"},
    {"rollback", Reach::statement_start, "controls transactions"},
    {"end", Reach::statement_start, "controls transactions"},
    {"abort", Reach::statement_start, "controls transactions"},
    {"savepoint", Reach::statement_start, "controls transactions"},
    {"release", Reach::statement_start, "controls transactions"},
    {"use", Reach::statement_start, "switches the current database"},
    {"lock", Reach::statement_start, "locks tables"},
    {"listen", Reach::statement_start, "signals other sessions"},
    {"notify", Reach::statement_start, "signals other sessions"},
    {"unlisten", Reach::statement_start, "signals other sessions"},
    {"prepare", Reach::statement_start, "prepares a statement the guard cannot see when it runs"},
    {"execute", Reach::statement_start, "runs a prepared statement the guard cannot see"},
    {"deallocate", Reach::statement_start, "changes session state"},
    {"do", Reach::statement_start, "runs procedural code"},
    {"declare", Reach::statement_start, "opens a cursor"},
    {"fetch", Reach::statement_start, "reads from a cursor"},
    {"move", Reach::statement_start, "moves a cursor"},
    {"close", Reach::statement_start, "closes a cursor"},
    {"discard", Reach::statement_start, "resets session state"},
    {"comment", Reach::statement_start, "changes object comments"},
    {"security", Reach::statement_start, "changes security labels"},
    {"reassign", Reach::statement_start, "changes object ownership"},
});

enum class Harm { reads_outside, changes_things };

struct RiskyFunction {
  std::string_view name;
  bool prefix;  // matches every function whose name starts with `name`
  Harm harm;
  std::string_view effect;
};

constexpr auto k_risky_functions = std::to_array<RiskyFunction>({
    // DuckDB: files, other databases, the network, SQL given as text.
    {"read_csv", false, Harm::reads_outside, "reads files"},
    {"read_csv_auto", false, Harm::reads_outside, "reads files"},
    {"read_parquet", false, Harm::reads_outside, "reads files"},
    {"parquet_scan", false, Harm::reads_outside, "reads files"},
    {"parquet_metadata", false, Harm::reads_outside, "reads files"},
    {"parquet_schema", false, Harm::reads_outside, "reads files"},
    {"parquet_file_metadata", false, Harm::reads_outside, "reads files"},
    {"parquet_kv_metadata", false, Harm::reads_outside, "reads files"},
    {"parquet_bloom_probe", false, Harm::reads_outside, "reads files"},
    {"read_json", false, Harm::reads_outside, "reads files"},
    {"read_json_auto", false, Harm::reads_outside, "reads files"},
    {"read_json_objects", false, Harm::reads_outside, "reads files"},
    {"read_json_objects_auto", false, Harm::reads_outside, "reads files"},
    {"read_ndjson", false, Harm::reads_outside, "reads files"},
    {"read_ndjson_auto", false, Harm::reads_outside, "reads files"},
    {"read_ndjson_objects", false, Harm::reads_outside, "reads files"},
    {"read_text", false, Harm::reads_outside, "reads files"},
    {"read_blob", false, Harm::reads_outside, "reads files"},
    {"read_xlsx", false, Harm::reads_outside, "reads files"},
    {"read_duckdb", false, Harm::reads_outside, "reads files"},
    {"glob", false, Harm::reads_outside, "lists files"},
    {"sniff_csv", false, Harm::reads_outside, "reads files"},
    {"iceberg_scan", false, Harm::reads_outside, "reads files"},
    {"iceberg_metadata", false, Harm::reads_outside, "reads files"},
    {"iceberg_snapshots", false, Harm::reads_outside, "reads files"},
    {"delta_scan", false, Harm::reads_outside, "reads files"},
    {"st_read", false, Harm::reads_outside, "reads files"},
    {"st_read_meta", false, Harm::reads_outside, "reads files"},
    {"st_readosm", false, Harm::reads_outside, "reads files"},
    {"st_readshp", false, Harm::reads_outside, "reads files"},
    {"sqlite_scan", false, Harm::reads_outside, "reads files"},
    {"load_aws_credentials", false, Harm::reads_outside, "reads credentials from files and the environment"},
    {"getenv", false, Harm::reads_outside, "reads the environment"},
    {"query", false, Harm::reads_outside, "runs SQL given as text, which the guard cannot check"},
    {"query_table", false, Harm::reads_outside, "runs SQL built from text, which the guard cannot check"},
    {"json_execute_serialized_sql", false, Harm::reads_outside, "runs SQL given as data, which the guard cannot check"},
    {"postgres_scan", false, Harm::reads_outside, "connects to another database"},
    {"postgres_scan_pushdown", false, Harm::reads_outside, "connects to another database"},
    {"postgres_query", false, Harm::reads_outside, "runs SQL on another database"},
    {"postgres_execute", false, Harm::changes_things, "runs SQL on another database"},
    {"mysql_query", false, Harm::reads_outside, "runs SQL on another database"},
    {"mysql_execute", false, Harm::changes_things, "runs SQL on another database"},
    {"http_get", false, Harm::reads_outside, "reaches the network"},
    {"http_post", false, Harm::changes_things, "reaches the network"},
    {"checkpoint", false, Harm::changes_things, "runs storage maintenance"},
    {"force_checkpoint", false, Harm::changes_things, "runs storage maintenance"},
    {"sqlite_attach", false, Harm::changes_things, "attaches a database"},
    {"postgres_attach", false, Harm::changes_things, "attaches a database"},
    // DuckDB's families: every read_* reads files (read_avro, read_csv, ...), and so on.
    {"read_", true, Harm::reads_outside, "reads files"},
    {"parquet_", true, Harm::reads_outside, "reads files"},
    {"iceberg_", true, Harm::reads_outside, "reads files"},
    {"delta_", true, Harm::reads_outside, "reads files"},
    {"st_read", true, Harm::reads_outside, "reads files"},
    {"sqlite_", true, Harm::reads_outside, "reads database files"},
    {"postgres_", true, Harm::reads_outside, "connects to another database"},
    {"mysql_", true, Harm::reads_outside, "connects to another database"},
    {"from_substrait", true, Harm::reads_outside, "runs a query plan given as data, which the guard cannot check"},
    // PostgreSQL: server files, large objects, other databases, server state, SQL given as text.
    {"pg_read_", true, Harm::reads_outside, "reads files on the server"},
    {"pg_ls_", true, Harm::reads_outside, "lists files on the server"},
    {"pg_stat_file", false, Harm::reads_outside, "reads file metadata on the server"},
    {"pg_logdir_ls", false, Harm::reads_outside, "lists files on the server"},
    {"pg_file_", true, Harm::changes_things, "writes files on the server"},
    {"lo_", true, Harm::changes_things, "uses large objects, which read and write server files"},
    {"dblink", true, Harm::reads_outside, "connects to another database"},
    {"set_config", false, Harm::changes_things, "changes session settings"},
    {"setval", false, Harm::changes_things, "changes a sequence"},
    {"nextval", false, Harm::changes_things, "changes a sequence"},
    {"pg_terminate_backend", false, Harm::changes_things, "stops other sessions"},
    {"pg_cancel_backend", false, Harm::changes_things, "stops other sessions"},
    {"pg_signal_backend", false, Harm::changes_things, "signals other sessions"},
    {"pg_reload_conf", false, Harm::changes_things, "changes the server's state"},
    {"pg_rotate_logfile", false, Harm::changes_things, "changes the server's state"},
    {"pg_switch_wal", false, Harm::changes_things, "changes the server's state"},
    {"pg_switch_xlog", false, Harm::changes_things, "changes the server's state"},
    {"pg_promote", false, Harm::changes_things, "changes the server's state"},
    {"pg_backup_start", false, Harm::changes_things, "changes the server's state"},
    {"pg_backup_stop", false, Harm::changes_things, "changes the server's state"},
    {"pg_start_backup", false, Harm::changes_things, "changes the server's state"},
    {"pg_stop_backup", false, Harm::changes_things, "changes the server's state"},
    {"pg_import_system_collations", false, Harm::changes_things, "changes the server's state"},
    {"pg_log_backend_memory_contexts", false, Harm::changes_things, "changes the server's state"},
    {"pg_create_", true, Harm::changes_things, "changes the server's state"},
    {"pg_drop_", true, Harm::changes_things, "changes the server's state"},
    {"pg_copy_", true, Harm::changes_things, "changes the server's state"},
    {"pg_replication_", true, Harm::changes_things, "changes the server's state"},
    {"pg_logical_", true, Harm::changes_things, "changes the server's state"},
    {"pg_wal_replay_", true, Harm::changes_things, "changes the server's state"},
    {"pg_stat_reset", true, Harm::changes_things, "changes the server's state"},
    {"pg_advisory", true, Harm::changes_things, "takes locks"},
    {"pg_try_advisory", true, Harm::changes_things, "takes locks"},
    {"pg_sleep", true, Harm::changes_things, "holds the connection"},
    {"pg_notify", false, Harm::changes_things, "signals other sessions"},
    {"query_to_xml", true, Harm::reads_outside, "runs SQL given as text, which the guard cannot check"},
    {"cursor_to_xml", true, Harm::reads_outside, "reads a cursor the guard cannot see"},
    {"table_to_xml", true, Harm::reads_outside, "runs SQL built from text, which the guard cannot check"},
    {"schema_to_xml", true, Harm::reads_outside, "runs SQL built from text, which the guard cannot check"},
    {"database_to_xml", true, Harm::reads_outside, "runs SQL built from text, which the guard cannot check"},
});

// Words after which `(` opens a subquery or an expression rather than a function's arguments.
constexpr auto k_subquery_introducers = std::to_array<std::string_view>({
    "select",   "from",    "join",         "in",     "exists",    "any",    "all",   "some",    "array",
    "lateral",  "as",      "materialized", "union",  "intersect", "except", "where", "on",      "and",
    "or",       "not",     "then",         "else",   "when",      "case",   "by",    "having",  "with",
    "distinct", "explain", "limit",        "offset", "qualify",   "like",   "ilike", "between", "is",
});

// Functions whose parentheses take FROM as a keyword argument: TRIM(BOTH 'x' FROM y), EXTRACT(year FROM ts).
constexpr auto k_from_argument_functions =
    std::to_array<std::string_view>({"trim", "extract", "substring", "overlay", "position"});

// Words that end a FROM clause, after which a comma no longer separates tables.
constexpr auto k_from_clause_ends =
    std::to_array<std::string_view>({"where", "group", "having", "window", "qualify", "order", "limit", "offset",
                                     "fetch", "union", "intersect", "except", "select", "returning", "values"});

// Extensions DuckDB's replacement scans read as files when a dotted table name ends in them (FROM data.csv).
constexpr auto k_data_file_extensions = std::to_array<std::string_view>(
    {"csv", "tsv", "parquet", "json", "jsonl", "ndjson", "xlsx", "gz", "zst", "arrow", "avro"});

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  for (std::string_view candidate : words)
    if (candidate == word) return true;
  return false;
}

const StatementWord* find_statement_word(std::string_view lower) {
  static const std::unordered_map<std::string_view, const StatementWord*> index = [] {
    std::unordered_map<std::string_view, const StatementWord*> map;
    for (const StatementWord& entry : k_statement_words) map.emplace(entry.word, &entry);
    return map;
  }();
  const auto found = index.find(lower);
  return found == index.end() ? nullptr : found->second;
}

const RiskyFunction* find_risky_function(std::string_view lower) {
  for (const RiskyFunction& entry : k_risky_functions) {
    if (entry.prefix ? lower.starts_with(entry.name) : lower == entry.name) return &entry;
  }
  return nullptr;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::unexpected<Error> refuse(std::string message) {
  return std::unexpected(Error{ErrorCode::permission_denied, "refused: " + std::move(message)});
}

// Checks one statement's significant tokens (no whitespace, no comments, no `;`).
class StatementGuard {
 public:
  StatementGuard(std::string_view sql, Dialect dialect, std::vector<Token> tokens)
      : m_sql(sql), m_dialect(dialect), m_tokens(std::move(tokens)) {}

  // The statement's kind (select, with, values, describe, show, explain), or why it may not run.
  Result<std::string> check() {
    COWORK_TRY(check_brackets());
    COWORK_ASSIGN_OR_RETURN(std::string kind, classify());
    COWORK_TRY(scan());
    if (m_with_index != k_none) COWORK_TRY(check_with_ends_in_query(m_with_index));
    return kind;
  }

 private:
  static constexpr std::size_t k_none = std::numeric_limits<std::size_t>::max();

  struct Frame {
    char closer = '\0';
    bool from_argument = false;  // the parentheses of TRIM, EXTRACT, SUBSTRING, OVERLAY or POSITION
    bool saw_select = false;     // a SELECT at this level: a FROM after it is a query's
    bool from_clause = false;    // a FROM clause is open at this level, so `,` separates tables
  };

  std::size_t size() const { return m_tokens.size(); }
  const Token& token(std::size_t i) const { return m_tokens[i]; }
  bool word_is(std::size_t i, std::string_view keyword) const { return i < size() && is_keyword(token(i), keyword); }
  bool symbol_is(std::size_t i, std::string_view text) const { return i < size() && is_symbol(token(i), text); }
  std::string where(std::size_t i) const { return position_text(m_sql, token(i).offset); }
  std::string lower_word(std::size_t i) const { return to_lower(token(i).text); }
  // An unquoted identifier that is not part of a dotted name: only these can be keywords.
  bool is_bare(std::size_t i) const {
    return token(i).kind == TokenKind::identifier && !(i > 0 && symbol_is(i - 1, ".")) && !symbol_is(i + 1, ".");
  }
  // " (at 3:7)", or nothing for the first word of the statement, whose place is obvious.
  std::string at(std::size_t i) const { return i == m_first ? std::string() : " (at " + where(i) + ")"; }

  Status check_brackets() {
    m_match.assign(size(), k_none);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < size(); ++i) {
      const Token& t = token(i);
      if (t.kind != TokenKind::punctuation || t.text.size() != 1) continue;
      const char c = t.text[0];
      if (c == '(' || c == '[' || c == '{') {
        open.push_back(i);
      } else if (c == ')' || c == ']' || c == '}') {
        const char opener = c == ')' ? '(' : c == ']' ? '[' : '{';
        if (open.empty()) {
          return make_error(ErrorCode::invalid_argument, "unbalanced brackets: '{}' at {} closes nothing", c, where(i));
        }
        if (token(open.back()).text[0] != opener) {
          return make_error(ErrorCode::invalid_argument, "unbalanced brackets: '{}' at {} does not close '{}' at {}", c,
                            where(i), token(open.back()).text, where(open.back()));
        }
        m_match[open.back()] = i;
        open.pop_back();
      }
    }
    if (!open.empty()) {
      return make_error(ErrorCode::invalid_argument, "unbalanced brackets: '{}' at {} is never closed",
                        token(open.back()).text, where(open.back()));
    }
    return {};
  }

  std::unexpected<Error> refuse_word(std::size_t i, const StatementWord& word, bool at_statement_start) const {
    std::string name = upper(token(i).text);
    std::string_view effect = word.effect;
    if (word.word == "create") {
      // CREATE [OR REPLACE] [TEMP|TEMPORARY] MACRO|FUNCTION|PROCEDURE defines code that later queries would run.
      std::size_t j = i + 1;
      if (word_is(j, "or") && word_is(j + 1, "replace")) j += 2;
      if (word_is(j, "temp") || word_is(j, "temporary")) ++j;
      if (word_is(j, "macro") || word_is(j, "function") || word_is(j, "procedure")) {
        name += " " + upper(token(j).text);
        effect = "defines code in the warehouse";
      }
    }
    std::string message = fmt::format("{} {}; {}", name, effect, allowed_statements(m_dialect));
    if (i != m_first) {
      message += " (at " + where(i);
      if (!at_statement_start) {
        const std::string lower = to_lower(token(i).text);
        message += fmt::format("; a column named {} must be quoted, as \"{}\"", lower, lower);
      }
      message += ")";
    }
    return refuse(std::move(message));
  }

  // Decides the statement's kind from its first words; refuses statements that are not queries.
  Result<std::string> classify() {
    m_first = 0;
    while (symbol_is(m_first, "(")) ++m_first;
    const bool parenthesised = m_first > 0;
    if (m_first < size() && is_bare(m_first)) {
      const std::string first = lower_word(m_first);
      if (first == "select" || first == "table" || (first == "from" && m_dialect == Dialect::duckdb)) return "select";
      if (first == "values") return "values";
      if (first == "with") {
        m_with_index = m_first;
        return "with";
      }
      if (!parenthesised && first == "describe") {
        if (m_dialect == Dialect::duckdb) return "describe";
        return refuse(fmt::format("DESCRIBE is DuckDB syntax; on PostgreSQL query information_schema.columns; {}",
                                  allowed_statements(m_dialect)));
      }
      if (!parenthesised && first == "show") return "show";
      if (!parenthesised && first == "explain") {
        COWORK_TRY(classify_explain());
        return "explain";
      }
      if (const StatementWord* word = find_statement_word(first)) return refuse_word(m_first, *word, true);
    }
    const std::string shown = m_first < size() ? one_line(token(m_first).text, 40) : std::string("()");
    return refuse(
        fmt::format("a statement starting with {} is not a read-only query; {}", shown, allowed_statements(m_dialect)));
  }

  Status classify_explain() {
    const auto refuse_analyze = [&](std::size_t i) {
      return refuse(
          fmt::format("EXPLAIN ANALYZE runs the statement it explains; use EXPLAIN without ANALYZE (at {})", where(i)));
    };
    std::size_t j = m_first + 1;
    if (symbol_is(j, "(") && !starts_query(j + 1)) {
      // EXPLAIN (FORMAT JSON, ANALYZE) ...: any ANALYZE option is refused, even ANALYZE false, to keep the rule simple.
      for (std::size_t k = j + 1; k < m_match[j]; ++k)
        if (word_is(k, "analyze") || word_is(k, "analyse")) return refuse_analyze(k);
      j = m_match[j] + 1;
    } else {
      for (; word_is(j, "analyze") || word_is(j, "analyse") || word_is(j, "verbose"); ++j)
        if (!word_is(j, "verbose")) return refuse_analyze(j);
    }
    if (j >= size()) return refuse("EXPLAIN needs a query to explain");
    m_explain_target = j;
    std::size_t query = j;
    while (symbol_is(query, "(")) ++query;
    if (query < size() && is_bare(query)) {
      const std::string word = lower_word(query);
      if (word == "select" || word == "values" || word == "table" || (word == "from" && m_dialect == Dialect::duckdb)) {
        return {};
      }
      if (word == "with") {
        m_with_index = query;
        return {};
      }
      if (const StatementWord* statement = find_statement_word(word)) return refuse_word(query, *statement, true);
    }
    return refuse(fmt::format("EXPLAIN may only explain a SELECT, WITH ... SELECT or VALUES query (at {})", where(j)));
  }

  // After WITH's list of CTEs comes the query that uses them; it must be a query, not INSERT/UPDATE/DELETE/MERGE
  // (those are refused by the scan already; this catches anything else that is not a query).
  Status check_with_ends_in_query(std::size_t with_index) const {
    std::size_t depth = 0;
    bool after_group = false;  // the previous token closed a parenthesis at the WITH's own level
    for (std::size_t i = with_index + 1; i < size(); ++i) {
      const Token& t = token(i);
      if (is_symbol(t, "(")) {
        if (depth == 0 && after_group) return {};  // WITH a AS (...) (SELECT ...)
        ++depth;
        after_group = false;
        continue;
      }
      if (is_symbol(t, ")")) {
        if (depth == 0) break;  // the parenthesis around the whole WITH closes
        --depth;
        after_group = depth == 0;
        continue;
      }
      after_group = false;
      if (depth == 0 && is_bare(i)) {
        const std::string word = lower_word(i);
        if (word == "select" || word == "values" || word == "table" || word == "pivot" || word == "unpivot" ||
            (word == "from" && m_dialect == Dialect::duckdb)) {
          return {};
        }
      }
    }
    return refuse(
        fmt::format("WITH must end in a SELECT (at {}); {}", where(with_index), allowed_statements(m_dialect)));
  }

  // Whether token i opens a query: SELECT, VALUES, TABLE, WITH, DuckDB's FROM, or a parenthesis.
  bool starts_query(std::size_t i) const {
    if (symbol_is(i, "(")) return true;
    if (i >= size() || !is_bare(i)) return false;
    const std::string word = lower_word(i);
    return word == "select" || word == "values" || word == "table" || word == "with" ||
           (word == "from" && m_dialect == Dialect::duckdb);
  }

  bool is_call_paren(std::size_t paren) const {
    if (paren == 0) return false;
    const Token& before = token(paren - 1);
    if (before.kind == TokenKind::quoted_identifier) return true;
    if (before.kind != TokenKind::identifier) return false;
    return !contains(k_subquery_introducers, lower_word(paren - 1));
  }

  Status check_function(std::size_t i, std::string_view name) const {
    const RiskyFunction* function = find_risky_function(name);
    if (function == nullptr) return {};
    return refuse(fmt::format("{} {}; {} (at {})", name, function->effect,
                              function->harm == Harm::reads_outside ? k_read_tables_only : k_change_nothing, where(i)));
  }

  // A name where a table goes: in DuckDB a quoted path or a dotted name ending in a data file extension is a file.
  Status check_table_name(std::size_t i) const {
    if (m_dialect != Dialect::duckdb) return {};
    std::size_t last = i;
    while (true) {
      const Token& part = token(last);
      if (part.kind == TokenKind::quoted_identifier &&
          identifier_value(part).find_first_of("./\\:") != std::string::npos) {
        break;
      }
      if (!(symbol_is(last + 1, ".") && last + 2 < size() &&
            (token(last + 2).kind == TokenKind::identifier || token(last + 2).kind == TokenKind::quoted_identifier))) {
        if (last == i || !contains(k_data_file_extensions, to_lower(identifier_value(token(last))))) return {};
        break;
      }
      last += 2;
    }
    const std::size_t end = token(last).offset + token(last).text.size();
    return refuse(fmt::format("{} used as a table reads a file; {} (at {})",
                              one_line(m_sql.substr(token(i).offset, end - token(i).offset), 80), k_read_tables_only,
                              where(i)));
  }

  Status check_string(std::size_t i, bool at_table) const {
    const Token& t = token(i);
    if (at_table) {
      return refuse(fmt::format("{} used as a table reads a file; {} (at {})", one_line(t.text, 80), k_read_tables_only,
                                where(i)));
    }
    if (m_dialect == Dialect::postgres && t.kind == TokenKind::string) {
      // B'..' and X'..' never take backslash escapes, so a backslash there is only ever a trick; the other strings
      // are ambiguous when the two readings end in different places.
      const bool bit_string = i > 0 && token(i - 1).kind == TokenKind::identifier &&
                              token(i - 1).offset + 1 == t.offset &&
                              (is_keyword(token(i - 1), "b") || is_keyword(token(i - 1), "x"));
      if ((bit_string && t.text.find('\\') != std::string_view::npos) ||
          ends_differently_with_backslash_escapes(m_sql, t)) {
        return refuse(fmt::format(
            "the string at {} has a backslash before a quote, which PostgreSQL reads differently when "
            "standard_conforming_strings is off; write a quote inside a string as '' or use an E'...' string",
            where(i)));
      }
    }
    return {};
  }

  // DuckDB rewrites Unicode spaces outside what its own pre-pass takes for quotes, and that pre-pass does not know
  // block comments or E'' strings, so inside a literal their fate cannot be predicted; they are refused there.
  Status check_unicode_spaces(std::size_t i) const {
    if (m_dialect != Dialect::duckdb) return {};
    const Token& t = token(i);
    for (std::size_t pos = 0; pos < t.text.size(); ++pos) {
      if (static_cast<unsigned char>(t.text[pos]) < 0xC2) continue;
      if (duckdb_unicode_space_length(t.text, pos) > 0) {
        return make_error(ErrorCode::invalid_argument,
                          "{} at {} contains a Unicode space (such as a no-break space), which DuckDB may rewrite "
                          "before it reads the query; use a plain space or chr()",
                          t.kind == TokenKind::quoted_identifier ? "the quoted identifier" : "the string",
                          position_text(m_sql, t.offset + pos));
      }
    }
    return {};
  }

  Status check_lock(std::size_t i) const {
    std::size_t end = k_none;
    if (word_is(i + 1, "update") || word_is(i + 1, "share")) end = i + 1;
    if (word_is(i + 1, "no") && word_is(i + 2, "key") && word_is(i + 3, "update")) end = i + 3;
    if (word_is(i + 1, "key") && word_is(i + 2, "share")) end = i + 2;
    if (end == k_none) return {};
    std::string clause = "FOR";
    for (std::size_t k = i + 1; k <= end; ++k) clause += " " + upper(token(k).text);
    return refuse(fmt::format("{} locks rows; {} (at {})", clause, k_change_nothing, where(i)));
  }

  // Walks the statement once, tracking parentheses, where statements may begin and where tables go.
  Status scan() {
    std::vector<Frame> frames(1);
    bool statement_next = true;  // the next token may begin a statement
    bool table_next = false;     // the next token stands where a table goes
    for (std::size_t i = 0; i < size(); ++i) {
      const Token& t = token(i);
      const bool statement_start = statement_next || i == m_explain_target;
      const bool at_table = table_next;
      statement_next = false;
      table_next = false;
      switch (t.kind) {
        case TokenKind::punctuation: {
          if (t.text == "(") {
            const bool call = is_call_paren(i);
            const bool from_argument = call && contains(k_from_argument_functions, lower_word(i - 1));
            frames.push_back(Frame{')', from_argument, false, false});
            statement_next = !call;
            table_next = at_table && !call;  // FROM ('data.csv')
          } else if (t.text == "[" || t.text == "{") {
            frames.push_back(Frame{t.text == "[" ? ']' : '}', false, false, false});
          } else if (t.text == ")" || t.text == "]" || t.text == "}") {
            frames.pop_back();  // check_brackets made sure they balance
          } else if (t.text == ",") {
            table_next = frames.back().from_clause;
          }
          break;
        }
        case TokenKind::identifier: {
          const std::string word = lower_word(i);
          if (is_bare(i)) {
            COWORK_TRY(check_bare_word(i, word, statement_start, at_table, frames.back(), table_next));
          }
          if (symbol_is(i + 1, "(")) COWORK_TRY(check_function(i, word));
          if (at_table) COWORK_TRY(check_table_name(i));
          break;
        }
        case TokenKind::quoted_identifier: {
          COWORK_TRY(check_unicode_spaces(i));
          // U&"..." UESCAPE '!' names its own escape character; the call's parenthesis comes after that clause.
          char escape = '\\';
          std::size_t after = i + 1;
          if (!t.text.starts_with('"') && word_is(i + 1, "uescape") && i + 2 < size() &&
              token(i + 2).kind == TokenKind::string && token(i + 2).text.size() == 3) {
            escape = token(i + 2).text[1];
            after = i + 3;
          }
          if (symbol_is(after, "(")) COWORK_TRY(check_function(i, to_lower(identifier_value(t, escape))));
          if (at_table) COWORK_TRY(check_table_name(i));
          break;
        }
        case TokenKind::string:
        case TokenKind::escape_string:
        case TokenKind::dollar_string:
          COWORK_TRY(check_unicode_spaces(i));
          COWORK_TRY(check_string(i, at_table));
          break;
        default:
          break;
      }
    }
    return {};
  }

  Status check_bare_word(std::size_t i, const std::string& word, bool statement_start, bool at_table, Frame& frame,
                         bool& table_next) const {
    if (const StatementWord* statement = find_statement_word(word)) {
      if (statement->reach == Reach::anywhere) return refuse_word(i, *statement, statement_start);
      // Inside parentheses, a word followed by `)`, `,`, `::` or an operator is an expression such as (load + 1),
      // not a statement: no statement continues that way.
      const bool expression = i != m_first && i + 1 < size() &&
                              (token(i + 1).kind == TokenKind::op || symbol_is(i + 1, ")") || symbol_is(i + 1, ",") ||
                               symbol_is(i + 1, "::"));
      if (statement_start && !expression) return refuse_word(i, *statement, true);
    }
    if (word == "into") {
      return refuse(fmt::format("SELECT ... INTO creates a table; remove INTO so the query only reads{}", at(i)));
    }
    if (word == "for") return check_lock(i);
    if (word == "select") frame.saw_select = true;
    if (word == "from") {
      // Two FROMs do not start a table list: a keyword argument (TRIM(BOTH 'x' FROM y)) and IS [NOT] DISTINCT FROM.
      const bool distinct_from =
          i >= 2 && word_is(i - 1, "distinct") && (word_is(i - 2, "is") || word_is(i - 2, "not"));
      if (!(frame.from_argument && !frame.saw_select) && !distinct_from) {
        frame.from_clause = true;
        table_next = true;
      }
    } else if (word == "join") {
      frame.from_clause = true;
      table_next = true;
    } else if (word == "describe" || word == "show" || word == "summarize" || word == "pivot" || word == "unpivot" ||
               word == "table") {
      table_next = true;
    } else if (word == "lateral" || word == "only") {
      table_next = at_table;
    } else if (contains(k_from_clause_ends, word)) {
      frame.from_clause = false;
    }
    return {};
  }

  std::string_view m_sql;
  Dialect m_dialect;
  std::vector<Token> m_tokens;
  std::vector<std::size_t> m_match;  // for each opening bracket, the index of its closing one
  std::size_t m_first = 0;           // the first token after any opening parentheses
  std::size_t m_explain_target = k_none;
  std::size_t m_with_index = k_none;  // the WITH whose final query must be a query
};

Result<std::int64_t> resolve_limit(std::optional<std::int64_t> requested, const GuardOptions& options) {
  if (options.default_limit < 1 || options.max_limit < options.default_limit) {
    return make_error(ErrorCode::invalid_argument,
                      "guard options: default_limit {} must be at least 1 and at most max_limit {}",
                      options.default_limit, options.max_limit);
  }
  const std::int64_t limit = requested.value_or(options.default_limit);
  if (limit < 1) return make_error(ErrorCode::invalid_argument, "limit {} is too small; ask for at least 1 row", limit);
  if (limit > options.max_limit) {
    return make_error(ErrorCode::invalid_argument, "limit {} is above the maximum of {} rows", limit,
                      options.max_limit);
  }
  return limit;
}

}  // namespace

Result<GuardedQuery> guard_read_only(std::string_view sql, Dialect dialect, std::optional<std::int64_t> requested_limit,
                                     const GuardOptions& options) {
  COWORK_ASSIGN_OR_RETURN(const std::int64_t limit, resolve_limit(requested_limit, options));
  // A byte order mark from an editor is not part of the query.
  if (sql.starts_with("\xEF\xBB\xBF")) sql.remove_prefix(3);
  // Drivers pass the query as a C string, so the engine would stop reading at a NUL (and at our LIMIT with it).
  if (const std::size_t nul = sql.find('\0'); nul != std::string_view::npos) {
    return make_error(ErrorCode::invalid_argument, "the query contains a NUL byte at {}", position_text(sql, nul));
  }
  COWORK_ASSIGN_OR_RETURN(const std::vector<Token> tokens, tokenize(sql, dialect));

  std::size_t statements = 0;
  std::size_t first = 0, last = 0, second = 0;  // first and last token of the statement; where a second one starts
  bool in_statement = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (is_trivia(tokens[i])) continue;
    if (is_symbol(tokens[i], ";")) {
      in_statement = false;
      continue;
    }
    if (!in_statement) {
      in_statement = true;
      if (++statements == 1) first = i;
      if (statements == 2) second = i;
    }
    if (statements == 1) last = i;
  }
  if (statements == 0) {
    return make_error(ErrorCode::invalid_argument,
                      "the query is empty; write one SELECT, WITH ... SELECT, VALUES, SHOW or EXPLAIN statement");
  }
  if (statements > 1) {
    return refuse(fmt::format("{} statements; run one at a time (the second starts at {})", statements,
                              position_text(sql, tokens[second].offset)));
  }

  std::vector<Token> significant;
  std::string statement;
  statement.reserve(tokens[last].offset + tokens[last].text.size() - tokens[first].offset);
  for (std::size_t i = first; i <= last; ++i) {
    const Token& t = tokens[i];
    if (!is_trivia(t)) {
      significant.push_back(t);
      statement += t.text;
      continue;
    }
    // Unicode spaces between tokens become plain spaces, so DuckDB's own rewriting of them has nothing left to do.
    for (std::size_t pos = 0; pos < t.text.size();) {
      const std::size_t length = dialect == Dialect::duckdb ? duckdb_unicode_space_length(t.text, pos) : 0;
      if (length > 0) {
        statement.append(length, ' ');
        pos += length;
      } else {
        statement += t.text[pos++];
      }
    }
  }

  StatementGuard guard(sql, dialect, std::move(significant));
  COWORK_ASSIGN_OR_RETURN(std::string kind, guard.check());

  GuardedQuery guarded;
  guarded.limit = limit;
  guarded.kind = std::move(kind);
  guarded.wrapped = guarded.kind == "select" || guarded.kind == "with" || guarded.kind == "values";
  if (guarded.wrapped) {
    const std::int64_t fetch = limit < std::numeric_limits<std::int64_t>::max() ? limit + 1 : limit;
    guarded.sql = fmt::format("SELECT * FROM ({}) AS cowork_guarded LIMIT {}", statement, fetch);
  } else {
    guarded.sql = std::move(statement);
  }
  return guarded;
}

}  // namespace cowork::sql
