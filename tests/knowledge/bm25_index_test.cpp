#include "knowledge/bm25_index.hpp"

#include <gtest/gtest.h>

namespace cowork::knowledge {
namespace {

Chunk body_only(std::string text) {
  Chunk chunk;
  chunk.path = "kb.md";
  chunk.text = std::move(text);
  return chunk;
}

Chunk with_heading(std::string heading, std::string text) {
  Chunk chunk = body_only(std::move(text));
  chunk.headings = {heading};
  chunk.heading = std::move(heading);
  return chunk;
}

// k1 = 1.2, b = 0.75, idf(n) = ln(1 + (N - n + 0.5) / (n + 0.5)),
// score = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / avgdl)).
//   d0 "apple banana apple"  dl 3      N = 3, avgdl = (3 + 2 + 4) / 3 = 3
//   d1 "banana cherry"       dl 2
//   d2 "cherry date elderberry fig"  dl 4
const std::vector<Chunk>& fruit() {
  static const std::vector<Chunk> chunks = {body_only("apple banana apple"), body_only("banana cherry"),
                                            body_only("cherry date elderberry fig")};
  return chunks;
}

TEST(Bm25Index, ScoresMatchTheFormulaByHand) {
  const Bm25Index index(fruit());
  EXPECT_EQ(index.size(), 3u);
  EXPECT_DOUBLE_EQ(index.average_length(), 3.0);
  EXPECT_NEAR(index.idf("appl"), 0.980829, 1e-6);    // ln(1 + 2.5 / 1.5)
  EXPECT_NEAR(index.idf("banana"), 0.470004, 1e-6);  // ln(1 + 1.5 / 2.5)
  EXPECT_EQ(index.idf("kiwi"), 0.0);

  // "apple": d0 only; tf 2, dl = avgdl: 0.980829 * 2 * 2.2 / (2 + 1.2) = 1.348640.
  auto matches = index.search(make_query("apple"), 10);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].chunk, 0u);
  EXPECT_NEAR(matches[0].score, 1.348640, 1e-6);

  // "bananas": both have it once; the shorter d1 wins. d1: 0.470004 * 2.2 / (1 + 1.2 * 0.75) = 0.544215;
  // d0: 0.470004 * 2.2 / 2.2 = 0.470004.
  matches = index.search(make_query("bananas"), 10);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].chunk, 1u);
  EXPECT_NEAR(matches[0].score, 0.544215, 1e-6);
  EXPECT_EQ(matches[1].chunk, 0u);
  EXPECT_NEAR(matches[1].score, 0.470004, 1e-6);

  // Terms add up: "apple banana" on d0 = 1.348640 + 0.470004.
  matches = index.search(make_query("apple banana"), 1);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].chunk, 0u);
  EXPECT_NEAR(matches[0].score, 1.818644, 1e-6);
}

TEST(Bm25Index, HeadingTermsCountTwice) {
  // A "Banana" / "text": dl 2 + 1 = 3; B "Other" / "banana text": dl 2 + 2 = 4; avgdl 3.5, idf ln(1.2).
  // A: tf 2 -> 0.182322 * 2 * 2.2 / (2 + 1.2 * 0.892857) = 0.261186; B: tf 1 -> 0.172255.
  const Bm25Index index({with_heading("Banana", "text"), with_heading("Other", "banana text")});
  const auto matches = index.search(make_query("banana"), 10);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].chunk, 0u);
  EXPECT_NEAR(matches[0].score, 0.261186, 1e-6);
  EXPECT_NEAR(matches[1].score, 0.172255, 1e-6);
}

TEST(Bm25Index, ParentHeadingsCountOnce) {
  Chunk nested = body_only("text");
  nested.headings = {"Banana policies", "Ripeness"};
  const Bm25Index index({nested, body_only("banana text")});
  const auto matches = index.search(make_query("banana"), 10);
  ASSERT_EQ(matches.size(), 2u);
  // Both have tf 1 for banana; the nested chunk is longer (ripeness x2, banana, polici, text), so it comes second.
  EXPECT_EQ(matches[0].chunk, 1u);
  EXPECT_EQ(matches[1].chunk, 0u);
}

TEST(Bm25Index, AQuotedPhraseScoresAsOneMoreTerm) {
  // p0 "entire place mapped" dl 3, p1 "place entire" dl 2, p2 "nothing here" dl 2; avgdl 7/3.
  const Bm25Index index({body_only("entire place mapped"), body_only("place entire"), body_only("nothing here")});
  // Unquoted, the words alone: p1 is shorter and wins (0.998353 against 0.841634).
  auto matches = index.search(make_query("entire place"), 10);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].chunk, 1u);
  EXPECT_NEAR(matches[0].score, 0.998353, 1e-6);
  EXPECT_NEAR(matches[1].score, 0.841634, 1e-6);
  // Quoted, p0 has the phrase (n = 1, idf 0.980829) on top: 0.841634 + 0.980829 * 0.895349 = 1.719819.
  matches = index.search(make_query("\"entire place\""), 10);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].chunk, 0u);
  EXPECT_NEAR(matches[0].score, 1.719819, 1e-6);
  EXPECT_EQ(matches[1].chunk, 1u);
}

TEST(Bm25Index, BoostsWeighTheirTermsAndPhrases) {
  const Bm25Index index({body_only("entire place mapped"), body_only("place entire"), body_only("nothing here")});
  // "place" with the boost "Entire place": place and entire at 2.5, and the phrase at 2.5.
  const Query query = make_query("place", {"Entire place"});
  ASSERT_EQ(query.terms.size(), 2u);
  EXPECT_EQ(query.terms[0].text, "place");
  EXPECT_EQ(query.terms[0].weight, k_boost_weight);
  EXPECT_EQ(query.terms[1].text, "entir");
  EXPECT_EQ(query.terms[1].weight, k_boost_weight);
  ASSERT_EQ(query.phrases.size(), 1u);
  EXPECT_EQ(query.phrases[0].text, "Entire place");
  EXPECT_EQ(query.phrases[0].words, (std::vector<std::string>{"entir", "place"}));
  const auto matches = index.search(query, 10);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].chunk, 0u);
  EXPECT_NEAR(matches[0].score, 2.5 * 1.719819, 1e-5);
  EXPECT_NEAR(matches[1].score, 2.5 * 0.998353, 1e-5);
}

TEST(Bm25Index, BoostsChangeTheRanking) {
  const Bm25Index index({
      with_heading("Accepted values", "Accepted values tests list the allowed values of a column."),
      with_heading("Room types", "Map Entire place to Entire home/apt. The accepted values stay as they are."),
  });
  EXPECT_EQ(index.search(make_query("accepted values"), 2)[0].chunk, 0u);
  EXPECT_EQ(index.search(make_query("accepted values", {"Entire place"}), 2)[0].chunk, 1u);
  EXPECT_EQ(index.search(make_query("accepted values", {"home/apt"}), 2)[0].chunk, 1u);
}

TEST(Bm25Index, MakeQueryKeepsDistinctTermsAtTheLargerWeight) {
  const Query query = make_query("room_type room type 'Entire place' the", {"room_type", "src_listings"});
  std::vector<std::pair<std::string, double>> terms;
  for (const auto& term : query.terms) terms.emplace_back(term.text, term.weight);
  EXPECT_EQ(terms, (std::vector<std::pair<std::string, double>>{{"room_type", 2.5},
                                                                {"room", 2.5},
                                                                {"type", 2.5},
                                                                {"entir", 1},
                                                                {"place", 1},
                                                                {"src_listings", 2.5},
                                                                {"src", 2.5},
                                                                {"list", 2.5}}));
  // The quoted value is a phrase; one identifier (room_type) is matched whole already and makes none.
  ASSERT_EQ(query.phrases.size(), 1u);
  EXPECT_EQ(query.phrases[0].text, "Entire place");
  EXPECT_EQ(query.phrases[0].weight, 1);

  EXPECT_TRUE(make_query("the of and").empty());
  EXPECT_TRUE(make_query("").empty());
  EXPECT_EQ(make_query("host's rating").terms.size(), 2u);  // the apostrophe quotes nothing
  EXPECT_TRUE(make_query("host's rating").phrases.empty());
}

TEST(Bm25Index, EqualScoresKeepChunkOrderAndLimitCuts) {
  const Bm25Index index(
      {body_only("same words"), body_only("other"), body_only("same words"), body_only("same words")});
  const auto matches = index.search(make_query("words"), 2);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].chunk, 0u);
  EXPECT_EQ(matches[1].chunk, 2u);
  EXPECT_EQ(matches[0].score, matches[1].score);
  EXPECT_TRUE(index.search(make_query("words"), 0).empty());
  EXPECT_TRUE(index.search(make_query("absent"), 5).empty());
}

TEST(Bm25Index, AnEmptyIndexFindsNothing) {
  const Bm25Index index(std::vector<Chunk>{});
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.search(make_query("anything"), 5).empty());
  const Bm25Index blank({body_only("")});
  EXPECT_TRUE(blank.search(make_query("anything"), 5).empty());
}

}  // namespace
}  // namespace cowork::knowledge
