#include "warehouse/warehouse.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace cowork::warehouse {
namespace {

TEST(WarehouseRegistry, UnknownTypeNamesItAndTheSupportedTypes) {
  ConnectionConfig config;
  config.type = "snowflake";
  auto opened = open_warehouse(config);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(opened.error().message.find("\"snowflake\""), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find("duckdb, postgres"), std::string::npos) << opened.error().message;
}

TEST(WarehouseRegistry, BuiltinTypesAreSupportedWithoutSetUp) {
  const auto types = supported_warehouse_types();
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
  EXPECT_NE(std::find(types.begin(), types.end(), "duckdb"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "postgres"), types.end());
}

TEST(WarehouseRegistry, OpensTheAdapterOfTheProfileType) {
  ConnectionConfig config;
  config.type = "duckdb";
  config.path = ":memory:";
  auto opened = open_warehouse(config);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ((*opened)->type(), "duckdb");
  EXPECT_EQ((*opened)->describe(), "duckdb at :memory:");
}

TEST(WarehouseRegistry, RegisteredFactoryIsUsedAndItsErrorPassedThrough) {
  register_warehouse("registry-test", [](const ConnectionConfig& config) -> Result<std::unique_ptr<Warehouse>> {
    return make_error(ErrorCode::unavailable, "registry-test factory saw dbname {}", config.dbname);
  });
  ConnectionConfig config;
  config.type = "registry-test";
  config.dbname = "analytics";
  auto opened = open_warehouse(config);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::unavailable);
  EXPECT_EQ(opened.error().message, "registry-test factory saw dbname analytics");
  const auto types = supported_warehouse_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "registry-test"), types.end());
}

// Fails the queries that mention "boom"; everything else goes to the real warehouse.
class FailingQueries : public ForwardingWarehouse {
 public:
  using ForwardingWarehouse::ForwardingWarehouse;
  Result<QueryResult> query(std::string_view sql, const QueryOptions& options = {}) override {
    if (sql.find("boom") != std::string_view::npos) return make_error(ErrorCode::unavailable, "injected failure");
    return ForwardingWarehouse::query(sql, options);
  }
};

TEST(ForwardingWarehouse, InjectsAFailureIntoOneCallAndForwardsTheRest) {
  ConnectionConfig config;
  config.type = "duckdb";
  auto inner = open_warehouse(config);
  ASSERT_TRUE(inner) << inner.error().message;
  FailingQueries warehouse(std::move(*inner));

  EXPECT_EQ(warehouse.type(), "duckdb");
  EXPECT_EQ(warehouse.describe(), "duckdb at :memory:");
  EXPECT_EQ(warehouse.quote("a\"b"), "\"a\"\"b\"");
  ASSERT_TRUE(warehouse.execute("CREATE TABLE t AS SELECT 1 AS x"));
  auto ok = warehouse.query("SELECT x FROM t");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->rows.at(0).at(0), Value(std::int64_t{1}));
  auto failed = warehouse.query("SELECT 'boom'");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "injected failure");
  auto exists = warehouse.relation_exists("main", "t");
  ASSERT_TRUE(exists);
  EXPECT_TRUE(*exists);
  EXPECT_TRUE(warehouse.begin());
  EXPECT_TRUE(warehouse.rollback());
}

TEST(Value, PrintsAsTheDatabaseWouldShowIt) {
  EXPECT_EQ(to_string(Value{}), "NULL");
  EXPECT_EQ(to_string(Value{true}), "true");
  EXPECT_EQ(to_string(Value{std::int64_t{-42}}), "-42");
  EXPECT_EQ(to_string(Value{2.5}), "2.5");
  EXPECT_EQ(to_string(Value{std::string("text")}), "text");
}

}  // namespace
}  // namespace cowork::warehouse
