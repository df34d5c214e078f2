#include "sql/guard.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "util/strings.hpp"
#include "util/utf8.hpp"

namespace cowork::sql {
namespace {

// ---------------------------------------------------------------------------------------------------------------------
// Golden cases: tests/sql/golden/guard_cases.txt (its header documents the format).

enum class Verdict { allow, refuse, invalid };

struct GoldenCase {
  int line = 0;
  Dialect dialect = Dialect::duckdb;
  Verdict verdict = Verdict::allow;
  std::string kind;  // for allow: the expected kind, or empty for any
  std::string sql;
  std::string expected;  // for refuse and invalid: a substring of the message
  std::string problem;   // a malformed case in the file; the test reports it
};

// Expands {{repeat N|text}} and {{u+XXXX}}.
std::string expand(std::string_view text, std::string& problem) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open);
    if (close == std::string_view::npos) {
      problem = "unclosed {{";
      break;
    }
    out += text.substr(pos, open - pos);
    const std::string_view directive = text.substr(open + 2, close - open - 2);
    if (directive.starts_with("repeat ")) {
      const std::size_t bar = directive.find('|');
      const int count = bar == std::string_view::npos ? 0 : std::stoi(std::string(directive.substr(7, bar - 7)));
      for (int i = 0; i < count; ++i) out += directive.substr(bar + 1);
    } else if (directive.starts_with("u+")) {
      append_utf8(out, static_cast<std::uint32_t>(std::stoul(std::string(directive.substr(2)), nullptr, 16)));
    } else {
      problem = "unknown directive {{" + std::string(directive) + "}}";
    }
    pos = close + 2;
  }
  out += text.substr(pos);
  return out;
}

std::vector<GoldenCase> load_golden_cases() {
  const std::string path = std::string(COWORK_SQL_GOLDEN_DIR) + "/guard_cases.txt";
  std::ifstream file(path);
  if (!file) {
    GoldenCase missing;
    missing.problem = "cannot open " + path;
    return {missing};
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }

  std::vector<GoldenCase> cases;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (trim(line).empty() || line.starts_with("#")) continue;
    GoldenCase base;
    base.line = static_cast<int>(i + 1);
    const std::size_t colon = line.find(':');
    const auto words = split(trim(std::string_view(line).substr(0, colon == std::string::npos ? 0 : colon)), ' ');
    if (colon == std::string::npos || words.size() < 2 || words.size() > 3) {
      base.problem = "expected `<verdict> <dialects> [<kind>]: <sql>`";
      cases.push_back(base);
      continue;
    }
    if (words[0] == "allow") {
      base.verdict = Verdict::allow;
    } else if (words[0] == "refuse") {
      base.verdict = Verdict::refuse;
    } else if (words[0] == "invalid") {
      base.verdict = Verdict::invalid;
    } else {
      base.problem = "unknown verdict " + std::string(words[0]);
    }
    if (words.size() == 3) base.kind = std::string(words[2]);

    std::string_view rest = std::string_view(line).substr(colon + 1);
    std::string sql;
    const std::string_view rest_trimmed = trim(rest);
    if (rest_trimmed.empty() || rest_trimmed.starts_with("=>")) {
      // Multi-line: the SQL follows, up to a line that is just ---.
      if (rest_trimmed.starts_with("=>")) base.expected = std::string(trim(rest_trimmed.substr(2)));
      std::vector<std::string_view> body;
      std::size_t j = i + 1;
      while (j < lines.size() && lines[j] != "---") body.push_back(lines[j++]);
      if (j == lines.size()) base.problem = "multi-line case without a closing ---";
      sql = join(body, "\n");
      i = j;
    } else {
      if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      if (base.verdict != Verdict::allow) {
        const std::size_t arrow = rest.rfind(" => ");
        if (arrow == std::string_view::npos) {
          base.problem = "refuse and invalid cases need ` => <expected message>`";
        } else {
          base.expected = std::string(trim(rest.substr(arrow + 4)));
          rest = rest.substr(0, arrow);
        }
      }
      sql = std::string(rest);
    }
    if (base.verdict != Verdict::allow && base.expected.empty() && base.problem.empty()) {
      base.problem = "missing the expected message";
    }
    base.sql = expand(sql, base.problem);

    std::vector<Dialect> dialects;
    if (words[1] == "both") {
      dialects = {Dialect::duckdb, Dialect::postgres};
    } else if (words[1] == "duckdb") {
      dialects = {Dialect::duckdb};
    } else if (words[1] == "postgres") {
      dialects = {Dialect::postgres};
    } else {
      base.problem = "unknown dialects " + std::string(words[1]);
      dialects = {Dialect::duckdb};
    }
    for (Dialect dialect : dialects) {
      GoldenCase one = base;
      one.dialect = dialect;
      cases.push_back(one);
    }
  }
  return cases;
}

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = load_golden_cases();
  return cases;
}

class GuardGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GuardGolden, Case) {
  const GoldenCase& c = GetParam();
  ASSERT_TRUE(c.problem.empty()) << "guard_cases.txt:" << c.line << ": " << c.problem;
  const std::string where = "guard_cases.txt:" + std::to_string(c.line) + " (" + std::string(to_string(c.dialect)) +
                            "): " + one_line(c.sql, 200);
  const auto result = guard_read_only(c.sql, c.dialect);
  switch (c.verdict) {
    case Verdict::allow: {
      ASSERT_TRUE(result) << where << "\n  refused with: " << result.error().message;
      if (!c.kind.empty()) {
        EXPECT_EQ(result->kind, c.kind) << where;
      }
      // What the guard hands out must pass the guard again: the wrapping can never turn a query into one it refuses.
      const auto again = guard_read_only(result->sql, c.dialect);
      ASSERT_TRUE(again) << where << "\n  the guarded SQL was refused: " << again.error().message;
      EXPECT_EQ(again->kind, result->wrapped ? "select" : result->kind) << where;
      break;
    }
    case Verdict::refuse:
      ASSERT_FALSE(result) << where << "\n  was allowed as: " << one_line(result->sql, 200);
      EXPECT_EQ(result.error().code, ErrorCode::permission_denied) << where << "\n  " << result.error().message;
      EXPECT_TRUE(result.error().message.starts_with("refused: ")) << where << "\n  " << result.error().message;
      EXPECT_NE(result.error().message.find(c.expected), std::string::npos)
          << where << "\n  expected: " << c.expected << "\n  got:      " << result.error().message;
      break;
    case Verdict::invalid:
      ASSERT_FALSE(result) << where << "\n  was allowed as: " << one_line(result->sql, 200);
      EXPECT_EQ(result.error().code, ErrorCode::invalid_argument) << where << "\n  " << result.error().message;
      EXPECT_NE(result.error().message.find(c.expected), std::string::npos)
          << where << "\n  expected: " << c.expected << "\n  got:      " << result.error().message;
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(GuardCases, GuardGolden, ::testing::ValuesIn(golden_cases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return "line" + std::to_string(info.param.line) + "_" +
                                  std::string(to_string(info.param.dialect));
                         });

TEST(GuardGoldenFile, HasEnoughCasesOfEachVerdict) {
  std::size_t allowed = 0, refused = 0, invalid = 0;
  for (const GoldenCase& c : golden_cases()) {
    if (c.verdict == Verdict::allow) ++allowed;
    if (c.verdict == Verdict::refuse) ++refused;
    if (c.verdict == Verdict::invalid) ++invalid;
  }
  EXPECT_GE(allowed + refused + invalid, 120u);
  EXPECT_GE(allowed, 40u);
  EXPECT_GE(refused, 60u);
  EXPECT_GE(invalid, 10u);
}

// ---------------------------------------------------------------------------------------------------------------------
// LIMIT enforcement and the SQL handed back.

GuardedQuery guarded(std::string_view sql, Dialect dialect = Dialect::duckdb,
                     std::optional<std::int64_t> limit = std::nullopt, const GuardOptions& options = {}) {
  auto result = guard_read_only(sql, dialect, limit, options);
  EXPECT_TRUE(result) << sql << ": " << result.error().message;
  return result ? *result : GuardedQuery{};
}

TEST(GuardLimit, SelectIsWrappedAndFetchesOneMoreRowThanTheLimit) {
  const GuardedQuery query = guarded("SELECT a FROM t ORDER BY a LIMIT 5;");
  EXPECT_EQ(query.sql, "SELECT * FROM (SELECT a FROM t ORDER BY a LIMIT 5) AS cowork_guarded LIMIT 101");
  EXPECT_EQ(query.limit, 100);
  EXPECT_TRUE(query.wrapped);
  EXPECT_EQ(query.kind, "select");
}

TEST(GuardLimit, WithValuesAndParenthesisedQueriesAreWrapped) {
  EXPECT_EQ(guarded("WITH x AS (SELECT 1 AS a) SELECT a FROM x").sql,
            "SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT a FROM x) AS cowork_guarded LIMIT 101");
  EXPECT_EQ(guarded("VALUES (1, 'a')", Dialect::postgres).sql,
            "SELECT * FROM (VALUES (1, 'a')) AS cowork_guarded LIMIT 101");
  EXPECT_EQ(guarded("(SELECT 1)").sql, "SELECT * FROM ((SELECT 1)) AS cowork_guarded LIMIT 101");
  EXPECT_EQ(guarded("FROM orders").sql, "SELECT * FROM (FROM orders) AS cowork_guarded LIMIT 101");
  EXPECT_EQ(guarded("WITH x AS (SELECT 1) SELECT * FROM x").kind, "with");
  EXPECT_EQ(guarded("VALUES (1)").kind, "values");
}

TEST(GuardLimit, CommentsAroundTheStatementAreDroppedAndInsideKept) {
  EXPECT_EQ(guarded("-- why\n/* note */ SELECT 1 -- trailing\n;\n-- after").sql,
            "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 101");
  // A line comment inside the statement keeps its newline, so it cannot swallow the closing parenthesis.
  EXPECT_EQ(guarded("SELECT 1 -- one\n, 2 /* two */").sql,
            "SELECT * FROM (SELECT 1 -- one\n, 2) AS cowork_guarded LIMIT 101");
}

TEST(GuardLimit, TrailingSemicolonsAreRemoved) {
  const std::string expected = "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 101";
  for (const char* sql : {"SELECT 1", "SELECT 1;", "SELECT 1 ;", "SELECT 1;;", "SELECT 1 ;  ; ", "SELECT 1;\n-- done\n",
                          ";SELECT 1;", "  \n\tSELECT 1\n;\n"}) {
    for (Dialect dialect : {Dialect::duckdb, Dialect::postgres}) EXPECT_EQ(guarded(sql, dialect).sql, expected) << sql;
  }
}

TEST(GuardLimit, DescribeShowAndExplainAreNotWrapped) {
  GuardedQuery show = guarded("SHOW TABLES;");
  EXPECT_EQ(show.sql, "SHOW TABLES");
  EXPECT_FALSE(show.wrapped);
  EXPECT_EQ(show.limit, 100);
  EXPECT_EQ(show.kind, "show");

  GuardedQuery describe = guarded("  DESCRIBE orders -- columns\n");
  EXPECT_EQ(describe.sql, "DESCRIBE orders");
  EXPECT_FALSE(describe.wrapped);
  EXPECT_EQ(describe.kind, "describe");

  GuardedQuery explain = guarded("EXPLAIN SELECT * FROM orders;", Dialect::postgres, 20);
  EXPECT_EQ(explain.sql, "EXPLAIN SELECT * FROM orders");
  EXPECT_FALSE(explain.wrapped);
  EXPECT_EQ(explain.limit, 20);
  EXPECT_EQ(explain.kind, "explain");
}

TEST(GuardLimit, RequestedLimits) {
  EXPECT_EQ(guarded("SELECT 1", Dialect::duckdb).limit, 100);  // the default
  GuardedQuery explicit_limit = guarded("SELECT 1", Dialect::duckdb, 10);
  EXPECT_EQ(explicit_limit.limit, 10);
  EXPECT_EQ(explicit_limit.sql, "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 11");
  GuardedQuery at_max = guarded("SELECT 1", Dialect::postgres, 1000);
  EXPECT_EQ(at_max.limit, 1000);
  EXPECT_EQ(at_max.sql, "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 1001");
  EXPECT_EQ(guarded("SELECT 1", Dialect::duckdb, 1).sql, "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 2");

  auto over = guard_read_only("SELECT 1", Dialect::duckdb, 1001);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(over.error().message, "limit 1001 is above the maximum of 1000 rows");

  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-5}}) {
    auto under = guard_read_only("SELECT 1", Dialect::duckdb, bad);
    ASSERT_FALSE(under);
    EXPECT_EQ(under.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(under.error().message.find("at least 1 row"), std::string::npos) << under.error().message;
  }

  // Limits apply to unwrapped statements too: the caller caps their rows with the same number.
  EXPECT_FALSE(guard_read_only("SHOW TABLES", Dialect::duckdb, 5000));
}

TEST(GuardLimit, OptionsSetTheDefaultAndTheMaximum) {
  const GuardOptions options{5, 50};
  EXPECT_EQ(guarded("SELECT 1", Dialect::duckdb, std::nullopt, options).sql,
            "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 6");
  EXPECT_EQ(guarded("SELECT 1", Dialect::duckdb, 50, options).limit, 50);
  auto over = guard_read_only("SELECT 1", Dialect::duckdb, 51, options);
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("maximum of 50"), std::string::npos);

  auto broken = guard_read_only("SELECT 1", Dialect::duckdb, std::nullopt, GuardOptions{0, 10});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::invalid_argument);
  auto inverted = guard_read_only("SELECT 1", Dialect::duckdb, std::nullopt, GuardOptions{100, 10});
  ASSERT_FALSE(inverted);
  EXPECT_EQ(inverted.error().code, ErrorCode::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------------------
// Messages and edge cases that the golden file cannot express.

TEST(GuardMessages, RefusalsSayWhatTheQueryWouldDoAndWhatIsAllowed) {
  auto update = guard_read_only("UPDATE t SET a = 1", Dialect::duckdb);
  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(update.error().message,
            "refused: UPDATE writes to the warehouse; only SELECT, WITH ... SELECT, VALUES, DESCRIBE, SHOW and "
            "EXPLAIN are allowed");

  auto postgres_update = guard_read_only("update t set a = 1", Dialect::postgres);
  ASSERT_FALSE(postgres_update);
  EXPECT_EQ(postgres_update.error().message,
            "refused: UPDATE writes to the warehouse; only SELECT, WITH ... SELECT, VALUES, SHOW and EXPLAIN are "
            "allowed");

  auto read_csv = guard_read_only("SELECT * FROM read_csv('x.csv')", Dialect::duckdb);
  ASSERT_FALSE(read_csv);
  EXPECT_EQ(read_csv.error().message,
            "refused: read_csv reads files; investigation queries may read only tables in the warehouse (at 1:15)");

  auto two = guard_read_only("SELECT 1;\nSELECT 2", Dialect::postgres);
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(two.error().message, "refused: 2 statements; run one at a time (the second starts at 2:1)");
}

TEST(GuardMessages, UnterminatedInputNamesLineAndColumn) {
  auto result = guard_read_only("SELECT 1,\n  'abc", Dialect::postgres);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(result.error().message, "unterminated string literal starting at 2:3");
}

TEST(GuardEdges, CarriageReturnEndsALineComment) {
  // PostgreSQL ends a -- comment at \r as well as \n, so what follows is SQL.
  auto result = guard_read_only("SELECT 1 -- note\r; DROP TABLE t", Dialect::postgres);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("2 statements"), std::string::npos) << result.error().message;
  EXPECT_TRUE(guard_read_only("SELECT 1 -- note\r, 2", Dialect::duckdb));
}

TEST(GuardEdges, NulBytesAreRefusedAndAByteOrderMarkIsIgnored) {
  auto nul = guard_read_only(std::string_view("SELECT 1 -- \0\n; DROP TABLE t", 29), Dialect::duckdb);
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(nul.error().message.find("NUL byte at 1:13"), std::string::npos) << nul.error().message;

  EXPECT_EQ(guarded("\xEF\xBB\xBFSELECT 1", Dialect::postgres).sql,
            "SELECT * FROM (SELECT 1) AS cowork_guarded LIMIT 101");
}

TEST(GuardEdges, DuckDbUnicodeSpacesBecomePlainSpaces) {
  // DuckDB reads a no-break space as a space; the guard does too, and hands DuckDB a query without any.
  EXPECT_EQ(guarded("SELECT\xC2\xA0"
                    "1\xE3\x80\x80-- c\xC2\xA0x\n",
                    Dialect::duckdb)
                .sql,
            "SELECT * FROM (SELECT  1) AS cowork_guarded LIMIT 101");
  EXPECT_EQ(guarded("SELECT 1,\xE2\x80\x83"
                    "2",
                    Dialect::duckdb)
                .sql,
            "SELECT * FROM (SELECT 1,   2) AS cowork_guarded LIMIT 101");
  auto hidden = guard_read_only("SELECT * FROM read_csv\xE2\x80\x8B('x')", Dialect::duckdb);  // zero-width space
  ASSERT_FALSE(hidden);
  EXPECT_NE(hidden.error().message.find("read_csv reads files"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------------------
// Large inputs stay linear.

std::int64_t elapsed_ms(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

TEST(GuardScale, OneMegabyteQueriesAreFast) {
  std::string wide = "SELECT ";
  while (wide.size() < (1u << 20)) wide += "coalesce(a.b, 'x''y', \"c\"\"d\", $$e$$) /* f */ + -- g\n";
  wide += "1 FROM t";
  std::string deep = "SELECT ";
  deep.append(200000, '(');
  deep += '1';
  deep.append(200000, ')');
  std::string dollars = "SELECT $a$";
  while (dollars.size() < (1u << 20)) dollars += "$b$x$";
  dollars += "$a$";
  std::string statements;
  while (statements.size() < (1u << 20)) statements += "SELECT 1;";
  std::string comment = "SELECT 1 /*";
  while (comment.size() < (1u << 20)) comment += "/* */ * / ";

  std::int64_t ms = elapsed_ms([&] {
    EXPECT_TRUE(guard_read_only(wide, Dialect::duckdb));
    EXPECT_TRUE(guard_read_only(wide, Dialect::postgres));
    EXPECT_TRUE(guard_read_only(deep, Dialect::postgres));
    EXPECT_TRUE(guard_read_only(dollars, Dialect::postgres));
    auto many = guard_read_only(statements, Dialect::duckdb);
    ASSERT_FALSE(many);
    EXPECT_NE(many.error().message.find("116509 statements"), std::string::npos) << many.error().message;
    auto open = guard_read_only(comment, Dialect::duckdb);
    ASSERT_FALSE(open);
    EXPECT_NE(open.error().message.find("unterminated block comment"), std::string::npos);
  });
  // A quadratic pass over a megabyte takes minutes; linear work takes well under a second even unoptimised.
  EXPECT_LT(ms, 5000);
}

}  // namespace
}  // namespace cowork::sql
