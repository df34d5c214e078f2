#include "jinja/detail/lexer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "jinja/detail/text.hpp"

namespace cowork::jinja::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

char closing(char open) {
  return open == '(' ? ')' : (open == '[' ? ']' : '}');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view rstrip(std::string_view text) {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Operators, longest first so that `//` wins over `/`.
constexpr std::array<std::string_view, 27> k_operators = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "(", ")",
    "[",  "]",  "{",  "}",  ",",  ".",  ":", "|", "=", "<", ">", ";", "!",
};

class Lexer {
 public:
  Lexer(std::string_view source, std::string_view file, const LineIndex& lines)
      : m_src(source), m_file(file), m_lines(lines) {}

  Result<std::vector<Token>> run() {
    std::size_t pos = 0;
    const std::size_t n = m_src.size();
    while (pos < n) {
      std::size_t open = pos;
      while (true) {
        open = m_src.find('{', open);
        if (open == std::string_view::npos || open + 1 >= n) {
          open = std::string_view::npos;
          break;
        }
        const char next = m_src[open + 1];
        if (next == '{' || next == '%' || next == '#') break;
        ++open;
      }
      if (open == std::string_view::npos) {
        push_data(pos, m_src.substr(pos));
        break;
      }
      std::string_view data = m_src.substr(pos, open - pos);
      const char kind = m_src[open + 1];
      std::size_t inner = open + 2;
      bool strip_before = false;
      if (inner < n && m_src[inner] == '-') {
        strip_before = true;
        ++inner;
      } else if (inner < n && m_src[inner] == '+' && kind != '{') {
        ++inner;
      }
      if (strip_before) data = rstrip(data);

      if (kind == '%') {
        std::size_t raw_end = 0;
        bool raw_strip_after = false;
        if (match_raw_begin(inner, raw_end, raw_strip_after)) {
          push_data(pos, data);
          COWORK_ASSIGN_OR_RETURN(pos, lex_raw(open, raw_end, raw_strip_after));
          continue;
        }
      }
      push_data(pos, data);
      if (kind == '#') {
        COWORK_ASSIGN_OR_RETURN(pos, skip_comment(open, inner));
        continue;
      }
      COWORK_ASSIGN_OR_RETURN(pos, lex_tag(open, inner, kind == '{'));
    }
    Token eof;
    eof.type = TokenType::eof;
    eof.offset = static_cast<std::uint32_t>(n);
    m_tokens.push_back(eof);
    return std::move(m_tokens);
  }

 private:
  std::unexpected<Error> fail(std::size_t offset, std::string_view message) const {
    const auto o = static_cast<std::uint32_t>(offset);
    return make_error(ErrorCode::invalid_argument, "{}:{}:{}: {}", m_file, m_lines.line(o), m_lines.column(o), message);
  }

  std::string where(std::size_t offset) const {
    const auto o = static_cast<std::uint32_t>(offset);
    return fmt::format("{}:{}", m_lines.line(o), m_lines.column(o));
  }

  void push_data(std::size_t offset, std::string_view text) {
    if (text.empty()) return;
    Token token;
    token.type = TokenType::data;
    token.text = text;
    token.offset = static_cast<std::uint32_t>(offset);
    m_tokens.push_back(std::move(token));
  }

  void push(TokenType type, std::size_t offset, std::size_t length) {
    Token token;
    token.type = type;
    token.text = m_src.substr(offset, length);
    token.offset = static_cast<std::uint32_t>(offset);
    m_tokens.push_back(std::move(token));
  }

  std::size_t skip_space(std::size_t pos) const {
    while (pos < m_src.size() && is_space(m_src[pos])) ++pos;
    return pos;
  }

  bool match_word(std::size_t pos, std::string_view word) const {
    return m_src.substr(pos, word.size()) == word &&
           (pos + word.size() >= m_src.size() || !is_name_char(m_src[pos + word.size()]));
  }

  // After `{%` (and its `-`/`+`): is this `raw %}`? Sets where the tag ends and whether it strips what follows.
  bool match_raw_begin(std::size_t pos, std::size_t& end, bool& strip_after) const {
    pos = skip_space(pos);
    if (!match_word(pos, "raw")) return false;
    pos = skip_space(pos + 3);
    strip_after = false;
    if (m_src.substr(pos, 3) == "-%}") {
      strip_after = true;
      end = pos + 3;
      return true;
    }
    if (m_src.substr(pos, 3) == "+%}") {
      end = pos + 3;
      return true;
    }
    if (m_src.substr(pos, 2) == "%}") {
      end = pos + 2;
      return true;
    }
    return false;
  }

  Result<std::size_t> lex_raw(std::size_t open, std::size_t body_start, bool strip_after) {
    std::size_t search = body_start;
    while (true) {
      const std::size_t tag = m_src.find("{%", search);
      if (tag == std::string_view::npos)
        return fail(m_src.size(),
                    fmt::format("expected 'endraw', found end of file (the 'raw' opened at {})", where(open)));
      std::size_t pos = tag + 2;
      bool strip_before = false;
      if (pos < m_src.size() && (m_src[pos] == '-' || m_src[pos] == '+')) strip_before = m_src[pos++] == '-';
      pos = skip_space(pos);
      if (!match_word(pos, "endraw")) {
        search = tag + 2;
        continue;
      }
      pos = skip_space(pos + 6);
      bool strip_following = false;
      std::size_t end = 0;
      if (m_src.substr(pos, 3) == "-%}") {
        strip_following = true;
        end = pos + 3;
      } else if (m_src.substr(pos, 3) == "+%}") {
        end = pos + 3;
      } else if (m_src.substr(pos, 2) == "%}") {
        end = pos + 2;
      } else {
        search = tag + 2;
        continue;
      }
      std::size_t content_start = strip_after ? skip_space(body_start) : body_start;
      std::string_view content = m_src.substr(content_start, tag - std::min(tag, content_start));
      if (strip_before) content = rstrip(content);
      push_data(content_start, content);
      return strip_following ? skip_space(end) : end;
    }
  }

  Result<std::size_t> skip_comment(std::size_t open, std::size_t inner) {
    const std::size_t close = m_src.find("#}", inner);
    if (close == std::string_view::npos)
      return fail(m_src.size(),
                  fmt::format("expected '#}}', found end of file (the comment opened at {})", where(open)));
    const bool strip_after = close > inner && m_src[close - 1] == '-';
    return strip_after ? skip_space(close + 2) : close + 2;
  }

  Result<std::size_t> lex_tag(std::size_t open, std::size_t pos, bool variable) {
    push(variable ? TokenType::variable_begin : TokenType::block_begin, open, pos - open);
    // Open brackets, innermost last: while one is open, `}}` and `%}` are operators (a dict display can end in
    // `}}`), as in Jinja's lexer.
    std::vector<std::size_t> brackets;
    std::size_t depth = 0;
    const std::size_t n = m_src.size();
    while (true) {
      pos = skip_space(pos);
      if (pos >= n && !brackets.empty())
        return fail(n, fmt::format("expected '{}', found end of file (the '{}' opened at {})",
                                   closing(m_src[brackets.back()]), m_src[brackets.back()], where(brackets.back())));
      if (pos >= n)
        return fail(n, fmt::format("expected '{}', found end of file (the '{}' opened at {})", variable ? "}}" : "%}",
                                   variable ? "{{" : "{%", where(open)));
      if (depth == 0) {
        const std::string_view end = variable ? "}}" : "%}";
        if (m_src[pos] == '-' && m_src.substr(pos + 1, 2) == end) {
          push(variable ? TokenType::variable_end : TokenType::block_end, pos, 3);
          return skip_space(pos + 3);
        }
        if (!variable && m_src.substr(pos, 3) == "+%}") {
          push(TokenType::block_end, pos, 3);
          return pos + 3;
        }
        if (m_src.substr(pos, 2) == end) {
          push(variable ? TokenType::variable_end : TokenType::block_end, pos, 2);
          return pos + 2;
        }
      }
      const char c = m_src[pos];
      if (is_name_start(c)) {
        std::size_t end = pos + 1;
        while (end < n && is_name_char(m_src[end])) ++end;
        push(TokenType::name, pos, end - pos);
        pos = end;
        continue;
      }
      if (is_digit(c)) {
        COWORK_ASSIGN_OR_RETURN(pos, lex_number(pos));
        continue;
      }
      if (c == '\'' || c == '"') {
        COWORK_ASSIGN_OR_RETURN(pos, lex_string(pos));
        continue;
      }
      bool matched = false;
      for (std::string_view op : k_operators) {
        if (m_src.substr(pos, op.size()) != op) continue;
        if (op == "(" || op == "[" || op == "{") brackets.push_back(pos);
        if (op == ")" || op == "]" || op == "}") {
          const char expected = brackets.empty() ? 0 : closing(m_src[brackets.back()]);
          if (!brackets.empty() && expected != op[0])
            return fail(pos, fmt::format("unexpected '{}', expected '{}' (the '{}' opened at {})", op, expected,
                                         m_src[brackets.back()], where(brackets.back())));
          if (!brackets.empty()) brackets.pop_back();
        }
        depth = brackets.size();
        push(TokenType::op, pos, op.size());
        pos += op.size();
        matched = true;
        break;
      }
      if (!matched) {
        const std::size_t length = utf8_sequence_length(static_cast<unsigned char>(c));
        return fail(pos, fmt::format("unexpected character '{}'", m_src.substr(pos, length)));
      }
    }
  }

  Result<std::size_t> lex_number(std::size_t start) {
    const std::size_t n = m_src.size();
    std::size_t pos = start;
    auto digits = [&](auto accept) {
      std::string out;
      while (pos < n && (accept(m_src[pos]) || (m_src[pos] == '_' && pos + 1 < n && accept(m_src[pos + 1])))) {
        if (m_src[pos] != '_') out += m_src[pos];
        ++pos;
      }
      return out;
    };
    auto decimal = [](char c) { return is_digit(c); };
    if (m_src[pos] == '0' && pos + 1 < n && std::string_view("xXoObB").find(m_src[pos + 1]) != std::string_view::npos) {
      const char prefix = static_cast<char>(m_src[pos + 1] | 0x20);
      pos += 2;
      const int base = prefix == 'x' ? 16 : (prefix == 'o' ? 8 : 2);
      std::string text = digits([base](char c) {
        if (base == 16) return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
        return c >= '0' && c < static_cast<char>('0' + base);
      });
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return fail(start, fmt::format("invalid number '{}'", m_src.substr(start, pos - start)));
      push(TokenType::integer, start, pos - start);
      m_tokens.back().int_value = value;
      return pos;
    }
    std::string text = digits(decimal);
    bool is_float = false;
    if (pos + 1 < n && m_src[pos] == '.' && is_digit(m_src[pos + 1])) {
      ++pos;
      text += '.';
      text += digits(decimal);
      is_float = true;
    }
    if (pos < n && (m_src[pos] == 'e' || m_src[pos] == 'E')) {
      std::size_t save = pos;
      std::string exponent = "e";
      ++pos;
      if (pos < n && (m_src[pos] == '+' || m_src[pos] == '-')) exponent += m_src[pos++];
      if (pos < n && is_digit(m_src[pos])) {
        exponent += digits(decimal);
        text += exponent;
        is_float = true;
      } else {
        pos = save;
      }
    }
    if (is_float) {
      double value = 0;
      std::from_chars(text.data(), text.data() + text.size(), value);
      push(TokenType::floating, start, pos - start);
      m_tokens.back().float_value = value;
      return pos;
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc())
      return fail(start, fmt::format("integer literal {} is out of range", m_src.substr(start, pos - start)));
    push(TokenType::integer, start, pos - start);
    m_tokens.back().int_value = value;
    return pos;
  }

  // Decodes a string literal with Python's escapes; an unknown escape keeps its backslash, so regular expressions
  // such as '\d+' survive as Jinja2 leaves them.
  Result<std::size_t> lex_string(std::size_t start) {
    const char quote = m_src[start];
    const std::size_t n = m_src.size();
    std::size_t pos = start + 1;
    std::string value;
    while (true) {
      if (pos >= n) return fail(start, "unterminated string");
      const char c = m_src[pos];
      if (c == quote) break;
      if (c != '\\') {
        value += c;
        ++pos;
        continue;
      }
      if (pos + 1 >= n) return fail(start, "unterminated string");
      const char e = m_src[pos + 1];
      pos += 2;
      auto hex = [&](std::size_t count) -> bool {
        if (pos + count > n) return false;
        std::uint32_t code = 0;
        for (std::size_t i = 0; i < count; ++i) {
          const char h = m_src[pos + i];
          code <<= 4;
          if (is_digit(h))
            code |= static_cast<std::uint32_t>(h - '0');
          else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
            code |= static_cast<std::uint32_t>((h | 0x20) - 'a' + 10);
          else
            return false;
        }
        append_utf8(value, code);
        pos += count;
        return true;
      };
      switch (e) {
        case '\n':
          break;
        case '\\':
        case '\'':
        case '"':
          value += e;
          break;
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'v':
          value += '\v';
          break;
        case 'x':
          if (!hex(2)) return fail(pos - 2, "invalid \\x escape in string");
          break;
        case 'u':
          if (!hex(4)) return fail(pos - 2, "invalid \\u escape in string");
          break;
        case 'U':
          if (!hex(8)) return fail(pos - 2, "invalid \\U escape in string");
          break;
        default:
          if (e >= '0' && e <= '7') {
            std::uint32_t code = static_cast<std::uint32_t>(e - '0');
            for (int i = 0; i < 2 && pos < n && m_src[pos] >= '0' && m_src[pos] <= '7'; ++i)
              code = code * 8 + static_cast<std::uint32_t>(m_src[pos++] - '0');
            append_utf8(value, code);
          } else {
            value += '\\';
            value += e;
          }
      }
    }
    push(TokenType::string, start, pos + 1 - start);
    m_tokens.back().value = std::move(value);
    return pos + 1;
  }

  std::string_view m_src;
  std::string_view m_file;
  const LineIndex& m_lines;
  std::vector<Token> m_tokens;
};

}  // namespace

LineIndex::LineIndex(std::string_view source) : m_source(source) {
  m_starts.push_back(0);
  for (std::size_t i = 0; i < source.size(); ++i)
    if (source[i] == '\n') m_starts.push_back(static_cast<std::uint32_t>(i + 1));
}

std::uint32_t LineIndex::line(std::uint32_t offset) const {
  auto it = std::upper_bound(m_starts.begin(), m_starts.end(), offset);
  return static_cast<std::uint32_t>(it - m_starts.begin());
}

std::uint32_t LineIndex::column(std::uint32_t offset) const {
  const std::uint32_t start = m_starts[line(offset) - 1];
  std::uint32_t column = 1;
  for (std::uint32_t i = start; i < offset && i < m_source.size(); ++i)
    if ((static_cast<unsigned char>(m_source[i]) & 0xC0) != 0x80) ++column;
  return column;
}

std::string normalise_source(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Result<std::vector<Token>> tokenize(std::string_view source, std::string_view file, const LineIndex& lines) {
  return Lexer(source, file, lines).run();
}

}  // namespace cowork::jinja::detail
