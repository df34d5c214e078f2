// The BM25 index over knowledge-base chunks, and the queries it answers. A chunk's heading counts more than its body;
// a query's terms can carry weights, so the names from an incident (model, column, test, the offending value) weigh
// more than the words around them; multi-word values ("Entire place") also score as phrases. Used by KnowledgeBase;
// knows nothing about files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/markdown_chunker.hpp"

namespace cowork::knowledge {

// How much a matching boost term weighs against a term of the query text.
inline constexpr double k_boost_weight = 2.5;

struct Query {
  struct Term {
    std::string text;  // an index term, as the tokenizer makes it ("room_type", "room", "type")
    double weight = 1;
  };
  struct Phrase {
    std::string text;                // as written, for messages
    std::vector<std::string> words;  // stemmed words, stop words included, matched consecutively
    double weight = 1;
  };
  std::vector<Term> terms;  // distinct
  std::vector<Phrase> phrases;

  bool empty() const { return terms.empty() && phrases.empty(); }
};

// The query for `text`: each distinct index term at weight 1, and each quoted part of two words or more ("Entire
// place" or 'Entire place') as a phrase at weight 1. Each boost adds its terms at `boost_weight`, and itself as a
// phrase when it has two words or more; a term that is both in the text and a boost counts once, at the larger
// weight. Stop words alone make an empty query.
Query make_query(std::string_view text, const std::vector<std::string>& boosts = {},
                 double boost_weight = k_boost_weight);

struct Bm25Params {
  double k1 = 1.2;
  double b = 0.75;
  double heading_weight = 2.0;         // a term of the chunk's own heading counts this many times
  double parent_heading_weight = 1.0;  // a term of a heading above it
};

struct Match {
  std::uint32_t chunk = 0;  // index into the chunks the index was built from
  double score = 0;
};

// Okapi BM25 with Lucene's idf, ln(1 + (N - n + 0.5) / (n + 0.5)), which stays positive for terms in most chunks:
//   score(chunk) = sum over terms t of weight(t) * idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
// where tf is the weighted count of t in the chunk (heading occurrences count heading_weight times) and dl the
// chunk's weighted count of indexed terms. A phrase scores the same way as one more term, with its own tf and n.
// Immutable once built; search is thread-safe.
class Bm25Index {
 public:
  Bm25Index() = default;
  explicit Bm25Index(const std::vector<Chunk>& chunks, const Bm25Params& params = {});

  // The chunks that match at least one term or phrase, best first, at most `limit`; equal scores keep chunk order.
  std::vector<Match> search(const Query& query, std::size_t limit) const;

  // 0 for a term no chunk has.
  double idf(std::string_view term) const;
  std::size_t size() const { return m_lengths.size(); }
  std::size_t term_count() const { return m_postings.size(); }
  double average_length() const { return m_average_length; }
  const Bm25Params& params() const { return m_params; }

 private:
  struct Posting {
    std::uint32_t chunk;
    float tf;
  };
  // Strings to ids in one open-addressing table: indexing looks up every word of every chunk, and a node-based map
  // costs a cache miss or two per lookup.
  class TermMap {
   public:
    static constexpr std::uint32_t k_missing = 0xFFFFFFFF;
    std::uint32_t find(std::string_view key) const;
    // Adds key -> value; the key must not be there yet.
    void insert(std::string_view key, std::uint32_t value);
    std::size_t size() const { return m_keys.size(); }

   private:
    struct Slot {
      std::uint64_t hash = 0;
      std::uint32_t entry = k_missing;  // index into m_keys and m_values
    };
    std::size_t slot_of(std::string_view key, std::uint64_t hash) const;
    void grow();

    std::vector<Slot> m_slots;
    std::vector<std::string> m_keys;
    std::vector<std::uint32_t> m_values;
  };

  std::uint32_t intern(std::string_view term);
  double term_score(double idf, double tf, std::uint32_t chunk) const;
  double idf_of_count(std::size_t count) const;
  // The weighted occurrences of `words` (term ids) as consecutive words of `chunk`.
  double phrase_tf(const std::vector<std::uint32_t>& words, std::uint32_t chunk) const;

  Bm25Params m_params;
  TermMap m_terms;                               // term -> id
  std::vector<std::vector<Posting>> m_postings;  // by term id; chunks ascending
  std::vector<float> m_lengths;                  // weighted length of each chunk
  std::vector<float> m_norms;                    // 1 - b + b * length / average
  double m_average_length = 0;
  // Each chunk's words as term ids, for phrases: own heading, parent headings, body, with k_gap between fields so a
  // phrase never spans two. m_word_offsets[c] is where chunk c starts; m_body_offsets[c] where its body starts.
  std::vector<std::uint32_t> m_words;
  std::vector<std::uint32_t> m_word_offsets;
  std::vector<std::uint32_t> m_parent_offsets;
  std::vector<std::uint32_t> m_body_offsets;
};

}  // namespace cowork::knowledge
