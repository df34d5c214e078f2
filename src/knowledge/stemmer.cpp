#include "knowledge/stemmer.hpp"

#include <array>
#include <utility>

namespace cowork::knowledge {
namespace {

// The word being stemmed with its regions. A 'Y' is a y that acts as a consonant (initial, or after a vowel).
class Word {
 public:
  explicit Word(std::string text) : m_text(std::move(text)) {}

  std::string& text() { return m_text; }
  std::size_t size() const { return m_text.size(); }
  char at(std::size_t i) const { return m_text[i]; }

  // Compares from the last letter, where most candidates already differ; far cheaper than memcmp for suffixes.
  bool ends_with(std::string_view suffix) const {
    if (suffix.size() > m_text.size()) return false;
    const char* end = m_text.data() + m_text.size();
    for (std::size_t i = 1; i <= suffix.size(); ++i)
      if (end[-static_cast<std::ptrdiff_t>(i)] != suffix[suffix.size() - i]) return false;
    return true;
  }
  // The start of `suffix` when it ends the word.
  std::size_t start_of(std::string_view suffix) const { return m_text.size() - suffix.size(); }
  void replace_suffix(std::string_view suffix, std::string_view by) {
    m_text.replace(start_of(suffix), suffix.size(), by);
  }
  void drop(std::size_t count) { m_text.resize(m_text.size() - count); }

  static bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

  // R1 and R2 as Porter2 defines them: the region after the first non-vowel that follows a vowel, and the same
  // again inside R1. A few prefixes (gener, commun, arsen) fix R1 so their families stem alike.
  void mark_regions() {
    m_r1 = m_text.size();
    for (std::string_view prefix : {"gener", "commun", "arsen"}) {
      if (std::string_view(m_text).starts_with(prefix)) {
        m_r1 = prefix.size();
        break;
      }
    }
    if (m_r1 == m_text.size()) m_r1 = region_after(0);
    m_r2 = region_after(m_r1);
  }
  bool in_r1(std::size_t position) const { return position >= m_r1; }
  bool in_r2(std::size_t position) const { return position >= m_r2; }
  bool r1_is_empty() const { return m_r1 >= m_text.size(); }

  bool has_vowel(std::size_t begin, std::size_t end) const {
    for (std::size_t i = begin; i < end; ++i)
      if (is_vowel(m_text[i])) return true;
    return false;
  }

  // Whether the first `length` letters end in a short syllable: non-vowel, vowel, non-vowel other than w, x or Y;
  // or, for the whole of a two-letter start, a vowel and a non-vowel.
  bool ends_in_short_syllable(std::size_t length) const {
    if (length >= 3 && !is_vowel(m_text[length - 3]) && is_vowel(m_text[length - 2]) && !is_vowel(m_text[length - 1]) &&
        m_text[length - 1] != 'w' && m_text[length - 1] != 'x' && m_text[length - 1] != 'Y')
      return true;
    return length == 2 && is_vowel(m_text[0]) && !is_vowel(m_text[1]);
  }
  bool is_short() const { return r1_is_empty() && ends_in_short_syllable(m_text.size()); }

 private:
  std::size_t region_after(std::size_t start) const {
    for (std::size_t i = start + 1; i < m_text.size(); ++i)
      if (is_vowel(m_text[i - 1]) && !is_vowel(m_text[i])) return i + 1;
    return m_text.size();
  }

  std::string m_text;
  std::size_t m_r1 = 0;
  std::size_t m_r2 = 0;
};

// The longest of `suffixes` that ends the word, or an empty view. Porter2 acts on the longest match only: when its
// condition fails, shorter suffixes are not tried.
template <std::size_t N>
std::string_view longest_suffix(const Word& word, const std::array<std::string_view, N>& suffixes) {
  std::string_view best;
  for (std::string_view suffix : suffixes)
    if (suffix.size() > best.size() && word.ends_with(suffix)) best = suffix;
  return best;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 18> k_exceptions{{
    {"skis", "ski"},
    {"skies", "sky"},
    {"dying", "die"},
    {"lying", "lie"},
    {"tying", "tie"},
    {"idly", "idl"},
    {"gently", "gentl"},
    {"ugly", "ugli"},
    {"early", "earli"},
    {"only", "onli"},
    {"singly", "singl"},
    {"sky", "sky"},
    {"news", "news"},
    {"howe", "howe"},
    {"atlas", "atlas"},
    {"cosmos", "cosmos"},
    {"bias", "bias"},
    {"andes", "andes"},
}};

// Words left as they are once Step 1a has run.
constexpr std::array<std::string_view, 8> k_invariant_after_1a{"inning",  "outing",  "canning", "herring",
                                                               "earring", "proceed", "exceed",  "succeed"};

void step_0(Word& word) {
  static constexpr std::array<std::string_view, 3> suffixes{"'s'", "'s", "'"};
  if (auto suffix = longest_suffix(word, suffixes); !suffix.empty()) word.drop(suffix.size());
}

void step_1a(Word& word) {
  static constexpr std::array<std::string_view, 6> suffixes{"sses", "ied", "ies", "s", "us", "ss"};
  const std::string_view suffix = longest_suffix(word, suffixes);
  if (suffix == "sses") {
    word.replace_suffix(suffix, "ss");
  } else if (suffix == "ied" || suffix == "ies") {
    word.replace_suffix(suffix, word.start_of(suffix) > 1 ? "i" : "ie");
  } else if (suffix == "s") {
    // Delete when a vowel comes before the letter preceding the s: gaps -> gap, but gas and this keep it.
    if (word.size() >= 3 && word.has_vowel(0, word.size() - 2)) word.drop(1);
  }
}

void step_1b(Word& word) {
  static constexpr std::array<std::string_view, 6> suffixes{"eed", "eedly", "ed", "edly", "ing", "ingly"};
  const std::string_view suffix = longest_suffix(word, suffixes);
  if (suffix.empty()) return;
  const std::size_t start = word.start_of(suffix);
  if (suffix == "eed" || suffix == "eedly") {
    if (word.in_r1(start)) word.replace_suffix(suffix, "ee");
    return;
  }
  if (!word.has_vowel(0, start)) return;
  word.drop(suffix.size());
  if (word.ends_with("at") || word.ends_with("bl") || word.ends_with("iz")) {
    word.text() += 'e';
    return;
  }
  static constexpr std::array<std::string_view, 9> doubles{"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"};
  for (std::string_view pair : doubles) {
    if (word.ends_with(pair)) {
      word.drop(1);
      return;
    }
  }
  if (word.is_short()) word.text() += 'e';
}

void step_1c(Word& word) {
  const std::size_t n = word.size();
  if (n >= 3 && (word.at(n - 1) == 'y' || word.at(n - 1) == 'Y') && !Word::is_vowel(word.at(n - 2)))
    word.text()[n - 1] = 'i';
}

bool is_li_ending(char c) {
  return c == 'c' || c == 'd' || c == 'e' || c == 'g' || c == 'h' || c == 'k' || c == 'm' || c == 'n' || c == 'r' ||
         c == 't';
}

void step_2(Word& word) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> rules{{
      {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},   {"abli", "able"},   {"entli", "ent"},
      {"izer", "ize"},    {"ization", "ize"}, {"ational", "ate"}, {"ation", "ate"},   {"ator", "ate"},
      {"alism", "al"},    {"aliti", "al"},    {"alli", "al"},     {"fulness", "ful"}, {"ousli", "ous"},
      {"ousness", "ous"}, {"iveness", "ive"}, {"iviti", "ive"},   {"biliti", "ble"},  {"bli", "ble"},
      {"ogi", "og"},      {"fulli", "ful"},   {"lessli", "less"}, {"li", ""},
  }};
  std::string_view suffix, replacement;
  for (const auto& [from, to] : rules) {
    if (from.size() > suffix.size() && word.ends_with(from)) {
      suffix = from;
      replacement = to;
    }
  }
  if (suffix.empty()) return;
  const std::size_t start = word.start_of(suffix);
  if (!word.in_r1(start)) return;
  if (suffix == "ogi" && (start == 0 || word.at(start - 1) != 'l')) return;
  if (suffix == "li" && (start == 0 || !is_li_ending(word.at(start - 1)))) return;
  word.replace_suffix(suffix, replacement);
}

void step_3(Word& word) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> rules{{
      {"tional", "tion"},
      {"ational", "ate"},
      {"alize", "al"},
      {"icate", "ic"},
      {"iciti", "ic"},
      {"ical", "ic"},
      {"ful", ""},
      {"ness", ""},
      {"ative", ""},
  }};
  std::string_view suffix, replacement;
  for (const auto& [from, to] : rules) {
    if (from.size() > suffix.size() && word.ends_with(from)) {
      suffix = from;
      replacement = to;
    }
  }
  if (suffix.empty()) return;
  const std::size_t start = word.start_of(suffix);
  if (!word.in_r1(start)) return;
  if (suffix == "ative" && !word.in_r2(start)) return;
  word.replace_suffix(suffix, replacement);
}

void step_4(Word& word) {
  static constexpr std::array<std::string_view, 18> suffixes{"al",   "ance", "ence",  "er",   "ic",  "able",
                                                             "ible", "ant",  "ement", "ment", "ent", "ism",
                                                             "ate",  "iti",  "ous",   "ive",  "ize", "ion"};
  const std::string_view suffix = longest_suffix(word, suffixes);
  if (suffix.empty()) return;
  const std::size_t start = word.start_of(suffix);
  if (!word.in_r2(start)) return;
  if (suffix == "ion" && (start == 0 || (word.at(start - 1) != 's' && word.at(start - 1) != 't'))) return;
  word.drop(suffix.size());
}

void step_5(Word& word) {
  const std::size_t n = word.size();
  if (n == 0) return;
  const std::size_t last = n - 1;
  if (word.at(last) == 'e') {
    if (word.in_r2(last) || (word.in_r1(last) && !word.ends_in_short_syllable(last))) word.drop(1);
  } else if (word.at(last) == 'l') {
    if (word.in_r2(last) && n >= 2 && word.at(n - 2) == 'l') word.drop(1);
  }
}

bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

bool is_stemmable(std::string_view word) {
  for (char c : word)
    if (!((c >= 'a' && c <= 'z') || c == '\'')) return false;
  return true;
}

}  // namespace

std::string stem(std::string_view input) {
  if (input.size() <= 2 || !is_stemmable(input)) return std::string(input);
  if (input.size() <= 6) {
    for (const auto& [word, result] : k_exceptions)
      if (same(input, word)) return std::string(result);
  }

  std::string_view rest = input;
  if (rest.front() == '\'') rest.remove_prefix(1);
  Word word{std::string(rest)};
  std::string& text = word.text();
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == 'y' && (i == 0 || Word::is_vowel(text[i - 1]))) text[i] = 'Y';

  word.mark_regions();
  step_0(word);
  step_1a(word);
  if (text.size() == 6 || text.size() == 7) {
    for (std::string_view invariant : k_invariant_after_1a)
      if (same(text, invariant)) return text;
  }
  step_1b(word);
  step_1c(word);
  step_2(word);
  step_3(word);
  step_4(word);
  step_5(word);
  for (char& c : text)
    if (c == 'Y') c = 'y';
  return std::move(text);
}

}  // namespace cowork::knowledge
