#include "warehouse/duckdb_warehouse.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "support/temp_dir.hpp"
#include "warehouse/duckdb_library.hpp"

namespace cowork::warehouse {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

Value integer(std::int64_t value) {
  return Value(value);
}
Value text(std::string value) {
  return Value(std::move(value));
}

ConnectionConfig duckdb_config(std::string path, AccessMode access = AccessMode::read_write) {
  ConnectionConfig config;
  config.type = "duckdb";
  config.path = std::move(path);
  config.access = access;
  return config;
}

std::unique_ptr<Warehouse> open_or_fail(const ConnectionConfig& config) {
  auto opened = open_duckdb_warehouse(config);
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

// Creates a database file with `statements` run in it, and closes it so another connection can open it.
void make_database(const std::filesystem::path& path, std::string_view statements) {
  auto warehouse = open_or_fail(duckdb_config(path.string()));
  ASSERT_TRUE(warehouse);
  auto status = warehouse->execute(statements);
  ASSERT_TRUE(status) << status.error().message;
}

class DuckDbWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_warehouse = open_or_fail(duckdb_config(":memory:"));
    ASSERT_TRUE(m_warehouse);
  }

  QueryResult query(std::string_view sql, QueryOptions options = {}) {
    auto result = m_warehouse->query(sql, options);
    EXPECT_TRUE(result) << sql << ": " << result.error().message;
    return result ? std::move(*result) : QueryResult{};
  }

  std::unique_ptr<Warehouse> m_warehouse;
};

TEST_F(DuckDbWarehouseTest, PlainTypesComeBackTyped) {
  auto result = query(R"(SELECT true AS b, 1::TINYINT AS i8, 2::SMALLINT AS i16, 3::INTEGER AS i32,
      4::BIGINT AS i64, 5::UTINYINT AS u8, 6::USMALLINT AS u16, 7::UINTEGER AS u32, 8::UBIGINT AS u64,
      1.5::FLOAT AS f32, 2.25::DOUBLE AS f64, 12.34::DECIMAL(10,2) AS dec, 123456789.125::DECIMAL(38,3) AS wide,
      'hello' AS short, 'a string longer than twelve bytes' AS long,
      DATE '2024-01-31' AS d, TIMESTAMP '2024-01-31 12:34:56.5' AS ts, TIME '13:45:07' AS t,
      TIMESTAMP_S '2024-01-31 12:34:56' AS ts_s, TIMESTAMP_MS '2024-01-31 12:34:56.125' AS ts_ms,
      TIMESTAMP_NS '2024-01-31 12:34:56.123456789' AS ts_ns, DATE '1969-12-31' AS before_epoch,
      TIMESTAMP '1969-12-31 23:59:59.999999' AS ts_before_epoch)");
  const std::vector<std::pair<std::string, std::string>> expected_columns = {
      {"b", "BOOLEAN"},
      {"i8", "TINYINT"},
      {"i16", "SMALLINT"},
      {"i32", "INTEGER"},
      {"i64", "BIGINT"},
      {"u8", "UTINYINT"},
      {"u16", "USMALLINT"},
      {"u32", "UINTEGER"},
      {"u64", "UBIGINT"},
      {"f32", "FLOAT"},
      {"f64", "DOUBLE"},
      {"dec", "DECIMAL(10,2)"},
      {"wide", "DECIMAL(38,3)"},
      {"short", "VARCHAR"},
      {"long", "VARCHAR"},
      {"d", "DATE"},
      {"ts", "TIMESTAMP"},
      {"t", "TIME"},
      {"ts_s", "TIMESTAMP_S"},
      {"ts_ms", "TIMESTAMP_MS"},
      {"ts_ns", "TIMESTAMP_NS"},
      {"before_epoch", "DATE"},
      {"ts_before_epoch", "TIMESTAMP"},
  };
  ASSERT_EQ(result.columns.size(), expected_columns.size());
  for (std::size_t i = 0; i < expected_columns.size(); ++i) {
    EXPECT_EQ(result.columns[i].name, expected_columns[i].first);
    EXPECT_EQ(result.columns[i].type, expected_columns[i].second) << result.columns[i].name;
  }
  ASSERT_EQ(result.rows.size(), 1u);
  const auto& row = result.rows[0];
  EXPECT_EQ(row[0], Value(true));
  for (int i = 1; i <= 8; ++i) EXPECT_EQ(row[i], integer(i)) << result.columns[i].name;
  EXPECT_EQ(row[9], Value(1.5));
  EXPECT_EQ(row[10], Value(2.25));
  EXPECT_DOUBLE_EQ(std::get<double>(row[11]), 12.34);
  EXPECT_DOUBLE_EQ(std::get<double>(row[12]), 123456789.125);
  EXPECT_EQ(row[13], text("hello"));
  EXPECT_EQ(row[14], text("a string longer than twelve bytes"));
  EXPECT_EQ(row[15], text("2024-01-31"));
  EXPECT_EQ(row[16], text("2024-01-31 12:34:56.5"));
  EXPECT_EQ(row[17], text("13:45:07"));
  EXPECT_EQ(row[18], text("2024-01-31 12:34:56"));
  EXPECT_EQ(row[19], text("2024-01-31 12:34:56.125"));
  EXPECT_EQ(row[20], text("2024-01-31 12:34:56.123456789"));
  EXPECT_EQ(row[21], text("1969-12-31"));
  EXPECT_EQ(row[22], text("1969-12-31 23:59:59.999999"));
}

TEST_F(DuckDbWarehouseTest, NullsOfEveryTypeAreMonostate) {
  auto result = query(R"(SELECT NULL::BOOLEAN, NULL::INTEGER, NULL::BIGINT, NULL::HUGEINT, NULL::DOUBLE,
      NULL::DECIMAL(10,2), NULL::VARCHAR, NULL::DATE, NULL::TIMESTAMP, NULL::TIME, NULL::INTEGER[], NULL::INTERVAL)");
  ASSERT_EQ(result.rows.size(), 1u);
  ASSERT_EQ(result.rows[0].size(), 12u);
  for (const auto& value : result.rows[0]) EXPECT_TRUE(std::holds_alternative<std::monostate>(value));
}

TEST_F(DuckDbWarehouseTest, NullsMixedWithValuesAcrossChunks) {
  // 5000 rows span several of DuckDB's 2048-row chunks.
  auto result = query("SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS v FROM range(5000) t(i) ORDER BY i");
  ASSERT_EQ(result.rows.size(), 5000u);
  for (std::int64_t i = 0; i < 5000; ++i) {
    if (i % 3 == 0)
      EXPECT_TRUE(std::holds_alternative<std::monostate>(result.rows[i][0])) << i;
    else
      EXPECT_EQ(result.rows[i][0], integer(i));
  }
}

TEST_F(DuckDbWarehouseTest, OtherTypesComeBackAsDuckDbsText) {
  ASSERT_TRUE(m_warehouse->execute("CREATE TYPE mood AS ENUM ('ok', 'sad')"));
  auto result = query(R"(SELECT [1, 2, 3] AS l, {'a': 1, 'b': 'x'} AS s, INTERVAL 3 DAY AS i,
      '00000000-0000-0000-0000-000000000001'::UUID AS u, 'sad'::mood AS m, MAP {'k': 1} AS mp,
      '\xAA'::BLOB AS bl, 170141183460469231731687303715884105727::HUGEINT AS huge,
      -170141183460469231731687303715884105727::HUGEINT AS negative_huge, 18446744073709551615::UBIGINT AS big,
      42::HUGEINT AS small_huge, [[1, 2], [3]] AS nested)");
  ASSERT_EQ(result.rows.size(), 1u);
  const auto& row = result.rows[0];
  EXPECT_EQ(result.columns[0].type, "INTEGER[]");
  EXPECT_EQ(row[0], text("[1, 2, 3]"));
  EXPECT_EQ(result.columns[1].type, "STRUCT(a INTEGER, b VARCHAR)");
  EXPECT_EQ(row[1], text("{'a': 1, 'b': x}"));
  EXPECT_EQ(result.columns[2].type, "INTERVAL");
  EXPECT_EQ(row[2], text("3 days"));
  EXPECT_EQ(result.columns[3].type, "UUID");
  EXPECT_EQ(row[3], text("00000000-0000-0000-0000-000000000001"));
  EXPECT_EQ(row[4], text("sad"));
  EXPECT_EQ(result.columns[5].type, "MAP(VARCHAR, INTEGER)");
  EXPECT_EQ(row[5], text("{k=1}"));
  EXPECT_EQ(row[6], text("\\xAA"));
  EXPECT_EQ(result.columns[7].type, "HUGEINT");
  EXPECT_EQ(row[7], text("170141183460469231731687303715884105727"));
  EXPECT_EQ(row[8], text("-170141183460469231731687303715884105727"));
  EXPECT_EQ(row[9], text("18446744073709551615"));
  EXPECT_EQ(row[10], integer(42));
  EXPECT_EQ(result.columns[11].type, "INTEGER[][]");
  EXPECT_EQ(row[11], text("[[1, 2], [3]]"));
}

TEST_F(DuckDbWarehouseTest, SumsAreIntegersAndAveragesDoubles) {
  auto result = query("SELECT sum(i) AS total, avg(i) AS mean, count(*) AS n FROM range(10) t(i)");
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0][0], integer(45));
  EXPECT_EQ(result.rows[0][1], Value(4.5));
  EXPECT_EQ(result.rows[0][2], integer(10));
}

TEST_F(DuckDbWarehouseTest, RowLimitCutsAndSaysSo) {
  auto cut = query("SELECT range AS n FROM range(10)", {.row_limit = 3});
  ASSERT_EQ(cut.rows.size(), 3u);
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.rows[2][0], integer(2));

  auto exact = query("SELECT range AS n FROM range(10)", {.row_limit = 10});
  EXPECT_EQ(exact.rows.size(), 10u);
  EXPECT_FALSE(exact.truncated);

  auto none = query("SELECT range AS n FROM range(10)", {.row_limit = 0});
  EXPECT_TRUE(none.rows.empty());
  EXPECT_TRUE(none.truncated);
  ASSERT_EQ(none.columns.size(), 1u);
  EXPECT_EQ(none.columns[0].name, "n");

  auto empty = query("SELECT 1 AS x WHERE false", {.row_limit = 0});
  EXPECT_FALSE(empty.truncated);
  EXPECT_EQ(empty.columns.at(0).type, "INTEGER");

  auto all = query("SELECT range AS n FROM range(3000)");
  EXPECT_EQ(all.rows.size(), 3000u);
  EXPECT_FALSE(all.truncated);
}

TEST_F(DuckDbWarehouseTest, RowLimitKeepsTheStatementsOrderAndColumns) {
  auto top = query("SELECT range AS n, range * 2 AS n FROM range(100000) ORDER BY range DESC;", {.row_limit = 3});
  ASSERT_EQ(top.rows.size(), 3u);
  EXPECT_TRUE(top.truncated);
  ASSERT_EQ(top.columns.size(), 2u);
  EXPECT_EQ(top.columns[1].name, "n");
  EXPECT_EQ(top.rows[0][0], integer(99999));
  EXPECT_EQ(top.rows[0][1], integer(199998));
  EXPECT_EQ(top.rows[2][0], integer(99997));

  auto commented = query("SELECT 1 AS x -- a trailing comment", {.row_limit = 5});
  ASSERT_EQ(commented.rows.size(), 1u);
  EXPECT_EQ(commented.rows[0][0], integer(1));
}

TEST_F(DuckDbWarehouseTest, RowLimitAppliesToStatementsThatCannotBeWrapped) {
  // DuckDB calls PRAGMA a SELECT, but it cannot stand in a subquery.
  auto all = query("PRAGMA database_list");
  ASSERT_FALSE(all.rows.empty());
  auto none = query("PRAGMA database_list", {.row_limit = 0});
  EXPECT_TRUE(none.rows.empty());
  EXPECT_TRUE(none.truncated);
  auto call = query("CALL pragma_version()", {.row_limit = 0});
  EXPECT_TRUE(call.truncated);
}

TEST_F(DuckDbWarehouseTest, TryingToWrapAStatementDoesNotDisturbATransaction) {
  ASSERT_TRUE(m_warehouse->begin());
  ASSERT_TRUE(m_warehouse->execute("CREATE TABLE in_transaction AS SELECT 1 AS x"));
  EXPECT_TRUE(query("PRAGMA database_list", {.row_limit = 0}).truncated);
  EXPECT_EQ(query("SELECT x FROM in_transaction", {.row_limit = 1}).rows.at(0).at(0), integer(1));
  ASSERT_TRUE(m_warehouse->commit());
  EXPECT_TRUE(*m_warehouse->relation_exists("main", "in_transaction"));
}

TEST_F(DuckDbWarehouseTest, ExecuteRunsSeveralStatements) {
  auto status =
      m_warehouse->execute("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2);\nINSERT INTO t VALUES (3);");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(query("SELECT count(*) FROM t").rows.at(0).at(0), integer(3));

  auto inserted = query("INSERT INTO t VALUES (4), (5)");
  EXPECT_EQ(inserted.rows_affected, 2);
  auto updated = query("UPDATE t SET i = i + 1 WHERE i > 3");
  EXPECT_EQ(updated.rows_affected, 2);
  auto returning = query("INSERT INTO t VALUES (9) RETURNING i");
  EXPECT_EQ(returning.rows.at(0).at(0), integer(9));
  EXPECT_EQ(returning.rows_affected, -1);
  EXPECT_EQ(query("SELECT 1").rows_affected, -1);

  // Statements before a failing one have run.
  auto failed = m_warehouse->execute("INSERT INTO t VALUES (6); INSERT INTO missing VALUES (1)");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::not_found);
  EXPECT_EQ(query("SELECT count(*) FROM t WHERE i = 6").rows.at(0).at(0), integer(2));
}

TEST_F(DuckDbWarehouseTest, QueryTakesOneStatement) {
  auto result = m_warehouse->query("SELECT 1; SELECT 2");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
}

TEST_F(DuckDbWarehouseTest, ErrorsCarryDuckDbsMessageAndTheDatabase) {
  auto missing = m_warehouse->query("SELECT * FROM missing_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_TRUE(missing.error().message.starts_with("duckdb at :memory:")) << missing.error().message;
  EXPECT_NE(missing.error().message.find("Catalog Error"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("missing_table"), std::string::npos);

  auto syntax = m_warehouse->query("SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos) << syntax.error().message;

  auto runtime = m_warehouse->query("SELECT 1 / 0 AS x, CAST('abc' AS INTEGER) AS y");
  ASSERT_FALSE(runtime);
  EXPECT_NE(runtime.error().message.find("abc"), std::string::npos) << runtime.error().message;
}

TEST_F(DuckDbWarehouseTest, TimeoutCancelsTheQueryAndTheConnectionStaysUsable) {
  const auto start = std::chrono::steady_clock::now();
  auto result = m_warehouse->query("SELECT count(*) FROM range(1000000000) a, range(1000000000) b", {.timeout = 300ms});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::timeout);
  EXPECT_NE(result.error().message.find("duckdb at :memory:"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("0.3 s"), std::string::npos) << result.error().message;
  EXPECT_LT(elapsed, 5s);

  EXPECT_EQ(query("SELECT 42").rows.at(0).at(0), integer(42));

  auto statement = m_warehouse->execute(
      "CREATE TABLE big AS SELECT count(*) AS n FROM range(1000000000) a, range(1000000000) b", {.timeout = 300ms});
  ASSERT_FALSE(statement);
  EXPECT_EQ(statement.error().code, ErrorCode::timeout);
  EXPECT_EQ(query("SELECT 43").rows.at(0).at(0), integer(43));

  // A long statement after a quick one in the same call is cancelled too.
  auto second = m_warehouse->execute(
      "SELECT 1; SELECT count(*) FROM range(1000000000) a, range(1000000000) b; SELECT 2", {.timeout = 300ms});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::timeout);
  EXPECT_EQ(query("SELECT 44").rows.at(0).at(0), integer(44));
}

TEST_F(DuckDbWarehouseTest, EmptyStatementsAreErrorsNotCrashes) {
  auto empty = m_warehouse->query("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
  auto blank = m_warehouse->query("  ;  ");
  EXPECT_FALSE(blank);
}

TEST_F(DuckDbWarehouseTest, TransactionsRollBackAndCommit) {
  ASSERT_TRUE(m_warehouse->begin());
  ASSERT_TRUE(m_warehouse->execute("CREATE TABLE sandbox AS SELECT 1 AS x"));
  EXPECT_EQ(query("SELECT x FROM sandbox").rows.at(0).at(0), integer(1));
  ASSERT_TRUE(m_warehouse->rollback());
  EXPECT_FALSE(*m_warehouse->relation_exists("main", "sandbox"));

  ASSERT_TRUE(m_warehouse->begin());
  ASSERT_TRUE(m_warehouse->execute("CREATE TABLE kept AS SELECT 1 AS x"));
  ASSERT_TRUE(m_warehouse->commit());
  EXPECT_TRUE(*m_warehouse->relation_exists("main", "kept"));
}

TEST_F(DuckDbWarehouseTest, QuoteDoublesQuotes) {
  EXPECT_EQ(m_warehouse->quote("orders"), "\"orders\"");
  const std::string odd = R"(my "odd" name)";
  EXPECT_EQ(m_warehouse->quote(odd), R"("my ""odd"" name")");
  ASSERT_TRUE(m_warehouse->execute("CREATE TABLE " + m_warehouse->quote(odd) + " (x INTEGER)"));
  auto exists = m_warehouse->relation_exists("main", odd);
  ASSERT_TRUE(exists) << exists.error().message;
  EXPECT_TRUE(*exists);
}

TEST(DuckDbWarehouse, RelationsInAFileDatabase) {
  TempDir dir;
  const auto path = dir.path() / "dev.duckdb";
  auto config = duckdb_config(path.string());
  config.schema = "analytics";
  auto warehouse = open_or_fail(config);
  ASSERT_TRUE(warehouse);
  EXPECT_EQ(warehouse->describe(), "duckdb at " + path.string() + " (schema analytics)");
  ASSERT_TRUE(warehouse->execute(R"(CREATE SCHEMA analytics;
      CREATE TABLE analytics.orders (id INTEGER, amount DECIMAL(10,2), note VARCHAR, created DATE);
      CREATE VIEW analytics.big_orders AS SELECT id, amount FROM analytics.orders WHERE amount > 100;)"));

  EXPECT_TRUE(*warehouse->relation_exists("analytics", "orders"));
  EXPECT_TRUE(*warehouse->relation_exists("analytics", "big_orders"));
  EXPECT_TRUE(*warehouse->relation_exists("ANALYTICS", "Orders"));  // DuckDB resolves names case-insensitively
  EXPECT_FALSE(*warehouse->relation_exists("analytics", "customers"));
  EXPECT_FALSE(*warehouse->relation_exists("main", "orders"));

  auto columns = warehouse->relation_columns("analytics", "orders");
  ASSERT_TRUE(columns) << columns.error().message;
  ASSERT_EQ(columns->size(), 4u);
  EXPECT_EQ((*columns)[0].name, "id");
  EXPECT_EQ((*columns)[0].type, "INTEGER");
  EXPECT_EQ((*columns)[1].name, "amount");
  EXPECT_EQ((*columns)[1].type, "DECIMAL(10,2)");
  EXPECT_EQ((*columns)[2].name, "note");
  EXPECT_EQ((*columns)[2].type, "VARCHAR");
  EXPECT_EQ((*columns)[3].name, "created");
  EXPECT_EQ((*columns)[3].type, "DATE");

  auto view_columns = warehouse->relation_columns("analytics", "big_orders");
  ASSERT_TRUE(view_columns);
  EXPECT_EQ(view_columns->size(), 2u);

  auto missing = warehouse->relation_columns("analytics", "customers");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("analytics.customers"), std::string::npos);

  // Data written survives closing and reopening.
  ASSERT_TRUE(warehouse->execute("INSERT INTO analytics.orders VALUES (1, 150.5, 'first', DATE '2024-02-29')"));
  warehouse.reset();
  auto reopened = open_or_fail(duckdb_config(path.string()));
  ASSERT_TRUE(reopened);
  auto rows = reopened->query("SELECT * FROM analytics.big_orders");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][1], Value(150.5));
}

TEST(DuckDbWarehouse, ReadOnlyRefusesWritesFilesAndSettings) {
  TempDir dir;
  const auto path = dir.path() / "prod.duckdb";
  make_database(path, "CREATE TABLE orders AS SELECT 1 AS id");
  const auto csv = dir.write("data.csv", "a,b\n1,2\n");

  auto warehouse = open_or_fail(duckdb_config(path.string(), AccessMode::read_only));
  ASSERT_TRUE(warehouse);
  EXPECT_EQ(warehouse->describe(), "duckdb at " + path.string() + " (read-only)");
  auto read = warehouse->query("SELECT id FROM orders");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->rows.at(0).at(0), integer(1));

  auto create = warehouse->execute("CREATE TABLE scratch (i INTEGER)");
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, ErrorCode::permission_denied) << create.error().message;
  auto insert = warehouse->execute("INSERT INTO orders VALUES (2)");
  ASSERT_FALSE(insert);
  EXPECT_EQ(insert.error().code, ErrorCode::permission_denied) << insert.error().message;

  auto read_csv = warehouse->query("SELECT * FROM read_csv('" + csv.string() + "')");
  ASSERT_FALSE(read_csv);
  EXPECT_EQ(read_csv.error().code, ErrorCode::permission_denied) << read_csv.error().message;
  const auto out = dir.path() / "out.csv";
  auto copy = warehouse->execute("COPY orders TO '" + out.string() + "'");
  ASSERT_FALSE(copy);
  EXPECT_FALSE(std::filesystem::exists(out));
  auto attach = warehouse->execute("ATTACH '" + (dir.path() / "other.duckdb").string() + "' AS other");
  ASSERT_FALSE(attach);

  for (const char* setting :
       {"SET enable_external_access = true", "SET lock_configuration = false", "RESET enable_external_access"}) {
    auto set = warehouse->execute(setting);
    ASSERT_FALSE(set) << setting;
    EXPECT_EQ(set.error().code, ErrorCode::permission_denied) << setting << ": " << set.error().message;
  }
  // Still locked after the attempts.
  EXPECT_FALSE(warehouse->query("SELECT * FROM read_csv('" + csv.string() + "')"));
}

TEST(DuckDbWarehouse, AttachedDatabaseIsReadableButNotWritable) {
  TempDir dir;
  const auto prod = dir.path() / "prod.duckdb";
  make_database(prod, "CREATE TABLE orders AS SELECT * FROM (VALUES (1, 10.0), (2, 20.0)) t(id, amount)");

  auto config = duckdb_config(":memory:");
  config.attach_read_only = {{prod.string(), "prod"}};
  auto sandbox = open_or_fail(config);
  ASSERT_TRUE(sandbox);
  EXPECT_EQ(sandbox->describe(), "duckdb at :memory: (prod attached read-only from " + prod.string() + ")");

  auto count = sandbox->query("SELECT count(*) FROM prod.main.orders");
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(count->rows.at(0).at(0), integer(2));

  auto write = sandbox->execute("INSERT INTO prod.main.orders VALUES (3, 30.0)");
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::permission_denied) << write.error().message;
  auto drop = sandbox->execute("DROP TABLE prod.main.orders");
  ASSERT_FALSE(drop);

  // The scratch database is where a sandboxed build writes.
  ASSERT_TRUE(sandbox->execute("CREATE TABLE orders_fixed AS SELECT * FROM prod.orders WHERE id > 1"));
  EXPECT_TRUE(*sandbox->relation_exists("main", "orders_fixed"));
  EXPECT_TRUE(*sandbox->relation_exists("prod.main", "orders"));
  EXPECT_FALSE(*sandbox->relation_exists("main", "orders"));
  auto columns = sandbox->relation_columns("prod.main", "orders");
  ASSERT_TRUE(columns) << columns.error().message;
  EXPECT_EQ(columns->size(), 2u);
  sandbox.reset();

  auto reopened = open_or_fail(duckdb_config(prod.string()));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->query("SELECT count(*) FROM orders")->rows.at(0).at(0), integer(2));
}

TEST(DuckDbWarehouse, ReadOnlyWithAttachmentsLocksDownAfterAttaching) {
  TempDir dir;
  const auto main = dir.path() / "main.duckdb";
  const auto prod = dir.path() / "prod.duckdb";
  make_database(main, "CREATE TABLE local_t AS SELECT 1 AS x");
  make_database(prod, "CREATE TABLE orders AS SELECT 7 AS id");
  const auto csv = dir.write("data.csv", "a\n1\n");

  for (const auto& path : {main.string(), std::string(":memory:")}) {
    auto config = duckdb_config(path, AccessMode::read_only);
    config.attach_read_only = {{prod.string(), "prod"}};
    auto warehouse = open_or_fail(config);
    ASSERT_TRUE(warehouse) << path;
    auto read = warehouse->query("SELECT id FROM prod.orders");
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->rows.at(0).at(0), integer(7));
    EXPECT_FALSE(warehouse->query("SELECT * FROM read_csv('" + csv.string() + "')")) << path;
    EXPECT_FALSE(warehouse->execute("SET enable_external_access = true")) << path;
    EXPECT_FALSE(warehouse->execute("CREATE TABLE prod.main.x (i INTEGER)")) << path;
  }
  auto config = duckdb_config(main.string(), AccessMode::read_only);
  config.attach_read_only = {{prod.string(), "prod"}};
  auto warehouse = open_or_fail(config);
  ASSERT_TRUE(warehouse);
  EXPECT_FALSE(warehouse->execute("CREATE TABLE y (i INTEGER)"));
}

TEST(DuckDbWarehouse, PathsThatCannotBeOpenedAreNamed) {
  TempDir dir;
  const auto missing_folder = dir.path() / "no" / "such" / "folder" / "dev.duckdb";
  auto opened = open_duckdb_warehouse(duckdb_config(missing_folder.string()));
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find(missing_folder.string()), std::string::npos) << opened.error().message;

  const auto not_a_database = dir.write("notes.duckdb", "these are not the bytes of a DuckDB database file\n");
  auto garbage = open_duckdb_warehouse(duckdb_config(not_a_database.string()));
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find(not_a_database.string()), std::string::npos) << garbage.error().message;

  const auto absent = dir.path() / "absent.duckdb";
  auto read_only = open_duckdb_warehouse(duckdb_config(absent.string(), AccessMode::read_only));
  ASSERT_FALSE(read_only);
  EXPECT_NE(read_only.error().message.find(absent.string()), std::string::npos) << read_only.error().message;
  EXPECT_FALSE(std::filesystem::exists(absent));

  auto config = duckdb_config(":memory:");
  config.attach_read_only = {{absent.string(), "prod"}};
  auto attach = open_duckdb_warehouse(config);
  ASSERT_FALSE(attach);
  EXPECT_NE(attach.error().message.find(absent.string()), std::string::npos) << attach.error().message;
}

// Sets an environment variable for one scope and restores it after.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    if (m_old)
      ::setenv(m_name, m_old->c_str(), 1);
    else
      ::unsetenv(m_name);
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

TEST(DuckDbLibrary, MissingLibrarySaysWhereItLookedAndHowToInstall) {
  std::vector<std::string> candidates;
  {
    ScopedEnvironment environment("COWORK_DUCKDB_LIBRARY", "/nonexistent/cowork/libduckdb.so");
    candidates = duckdb_library_candidates();
  }
  ASSERT_EQ(candidates, std::vector<std::string>{"/nonexistent/cowork/libduckdb.so"});
  auto loaded = load_duckdb_library(candidates);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::unavailable);
  const auto& message = loaded.error().message;
  EXPECT_NE(message.find("/nonexistent/cowork/libduckdb.so: no such file"), std::string::npos) << message;
  EXPECT_NE(message.find("make build"), std::string::npos) << message;
  EXPECT_NE(message.find("COWORK_DUCKDB_LIBRARY"), std::string::npos) << message;
}

TEST(DuckDbLibrary, AFileThatIsNotALibraryIsReported) {
  TempDir dir;
  const auto fake = dir.write("libduckdb.so", "not an ELF file");
  auto loaded = load_duckdb_library({fake.string()});
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find(fake.string()), std::string::npos) << loaded.error().message;
}

TEST(DuckDbLibrary, DefaultCandidatesStartWithTheInstalledCopy) {
  std::vector<std::string> candidates;
  {
    ScopedEnvironment environment("COWORK_DUCKDB_LIBRARY", "");
    candidates = duckdb_library_candidates();
  }
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_TRUE(candidates.front().ends_with("third_party/duckdb/libduckdb.so")) << candidates.front();
  EXPECT_EQ(candidates.back(), "libduckdb.so");

  auto loaded = duckdb_library();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE((*loaded)->version.starts_with("v1.")) << (*loaded)->version;
}

}  // namespace
}  // namespace cowork::warehouse
