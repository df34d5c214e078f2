#include "agent/sql_patch.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace cowork::agent {
namespace {

// A word or a piece of punctuation at parenthesis depth 0, with its offset.
struct Piece {
  std::size_t begin = 0, end = 0;
  std::string word;  // lower-cased identifier or keyword; empty for punctuation and opaque runs
  char punct = 0;    // ',' '(' ')' ';' or 0
  int depth = 0;
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// Splits the SQL into pieces, skipping strings, quoted identifiers, comments and Jinja tags (which are opaque
// pieces with no word). Depth counts parentheses.
Result<std::vector<Piece>> scan(std::string_view sql) {
  std::vector<Piece> pieces;
  int depth = 0;
  std::size_t i = 0;
  auto skip_until = [&](std::string_view close, std::size_t from) -> std::size_t {
    const auto at = sql.find(close, from);
    return at == std::string_view::npos ? sql.size() : at + close.size();
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    if (sql.substr(i, 2) == "{{") {
      i = skip_until("}}", i + 2);
    } else if (sql.substr(i, 2) == "{%") {
      i = skip_until("%}", i + 2);
    } else if (sql.substr(i, 2) == "{#") {
      i = skip_until("#}", i + 2);
    } else if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
      if (i == std::string_view::npos) i = sql.size();
      continue;
    } else if (sql.substr(i, 2) == "/*") {
      i = skip_until("*/", i + 2);
      continue;
    } else if (c == '\'' || c == '"' || c == '`') {
      ++i;
      while (i < sql.size()) {
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
    } else if (ident_char(c)) {
      while (i < sql.size() && ident_char(sql[i])) ++i;
      pieces.push_back({begin, i, to_lower(sql.substr(begin, i - begin)), 0, depth});
      continue;
    } else if (c == '(' || c == ')' || c == ',' || c == ';') {
      if (c == ')') --depth;
      if (depth < 0) return make_error(ErrorCode::invalid_argument, "unbalanced ')' at offset {}", i);
      pieces.push_back({i, i + 1, {}, c, depth});
      if (c == '(') ++depth;
      ++i;
      continue;
    } else {
      ++i;
    }
    pieces.push_back({begin, i, {}, 0, depth});
  }
  return pieces;
}

bool is_clause_after_from(std::string_view word) {
  return word == "group" || word == "having" || word == "qualify" || word == "window" || word == "order" ||
         word == "limit" || word == "offset" || word == "fetch";
}

std::size_t trim_end(std::string_view sql, std::size_t end) {
  while (end > 0 && std::isspace(static_cast<unsigned char>(sql[end - 1]))) --end;
  return end;
}

}  // namespace

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Result<FinalSelect> find_final_select(std::string_view sql) {
  COWORK_ASSIGN_OR_RETURN(auto pieces, scan(sql));
  // The last `select` at depth 0 is the final query's, unless a set operation joins several at the top.
  std::size_t select_index = pieces.size();
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    if (pieces[k].depth != 0) continue;
    if (pieces[k].word == "select") select_index = k;
    if (pieces[k].word == "union" || pieces[k].word == "intersect" || pieces[k].word == "except")
      return make_error(ErrorCode::invalid_argument,
                        "the model's final query is a {} of several SELECTs; cowork edits a single final SELECT",
                        pieces[k].word);
  }
  if (select_index == pieces.size())
    return make_error(ErrorCode::invalid_argument, "no SELECT at the top level of the model");
  FinalSelect out;
  out.select_pos = pieces[select_index].begin;
  out.tail_pos = out.order_pos = trim_end(sql, sql.size());
  while (out.order_pos > 0 && sql[out.order_pos - 1] == ';') out.order_pos = trim_end(sql, out.order_pos - 1);
  out.tail_pos = out.order_pos;
  std::size_t k = select_index + 1;
  if (k < pieces.size() && (pieces[k].word == "distinct" || pieces[k].word == "all")) ++k;
  // The select list: items split by commas at depth 0, up to `from`.
  std::size_t item_begin = k;
  auto close_item = [&](std::size_t end_index) -> Status {
    if (item_begin >= end_index) return make_error(ErrorCode::invalid_argument, "an empty select item");
    SelectItem item;
    item.begin = pieces[item_begin].begin;
    item.end = pieces[end_index - 1].end;
    const Piece& last = pieces[end_index - 1];
    const bool has_as = end_index - item_begin >= 3 && pieces[end_index - 2].word == "as" && pieces[end_index - 2].depth == 0;
    if (has_as) {
      item.name = std::string(sql.substr(last.begin, last.end - last.begin));
      item.expression = std::string(sql.substr(item.begin, trim_end(sql, pieces[end_index - 2].begin) - item.begin));
    } else {
      item.expression = std::string(sql.substr(item.begin, item.end - item.begin));
      // `t.col` or `col`: the name is the last identifier; an implicit alias (`expr name`) is rare in dbt models
      // and read the same way.
      item.name = last.word.empty() ? std::string(sql.substr(last.begin, last.end - last.begin))
                                    : std::string(sql.substr(last.begin, last.end - last.begin));
    }
    if (item.name.size() >= 2 && item.name.front() == '"' && item.name.back() == '"')
      item.name = item.name.substr(1, item.name.size() - 2);
    out.items.push_back(std::move(item));
    return {};
  };
  for (; k < pieces.size(); ++k) {
    const Piece& piece = pieces[k];
    if (piece.depth != 0) continue;
    if (piece.punct == ',') {
      COWORK_TRY(close_item(k));
      item_begin = k + 1;
    } else if (piece.word == "from") {
      COWORK_TRY(close_item(k));
      out.from_pos = piece.begin;
      break;
    }
  }
  if (out.from_pos == std::string::npos) {
    if (k == pieces.size()) COWORK_TRY(close_item(k));
    return out;
  }
  for (++k; k < pieces.size(); ++k) {
    const Piece& piece = pieces[k];
    if (piece.depth != 0) continue;
    if (piece.word == "where" && out.where_pos == std::string::npos) out.where_pos = piece.begin;
    if (!is_clause_after_from(piece.word)) continue;
    if ((piece.word == "order" || piece.word == "group") && (k + 1 >= pieces.size() || pieces[k + 1].word != "by"))
      continue;
    out.tail_pos = std::min(out.tail_pos, piece.begin);
    if (piece.word == "order" || piece.word == "limit" || piece.word == "offset" || piece.word == "fetch")
      out.order_pos = std::min(out.order_pos, piece.begin);
  }
  if (out.order_pos < out.tail_pos) out.tail_pos = out.order_pos;
  return out;
}

Result<std::string> replace_column_expression(std::string_view sql, std::string_view column,
                                              std::string_view expression) {
  COWORK_ASSIGN_OR_RETURN(auto select, find_final_select(sql));
  for (const SelectItem& item : select.items) {
    if (!iequals(item.name, column)) continue;
    std::string replacement(expression);
    for (std::size_t at; (at = replacement.find("{expr}")) != std::string::npos;)
      replacement.replace(at, 6, item.expression);
    replacement += " as " + item.name;
    std::string out(sql);
    out.replace(item.begin, item.end - item.begin, replacement);
    return out;
  }
  std::vector<std::string> names;
  for (const SelectItem& item : select.items) names.push_back(item.name);
  return make_error(ErrorCode::not_found, "the model's final SELECT has no column '{}' (it has: {})", column,
                    fmt::join(names, ", "));
}

Result<std::string> add_where_condition(std::string_view sql, std::string_view condition) {
  COWORK_ASSIGN_OR_RETURN(auto select, find_final_select(sql));
  if (select.from_pos == std::string::npos)
    return make_error(ErrorCode::invalid_argument, "the model's final SELECT has no FROM to filter");
  std::string out(sql);
  const std::size_t at = trim_end(sql, select.tail_pos);
  if (select.where_pos != std::string::npos) {
    out.insert(at, fmt::format("\n  and ({})", condition));
  } else {
    out.insert(at, fmt::format("\nwhere {}", condition));
  }
  return out;
}

Result<std::string> keep_latest_row(std::string_view sql, std::string_view key, std::string_view order_by,
                                    sql::Dialect dialect) {
  COWORK_ASSIGN_OR_RETURN(auto select, find_final_select(sql));
  auto expression_of = [&](std::string_view column) -> Result<std::string> {
    for (const SelectItem& item : select.items)
      if (iequals(item.name, column)) return item.expression;
    std::vector<std::string> names;
    for (const SelectItem& item : select.items) names.push_back(item.name);
    return make_error(ErrorCode::not_found, "the model's final SELECT has no column '{}' (it has: {})", column,
                      fmt::join(names, ", "));
  };
  COWORK_ASSIGN_OR_RETURN(auto key_expression, expression_of(key));
  COWORK_ASSIGN_OR_RETURN(auto order_expression, expression_of(order_by));
  if (select.from_pos == std::string::npos)
    return make_error(ErrorCode::invalid_argument, "the model's final SELECT has no FROM");
  std::string out(sql);
  if (dialect == sql::Dialect::duckdb) {
    // QUALIFY comes after WHERE, GROUP BY and HAVING, before WINDOW / ORDER BY / LIMIT.
    std::size_t at = select.order_pos;
    auto pieces = scan(sql);
    if (pieces) {
      for (const Piece& piece : *pieces)
        if (piece.depth == 0 && piece.begin > select.from_pos && piece.word == "window" && piece.begin < at)
          at = piece.begin;
    }
    at = trim_end(sql, at);
    out.insert(at, fmt::format("\nqualify row_number() over (partition by {} order by {} desc nulls last) = 1",
                               key_expression, order_expression));
    return out;
  }
  const std::size_t end = select.order_pos;
  std::string body(sql.substr(0, trim_end(sql, end)));
  return fmt::format("select distinct on ({0}) *\nfrom (\n{2}\n) as latest_rows\norder by {0}, {1} desc nulls last\n",
                     key, order_by, body);
}

}  // namespace cowork::agent
