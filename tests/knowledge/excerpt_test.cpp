#include "knowledge/excerpt.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace cowork::knowledge {
namespace {

// The excerpt of `text` for `query`, with idf from an index of `text` and a few unrelated chunks.
std::string excerpt_of(const std::string& text, std::string_view query, const std::vector<std::string>& boosts = {},
                       std::size_t max_chars = 300) {
  std::vector<Chunk> chunks;
  for (std::string other :
       std::vector<std::string>{"Unrelated notes about dashboards.", "Owners and channels.", text}) {
    Chunk chunk;
    chunk.text = std::move(other);
    chunks.push_back(std::move(chunk));
  }
  const Bm25Index index(chunks);
  return make_excerpt(text, make_query(query, boosts), index, max_chars);
}

const std::string k_room_types =
    "The approved room types are exactly: `Entire home/apt`, `Private room`, `Shared room`, `Hotel room`.\n"
    "Dashboards and the pricing model group by these four labels.\n"
    "\n"
    "Since the platform's September 2024 release, the export sends `Entire place` for what used to be\n"
    "`Entire home/apt`. Decision DQ-114 (Data Governance, 2024-09-12): map `Entire place` to `Entire home/apt` in\n"
    "`src_listings`. Do **not** add `Entire place` to the accepted values: it would split the dashboards' largest "
    "group\n"
    "in two. Any other new room type is a real change and must be approved by Data Governance before it is accepted.";

TEST(Excerpt, TheSentencesThatMatchBest) {
  EXPECT_EQ(excerpt_of(k_room_types, "pricing model labels"),
            "Dashboards and the pricing model group by these four labels.");
  // Lines of a paragraph are joined and ** emphasis dropped; two sentences when the second adds a term.
  EXPECT_EQ(excerpt_of(k_room_types, "src_listings accepted values"),
            "Decision DQ-114 (Data Governance, 2024-09-12): map `Entire place` to `Entire home/apt` in `src_listings`. "
            "Do not add `Entire place` to the accepted values: it would split the dashboards' largest group in two.");
}

TEST(Excerpt, AWrappedLineStartingWithAHashtagContinuesTheSentence) {
  EXPECT_EQ(excerpt_of("Exclude them and report the count to the platform team in\n#listings-platform. Never guess.",
                       "report count"),
            "Exclude them and report the count to the platform team in #listings-platform.");
}

TEST(Excerpt, BoostsAndPhrasesPickTheirSentence) {
  const std::string text =
      "Room types are grouped on dashboards. Entire home/apt is the largest group. The place is entire.\n"
      "Map Entire place to Entire home/apt.";
  EXPECT_EQ(excerpt_of(text, "\"entire place\""), "Map Entire place to Entire home/apt.");
  EXPECT_EQ(excerpt_of(text, "dashboards", {"Entire place"}), "Map Entire place to Entire home/apt.");
}

TEST(Excerpt, ListItemsAreSentencesWithoutTheirMarkers) {
  const std::string text =
      "- `src_*` and `dim_*` models: Analytics Engineering (#analytics-eng).\n"
      "- The raw export: the listings platform team (#listings-platform).\n"
      "- `mart_*` and the executive dashboard: BI (#bi-team).";
  EXPECT_EQ(excerpt_of(text, "raw export platform"),
            "The raw export: the listings platform team (#listings-platform).");
}

TEST(Excerpt, ALongSentenceIsCutAtWholeWordsAroundTheMatch) {
  std::string sentence;
  for (int i = 0; i < 120; ++i) sentence += fmt::format("filler{} ", i);
  sentence += "the needle rule ";
  for (int i = 120; i < 240; ++i) sentence += fmt::format("filler{} ", i);
  sentence += "end.";
  const std::string excerpt = excerpt_of(sentence, "needle");
  EXPECT_LE(excerpt.size(), 300u);
  EXPECT_TRUE(excerpt.starts_with("\xE2\x80\xA6 ")) << excerpt;
  EXPECT_TRUE(excerpt.ends_with(" \xE2\x80\xA6")) << excerpt;
  EXPECT_NE(excerpt.find("the needle rule"), std::string::npos);
  // Whole words only: every word between the ellipses is a word of the sentence.
  const std::string inner = excerpt.substr(4, excerpt.size() - 8);
  for (std::string_view word : split(inner, ' '))
    EXPECT_NE(sentence.find(fmt::format(" {} ", word)), std::string::npos) << word;
}

TEST(Excerpt, WithoutAMatchInTheTextTheOpeningSentences) {
  EXPECT_EQ(excerpt_of("First sentence. Second one. Third one. Fourth one.", "heading words"),
            "First sentence. Second one. Third one.");
  EXPECT_EQ(excerpt_of("", "anything"), "");
}

TEST(Excerpt, AtMostTheLimit) {
  const std::string excerpt = excerpt_of(k_room_types, "entire place room types accepted values", {}, 120);
  EXPECT_LE(excerpt.size(), 120u);
  EXPECT_FALSE(excerpt.empty());
}

}  // namespace
}  // namespace cowork::knowledge
