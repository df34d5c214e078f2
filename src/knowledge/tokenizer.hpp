// Splits knowledge-base text and search queries into the terms the BM25 index matches on. Identifiers stay whole and
// are split too, so a rule that writes `room_type` is found by "room_type", "room type" and "room types"; words are
// lower-cased and stemmed (Porter2); a short list of English stop words is left out of the index. Used by the index,
// by queries and by excerpt selection, so all three agree on what a term is.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cowork::knowledge {

// One term of a text. A run of letters and digits joined by single connectors (`fct_reviews.listing_id`,
// `DQ-114`, `home/apt`, `listingId`) gives, in order:
//  - the whole run, lower-cased and not stemmed ("fct_reviews.listing_id"), when it has more than one word;
//  - each part between `.`, `/` or `:` that itself has more than one word ("fct_reviews", "listing_id");
//  - each word (split further at `_`, `-` and camelCase humps), lower-cased and stemmed ("fct", "review", "list",
//    "id"). Words are the `atoms`: their sequence is what phrases ("Entire place") are matched against.
// Quotes, brackets, backticks and markdown punctuation separate runs, so 'Entire place' is two words.
struct Token {
  std::string term;
  std::uint32_t begin = 0;  // byte offsets of the run in the text
  std::uint32_t end = 0;
  bool atom = false;     // a word (stemmed), as opposed to a whole identifier or a part of one
  bool indexed = false;  // false only for stop-word atoms, which count for phrases but are not searched for
};

// A term before stemming, as scan_terms hands it out.
enum class TermKind : std::uint8_t {
  whole,  // a run of several words, as written (lower-cased)
  part,   // a part of a run between `.`, `/` or `:` that has several words
  word,   // one word, lower-cased but not stemmed: stem(text) is its term
};

struct RawTerm {
  std::string_view text;  // valid during the call only
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  TermKind kind = TermKind::word;
  bool stop_word = false;
};

// Calls `visit` for each term of `text` in tokenize()'s order, before stemming: the index's hot path, which caches
// stems by the word as written. tokenize() is this plus stemming.
void scan_terms(std::string_view text, const std::function<void(const RawTerm&)>& visit);

// Appends the tokens of `text` to `out` (cleared first). Never fails: bytes that are not ASCII letters, digits or
// known punctuation are treated as letters, so non-English words and broken UTF-8 still tokenise.
void tokenize(std::string_view text, std::vector<Token>& out);
std::vector<Token> tokenize(std::string_view text);

// Whether `word` (lower-case, not stemmed) is one of the stop words left out of the index: "the", "is", "of"...
// "not", "no" and "never" are kept; rules depend on them.
bool is_stop_word(std::string_view word);

}  // namespace cowork::knowledge
