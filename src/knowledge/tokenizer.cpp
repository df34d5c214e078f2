#include "knowledge/tokenizer.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "knowledge/stemmer.hpp"

namespace cowork::knowledge {
namespace {

enum class CharKind { separator, letter, minor_connector, major_connector, apostrophe };

struct CharInfo {
  CharKind kind;
  std::size_t length;  // bytes
};

bool is_ascii_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_lower(unsigned char c) {
  return c >= 'a' && c <= 'z';
}
bool is_ascii_upper(unsigned char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_ascii_alnum(unsigned char c) {
  return is_ascii_letter(c) || (c >= '0' && c <= '9');
}

CharInfo classify(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    if (is_ascii_alnum(c)) return {CharKind::letter, 1};
    if (c == '_' || c == '-') return {CharKind::minor_connector, 1};
    if (c == '.' || c == '/' || c == ':') return {CharKind::major_connector, 1};
    if (c == '\'') return {CharKind::apostrophe, 1};
    return {CharKind::separator, 1};
  }
  // U+2000-U+207F (dashes, curly quotes, ellipsis, bullets) separate words, except the right single quote, which
  // is an apostrophe in "host’s". U+00A0-U+00BF (no-break space, guillemets, middle dot) separate words too.
  const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
  if (c == 0xE2 && i + 2 < text.size() && (next == 0x80 || next == 0x81)) {
    const auto last = static_cast<unsigned char>(text[i + 2]);
    return {next == 0x80 && last == 0x99 ? CharKind::apostrophe : CharKind::separator, 3};
  }
  if (c == 0xC2 && next >= 0xA0 && next <= 0xBF) return {CharKind::separator, 2};
  return {CharKind::letter, 1};  // any other byte of a non-ASCII character is part of a word
}

// A word of a run: its bytes in the lower-cased run, its bytes in the text, and the part (between major
// connectors) it belongs to.
struct Atom {
  std::size_t lower_begin, lower_end;
  std::size_t text_begin, text_end;
  std::size_t part;
};

// Sorted, for binary search. Short on purpose: BM25's idf already discounts common words; this list only keeps
// function words from matching on their own. Negations ("not", "no", "never") stay searchable.
constexpr std::string_view k_stop_words[] = {
    "a",   "about", "after", "all",  "also",  "an",    "and",   "are",   "as",    "at",   "be",   "because", "been",
    "but", "by",    "can",   "do",   "does",  "for",   "from",  "had",   "has",   "have", "he",   "her",     "his",
    "how", "i",     "if",    "in",   "into",  "is",    "it",    "its",   "of",    "on",   "or",   "our",     "she",
    "so",  "than",  "that",  "the",  "their", "them",  "then",  "there", "these", "they", "this", "to",      "was",
    "we",  "were",  "what",  "when", "where", "which", "while", "who",   "will",  "with", "you",  "your",
};
static_assert(std::ranges::is_sorted(k_stop_words));
static_assert(std::ranges::all_of(k_stop_words, [](std::string_view word) { return word.size() <= 7; }));

// Stemming is the costliest step of indexing and a knowledge base repeats its words, so each thread remembers the
// stems it has made. Bounded: cleared when it grows past k_stem_cache_limit words.
constexpr std::size_t k_stem_cache_limit = 1 << 17;

struct StemCacheHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

const std::string& cached_stem(std::string_view word) {
  thread_local std::unordered_map<std::string, std::string, StemCacheHash, std::equal_to<>> cache;
  if (auto it = cache.find(word); it != cache.end()) return it->second;
  if (cache.size() >= k_stem_cache_limit) cache.clear();
  return cache.emplace(std::string(word), stem(word)).first->second;
}

}  // namespace

bool is_stop_word(std::string_view word) {
  return word.size() <= 7 && std::ranges::binary_search(k_stop_words, word);
}

void scan_terms(std::string_view text, const std::function<void(const RawTerm&)>& visit) {
  std::string lowered;
  std::vector<Atom> atoms;
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const CharInfo first = classify(text, i);
    if (first.kind != CharKind::letter) {
      i += first.length;
      continue;
    }
    // One run: letters joined by single connectors, and apostrophes between two letters.
    lowered.clear();
    atoms.clear();
    const std::size_t run_begin = i;
    std::size_t part = 0;
    Atom current{0, 0, i, i, 0};
    auto close_atom = [&](std::size_t text_end) {
      current.lower_end = lowered.size();
      current.text_end = text_end;
      if (current.lower_end > current.lower_begin) atoms.push_back(current);
    };
    std::size_t j = i;
    while (j < n) {
      const auto c = static_cast<unsigned char>(text[j]);
      if (is_ascii_alnum(c)) {
        // camelCase humps split words: listingId -> listing|Id, HTTPServer -> HTTP|Server (but not IDs, URLs).
        if (is_ascii_upper(c) && j > current.text_begin) {
          const auto previous = static_cast<unsigned char>(text[j - 1]);
          const bool hump = is_ascii_lower(previous) || (is_ascii_upper(previous) && j + 2 < n &&
                                                         is_ascii_lower(text[j + 1]) && is_ascii_lower(text[j + 2]));
          if (hump) {
            close_atom(j);
            current = Atom{lowered.size(), 0, j, 0, part};
          }
        }
        lowered += is_ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
        ++j;
        continue;
      }
      const CharInfo info = classify(text, j);
      if (info.kind == CharKind::letter) {
        lowered.append(text.substr(j, info.length));
        j += info.length;
        continue;
      }
      const std::size_t after = j + info.length;
      if (info.kind == CharKind::apostrophe) {
        if (j > 0 && is_ascii_letter(text[j - 1]) && after < n && is_ascii_letter(text[after])) {
          lowered += '\'';
          j = after;
          continue;
        }
        break;
      }
      const bool letter_follows = after < n && classify(text, after).kind == CharKind::letter;
      if ((info.kind == CharKind::minor_connector || info.kind == CharKind::major_connector) && letter_follows) {
        close_atom(j);
        lowered += static_cast<char>(c);
        if (info.kind == CharKind::major_connector) ++part;
        j = after;
        current = Atom{lowered.size(), 0, j, 0, part};
        continue;
      }
      break;
    }
    close_atom(j);
    i = j;

    RawTerm term;
    const auto emit = [&](std::string_view raw, std::size_t begin, std::size_t end, TermKind kind) {
      term.text = raw;
      term.begin = static_cast<std::uint32_t>(begin);
      term.end = static_cast<std::uint32_t>(end);
      term.kind = kind;
      term.stop_word = kind == TermKind::word && is_stop_word(raw);
      visit(term);
    };
    const std::string_view all = lowered;
    if (atoms.size() > 1) emit(all, run_begin, j, TermKind::whole);
    if (part > 0) {
      for (std::size_t first_atom = 0; first_atom < atoms.size();) {
        std::size_t last_atom = first_atom;
        while (last_atom + 1 < atoms.size() && atoms[last_atom + 1].part == atoms[first_atom].part) ++last_atom;
        if (last_atom > first_atom) {
          const Atom& a = atoms[first_atom];
          const Atom& b = atoms[last_atom];
          emit(all.substr(a.lower_begin, b.lower_end - a.lower_begin), a.text_begin, b.text_end, TermKind::part);
        }
        first_atom = last_atom + 1;
      }
    }
    for (const Atom& atom : atoms)
      emit(all.substr(atom.lower_begin, atom.lower_end - atom.lower_begin), atom.text_begin, atom.text_end,
           TermKind::word);
  }
}

void tokenize(std::string_view text, std::vector<Token>& out) {
  out.clear();
  scan_terms(text, [&out](const RawTerm& term) {
    const bool word = term.kind == TermKind::word;
    out.push_back(
        Token{word ? cached_stem(term.text) : std::string(term.text), term.begin, term.end, word, !term.stop_word});
  });
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  tokenize(text, out);
  return out;
}

}  // namespace cowork::knowledge
