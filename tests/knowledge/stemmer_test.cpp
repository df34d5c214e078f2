#include "knowledge/stemmer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cowork::knowledge {
namespace {

// Porter's own examples (step by step, from the 1980 paper) and words of the demo knowledge base, with the stems
// Snowball's reference implementation (libstemmer's stemwords -l english) gives.
TEST(Stemmer, KnownWords) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"caresses", "caress"},
      {"ponies", "poni"},
      {"ties", "tie"},
      {"caress", "caress"},
      {"cats", "cat"},
      {"feed", "feed"},
      {"agreed", "agre"},
      {"plastered", "plaster"},
      {"bled", "bled"},
      {"motoring", "motor"},
      {"sing", "sing"},
      {"conflated", "conflat"},
      {"troubled", "troubl"},
      {"sized", "size"},
      {"hopping", "hop"},
      {"tanned", "tan"},
      {"falling", "fall"},
      {"hissing", "hiss"},
      {"fizzed", "fizz"},
      {"failing", "fail"},
      {"filing", "file"},
      {"happy", "happi"},
      {"sky", "sky"},
      {"relational", "relat"},
      {"conditional", "condit"},
      {"rational", "ration"},
      {"valenci", "valenc"},
      {"hesitanci", "hesit"},
      {"digitizer", "digit"},
      {"conformabli", "conform"},
      {"radicalli", "radic"},
      {"differentli", "differ"},
      {"vileli", "vile"},
      {"analogousli", "analog"},
      {"vietnamization", "vietnam"},
      {"predication", "predic"},
      {"operator", "oper"},
      {"feudalism", "feudal"},
      {"decisiveness", "decis"},
      {"hopefulness", "hope"},
      {"callousness", "callous"},
      {"formaliti", "formal"},
      {"sensitiviti", "sensit"},
      {"sensibiliti", "sensibl"},
      {"triplicate", "triplic"},
      {"formative", "format"},
      {"formalize", "formal"},
      {"electriciti", "electr"},
      {"electrical", "electr"},
      {"hopeful", "hope"},
      {"goodness", "good"},
      {"revival", "reviv"},
      {"allowance", "allow"},
      {"inference", "infer"},
      {"airliner", "airlin"},
      {"gyroscopic", "gyroscop"},
      {"adjustable", "adjust"},
      {"defensible", "defens"},
      {"irritant", "irrit"},
      {"replacement", "replac"},
      {"adjustment", "adjust"},
      {"dependent", "depend"},
      {"adoption", "adopt"},
      {"homologou", "homologou"},
      {"communism", "communism"},
      {"activate", "activ"},
      {"angulariti", "angular"},
      {"homologous", "homolog"},
      {"effective", "effect"},
      {"bowdlerize", "bowdler"},
      {"probate", "probat"},
      {"rate", "rate"},
      {"cease", "ceas"},
      {"controll", "control"},
      {"roll", "roll"},
      {"generalizations", "general"},
      {"generously", "generous"},
      {"communication", "communic"},
      {"arsenal", "arsenal"},
      {"listings", "list"},
      {"listing", "list"},
      {"listed", "list"},
      {"duplicates", "duplic"},
      {"duplicate", "duplic"},
      {"deduplicate", "dedupl"},
      {"relationships", "relationship"},
      {"renamed", "renam"},
      {"rename", "renam"},
      {"nights", "night"},
      {"minimum", "minimum"},
      {"accepted", "accept"},
      {"values", "valu"},
      {"filtering", "filter"},
      {"filter", "filter"},
      {"arriving", "arriv"},
      {"orphans", "orphan"},
      {"placeholder", "placehold"},
      {"reviews", "review"},
      {"hosts", "host"},
      {"superhost", "superhost"},
      {"dashboards", "dashboard"},
      {"skies", "sky"},
      {"dying", "die"},
      {"news", "news"},
      {"only", "onli"},
      {"early", "earli"},
      {"proceed", "proceed"},
      {"exceeding", "exceed"},
      {"succeeded", "succeed"},
      {"herring", "herring"},
      {"cries", "cri"},
      {"gas", "gas"},
      {"this", "this"},
      {"gaps", "gap"},
      {"kiwis", "kiwi"},
      {"luxuriating", "luxuri"},
      {"hopped", "hop"},
      {"hoping", "hope"},
      {"hope", "hope"},
      {"knightly", "knight"},
      {"agreement", "agreement"},
  };
  for (const auto& [word, expected] : cases) EXPECT_EQ(stem(word), expected) << word;
}

TEST(Stemmer, ShortWordsAndNonWordsAreLeftAlone) {
  EXPECT_EQ(stem(""), "");
  EXPECT_EQ(stem("is"), "is");
  EXPECT_EQ(stem("0"), "0");
  EXPECT_EQ(stem("114"), "114");
  EXPECT_EQ(stem("dq114s"), "dq114s");
  EXPECT_EQ(stem("caf\xC3\xA9s"), "caf\xC3\xA9s");
}

TEST(Stemmer, ApostrophesAndInitialY) {
  EXPECT_EQ(stem("host's"), "host");
  EXPECT_EQ(stem("hosts'"), "host");
  EXPECT_EQ(stem("'quoted"), "quot");
  EXPECT_EQ(stem("yearly"), "year");
  EXPECT_EQ(stem("enjoying"), "enjoy");
  EXPECT_EQ(stem("sayings"), "say");
}

// The whole of Snowball's English test vocabulary (29,417 words) when the Debian package snowball-data is
// installed; it is a check against the reference, not a dependency.
TEST(Stemmer, SnowballEnglishVocabulary) {
  const std::filesystem::path folder = "/usr/share/snowball/data/english";
  std::ifstream words(folder / "voc.txt"), stems(folder / "output.txt");
  if (!words || !stems) GTEST_SKIP() << "snowball-data is not installed (apt-get install snowball-data)";
  std::string word, expected;
  std::size_t count = 0, wrong = 0;
  while (words >> word && stems >> expected) {
    ++count;
    if (stem(word) != expected && ++wrong <= 20) ADD_FAILURE() << word << " -> " << stem(word) << ", want " << expected;
  }
  EXPECT_GT(count, 29000u);
  EXPECT_EQ(wrong, 0u);
}

}  // namespace
}  // namespace cowork::knowledge
