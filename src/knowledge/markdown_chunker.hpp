// Cuts a markdown file into the chunks the knowledge base searches and cites: one chunk per section, so a hit names
// the rule it comes from ("Data quality policies > Room types (DQ-114)") and the line to open. Used by KnowledgeBase
// when it loads a folder, and by tests on text in memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cowork::knowledge {

struct Chunk {
  std::string path;                   // as given to chunk_markdown; the knowledge base makes it project-relative
  std::vector<std::string> headings;  // the section's heading after its parents': {"Data quality policies", "Room
                                      // types (DQ-114)"}; text before the first heading has the file's title alone
  std::string heading;                // `headings` joined with " > "
  int level = 0;                      // of the section's own heading, 1-6; 0 for text before the first heading
  std::size_t line = 0;               // 1-based line where the chunk starts: its heading, or its first line
  std::string text;                   // the markdown of the section without its heading line, trimmed of blank lines
  int part = 0;                       // 1, 2... when a long section was cut into windows; 0 when it was not
};

struct ChunkOptions {
  // A section longer than this is cut into windows about this long, at line, sentence or word boundaries.
  std::size_t max_chars = 1500;
  // How much text consecutive windows share, so a rule cut in two still appears whole in one of them.
  std::size_t overlap_chars = 250;
};

// The chunks of one markdown file, in the order of the file. A section is the text under an ATX (`## Title`) or
// setext heading up to the next heading; the section of a heading and the sections nested in it are separate chunks,
// each carrying the headings above it, so no text is indexed twice. Text before the first heading is a chunk under
// the file's title (its first `#` heading, else its file name). YAML front matter (a `---` block on line 1) is
// skipped, lines inside fenced code blocks are never headings, and headings with no text of their own give no chunk.
std::vector<Chunk> chunk_markdown(std::string_view text, std::string_view path, const ChunkOptions& options = {});

// "data_quality_policies.md" -> "Data quality policies": the title of a file without a `#` heading.
std::string title_from_file_name(std::string_view path);

}  // namespace cowork::knowledge
