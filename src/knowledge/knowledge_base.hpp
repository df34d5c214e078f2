// A dbt project's knowledge base: the team's business rules as markdown files in a folder (`knowledge_base/` by
// default, or the `knowledge_base:` setting of cowork.yml), cut into sections and indexed for BM25 search. The
// investigation searches it with the names from an incident to find the rules that decide a fix ("map 'Entire place'
// to 'Entire home/apt' in src_listings") and cites the hits; `cowork kb search` is the same search for people.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/bm25_index.hpp"
#include "knowledge/markdown_chunker.hpp"
#include "util/error.hpp"

namespace cowork::knowledge {

// The folder the project's knowledge base lives in: the `knowledge_base` setting of <project_dir>/cowork.yml when
// that file sets it (relative to the project), else <project_dir>/knowledge_base. Whether the folder exists is for
// KnowledgeBase::load to say. Errors: cowork.yml is not valid YAML, or its setting is not a path (invalid_argument,
// naming file:line:column).
Result<std::filesystem::path> resolve_knowledge_base_dir(const std::filesystem::path& project_dir);

struct LoadOptions {
  // Chunk paths are relative to this folder (knowledge_base/data_quality_policies.md). Empty, or a folder the
  // knowledge base is not inside: the knowledge base folder's parent.
  std::filesystem::path project_dir;
  ChunkOptions chunking;
  Bm25Params ranking;
};

// A markdown file given as text, for building a knowledge base without a folder.
struct MarkdownFile {
  std::string path;  // as chunks should cite it
  std::string text;
};

struct Hit {
  Chunk chunk;
  double score = 0;
  std::string excerpt;  // the 1-3 sentences that best match, at most ~300 characters
};

class KnowledgeBase {
 public:
  // Loads every `*.md` file under `folder` (recursively, in path order; folders starting with a dot are skipped).
  // Errors: the folder is missing (not_found, naming it and how to create one) or is a file (invalid_argument).
  // Not errors, but warnings(): a folder with no markdown (the knowledge base is empty and searches return nothing),
  // and files that cannot be read or are not UTF-8 (skipped, each named).
  static Result<KnowledgeBase> load(const std::filesystem::path& folder, const LoadOptions& options = {});

  // A knowledge base of files in memory, cited by their given paths. Never fails.
  static KnowledgeBase from_files(std::vector<MarkdownFile> files, const LoadOptions& options = {});

  KnowledgeBase() = default;

  // The best `limit` chunks for `query`, best first; equal scores in path and line order. `boosts` are names from
  // the incident (model, column and test names, offending values such as "Entire place"): their terms weigh
  // k_boost_weight times more than the query's, and multi-word ones also score as phrases. A query of stop words
  // only, or an empty knowledge base, gives no hits. Thread-safe.
  std::vector<Hit> search(std::string_view query, std::size_t limit = 5,
                          const std::vector<std::string>& boosts = {}) const;

  // In path order, and in line order within a file.
  const std::vector<Chunk>& chunks() const { return m_chunks; }
  const std::vector<std::string>& warnings() const { return m_warnings; }
  const std::filesystem::path& folder() const { return m_folder; }
  std::size_t file_count() const { return m_file_count; }
  bool empty() const { return m_chunks.empty(); }
  const Bm25Index& index() const { return m_index; }

 private:
  void build(std::vector<MarkdownFile> files, const LoadOptions& options);

  std::filesystem::path m_folder;
  std::vector<Chunk> m_chunks;
  std::vector<std::string> m_warnings;
  std::size_t m_file_count = 0;
  Bm25Index m_index;
};

}  // namespace cowork::knowledge
