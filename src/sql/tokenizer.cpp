#include "sql/tokenizer.hpp"

#include <cstdint>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "util/utf8.hpp"

namespace cowork::sql {
namespace {

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_hex_digit(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// PostgreSQL's ident_start and dolq_start: every byte >= 0x80 counts as a letter, so UTF-8 names need no decoding.
bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_dollar_tag_char(unsigned char c) {
  return is_ident_start(c) || is_digit(c);
}
bool is_ident_char(unsigned char c) {
  return is_dollar_tag_char(c) || c == '$';
}

bool is_op_char(unsigned char c, Dialect dialect) {
  switch (c) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '<':
    case '>':
    case '=':
    case '~':
    case '!':
    case '@':
    case '#':
    case '%':
    case '^':
    case '&':
    case '|':
    case '`':
      return true;
    case '?':
      return dialect == Dialect::postgres;  // a parameter marker in DuckDB
    default:
      return false;
  }
}

class Scanner {
 public:
  Scanner(std::string_view sql, Dialect dialect) : m_sql(sql), m_dialect(dialect) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    // Most tokens are a few bytes long; reserving avoids repeated growth on large queries.
    tokens.reserve(m_sql.size() / 4 + 1);
    std::size_t pos = 0;
    while (pos < m_sql.size()) {
      COWORK_ASSIGN_OR_RETURN(auto token, next(pos));
      pos = token.offset + token.text.size();
      tokens.push_back(token);
    }
    return tokens;
  }

 private:
  unsigned char at(std::size_t pos) const { return pos < m_sql.size() ? static_cast<unsigned char>(m_sql[pos]) : 0; }
  Token make(TokenKind kind, std::size_t start, std::size_t end) const {
    return Token{kind, m_sql.substr(start, end - start), start};
  }
  std::size_t unicode_space(std::size_t pos) const {
    return m_dialect == Dialect::duckdb ? duckdb_unicode_space_length(m_sql, pos) : 0;
  }
  std::unexpected<Error> unterminated(std::string_view what, std::size_t start) const {
    return make_error(ErrorCode::invalid_argument, "unterminated {} starting at {}", what, position_text(m_sql, start));
  }

  Result<Token> next(std::size_t start) {
    const unsigned char c = at(start);
    if (is_space(c) || unicode_space(start) > 0) return whitespace(start);
    if (c == '-' && at(start + 1) == '-') return line_comment(start);
    if (c == '/' && at(start + 1) == '*') return block_comment(start);
    if (c == '\'') return quoted(start, start + 1, '\'', TokenKind::string, "string literal");
    if (c == '"') return quoted(start, start + 1, '"', TokenKind::quoted_identifier, "quoted identifier");
    if ((c == 'e' || c == 'E') && at(start + 1) == '\'') return escape_string(start);
    if ((c == 'u' || c == 'U') && at(start + 1) == '&') {
      if (at(start + 2) == '\'') return quoted(start, start + 3, '\'', TokenKind::string, "U&'...' string literal");
      if (at(start + 2) == '"') {
        return quoted(start, start + 3, '"', TokenKind::quoted_identifier, "U&\"...\" quoted identifier");
      }
    }
    if (c == '$') return dollar(start);
    if (c == '?' && m_dialect == Dialect::duckdb) {
      std::size_t end = start + 1;
      while (is_digit(at(end))) ++end;
      return make(TokenKind::parameter, start, end);
    }
    if (is_digit(c) || (c == '.' && is_digit(at(start + 1)))) return number(start);
    if (is_ident_start(c)) return identifier(start);
    if (c == ':' && at(start + 1) == ':') return make(TokenKind::punctuation, start, start + 2);
    if (std::strchr("()[]{},;.:", c) != nullptr && c != 0) return make(TokenKind::punctuation, start, start + 1);
    if (is_op_char(c, m_dialect)) return op(start);
    // Anything else (a backslash, a control character) is one character the engine will reject on its own.
    return make(TokenKind::op, start, start + 1);
  }

  Token whitespace(std::size_t start) const {
    std::size_t end = start;
    while (end < m_sql.size()) {
      if (is_space(at(end))) {
        ++end;
      } else if (const std::size_t length = unicode_space(end); length > 0) {
        end += length;
      } else {
        break;
      }
    }
    return make(TokenKind::whitespace, start, end);
  }

  Token line_comment(std::size_t start) const {
    // Like PostgreSQL, \r ends a comment as well as \n.
    const std::size_t end = m_sql.find_first_of("\r\n", start + 2);
    return make(TokenKind::line_comment, start, end == std::string_view::npos ? m_sql.size() : end);
  }

  Result<Token> block_comment(std::size_t start) const {
    // Block comments nest in PostgreSQL and in DuckDB's scanner, which is PostgreSQL's.
    std::size_t depth = 1;
    std::size_t pos = start + 2;
    while (pos + 1 < m_sql.size()) {
      if (m_sql[pos] == '/' && m_sql[pos + 1] == '*') {
        ++depth;
        pos += 2;
      } else if (m_sql[pos] == '*' && m_sql[pos + 1] == '/') {
        pos += 2;
        if (--depth == 0) return make(TokenKind::block_comment, start, pos);
      } else {
        ++pos;
      }
    }
    return unterminated("block comment /* */", start);
  }

  // A literal closed by `quote`, in which a doubled quote stands for one.
  Result<Token> quoted(std::size_t start, std::size_t body, char quote, TokenKind kind, std::string_view what) const {
    std::size_t pos = body;
    while (true) {
      pos = m_sql.find(quote, pos);
      if (pos == std::string_view::npos) return unterminated(what, start);
      if (at(pos + 1) == static_cast<unsigned char>(quote)) {
        pos += 2;
        continue;
      }
      return make(kind, start, pos + 1);
    }
  }

  Result<Token> escape_string(std::size_t start) const {
    std::size_t pos = start + 2;
    while (pos < m_sql.size()) {
      const char c = m_sql[pos];
      if (c == '\\') {
        pos += 2;  // whatever follows a backslash belongs to the escape, a quote included
      } else if (c == '\'') {
        if (at(pos + 1) != '\'') return make(TokenKind::escape_string, start, pos + 1);
        pos += 2;
      } else {
        ++pos;
      }
    }
    return unterminated("E'...' string literal", start);
  }

  // The end of a $tag$ delimiter starting at `pos` (just past its closing `$`), or npos when none starts there.
  std::size_t dollar_delimiter_end(std::size_t pos) const {
    std::size_t end = pos + 1;
    if (at(end) == '$') return end + 1;
    if (!is_ident_start(at(end))) return std::string_view::npos;
    while (is_dollar_tag_char(at(end))) ++end;
    return at(end) == '$' ? end + 1 : std::string_view::npos;
  }

  Result<Token> dollar(std::size_t start) const {
    const std::size_t body = dollar_delimiter_end(start);
    if (body == std::string_view::npos) {
      std::size_t end = start + 1;
      if (is_digit(at(end))) {
        while (is_digit(at(end))) ++end;
        return make(TokenKind::parameter, start, end);
      }
      if (m_dialect == Dialect::duckdb && is_ident_start(at(end)) && unicode_space(end) == 0) {
        while (is_dollar_tag_char(at(end)) && unicode_space(end) == 0) ++end;
        return make(TokenKind::parameter, start, end);  // DuckDB's named parameter, $name
      }
      // In PostgreSQL a `$` that opens nothing is a character of its own; what follows is scanned afresh.
      return make(TokenKind::punctuation, start, end);
    }
    const std::string_view delimiter = m_sql.substr(start, body - start);
    // Like PostgreSQL's scanner, look at every `$` in turn: a delimiter that is not ours gives its closing `$` back so
    // it can open the next candidate ($a$ ... $b$a$ ends at the second $a$). Each byte is read at most twice.
    std::size_t pos = body;
    while (true) {
      pos = m_sql.find('$', pos);
      if (pos == std::string_view::npos) return unterminated(fmt::format("dollar-quoted string {}", delimiter), start);
      const std::size_t end = dollar_delimiter_end(pos);
      if (end == std::string_view::npos) {
        ++pos;
        continue;
      }
      if (m_sql.substr(pos, end - pos) == delimiter) return make(TokenKind::dollar_string, start, end);
      pos = end - 1;
    }
  }

  Token number(std::size_t start) const {
    std::size_t pos = start;
    const auto digits = [&](auto accept) {
      while (accept(at(pos)) || (at(pos) == '_' && accept(at(pos + 1)))) ++pos;
    };
    if (at(pos) == '0' && (at(pos + 1) == 'x' || at(pos + 1) == 'X') && is_hex_digit(at(pos + 2))) {
      pos += 2;
      digits(is_hex_digit);
      return make(TokenKind::number, start, pos);
    }
    digits(is_digit);
    // "1..10" is 1, .., 10 (PostgreSQL's decimalfail).
    if (at(pos) == '.' && at(pos + 1) != '.') {
      ++pos;
      digits(is_digit);
    }
    if ((at(pos) == 'e' || at(pos) == 'E') &&
        (is_digit(at(pos + 1)) || ((at(pos + 1) == '+' || at(pos + 1) == '-') && is_digit(at(pos + 2))))) {
      pos += 2;
      digits(is_digit);
    }
    return make(TokenKind::number, start, pos);
  }

  Token identifier(std::size_t start) const {
    std::size_t pos = start + 1;
    while (pos < m_sql.size() && is_ident_char(at(pos)) && unicode_space(pos) == 0) ++pos;
    return make(TokenKind::identifier, start, pos);
  }

  Token op(std::size_t start) const {
    // An operator stops where a comment starts, as in PostgreSQL ("+--x" is + and a comment).
    std::size_t pos = start + 1;
    while (is_op_char(at(pos), m_dialect) && !(at(pos) == '-' && at(pos + 1) == '-') &&
           !(at(pos) == '/' && at(pos + 1) == '*')) {
      ++pos;
    }
    return make(TokenKind::op, start, pos);
  }

  std::string_view m_sql;
  Dialect m_dialect;
};

// Decodes U&"..." escapes: `escape` twice is the escape itself, escape + 4 hex digits or escape + '+' + 6 hex digits a
// code point.
std::string decode_unicode_escapes(std::string_view text, char escape) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  const auto hex_value = [&](std::size_t from, std::size_t count) -> std::optional<std::uint32_t> {
    if (from + count > text.size()) return std::nullopt;
    std::uint32_t value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (!is_hex_digit(c)) return std::nullopt;
      value = value * 16 + static_cast<std::uint32_t>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return value;
  };
  while (pos < text.size()) {
    if (text[pos] != escape) {
      out += text[pos++];
      continue;
    }
    if (pos + 1 < text.size() && text[pos + 1] == escape) {
      out += escape;
      pos += 2;
    } else if (pos + 1 < text.size() && text[pos + 1] == '+') {
      if (auto value = hex_value(pos + 2, 6); value && *value <= 0x10FFFF) {
        append_utf8(out, *value);
        pos += 8;
      } else {
        out += text[pos++];
      }
    } else if (auto value = hex_value(pos + 1, 4)) {
      append_utf8(out, *value);
      pos += 5;
    } else {
      out += text[pos++];
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Dialect dialect) {
  switch (dialect) {
    case Dialect::duckdb:
      return "duckdb";
    case Dialect::postgres:
      return "postgres";
  }
  return "unknown";
}

std::string_view to_string(TokenKind kind) {
  switch (kind) {
    case TokenKind::whitespace:
      return "whitespace";
    case TokenKind::line_comment:
      return "line_comment";
    case TokenKind::block_comment:
      return "block_comment";
    case TokenKind::identifier:
      return "identifier";
    case TokenKind::quoted_identifier:
      return "quoted_identifier";
    case TokenKind::string:
      return "string";
    case TokenKind::escape_string:
      return "escape_string";
    case TokenKind::dollar_string:
      return "dollar_string";
    case TokenKind::number:
      return "number";
    case TokenKind::parameter:
      return "parameter";
    case TokenKind::op:
      return "op";
    case TokenKind::punctuation:
      return "punctuation";
  }
  return "unknown";
}

Result<std::vector<Token>> tokenize(std::string_view sql, Dialect dialect) {
  return Scanner(sql, dialect).run();
}

bool is_trivia(const Token& token) {
  return token.kind == TokenKind::whitespace || token.kind == TokenKind::line_comment ||
         token.kind == TokenKind::block_comment;
}

bool is_keyword(const Token& token, std::string_view keyword) {
  if (token.kind != TokenKind::identifier || token.text.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    unsigned char a = static_cast<unsigned char>(token.text[i]);
    unsigned char b = static_cast<unsigned char>(keyword[i]);
    if (a >= 'A' && a <= 'Z') a = static_cast<unsigned char>(a | 0x20);
    if (b >= 'A' && b <= 'Z') b = static_cast<unsigned char>(b | 0x20);
    if (a != b) return false;
  }
  return true;
}

bool is_symbol(const Token& token, std::string_view text) {
  return (token.kind == TokenKind::punctuation || token.kind == TokenKind::op) && token.text == text;
}

std::string identifier_value(const Token& token, char unicode_escape) {
  if (token.kind != TokenKind::quoted_identifier) return std::string(token.text);
  const bool unicode = token.text.size() >= 2 && token.text[0] != '"';
  std::string_view body = token.text.substr(unicode ? 3 : 1);
  if (!body.empty()) body.remove_suffix(1);
  std::string value;
  value.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    value += body[i];
    if (body[i] == '"' && i + 1 < body.size() && body[i + 1] == '"') ++i;
  }
  return unicode ? decode_unicode_escapes(value, unicode_escape) : value;
}

bool ends_differently_with_backslash_escapes(std::string_view sql, const Token& token) {
  if (token.kind != TokenKind::string || !token.text.starts_with('\'')) return false;
  if (token.text.find('\\') == std::string_view::npos) return false;
  std::size_t pos = token.offset + 1;
  while (pos < sql.size()) {
    if (sql[pos] == '\\') {
      pos += 2;
    } else if (sql[pos] == '\'') {
      if (pos + 1 < sql.size() && sql[pos + 1] == '\'') {
        pos += 2;
        continue;
      }
      return pos + 1 != token.offset + token.text.size();
    } else {
      ++pos;
    }
  }
  return true;  // unterminated when read the other way
}

LineColumn line_column(std::string_view text, std::size_t offset) {
  LineColumn position;
  const std::size_t end = offset < text.size() ? offset : text.size();
  for (std::size_t i = 0; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++position.line;
      position.column = 1;
    } else if (c == '\r') {
      // the \r of \r\n: the \n ends the line
    } else if ((c & 0xC0) != 0x80) {
      ++position.column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return position;
}

std::size_t duckdb_unicode_space_length(std::string_view text, std::size_t pos) {
  // The list DuckDB's Parser::StripUnicodeSpaces replaces.
  const auto byte = [&](std::size_t i) -> unsigned char {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0;
  };
  const unsigned char c0 = byte(pos), c1 = byte(pos + 1), c2 = byte(pos + 2);
  if (c0 == 0xC2 && c1 == 0xA0) return 2;                                                // U+00A0
  if (c0 == 0xE2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8B) || c2 == 0xAF)) return 3;  // U+2000-200B, U+202F
  if (c0 == 0xE2 && c1 == 0x81 && (c2 == 0x9F || c2 == 0xA0)) return 3;                  // U+205F, U+2060
  if (c0 == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;                                  // U+3000
  if (c0 == 0xEF && c1 == 0xBB && c2 == 0xBF) return 3;                                  // U+FEFF
  return 0;
}

std::string position_text(std::string_view text, std::size_t offset) {
  const LineColumn position = line_column(text, offset);
  return fmt::format("{}:{}", position.line, position.column);
}

}  // namespace cowork::sql
