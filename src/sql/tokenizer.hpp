// A SQL tokenizer for the dialects the warehouses speak (DuckDB and PostgreSQL). The read-only guard (sql/guard.hpp)
// uses it to see where strings, comments and quoted identifiers begin and end, so that a word inside them never counts
// as SQL and a `;` outside them always does; later, column lineage will use it too.
//
// The rules follow PostgreSQL's scanner (src/backend/parser/scan.l), which DuckDB's parser is built from: `--` comments
// end at \n or \r, block comments nest, '...' strings double their quotes, E'...' strings take backslash escapes,
// $tag$...$tag$ strings end at the first identical delimiter, identifiers may contain `$` and any byte >= 0x80.
// DuckDB accepts all of these too, so the dialects differ only in `?` (a parameter in DuckDB, an operator character in
// PostgreSQL), `$name` (a DuckDB named parameter) and the Unicode spaces DuckDB rewrites before it parses.
// What matters for safety is that every boundary here is where the engine puts it; token kinds are a convenience.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cowork::sql {

enum class Dialect { duckdb, postgres };

std::string_view to_string(Dialect dialect);

enum class TokenKind {
  whitespace,         // one run of spaces, tabs, \n, \r, \f
  line_comment,       // `--` to the end of the line (the newline is not part of it)
  block_comment,      // `/* ... */`, nested comments included
  identifier,         // unquoted identifiers and keywords (`select`, `t`, `a$b`, `café`)
  quoted_identifier,  // "a ""b""" and U&"d\0061t"
  string,             // 'it''s' and U&'...'; a B'..', X'..' or N'..' prefix is a separate identifier token
  escape_string,      // E'it\'s' (backslash escapes)
  dollar_string,      // $$...$$ and $tag$...$tag$
  number,             // 42, 3.14, .5, 1e-3, 1_000
  parameter,          // $1; in DuckDB also ?, ?1 and $name
  op,                 // a run of operator characters (+ - * / < > = ~ ! @ # % ^ & | ` and ? in PostgreSQL), or an
                      // unexpected character such as a backslash
  punctuation,        // ( ) [ ] { } , ; . : :: and a `$` that starts nothing
};

std::string_view to_string(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::whitespace;
  std::string_view text;   // a view into the tokenized input, quotes and prefixes included
  std::size_t offset = 0;  // byte offset of text in the input
};

// Splits `sql` into tokens that cover it exactly (every byte belongs to one token, in order). An unterminated string,
// quoted identifier, block comment or dollar-quoted string is ErrorCode::invalid_argument naming what is unterminated
// and the line:column where it starts. Runs in time linear in the input.
Result<std::vector<Token>> tokenize(std::string_view sql, Dialect dialect);

// Whitespace and comments: tokens the engine skips.
bool is_trivia(const Token& token);

// Whether `token` is the unquoted identifier `keyword`, compared ASCII case-insensitively ("SELECT", "Select").
// Quoted identifiers never match: "select" names a column, not the keyword.
bool is_keyword(const Token& token, std::string_view keyword);

// Whether `token` is punctuation or an operator spelled exactly `text` ("(", ";", "::").
bool is_symbol(const Token& token, std::string_view text);

// The name an identifier token stands for: unquoted identifiers as written (not case-folded), quoted identifiers
// without their quotes and with "" turned into ". For U&"..." identifiers, Unicode escapes written with
// `unicode_escape` (\XXXX, \+XXXXXX, \\) are decoded into UTF-8; a malformed escape is kept as written.
std::string identifier_value(const Token& token, char unicode_escape = '\\');

// For a '...' string token (not E'', not U&''): whether PostgreSQL would end it somewhere else if
// standard_conforming_strings were off, when a backslash escapes the next character (so `'a\'` is unterminated and
// `'a\'' ; x'` hides `; x`). Strings without a backslash never do.
bool ends_differently_with_backslash_escapes(std::string_view sql, const Token& token);

struct LineColumn {
  std::size_t line = 1;    // 1-based; \n, \r\n and a lone \r each end a line
  std::size_t column = 1;  // 1-based, counted in UTF-8 characters
};

// The line and column of byte `offset` in `text` (offsets past the end give the position just after the last byte).
LineColumn line_column(std::string_view text, std::size_t offset);

// "line:column" of byte `offset` in `text`, as error messages write it.
std::string position_text(std::string_view text, std::size_t offset);

// The byte length of the Unicode space (U+00A0, U+2000-U+200B, U+202F, U+205F, U+2060, U+3000, U+FEFF) starting at
// `pos`, or 0. DuckDB replaces these with a plain space before it parses, so in the DuckDB dialect they separate
// tokens; in PostgreSQL their bytes are ordinary identifier characters.
std::size_t duckdb_unicode_space_length(std::string_view text, std::size_t pos);

}  // namespace cowork::sql
