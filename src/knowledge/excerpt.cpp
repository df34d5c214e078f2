#include "knowledge/excerpt.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "knowledge/tokenizer.hpp"
#include "util/strings.hpp"

namespace cowork::knowledge {
namespace {

constexpr std::string_view k_ellipsis = "\xE2\x80\xA6";  // …

bool is_fence(std::string_view line) {
  return line.starts_with("```") || line.starts_with("~~~");
}

// "- item", "* item", "1. item", "> quote" -> the item's text.
std::string_view strip_marker(std::string_view line) {
  while (true) {
    if (line.starts_with("> ") || line == ">") {
      line = trim(line.substr(1));
      continue;
    }
    if ((line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ "))) {
      line = trim(line.substr(2));
      continue;
    }
    std::size_t digits = 0;
    while (digits < line.size() && digits < 9 && line[digits] >= '0' && line[digits] <= '9') ++digits;
    if (digits > 0 && digits + 1 < line.size() && (line[digits] == '.' || line[digits] == ')') &&
        line[digits + 1] == ' ') {
      line = trim(line.substr(digits + 2));
      continue;
    }
    return line;
  }
}

// Headings never reach a chunk's text, so a line starting with '#' is a wrapped "#channel" and continues its paragraph.
bool starts_block(std::string_view line) {
  return strip_marker(line).size() != line.size() || line.starts_with('|');
}

// Paragraphs with their lines joined, list items, quotes, table rows, and each line of a code block.
std::vector<std::string> split_blocks(std::string_view text) {
  std::vector<std::string> blocks;
  std::string current;
  const auto flush = [&] {
    if (!current.empty()) blocks.push_back(std::move(current));
    current.clear();
  };
  bool in_fence = false;
  for (std::string_view raw : split(text, '\n')) {
    const std::string_view line = trim(raw);
    if (is_fence(line)) {
      flush();
      in_fence = !in_fence;
      continue;
    }
    if (in_fence || line.empty() || starts_block(line) || (!current.empty() && current.front() == '|')) flush();
    if (line.empty()) continue;
    if (!current.empty()) current += ' ';
    current += in_fence ? line : strip_marker(line);
    if (in_fence) flush();
  }
  flush();
  for (std::string& block : blocks) {
    std::string clean;
    clean.reserve(block.size());
    for (std::size_t i = 0; i < block.size(); ++i) {
      if (block.compare(i, 2, "**") == 0) {
        ++i;
        continue;
      }
      const char c = block[i] == '\t' ? ' ' : block[i];
      if (c == ' ' && !clean.empty() && clean.back() == ' ') continue;
      clean += c;
    }
    block = std::move(clean);
  }
  return blocks;
}

// Sentences end at . ? or ! followed by a space and something other than a lower-case letter ("e.g. the" goes on).
void split_sentences(const std::string& block, std::vector<std::string>& out) {
  std::size_t begin = 0;
  for (std::size_t i = 0; i + 2 < block.size(); ++i) {
    const char c = block[i];
    if ((c == '.' || c == '?' || c == '!') && block[i + 1] == ' ' && !(block[i + 2] >= 'a' && block[i + 2] <= 'z')) {
      out.push_back(std::string(trim(std::string_view(block).substr(begin, i + 1 - begin))));
      begin = i + 2;
    }
  }
  if (begin < block.size()) out.push_back(std::string(trim(std::string_view(block).substr(begin))));
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
}

struct Segment {
  std::string text;
  std::vector<std::size_t> terms;    // indices into Query::terms found in it
  std::vector<std::size_t> phrases;  // indices into Query::phrases
  std::size_t first_match = std::string::npos;
};

std::string cut_around(const std::string& text, std::size_t anchor, std::size_t max_chars) {
  const std::size_t marker = k_ellipsis.size() + 1;
  if (anchor == std::string::npos) anchor = 0;
  std::size_t start = anchor > max_chars / 3 ? anchor - max_chars / 3 : 0;
  if (start > 0) {
    const std::size_t space = text.find(' ', start);
    start = space != std::string::npos && space < anchor ? space + 1 : anchor;
  }
  const std::size_t budget = max_chars > 2 * marker + 8 ? max_chars - (start > 0 ? marker : 0) - marker : max_chars;
  std::size_t end = std::min(text.size(), start + budget);
  if (end < text.size()) {
    const std::size_t space = text.rfind(' ', end);
    if (space != std::string::npos && space > start) {
      end = space;
    } else {
      while (end > start + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    }
  }
  std::string out;
  if (start > 0) out += std::string(k_ellipsis) + ' ';
  out += trim(std::string_view(text).substr(start, end - start));
  if (end < text.size()) out += ' ' + std::string(k_ellipsis);
  return out;
}

}  // namespace

std::string make_excerpt(std::string_view text, const Query& query, const Bm25Index& index, std::size_t max_chars) {
  std::vector<Segment> segments;
  {
    std::vector<std::string> sentences;
    for (const std::string& block : split_blocks(text)) split_sentences(block, sentences);
    for (std::string& sentence : sentences) segments.push_back({std::move(sentence), {}, {}, std::string::npos});
  }
  if (segments.empty()) return {};

  std::unordered_map<std::string_view, std::size_t> term_index;
  std::vector<double> term_weights;
  for (std::size_t t = 0; t < query.terms.size(); ++t) {
    term_index.emplace(query.terms[t].text, t);
    term_weights.push_back(query.terms[t].weight * index.idf(query.terms[t].text));
  }
  std::vector<double> phrase_weights;
  for (const Query::Phrase& phrase : query.phrases) {
    double idf = 0;
    for (const std::string& word : phrase.words) idf += index.idf(word);
    phrase_weights.push_back(phrase.weight * idf);
  }

  std::vector<Token> tokens;
  std::vector<std::string_view> words;
  for (Segment& segment : segments) {
    tokenize(segment.text, tokens);
    words.clear();
    for (const Token& token : tokens) {
      if (token.atom) words.push_back(token.term);
      if (!token.indexed) continue;
      const auto it = term_index.find(token.term);
      if (it == term_index.end() || term_weights[it->second] <= 0) continue;
      segment.terms.push_back(it->second);
      segment.first_match = std::min<std::size_t>(segment.first_match, token.begin);
    }
    for (std::size_t p = 0; p < query.phrases.size(); ++p) {
      const auto& phrase = query.phrases[p].words;
      for (std::size_t w = 0; w + phrase.size() <= words.size(); ++w) {
        if (std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<std::ptrdiff_t>(w))) {
          segment.phrases.push_back(p);
          break;
        }
      }
    }
  }

  // The best run of 1-3 segments that fits: the weight of the distinct terms and phrases it contains.
  std::size_t best_start = 0, best_count = 0;
  double best_score = 0;
  std::vector<char> seen_terms(query.terms.size()), seen_phrases(query.phrases.size());
  for (std::size_t start = 0; start < segments.size(); ++start) {
    std::size_t length = 0;
    for (std::size_t count = 1; count <= 3 && start + count <= segments.size(); ++count) {
      length += segments[start + count - 1].text.size() + (count > 1 ? 1 : 0);
      if (count > 1 && length > max_chars) break;
      std::fill(seen_terms.begin(), seen_terms.end(), 0);
      std::fill(seen_phrases.begin(), seen_phrases.end(), 0);
      for (std::size_t s = start; s < start + count; ++s) {
        for (std::size_t t : segments[s].terms) seen_terms[t] = 1;
        for (std::size_t p : segments[s].phrases) seen_phrases[p] = 1;
      }
      double score = 0;
      for (std::size_t t = 0; t < seen_terms.size(); ++t)
        if (seen_terms[t]) score += term_weights[t];
      for (std::size_t p = 0; p < seen_phrases.size(); ++p)
        if (seen_phrases[p]) score += phrase_weights[p];
      const double epsilon = 1e-9 * std::max(1.0, std::abs(best_score));
      if (score > best_score + epsilon ||
          (std::abs(score - best_score) <= epsilon && score > 0 && count < best_count)) {
        best_score = score;
        best_start = start;
        best_count = count;
      }
    }
  }
  if (best_count == 0) {
    // Nothing in the text matched (the heading did): the opening sentences.
    std::size_t length = segments[0].text.size();
    best_count = 1;
    while (best_count < 3 && best_count < segments.size() && length + 1 + segments[best_count].text.size() <= max_chars)
      length += 1 + segments[best_count++].text.size();
  }

  if (best_count == 1) {
    const Segment& segment = segments[best_start];
    if (segment.text.size() <= max_chars) return segment.text;
    return cut_around(segment.text, segment.first_match, max_chars);
  }
  std::string out;
  for (std::size_t s = best_start; s < best_start + best_count; ++s) {
    if (!out.empty()) out += ' ';
    out += segments[s].text;
  }
  return out;
}

}  // namespace cowork::knowledge
