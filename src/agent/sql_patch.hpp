// Minimal edits to a model's raw SQL (Jinja and all), for fix options: change one output column's expression, add
// a condition to the final query's WHERE, keep one row per key. Each finds its place with a scanner that knows SQL
// strings, quoted identifiers, comments, parentheses and Jinja tags (`{{ }}`, `{% %}`, `{# #}`, kept opaque), and
// changes only the text it must; everything else stays byte for byte. A model the scanner cannot place the edit in
// (no final SELECT, a UNION at the top, the column not in the select list) is an error that says so, and the option
// is not offered.
#pragma once

#include <string>
#include <string_view>

#include "sql/tokenizer.hpp"
#include "util/error.hpp"

namespace cowork::agent {

// The final SELECT of a model: the select list and where its clauses are (byte offsets into the raw SQL).
struct SelectItem {
  std::size_t begin = 0, end = 0;  // the item's text, without surrounding whitespace
  std::string expression;          // the expression without its alias
  std::string name;                // the output column: the alias, else the column it selects
};

struct FinalSelect {
  std::size_t select_pos = 0;              // of the `select` keyword
  std::vector<SelectItem> items;
  std::size_t from_pos = std::string::npos;   // of `from`
  std::size_t where_pos = std::string::npos;  // of `where`, when present
  std::size_t tail_pos = 0;  // where GROUP BY / HAVING / QUALIFY / WINDOW / ORDER BY / LIMIT start, else the end
  std::size_t order_pos = 0;  // where ORDER BY / LIMIT / OFFSET start, else the end (after trailing space and `;`)
};

Result<FinalSelect> find_final_select(std::string_view sql);

// Replaces the expression of output column `column` with `expression` (which may refer to the old expression as
// `{expr}`), keeping the alias: `room_type,` -> `case when room_type = 'x' then 'y' else room_type end as room_type,`.
Result<std::string> replace_column_expression(std::string_view sql, std::string_view column,
                                              std::string_view expression);

// Adds `condition` to the final query: `and (...)` at the end of its WHERE, or a new `where` after its FROM.
Result<std::string> add_where_condition(std::string_view sql, std::string_view condition);

// Keeps the latest row per output column `key` by output column `order_by` (descending, nulls last): DuckDB gets a
// QUALIFY clause on the final query, over the expressions behind those columns; PostgreSQL, which has no QUALIFY,
// gets the model wrapped as `select distinct on (key) * from (<model>) ... order by key, order_by desc`.
Result<std::string> keep_latest_row(std::string_view sql, std::string_view key, std::string_view order_by,
                                    sql::Dialect dialect);

// A SQL string literal: 'it''s'.
std::string sql_literal(std::string_view text);

}  // namespace cowork::agent
