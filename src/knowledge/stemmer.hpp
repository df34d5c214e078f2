// The English stemmer of the knowledge-base search: Porter2, the Snowball "english" algorithm (snowballstem.org),
// written out here so the index needs no library. It maps inflected forms to one stem ("relational", "relations" ->
// "relat"; "listings" -> "list"), so a query finds a rule however it is worded. Used by the tokenizer; stems are index
// keys, not words to show anyone.
#pragma once

#include <string>
#include <string_view>

namespace cowork::knowledge {

// The stem of a lower-case word. Words of one or two letters, and words with anything but a-z and the apostrophe
// (numbers, identifiers with digits, non-ASCII words) come back unchanged. Pure and thread-safe.
std::string stem(std::string_view word);

}  // namespace cowork::knowledge
