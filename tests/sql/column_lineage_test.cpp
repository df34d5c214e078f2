#include "sql/column_lineage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/strings.hpp"

namespace cowork::sql {
namespace {

namespace fs = std::filesystem;

const fs::path k_lineage_dir = fs::path(COWORK_SQL_GOLDEN_DIR) / ".." / "lineage";
const fs::path k_corpus_dir = fs::path(COWORK_SQL_GOLDEN_DIR) / ".." / ".." / "fixtures" / "corpus";

std::string read_text(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

// The readable form the .expected files hold (tests/sql/lineage/README.md describes it).
std::string render(const Result<std::vector<ColumnLineage>>& result) {
  if (!result) {
    return fmt::format("error: {}: {}\n", to_string(result.error().code), result.error().message);
  }
  std::string out;
  for (const ColumnLineage& column : *result) {
    if (!out.empty()) out += '\n';
    out += fmt::format("{}: {}\n", column.column, column.direct ? "direct" : "computed");
    out += fmt::format("  expression: {}\n", column.expression);
    for (const ColumnSource& source : column.sources) out += fmt::format("  source: {}.{}\n", source.relation, source.column);
    for (const std::string& note : column.notes) out += fmt::format("  note: {}\n", note);
  }
  if (out.empty()) out = "(no columns)\n";
  return out;
}

using Catalog = std::map<std::string, std::vector<std::string>>;

ColumnCatalog catalog_of(const Catalog& catalog) {
  return [&catalog](std::string_view relation) -> std::optional<std::vector<std::string>> {
    const auto it = catalog.find(std::string(relation));
    if (it == catalog.end()) return std::nullopt;
    return it->second;
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Golden cases: tests/sql/lineage/<case>.sql and <case>.expected. Leading comment lines may set the dialect
// (`-- dialect: postgres`) and describe relations for the catalog (`-- catalog: schema.table: a, b, c`).
// COWORK_UPDATE_GOLDEN=1 rewrites the .expected files from the current output, for review with `git diff`.

struct GoldenCase {
  std::string name;
  fs::path sql_path;
};

std::vector<GoldenCase> golden_cases() {
  std::vector<GoldenCase> cases;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(k_lineage_dir, error)) {
    if (entry.path().extension() == ".sql") cases.push_back({entry.path().stem().string(), entry.path()});
  }
  std::sort(cases.begin(), cases.end(), [](const GoldenCase& a, const GoldenCase& b) { return a.name < b.name; });
  return cases;
}

struct Directives {
  Dialect dialect = Dialect::duckdb;
  Catalog catalog;
};

Directives read_directives(const std::string& sql) {
  Directives directives;
  std::istringstream lines(sql);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("--")) break;
    const std::string_view body = trim(std::string_view(line).substr(2));
    if (body.starts_with("dialect:")) {
      directives.dialect = trim(body.substr(8)) == "postgres" ? Dialect::postgres : Dialect::duckdb;
    } else if (body.starts_with("catalog:")) {
      const std::string_view rest = trim(body.substr(8));
      const std::size_t colon = rest.find(": ");
      if (colon == std::string_view::npos) continue;
      std::vector<std::string> columns;
      for (const std::string_view column : split(rest.substr(colon + 2), ',')) columns.emplace_back(trim(column));
      directives.catalog[std::string(rest.substr(0, colon))] = columns;
    }
  }
  return directives;
}

class LineageGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(LineageGolden, Case) {
  const GoldenCase& c = GetParam();
  const std::string sql = read_text(c.sql_path);
  const Directives directives = read_directives(sql);
  const std::string actual = render(column_lineage(sql, directives.dialect, catalog_of(directives.catalog)));
  fs::path expected_path = c.sql_path;
  expected_path.replace_extension(".expected");
  const char* update = std::getenv("COWORK_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path << " is missing; run with COWORK_UPDATE_GOLDEN=1 and review";
  EXPECT_EQ(actual, read_text(expected_path)) << "golden case " << c.name << " (" << c.sql_path << ")";
}

INSTANTIATE_TEST_SUITE_P(Cases, LineageGolden, ::testing::ValuesIn(golden_cases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; });

TEST(LineageGoldenFiles, EnoughCasesAndNoStrayExpectations) {
  const std::vector<GoldenCase> cases = golden_cases();
  EXPECT_GE(cases.size(), 40u);
  std::size_t airbnb = 0;
  for (const GoldenCase& c : cases) airbnb += c.name.starts_with("airbnb_") ? 1 : 0;
  EXPECT_GE(airbnb, 8u) << "every model of examples/airbnb has a case";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(k_lineage_dir, error)) {
    if (entry.path().extension() != ".expected") continue;
    fs::path sql = entry.path();
    sql.replace_extension(".sql");
    EXPECT_TRUE(fs::exists(sql)) << entry.path() << " has no .sql";
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// trace_column

const char* const k_dim_listings_cleansed = R"sql(
with src_listings as (
    select * from "airbnb"."main"."src_listings"
)
select
    listing_id,
    listing_name,
    host_id,
    cast(replace(price_str, '$', '') as numeric(10, 2)) as price
from src_listings
)sql";

TEST(TraceColumn, FollowsAColumnThroughACteToTheParentModel) {
  const auto lineage = trace_column(k_dim_listings_cleansed, "host_id", Dialect::duckdb);
  ASSERT_TRUE(lineage) << lineage.error().message;
  EXPECT_EQ(lineage->column, "host_id");
  EXPECT_EQ(lineage->expression, "host_id");
  EXPECT_TRUE(lineage->direct);
  ASSERT_EQ(lineage->sources.size(), 1u);
  EXPECT_EQ(lineage->sources[0], (ColumnSource{"airbnb.main.src_listings", "host_id"}));
  EXPECT_TRUE(lineage->notes.empty());
}

TEST(TraceColumn, MatchesNamesCaseInsensitivelyAndKeepsTheWrittenName) {
  const auto lineage = trace_column(k_dim_listings_cleansed, "PRICE", Dialect::postgres);
  ASSERT_TRUE(lineage) << lineage.error().message;
  EXPECT_EQ(lineage->column, "price");
  EXPECT_FALSE(lineage->direct);
  ASSERT_EQ(lineage->sources.size(), 1u);
  EXPECT_EQ(lineage->sources[0], (ColumnSource{"airbnb.main.src_listings", "price_str"}));
}

TEST(TraceColumn, NotFoundNamesTheColumnsTheStatementHas) {
  const auto lineage = trace_column(k_dim_listings_cleansed, "room_type", Dialect::duckdb);
  ASSERT_FALSE(lineage);
  EXPECT_EQ(lineage.error().code, ErrorCode::not_found);
  EXPECT_NE(lineage.error().message.find("no output column room_type"), std::string::npos) << lineage.error().message;
  EXPECT_NE(lineage.error().message.find("listing_id, listing_name, host_id, price"), std::string::npos)
      << lineage.error().message;
}

TEST(TraceColumn, NotFoundListsAtMostFiftyColumns) {
  std::string sql = "select ";
  for (int i = 0; i < 120; ++i) sql += fmt::format("{}c{}", i == 0 ? "" : ", ", i);
  sql += " from t";
  const auto lineage = trace_column(sql, "nope", Dialect::duckdb);
  ASSERT_FALSE(lineage);
  EXPECT_EQ(lineage.error().code, ErrorCode::not_found);
  EXPECT_NE(lineage.error().message.find("and 70 more"), std::string::npos) << lineage.error().message;
}

TEST(TraceColumn, FollowsANameThroughAStarWhoseColumnsAreUnknown) {
  const auto lineage = trace_column("select * from raw_listings", "host_id", Dialect::duckdb);
  ASSERT_TRUE(lineage) << lineage.error().message;
  EXPECT_EQ(lineage->column, "host_id");
  EXPECT_EQ(lineage->expression, "*");
  EXPECT_TRUE(lineage->direct);
  ASSERT_EQ(lineage->sources.size(), 1u);
  EXPECT_EQ(lineage->sources[0], (ColumnSource{"raw_listings", "host_id"}));
  ASSERT_EQ(lineage->notes.size(), 1u);
  EXPECT_NE(lineage->notes[0].find("not named in the select list"), std::string::npos) << lineage->notes[0];
}

TEST(TraceColumn, AStarTheCatalogExpandsDoesNotHideMissingColumns) {
  const Catalog catalog = {{"raw_listings", {"id", "host_id"}}};
  EXPECT_TRUE(trace_column("select * from raw_listings", "host_id", Dialect::duckdb, catalog_of(catalog)));
  const auto missing = trace_column("select * from raw_listings", "price", Dialect::duckdb, catalog_of(catalog));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("id, host_id"), std::string::npos) << missing.error().message;
}

TEST(TraceColumn, SaysWhichOfSeveralColumnsWithTheNameItReturns) {
  const auto lineage = trace_column("select a.id, b.id from a join b on a.k = b.k", "id", Dialect::duckdb);
  ASSERT_TRUE(lineage) << lineage.error().message;
  ASSERT_EQ(lineage->sources.size(), 1u);
  EXPECT_EQ(lineage->sources[0].relation, "a");
  ASSERT_EQ(lineage->notes.size(), 1u);
  EXPECT_EQ(lineage->notes[0], "2 output columns are named id: this is the first");
}

TEST(TraceColumn, PassesOnParseErrors) {
  const auto lineage = trace_column("update t set a = 1", "a", Dialect::postgres);
  ASSERT_FALSE(lineage);
  EXPECT_EQ(lineage.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(lineage.error().message.find("not a SELECT statement"), std::string::npos) << lineage.error().message;
}

// What the investigation does: follow a failing column from model to parent model until it reaches a relation that
// is not a model of the project (here the raw seeds), reading each model's compiled SQL from the golden cases.
TEST(TraceColumn, WalksTheAirbnbProjectFromMartToSeed) {
  const std::map<std::string, std::string> models = {
      {"airbnb.main.dim_listings_w_hosts", "airbnb_dim_listings_w_hosts"},
      {"airbnb.main.dim_listings_cleansed", "airbnb_dim_listings_cleansed"},
      {"airbnb.main.src_listings", "airbnb_src_listings"},
      {"airbnb.main.dim_hosts_cleansed", "airbnb_dim_hosts_cleansed"},
      {"airbnb.main.src_hosts", "airbnb_src_hosts"},
  };
  const auto walk = [&](std::string relation, std::string column) {
    std::vector<std::string> path{relation + "." + column};
    while (models.contains(relation)) {
      const std::string sql = read_text(k_lineage_dir / (models.at(relation) + ".sql"));
      const auto lineage = trace_column(sql, column, Dialect::duckdb);
      if (!lineage || lineage->sources.size() != 1) return path;
      relation = lineage->sources[0].relation;
      column = lineage->sources[0].column;
      path.push_back(relation + "." + column);
    }
    return path;
  };
  EXPECT_EQ(walk("airbnb.main.dim_listings_w_hosts", "host_id"),
            (std::vector<std::string>{"airbnb.main.dim_listings_w_hosts.host_id",
                                      "airbnb.main.dim_listings_cleansed.host_id", "airbnb.main.src_listings.host_id",
                                      "airbnb.main_raw.raw_listings.host_id"}));
  EXPECT_EQ(walk("airbnb.main.dim_listings_w_hosts", "host_is_superhost"),
            (std::vector<std::string>{"airbnb.main.dim_listings_w_hosts.host_is_superhost",
                                      "airbnb.main.dim_hosts_cleansed.is_superhost", "airbnb.main.src_hosts.is_superhost",
                                      "airbnb.main_raw.raw_hosts.is_superhost"}));
  EXPECT_EQ(walk("airbnb.main.dim_hosts_cleansed", "host_id"),
            (std::vector<std::string>{"airbnb.main.dim_hosts_cleansed.host_id", "airbnb.main.src_hosts.host_id",
                                      "airbnb.main_raw.raw_hosts.id"}));
}

// ---------------------------------------------------------------------------------------------------------------------
// The catalog

TEST(Catalog, ExpandsStarsInCatalogOrderWithNormalisedNames) {
  std::vector<std::string> asked;
  const ColumnCatalog catalog = [&](std::string_view relation) -> std::optional<std::vector<std::string>> {
    asked.emplace_back(relation);
    if (relation == "airbnb.main_raw.raw_hosts") return std::vector<std::string>{"id", "name", "is_superhost"};
    return std::nullopt;
  };
  const auto result = column_lineage(R"(select * from "airbnb"."main_raw"."raw_hosts")", Dialect::duckdb, catalog);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].column, "id");
  EXPECT_EQ((*result)[1].column, "name");
  EXPECT_EQ((*result)[2].column, "is_superhost");
  for (const ColumnLineage& column : *result) {
    EXPECT_TRUE(column.direct);
    EXPECT_EQ(column.expression, "*");
    ASSERT_EQ(column.sources.size(), 1u);
    EXPECT_EQ(column.sources[0], (ColumnSource{"airbnb.main_raw.raw_hosts", column.column}));
    EXPECT_TRUE(column.notes.empty());
  }
  EXPECT_EQ(asked, (std::vector<std::string>{"airbnb.main_raw.raw_hosts"}));
}

TEST(Catalog, IsAskedOncePerRelation) {
  std::map<std::string, int> asked;
  const ColumnCatalog catalog = [&](std::string_view relation) -> std::optional<std::vector<std::string>> {
    ++asked[std::string(relation)];
    return std::vector<std::string>{"id", "value"};
  };
  const auto result = column_lineage(
      "with a as (select * from raw.t), b as (select * from raw.t), c as (select * from raw.u join raw.t using (id)) "
      "select * from a, b, c, raw.t x",
      Dialect::duckdb, catalog);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(asked, (std::map<std::string, int>{{"raw.t", 1}, {"raw.u", 1}}));
}

TEST(Catalog, ExpandsStarsThroughCtesAndResolvesUnqualifiedColumns) {
  const Catalog catalog = {{"raw.orders", {"order_id", "customer_id", "amount"}},
                           {"raw.customers", {"customer_id", "region"}}};
  const auto result = column_lineage(
      "with o as (select * from raw.orders), c as (select * from raw.customers) "
      "select order_id, region, amount * 2 as doubled from o join c using (customer_id)",
      Dialect::duckdb, catalog_of(catalog));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].sources, (std::vector<ColumnSource>{{"raw.orders", "order_id"}}));
  EXPECT_EQ((*result)[1].sources, (std::vector<ColumnSource>{{"raw.customers", "region"}}));
  EXPECT_EQ((*result)[2].sources, (std::vector<ColumnSource>{{"raw.orders", "amount"}}));
  for (const ColumnLineage& column : *result) EXPECT_TRUE(column.notes.empty()) << column.column;
}

TEST(Catalog, UsesTheCatalogsSpellingOfAColumn) {
  const Catalog catalog = {{"raw.t", {"Id", "Name"}}};
  const auto result = column_lineage("select ID, t.NAME from raw.t", Dialect::duckdb, catalog_of(catalog));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].sources, (std::vector<ColumnSource>{{"raw.t", "Id"}}));
  EXPECT_EQ((*result)[1].sources, (std::vector<ColumnSource>{{"raw.t", "Name"}}));
}

TEST(Catalog, AnUnknownRelationKeepsItsStarAndANote) {
  const Catalog catalog = {{"raw.known", {"a", "b"}}};
  const auto result = column_lineage("select k.*, u.* from raw.known k, raw.unknown u", Dialect::duckdb,
                                     catalog_of(catalog));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].column, "a");
  EXPECT_EQ((*result)[1].column, "b");
  EXPECT_EQ((*result)[2].column, "u.*");
  EXPECT_EQ((*result)[2].sources, (std::vector<ColumnSource>{{"raw.unknown", "*"}}));
  EXPECT_EQ((*result)[2].notes,
            (std::vector<std::string>{"select * from raw.unknown: the columns of that relation are not known"}));
}

TEST(Catalog, AColumnTheCatalogDoesNotHaveIsNotInvented) {
  const Catalog catalog = {{"raw.t", {"a"}}};
  const auto result = column_lineage("select t.b from raw.t", Dialect::duckdb, catalog_of(catalog));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 1u);
  EXPECT_TRUE((*result)[0].sources.empty());
  EXPECT_FALSE((*result)[0].direct);
  ASSERT_EQ((*result)[0].notes.size(), 1u);
  EXPECT_EQ((*result)[0].notes[0], "raw.t has no column b (its columns: a)");
}

// ---------------------------------------------------------------------------------------------------------------------
// Hostile input: errors, never crashes, bounded time.

void expect_invalid(const std::string& sql, std::string_view message_part) {
  const auto result = column_lineage(sql, Dialect::duckdb);
  ASSERT_FALSE(result) << one_line(sql, 100);
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(result.error().message.find(message_part), std::string::npos) << result.error().message;
}

std::string repeat(std::string_view text, std::size_t count) {
  std::string out;
  out.reserve(text.size() * count);
  for (std::size_t i = 0; i < count; ++i) out += text;
  return out;
}

TEST(Hostile, UnbalancedBrackets) {
  expect_invalid("select (a from t", "`(` at 1:8 is never closed");
  expect_invalid("select a) from t", "`)` at 1:9 closes nothing");
  expect_invalid("select f(a] from t", "`]` at 1:11 closes `(` opened at 1:9");
  expect_invalid(repeat("(", 1'000'000), "never closed");
  expect_invalid(repeat(")", 1'000'000), "closes nothing");
}

TEST(Hostile, TenThousandNestedParentheses) {
  const std::size_t depth = 10'000;
  // Queries nested that deep are refused...
  expect_invalid(repeat("(", depth) + "select 1" + repeat(")", depth), "nested more than 200 deep");
  expect_invalid("select * from " + repeat("(select * from ", depth) + "t" + repeat(") x", depth),
                 "nested more than 200 deep");
  expect_invalid("select " + repeat("(select ", depth) + "1" + repeat(")", depth), "nested more than 200 deep");
  expect_invalid("select * from " + repeat("(", depth) + "t" + repeat(")", depth), "nested more than 200 deep");
  // ...but an expression in that many parentheses is read without recursion.
  const auto result = column_lineage("select " + repeat("(", depth) + "a" + repeat(")", depth) + " as x from t",
                                     Dialect::duckdb);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 1u);
  EXPECT_TRUE((*result)[0].direct);
  EXPECT_EQ((*result)[0].sources, (std::vector<ColumnSource>{{"t", "a"}}));
  const auto calls = column_lineage("select " + repeat("f(", depth) + "a" + repeat(")", depth) + " as x from t",
                                    Dialect::postgres);
  ASSERT_TRUE(calls) << calls.error().message;
  EXPECT_EQ((*calls)[0].sources, (std::vector<ColumnSource>{{"t", "a"}}));
}

TEST(Hostile, AOneMegabyteSelectList) {
  // 100,000 columns, ~1 MB: every one comes back.
  std::string many = "select ";
  for (int i = 0; many.size() < 1'000'000; ++i) many += fmt::format("{}column_{}", i == 0 ? "" : ", ", i);
  many += " from t";
  const auto start = std::chrono::steady_clock::now();
  const auto result = column_lineage(many, Dialect::duckdb);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_GT(result->size(), 50'000u);
  EXPECT_EQ(result->back().sources.size(), 1u);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 2000);
  // One expression of 1 MB.
  const auto big = column_lineage("select " + repeat("a + ", 250'000) + "a as x from t", Dialect::duckdb);
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ((*big)[0].sources, (std::vector<ColumnSource>{{"t", "a"}}));
  // A 1 MB select list of nonsense gets notes or an error, not a crash.
  const auto junk = column_lineage("select " + repeat("+ ) ( case when , end as as :: [ ] ", 30'000) + " from t",
                                   Dialect::duckdb);
  EXPECT_FALSE(junk);
}

TEST(Hostile, DeepCteChainsAndColumnBlowUp) {
  // 3,000 CTEs, each a star over the one before: the column is followed until the depth limit, then a note.
  std::string chain = "with c0 as (select * from raw.t)";
  for (int i = 1; i < 3000; ++i) chain += fmt::format(", c{} as (select * from c{})", i, i - 1);
  chain += " select x from c2999";
  const auto deep = column_lineage(chain, Dialect::duckdb);
  ASSERT_TRUE(deep) << deep.error().message;
  ASSERT_EQ(deep->size(), 1u);
  ASSERT_FALSE((*deep)[0].notes.empty());
  EXPECT_NE((*deep)[0].notes.back().find("gave up following x"), std::string::npos) << (*deep)[0].notes.back();
  // The same chain over a catalogued relation with 1,000 columns would copy millions of columns: refused.
  std::vector<std::string> columns;
  for (int i = 0; i < 1000; ++i) columns.push_back(fmt::format("c{}", i));
  const Catalog catalog = {{"raw.t", columns}};
  const auto blown = column_lineage(chain, Dialect::duckdb, catalog_of(catalog));
  ASSERT_FALSE(blown);
  EXPECT_NE(blown.error().message.find("more than 500000 columns"), std::string::npos) << blown.error().message;
}

TEST(Hostile, OddBytesAndEmptyInput) {
  expect_invalid("", "no SQL statement");
  expect_invalid("  -- only a comment\n", "no SQL statement");
  expect_invalid(";;", "no SQL statement");
  expect_invalid(std::string("select a\0b from t", 17), "NUL byte");
  expect_invalid("select 'unterminated from t", "unterminated string literal");
  expect_invalid("select a from t; drop table t", "more than one statement");
  const auto utf8 = column_lineage("select \xC3\xA9t\xC3\xA9 as \"\xC3\xA9\" from caf\xC3\xA9", Dialect::postgres);
  ASSERT_TRUE(utf8) << utf8.error().message;
  EXPECT_EQ((*utf8)[0].column, "\xC3\xA9");
  EXPECT_EQ((*utf8)[0].sources, (std::vector<ColumnSource>{{"caf\xC3\xA9", "\xC3\xA9t\xC3\xA9"}}));
}

// Random soups of SQL fragments: whatever comes back, nothing crashes and the answer is an error or columns.
TEST(Hostile, RandomFragmentSoup) {
  const std::vector<std::string> fragments = {
      "select", "from",  "with",  "as",    "(",       ")",      ",",      "*",     "t",       "a.b",   "join",
      "on",     "using", "union", "all",   "case",    "when",   "then",   "end",   "'x'",     "1",     "::int",
      "over",   "where", "group", "by",    "order",   "left",   "lateral", "values", "exclude", "[",   "]",
      "{",      "}",     "->",    "x",     "\"q\"",   "cast",   "interval", "filter", "within", "distinct", "on",
      "recursive", "except", "intersect", "pivot", "natural", ";", ".", "-- c\n", "/* c */", "extract", "day"};
  std::mt19937 random(12345);
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> length(1, 60);
  int analysed = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string sql = round % 2 == 0 ? "select " : "with a as (select ";
    const int n = length(random);
    for (int i = 0; i < n; ++i) sql += fragments[pick(random)] + " ";
    const auto result = column_lineage(sql, round % 3 == 0 ? Dialect::postgres : Dialect::duckdb);
    if (result) ++analysed;
    const auto traced = trace_column(sql, "a", Dialect::duckdb);
    if (!traced) {
      EXPECT_TRUE(traced.error().code == ErrorCode::invalid_argument || traced.error().code == ErrorCode::not_found);
    }
  }
  EXPECT_GT(analysed, 0);
}

// ---------------------------------------------------------------------------------------------------------------------
// Large models (their timing is measured by bench/, not here)

// A generated model of about 2,000 lines: 50 CTEs of 40 lines, each joining the previous one to a base table, with
// CASE, casts, window functions and a UNION.
std::string generated_model() {
  std::string sql = "with c0 as (\n  select * from \"warehouse\".\"raw\".\"events\"\n)";
  for (int i = 1; i <= 50; ++i) {
    sql += fmt::format(",\nc{} as (\n  select\n", i);
    sql += fmt::format("    p.id,\n    p.customer_id,\n    p.amount,\n    p.status,\n    p.created_at,\n");
    for (int k = 0; k < 12; ++k) {
      sql += fmt::format(
          "    case when p.status = 'x{0}' then cast(p.amount as numeric(10, 2)) * {0}\n"
          "         else coalesce(b.value_{0}, 0) end as metric_{0},\n",
          k);
    }
    sql += "    row_number() over (partition by p.customer_id order by p.created_at desc) as rank_in_customer,\n";
    sql += "    b.label::text as label\n";
    sql += fmt::format("  from c{} p\n  left join \"warehouse\".\"raw\".\"dim_{}\" b on b.id = p.id\n", i - 1, i);
    sql += "  where p.amount > 0 -- keep positive amounts\n";
    sql += "  /* a block comment\n     over two lines */\n";
    sql += fmt::format("  union all\n  select id, customer_id, amount, status, created_at");
    for (int k = 0; k < 12; ++k) sql += fmt::format(", 0");
    sql += ", 0, 'none'\n  from \"warehouse\".\"raw\".\"archive\"\n)";
  }
  sql += "\nselect id, customer_id, metric_3, label, rank_in_customer from c50\n";
  return sql;
}

TEST(LargeModel, TracesATwoThousandLineModel) {
  const std::string sql = generated_model();
  const auto lines = std::count(sql.begin(), sql.end(), '\n');
  EXPECT_GE(lines, 2000);
  const auto result = column_lineage(sql, Dialect::duckdb);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->size(), 5u);
  EXPECT_EQ((*result)[2].column, "metric_3");
  // metric_3 of c50 reads p.status and p.amount (which every CTE passes down from events, and each UNION branch from
  // archive) and b.value_3 of the last join only.
  std::vector<std::string> sources;
  for (const auto& source : (*result)[2].sources) sources.push_back(source.relation + "." + source.column);
  std::sort(sources.begin(), sources.end());
  EXPECT_EQ(sources, (std::vector<std::string>{"warehouse.raw.archive.amount", "warehouse.raw.archive.status",
                                               "warehouse.raw.dim_50.value_3", "warehouse.raw.events.amount",
                                               "warehouse.raw.events.status"}));
}

TEST(LargeModel, TracesTheLargestTuvaModel) {
  const std::string sql = read_text(k_lineage_dir / "tuva_institutional_header_fail_details.sql");
  EXPECT_GE(std::count(sql.begin(), sql.end(), '\n'), 1400);
  const auto result = column_lineage(sql, Dialect::postgres);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->empty());
}

// ---------------------------------------------------------------------------------------------------------------------
// The corpus: every compiled model of every real manifest is analysed (DuckDB, PostgreSQL and Snowflake SQL); only
// those in a dialect the tokenizer does not speak (Synapse's [brackets], BigQuery's `backticks`) or that are not SQL
// (Python models) may fail, and they fail with an error.

TEST(Corpus, EveryCompiledModelIsAnalysedOrRefusedWithAReason) {
  std::vector<fs::path> manifests;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(k_corpus_dir, error)) {
    const std::string file = entry.path().filename().string();
    if (file.starts_with("manifest") && file.ends_with(".json")) manifests.push_back(entry.path());
  }
  ASSERT_GE(manifests.size(), 20u) << "the corpus under " << k_corpus_dir;
  std::size_t analysed = 0;
  std::size_t refused = 0;
  for (const fs::path& path : manifests) {
    const std::string name = fs::relative(path, k_corpus_dir).string();
    const nlohmann::json manifest = nlohmann::json::parse(read_text(path), nullptr, false);
    if (manifest.is_discarded() || !manifest.contains("nodes")) continue;
    const std::string adapter = manifest.contains("metadata") ? manifest["metadata"].value("adapter_type", "") : "";
    for (const auto& [id, node] : manifest["nodes"].items()) {
      if (node.value("resource_type", "") != "model") continue;
      std::string sql = node.value("compiled_code", "");
      if (sql.empty()) sql = node.value("compiled_sql", "");
      if (sql.empty()) continue;
      const Dialect dialect = adapter == "duckdb" ? Dialect::duckdb : Dialect::postgres;
      const auto result = column_lineage(sql, dialect);
      if (result) {
        ++analysed;
        EXPECT_FALSE(result->empty()) << id;
        continue;
      }
      ++refused;
      const std::string& message = result.error().message;
      const bool foreign = adapter == "synapse" || adapter == "bigquery" || node.value("language", "sql") == "python";
      EXPECT_TRUE(foreign) << name << " " << id << " (" << adapter << "): " << message;
    }
  }
  RecordProperty("analysed", std::to_string(analysed));
  RecordProperty("refused", std::to_string(refused));
  EXPECT_GT(analysed, 500u);
}

}  // namespace
}  // namespace cowork::sql
