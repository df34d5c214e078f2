#include "fixes/diff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace cowork::fixes {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

// The real files the edits work on: every golden before/after file and the demo project's property files.
std::vector<std::string> corpus() {
  std::vector<std::string> texts;
  for (const auto& entry : fs::directory_iterator(COWORK_FIXES_GOLDEN_DIR))
    if (entry.path().extension() == ".yml") texts.push_back(read_bytes(entry.path()));
  for (const char* name : {"schema.yml", "sources.yml", "exposures.yml"})
    texts.push_back(read_bytes(fs::path(COWORK_SOURCE_DIR) / "examples/airbnb/models" / name));
  std::sort(texts.begin(), texts.end());
  return texts;
}

// Counts the +/- lines of a diff.
std::pair<int, int> changed_lines(const std::string& diff) {
  int removed = 0, added = 0;
  for (const std::string& line : lines_of(diff)) {
    if (line.starts_with("---") || line.starts_with("+++")) continue;
    if (line.starts_with("-")) ++removed;
    if (line.starts_with("+")) ++added;
  }
  return {removed, added};
}

int lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<int>> t(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

TEST(UnifiedDiff, NothingChangedIsEmpty) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x.yml"), "");
  EXPECT_EQ(unified_diff("", "", "x.yml"), "");
  auto applied = apply_unified_diff("a\nb\n", "");
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, "a\nb\n");
}

TEST(UnifiedDiff, OneLineChangedWithContext) {
  const std::string old_text =
      "version: 2\n\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests:\n"
      "          - unique\n          - not_null\n  - name: b\n";
  const std::string new_text =
      "version: 2\n\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests:\n"
      "          - unique\n          - not_null:\n              config:\n"
      "                severity: warn\n  - name: b\n";
  EXPECT_EQ(unified_diff(old_text, new_text, "models/schema.yml"),
            "--- a/models/schema.yml\n"
            "+++ b/models/schema.yml\n"
            "@@ -6,5 +6,7 @@\n"
            "       - name: id\n"
            "         tests:\n"
            "           - unique\n"
            "-          - not_null\n"
            "+          - not_null:\n"
            "+              config:\n"
            "+                severity: warn\n"
            "   - name: b\n");
}

TEST(UnifiedDiff, SingleLineRangesOmitTheCount) {
  EXPECT_EQ(unified_diff("a\n", "b\n", "f"), "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n");
  // An empty range names the line before it.
  EXPECT_EQ(unified_diff("", "a\n", "f"), "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n");
  EXPECT_EQ(unified_diff("a\n", "", "f"), "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n");
  EXPECT_EQ(unified_diff("a\nb\n", "a\nx\nb\n", "f", 0), "--- a/f\n+++ b/f\n@@ -1,0 +2 @@\n+x\n");
}

TEST(UnifiedDiff, NoNewlineAtEndOfFile) {
  // Only the last line changes its break.
  EXPECT_EQ(unified_diff("a\nb", "a\nb\n", "f"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb", "f"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
  // A line added after a last line without a break: the old last line changes too.
  EXPECT_EQ(unified_diff("a\nb", "a\nb\nc", "f"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"
            "\\ No newline at end of file\n");
  // The unchanged last line without a break, as context.
  EXPECT_EQ(unified_diff("a\nb", "x\nb", "f"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n+x\n b\n\\ No newline at end of file\n");
  for (const auto& [o, n] : std::vector<std::pair<std::string, std::string>>{
           {"a\nb", "a\nb\n"}, {"a\nb\n", "a\nb"}, {"a\nb", "a\nb\nc"}, {"a\nb", "x\nb"}, {"a", ""}, {"", "a"}}) {
    auto applied = apply_unified_diff(o, unified_diff(o, n, "f"));
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(*applied, n);
  }
}

TEST(UnifiedDiff, CrlfLinesKeepTheirBreaks) {
  const std::string old_text = "a: 1\r\nb: 2\r\n";
  const std::string new_text = "a: 1\r\nb: 3\r\n";
  EXPECT_EQ(unified_diff(old_text, new_text, "f"), "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a: 1\r\n-b: 2\r\n+b: 3\r\n");
  // A change of line breaks alone is a change.
  EXPECT_NE(unified_diff("a\r\n", "a\n", "f"), "");
  auto applied = apply_unified_diff(old_text, unified_diff(old_text, new_text, "f"));
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, new_text);
}

TEST(UnifiedDiff, HunksSplitAndMergeByContext) {
  std::vector<std::string> a;
  for (int i = 1; i <= 30; ++i) a.push_back("line " + std::to_string(i) + "\n");
  std::vector<std::string> b = a;
  b[2] = "changed 3\n";
  b[24] = "changed 25\n";
  const std::string diff = unified_diff(join_lines(a), join_lines(b), "f");
  EXPECT_NE(diff.find("@@ -1,6 +1,6 @@"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -22,7 +22,7 @@"), std::string::npos) << diff;
  // Six lines apart: one hunk (the contexts touch).
  std::vector<std::string> c = a;
  c[10] = "x\n";
  c[17] = "y\n";
  const std::string merged = unified_diff(join_lines(a), join_lines(c), "f");
  EXPECT_EQ(std::count(merged.begin(), merged.end(), '@'), 4) << merged;
  // Seven lines apart: two.
  std::vector<std::string> d = a;
  d[10] = "x\n";
  d[18] = "y\n";
  const std::string split = unified_diff(join_lines(a), join_lines(d), "f");
  EXPECT_EQ(std::count(split.begin(), split.end(), '@'), 8) << split;
}

TEST(UnifiedDiff, IsMinimal) {
  std::mt19937 rng(7);
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> a, b;
    const int na = static_cast<int>(rng() % 12), nb = static_cast<int>(rng() % 12);
    for (int i = 0; i < na; ++i) a.push_back(std::string(1, static_cast<char>('a' + rng() % 4)) + "\n");
    for (int i = 0; i < nb; ++i) b.push_back(std::string(1, static_cast<char>('a' + rng() % 4)) + "\n");
    const std::string diff = unified_diff(join_lines(a), join_lines(b), "f");
    const auto [removed, added] = changed_lines(diff);
    const int lcs = lcs_length(a, b);
    EXPECT_EQ(removed, na - lcs) << join_lines(a) << "|" << join_lines(b) << "\n" << diff;
    EXPECT_EQ(added, nb - lcs);
    auto applied = apply_unified_diff(join_lines(a), diff);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(*applied, join_lines(b));
  }
}

// Random edits of real files: each diff applies back to exactly the edited text.
TEST(UnifiedDiff, RoundTripsOverRandomEditsOfRealFiles) {
  std::mt19937 rng(2024);
  const std::vector<std::string> texts = corpus();
  ASSERT_GE(texts.size(), 60u);
  const std::vector<std::string> pool = {"    - unique\n",           "\n",       "      config:\n",
                                         "        severity: warn\n", "# note\n", "  - name: x\r\n",
                                         "values: ['a', 'b']"};
  int rounds = 0;
  for (const std::string& text : texts) {
    for (int k = 0; k < 12; ++k, ++rounds) {
      std::vector<std::string> lines = lines_of(text);
      const int edits = 1 + static_cast<int>(rng() % 6);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = lines.empty() ? 0 : rng() % (lines.size() + 1);
        switch (rng() % 5) {
          case 0:  // insert
            lines.insert(lines.begin() + static_cast<long>(at), pool[rng() % pool.size()]);
            if (lines[at].back() != '\n' && at + 1 < lines.size()) lines[at] += '\n';
            break;
          case 1:  // delete
            if (at < lines.size()) lines.erase(lines.begin() + static_cast<long>(at));
            break;
          case 2:  // change
            if (at < lines.size()) lines[at] = "changed " + std::to_string(rng() % 100) + "\n";
            break;
          case 3:  // duplicate a block elsewhere
            if (at + 3 < lines.size())
              lines.insert(lines.begin() + static_cast<long>(rng() % lines.size()),
                           lines.begin() + static_cast<long>(at), lines.begin() + static_cast<long>(at + 3));
            break;
          case 4:  // toggle the final line break
            if (!lines.empty()) {
              if (lines.back().ends_with("\n")) {
                lines.back().pop_back();
              } else {
                lines.back() += "\n";
              }
            }
            break;
        }
      }
      // Only the last line may lack a line break.
      for (std::size_t i = 0; i + 1 < lines.size(); ++i)
        if (!lines[i].ends_with("\n")) lines[i] += "\n";
      const std::string edited = join_lines(lines);
      for (int context : {0, 1, 3}) {
        const std::string diff = unified_diff(text, edited, "models/schema.yml", context);
        ASSERT_EQ(diff.empty(), text == edited);
        auto applied = apply_unified_diff(text, diff);
        ASSERT_TRUE(applied) << applied.error().message << "\n" << diff;
        ASSERT_EQ(*applied, edited) << diff;
      }
    }
  }
  EXPECT_GE(rounds, 700);
}

TEST(ApplyUnifiedDiff, ContextMismatchNamesHunkAndLine) {
  const std::string old_text = "a\nb\nc\nd\n";
  const std::string diff = unified_diff(old_text, "a\nb\nX\nd\n", "models/schema.yml");
  auto result = apply_unified_diff("a\nB\nc\nd\n", diff);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "patch for models/schema.yml does not apply: hunk 1 (@@ -1,4 +1,4 @@) expects line 2 to read \"b\" but "
            "it reads \"B\"");
  auto removed = apply_unified_diff("a\nb\nC\nd\n", diff);
  ASSERT_FALSE(removed);
  EXPECT_NE(removed.error().message.find("expects line 3 to read \"c\" but it reads \"C\""), std::string::npos);
  auto breaks = apply_unified_diff("a\r\nb\r\nc\r\nd\r\n", diff);
  ASSERT_FALSE(breaks);
  EXPECT_NE(breaks.error().message.find("(the line breaks differ)"), std::string::npos) << breaks.error().message;
}

TEST(ApplyUnifiedDiff, ShorterFileAndMalformedDiffs) {
  const std::string diff = unified_diff("a\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n", "f");
  auto shorter = apply_unified_diff("a\nb\n", diff);
  ASSERT_FALSE(shorter);
  EXPECT_NE(shorter.error().message.find("expects line 3 to read \"c\" but the file ends before it"), std::string::npos)
      << shorter.error().message;
  auto past_end = apply_unified_diff("a\n", "--- a/f\n+++ b/f\n@@ -5,1 +5,1 @@\n-e\n+E\n");
  ASSERT_FALSE(past_end);
  EXPECT_NE(past_end.error().message.find("starts at line 5 but the file has 1 lines"), std::string::npos)
      << past_end.error().message;
  auto bad_header = apply_unified_diff("a\n", "--- a/f\n+++ b/f\n@@ -x +1 @@\n-a\n");
  ASSERT_FALSE(bad_header);
  EXPECT_NE(bad_header.error().message.find("malformed hunk header"), std::string::npos);
  auto cut = apply_unified_diff("a\nb\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n");
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("is cut short"), std::string::npos);
  auto junk = apply_unified_diff("a\nb\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n*b\n");
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("not context, removal or addition"), std::string::npos);
}

TEST(ApplyUnifiedDiff, AcceptsStrippedEmptyContextLines) {
  // Some editors strip the space that marks an empty context line.
  auto applied = apply_unified_diff("a\n\nb\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n");
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, "a\n\nc\n");
}

TEST(UnifiedDiff, LargeFilesStayFast) {
  std::string a, b;
  for (int i = 0; i < 20000; ++i) {
    a += "line " + std::to_string(i) + "\n";
    b += (i % 1000 == 0 ? "edited " : "line ") + std::to_string(i) + "\n";
  }
  const std::string diff = unified_diff(a, b, "big.yml");
  auto applied = apply_unified_diff(a, diff);
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, b);
  // Entirely different files: the worst case for the middle snake, still linear memory.
  std::string c;
  for (int i = 0; i < 3000; ++i) c += "other " + std::to_string(i) + "\n";
  const std::string replaced = unified_diff(a.substr(0, 30000), c, "big.yml");
  auto applied2 = apply_unified_diff(a.substr(0, 30000), replaced);
  ASSERT_TRUE(applied2);
  EXPECT_EQ(*applied2, c);
}

}  // namespace
}  // namespace cowork::fixes
