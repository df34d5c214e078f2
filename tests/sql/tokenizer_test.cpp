#include "sql/tokenizer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace cowork::sql {
namespace {

struct Expected {
  TokenKind kind;
  std::string text;
  std::size_t offset;
};

bool operator==(const Token& token, const Expected& expected) {
  return token.kind == expected.kind && token.text == expected.text && token.offset == expected.offset;
}

std::string describe(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& token : tokens) {
    out +=
        std::string(to_string(token.kind)) + "@" + std::to_string(token.offset) + "[" + std::string(token.text) + "] ";
  }
  return out;
}

std::vector<Token> tokens_of(std::string_view sql, Dialect dialect = Dialect::postgres) {
  auto tokens = tokenize(sql, dialect);
  EXPECT_TRUE(tokens) << sql << ": " << tokens.error().message;
  if (!tokens) return {};
  // Every byte belongs to exactly one token, in order.
  std::string joined;
  std::size_t next = 0;
  for (const Token& token : *tokens) {
    EXPECT_EQ(token.offset, next) << sql;
    next = token.offset + token.text.size();
    joined += token.text;
  }
  EXPECT_EQ(joined, sql);
  return *tokens;
}

// The tokens that are not whitespace or comments.
std::vector<Token> significant(std::string_view sql, Dialect dialect = Dialect::postgres) {
  std::vector<Token> out;
  for (const Token& token : tokens_of(sql, dialect))
    if (!is_trivia(token)) out.push_back(token);
  return out;
}

void expect_tokens(const std::vector<Token>& tokens, const std::vector<Expected>& expected) {
  ASSERT_EQ(tokens.size(), expected.size()) << describe(tokens);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(tokens[i] == expected[i]) << "token " << i << ": " << describe(tokens);
  }
}

TEST(Tokenizer, KindsAndOffsetsOfASimpleQuery) {
  expect_tokens(tokens_of("SELECT a.b, \"x\"\"y\" FROM t -- c\n;"),
                {
                    {TokenKind::identifier, "SELECT", 0},
                    {TokenKind::whitespace, " ", 6},
                    {TokenKind::identifier, "a", 7},
                    {TokenKind::punctuation, ".", 8},
                    {TokenKind::identifier, "b", 9},
                    {TokenKind::punctuation, ",", 10},
                    {TokenKind::whitespace, " ", 11},
                    {TokenKind::quoted_identifier, "\"x\"\"y\"", 12},
                    {TokenKind::whitespace, " ", 18},
                    {TokenKind::identifier, "FROM", 19},
                    {TokenKind::whitespace, " ", 23},
                    {TokenKind::identifier, "t", 24},
                    {TokenKind::whitespace, " ", 25},
                    {TokenKind::line_comment, "-- c", 26},
                    {TokenKind::whitespace, "\n", 30},
                    {TokenKind::punctuation, ";", 31},
                });
}

TEST(Tokenizer, StringsKeepTheirQuotesAndEscapes) {
  expect_tokens(significant("'it''s' E'a\\'b' e'\\\\' U&'d\\0061' N'x'"), {
                                                                              {TokenKind::string, "'it''s'", 0},
                                                                              {TokenKind::escape_string, "E'a\\'b'", 8},
                                                                              {TokenKind::escape_string, "e'\\\\'", 16},
                                                                              {TokenKind::string, "U&'d\\0061'", 22},
                                                                              {TokenKind::identifier, "N", 33},
                                                                              {TokenKind::string, "'x'", 34},
                                                                          });
  // E only starts an escape string at the start of a token: `ae'x'` is the identifier ae and a plain string.
  expect_tokens(significant("ae'x\\'"), {{TokenKind::identifier, "ae", 0}, {TokenKind::string, "'x\\'", 2}});
}

TEST(Tokenizer, BlockCommentsNest) {
  expect_tokens(tokens_of("/* a /* b */ c */x"),
                {{TokenKind::block_comment, "/* a /* b */ c */", 0}, {TokenKind::identifier, "x", 17}});
  expect_tokens(tokens_of("/*/ x */y", Dialect::duckdb),
                {{TokenKind::block_comment, "/*/ x */", 0}, {TokenKind::identifier, "y", 8}});
  expect_tokens(tokens_of("/* **/z"), {{TokenKind::block_comment, "/* **/", 0}, {TokenKind::identifier, "z", 6}});
}

TEST(Tokenizer, OperatorsStopWhereACommentStarts) {
  expect_tokens(significant("1 +-- c\n2*/*c*/3 <= 4 :: x"), {
                                                                {TokenKind::number, "1", 0},
                                                                {TokenKind::op, "+", 2},
                                                                {TokenKind::number, "2", 8},
                                                                {TokenKind::op, "*", 9},
                                                                {TokenKind::number, "3", 15},
                                                                {TokenKind::op, "<=", 17},
                                                                {TokenKind::number, "4", 20},
                                                                {TokenKind::punctuation, "::", 22},
                                                                {TokenKind::identifier, "x", 25},
                                                            });
}

TEST(Tokenizer, LineCommentsEndAtNewlineOrCarriageReturn) {
  expect_tokens(tokens_of("a--b\rc"), {{TokenKind::identifier, "a", 0},
                                       {TokenKind::line_comment, "--b", 1},
                                       {TokenKind::whitespace, "\r", 4},
                                       {TokenKind::identifier, "c", 5}});
  expect_tokens(tokens_of("-- to the end"), {{TokenKind::line_comment, "-- to the end", 0}});
}

TEST(Tokenizer, DollarQuotes) {
  expect_tokens(significant("$$a;b$$ $tag$ $x$ ; $tag$ $a$x$b$a$"),
                {
                    {TokenKind::dollar_string, "$$a;b$$", 0},
                    {TokenKind::dollar_string, "$tag$ $x$ ; $tag$", 8},
                    {TokenKind::dollar_string, "$a$x$b$a$", 26},
                });
  // `$` inside an identifier does not open a dollar quote.
  expect_tokens(
      significant("a$b$ $1 $12"),
      {{TokenKind::identifier, "a$b$", 0}, {TokenKind::parameter, "$1", 5}, {TokenKind::parameter, "$12", 8}});
}

TEST(Tokenizer, ParametersDependOnTheDialect) {
  expect_tokens(significant("a ? b $name", Dialect::duckdb), {{TokenKind::identifier, "a", 0},
                                                              {TokenKind::parameter, "?", 2},
                                                              {TokenKind::identifier, "b", 4},
                                                              {TokenKind::parameter, "$name", 6}});
  expect_tokens(significant("a ?| b $name", Dialect::postgres), {{TokenKind::identifier, "a", 0},
                                                                 {TokenKind::op, "?|", 2},
                                                                 {TokenKind::identifier, "b", 5},
                                                                 {TokenKind::punctuation, "$", 7},
                                                                 {TokenKind::identifier, "name", 8}});
}

TEST(Tokenizer, Numbers) {
  expect_tokens(significant("42 3.14 .5 1e-3 1_000 0x1F 1..2"), {
                                                                    {TokenKind::number, "42", 0},
                                                                    {TokenKind::number, "3.14", 3},
                                                                    {TokenKind::number, ".5", 8},
                                                                    {TokenKind::number, "1e-3", 11},
                                                                    {TokenKind::number, "1_000", 16},
                                                                    {TokenKind::number, "0x1F", 22},
                                                                    {TokenKind::number, "1", 27},
                                                                    {TokenKind::punctuation, ".", 28},
                                                                    {TokenKind::number, ".2", 29},
                                                                });
}

TEST(Tokenizer, UnicodeIdentifiersAndDuckDbSpaces) {
  expect_tokens(significant("café \"日本\""),
                {{TokenKind::identifier, "café", 0}, {TokenKind::quoted_identifier, "\"日本\"", 6}});
  // A no-break space separates tokens in DuckDB, which rewrites it to a space; in PostgreSQL it is part of the name.
  expect_tokens(
      tokens_of("a\xC2\xA0"
                "b",
                Dialect::duckdb),
      {{TokenKind::identifier, "a", 0}, {TokenKind::whitespace, "\xC2\xA0", 1}, {TokenKind::identifier, "b", 3}});
  expect_tokens(tokens_of("a\xC2\xA0"
                          "b",
                          Dialect::postgres),
                {{TokenKind::identifier,
                  "a\xC2\xA0"
                  "b",
                  0}});
}

TEST(Tokenizer, UnterminatedLiteralsNameWhatAndWhere) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"SELECT 'abc", "unterminated string literal starting at 1:8"},
      {"SELECT 1,\n  \"x", "unterminated quoted identifier starting at 2:3"},
      {"/* a /* b */", "unterminated block comment /* */ starting at 1:1"},
      {"SELECT $t$ x $T$", "unterminated dollar-quoted string $t$ starting at 1:8"},
      {"x\r\ny E'x\\'", "unterminated E'...' string literal starting at 2:3"},
      {"U&'x", "unterminated U&'...' string literal starting at 1:1"},
      {"U&\"x", "unterminated U&\"...\" quoted identifier starting at 1:1"},
      {"SELECT 'é', 'x", "unterminated string literal starting at 1:13"},  // columns count characters
  };
  for (const auto& [sql, message] : cases) {
    for (Dialect dialect : {Dialect::duckdb, Dialect::postgres}) {
      auto tokens = tokenize(sql, dialect);
      ASSERT_FALSE(tokens) << sql;
      EXPECT_EQ(tokens.error().code, ErrorCode::invalid_argument);
      EXPECT_EQ(tokens.error().message, message) << sql;
    }
  }
}

TEST(Tokenizer, LineColumn) {
  EXPECT_EQ(position_text("abc", 0), "1:1");
  EXPECT_EQ(position_text("abc", 2), "1:3");
  EXPECT_EQ(position_text("a\nb", 2), "2:1");
  EXPECT_EQ(position_text("a\r\nb", 3), "2:1");
  EXPECT_EQ(position_text("a\rb", 2), "2:1");
  EXPECT_EQ(position_text("éé x", 5), "1:4");
  EXPECT_EQ(position_text("ab", 10), "1:3");
  const LineColumn position = line_column("x\ny\nzz", 5);
  EXPECT_EQ(position.line, 3u);
  EXPECT_EQ(position.column, 2u);
}

TEST(Tokenizer, KeywordTestIsCaseInsensitiveAndIgnoresQuotedNames) {
  const auto tokens = significant("SeLeCt \"select\" selected");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_TRUE(is_keyword(tokens[0], "select"));
  EXPECT_TRUE(is_keyword(tokens[0], "SELECT"));
  EXPECT_FALSE(is_keyword(tokens[1], "select"));
  EXPECT_FALSE(is_keyword(tokens[2], "select"));
  EXPECT_TRUE(is_symbol(significant("(")[0], "("));
}

TEST(Tokenizer, IdentifierValues) {
  EXPECT_EQ(identifier_value(significant("\"a\"\"b\"")[0]), "a\"b");
  EXPECT_EQ(identifier_value(significant("Plain")[0]), "Plain");
  EXPECT_EQ(identifier_value(significant("U&\"d\\0061t\\+000061\"")[0]), "data");
  EXPECT_EQ(identifier_value(significant("U&\"d!0061t!!\"")[0], '!'), "dat!");
  EXPECT_EQ(identifier_value(significant("u&\"\\00e9\\zz\"")[0]), "\xC3\xA9\\zz");
}

TEST(Tokenizer, StringsThatReadDifferentlyWithBackslashEscapes) {
  const auto check = [](std::string_view sql) {
    const auto tokens = significant(sql);
    return !tokens.empty() && ends_differently_with_backslash_escapes(sql, tokens[0]);
  };
  EXPECT_TRUE(check("'a\\'"));
  EXPECT_TRUE(check("'a\\'' ; x'"));
  EXPECT_FALSE(check("'a\\\\'"));
  EXPECT_FALSE(check("'C:\\temp'"));
  EXPECT_FALSE(check("'plain'"));
  EXPECT_FALSE(check("E'a\\'b'"));
}

TEST(Tokenizer, LinearOnAMegabyte) {
  std::string sql;
  while (sql.size() < (1u << 20)) sql += "SELECT 'a''b', \"c\", $t$ $x$ $t$, E'\\'' /* /* */ */ -- x\n";
  const auto start = std::chrono::steady_clock::now();
  auto tokens = tokenize(sql, Dialect::postgres);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_GT(tokens->size(), 100000u);
  EXPECT_LT(ms, 2000);
}

}  // namespace
}  // namespace cowork::sql
