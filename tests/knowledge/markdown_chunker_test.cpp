#include "knowledge/markdown_chunker.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace cowork::knowledge {
namespace {

TEST(MarkdownChunker, OneChunkPerSectionWithItsParentHeadings) {
  const auto chunks = chunk_markdown(R"(# Data quality policies

Owner: Analytics Engineering.

## Room types (DQ-114)

Map `Entire place` to `Entire home/apt`.

### Exceptions

Hotel rooms only in cities.

## Minimum nights (DQ-087)
Treat 0 as 1.
)",
                                     "knowledge_base/data_quality_policies.md");
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].heading, "Data quality policies");
  EXPECT_EQ(chunks[0].level, 1);
  EXPECT_EQ(chunks[0].line, 1u);
  EXPECT_EQ(chunks[0].text, "Owner: Analytics Engineering.");

  EXPECT_EQ(chunks[1].heading, "Data quality policies > Room types (DQ-114)");
  EXPECT_EQ(chunks[1].headings, (std::vector<std::string>{"Data quality policies", "Room types (DQ-114)"}));
  EXPECT_EQ(chunks[1].level, 2);
  EXPECT_EQ(chunks[1].line, 5u);
  EXPECT_EQ(chunks[1].text, "Map `Entire place` to `Entire home/apt`.");  // its subsection is a chunk of its own

  EXPECT_EQ(chunks[2].heading, "Data quality policies > Room types (DQ-114) > Exceptions");
  EXPECT_EQ(chunks[2].level, 3);
  EXPECT_EQ(chunks[2].line, 9u);
  EXPECT_EQ(chunks[2].text, "Hotel rooms only in cities.");

  // A heading of the same level closes the nested ones.
  EXPECT_EQ(chunks[3].heading, "Data quality policies > Minimum nights (DQ-087)");
  EXPECT_EQ(chunks[3].line, 13u);
  EXPECT_EQ(chunks[3].text, "Treat 0 as 1.");
  for (const Chunk& chunk : chunks) {
    EXPECT_EQ(chunk.path, "knowledge_base/data_quality_policies.md");
    EXPECT_EQ(chunk.part, 0);
  }
}

TEST(MarkdownChunker, TextBeforeTheFirstHeadingIsUnderTheFilesTitle) {
  auto chunks =
      chunk_markdown("Read this first.\n\n# Privacy policy\n\n## Retention\n\nNinety days.\n", "kb/privacy.md");
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].heading, "Privacy policy");  // the file's first `#` heading
  EXPECT_EQ(chunks[0].level, 0);
  EXPECT_EQ(chunks[0].line, 1u);
  EXPECT_EQ(chunks[0].text, "Read this first.");
  EXPECT_EQ(chunks[1].heading, "Privacy policy > Retention");

  // Without a `#` heading, the file name is the title.
  chunks = chunk_markdown("\n\nSome notes.\n\n## Owners\n\nBI team.\n", "kb/team_notes-2024.md");
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].heading, "Team notes 2024");
  EXPECT_EQ(chunks[0].line, 3u);
  EXPECT_EQ(chunks[1].heading, "Owners");

  chunks = chunk_markdown("Just a paragraph\nover two lines.", "notes.md");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].heading, "Notes");
  EXPECT_EQ(chunks[0].text, "Just a paragraph\nover two lines.");
}

TEST(MarkdownChunker, FrontMatterIsIgnoredAndLinesStillCount) {
  const auto chunks = chunk_markdown("---\ntitle: Rules\nowner: bi\n---\n# Rules\n\nNo deletes.\n", "rules.md");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].heading, "Rules");
  EXPECT_EQ(chunks[0].line, 5u);
  EXPECT_EQ(chunks[0].text, "No deletes.");

  // An unclosed `---` block is not front matter.
  const auto unclosed = chunk_markdown("---\nowner: bi\n", "rules.md");
  ASSERT_EQ(unclosed.size(), 1u);
  EXPECT_EQ(unclosed[0].text, "---\nowner: bi");
}

TEST(MarkdownChunker, HeadingsWithoutTextGiveNoChunkButStayInThePath) {
  const auto chunks = chunk_markdown("# Playbook\n## Severity\n### Critical\nPage the on-call.\n", "playbook.md");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].heading, "Playbook > Severity > Critical");
  EXPECT_EQ(chunks[0].line, 3u);
}

TEST(MarkdownChunker, CodeFencesSetextAndClosingHashes) {
  const auto chunks = chunk_markdown(R"(Rules
=====

Intro.

```sql
# not a heading
select 1
```

Prices ##
---------

Dollars.

#hashtag is text, and so is #######  seven.

## Closing ##
Done.
)",
                                     "rules.md");
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].heading, "Rules");
  EXPECT_EQ(chunks[0].level, 1);
  EXPECT_EQ(chunks[0].text, "Intro.\n\n```sql\n# not a heading\nselect 1\n```");
  EXPECT_EQ(chunks[1].heading, "Rules > Prices ##");
  EXPECT_EQ(chunks[1].level, 2);
  EXPECT_EQ(chunks[1].line, 11u);
  EXPECT_EQ(chunks[1].text, "Dollars.\n\n#hashtag is text, and so is #######  seven.");
  EXPECT_EQ(chunks[2].heading, "Rules > Closing");
  EXPECT_EQ(chunks[2].line, 18u);
}

TEST(MarkdownChunker, AThematicBreakIsNotASetextHeading) {
  const auto chunks = chunk_markdown("# A\n\n- item\n---\n\nText.\n\n---\n\nMore.\n", "a.md");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "- item\n---\n\nText.\n\n---\n\nMore.");
}

TEST(MarkdownChunker, WindowsCarryLinesAndCrlfIsHandled) {
  const auto chunks = chunk_markdown("# T\r\n\r\nLine one.\r\nLine two.\r\n", "t.md");
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Line one.\nLine two.");

  const auto bom = chunk_markdown("\xEF\xBB\xBF# Title\nText.\n", "t.md");
  ASSERT_EQ(bom.size(), 1u);
  EXPECT_EQ(bom[0].heading, "Title");
}

TEST(MarkdownChunker, LongSectionsAreCutIntoOverlappingWindowsThatKeepTheHeading) {
  std::string text = "# Policies\n\n## Long rule\n\n";
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) {
    lines.push_back(fmt::format("- Rule line {:02} says something about listings, hosts and reviews here.", i));
    text += lines.back() + '\n';
  }
  ChunkOptions options;
  options.max_chars = 1500;
  options.overlap_chars = 250;
  const auto chunks = chunk_markdown(text, "p.md", options);
  ASSERT_GE(chunks.size(), 3u);
  std::size_t previous_line = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& chunk = chunks[i];
    EXPECT_EQ(chunk.heading, "Policies > Long rule");
    EXPECT_EQ(chunk.part, static_cast<int>(i + 1));
    EXPECT_LE(chunk.text.size(), options.max_chars);
    EXPECT_GT(chunk.line, previous_line);
    previous_line = chunk.line;
    // Windows start at a line and say which.
    const std::size_t first_line = chunk.line;
    if (i == 0) {
      EXPECT_EQ(first_line, 3u);  // the heading
    } else {
      EXPECT_EQ(chunk.text.substr(0, chunk.text.find('\n')), lines[first_line - 5]);
    }
    if (i > 0) {
      // The previous window's last line opens this one's overlap.
      const std::string& before = chunks[i - 1].text;
      const std::string last_line = before.substr(before.rfind('\n') + 1);
      EXPECT_NE(chunk.text.find(last_line), std::string::npos) << "window " << i;
    }
  }
  // Every line is in some window.
  for (const std::string& line : lines) {
    bool found = false;
    for (const Chunk& chunk : chunks) found = found || chunk.text.find(line) != std::string::npos;
    EXPECT_TRUE(found) << line;
  }
}

TEST(MarkdownChunker, ALongParagraphOnOneLineIsCutAtWords) {
  std::string paragraph;
  for (int i = 0; i < 400; ++i) paragraph += fmt::format("word{} ", i);
  const auto chunks = chunk_markdown("## Wall of text\n" + paragraph + "\n", "w.md");
  ASSERT_GE(chunks.size(), 2u);
  for (const Chunk& chunk : chunks) {
    EXPECT_LE(chunk.text.size(), 1500u);
    EXPECT_EQ(chunk.line, chunk.part == 1 ? 1u : 2u);                        // the heading, then the paragraph's line
    EXPECT_EQ(chunk.text.rfind("word", 0), 0u) << chunk.text.substr(0, 20);  // starts at a whole word
    EXPECT_NE(chunk.text.back(), 'w');
  }
}

TEST(MarkdownChunker, TitleFromFileName) {
  EXPECT_EQ(title_from_file_name("knowledge_base/data_quality_policies.md"), "Data quality policies");
  EXPECT_EQ(title_from_file_name("README.md"), "README");
  EXPECT_EQ(title_from_file_name("a/b/naming-conventions.md"), "Naming conventions");
}

}  // namespace
}  // namespace cowork::knowledge
