#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace cowork {
namespace {

TEST(Strings, GlobMatchesLikeShellWildcards) {
  EXPECT_TRUE(glob_match("stg_*", "stg_orders"));
  EXPECT_TRUE(glob_match("stg_?rders", "stg_orders"));
  EXPECT_TRUE(glob_match("[ab]*", "alpha"));
  EXPECT_FALSE(glob_match("stg_*", "dim_orders"));
  EXPECT_TRUE(glob_match("orders", "orders"));
  EXPECT_FALSE(glob_match("orders", "orders2"));
}

TEST(Strings, StableHashIsStableAcrossRuns) {
  // FNV-1a of "a" is a published constant; a change here would change every incident id.
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(hex(stable_hash("a"), 8), "8601ec8c");
}

TEST(Strings, OneLineCollapsesWhitespaceAndCutsOnACharacterBoundary) {
  EXPECT_EQ(one_line("  Database Error\n  in model x\t", 100), "Database Error in model x");
  EXPECT_EQ(one_line("abcdefghij", 8), "abcde...");
  // "é" is two bytes; the cut must not split it.
  EXPECT_EQ(one_line("aaaaé bbbb", 8), "aaaa...");
}

TEST(Strings, SplitKeepsEmptyPieces) {
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
}

}  // namespace
}  // namespace cowork
