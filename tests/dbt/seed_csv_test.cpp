#include "dbt/seed_csv.hpp"

#include <gtest/gtest.h>

namespace cowork::dbt {
namespace {

TEST(SeedCsv, InfersDbtTypesAndReadsEmptyAsNull) {
  auto table = parse_seed_csv(
      "id,price,flag,day,at,name,mixed\n"
      "1,1.5,true,2024-01-02,2024-01-02 10:00:00,Anna,1\n"
      "2,,False,2024-02-03,2024-02-03T11:30:00,,x\n"
      "3,7,true,,2024-03-04 12:00:00.123,\"Smith, Jo\",2\n",
      "seeds/t.csv");
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->columns.size(), 7u);
  EXPECT_EQ(table->columns[0].type, SeedType::integer);
  EXPECT_EQ(table->columns[1].type, SeedType::number);
  EXPECT_EQ(table->columns[2].type, SeedType::boolean);
  EXPECT_EQ(table->columns[3].type, SeedType::date);
  EXPECT_EQ(table->columns[4].type, SeedType::timestamp);
  EXPECT_EQ(table->columns[5].type, SeedType::text);
  EXPECT_EQ(table->columns[6].type, SeedType::text);
  ASSERT_EQ(table->rows.size(), 3u);
  EXPECT_FALSE(table->rows[1][1].has_value());
  EXPECT_FALSE(table->rows[1][5].has_value());
  EXPECT_EQ(*table->rows[2][5], "Smith, Jo");
}

TEST(SeedCsv, QuotedFieldsEscapesNewlinesAndCrlf) {
  auto table = parse_seed_csv("a,b\r\n\"x \"\"y\"\"\",\"two\nlines\"\r\n\"\",z\r\n", "s.csv");
  ASSERT_TRUE(table) << table.error().message;
  ASSERT_EQ(table->rows.size(), 2u);
  EXPECT_EQ(*table->rows[0][0], "x \"y\"");
  EXPECT_EQ(*table->rows[0][1], "two\nlines");
  ASSERT_TRUE(table->rows[1][0].has_value());  // "" is an empty string, not NULL
  EXPECT_EQ(*table->rows[1][0], "");
}

TEST(SeedCsv, ColumnTypesOverride) {
  auto table = parse_seed_csv("zip,amount\n01234,5\n", "s.csv", {{"ZIP", "varchar"}});
  ASSERT_TRUE(table);
  EXPECT_EQ(table->columns[0].declared_type, "varchar");
  EXPECT_EQ(table->columns[1].declared_type, "");
}

TEST(SeedCsv, BadFilesNameTheLine) {
  auto ragged = parse_seed_csv("a,b\n1,2\n3\n", "seeds/r.csv");
  ASSERT_FALSE(ragged);
  EXPECT_EQ(ragged.error().message, "seeds/r.csv:3: 1 values, but the header has 2 columns");
  auto open_quote = parse_seed_csv("a\n\"never\n", "seeds/q.csv");
  ASSERT_FALSE(open_quote);
  EXPECT_EQ(open_quote.error().message, "seeds/q.csv:2: a quoted value is never closed");
  auto duplicate = parse_seed_csv("a,A\n1,2\n", "seeds/d.csv");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().message, "seeds/d.csv:1: column 'A' appears twice");
  EXPECT_FALSE(parse_seed_csv("", "seeds/e.csv"));
}

}  // namespace
}  // namespace cowork::dbt
