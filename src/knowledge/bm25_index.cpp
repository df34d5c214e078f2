#include "knowledge/bm25_index.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>

#include "knowledge/stemmer.hpp"
#include "knowledge/tokenizer.hpp"
#include "util/strings.hpp"

namespace cowork::knowledge {
namespace {

// Separates the fields of a chunk in its word sequence; no term has this id.
constexpr std::uint32_t k_gap = std::numeric_limits<std::uint32_t>::max();

// The parts of `text` between matching quotes: "..." anywhere, '...' only where the quote opens a word and closes
// one, so apostrophes in "host's" are left alone.
std::vector<std::string_view> quoted_parts(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char quote = text[i];
    if (quote != '"' && quote != '\'') continue;
    if (quote == '\'' && i > 0 && text[i - 1] != ' ' && text[i - 1] != '(' && text[i - 1] != '\t') continue;
    for (std::size_t k = i + 1; k < text.size(); ++k) {
      if (text[k] != quote) continue;
      const bool closes_word = k + 1 == text.size() || !std::isalnum(static_cast<unsigned char>(text[k + 1]));
      if (quote == '\'' && !closes_word) continue;
      parts.push_back(text.substr(i + 1, k - i - 1));
      i = k;
      break;
    }
  }
  return parts;
}

}  // namespace

Query make_query(std::string_view text, const std::vector<std::string>& boosts, double boost_weight) {
  Query query;
  std::unordered_map<std::string, std::size_t> term_positions;
  const auto add_term = [&](const std::string& term, double weight) {
    const auto [it, inserted] = term_positions.try_emplace(term, query.terms.size());
    if (inserted)
      query.terms.push_back({term, weight});
    else
      query.terms[it->second].weight = std::max(query.terms[it->second].weight, weight);
  };
  // A phrase is two words or more from two runs or more: `room_type` alone is already matched whole as a term.
  const auto add_phrase = [&](std::string_view phrase, const std::vector<Token>& tokens, double weight) {
    std::vector<std::string> words;
    std::uint32_t first_begin = 0, last_end = 0;
    bool searchable = false;
    for (const Token& token : tokens) {
      if (!token.atom) continue;
      if (words.empty()) first_begin = token.begin;
      last_end = token.end;
      words.push_back(token.term);
      searchable = searchable || token.indexed;
    }
    if (words.size() < 2 || !searchable) return;
    for (const Token& token : tokens)
      if (!token.atom && token.begin == first_begin && token.end == last_end) return;
    for (Query::Phrase& existing : query.phrases) {
      if (existing.words == words) {
        existing.weight = std::max(existing.weight, weight);
        return;
      }
    }
    query.phrases.push_back({std::string(trim(phrase)), std::move(words), weight});
  };

  for (const Token& token : tokenize(text))
    if (token.indexed) add_term(token.term, 1);
  for (std::string_view part : quoted_parts(text)) add_phrase(part, tokenize(part), 1);
  for (const std::string& boost : boosts) {
    const std::vector<Token> tokens = tokenize(boost);
    for (const Token& token : tokens)
      if (token.indexed) add_term(token.term, boost_weight);
    add_phrase(boost, tokens, boost_weight);
  }
  return query;
}

Bm25Index::Bm25Index(const std::vector<Chunk>& chunks, const Bm25Params& params) : m_params(params) {
  const std::size_t count = chunks.size();
  m_lengths.resize(count);
  m_word_offsets.reserve(count + 1);
  m_parent_offsets.reserve(count);
  m_body_offsets.reserve(count);

  // Words as written -> term ids, so each distinct spelling is stemmed once. Words never contain a connector, and
  // whole identifiers and their parts always do, so the two kinds of key cannot collide.
  TermMap written;
  std::vector<float> tf;  // by term id, for the chunk being indexed
  std::vector<std::uint32_t> touched;
  double length = 0;
  double weight = 1;
  const std::function<void(const RawTerm&)> add_term = [&](const RawTerm& term) {
    std::uint32_t id = written.find(term.text);
    if (id == TermMap::k_missing) {
      id = term.kind == TermKind::word ? intern(stem(term.text)) : intern(term.text);
      written.insert(term.text, id);
    }
    if (id >= tf.size()) tf.resize(id + 1, 0);
    if (term.kind == TermKind::word) m_words.push_back(id);
    if (term.stop_word) return;
    if (tf[id] == 0) touched.push_back(id);
    tf[id] += static_cast<float>(weight);
    length += weight;
  };
  for (std::uint32_t c = 0; c < count; ++c) {
    const Chunk& chunk = chunks[c];
    length = 0;
    const auto add_field = [&](std::string_view text, double field_weight) {
      weight = field_weight;
      scan_terms(text, add_term);
      m_words.push_back(k_gap);
    };
    m_word_offsets.push_back(static_cast<std::uint32_t>(m_words.size()));
    if (!chunk.headings.empty()) add_field(chunk.headings.back(), m_params.heading_weight);
    m_parent_offsets.push_back(static_cast<std::uint32_t>(m_words.size()));
    for (std::size_t h = 0; h + 1 < chunk.headings.size(); ++h)
      add_field(chunk.headings[h], m_params.parent_heading_weight);
    m_body_offsets.push_back(static_cast<std::uint32_t>(m_words.size()));
    add_field(chunk.text, 1);

    for (std::uint32_t id : touched) {
      m_postings[id].push_back({c, tf[id]});
      tf[id] = 0;
    }
    touched.clear();
    m_lengths[c] = static_cast<float>(length);
  }
  m_word_offsets.push_back(static_cast<std::uint32_t>(m_words.size()));

  double total = 0;
  for (float length : m_lengths) total += length;
  m_average_length = count > 0 && total > 0 ? total / static_cast<double>(count) : 1;
  m_norms.resize(count);
  for (std::size_t c = 0; c < count; ++c)
    m_norms[c] = static_cast<float>(1 - m_params.b + m_params.b * m_lengths[c] / m_average_length);
}

std::uint32_t Bm25Index::TermMap::find(std::string_view key) const {
  if (m_slots.empty()) return k_missing;
  const Slot& slot = m_slots[slot_of(key, stable_hash(key))];
  return slot.entry == k_missing ? k_missing : m_values[slot.entry];
}

std::size_t Bm25Index::TermMap::slot_of(std::string_view key, std::uint64_t hash) const {
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = m_slots[i];
    if (slot.entry == k_missing || (slot.hash == hash && m_keys[slot.entry] == key)) return i;
  }
}

void Bm25Index::TermMap::insert(std::string_view key, std::uint32_t value) {
  if ((m_keys.size() + 1) * 2 > m_slots.size()) grow();
  const std::uint64_t hash = stable_hash(key);
  Slot& slot = m_slots[slot_of(key, hash)];
  slot.hash = hash;
  slot.entry = static_cast<std::uint32_t>(m_keys.size());
  m_keys.emplace_back(key);
  m_values.push_back(value);
}

void Bm25Index::TermMap::grow() {
  std::vector<Slot> old = std::move(m_slots);
  m_slots.assign(std::max<std::size_t>(64, old.size() * 2), Slot{});
  const std::size_t mask = m_slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.entry == k_missing) continue;
    std::size_t i = slot.hash & mask;
    while (m_slots[i].entry != k_missing) i = (i + 1) & mask;
    m_slots[i] = slot;
  }
}

std::uint32_t Bm25Index::intern(std::string_view term) {
  if (const std::uint32_t id = m_terms.find(term); id != TermMap::k_missing) return id;
  const auto id = static_cast<std::uint32_t>(m_postings.size());
  m_terms.insert(term, id);
  m_postings.emplace_back();
  return id;
}

double Bm25Index::idf_of_count(std::size_t count) const {
  const double n = static_cast<double>(size());
  const double df = static_cast<double>(count);
  return std::log(1 + (n - df + 0.5) / (df + 0.5));
}

double Bm25Index::idf(std::string_view term) const {
  const std::uint32_t id = m_terms.find(term);
  if (id == TermMap::k_missing || m_postings[id].empty()) return 0;
  return idf_of_count(m_postings[id].size());
}

double Bm25Index::term_score(double idf, double tf, std::uint32_t chunk) const {
  return idf * tf * (m_params.k1 + 1) / (tf + m_params.k1 * m_norms[chunk]);
}

double Bm25Index::phrase_tf(const std::vector<std::uint32_t>& words, std::uint32_t chunk) const {
  const std::uint32_t begin = m_word_offsets[chunk];
  const std::uint32_t end = m_word_offsets[chunk + 1];
  double tf = 0;
  for (std::uint32_t p = begin; p + words.size() <= end; ++p) {
    if (!std::equal(words.begin(), words.end(), m_words.begin() + p)) continue;
    tf += p < m_parent_offsets[chunk] ? m_params.heading_weight
          : p < m_body_offsets[chunk] ? m_params.parent_heading_weight
                                      : 1.0;
  }
  return tf;
}

std::vector<Match> Bm25Index::search(const Query& query, std::size_t limit) const {
  if (limit == 0 || size() == 0 || query.empty()) return {};
  std::vector<double> scores(size(), 0.0);
  std::vector<char> matched(size(), 0);

  for (const Query::Term& term : query.terms) {
    const std::uint32_t id = m_terms.find(term.text);
    if (id == TermMap::k_missing || m_postings[id].empty()) continue;
    const auto& postings = m_postings[id];
    const double idf = idf_of_count(postings.size());
    for (const Posting& posting : postings) {
      scores[posting.chunk] += term.weight * term_score(idf, posting.tf, posting.chunk);
      matched[posting.chunk] = 1;
    }
  }

  std::vector<std::uint32_t> ids;
  std::vector<std::pair<std::uint32_t, double>> found;
  for (const Query::Phrase& phrase : query.phrases) {
    ids.clear();
    const std::vector<Posting>* rarest = nullptr;
    bool known = true;
    for (const std::string& word : phrase.words) {
      const std::uint32_t id = m_terms.find(word);
      if (id == TermMap::k_missing) {
        known = false;
        break;
      }
      ids.push_back(id);
      const auto& postings = m_postings[id];
      if (!postings.empty() && (rarest == nullptr || postings.size() < rarest->size())) rarest = &postings;
    }
    if (!known || rarest == nullptr) continue;
    // Every chunk with the phrase has its rarest searchable word, so only those chunks need scanning.
    found.clear();
    for (const Posting& posting : *rarest)
      if (const double tf = phrase_tf(ids, posting.chunk); tf > 0) found.emplace_back(posting.chunk, tf);
    if (found.empty()) continue;
    const double idf = idf_of_count(found.size());
    for (const auto& [chunk, tf] : found) {
      scores[chunk] += phrase.weight * term_score(idf, tf, chunk);
      matched[chunk] = 1;
    }
  }

  std::vector<Match> matches;
  for (std::uint32_t c = 0; c < size(); ++c)
    if (matched[c]) matches.push_back({c, scores[c]});
  const auto better = [](const Match& a, const Match& b) {
    return a.score != b.score ? a.score > b.score : a.chunk < b.chunk;
  };
  const std::size_t keep = std::min(limit, matches.size());
  std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(keep), matches.end(), better);
  matches.resize(keep);
  return matches;
}

}  // namespace cowork::knowledge
