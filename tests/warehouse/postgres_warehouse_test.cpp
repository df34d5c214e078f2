#include "warehouse/postgres_warehouse.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "postgres_server.hpp"

namespace cowork::warehouse {
namespace {

using namespace std::chrono_literals;
using testing::PostgresServer;

Value integer(std::int64_t value) {
  return Value(value);
}
Value text(std::string value) {
  return Value(std::move(value));
}

// Every test talks to the process's real server; one that cannot be started fails the test with the reason.
class PostgresWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PostgresServer::shared();
    ASSERT_TRUE(server) << server.error().message;
    m_server = *server;
    m_warehouse = open(AccessMode::read_write);
    ASSERT_TRUE(m_warehouse);
  }

  std::unique_ptr<Warehouse> open(AccessMode access) {
    auto config = m_server->config();
    config.access = access;
    auto opened = open_postgres_warehouse(config);
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  QueryResult query(std::string_view sql, QueryOptions options = {}) { return query(*m_warehouse, sql, options); }

  static QueryResult query(Warehouse& warehouse, std::string_view sql, QueryOptions options = {}) {
    auto result = warehouse.query(sql, options);
    EXPECT_TRUE(result) << sql << ": " << result.error().message;
    return result ? std::move(*result) : QueryResult{};
  }

  void execute(std::string_view sql) {
    auto status = m_warehouse->execute(sql);
    ASSERT_TRUE(status) << sql << ": " << status.error().message;
  }

  std::string location() const { return fmt::format("127.0.0.1:{}/{}", m_server->port(), PostgresServer::k_database); }

  PostgresServer* m_server = nullptr;
  std::unique_ptr<Warehouse> m_warehouse;
};

TEST_F(PostgresWarehouseTest, ValuesComeBackTyped) {
  auto result = query(R"(SELECT true AS b, NULL::bool AS nb, 1::int2 AS i2, 2::int4 AS i4, 3000000000::int8 AS i8,
      1.5::float4 AS f4, 2.25::float8 AS f8, 12.34::numeric(10,2) AS num, 'txt'::text AS t, 'v'::varchar(5) AS vc,
      DATE '2024-01-31' AS d, TIMESTAMP '2024-01-31 12:34:56.5' AS ts, TIMESTAMPTZ '2024-01-31 12:34:56+00' AS tstz,
      NULL::int4 AS n, '{"a": 1}'::jsonb AS j, 'NaN'::float8 AS nan, 42::oid AS o, 'x'::char(3) AS c)");
  const std::vector<std::pair<std::string, std::string>> expected_columns = {
      {"b", "bool"},     {"nb", "bool"},      {"i2", "int2"},          {"i4", "int4"}, {"i8", "int8"},
      {"f4", "float4"},  {"f8", "float8"},    {"num", "numeric"},      {"t", "text"},  {"vc", "varchar"},
      {"d", "date"},     {"ts", "timestamp"}, {"tstz", "timestamptz"}, {"n", "int4"},  {"j", "jsonb"},
      {"nan", "float8"}, {"o", "oid"},        {"c", "bpchar"},
  };
  ASSERT_EQ(result.columns.size(), expected_columns.size());
  for (std::size_t i = 0; i < expected_columns.size(); ++i) {
    EXPECT_EQ(result.columns[i].name, expected_columns[i].first);
    EXPECT_EQ(result.columns[i].type, expected_columns[i].second) << result.columns[i].name;
  }
  ASSERT_EQ(result.rows.size(), 1u);
  const auto& row = result.rows[0];
  EXPECT_EQ(row[0], Value(true));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(row[1]));
  EXPECT_EQ(row[2], integer(1));
  EXPECT_EQ(row[3], integer(2));
  EXPECT_EQ(row[4], integer(3000000000));
  EXPECT_EQ(row[5], Value(1.5));
  EXPECT_EQ(row[6], Value(2.25));
  EXPECT_DOUBLE_EQ(std::get<double>(row[7]), 12.34);
  EXPECT_EQ(row[8], text("txt"));
  EXPECT_EQ(row[9], text("v"));
  EXPECT_EQ(row[10], text("2024-01-31"));
  EXPECT_EQ(row[11], text("2024-01-31 12:34:56.5"));
  ASSERT_TRUE(std::holds_alternative<std::string>(row[12]));
  EXPECT_TRUE(std::get<std::string>(row[12]).starts_with("2024-01-31 ")) << std::get<std::string>(row[12]);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(row[13]));
  EXPECT_EQ(row[14], text(R"({"a": 1})"));
  EXPECT_TRUE(std::isnan(std::get<double>(row[15])));
  EXPECT_EQ(row[16], integer(42));
  EXPECT_EQ(row[17], text("x  "));
}

TEST_F(PostgresWarehouseTest, UserDefinedTypesAreNamedFromTheCatalog) {
  execute("CREATE TYPE pg_types_mood AS ENUM ('ok', 'sad')");
  auto result = query("SELECT 'sad'::pg_types_mood AS m, ARRAY['a', 'b']::text[] AS a, '1 day'::interval AS i");
  ASSERT_EQ(result.columns.size(), 3u);
  EXPECT_EQ(result.columns[0].type, "pg_types_mood");
  EXPECT_EQ(result.rows.at(0)[0], text("sad"));
  EXPECT_EQ(result.columns[1].type, "_text");
  EXPECT_EQ(result.rows.at(0)[1], text("{a,b}"));
  EXPECT_EQ(result.columns[2].type, "interval");
  EXPECT_EQ(result.rows.at(0)[2], text("1 day"));
}

TEST_F(PostgresWarehouseTest, RowLimitCutsAndSaysSo) {
  auto cut = query("SELECT n FROM generate_series(1, 10) AS n", {.row_limit = 3});
  ASSERT_EQ(cut.rows.size(), 3u);
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.rows[2][0], integer(3));

  auto exact = query("SELECT n FROM generate_series(1, 10) AS n", {.row_limit = 10});
  EXPECT_EQ(exact.rows.size(), 10u);
  EXPECT_FALSE(exact.truncated);

  auto none = query("SELECT n FROM generate_series(1, 10) AS n", {.row_limit = 0});
  EXPECT_TRUE(none.rows.empty());
  EXPECT_TRUE(none.truncated);
  ASSERT_EQ(none.columns.size(), 1u);
  EXPECT_EQ(none.columns[0].name, "n");

  auto empty = query("SELECT 1 AS x WHERE false", {.row_limit = 0});
  EXPECT_FALSE(empty.truncated);
  ASSERT_EQ(empty.columns.size(), 1u);
  EXPECT_EQ(empty.columns[0].type, "int4");

  // The rows past the limit are drained, so the connection is ready for the next statement.
  EXPECT_EQ(query("SELECT 7").rows.at(0).at(0), integer(7));
}

TEST_F(PostgresWarehouseTest, ExecuteRunsSeveralStatementsAndQueryCountsWrites) {
  execute("CREATE TABLE pg_exec_t (i int); INSERT INTO pg_exec_t VALUES (1), (2);\nINSERT INTO pg_exec_t VALUES (3);");
  EXPECT_EQ(query("SELECT count(*) FROM pg_exec_t").rows.at(0).at(0), integer(3));
  EXPECT_EQ(query("INSERT INTO pg_exec_t VALUES (4), (5)").rows_affected, 2);
  EXPECT_EQ(query("UPDATE pg_exec_t SET i = i + 1").rows_affected, 5);
  EXPECT_EQ(query("DELETE FROM pg_exec_t WHERE i > 4").rows_affected, 2);
  EXPECT_EQ(query("SELECT i FROM pg_exec_t").rows_affected, -1);
  auto returning = query("INSERT INTO pg_exec_t VALUES (9) RETURNING i");
  EXPECT_EQ(returning.rows.at(0).at(0), integer(9));

  // The statements of one call are one transaction: a failure undoes the ones before it.
  auto failed = m_warehouse->execute("INSERT INTO pg_exec_t VALUES (100); INSERT INTO no_such_table VALUES (1)");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::not_found);
  EXPECT_EQ(query("SELECT count(*) FROM pg_exec_t WHERE i = 100").rows.at(0).at(0), integer(0));
}

TEST_F(PostgresWarehouseTest, QueryTakesOneStatement) {
  auto result = m_warehouse->query("SELECT 1; SELECT 2");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
}

TEST_F(PostgresWarehouseTest, ServerErrorsArePassedThroughWithTheirSqlstate) {
  auto missing = m_warehouse->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find(R"(relation "no_such_table" does not exist)"), std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("SQLSTATE 42P01"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find(location()), std::string::npos) << missing.error().message;

  auto syntax = m_warehouse->query("SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos) << syntax.error().message;
  EXPECT_NE(syntax.error().message.find("42601"), std::string::npos) << syntax.error().message;

  auto raised = m_warehouse->execute("DO $$ BEGIN RAISE EXCEPTION 'accepted_values failed for %', 'status'; END $$");
  ASSERT_FALSE(raised);
  EXPECT_NE(raised.error().message.find("accepted_values failed for status"), std::string::npos)
      << raised.error().message;

  // An error does not leave the connection in a failed state.
  EXPECT_EQ(query("SELECT 1").rows.at(0).at(0), integer(1));
}

TEST_F(PostgresWarehouseTest, TimeoutCancelsTheQueryAndTheConnectionStaysUsable) {
  const auto start = std::chrono::steady_clock::now();
  auto result = m_warehouse->query("SELECT pg_sleep(10)", {.timeout = 300ms});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::timeout) << result.error().message;
  EXPECT_NE(result.error().message.find(location()), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("0.3 s"), std::string::npos) << result.error().message;
  EXPECT_LT(elapsed, 5s);

  EXPECT_EQ(query("SELECT 1").rows.at(0).at(0), integer(1));
  // The next statement runs under its own (default) timeout again, not the 300 ms one.
  auto slower = m_warehouse->query("SELECT pg_sleep(0.5)");
  EXPECT_TRUE(slower) << slower.error().message;

  auto statement = m_warehouse->execute("SELECT pg_sleep(10)", {.timeout = 300ms});
  ASSERT_FALSE(statement);
  EXPECT_EQ(statement.error().code, ErrorCode::timeout);
}

TEST_F(PostgresWarehouseTest, TimeoutInsideATransactionLeavesItToBeRolledBack) {
  ASSERT_TRUE(m_warehouse->begin());
  auto result = m_warehouse->query("SELECT pg_sleep(10)", {.timeout = 300ms});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::timeout);
  ASSERT_TRUE(m_warehouse->rollback());
  auto slower = m_warehouse->query("SELECT pg_sleep(0.5)");
  EXPECT_TRUE(slower) << slower.error().message;
}

TEST_F(PostgresWarehouseTest, ReadOnlyRefusesWritesInTheDatabaseItself) {
  execute("CREATE TABLE pg_ro_t AS SELECT 1 AS id");
  auto reader = open(AccessMode::read_only);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->describe(), "postgres at " + location() + " (read-only)");
  EXPECT_EQ(query(*reader, "SELECT count(*) FROM pg_ro_t").rows.at(0).at(0), integer(1));

  for (const char* write : {"INSERT INTO pg_ro_t VALUES (2)", "CREATE TABLE pg_ro_new (i int)",
                            "UPDATE pg_ro_t SET id = 5", "DROP TABLE pg_ro_t"}) {
    auto status = reader->execute(write);
    ASSERT_FALSE(status) << write;
    EXPECT_EQ(status.error().code, ErrorCode::permission_denied) << write << ": " << status.error().message;
    EXPECT_NE(status.error().message.find("read-only transaction"), std::string::npos) << status.error().message;
  }
  auto returning = reader->query("INSERT INTO pg_ro_t VALUES (3) RETURNING id");
  ASSERT_FALSE(returning);
  EXPECT_EQ(returning.error().code, ErrorCode::permission_denied);

  // Attempts to leave read-only mode: a SET is undone with the statement's transaction, and several statements in
  // one call (which could end that transaction and write after it) are refused.
  (void)reader->execute("SET default_transaction_read_only = off");
  EXPECT_FALSE(reader->execute("CREATE TABLE pg_ro_after_set (i int)"));
  EXPECT_FALSE(reader->execute("COMMIT; CREATE TABLE pg_ro_after_commit (i int)"));
  EXPECT_FALSE(reader->execute("ROLLBACK; CREATE TABLE pg_ro_after_rollback (i int)"));
  // An explicit transaction in read-only mode is read-only too.
  ASSERT_TRUE(reader->begin());
  EXPECT_FALSE(reader->execute("CREATE TABLE pg_ro_in_transaction (i int)"));
  ASSERT_TRUE(reader->rollback());

  for (const char* table :
       {"pg_ro_new", "pg_ro_after_set", "pg_ro_after_commit", "pg_ro_after_rollback", "pg_ro_in_transaction"})
    EXPECT_FALSE(*m_warehouse->relation_exists("public", table)) << table;
  EXPECT_EQ(query("SELECT count(*) FROM pg_ro_t WHERE id = 1").rows.at(0).at(0), integer(1));
  EXPECT_TRUE(*reader->relation_exists("public", "pg_ro_t"));
}

TEST_F(PostgresWarehouseTest, SandboxTransactionRolledBackLeavesNoTrace) {
  execute("CREATE TABLE pg_sandbox_orders AS SELECT 1 AS id");
  ASSERT_TRUE(m_warehouse->begin());
  execute("CREATE TABLE pg_sandbox_fixed AS SELECT id * 10 AS id FROM pg_sandbox_orders");
  execute("INSERT INTO pg_sandbox_orders VALUES (2)");
  EXPECT_EQ(query("SELECT id FROM pg_sandbox_fixed").rows.at(0).at(0), integer(10));
  EXPECT_TRUE(*m_warehouse->relation_exists("public", "pg_sandbox_fixed"));
  ASSERT_TRUE(m_warehouse->rollback());

  EXPECT_FALSE(*m_warehouse->relation_exists("public", "pg_sandbox_fixed"));
  EXPECT_EQ(query("SELECT count(*) FROM pg_sandbox_orders").rows.at(0).at(0), integer(1));
  auto other = open(AccessMode::read_write);
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other->relation_exists("public", "pg_sandbox_fixed"));

  ASSERT_TRUE(m_warehouse->begin());
  execute("CREATE TABLE pg_sandbox_kept (i int)");
  ASSERT_TRUE(m_warehouse->commit());
  EXPECT_TRUE(*other->relation_exists("public", "pg_sandbox_kept"));
}

TEST_F(PostgresWarehouseTest, CommittingAFailedTransactionIsAnError) {
  ASSERT_TRUE(m_warehouse->begin());
  execute("CREATE TABLE pg_failed_t (i int)");
  EXPECT_FALSE(m_warehouse->query("SELECT * FROM no_such_table"));
  auto aborted = m_warehouse->query("SELECT 1");
  ASSERT_FALSE(aborted);
  EXPECT_NE(aborted.error().message.find("25P02"), std::string::npos) << aborted.error().message;
  auto commit = m_warehouse->commit();
  ASSERT_FALSE(commit);
  EXPECT_NE(commit.error().message.find("rolled back"), std::string::npos) << commit.error().message;
  EXPECT_FALSE(*m_warehouse->relation_exists("public", "pg_failed_t"));
}

TEST_F(PostgresWarehouseTest, RelationsAndTheirColumns) {
  execute(R"(CREATE SCHEMA cw_rel;
      CREATE TABLE cw_rel.orders (id integer, amount numeric(10,2), note text, created date, dropped int);
      ALTER TABLE cw_rel.orders DROP COLUMN dropped;
      CREATE VIEW cw_rel.big_orders AS SELECT id, amount FROM cw_rel.orders WHERE amount > 100;
      CREATE TABLE cw_rel.empty ();)");
  EXPECT_TRUE(*m_warehouse->relation_exists("cw_rel", "orders"));
  EXPECT_TRUE(*m_warehouse->relation_exists("cw_rel", "big_orders"));
  EXPECT_FALSE(*m_warehouse->relation_exists("cw_rel", "customers"));
  EXPECT_FALSE(*m_warehouse->relation_exists("public", "orders"));

  auto columns = m_warehouse->relation_columns("cw_rel", "orders");
  ASSERT_TRUE(columns) << columns.error().message;
  ASSERT_EQ(columns->size(), 4u);
  EXPECT_EQ((*columns)[0].name, "id");
  EXPECT_EQ((*columns)[0].type, "integer");
  EXPECT_EQ((*columns)[1].name, "amount");
  EXPECT_EQ((*columns)[1].type, "numeric(10,2)");
  EXPECT_EQ((*columns)[2].name, "note");
  EXPECT_EQ((*columns)[2].type, "text");
  EXPECT_EQ((*columns)[3].name, "created");
  EXPECT_EQ((*columns)[3].type, "date");

  EXPECT_EQ(m_warehouse->relation_columns("cw_rel", "big_orders")->size(), 2u);
  auto empty = m_warehouse->relation_columns("cw_rel", "empty");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto missing = m_warehouse->relation_columns("cw_rel", "customers");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("cw_rel.customers"), std::string::npos) << missing.error().message;

  auto reader = open(AccessMode::read_only);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->relation_columns("cw_rel", "orders")->size(), 4u);
}

TEST_F(PostgresWarehouseTest, DescribeAndQuote) {
  EXPECT_EQ(m_warehouse->type(), "postgres");
  EXPECT_EQ(m_warehouse->describe(), "postgres at " + location());
  auto config = m_server->config();
  config.schema = "analytics";
  auto with_schema = open_postgres_warehouse(config);
  ASSERT_TRUE(with_schema) << with_schema.error().message;
  EXPECT_EQ((*with_schema)->describe(), "postgres at " + location() + " (schema analytics)");

  const std::string odd = R"(my "odd" name)";
  EXPECT_EQ(m_warehouse->quote(odd), R"("my ""odd"" name")");
  execute("CREATE TABLE " + m_warehouse->quote(odd) + " (x int)");
  EXPECT_TRUE(*m_warehouse->relation_exists("public", odd));
}

TEST_F(PostgresWarehouseTest, ReconnectsAfterTheServerDropsTheConnection) {
  auto pid = query("SELECT pg_backend_pid()").rows.at(0).at(0);
  auto admin = open(AccessMode::read_write);
  ASSERT_TRUE(admin);
  query(*admin, "SELECT pg_terminate_backend(" + to_string(pid) + ")");
  // The first call may discover the loss (unavailable); the one after it works on a new connection.
  auto first = m_warehouse->query("SELECT 1");
  if (!first) {
    EXPECT_EQ(first.error().code, ErrorCode::unavailable) << first.error().message;
  }
  auto second = m_warehouse->query("SELECT 2");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->rows.at(0).at(0), integer(2));
}

TEST_F(PostgresWarehouseTest, ATransactionLostWithItsConnectionIsReported) {
  ASSERT_TRUE(m_warehouse->begin());
  execute("CREATE TABLE pg_lost_t (i int)");
  auto pid = query("SELECT pg_backend_pid()").rows.at(0).at(0);
  auto admin = open(AccessMode::read_write);
  ASSERT_TRUE(admin);
  query(*admin, "SELECT pg_terminate_backend(" + to_string(pid) + ")");
  // Whichever call notices first, the work of the transaction is reported lost, never silently committed.
  auto next = m_warehouse->execute("INSERT INTO pg_lost_t VALUES (1)");
  if (next) {
    ADD_FAILURE() << "a statement after the connection was killed succeeded";
  } else {
    EXPECT_EQ(next.error().code, ErrorCode::unavailable) << next.error().message;
  }
  auto commit = m_warehouse->commit();
  if (commit) {
    ADD_FAILURE() << "commit after the connection was lost succeeded";
  }
  EXPECT_FALSE(*m_warehouse->relation_exists("public", "pg_lost_t"));

  // After a loss, rollback() is the way back, and it succeeds.
  ASSERT_TRUE(m_warehouse->begin());
  pid = query("SELECT pg_backend_pid()").rows.at(0).at(0);
  query(*admin, "SELECT pg_terminate_backend(" + to_string(pid) + ")");
  EXPECT_TRUE(m_warehouse->rollback());
  EXPECT_EQ(query("SELECT 3").rows.at(0).at(0), integer(3));
}

TEST_F(PostgresWarehouseTest, WrongPasswordIsPermissionDenied) {
  auto config = m_server->config();
  config.password = "not-the-password";
  auto opened = open_postgres_warehouse(config);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::permission_denied) << opened.error().message;
  EXPECT_NE(opened.error().message.find(location()), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find("password authentication failed"), std::string::npos) << opened.error().message;
}

TEST_F(PostgresWarehouseTest, MissingDatabaseIsNotFound) {
  auto config = m_server->config();
  config.dbname = "no_such_database";
  auto opened = open_postgres_warehouse(config);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::not_found) << opened.error().message;
  EXPECT_NE(opened.error().message.find("no_such_database"), std::string::npos) << opened.error().message;
}

TEST(PostgresWarehouse, ClosedPortIsUnavailable) {
  ConnectionConfig config;
  config.type = "postgres";
  config.host = "127.0.0.1";
  config.port = testing::free_loopback_port();
  config.user = "postgres";
  config.dbname = "analytics";
  config.connect_timeout = 3s;
  const auto start = std::chrono::steady_clock::now();
  auto opened = open_postgres_warehouse(config);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::unavailable) << opened.error().message;
  EXPECT_NE(opened.error().message.find(fmt::format("127.0.0.1:{}/analytics", config.port)), std::string::npos)
      << opened.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace cowork::warehouse
