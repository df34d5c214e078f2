#include "knowledge/markdown_chunker.hpp"

#include <algorithm>
#include <optional>

#include "util/strings.hpp"

namespace cowork::knowledge {
namespace {

struct Line {
  std::size_t number;  // 1-based
  std::string_view text;
};

struct Heading {
  int level;
  std::string title;
};

std::vector<Line> split_lines(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  std::vector<Line> lines;
  std::size_t number = 1;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back({number++, line});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool is_blank(std::string_view line) {
  return trim(line).empty();
}

std::size_t indent_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Lines after a `---` first line up to the closing `---` or `...`; none when the block is not closed.
std::size_t front_matter_lines(const std::vector<Line>& lines) {
  if (lines.empty() || trim_right(lines[0].text) != "---") return 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = trim_right(lines[i].text);
    if (line == "---" || line == "...") return i + 1;
  }
  return 0;
}

// An opening or closing code fence: three or more backticks or tildes, indented at most three spaces.
struct Fence {
  char marker;
  std::size_t length;
};

std::optional<Fence> fence_of(std::string_view line) {
  const std::size_t indent = indent_of(line);
  if (indent > 3 || indent >= line.size()) return std::nullopt;
  const char marker = line[indent];
  if (marker != '`' && marker != '~') return std::nullopt;
  std::size_t length = 0;
  while (indent + length < line.size() && line[indent + length] == marker) ++length;
  if (length < 3) return std::nullopt;
  return Fence{marker, length};
}

// `## Title ##` -> {2, "Title"}.
std::optional<Heading> atx_heading(std::string_view line) {
  const std::size_t indent = indent_of(line);
  if (indent > 3) return std::nullopt;
  std::size_t hashes = 0;
  while (indent + hashes < line.size() && line[indent + hashes] == '#') ++hashes;
  if (hashes == 0 || hashes > 6) return std::nullopt;
  std::string_view rest = line.substr(indent + hashes);
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') return std::nullopt;
  rest = trim(rest);
  // A closing run of #s is decoration when a space precedes it (or it is all there is).
  std::size_t end = rest.size();
  while (end > 0 && rest[end - 1] == '#') --end;
  if (end == 0 || rest[end - 1] == ' ' || rest[end - 1] == '\t') rest = trim(rest.substr(0, end));
  return Heading{static_cast<int>(hashes), std::string(rest)};
}

// `===` under a line makes it a level-1 heading, `---` a level-2 one.
int setext_level(std::string_view line) {
  const std::string_view text = trim(line);
  if (indent_of(line) > 3 || text.size() < 3) return 0;
  if (text.find_first_not_of('=') == std::string_view::npos) return 1;
  if (text.find_first_not_of('-') == std::string_view::npos) return 2;
  return 0;
}

// Whether a line could be the text of a setext heading (a one-line paragraph), rather than a list item, a quote, a
// table row or a fence, whose underlines mean something else.
bool could_be_setext_text(std::string_view line) {
  if (is_blank(line) || indent_of(line) > 3) return false;
  const std::string_view text = trim(line);
  const char first = text.front();
  if (first == '#' || first == '>' || first == '|' || first == '<' || fence_of(line)) return false;
  if ((first == '-' || first == '*' || first == '+') && (text.size() == 1 || text[1] == ' ')) return false;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits > 0 && digits < text.size() && (text[digits] == '.' || text[digits] == ')')) return false;
  return true;
}

// A line of the file with what it is: a heading (level > 0, with the line numbers it spans) or body text.
struct Block {
  Line line;
  int level = 0;
  std::string title;
};

std::vector<Block> parse_blocks(const std::vector<Line>& lines) {
  std::vector<Block> blocks;
  std::optional<Fence> open_fence;
  bool previous_blank = true;
  for (std::size_t i = front_matter_lines(lines); i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (open_fence) {
      if (auto fence = fence_of(line.text); fence && fence->marker == open_fence->marker &&
                                            fence->length >= open_fence->length &&
                                            is_blank(trim(line.text).substr(fence->length)))
        open_fence.reset();
      blocks.push_back({line});
      previous_blank = false;
      continue;
    }
    if (auto fence = fence_of(line.text)) {
      open_fence = fence;
      blocks.push_back({line});
      previous_blank = false;
      continue;
    }
    if (auto heading = atx_heading(line.text)) {
      blocks.push_back({line, heading->level, std::move(heading->title)});
      previous_blank = true;  // a heading ends a paragraph like a blank line does
      continue;
    }
    if (previous_blank && i + 1 < lines.size() && could_be_setext_text(line.text)) {
      if (const int level = setext_level(lines[i + 1].text); level > 0) {
        blocks.push_back({line, level, std::string(trim(line.text))});
        ++i;
        previous_blank = true;
        continue;
      }
    }
    blocks.push_back({line});
    previous_blank = is_blank(line.text);
  }
  return blocks;
}

// A byte range of a section's body that windows may start or end at: a line, a sentence, or a run of words.
struct Piece {
  std::size_t begin, end;
};

// Cuts `body` after every line end and sentence end, then cuts what is still longer than `max` at spaces (or, in a
// text without spaces, at a UTF-8 character boundary).
std::vector<Piece> cut_pieces(std::string_view body, std::size_t max) {
  std::vector<Piece> sentences;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const bool line_end = c == '\n';
    const bool sentence_end = (c == '.' || c == '?' || c == '!') && i + 1 < body.size() && body[i + 1] == ' ';
    if (line_end || sentence_end) {
      const std::size_t end = sentence_end ? i + 2 : i + 1;
      sentences.push_back({begin, end});
      begin = end;
      if (sentence_end) ++i;
    }
  }
  if (begin < body.size()) sentences.push_back({begin, body.size()});

  std::vector<Piece> pieces;
  for (Piece sentence : sentences) {
    while (sentence.end - sentence.begin > max) {
      std::size_t cut = sentence.begin + max;
      const std::size_t space = body.rfind(' ', cut - 1);
      if (space != std::string_view::npos && space > sentence.begin) {
        cut = space + 1;
      } else {
        while (cut > sentence.begin + 1 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
      }
      pieces.push_back({sentence.begin, cut});
      sentence.begin = cut;
    }
    if (sentence.end > sentence.begin) pieces.push_back(sentence);
  }
  return pieces;
}

std::size_t count_newlines(std::string_view text) {
  return static_cast<std::size_t>(std::ranges::count(text, '\n'));
}

class SectionWriter {
 public:
  SectionWriter(std::string_view path, const ChunkOptions& options, std::vector<Chunk>& out)
      : m_path(path), m_options(options), m_out(out) {}

  // Emits the chunks of one section: `lines` is its body, `heading_line` the line of its heading (0 for text before
  // the first heading).
  void write(const std::vector<std::string>& headings, int level, std::size_t heading_line,
             const std::vector<Line>& lines) {
    std::size_t first = 0, last = lines.size();
    while (first < last && is_blank(lines[first].text)) ++first;
    while (last > first && is_blank(lines[last - 1].text)) --last;
    if (first == last) return;
    std::string body;
    for (std::size_t i = first; i < last; ++i) {
      if (i > first) body += '\n';
      body += trim_right(lines[i].text);
    }
    const std::size_t body_line = lines[first].number;

    Chunk chunk;
    chunk.path = std::string(m_path);
    chunk.headings = headings;
    chunk.heading = join(headings, " > ");
    chunk.level = level;
    if (body.size() <= m_options.max_chars) {
      chunk.line = heading_line > 0 ? heading_line : body_line;
      chunk.text = std::move(body);
      m_out.push_back(std::move(chunk));
      return;
    }

    const std::size_t max = std::max<std::size_t>(m_options.max_chars, 64);
    const std::vector<Piece> pieces = cut_pieces(body, std::max<std::size_t>(max / 2, 1));
    int part = 0;
    for (std::size_t start = 0; start < pieces.size();) {
      std::size_t end = start, length = 0;
      while (end < pieces.size() && (end == start || length + (pieces[end].end - pieces[end].begin) <= max)) {
        length += pieces[end].end - pieces[end].begin;
        ++end;
      }
      std::string_view window =
          std::string_view(body).substr(pieces[start].begin, pieces[end - 1].end - pieces[start].begin);
      const std::size_t leading = window.find_first_not_of(" \t\n");
      const std::size_t offset = pieces[start].begin + (leading == std::string_view::npos ? 0 : leading);
      window = trim(window);
      if (!window.empty()) {
        Chunk piece = chunk;
        piece.part = ++part;
        piece.line = part == 1 && heading_line > 0
                         ? heading_line
                         : body_line + count_newlines(std::string_view(body).substr(0, offset));
        piece.text = std::string(window);
        m_out.push_back(std::move(piece));
      }
      if (end == pieces.size()) break;
      // Step back so the next window repeats up to overlap_chars of this one's end, and always moves forward.
      std::size_t next = end, overlap = 0;
      while (next - 1 > start && overlap + (pieces[next - 1].end - pieces[next - 1].begin) <= m_options.overlap_chars) {
        --next;
        overlap += pieces[next].end - pieces[next].begin;
      }
      start = next;
    }
  }

 private:
  std::string_view m_path;
  const ChunkOptions& m_options;
  std::vector<Chunk>& m_out;
};

}  // namespace

std::string title_from_file_name(std::string_view path) {
  std::string_view name =
      path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
  std::string title(name);
  for (char& c : title)
    if (c == '_' || c == '-') c = ' ';
  if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') title[0] = static_cast<char>(title[0] - 'a' + 'A');
  return title;
}

std::vector<Chunk> chunk_markdown(std::string_view text, std::string_view path, const ChunkOptions& options) {
  const std::vector<Line> lines = split_lines(text);
  const std::vector<Block> blocks = parse_blocks(lines);

  std::string file_title;
  for (const Block& block : blocks) {
    if (block.level == 1 && !block.title.empty()) {
      file_title = block.title;
      break;
    }
  }
  if (file_title.empty()) file_title = title_from_file_name(path);

  std::vector<Chunk> chunks;
  SectionWriter writer(path, options, chunks);
  std::vector<Heading> stack;
  std::vector<std::string> headings{file_title};
  int level = 0;
  std::size_t heading_line = 0;
  std::vector<Line> body;
  for (const Block& block : blocks) {
    if (block.level == 0) {
      body.push_back(block.line);
      continue;
    }
    writer.write(headings, level, heading_line, body);
    body.clear();
    while (!stack.empty() && stack.back().level >= block.level) stack.pop_back();
    stack.push_back({block.level, block.title});
    headings.clear();
    for (const Heading& heading : stack)
      if (!heading.title.empty()) headings.push_back(heading.title);
    if (headings.empty()) headings.push_back(file_title);
    level = block.level;
    heading_line = block.line.number;
  }
  writer.write(headings, level, heading_line, body);
  return chunks;
}

}  // namespace cowork::knowledge
