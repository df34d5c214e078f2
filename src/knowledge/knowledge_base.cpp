#include "knowledge/knowledge_base.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "knowledge/excerpt.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/yaml.hpp"

namespace cowork::knowledge {
namespace fs = std::filesystem;

namespace {

// Symbolic links can make a folder contain itself; no real knowledge base nests this deep.
constexpr int k_max_depth = 32;

// The offset of the first byte that breaks UTF-8 (a stray continuation byte, a truncated or overlong sequence, a
// surrogate, a code point past U+10FFFF), or npos for valid text.
std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code = (code << 6) | (next & 0x3F);
    }
    const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

fs::path normalised(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::absolute(path, ec);
  if (ec) out = path;
  out = out.lexically_normal();
  if (!out.has_filename() && out.has_parent_path() && out != out.root_path()) out = out.parent_path();
  return out;
}

bool is_markdown(const fs::path& path) {
  return iequals(path.extension().string(), ".md");
}

void collect_markdown(const fs::path& folder, int depth, std::vector<fs::path>& files,
                      std::vector<fs::path>& unreadable) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) {
    unreadable.push_back(folder);
    return;
  }
  std::vector<fs::path> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      unreadable.push_back(folder);
      break;
    }
    entries.push_back(it->path());
  }
  for (const fs::path& entry : entries) {
    if (entry.filename().string().starts_with('.')) continue;
    if (fs::is_directory(entry, ec)) {
      if (depth < k_max_depth) collect_markdown(entry, depth + 1, files, unreadable);
      continue;
    }
    if (is_markdown(entry)) files.push_back(entry);
  }
}

}  // namespace

Result<fs::path> resolve_knowledge_base_dir(const fs::path& project_dir) {
  const fs::path fallback = project_dir / "knowledge_base";
  const fs::path config = project_dir / "cowork.yml";
  std::error_code ec;
  if (!fs::exists(config, ec)) return fallback;
  const std::string label = config.string();
  COWORK_ASSIGN_OR_RETURN(const YAML::Node root, load_yaml_file(config, label));
  if (root.IsNull() || !root.IsDefined()) return fallback;
  if (!root.IsMap())
    return make_error(ErrorCode::invalid_argument, "{}: cowork.yml must be a mapping of settings (key: value)",
                      yaml_location(label, root));
  const YAML::Node setting = root["knowledge_base"];
  if (!setting.IsDefined() || setting.IsNull()) return fallback;
  if (!setting.IsScalar() || trim(setting.Scalar()).empty())
    return make_error(ErrorCode::invalid_argument,
                      "{}: knowledge_base must be the path of a folder, for example `knowledge_base: docs/rules`",
                      yaml_location(label, setting));
  fs::path folder(std::string(trim(setting.Scalar())));
  if (folder.is_relative()) folder = project_dir / folder;
  return folder;
}

Result<KnowledgeBase> KnowledgeBase::load(const fs::path& folder, const LoadOptions& options) {
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (!fs::exists(status))
    return make_error(ErrorCode::not_found,
                      "knowledge base folder {} not found: create it and write the team's rules in markdown files, one "
                      "`##` section per rule (for example {}), or set `knowledge_base: <folder>` in cowork.yml",
                      folder.string(), (folder / "data_quality_policies.md").string());
  if (!fs::is_directory(status))
    return make_error(ErrorCode::invalid_argument,
                      "knowledge base {} is a file; it must be a folder of markdown (.md) files", folder.string());

  const fs::path root = normalised(folder);
  fs::path base = options.project_dir.empty() ? root.parent_path() : normalised(options.project_dir);
  if (const fs::path inside = root.lexically_relative(base); inside.empty() || *inside.begin() == "..")
    base = root.parent_path();
  const auto cite = [&](const fs::path& path) { return path.lexically_relative(base).generic_string(); };

  std::vector<fs::path> paths, unreadable;
  collect_markdown(root, 0, paths, unreadable);
  std::ranges::sort(paths, {}, cite);

  std::vector<std::string> warnings;
  for (const fs::path& path : unreadable)
    warnings.push_back(fmt::format("skipped folder {} of the knowledge base: it cannot be listed", cite(path)));
  std::vector<MarkdownFile> files;
  for (const fs::path& path : paths) {
    auto text = read_file(path);
    if (!text) {
      warnings.push_back(fmt::format("skipped {}: {}", cite(path), text.error().message));
      continue;
    }
    if (const std::size_t bad = first_invalid_utf8(*text); bad != std::string_view::npos) {
      const auto line = 1 + std::count(text->begin(), text->begin() + static_cast<std::ptrdiff_t>(bad), '\n');
      warnings.push_back(
          fmt::format("skipped {}: not UTF-8 text (an invalid byte on line {}); save it as UTF-8", cite(path), line));
      continue;
    }
    files.push_back({cite(path), std::move(*text)});
  }
  if (paths.empty())
    warnings.push_back(
        fmt::format("no markdown files in knowledge base folder {}: the knowledge base is empty, so "
                    "searches find nothing; add the team's rules as .md files",
                    folder.string()));

  KnowledgeBase kb;
  kb.m_folder = folder;
  kb.build(std::move(files), options);
  kb.m_warnings = std::move(warnings);
  return kb;
}

KnowledgeBase KnowledgeBase::from_files(std::vector<MarkdownFile> files, const LoadOptions& options) {
  KnowledgeBase kb;
  kb.build(std::move(files), options);
  return kb;
}

void KnowledgeBase::build(std::vector<MarkdownFile> files, const LoadOptions& options) {
  std::ranges::stable_sort(files, {}, &MarkdownFile::path);
  m_file_count = files.size();
  for (const MarkdownFile& file : files) {
    std::vector<Chunk> chunks = chunk_markdown(file.text, file.path, options.chunking);
    std::move(chunks.begin(), chunks.end(), std::back_inserter(m_chunks));
  }
  m_index = Bm25Index(m_chunks, options.ranking);
}

std::vector<Hit> KnowledgeBase::search(std::string_view query, std::size_t limit,
                                       const std::vector<std::string>& boosts) const {
  const Query parsed = make_query(query, boosts);
  std::vector<Hit> hits;
  for (const Match& match : m_index.search(parsed, limit)) {
    const Chunk& chunk = m_chunks[match.chunk];
    hits.push_back({chunk, match.score, make_excerpt(chunk.text, parsed, m_index)});
  }
  return hits;
}

}  // namespace cowork::knowledge
