#include "agent/sql_patch.hpp"

#include <gtest/gtest.h>

namespace cowork::agent {
namespace {

const char* k_src_listings = R"(-- The raw tables are loaded by this project's seeds; the hint makes dbt build them first.
-- depends_on: {{ ref('raw_listings') }}
with raw_listings as (
    select * from {{ source('airbnb', 'listings') }}
)

select
    id as listing_id,
    name as listing_name,
    room_type,
    updated_at
from raw_listings
)";

TEST(FinalSelect, FindsTheItemsOfTheLastTopLevelSelect) {
  auto select = find_final_select(k_src_listings);
  ASSERT_TRUE(select) << select.error().message;
  ASSERT_EQ(select->items.size(), 4u);
  EXPECT_EQ(select->items[0].name, "listing_id");
  EXPECT_EQ(select->items[0].expression, "id");
  EXPECT_EQ(select->items[2].name, "room_type");
  EXPECT_EQ(select->items[2].expression, "room_type");
  EXPECT_EQ(select->where_pos, std::string::npos);
}

TEST(FinalSelect, JinjaAndStringsDoNotConfuseTheScanner) {
  const std::string sql = "select {{ clean_price('price_str, x') }} as price, 'a, from b' as label, "
                          "coalesce(x, 'y') as z\nfrom t -- trailing from\nwhere a = ')'";
  auto select = find_final_select(sql);
  ASSERT_TRUE(select) << select.error().message;
  ASSERT_EQ(select->items.size(), 3u);
  EXPECT_EQ(select->items[0].name, "price");
  EXPECT_EQ(select->items[0].expression, "{{ clean_price('price_str, x') }}");
  EXPECT_EQ(select->items[1].name, "label");
  EXPECT_NE(select->where_pos, std::string::npos);
}

TEST(FinalSelect, ATopLevelUnionIsRefused) {
  auto select = find_final_select("select a from t union all select a from u");
  ASSERT_FALSE(select);
  EXPECT_NE(select.error().message.find("union"), std::string::npos);
}

TEST(ReplaceColumnExpression, ChangesOnlyThatItemAndKeepsItsName) {
  auto patched = replace_column_expression(k_src_listings, "room_type",
                                           "case {expr} when 'Entire place' then 'Entire home/apt' else {expr} end");
  ASSERT_TRUE(patched) << patched.error().message;
  std::string expected = k_src_listings;
  expected.replace(expected.find("    room_type,") + 4, 9,
                   "case room_type when 'Entire place' then 'Entire home/apt' else room_type end as room_type");
  EXPECT_EQ(*patched, expected);
}

TEST(ReplaceColumnExpression, AnUnknownColumnNamesTheColumnsThere) {
  auto patched = replace_column_expression(k_src_listings, "price", "1");
  ASSERT_FALSE(patched);
  EXPECT_NE(patched.error().message.find("listing_id, listing_name, room_type, updated_at"), std::string::npos);
}

TEST(AddWhereCondition, AddsAWhereOrExtendsTheExistingOne) {
  auto added = add_where_condition(k_src_listings, "host_id is not null");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_TRUE(added->ends_with("from raw_listings\nwhere host_id is not null\n")) << *added;

  const std::string with_where =
      "select * from src\nwhere review_text is not null\n{% if is_incremental() %}\n  and d > 1\n{% endif %}\n";
  auto extended = add_where_condition(with_where, "listing_id in (select listing_id from {{ ref('dim') }})");
  ASSERT_TRUE(extended) << extended.error().message;
  EXPECT_EQ(*extended, "select * from src\nwhere review_text is not null\n{% if is_incremental() %}\n  and d > 1\n{% endif %}"
                       "\n  and (listing_id in (select listing_id from {{ ref('dim') }}))\n");
}

TEST(AddWhereCondition, GoesBeforeGroupByAndOrderBy) {
  auto added = add_where_condition("select a, count(*) as n from t group by a order by a", "a > 0");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, "select a, count(*) as n from t\nwhere a > 0 group by a order by a");
}

TEST(KeepLatestRow, DuckdbUsesQualifyOverTheSourceExpressions) {
  auto patched = keep_latest_row(k_src_listings, "listing_id", "updated_at", sql::Dialect::duckdb);
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_TRUE(patched->ends_with(
      "from raw_listings\nqualify row_number() over (partition by id order by updated_at desc nulls last) = 1\n"))
      << *patched;
}

TEST(KeepLatestRow, PostgresWrapsTheModelInDistinctOn) {
  auto patched = keep_latest_row("select id as listing_id, updated_at from t", "listing_id", "updated_at",
                                 sql::Dialect::postgres);
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ(*patched, "select distinct on (listing_id) *\nfrom (\nselect id as listing_id, updated_at from t\n) as "
                      "latest_rows\norder by listing_id, updated_at desc nulls last\n");
}

TEST(SqlLiteral, DoublesQuotes) { EXPECT_EQ(sql_literal("it's"), "'it''s'"); }

}  // namespace
}  // namespace cowork::agent
