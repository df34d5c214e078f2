#include "sql/column_lineage.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace cowork::sql {
namespace {

constexpr std::size_t k_none = static_cast<std::size_t>(-1);
// Queries nested deeper than this (subqueries, parenthesised queries, CTE bodies) are refused, and a column followed
// through more CTEs and subqueries than this gets a note instead: both bound the recursion, so hostile input cannot
// exhaust the stack. Real models stay far below (DuckDB's own max_expression_depth is 1000).
constexpr std::size_t k_max_depth = 200;
// The most columns the analysis may materialise across all its CTEs and subqueries (each `*` over a known relation
// copies its columns); beyond it the input is refused rather than eating memory.
constexpr std::size_t k_max_columns = 500'000;

// ---------------------------------------------------------------------------------------------------------------------
// Word lists. Words are compared lowercased, and only for unquoted identifiers.

using WordSet = std::unordered_set<std::string_view>;

// Words that end a select list.
const WordSet k_list_end = {"from",  "where",  "group",  "having", "window", "qualify", "order",
                            "limit", "offset", "fetch",  "into",   "union",  "intersect", "except"};
// Words that end a select core (what follows belongs to the statement or to the next branch).
const WordSet k_core_end = {"union", "intersect", "except", "order", "limit", "offset", "fetch", "for"};
// Words after a FROM item that end the FROM clause.
const WordSet k_from_end = {"where", "group",     "having", "window", "qualify", "order", "limit",    "offset",
                            "fetch", "union",     "intersect", "except", "select", "for", "returning"};
// Words that cannot be a table alias written without AS.
const WordSet k_not_alias = {"where",     "group", "having",   "window",    "qualify", "order",   "limit",
                             "offset",    "fetch", "union",    "intersect", "except",  "join",    "inner",
                             "left",      "right", "full",     "cross",     "natural", "on",      "using",
                             "lateral",   "asof",  "positional", "semi",    "anti",    "pivot",   "unpivot",
                             "tablesample", "select", "for",   "into",      "returning", "values", "with"};
// Words that stand for a value without being a column.
const WordSet k_value_words = {"null",         "true",           "false",        "default",        "current_date",
                               "current_time", "current_timestamp", "localtime", "localtimestamp", "current_user",
                               "session_user", "current_role",   "current_catalog", "current_schema"};
// Words that may precede an operand and are skipped there: NOT x, DISTINCT x, IS DISTINCT FROM x, TRIM(BOTH FROM x)...
const WordSet k_prefix_words = {"not",    "distinct", "all",  "from",     "for",  "in",   "both", "leading",
                                "trailing", "placing", "order", "by",     "to",   "exists", "any", "some",
                                "when",   "then",     "else", "and",      "or",   "is",   "separator"};
// Words that join two operands, or separate the arguments of TRIM, SUBSTRING, EXTRACT, string_agg(x ORDER BY y)...
const WordSet k_operator_words = {"and",  "or",      "not", "is",   "in",   "like",  "ilike", "glob", "similar",
                                  "between", "escape", "overlaps", "to", "from", "for", "placing", "order", "by",
                                  "when", "then",    "else", "separator", "rlike", "regexp"};
// Units after INTERVAL '1' ... and date parts in datediff(day, a, b) or date_trunc(d, MONTH).
const WordSet k_date_parts = {
    "year",   "years",  "quarter", "quarters", "month",   "months",  "week",        "weeks",        "day",
    "days",   "hour",   "hours",   "minute",   "minutes", "second",  "seconds",     "millisecond",  "milliseconds",
    "microsecond", "microseconds", "nanosecond", "nanoseconds", "epoch", "decade", "decades", "century",
    "centuries", "millennium", "millennia", "dow",  "doy",    "isodow",  "isoyear",  "dayofweek", "dayofyear",
    "dayofmonth", "weekday", "weekofyear", "yearofweek", "yy", "yyyy", "mm", "dd", "hh", "mi", "ss", "ms", "us",
    "ns", "qq", "wk", "dw", "dy", "isoweek"};
// Functions whose first argument may be a bare date part (Snowflake, Redshift, SQL Server style, and EXTRACT).
const WordSet k_date_part_first = {"datediff",      "dateadd",      "date_part", "datepart", "date_trunc",
                                   "timestampdiff", "timestampadd", "extract",   "time_slice", "datename"};
// Functions whose last argument may be a bare date part (BigQuery style).
const WordSet k_date_part_last = {"date_diff",       "date_add",        "date_sub",       "date_trunc",
                                  "datetime_diff",   "datetime_add",    "datetime_sub",   "datetime_trunc",
                                  "timestamp_diff",  "timestamp_add",   "timestamp_sub",  "timestamp_trunc",
                                  "time_diff",       "time_add",        "time_sub",       "time_trunc",
                                  "last_day"};

// ---------------------------------------------------------------------------------------------------------------------
// Lineage values

struct Lineage {
  bool direct = false;
  std::vector<ColumnSource> sources;
  std::vector<std::string> notes;
};

// Collects sources and notes without duplicates, in the order found.
class LineageBuilder {
 public:
  void add_source(const ColumnSource& source) {
    if (m_source_keys.insert(to_lower(source.relation) + '\x1f' + to_lower(source.column)).second) {
      m_lineage.sources.push_back(source);
    }
  }
  void add_note(std::string note) {
    if (m_note_keys.insert(note).second) m_lineage.notes.push_back(std::move(note));
  }
  void merge(const Lineage& lineage) {
    for (const ColumnSource& source : lineage.sources) add_source(source);
    for (const std::string& note : lineage.notes) add_note(note);
  }
  Lineage take(bool direct) {
    m_lineage.direct = direct;
    return std::move(m_lineage);
  }

 private:
  Lineage m_lineage;
  std::unordered_set<std::string> m_source_keys;
  std::unordered_set<std::string> m_note_keys;
};

// The lineage as seen from outside the CTE or subquery it was found in: its notes say where they come from.
Lineage in_context(Lineage lineage, std::string_view context) {
  if (context.empty()) return lineage;
  for (std::string& note : lineage.notes) note = fmt::format("in {}: {}", context, note);
  return lineage;
}

Lineage note_only(std::string note) {
  Lineage lineage;
  lineage.notes.push_back(std::move(note));
  return lineage;
}

// ---------------------------------------------------------------------------------------------------------------------
// What a query produces, and the relations its FROM clause brings into scope.

struct Relation;
struct Shape;

struct OutputColumn {
  std::string name;
  std::string expression;
  Lineage lineage;
};

// Columns of a query that are not known by name: a `*` over a relation whose columns are unknown.
struct OpenPart {
  std::string text;                    // "*" or "t.*" as written
  Lineage lineage;                     // what it stands for: relation.* and why it is not known
  const Relation* relation = nullptr;  // where a name looked up through it comes from
  std::vector<const Shape*> branches;  // or, for a set operation, the branches to look it up in by name
};

struct Shape {
  std::string context;  // "CTE x", "subquery y": how notes from inside it are prefixed outside
  std::vector<OutputColumn> columns;
  std::vector<OpenPart> open;
  std::vector<std::size_t> open_at;                       // open[k] stands after columns[0, open_at[k])
  std::unordered_map<std::string, std::size_t> by_name;  // lowercased name -> the first column with it
  std::unordered_map<std::string, std::optional<Lineage>> lookups;  // names looked up through the open parts

  void add_column(OutputColumn column) {
    by_name.try_emplace(to_lower(column.name), columns.size());
    columns.push_back(std::move(column));
  }
  void add_open(OpenPart part) {
    open_at.push_back(columns.size());
    open.push_back(std::move(part));
  }
  // How many columns have a known position (those before the first open part).
  std::size_t known_prefix() const { return open.empty() ? columns.size() : open_at.front(); }
};

enum class RelationKind {
  base,       // a table or view of the warehouse: a source
  derived,    // a CTE or a subquery: followed into
  function,   // a table function, PIVOT or UNPIVOT: its columns are computed from its arguments
  recursive,  // the CTE being defined, referenced from its own recursive part
};

enum class JoinKind { inner, left, right, full, cross };

struct Relation {
  RelationKind kind = RelationKind::base;
  std::vector<std::string> qualifier;  // what a reference may qualify it with: {alias}, or the parts of its name
  std::string name;                    // base: the normalised relation name; otherwise the CTE name or alias
  std::string display;                 // how notes name it
  Shape* shape = nullptr;              // derived
  const std::vector<std::string>* catalog = nullptr;  // base, when the catalog knows its columns
  std::vector<std::string> column_aliases;            // base: `t AS x(a, b)`
  Lineage function_lineage;                           // function: what its columns are computed from
};

struct UsingColumn {
  std::string name;  // lowercased
  std::size_t left_end = 0;  // the relations [0, left_end) are the join's left side
  std::size_t right = 0;     // the relation joined
  JoinKind kind = JoinKind::inner;
};

struct Scope {
  std::deque<Relation> relations;  // a deque: open parts keep pointers to relations
  std::vector<UsingColumn> usings;
  const Scope* outer = nullptr;          // the enclosing query's scope, for correlated references
  const Shape* select_list = nullptr;    // the select list being read, for DuckDB's references to earlier aliases
};

struct CteDef {
  std::string name;
  Shape* shape = nullptr;
  bool in_progress = false;  // a recursive CTE whose body is being read
};

struct CteFrame {
  std::deque<CteDef> defs;
  std::unordered_map<std::string, std::size_t> by_name;  // lowercased name -> index in defs
  const CteFrame* parent = nullptr;
};

struct Context {
  const CteFrame* ctes = nullptr;  // the CTEs visible here
  const Scope* outer = nullptr;    // the scope correlated references reach
};

struct ExprScan {
  Lineage lineage;
  std::size_t expression_end = 0;  // where the expression ends (before `AS alias` or an implicit alias)
  std::size_t alias = k_none;      // the token of the alias, when there is one
};

struct Frame {
  enum class Kind { group, function, cast, bracket, case_expression } kind = Kind::group;
  std::size_t close = k_none;     // the token that closes it (none for CASE)
  std::string_view function;      // for function frames: the lowercased function name
  std::size_t lambda_count = 0;   // lambda parameters declared before it opened
  std::size_t arguments_begin = 0;
};

// ---------------------------------------------------------------------------------------------------------------------

class Analyzer {
 public:
  Analyzer(std::string_view sql, Dialect dialect, const ColumnCatalog& catalog)
      : m_sql(sql), m_dialect(dialect), m_catalog(catalog) {}

  Result<const Shape*> run() {
    COWORK_TRY(prepare());
    std::size_t end = m_tokens.size();
    while (end > 0 && sym(end - 1, ";")) --end;
    if (end == 0) return make_error(ErrorCode::invalid_argument, "no SQL statement: the input is empty or only comments");
    for (std::size_t i = 0; i < end; ++i) {
      if (sym(i, ";")) {
        return make_error(ErrorCode::invalid_argument,
                          "more than one statement (a `;` at {}): column lineage reads one SELECT", where(i));
      }
    }
    const std::string_view first = m_words[0];
    if (!(first == "select" || first == "with" || first == "values" || first == "table" || first == "from" ||
          sym(0, "("))) {
      return make_error(ErrorCode::invalid_argument, "not a SELECT statement: it starts with `{}` at {}",
                        one_line(m_tokens[0].text, 40), where(0));
    }
    COWORK_ASSIGN_OR_RETURN(Shape * shape, analyze_query(0, end, Context{}, ""));
    return shape;
  }

  // The lineage of `name` looked up through the open parts of `shape`, for trace_column.
  std::optional<Lineage> lookup(const Shape& shape, std::string_view name) {
    return lookup_shape(const_cast<Shape&>(shape), name, 0);
  }

 private:
  // ----- tokens

  Status prepare() {
    COWORK_ASSIGN_OR_RETURN(std::vector<Token> all, tokenize(m_sql, m_dialect));
    m_tokens.reserve(all.size() / 2 + 1);
    bool space = false;
    for (const Token& token : all) {
      if (is_trivia(token)) {
        space = true;
        continue;
      }
      if (token.text.find('\0') != std::string_view::npos) {
        return make_error(ErrorCode::invalid_argument, "a NUL byte at {}", position_text(m_sql, token.offset));
      }
      m_tokens.push_back(token);
      m_space_before.push_back(space);
      space = false;
    }
    // Lowercased words, for unquoted identifiers only. The storage never reallocates: it holds at most the input.
    m_word_storage.reserve(m_sql.size());
    m_words.resize(m_tokens.size());
    for (std::size_t i = 0; i < m_tokens.size(); ++i) {
      if (m_tokens[i].kind != TokenKind::identifier) continue;
      const std::size_t start = m_word_storage.size();
      for (const char c : m_tokens[i].text) {
        m_word_storage += (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
      }
      m_words[i] = std::string_view(m_word_storage).substr(start, m_tokens[i].text.size());
    }
    // Brackets: each one's partner, found with an explicit stack so that deep nesting costs no recursion.
    m_match.assign(m_tokens.size(), k_none);
    m_query_paren.assign(m_tokens.size(), -1);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < m_tokens.size(); ++i) {
      const Token& token = m_tokens[i];
      if (token.kind != TokenKind::punctuation || token.text.size() != 1) continue;
      const char c = token.text[0];
      if (c == '(' || c == '[' || c == '{') {
        open.push_back(i);
      } else if (c == ')' || c == ']' || c == '}') {
        const char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
        if (open.empty()) {
          return make_error(ErrorCode::invalid_argument, "unbalanced brackets: `{}` at {} closes nothing", c, where(i));
        }
        if (m_tokens[open.back()].text[0] != expected) {
          return make_error(ErrorCode::invalid_argument, "unbalanced brackets: `{}` at {} closes `{}` opened at {}", c,
                            where(i), m_tokens[open.back()].text, where(open.back()));
        }
        m_match[i] = open.back();
        m_match[open.back()] = i;
        open.pop_back();
      }
    }
    if (!open.empty()) {
      return make_error(ErrorCode::invalid_argument, "unbalanced brackets: `{}` at {} is never closed",
                        m_tokens[open.back()].text, where(open.back()));
    }
    return {};
  }

  std::string where(std::size_t i) const {
    return position_text(m_sql, i < m_tokens.size() ? m_tokens[i].offset : m_sql.size());
  }
  // The lowercased word at `i` when it is an unquoted identifier before `end`, else empty.
  std::string_view w(std::size_t i, std::size_t end) const { return i < end ? m_words[i] : std::string_view{}; }
  bool sym(std::size_t i, std::string_view text) const { return i < m_tokens.size() && is_symbol(m_tokens[i], text); }
  bool sym(std::size_t i, std::size_t end, std::string_view text) const { return i < end && sym(i, text); }
  bool is_name(std::size_t i, std::size_t end) const {
    return i < end &&
           (m_tokens[i].kind == TokenKind::identifier || m_tokens[i].kind == TokenKind::quoted_identifier);
  }
  bool is_literal(std::size_t i, std::size_t end) const {
    if (i >= end) return false;
    const TokenKind kind = m_tokens[i].kind;
    return kind == TokenKind::string || kind == TokenKind::escape_string || kind == TokenKind::dollar_string;
  }
  bool is_opener(std::size_t i) const { return sym(i, "(") || sym(i, "[") || sym(i, "{"); }
  std::string name_at(std::size_t i) const { return identifier_value(m_tokens[i]); }

  // The text of tokens [begin, end) with each run of whitespace and comments collapsed to one space.
  std::string text(std::size_t begin, std::size_t end) const {
    std::string out;
    for (std::size_t i = begin; i < end; ++i) {
      if (i > begin && m_space_before[i]) out += ' ';
      out += m_tokens[i].text;
    }
    return out;
  }

  // A few tokens from `i`, for error messages.
  std::string snippet(std::size_t i) const {
    return one_line(text(i, std::min(i + 4, m_tokens.size())), 60);
  }

  // Whether the parenthesis at `open` holds a query, `((select 1))` and `((select 1) union (select 2))` included.
  bool is_query_paren(std::size_t open) {
    std::vector<std::size_t> chain;
    std::size_t i = open;
    bool result = false;
    while (true) {
      if (m_query_paren[i] >= 0) {
        result = m_query_paren[i] == 1;
        break;
      }
      chain.push_back(i);
      const std::size_t close = m_match[i];
      const std::size_t j = i + 1;
      if (j >= close) break;
      const std::string_view word = m_words[j];
      if (word == "select" || word == "with" || word == "values" || word == "table" || word == "from") {
        result = true;
        break;
      }
      if (!sym(j, "(")) break;
      const std::size_t inner_close = m_match[j];
      if (inner_close + 1 == close) {
        i = j;
        continue;
      }
      const std::string_view after = m_words[inner_close + 1];
      result = after == "union" || after == "intersect" || after == "except" || after == "order" ||
               after == "limit" || after == "offset";
      break;
    }
    for (const std::size_t k : chain) m_query_paren[k] = result ? 1 : 0;
    return result;
  }

  // The first token at or after `begin` and before `end`, outside brackets, whose word is in `words`; `end` if none.
  std::size_t find_word(std::size_t begin, std::size_t end, const WordSet& words) const {
    for (std::size_t i = begin; i < end; ++i) {
      if (is_opener(i)) {
        i = m_match[i];
        continue;
      }
      if (is_clause_word(i, end, words)) return i;
    }
    return end;
  }

  // Whether the word at `i` is in `words` and starts a clause there: GROUP and ORDER only with BY (not WITHIN GROUP),
  // FOR only as a row lock (FOR UPDATE, FOR SHARE, ...).
  bool is_clause_word(std::size_t i, std::size_t end, const WordSet& words) const {
    const std::string_view word = m_words[i];
    if (word.empty() || !words.contains(word)) return false;
    if (word == "group" || word == "order") return w(i + 1, end) == "by";
    if (word == "for") {
      const std::string_view next = w(i + 1, end);
      return next == "update" || next == "share" || next == "no" || next == "key";
    }
    return true;
  }

  Shape* new_shape(std::string context) {
    Shape& shape = m_shapes.emplace_back();
    shape.context = std::move(context);
    return &shape;
  }

  Status count_columns(std::size_t count) {
    m_columns_made += count;
    if (m_columns_made > k_max_columns) {
      return make_error(ErrorCode::invalid_argument,
                        "the query expands to more than {} columns across its CTEs and subqueries; giving up",
                        k_max_columns);
    }
    return {};
  }

  const std::vector<std::string>* catalog_columns(const std::string& relation) {
    if (!m_catalog) return nullptr;
    auto [it, inserted] = m_catalog_cache.try_emplace(relation);
    if (inserted) it->second = m_catalog(relation);
    return it->second && !it->second->empty() ? &*it->second : nullptr;
  }

  // ----- queries

  // Reads the query in tokens [begin, end), which it must fill exactly.
  Result<Shape*> analyze_query(std::size_t begin, std::size_t end, const Context& context, std::string name) {
    if (m_depth >= k_max_depth) {
      return make_error(ErrorCode::invalid_argument, "queries nested more than {} deep (at {}); giving up",
                        k_max_depth, where(begin));
    }
    ++m_depth;
    auto result = analyze_query_inner(begin, end, context);
    --m_depth;
    if (result) (*result)->context = std::move(name);
    return result;
  }

  Result<Shape*> analyze_query_inner(std::size_t begin, std::size_t end, const Context& context) {
    if (begin >= end) return make_error(ErrorCode::invalid_argument, "an empty query at {}", where(begin));
    std::size_t i = begin;
    Context inner = context;
    if (w(i, end) == "with") {
      COWORK_ASSIGN_OR_RETURN(i, read_with(i + 1, end, context, inner));
    }
    std::size_t next = i;
    COWORK_ASSIGN_OR_RETURN(Shape * body, read_set_expression(i, end, inner, next));
    if (next < end) {
      const std::string_view word = w(next, end);
      if (!(word == "order" || word == "limit" || word == "offset" || word == "fetch" || word == "for")) {
        return make_error(ErrorCode::invalid_argument, "unexpected `{}` at {} after the query", snippet(next),
                          where(next));
      }
    }
    return body;
  }

  // Reads the CTEs of a WITH clause starting at `i` (after WITH); `inner` gets them. Returns where the body starts.
  Result<std::size_t> read_with(std::size_t i, std::size_t end, const Context& context, Context& inner) {
    const bool recursive = w(i, end) == "recursive";
    if (recursive) ++i;
    CteFrame& frame = m_frames.emplace_back();
    frame.parent = context.ctes;
    inner.ctes = &frame;
    while (true) {
      if (!is_name(i, end)) {
        return make_error(ErrorCode::invalid_argument, "expected a CTE name at {}", where(i));
      }
      std::string name = name_at(i++);
      std::vector<std::string> columns;
      if (sym(i, end, "(")) {
        columns = read_name_list(i + 1, m_match[i]);
        i = m_match[i] + 1;
      }
      if (w(i, end) == "using" && w(i + 1, end) == "key" && sym(i + 2, end, "(")) i = m_match[i + 2] + 1;
      if (w(i, end) != "as") {
        return make_error(ErrorCode::invalid_argument, "expected AS after the CTE name {} at {}", name, where(i));
      }
      ++i;
      if (w(i, end) == "not" && w(i + 1, end) == "materialized") i += 2;
      if (w(i, end) == "materialized") ++i;
      if (!sym(i, end, "(")) {
        return make_error(ErrorCode::invalid_argument, "expected `(` after {} AS at {}", name, where(i));
      }
      const std::size_t close = m_match[i];
      const std::string key = to_lower(name);
      std::size_t index = k_none;
      if (recursive) {
        index = frame.defs.size();
        frame.defs.push_back(CteDef{name, nullptr, true});
        frame.by_name[key] = index;
      }
      // A CTE sees the CTEs before it (and itself when recursive), not the FROM of the query around it.
      COWORK_ASSIGN_OR_RETURN(Shape * shape, analyze_query(i + 1, close, Context{&frame, context.outer}, "CTE " + name));
      if (!columns.empty()) {
        COWORK_ASSIGN_OR_RETURN(shape, rename_columns(*shape, columns, "CTE " + name));
      }
      if (index == k_none) {
        frame.defs.push_back(CteDef{name, shape, false});
        frame.by_name[key] = frame.defs.size() - 1;
      } else {
        frame.defs[index].shape = shape;
        frame.defs[index].in_progress = false;
      }
      i = close + 1;
      // PostgreSQL's SEARCH and CYCLE clauses of recursive CTEs.
      while (i < end && (w(i, end) == "search" || w(i, end) == "cycle")) {
        while (i < end && !sym(i, ",") && w(i, end) != "select" && w(i, end) != "values" && !sym(i, "(")) ++i;
      }
      if (sym(i, end, ",")) {
        ++i;
        continue;
      }
      return i;
    }
  }

  const CteDef* find_cte(const CteFrame* frame, const std::string& name) const {
    const std::string key = to_lower(name);
    for (; frame != nullptr; frame = frame->parent) {
      if (auto it = frame->by_name.find(key); it != frame->by_name.end()) return &frame->defs[it->second];
    }
    return nullptr;
  }

  std::vector<std::string> read_name_list(std::size_t begin, std::size_t end) const {
    std::vector<std::string> names;
    for (std::size_t i = begin; i < end; ++i) {
      if (is_name(i, end)) names.push_back(name_at(i));
    }
    return names;
  }

  // A copy of `shape` with its first columns renamed, for `cte(a, b) AS (...)` and `(...) AS x(a, b)`.
  Result<Shape*> rename_columns(const Shape& shape, const std::vector<std::string>& names, std::string context) {
    Shape* renamed = new_shape(std::move(context));
    COWORK_TRY(count_columns(shape.columns.size()));
    std::size_t open_index = 0;
    for (std::size_t i = 0; i < shape.columns.size(); ++i) {
      while (open_index < shape.open.size() && shape.open_at[open_index] == i) renamed->add_open(shape.open[open_index++]);
      OutputColumn column = shape.columns[i];
      if (i < names.size() && i < shape.known_prefix()) column.name = names[i];
      renamed->add_column(std::move(column));
    }
    while (open_index < shape.open.size()) renamed->add_open(shape.open[open_index++]);
    if (!shape.open.empty() && names.size() > shape.known_prefix()) {
      for (OutputColumn& column : renamed->columns) {
        column.lineage.notes.push_back(
            fmt::format("the column list ({}) names columns that come through `*` of a relation whose columns are not "
                        "known: those names are not followed",
                        join(names, ", ")));
      }
    }
    return renamed;
  }

  // set_expression := intersect_chain ((UNION | EXCEPT) [ALL | DISTINCT] [BY NAME] intersect_chain)*
  // The branches of a chain are merged in one pass, so a model that unions hundreds of selects stays linear.
  Result<Shape*> read_set_expression(std::size_t i, std::size_t end, const Context& context, std::size_t& next) {
    COWORK_ASSIGN_OR_RETURN(Shape * first, read_intersect_chain(i, end, context, next));
    std::vector<const Shape*> branches{first};
    while (w(next, end) == "union" || w(next, end) == "except") {
      const bool except = w(next, end) == "except";
      std::size_t j = next + 1;
      if (w(j, end) == "all" || w(j, end) == "distinct") ++j;
      bool by_name = false;
      if (w(j, end) == "by" && w(j + 1, end) == "name") {
        by_name = true;
        j += 2;
      }
      COWORK_ASSIGN_OR_RETURN(Shape * right, read_intersect_chain(j, end, context, next));
      if (except) continue;  // EXCEPT returns rows of its left side only: its values come from there
      if (by_name) {
        COWORK_ASSIGN_OR_RETURN(Shape * left, combine(branches, "UNION"));
        COWORK_ASSIGN_OR_RETURN(Shape * merged, combine_by_name(*left, *right));
        branches = {merged};
      } else {
        branches.push_back(right);
      }
    }
    return combine(branches, "UNION");
  }

  Result<Shape*> read_intersect_chain(std::size_t i, std::size_t end, const Context& context, std::size_t& next) {
    COWORK_ASSIGN_OR_RETURN(Shape * first, read_term(i, end, context, next));
    std::vector<const Shape*> branches{first};
    while (w(next, end) == "intersect") {
      std::size_t j = next + 1;
      if (w(j, end) == "all" || w(j, end) == "distinct") ++j;
      COWORK_ASSIGN_OR_RETURN(Shape * right, read_term(j, end, context, next));
      branches.push_back(right);
    }
    return combine(branches, "INTERSECT");
  }

  Result<Shape*> read_term(std::size_t i, std::size_t end, const Context& context, std::size_t& next) {
    if (i >= end) return make_error(ErrorCode::invalid_argument, "expected a query at {}", where(i));
    if (sym(i, "(")) {
      const std::size_t close = m_match[i];
      if (!is_query_paren(i)) {
        return make_error(ErrorCode::invalid_argument, "expected a query inside the parentheses at {}", where(i));
      }
      next = close + 1;
      return analyze_query(i + 1, close, context, "");
    }
    const std::string_view word = w(i, end);
    if (word == "select" || word == "from") return read_select(i, end, context, next);
    if (word == "values") return read_values(i + 1, end, context, next);
    if (word == "table" && is_name(i + 1, end)) {
      Scope* scope = &m_scopes.emplace_back();
      scope->outer = context.outer;
      COWORK_ASSIGN_OR_RETURN(next, read_from_item(i + 1, end, *scope, context));
      Shape* shape = new_shape("");
      COWORK_TRY(expand_star(*shape, *scope, nullptr, "*", {}, {}, {}));
      return shape;
    }
    return make_error(ErrorCode::invalid_argument, "expected SELECT at {}, found `{}`", where(i), snippet(i));
  }

  // SELECT [ALL | DISTINCT [ON (...)]] list [FROM ...] [WHERE ...] ..., or DuckDB's FROM ... [SELECT list] ...
  Result<Shape*> read_select(std::size_t i, std::size_t end, const Context& context, std::size_t& next) {
    const std::size_t core_end = find_word(i + 1, end, k_core_end);
    next = core_end;
    Scope* scope = &m_scopes.emplace_back();
    scope->outer = context.outer;
    std::size_t list_begin = k_none;
    std::size_t list_end = k_none;
    std::size_t after_from = k_none;
    if (w(i, end) == "from") {
      COWORK_ASSIGN_OR_RETURN(after_from, read_from(i + 1, core_end, *scope, context));
      if (w(after_from, core_end) == "select") i = after_from;
    }
    if (w(i, end) == "select") {
      ++i;
      if (w(i, core_end) == "all") {
        ++i;
      } else if (w(i, core_end) == "distinct") {
        ++i;
        if (w(i, core_end) == "on" && sym(i + 1, core_end, "(")) i = m_match[i + 1] + 1;
      }
      list_begin = i;
      list_end = find_list_end(i, core_end);
      if (w(list_end, core_end) == "into") {
        return make_error(ErrorCode::invalid_argument,
                          "SELECT ... INTO at {} creates a table: column lineage reads plain queries only",
                          where(list_end));
      }
      if (w(list_end, core_end) == "from") {
        if (after_from != k_none) {
          return make_error(ErrorCode::invalid_argument, "a second FROM at {}", where(list_end));
        }
        COWORK_ASSIGN_OR_RETURN(after_from, read_from(list_end + 1, core_end, *scope, context));
      }
    }
    if (after_from != k_none && after_from < core_end && !is_clause_word(after_from, core_end, k_from_end)) {
      return make_error(ErrorCode::invalid_argument, "cannot read `{}` at {} in FROM", snippet(after_from),
                        where(after_from));
    }
    Shape* shape = new_shape("");
    if (list_begin == k_none) {
      COWORK_TRY(expand_star(*shape, *scope, nullptr, "*", {}, {}, {}));  // FROM t alone is SELECT * FROM t
      return shape;
    }
    COWORK_TRY(read_select_list(list_begin, list_end, *scope, context, *shape));
    return shape;
  }

  std::size_t find_list_end(std::size_t begin, std::size_t end) const {
    std::size_t i = begin;
    while (true) {
      i = find_word(i, end, k_list_end);
      if (i >= end) return end;
      // IS [NOT] DISTINCT FROM is an operator, not the FROM clause.
      if (m_words[i] == "from" && i >= 2 && m_words[i - 1] == "distinct" &&
          (m_words[i - 2] == "is" || (m_words[i - 2] == "not" && i >= 3 && m_words[i - 3] == "is"))) {
        ++i;
        continue;
      }
      return i;
    }
  }

  Result<Shape*> read_values(std::size_t i, std::size_t end, const Context& context, std::size_t& next) {
    Shape* shape = new_shape("");
    std::vector<LineageBuilder> columns;
    std::vector<std::string> expressions;
    Scope* scope = &m_scopes.emplace_back();
    scope->outer = context.outer;
    while (sym(i, end, "(")) {
      const std::size_t close = m_match[i];
      std::size_t position = 0;
      std::size_t item = i + 1;
      for (std::size_t j = i + 1; j <= close; ++j) {
        if (j < close && is_opener(j)) {
          j = m_match[j];
          continue;
        }
        if (j < close && !sym(j, ",")) continue;
        if (item < j) {
          COWORK_ASSIGN_OR_RETURN(ExprScan scan, scan_expression(item, j, *scope, context, false));
          if (position >= columns.size()) {
            columns.emplace_back();
            expressions.push_back(text(item, j));
          }
          columns[position].merge(scan.lineage);
        }
        ++position;
        item = j + 1;
      }
      i = close + 1;
      if (!sym(i, end, ",")) break;
      ++i;
    }
    next = i;
    COWORK_TRY(count_columns(columns.size()));
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const std::string name = m_dialect == Dialect::duckdb ? fmt::format("col{}", k) : fmt::format("column{}", k + 1);
      shape->add_column(OutputColumn{name, expressions[k], columns[k].take(false)});
    }
    return shape;
  }

  // ----- set operations

  // UNION and INTERSECT by position: names from the first branch, the lineage of each position merged.
  Result<Shape*> combine(const std::vector<const Shape*>& branches, std::string_view operation) {
    const Shape& first = *branches.front();
    if (branches.size() == 1) return const_cast<Shape*>(&first);
    Shape* shape = new_shape("");
    COWORK_TRY(count_columns(first.columns.size()));
    const std::size_t first_known = first.known_prefix();
    std::string count_note;
    bool complete = true;
    bool same_count = true;
    for (const Shape* branch : branches) {
      complete = complete && branch->open.empty();
      same_count = same_count && branch->columns.size() == first.columns.size();
    }
    if (complete && !same_count) {
      std::vector<std::string> counts;
      for (const Shape* branch : branches) counts.push_back(std::to_string(branch->columns.size()));
      count_note = fmt::format("the branches of the {} have {} columns: merged by position as far as they go",
                               operation, join(counts, ", "));
    }
    std::size_t open_index = 0;
    for (std::size_t i = 0; i < first.columns.size(); ++i) {
      while (open_index < first.open.size() && first.open_at[open_index] == i) {
        add_set_open_part(*shape, first.open[open_index++], branches);
      }
      const OutputColumn& column = first.columns[i];
      LineageBuilder builder;
      builder.merge(column.lineage);
      bool direct = column.lineage.direct;
      for (std::size_t b = 1; b < branches.size(); ++b) {
        const Shape& branch = *branches[b];
        if (i < first_known && i < branch.known_prefix()) {
          builder.merge(branch.columns[i].lineage);
          direct = direct && branch.columns[i].lineage.direct;
        } else if (i < first_known && branch.open.empty()) {
          direct = false;  // this branch has fewer columns; count_note says so
        } else {
          const std::optional<Lineage> other = lookup_shape(const_cast<Shape&>(branch), column.name, 0);
          if (other) {
            builder.merge(*other);
            direct = direct && other->direct;
          } else {
            direct = false;
          }
          builder.add_note(fmt::format("{}: {} is {} by name in the other branches, where a `*` hides column positions",
                                       operation, column.name, other ? "matched" : "not found"));
        }
      }
      if (!count_note.empty()) builder.add_note(count_note);
      shape->add_column(OutputColumn{column.name, column.expression, builder.take(direct)});
    }
    while (open_index < first.open.size()) add_set_open_part(*shape, first.open[open_index++], branches);
    return shape;
  }

  void add_set_open_part(Shape& shape, const OpenPart& part, const std::vector<const Shape*>& branches) {
    OpenPart combined;
    combined.text = part.text;
    combined.branches = branches;
    LineageBuilder builder;
    builder.merge(part.lineage);
    for (std::size_t b = 1; b < branches.size(); ++b) {
      for (const OpenPart& other : branches[b]->open) builder.merge(other.lineage);
    }
    combined.lineage = builder.take(false);
    shape.add_open(std::move(combined));
  }

  // DuckDB's UNION BY NAME: columns matched by name; the names of both sides, left first.
  Result<Shape*> combine_by_name(const Shape& left, const Shape& right) {
    Shape* shape = new_shape("");
    COWORK_TRY(count_columns(left.columns.size() + right.columns.size()));
    for (const OutputColumn& column : left.columns) {
      LineageBuilder builder;
      builder.merge(column.lineage);
      const std::optional<Lineage> other = lookup_shape(const_cast<Shape&>(right), column.name, 0);
      if (other) builder.merge(*other);
      shape->add_column(OutputColumn{column.name, column.expression,
                                     builder.take(column.lineage.direct && (!other || other->direct))});
    }
    for (const OutputColumn& column : right.columns) {
      if (!shape->by_name.contains(to_lower(column.name))) shape->add_column(column);
    }
    if (!left.open.empty() || !right.open.empty()) {
      OpenPart part;
      part.text = "*";
      part.branches = {&left, &right};
      LineageBuilder builder;
      for (const OpenPart& open : left.open) builder.merge(open.lineage);
      for (const OpenPart& open : right.open) builder.merge(open.lineage);
      part.lineage = builder.take(false);
      shape->add_open(std::move(part));
    }
    return shape;
  }

  // ----- FROM

  // Reads a FROM list from `i`: items separated by commas and joins. Returns where it ends.
  Result<std::size_t> read_from(std::size_t i, std::size_t end, Scope& scope, const Context& context) {
    while (true) {
      COWORK_ASSIGN_OR_RETURN(i, read_from_item(i, end, scope, context));
      while (true) {
        JoinKind kind = JoinKind::inner;
        bool natural = false;
        const std::size_t after = read_join(i, end, kind, natural);
        if (after == k_none) break;
        const std::size_t left_end = scope.relations.size();
        COWORK_ASSIGN_OR_RETURN(i, read_from_item(after, end, scope, context));
        const std::size_t right = scope.relations.size() - 1;
        if (w(i, end) == "on") {
          i = skip_to_from_boundary(i + 1, end);
        } else if (w(i, end) == "using" && sym(i + 1, end, "(")) {
          for (const std::string& name : read_name_list(i + 2, m_match[i + 1])) {
            scope.usings.push_back(UsingColumn{to_lower(name), left_end, right, kind});
          }
          i = m_match[i + 1] + 1;
        }
        if (natural) add_natural_join(scope, left_end, right, kind);
      }
      if (sym(i, end, ",")) {
        ++i;
        continue;
      }
      return i;
    }
  }

  // NATURAL JOIN: the columns both sides are known to have are merged like USING.
  void add_natural_join(Scope& scope, std::size_t left_end, std::size_t right, JoinKind kind) {
    const std::vector<std::string> right_columns = known_columns(scope.relations[right]);
    for (const std::string& name : right_columns) {
      const std::string key = to_lower(name);
      for (std::size_t k = 0; k < left_end; ++k) {
        if (knows(scope.relations[k], key)) {
          scope.usings.push_back(UsingColumn{key, left_end, right, kind});
          break;
        }
      }
    }
  }

  // If a join starts at `i`, returns the token after its JOIN keyword; otherwise k_none.
  std::size_t read_join(std::size_t i, std::size_t end, JoinKind& kind, bool& natural) const {
    std::size_t j = i;
    natural = false;
    kind = JoinKind::inner;
    if (w(j, end) == "natural") {
      natural = true;
      ++j;
    }
    const std::string_view word = w(j, end);
    if (word == "inner") {
      ++j;
    } else if (word == "left" || word == "right" || word == "full") {
      kind = word == "left" ? JoinKind::left : word == "right" ? JoinKind::right : JoinKind::full;
      ++j;
      if (w(j, end) == "outer") ++j;
      if (w(j, end) == "semi" || w(j, end) == "anti") ++j;
    } else if (word == "cross") {
      kind = JoinKind::cross;
      ++j;
    } else if (word == "semi" || word == "anti" || word == "positional") {
      ++j;
    } else if (word == "asof") {
      ++j;
      if (w(j, end) == "left") {
        kind = JoinKind::left;
        ++j;
        if (w(j, end) == "outer") ++j;
      }
    }
    return w(j, end) == "join" ? j + 1 : k_none;
  }

  // Skips a join condition or a sampling clause: up to the next join, comma or clause word outside brackets.
  std::size_t skip_to_from_boundary(std::size_t i, std::size_t end) const {
    for (; i < end; ++i) {
      if (is_opener(i)) {
        i = m_match[i];
        continue;
      }
      if (sym(i, ",")) return i;
      if (m_words[i].empty()) continue;
      if (is_clause_word(i, end, k_from_end)) return i;
      JoinKind kind;
      bool natural;
      if (read_join(i, end, kind, natural) != k_none) return i;
    }
    return end;
  }

  Result<std::size_t> read_from_item(std::size_t i, std::size_t end, Scope& scope, const Context& context) {
    if (i >= end) {
      return make_error(ErrorCode::invalid_argument, "expected a table after FROM or JOIN at {}", where(i));
    }
    bool lateral = false;
    if (w(i, end) == "lateral") {
      lateral = true;
      ++i;
    }
    if (w(i, end) == "only") ++i;
    Relation relation;
    std::size_t k = i;
    if (sym(i, end, "(")) {
      const std::size_t close = m_match[i];
      if (!is_query_paren(i)) {
        // A parenthesised join: its relations join this scope as they are.
        if (m_depth >= k_max_depth) {
          return make_error(ErrorCode::invalid_argument, "joins nested more than {} deep (at {}); giving up",
                            k_max_depth, where(i));
        }
        ++m_depth;
        auto stop_or = read_from(i + 1, close, scope, context);
        --m_depth;
        COWORK_ASSIGN_OR_RETURN(const std::size_t stop, std::move(stop_or));
        if (stop != close) {
          return make_error(ErrorCode::invalid_argument, "cannot read `{}` at {} in FROM", snippet(stop), where(stop));
        }
        k = close + 1;
        std::vector<std::string> ignored;
        read_alias(k, end, ignored);
        return k;
      }
      k = close + 1;
      std::vector<std::string> column_aliases;
      const std::optional<std::string> alias = read_alias(k, end, column_aliases);
      const Context sub{context.ctes, lateral ? &scope : context.outer};
      const std::string context_name =
          alias ? fmt::format("subquery {}", *alias) : fmt::format("the subquery at {}", where(i));
      COWORK_ASSIGN_OR_RETURN(Shape * shape, analyze_query(i + 1, close, sub, context_name));
      if (!column_aliases.empty()) {
        COWORK_ASSIGN_OR_RETURN(shape, rename_columns(*shape, column_aliases, context_name));
      }
      relation.kind = RelationKind::derived;
      relation.shape = shape;
      relation.name = alias.value_or("");
      relation.display = context_name;
      if (alias) relation.qualifier = {*alias};
      k = skip_sampling(k, end);
      scope.relations.push_back(std::move(relation));
      return k;
    }
    if (is_name(i, end)) {
      std::size_t last = i;
      while (sym(last + 1, end, ".") && is_name(last + 2, end)) last += 2;
      std::vector<std::string> parts;
      for (std::size_t p = i; p <= last; p += 2) parts.push_back(name_at(p));
      const std::string name = join(parts, ".");
      if (sym(last + 1, end, "(")) {
        const std::size_t close = m_match[last + 1];
        COWORK_ASSIGN_OR_RETURN(ExprScan scan, scan_expression(last + 2, close, scope, context, false));
        relation.kind = RelationKind::function;
        relation.name = parts.back();
        relation.display = fmt::format("table function {}", text(i, close + 1));
        relation.qualifier = {parts.back()};
        relation.function_lineage = std::move(scan.lineage);
        relation.function_lineage.direct = false;
        relation.function_lineage.notes.push_back(
            fmt::format("comes from the {}: computed from its arguments", relation.display));
        k = close + 1;
      } else {
        k = last + 1;
        const CteDef* cte = parts.size() == 1 ? find_cte(context.ctes, parts[0]) : nullptr;
        if (cte != nullptr && cte->in_progress) {
          relation.kind = RelationKind::recursive;
          relation.name = cte->name;
          relation.display = "CTE " + cte->name;
        } else if (cte != nullptr) {
          relation.kind = RelationKind::derived;
          relation.shape = cte->shape;
          relation.name = cte->name;
          relation.display = "CTE " + cte->name;
        } else {
          relation.kind = RelationKind::base;
          relation.name = name;
          relation.display = name;
          relation.catalog = catalog_columns(name);
        }
        relation.qualifier = parts;
      }
    } else if (is_literal(i, end) && m_tokens[i].kind == TokenKind::string) {
      // DuckDB reads a file named in FROM ('data.csv'): the file is the source.
      const std::string path = literal_or_name(i);
      relation.kind = RelationKind::base;
      relation.name = path;
      relation.display = path;
      relation.qualifier = {path};
      relation.catalog = catalog_columns(path);
      k = i + 1;
    } else {
      return make_error(ErrorCode::invalid_argument, "expected a table or a subquery at {}, found `{}`", where(i),
                        snippet(i));
    }
    if ((w(k, end) == "pivot" || w(k, end) == "unpivot") && sym(k + 1, end, "(")) {
      Lineage all = relation_lineage(relation);
      all.direct = false;
      all.notes.push_back(fmt::format("comes from the {} of {}: computed from all its columns, not followed further",
                                      to_upper_word(w(k, end)), relation.display));
      relation.display = fmt::format("{} of {}", to_upper_word(w(k, end)), relation.display);
      relation.kind = RelationKind::function;
      relation.function_lineage = std::move(all);
      relation.shape = nullptr;
      relation.catalog = nullptr;
      k = m_match[k + 1] + 1;
    }
    std::vector<std::string> column_aliases;
    if (const std::optional<std::string> alias = read_alias(k, end, column_aliases)) relation.qualifier = {*alias};
    if (!column_aliases.empty()) {
      if (relation.kind == RelationKind::derived) {
        COWORK_ASSIGN_OR_RETURN(relation.shape, rename_columns(*relation.shape, column_aliases, relation.shape->context));
      } else {
        relation.column_aliases = std::move(column_aliases);
      }
    }
    k = skip_sampling(k, end);
    scope.relations.push_back(std::move(relation));
    return k;
  }

  static std::string to_upper_word(std::string_view word) {
    std::string out(word);
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  }

  // TABLESAMPLE ... and DuckDB's USING SAMPLE ... after a FROM item.
  std::size_t skip_sampling(std::size_t k, std::size_t end) const {
    if (w(k, end) == "tablesample") return skip_to_from_boundary(k + 1, end);
    if (w(k, end) == "using" && w(k + 1, end) == "sample") return skip_to_from_boundary(k + 2, end);
    return k;
  }

  // [AS] alias [(column, ...)] at `k`; advances `k` past it.
  std::optional<std::string> read_alias(std::size_t& k, std::size_t end, std::vector<std::string>& column_aliases) {
    std::optional<std::string> alias;
    if (w(k, end) == "as" && (is_name(k + 1, end) || is_literal(k + 1, end))) {
      alias = literal_or_name(k + 1);
      k += 2;
    } else if (is_name(k, end) && !(m_tokens[k].kind == TokenKind::identifier && k_not_alias.contains(m_words[k]))) {
      alias = name_at(k);
      ++k;
    }
    if (alias && sym(k, end, "(")) {
      column_aliases = read_name_list(k + 1, m_match[k]);
      k = m_match[k] + 1;
    }
    return alias;
  }

  std::string literal_or_name(std::size_t i) const {
    if (m_tokens[i].kind == TokenKind::string) {
      const std::string_view body = m_tokens[i].text.substr(1, m_tokens[i].text.size() - 2);
      std::string out;
      for (std::size_t p = 0; p < body.size(); ++p) {
        out += body[p];
        if (body[p] == '\'' && p + 1 < body.size() && body[p + 1] == '\'') ++p;
      }
      return out;
    }
    return name_at(i);
  }

  // ----- the select list

  Status read_select_list(std::size_t begin, std::size_t end, Scope& scope, const Context& context, Shape& shape) {
    scope.select_list = &shape;
    std::size_t item = begin;
    for (std::size_t i = begin; i <= end; ++i) {
      if (i < end && is_opener(i)) {
        i = m_match[i];
        continue;
      }
      if (i < end && !sym(i, ",")) continue;
      if (item < i) COWORK_TRY(read_item(item, i, scope, context, shape));  // DuckDB allows a trailing comma
      item = i + 1;
    }
    scope.select_list = nullptr;
    return {};
  }

  Status read_item(std::size_t begin, std::size_t end, Scope& scope, const Context& context, Shape& shape) {
    // `*` and `t.*`, with DuckDB's EXCLUDE / REPLACE / RENAME.
    std::size_t star = k_none;
    std::vector<std::string> qualifier;
    if (sym(begin, "*")) {
      star = begin;
    } else if (is_name(begin, end)) {
      std::size_t last = begin;
      while (sym(last + 1, end, ".") && is_name(last + 2, end)) last += 2;
      if (sym(last + 1, end, ".") && sym(last + 2, end, "*")) {
        for (std::size_t p = begin; p <= last; p += 2) qualifier.push_back(name_at(p));
        star = last + 2;
      }
    }
    if (star != k_none) return read_star_item(begin, star, end, qualifier, scope, context, shape);
    if (w(begin, end) == "columns" && sym(begin + 1, end, "(") && m_dialect == Dialect::duckdb) {
      OpenPart part;
      part.text = text(begin, end);
      part.lineage = note_only(fmt::format("{} at {}: COLUMNS(...) expressions are not followed", part.text, where(begin)));
      shape.add_open(std::move(part));
      return {};
    }
    COWORK_ASSIGN_OR_RETURN(ExprScan scan, scan_expression(begin, end, scope, context, true));
    std::string name;
    if (scan.alias != k_none) {
      name = literal_or_name(scan.alias);
    } else {
      name = default_name(begin, scan.expression_end);
    }
    scan.lineage.direct = scan.lineage.direct && is_column_chain(begin, scan.expression_end);
    COWORK_TRY(count_columns(1));
    shape.add_column(OutputColumn{std::move(name), text(begin, scan.expression_end), std::move(scan.lineage)});
    return {};
  }

  // Strips parentheses around the whole of [begin, end).
  void strip_parens(std::size_t& begin, std::size_t& end) const {
    while (begin + 1 < end && sym(begin, "(") && m_match[begin] == end - 1) {
      ++begin;
      --end;
    }
  }

  // Whether [begin, end) is one column reference: name (. name)*, perhaps in parentheses.
  bool is_column_chain(std::size_t begin, std::size_t end) const {
    strip_parens(begin, end);
    if (begin >= end || (end - begin) % 2 == 0) return false;
    for (std::size_t i = begin; i < end; i += 2) {
      if (!is_name(i, end)) return false;
      if (m_tokens[i].kind == TokenKind::identifier && k_value_words.contains(m_words[i])) return false;
      if (i + 1 < end && !sym(i + 1, ".")) return false;
    }
    return true;
  }

  // The name a warehouse gives an expression without an alias.
  std::string default_name(std::size_t begin, std::size_t end) const {
    std::size_t b = begin;
    std::size_t e = end;
    strip_parens(b, e);
    if (is_column_chain(b, e)) return name_at(e - 1);
    if (m_dialect == Dialect::duckdb) return text(begin, end);
    // PostgreSQL's FigureColname, for the common shapes.
    for (std::size_t i = b; i < e; ++i) {
      if (sym(i, "::") && is_column_chain(b, i)) return name_at(i - 1);
      if (is_opener(i)) i = m_match[i];
    }
    if (m_words[b] == "case") return "case";
    if (is_name(b, e)) {
      std::size_t last = b;
      while (sym(last + 1, e, ".") && is_name(last + 2, e)) last += 2;
      if (sym(last + 1, e, "(") && m_match[last + 1] == e - 1) {
        if ((m_words[last] == "cast" || m_words[last] == "try_cast") && last == b) {
          const std::size_t as = find_word(last + 2, e - 1, WordSet{"as"});
          if (is_column_chain(last + 2, as)) return name_at(as - 1);
        }
        return m_tokens[last].kind == TokenKind::identifier ? std::string(m_words[last]) : name_at(last);
      }
    }
    return "?column?";
  }

  Status read_star_item(std::size_t begin, std::size_t star, std::size_t end, const std::vector<std::string>& qualifier,
                        Scope& scope, const Context& context, Shape& shape) {
    const std::string star_text = text(begin, star + 1);
    std::unordered_set<std::string> exclude;
    std::unordered_map<std::string, OutputColumn> replace;
    std::unordered_map<std::string, std::string> rename;
    std::vector<std::string> notes;
    std::size_t i = star + 1;
    while (i < end) {
      const std::string_view word = w(i, end);
      if (word != "exclude" && word != "replace" && word != "rename") {
        notes.push_back(fmt::format("`{}` after {} at {} is not understood and was skipped", text(i, end), star_text,
                                    where(i)));
        break;
      }
      ++i;
      std::size_t list_begin = i;
      std::size_t list_end = std::min(i + 1, end);  // EXCLUDE a: one name without parentheses
      if (sym(i, end, "(")) {
        list_begin = i + 1;
        list_end = m_match[i];
      }
      std::size_t item = list_begin;
      for (std::size_t j = list_begin; j <= list_end; ++j) {
        if (j < list_end && is_opener(j)) {
          j = m_match[j];
          continue;
        }
        if (j < list_end && !sym(j, ",")) continue;
        if (item < j) {
          if (word == "exclude") {
            if (is_name(j - 1, j)) exclude.insert(to_lower(name_at(j - 1)));
          } else if (word == "rename") {
            if (j - item >= 3 && w(j - 2, end) == "as" && is_name(j - 3, j)) {
              rename[to_lower(name_at(j - 3))] = literal_or_name(j - 1);
            }
          } else {
            COWORK_ASSIGN_OR_RETURN(ExprScan scan, scan_expression(item, j, scope, context, true));
            if (scan.alias != k_none) {
              std::string name = literal_or_name(scan.alias);
              scan.lineage.direct = scan.lineage.direct && is_column_chain(item, scan.expression_end);
              replace[to_lower(name)] = OutputColumn{name, text(item, scan.expression_end), std::move(scan.lineage)};
            }
          }
        }
        item = j + 1;
      }
      i = sym(list_begin - 1, "(") && list_begin - 1 >= star ? list_end + 1 : list_end;
    }
    const Relation* only = nullptr;
    if (!qualifier.empty()) {
      only = find_relation(&scope, qualifier, false);
      if (only == nullptr) {
        OpenPart part;
        part.text = star_text;
        part.lineage = note_only(fmt::format("{}: no relation named {} in FROM", star_text, join(qualifier, ".")));
        shape.add_open(std::move(part));
        return {};
      }
    } else if (scope.relations.empty()) {
      OpenPart part;
      part.text = star_text;
      part.lineage = note_only(fmt::format("{} without a FROM clause selects nothing", star_text));
      shape.add_open(std::move(part));
      return {};
    }
    const std::size_t first_new_column = shape.columns.size();
    const std::size_t first_new_part = shape.open.size();
    COWORK_TRY(expand_star(shape, scope, only, star_text, exclude, replace, rename));
    for (const std::string& note : notes) {
      for (std::size_t c = first_new_column; c < shape.columns.size(); ++c) shape.columns[c].lineage.notes.push_back(note);
      for (std::size_t p = first_new_part; p < shape.open.size(); ++p) shape.open[p].lineage.notes.push_back(note);
    }
    if (!exclude.empty() || !rename.empty() || !replace.empty()) {
      for (std::size_t p = first_new_part; p < shape.open.size(); ++p) {
        shape.open[p].lineage.notes.push_back(
            fmt::format("the EXCLUDE, REPLACE or RENAME of {} applies to columns that are not known here", star_text));
      }
    }
    return {};
  }

  // Appends the columns `*` (or `only.*`) stands for.
  Status expand_star(Shape& shape, const Scope& scope, const Relation* only, const std::string& star_text,
                     const std::unordered_set<std::string>& exclude,
                     const std::unordered_map<std::string, OutputColumn>& replace,
                     const std::unordered_map<std::string, std::string>& rename) {
    for (std::size_t r = 0; r < scope.relations.size(); ++r) {
      const Relation& relation = scope.relations[r];
      if (only != nullptr && only != &relation) continue;
      std::unordered_set<std::string> skip = exclude;
      if (only == nullptr) {
        // A USING column appears once, from the left side.
        for (const UsingColumn& u : scope.usings) {
          if (u.right == r) skip.insert(u.name);
        }
      }
      const auto add = [&](OutputColumn column) -> Status {
        const std::string key = to_lower(column.name);
        if (skip.contains(key)) return {};
        if (auto it = replace.find(key); it != replace.end()) {
          column.expression = it->second.expression;
          column.lineage = it->second.lineage;
        }
        if (auto it = rename.find(key); it != rename.end()) column.name = it->second;
        COWORK_TRY(count_columns(1));
        shape.add_column(std::move(column));
        return {};
      };
      switch (relation.kind) {
        case RelationKind::base:
          if (relation.catalog != nullptr) {
            for (std::size_t c = 0; c < relation.catalog->size(); ++c) {
              const std::string& column = (*relation.catalog)[c];
              Lineage lineage;
              lineage.direct = true;
              lineage.sources.push_back(ColumnSource{relation.name, column});
              const std::string& name = c < relation.column_aliases.size() ? relation.column_aliases[c] : column;
              COWORK_TRY(add(OutputColumn{name, star_text, std::move(lineage)}));
            }
          } else {
            OpenPart part;
            part.text = star_text;
            part.relation = &relation;
            part.lineage.direct = true;
            part.lineage.sources.push_back(ColumnSource{relation.name, "*"});
            part.lineage.notes.push_back(
                fmt::format("select * from {}: the columns of that relation are not known", relation.display));
            shape.add_open(std::move(part));
          }
          break;
        case RelationKind::derived: {
          const Shape& inner = *relation.shape;
          std::size_t open_index = 0;
          const auto add_open = [&](const OpenPart& open) {
            OpenPart part;
            part.text = star_text;
            part.relation = &relation;
            part.lineage = in_context(open.lineage, inner.context);
            shape.add_open(std::move(part));
          };
          for (std::size_t c = 0; c < inner.columns.size(); ++c) {
            while (open_index < inner.open.size() && inner.open_at[open_index] == c) add_open(inner.open[open_index++]);
            const OutputColumn& column = inner.columns[c];
            COWORK_TRY(add(OutputColumn{column.name, star_text, in_context(column.lineage, inner.context)}));
          }
          while (open_index < inner.open.size()) add_open(inner.open[open_index++]);
          break;
        }
        case RelationKind::function:
        case RelationKind::recursive: {
          OpenPart part;
          part.text = star_text;
          part.relation = &relation;
          part.lineage = relation_lineage(relation);
          shape.add_open(std::move(part));
          break;
        }
      }
    }
    return {};
  }

  // Everything a relation's columns come from, for `t.*` inside an expression and for PIVOT.
  Lineage relation_lineage(const Relation& relation) {
    LineageBuilder builder;
    bool direct = true;
    switch (relation.kind) {
      case RelationKind::base:
        if (relation.catalog != nullptr) {
          for (const std::string& column : *relation.catalog) builder.add_source(ColumnSource{relation.name, column});
        } else {
          builder.add_source(ColumnSource{relation.name, "*"});
          builder.add_note(fmt::format("select * from {}: the columns of that relation are not known", relation.display));
        }
        break;
      case RelationKind::derived:
        for (const OutputColumn& column : relation.shape->columns) {
          builder.merge(in_context(column.lineage, relation.shape->context));
          direct = direct && column.lineage.direct;
        }
        for (const OpenPart& part : relation.shape->open) {
          builder.merge(in_context(part.lineage, relation.shape->context));
          direct = direct && part.lineage.direct;
        }
        break;
      case RelationKind::function:
        builder.merge(relation.function_lineage);
        direct = false;
        break;
      case RelationKind::recursive:
        builder.add_note(recursive_note(relation));
        direct = false;
        break;
    }
    return builder.take(direct);
  }

  static std::string recursive_note(const Relation& relation) {
    return fmt::format("a recursive reference to {}: the rows its recursive part adds are not followed",
                       relation.display);
  }

  // ----- name resolution

  // Whether `relation` is known to have the column `key` (lowercased).
  bool knows(const Relation& relation, const std::string& key) const {
    for (const std::string& alias : relation.column_aliases) {
      if (to_lower(alias) == key) return true;
    }
    switch (relation.kind) {
      case RelationKind::base:
        if (relation.catalog == nullptr) return false;
        return std::any_of(relation.catalog->begin(), relation.catalog->end(),
                           [&](const std::string& column) { return iequals(column, key); });
      case RelationKind::derived:
        return relation.shape->by_name.contains(key);
      case RelationKind::function:
      case RelationKind::recursive:
        return false;
    }
    return false;
  }

  // Whether `relation` may have columns the analysis does not know by name.
  static bool is_open(const Relation& relation) {
    switch (relation.kind) {
      case RelationKind::base:
        return relation.catalog == nullptr;
      case RelationKind::derived:
        return !relation.shape->open.empty();
      case RelationKind::function:
      case RelationKind::recursive:
        return true;
    }
    return true;
  }

  std::vector<std::string> known_columns(const Relation& relation) const {
    std::vector<std::string> names = relation.column_aliases;
    if (relation.kind == RelationKind::base && relation.catalog != nullptr) {
      for (std::size_t c = names.size(); c < relation.catalog->size(); ++c) names.push_back((*relation.catalog)[c]);
    } else if (relation.kind == RelationKind::derived) {
      for (const OutputColumn& column : relation.shape->columns) names.push_back(column.name);
    }
    return names;
  }

  // The lineage of `relation.name`; nullopt when the relation is known not to have it.
  std::optional<Lineage> resolve_in_relation(const Relation& relation, std::string_view name, std::size_t depth) {
    if (depth > k_max_depth) {
      return note_only(fmt::format("gave up following {} through more than {} levels of CTEs and subqueries", name,
                                   k_max_depth));
    }
    if (!relation.column_aliases.empty()) {
      for (std::size_t p = 0; p < relation.column_aliases.size(); ++p) {
        if (!iequals(relation.column_aliases[p], name)) continue;
        if (relation.kind == RelationKind::base && relation.catalog != nullptr && p < relation.catalog->size()) {
          Lineage lineage;
          lineage.direct = true;
          lineage.sources.push_back(ColumnSource{relation.name, (*relation.catalog)[p]});
          return lineage;
        }
        if (relation.kind == RelationKind::base) {
          Lineage lineage = note_only(fmt::format("{} is column {} of {}, whose columns are not known", name, p + 1,
                                                  relation.display));
          lineage.sources.push_back(ColumnSource{relation.name, "*"});
          return lineage;
        }
        break;
      }
    }
    switch (relation.kind) {
      case RelationKind::base: {
        Lineage lineage;
        lineage.direct = true;
        if (relation.catalog == nullptr) {
          lineage.sources.push_back(ColumnSource{relation.name, std::string(name)});
          return lineage;
        }
        for (const std::string& column : *relation.catalog) {
          if (iequals(column, name)) {
            lineage.sources.push_back(ColumnSource{relation.name, column});
            return lineage;
          }
        }
        return std::nullopt;
      }
      case RelationKind::derived: {
        std::optional<Lineage> lineage = lookup_shape(*relation.shape, name, depth + 1);
        if (!lineage) return std::nullopt;
        return in_context(std::move(*lineage), relation.shape->context);
      }
      case RelationKind::function:
        return relation.function_lineage;
      case RelationKind::recursive:
        return note_only(recursive_note(relation));
    }
    return std::nullopt;
  }

  // The lineage of the output column `name` of `shape`, through its open parts when the name is not listed.
  std::optional<Lineage> lookup_shape(Shape& shape, std::string_view name, std::size_t depth) {
    const std::string key = to_lower(name);
    if (auto it = shape.by_name.find(key); it != shape.by_name.end()) return shape.columns[it->second].lineage;
    if (shape.open.empty()) return std::nullopt;
    if (auto it = shape.lookups.find(key); it != shape.lookups.end()) return it->second;
    if (depth > k_max_depth) {
      return note_only(fmt::format("gave up following {} through more than {} levels of CTEs and subqueries", name,
                                   k_max_depth));
    }
    std::optional<Lineage> found;
    std::vector<std::string> candidates;
    for (const OpenPart& part : shape.open) {
      std::optional<Lineage> lineage;
      if (part.relation != nullptr) {
        lineage = resolve_in_relation(*part.relation, name, depth + 1);
        if (lineage) candidates.push_back(part.relation->display);
      } else if (!part.branches.empty()) {
        lineage = lookup_branches(part.branches, name, depth + 1);
        if (lineage) candidates.push_back("the branches of a set operation");
      }
      if (lineage && !found) found = std::move(lineage);
    }
    if (found && candidates.size() > 1) {
      found->notes.push_back(fmt::format("{} could come from the unknown columns of {}: assumed from the first, {}",
                                         name, join(candidates, ", "), candidates.front()));
    }
    shape.lookups[key] = found;
    return found;
  }

  std::optional<Lineage> lookup_branches(const std::vector<const Shape*>& branches, std::string_view name,
                                         std::size_t depth) {
    LineageBuilder builder;
    bool direct = true;
    bool any = false;
    for (const Shape* branch : branches) {
      std::optional<Lineage> lineage = lookup_shape(const_cast<Shape&>(*branch), name, depth);
      if (!lineage) continue;
      any = true;
      direct = direct && lineage->direct;
      builder.merge(*lineage);
    }
    if (!any) return std::nullopt;
    builder.add_note(fmt::format("{} is matched by name in each branch of a set operation whose columns are not all "
                                 "known",
                                 name));
    return builder.take(direct);
  }

  // The relation `qualifier` names in `scope` (or, when `outward`, in the scopes around it).
  const Relation* find_relation(const Scope* scope, const std::vector<std::string>& qualifier, bool outward) const {
    for (const Scope* s = scope; s != nullptr; s = outward ? s->outer : nullptr) {
      for (const Relation& relation : s->relations) {
        if (relation.qualifier.size() < qualifier.size()) continue;
        const std::size_t offset = relation.qualifier.size() - qualifier.size();
        bool match = true;
        for (std::size_t p = 0; p < qualifier.size() && match; ++p) {
          match = iequals(relation.qualifier[offset + p], qualifier[p]);
        }
        if (match) return &relation;
      }
    }
    return nullptr;
  }

  // An unqualified column among relations [begin, end) of `scope`.
  std::optional<Lineage> resolve_in_scope(const Scope& scope, std::string_view name, std::size_t begin,
                                          std::size_t end, bool& assumed) {
    const std::string key = to_lower(name);
    for (const UsingColumn& u : scope.usings) {
      if (u.name != key || u.right >= end || u.right < begin) continue;
      if (u.kind == JoinKind::right) return resolve_in_relation(scope.relations[u.right], name, 0);
      std::optional<Lineage> left = resolve_in_scope(scope, name, begin, u.left_end, assumed);
      if (u.kind != JoinKind::full) return left;
      std::optional<Lineage> right = resolve_in_relation(scope.relations[u.right], name, 0);
      LineageBuilder builder;
      if (left) builder.merge(*left);
      if (right) builder.merge(*right);
      return builder.take(false);
    }
    std::vector<std::size_t> hits;
    std::vector<std::size_t> open;
    for (std::size_t r = begin; r < end && r < scope.relations.size(); ++r) {
      const Relation& relation = scope.relations[r];
      if (knows(relation, key)) {
        hits.push_back(r);
      } else if (is_open(relation)) {
        open.push_back(r);
      }
    }
    const auto names = [&](const std::vector<std::size_t>& indexes) {
      std::vector<std::string> out;
      for (const std::size_t r : indexes) out.push_back(scope.relations[r].display);
      return out;
    };
    if (!hits.empty()) {
      std::optional<Lineage> lineage = resolve_in_relation(scope.relations[hits.front()], name, 0);
      if (lineage && hits.size() > 1) {
        lineage->notes.push_back(fmt::format("column {} is in {} relations in FROM ({}): assumed from the first, {}",
                                             name, hits.size(), join(names(hits), ", "),
                                             scope.relations[hits.front()].display));
      }
      return lineage;
    }
    if (open.empty()) return std::nullopt;
    assumed = true;
    std::optional<Lineage> lineage = resolve_in_relation(scope.relations[open.front()], name, 0);
    if (lineage && open.size() > 1) {
      lineage->notes.push_back(fmt::format(
          "unqualified column {} with {} relations in FROM whose columns are not known ({}): assumed from the first, {}",
          name, open.size(), join(names(open), ", "), scope.relations[open.front()].display));
    }
    return lineage;
  }

  std::optional<Lineage> resolve_unqualified(const Scope& scope, std::string_view name) {
    for (const Scope* s = &scope; s != nullptr; s = s->outer) {
      bool assumed = false;
      std::optional<Lineage> lineage = resolve_in_scope(*s, name, 0, s->relations.size(), assumed);
      const std::optional<Lineage> alias = s == &scope ? earlier_alias(*s, name) : std::nullopt;
      if (lineage) {
        if (assumed && alias && (alias->sources != lineage->sources || alias->direct != lineage->direct)) {
          lineage->notes.push_back(fmt::format(
              "{} could also be the alias defined earlier in this select list; taken as a column of FROM, as DuckDB "
              "does",
              name));
        }
        return lineage;
      }
      if (alias) return alias;
    }
    return std::nullopt;
  }

  // DuckDB lets a select list use an alias defined before it (`a + 1 AS b, b * 2 AS c`).
  std::optional<Lineage> earlier_alias(const Scope& scope, std::string_view name) const {
    if (m_dialect != Dialect::duckdb || scope.select_list == nullptr) return std::nullopt;
    const auto it = scope.select_list->by_name.find(to_lower(name));
    if (it == scope.select_list->by_name.end()) return std::nullopt;
    return scope.select_list->columns[it->second].lineage;
  }

  // A column reference name (. name)* in `scope`.
  Lineage resolve_reference(const std::vector<std::string>& parts, const Scope& scope) {
    if (parts.size() == 1) {
      if (std::optional<Lineage> lineage = resolve_unqualified(scope, parts[0])) return std::move(*lineage);
      std::vector<std::string> relations;
      for (const Relation& relation : scope.relations) relations.push_back(relation.display);
      return note_only(relations.empty()
                           ? fmt::format("column {} is not defined here (no FROM clause)", parts[0])
                           : fmt::format("column {} is not a known column of {}", parts[0], join(relations, ", ")));
    }
    for (std::size_t k = std::min<std::size_t>(parts.size() - 1, 3); k >= 1; --k) {
      const std::vector<std::string> qualifier(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(k));
      const Relation* relation = find_relation(&scope, qualifier, true);
      if (relation == nullptr) continue;
      std::optional<Lineage> lineage = resolve_in_relation(*relation, parts[k], 0);
      if (!lineage) {
        const std::vector<std::string> columns = known_columns(*relation);
        return note_only(fmt::format("{} has no column {} (its columns: {})", relation->display, parts[k],
                                     one_line(join(columns, ", "), 200)));
      }
      if (parts.size() > k + 1) lineage->direct = false;  // a field of a struct column
      return std::move(*lineage);
    }
    // Not a relation: a field of a struct column (s.field).
    if (std::optional<Lineage> lineage = resolve_unqualified(scope, parts[0])) {
      lineage->direct = false;
      return std::move(*lineage);
    }
    return note_only(fmt::format("{}: no relation named {} in FROM", join(parts, "."), parts[0]));
  }

  // ----- expressions

  // Skips a type name after `::` starting at `i`: dotted names, DOUBLE PRECISION, CHARACTER VARYING, TIMESTAMP WITH
  // TIME ZONE, (n, m) and [] suffixes.
  std::size_t skip_type(std::size_t i, std::size_t end) const {
    if (!is_name(i, end)) return i;
    const std::string_view first = m_words[i];
    ++i;
    while (sym(i, end, ".") && is_name(i + 1, end)) i += 2;
    if (first == "double" && w(i, end) == "precision") ++i;
    if ((first == "character" || first == "char" || first == "bit" || first == "national") && w(i, end) == "varying") {
      ++i;
    }
    if (sym(i, end, "(")) i = m_match[i] + 1;
    if ((first == "timestamp" || first == "time") && (w(i, end) == "with" || w(i, end) == "without") &&
        w(i + 1, end) == "time" && w(i + 2, end) == "zone") {
      i += 3;
    }
    while (sym(i, end, "[")) i = m_match[i] + 1;
    return i;
  }

  // Reads the expression in [begin, end): the columns it references, resolved in `scope`, and (for a select-list item)
  // its alias. The only recursion is into subqueries, which analyze_query bounds; brackets are tracked on a stack.
  Result<ExprScan> scan_expression(std::size_t begin, std::size_t end, Scope& scope, const Context& context,
                                   bool item) {
    ExprScan out;
    out.expression_end = end;
    LineageBuilder builder;
    std::vector<Frame> frames;
    std::vector<std::string> lambdas;
    bool operand = false;            // an operand was just read: an operator, a postfix or an alias may follow
    bool reference_direct = false;   // the lineage of the last column reference was direct
    std::size_t interval_frames = k_none;  // after INTERVAL x at this frame depth, a unit word may follow
    const auto unreadable = [&](std::size_t at) {
      builder.add_note(fmt::format("could not read `{}` at {}; the sources of this expression may be incomplete",
                                   one_line(m_tokens[at].text, 40), where(at)));
    };
    const auto pop_frame = [&] {
      lambdas.resize(std::min(lambdas.size(), frames.back().lambda_count));
      frames.pop_back();
    };
    const auto push_frame = [&](Frame::Kind kind, std::size_t open, std::string_view function) {
      frames.push_back(Frame{kind, m_match[open], function, lambdas.size(), open + 1});
    };
    std::size_t i = begin;
    while (i < end) {
      const Token& token = m_tokens[i];
      const std::string_view word = m_words[i];
      if (sym(i, ")") || sym(i, "]") || sym(i, "}")) {
        while (!frames.empty() && frames.back().kind == Frame::Kind::case_expression) {
          unreadable(i);
          frames.pop_back();
        }
        if (!frames.empty()) pop_frame();
        operand = true;
        ++i;
        continue;
      }
      if (!operand) {
        if (sym(i, "(")) {
          if (is_query_paren(i)) {
            COWORK_TRY(add_subquery(i, scope, context, builder));
            i = m_match[i] + 1;
            operand = true;
            continue;
          }
          push_frame(Frame::Kind::group, i, {});
          ++i;
          continue;
        }
        if (is_opener(i)) {
          push_frame(Frame::Kind::bracket, i, {});
          ++i;
          continue;
        }
        switch (token.kind) {
          case TokenKind::number:
          case TokenKind::string:
          case TokenKind::escape_string:
          case TokenKind::dollar_string:
          case TokenKind::parameter:
            operand = true;
            ++i;
            continue;
          case TokenKind::op:
            if (token.text == "*") operand = true;  // count(*)
            ++i;
            continue;
          case TokenKind::punctuation:
            ++i;
            continue;
          default:
            break;
        }
        if (!word.empty()) {
          if (k_value_words.contains(word)) {
            operand = true;
            ++i;
            continue;
          }
          if (word == "case") {
            frames.push_back(Frame{Frame::Kind::case_expression, k_none, {}, lambdas.size(), i + 1});
            ++i;
            continue;
          }
          if (word == "end" && !frames.empty() && frames.back().kind == Frame::Kind::case_expression) {
            frames.pop_back();
            operand = true;
            ++i;
            continue;
          }
          if (word == "interval") {
            interval_frames = frames.size();
            ++i;
            continue;
          }
          if ((word == "array" || word == "row") && (sym(i + 1, end, "[") || sym(i + 1, end, "("))) {
            ++i;
            continue;
          }
          if ((word == "cast" || word == "try_cast" || word == "safe_cast") && sym(i + 1, end, "(")) {
            push_frame(Frame::Kind::cast, i + 1, word);
            i += 2;
            continue;
          }
          if (k_prefix_words.contains(word)) {
            ++i;
            continue;
          }
          if (is_literal(i + 1, end)) {  // a typed literal: DATE '2024-01-01', TIMESTAMP '...'
            operand = true;
            i += 2;
            continue;
          }
          if (is_date_part_argument(i, end, frames)) {
            operand = true;
            ++i;
            continue;
          }
        }
        if (!is_name(i, end)) {
          unreadable(i);
          ++i;
          continue;
        }
        // A name: a column reference, a function call, a lambda parameter, a named argument or a struct key.
        std::size_t last = i;
        while (sym(last + 1, end, ".") && is_name(last + 2, end)) last += 2;
        if (sym(last + 1, end, "(")) {
          push_frame(Frame::Kind::function, last + 1,
                     m_tokens[last].kind == TokenKind::identifier ? m_words[last] : std::string_view{});
          i = last + 2;
          continue;
        }
        const bool argument_start = i > begin && (sym(i - 1, "(") || sym(i - 1, ","));
        if (last == i && argument_start && !frames.empty() &&
            ((sym(i + 1, end, ":") && sym(i + 2, end, "=")) || sym(i + 1, end, "=>"))) {
          i += sym(i + 1, end, "=>") ? 2 : 3;  // a named argument: name := value, name => value
          continue;
        }
        if (last == i && argument_start && m_dialect == Dialect::duckdb && sym(i + 1, end, "->") &&
            !is_literal(i + 2, end)) {
          lambdas.push_back(to_lower(name_at(i)));  // a lambda: x -> x + 1
          i += 2;
          continue;
        }
        if (last == i && !frames.empty() && frames.back().kind == Frame::Kind::bracket && sym(i + 1, end, ":") &&
            !sym(i + 2, end, "=")) {
          i += 2;  // a struct key: {a: 1}
          continue;
        }
        if (last == i && std::find(lambdas.begin(), lambdas.end(), to_lower(name_at(i))) != lambdas.end()) {
          operand = true;
          ++i;
          continue;
        }
        std::vector<std::string> parts;
        for (std::size_t p = i; p <= last; p += 2) parts.push_back(name_at(p));
        if (sym(last + 1, end, ".") && sym(last + 2, end, "*")) {
          // A whole-row reference: t.* inside an expression.
          const Relation* relation = find_relation(&scope, parts, true);
          if (relation != nullptr) {
            builder.merge(relation_lineage(*relation));
          } else {
            builder.add_note(fmt::format("{}.*: no relation named {} in FROM", join(parts, "."), join(parts, ".")));
          }
          reference_direct = false;
          operand = true;
          i = last + 3;
          continue;
        }
        Lineage lineage = resolve_reference(parts, scope);
        reference_direct = lineage.direct;
        builder.merge(lineage);
        operand = true;
        i = last + 1;
        continue;
      }
      // After an operand.
      if (sym(i, "::")) {
        i = skip_type(i + 1, end);
        continue;
      }
      if (is_opener(i)) {
        push_frame(sym(i, "(") ? Frame::Kind::group : Frame::Kind::bracket, i, {});
        operand = false;
        ++i;
        continue;
      }
      if (sym(i, ".")) {
        i += is_name(i + 1, end) ? 2 : 1;  // a field of a parenthesised value: (x).f
        continue;
      }
      if (token.kind == TokenKind::op || token.kind == TokenKind::punctuation) {
        operand = false;
        interval_frames = k_none;
        ++i;
        continue;
      }
      if (!word.empty()) {
        if (interval_frames == frames.size() && k_date_parts.contains(word)) {
          ++i;  // INTERVAL '1' DAY, INTERVAL 1 YEAR TO MONTH
          if (w(i, end) == "to" && k_date_parts.contains(w(i + 1, end))) i += 2;
          continue;
        }
        if (word == "over") {
          ++i;
          if (sym(i, end, "(")) {
            i = m_match[i] + 1;  // PARTITION BY and ORDER BY choose rows; they are not sources of the value
          } else if (is_name(i, end)) {
            ++i;
          }
          continue;
        }
        if (word == "filter" && sym(i + 1, end, "(")) {
          i = m_match[i + 1] + 1;  // FILTER (WHERE ...) chooses rows too
          continue;
        }
        if (word == "within" && w(i + 1, end) == "group") {
          i += 2;  // WITHIN GROUP (ORDER BY x): x is what the aggregate reads
          continue;
        }
        if ((word == "respect" || word == "ignore") && w(i + 1, end) == "nulls") {
          i += 2;
          continue;
        }
        if (word == "nulls" && (w(i + 1, end) == "first" || w(i + 1, end) == "last")) {
          i += 2;
          continue;
        }
        if (word == "asc" || word == "desc" || word == "isnull" || word == "notnull") {
          ++i;
          continue;
        }
        if (word == "collate") {
          i = skip_type(i + 1, end);
          continue;
        }
        if (word == "at" && w(i + 1, end) == "time" && w(i + 2, end) == "zone") {
          i += 3;
          operand = false;
          continue;
        }
        if (word == "end" && !frames.empty() && frames.back().kind == Frame::Kind::case_expression) {
          frames.pop_back();
          ++i;
          continue;
        }
        if (word == "as") {
          if (frames.empty()) {
            if (!item) {
              unreadable(i);
              ++i;
              continue;
            }
            out.expression_end = i;
            if (i + 1 < end && (is_name(i + 1, end) || is_literal(i + 1, end))) out.alias = i + 1;
            if (i + 2 < end || out.alias == k_none) unreadable(std::min(i + 1, end - 1));
            break;
          }
          // CAST(x AS type) and the like: the rest of the bracket is a type.
          std::size_t f = frames.size();
          while (f > 0 && frames[f - 1].kind == Frame::Kind::case_expression) --f;
          if (f == 0) {
            unreadable(i);
            ++i;
            continue;
          }
          i = frames[f - 1].close;
          continue;
        }
        if (k_operator_words.contains(word)) {
          operand = false;
          interval_frames = k_none;
          ++i;
          continue;
        }
      }
      if (frames.empty() && item && is_name(i, end)) {
        // An alias without AS.
        out.expression_end = i;
        out.alias = i;
        if (i + 1 < end) unreadable(i + 1);
        break;
      }
      unreadable(i);
      ++i;
    }
    out.lineage = builder.take(reference_direct);
    return out;
  }

  // Whether the name at `i` is a bare date part given to a date function (datediff(day, a, b), date_trunc(d, MONTH),
  // extract(year from d)) rather than a column.
  bool is_date_part_argument(std::size_t i, std::size_t end, const std::vector<Frame>& frames) const {
    if (frames.empty() || frames.back().kind != Frame::Kind::function) return false;
    if (!k_date_parts.contains(m_words[i])) return false;
    const Frame& frame = frames.back();
    const bool first = i == frame.arguments_begin && (sym(i + 1, end, ",") || w(i + 1, end) == "from");
    const bool last = sym(i - 1, ",") && i + 1 == frame.close;
    return (first && k_date_part_first.contains(frame.function)) || (last && k_date_part_last.contains(frame.function));
  }

  // A subquery inside an expression (scalar, EXISTS, IN): its select list's columns, with a note.
  Status add_subquery(std::size_t open, Scope& scope, const Context& context, LineageBuilder& builder) {
    const std::string name = fmt::format("the subquery at {}", where(open));
    COWORK_ASSIGN_OR_RETURN(Shape * shape, analyze_query(open + 1, m_match[open], Context{context.ctes, &scope}, name));
    for (const OutputColumn& column : shape->columns) builder.merge(in_context(column.lineage, name));
    for (const OpenPart& part : shape->open) builder.merge(in_context(part.lineage, name));
    builder.add_note(fmt::format("takes a value from {}: its select list is followed, its WHERE and correlation are not",
                                 name));
    return {};
  }

  std::string_view m_sql;
  Dialect m_dialect;
  const ColumnCatalog& m_catalog;
  std::vector<Token> m_tokens;            // the tokens that are not whitespace or comments
  std::vector<bool> m_space_before;       // whether whitespace or a comment preceded each token
  std::vector<std::string_view> m_words;  // lowercased unquoted identifiers; empty for other tokens
  std::string m_word_storage;
  std::vector<std::size_t> m_match;       // each bracket's partner
  std::vector<signed char> m_query_paren;  // memo of is_query_paren: -1 unknown, 0 no, 1 yes
  std::size_t m_depth = 0;
  std::size_t m_columns_made = 0;
  std::deque<Shape> m_shapes;
  std::deque<Scope> m_scopes;
  std::deque<CteFrame> m_frames;
  std::unordered_map<std::string, std::optional<std::vector<std::string>>> m_catalog_cache;
};

ColumnLineage to_column_lineage(const OutputColumn& column) {
  return ColumnLineage{column.name, column.expression, column.lineage.direct, column.lineage.sources,
                       column.lineage.notes};
}

ColumnLineage to_column_lineage(const OpenPart& part) {
  return ColumnLineage{part.text, part.text, part.lineage.direct, part.lineage.sources, part.lineage.notes};
}

}  // namespace

Result<std::vector<ColumnLineage>> column_lineage(std::string_view sql, Dialect dialect, const ColumnCatalog& catalog) {
  Analyzer analyzer(sql, dialect, catalog);
  COWORK_ASSIGN_OR_RETURN(const Shape* shape, analyzer.run());
  std::vector<ColumnLineage> out;
  out.reserve(shape->columns.size() + shape->open.size());
  std::size_t open_index = 0;
  for (std::size_t c = 0; c < shape->columns.size(); ++c) {
    while (open_index < shape->open.size() && shape->open_at[open_index] == c) {
      out.push_back(to_column_lineage(shape->open[open_index++]));
    }
    out.push_back(to_column_lineage(shape->columns[c]));
  }
  while (open_index < shape->open.size()) out.push_back(to_column_lineage(shape->open[open_index++]));
  return out;
}

Result<ColumnLineage> trace_column(std::string_view sql, std::string_view column, Dialect dialect,
                                   const ColumnCatalog& catalog) {
  Analyzer analyzer(sql, dialect, catalog);
  COWORK_ASSIGN_OR_RETURN(const Shape* shape, analyzer.run());
  std::size_t matches = 0;
  const OutputColumn* first = nullptr;
  for (const OutputColumn& candidate : shape->columns) {
    if (!iequals(candidate.name, column)) continue;
    if (first == nullptr) first = &candidate;
    ++matches;
  }
  if (first != nullptr) {
    ColumnLineage lineage = to_column_lineage(*first);
    if (matches > 1) {
      lineage.notes.push_back(fmt::format("{} output columns are named {}: this is the first", matches, first->name));
    }
    return lineage;
  }
  if (!shape->open.empty()) {
    if (std::optional<Lineage> lineage = analyzer.lookup(*shape, column)) {
      ColumnLineage out{std::string(column), shape->open.front().text, lineage->direct, lineage->sources,
                        lineage->notes};
      out.notes.push_back(fmt::format("{} is not named in the select list: assumed to come through {}", column,
                                      shape->open.front().text));
      return out;
    }
  }
  std::vector<std::string> names;
  for (const OutputColumn& candidate : shape->columns) names.push_back(candidate.name);
  for (const OpenPart& part : shape->open) names.push_back(part.text);
  if (names.empty()) return make_error(ErrorCode::not_found, "no output column {}: the statement has no columns", column);
  constexpr std::size_t k_listed = 50;
  std::string listed = join(std::vector<std::string>(names.begin(), names.begin() +
                                                                        static_cast<std::ptrdiff_t>(
                                                                            std::min(names.size(), k_listed))),
                            ", ");
  if (names.size() > k_listed) listed += fmt::format(" and {} more", names.size() - k_listed);
  return make_error(ErrorCode::not_found, "no output column {}; the statement's columns are: {}", column, listed);
}

}  // namespace cowork::sql
