// Splits template source into tokens: template text, tag delimiters and the tokens inside tags. Whitespace control
// (`{%-`, `-%}`, `{{-`, `-}}`, `{#-`, `-#}`), comments and {% raw %} are resolved here, so the parser sees only text
// that is output as is. Internal to the engine; the parser is its only user.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cowork::jinja::detail {

enum class TokenType : std::uint8_t {
  data,
  variable_begin,
  variable_end,
  block_begin,
  block_end,
  name,
  string,
  integer,
  floating,
  op,
  eof,
};

struct Token {
  TokenType type = TokenType::eof;
  std::string_view text;  // the source text (for data: the text to output)
  std::string value;      // a string literal, decoded
  std::int64_t int_value = 0;
  double float_value = 0;
  std::uint32_t offset = 0;  // where the token starts in the source
};

// Maps source offsets to 1-based line and column (columns count code points, as editors do).
class LineIndex {
 public:
  explicit LineIndex(std::string_view source);
  std::uint32_t line(std::uint32_t offset) const;
  std::uint32_t column(std::uint32_t offset) const;

 private:
  std::string_view m_source;
  std::vector<std::uint32_t> m_starts;
};

// Returns the normalised source: \r\n and \r become \n, and one trailing newline is dropped.
std::string normalise_source(std::string_view source);

// Tokenises normalised source. Errors name `file` and the position ("unterminated string").
Result<std::vector<Token>> tokenize(std::string_view source, std::string_view file, const LineIndex& lines);

}  // namespace cowork::jinja::detail
