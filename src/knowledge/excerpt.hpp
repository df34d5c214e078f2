// The excerpt of a knowledge-base hit: the sentences of a chunk that say why it matched, short enough for a report
// line or an investigation step ("Decision DQ-114 (...): map `Entire place` to `Entire home/apt` in `src_listings`.").
// Used by KnowledgeBase::search for each hit it returns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "knowledge/bm25_index.hpp"

namespace cowork::knowledge {

// The 1-3 consecutive sentences (or list items, table rows, code lines) of `text` that match the most of `query`,
// each term weighing its query weight times its idf in `index`; ties go to fewer sentences, then the earlier ones.
// Lines of a paragraph are joined, list markers and `**` emphasis are dropped, whitespace is collapsed. At most
// `max_chars` bytes: a longer sentence is cut at whole words around its first match, with "…" where text was left out.
// With no match in the text (the heading matched), the opening sentences.
std::string make_excerpt(std::string_view text, const Query& query, const Bm25Index& index,
                         std::size_t max_chars = 300);

}  // namespace cowork::knowledge
