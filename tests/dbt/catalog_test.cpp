#include "dbt/catalog.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::TempDir;

TEST(Catalog, ReadsColumnsInIndexOrderAndRowCount) {
  TempDir dir;
  auto path = dir.write("catalog.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json", "dbt_version": "1.8.0"},
    "nodes": {"model.a.orders": {"unique_id": "model.a.orders",
       "metadata": {"type": "BASE TABLE", "schema": "main", "name": "orders", "database": "db", "comment": null, "owner": null},
       "columns": {"status": {"type": "VARCHAR", "index": 2, "name": "status", "comment": null},
                   "id": {"type": "INTEGER", "index": 1, "name": "id", "comment": null}},
       "stats": {"row_count": {"id": "row_count", "label": "Row Count", "value": 1200, "include": true}}}},
    "sources": {}, "errors": null})");
  auto catalog = load_catalog(path);
  ASSERT_TRUE(catalog) << catalog.error().message;
  const auto& entry = catalog->entries.at("model.a.orders");
  EXPECT_EQ(entry.relation_type, "BASE TABLE");
  ASSERT_EQ(entry.columns.size(), 2u);
  EXPECT_EQ(entry.columns[0].name, "id");
  EXPECT_EQ(entry.columns[1].type, "VARCHAR");
  EXPECT_EQ(entry.row_count, 1200);
}

TEST(Catalog, WrongTypeNamesThePath) {
  TempDir dir;
  auto path = dir.write("catalog.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json"},
    "nodes": {"model.a.orders": {"columns": {"id": {"index": "first"}}}}})");
  auto catalog = load_catalog(path);
  ASSERT_FALSE(catalog);
  EXPECT_EQ(catalog.error().message,
            path.string() + ": $.nodes[\"model.a.orders\"].columns.id.index: expected an integer, found a string");
}

}  // namespace
}  // namespace cowork::dbt
