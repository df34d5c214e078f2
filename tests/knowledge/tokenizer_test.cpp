#include "knowledge/tokenizer.hpp"

#include <gtest/gtest.h>

namespace cowork::knowledge {
namespace {

using Terms = std::vector<std::string>;

// The terms the index keeps for `text`, in order.
Terms indexed(std::string_view text) {
  Terms out;
  for (const Token& token : tokenize(text))
    if (token.indexed) out.push_back(token.term);
  return out;
}

// The word sequence phrases are matched against, stop words included.
Terms atoms(std::string_view text) {
  Terms out;
  for (const Token& token : tokenize(text))
    if (token.atom) out.push_back(token.term);
  return out;
}

TEST(Tokenizer, IdentifiersStayWholeAndAreSplit) {
  EXPECT_EQ(indexed("room_type"), (Terms{"room_type", "room", "type"}));
  EXPECT_EQ(indexed("DQ-114"), (Terms{"dq-114", "dq", "114"}));
  EXPECT_EQ(indexed("`fct_reviews.listing_id`"),
            (Terms{"fct_reviews.listing_id", "fct_reviews", "listing_id", "fct", "review", "list", "id"}));
  EXPECT_EQ(indexed("Entire home/apt"), (Terms{"entir", "home/apt", "home", "apt"}));
  EXPECT_EQ(indexed("model.airbnb.src_listings"),
            (Terms{"model.airbnb.src_listings", "src_listings", "model", "airbnb", "src", "list"}));
}

TEST(Tokenizer, QuotedValuesAreTheirWords) {
  EXPECT_EQ(indexed("'Entire place'"), (Terms{"entir", "place"}));
  EXPECT_EQ(indexed("\"Entire place\""), (Terms{"entir", "place"}));
  EXPECT_EQ(indexed("`Entire place`"), (Terms{"entir", "place"}));
  EXPECT_EQ(indexed("\xE2\x80\x98"
                    "Entire place"
                    "\xE2\x80\x99"),
            (Terms{"entir", "place"}));
}

TEST(Tokenizer, LowerCasesStemsAndDropsStopWords) {
  EXPECT_EQ(indexed("The listings are NOT filtered by the Hosts."), (Terms{"list", "not", "filter", "host"}));
  EXPECT_EQ(atoms("The host is null"), (Terms{"the", "host", "is", "null"}));
  EXPECT_EQ(indexed("the of and"), Terms{});
  EXPECT_TRUE(is_stop_word("the"));
  EXPECT_FALSE(is_stop_word("never"));
  EXPECT_FALSE(is_stop_word("no"));
}

TEST(Tokenizer, NumbersAndDatesKeepTheirParts) {
  EXPECT_EQ(indexed("minimum_nights 0"), (Terms{"minimum_nights", "minimum", "night", "0"}));
  EXPECT_EQ(indexed("2024-09-12"), (Terms{"2024-09-12", "2024", "09", "12"}));
  EXPECT_EQ(indexed("$120.00"), (Terms{"120.00", "120", "00"}));
  EXPECT_EQ(indexed("rating above 4.8."), (Terms{"rate", "abov", "4.8", "4", "8"}));
}

TEST(Tokenizer, CamelCaseHumpsSplitButPluralAcronymsDoNot) {
  EXPECT_EQ(indexed("listingId"), (Terms{"listingid", "list", "id"}));
  EXPECT_EQ(indexed("HTTPServer"), (Terms{"httpserver", "http", "server"}));
  EXPECT_EQ(indexed("IDs"), (Terms{"id"}));
  EXPECT_EQ(indexed("KPIs"), (Terms{"kpis"}));
}

TEST(Tokenizer, PunctuationSeparatesRuns) {
  EXPECT_EQ(indexed("`<entity>_name`"), (Terms{"entiti", "name"}));
  EXPECT_EQ(indexed("end. Next"), (Terms{"end", "next"}));
  EXPECT_EQ(indexed("a--b"), (Terms{"b"}));  // "a" is a stop word; a double dash is no connector
  EXPECT_EQ(indexed("rule\xE2\x80\x94never"), (Terms{"rule", "never"}));  // an em dash
  EXPECT_EQ(indexed("(see DQ-114)"), (Terms{"see", "dq-114", "dq", "114"}));
}

TEST(Tokenizer, ApostrophesInsideWordsAndNonAsciiLetters) {
  EXPECT_EQ(indexed("the platform's export"), (Terms{"platform", "export"}));
  EXPECT_EQ(indexed("the platform\xE2\x80\x99s export"), (Terms{"platform", "export"}));
  EXPECT_EQ(indexed("caf\xC3\xA9 na\xC3\xAFve"), (Terms{"caf\xC3\xA9", "na\xC3\xAFve"}));
  EXPECT_EQ(indexed("\xFF\xFE"
                    "broken"),
            (Terms{"\xff\xfe"
                   "broken"}));  // bytes that are not UTF-8 still tokenise
}

TEST(Tokenizer, OffsetsPointIntoTheText) {
  const std::string text = "map `Entire place` in src_listings";
  for (const Token& token : tokenize(text)) {
    ASSERT_LE(token.begin, token.end);
    ASSERT_LE(token.end, text.size());
  }
  const auto tokens = tokenize(text);
  ASSERT_EQ(tokens.size(), 7u);  // map, entir, place, in, src_listings, src, list
  EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "Entire");
  EXPECT_EQ(text.substr(tokens[4].begin, tokens[4].end - tokens[4].begin), "src_listings");
  EXPECT_EQ(text.substr(tokens[6].begin, tokens[6].end - tokens[6].begin), "listings");
  EXPECT_FALSE(tokens[3].indexed);  // "in"
  EXPECT_TRUE(tokens[3].atom);
  EXPECT_FALSE(tokens[4].atom);
}

}  // namespace
}  // namespace cowork::knowledge
