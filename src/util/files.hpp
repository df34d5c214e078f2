// File access with errors that name the path and say what is wrong with it (missing, a directory, unreadable).
// Used by every loader; nothing here knows about dbt.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cowork {

// A read-only view of a file's bytes followed by at least `padding` zero bytes, the over-read margin that SIMD
// parsers (simdjson) need. Large files are memory-mapped, so loading one costs no copy. Move-only.
class PaddedFile {
 public:
  static Result<PaddedFile> open(const std::filesystem::path& path, std::size_t padding = 64);

  PaddedFile() = default;
  PaddedFile(PaddedFile&& other) noexcept;
  PaddedFile& operator=(PaddedFile&& other) noexcept;
  PaddedFile(const PaddedFile&) = delete;
  PaddedFile& operator=(const PaddedFile&) = delete;
  ~PaddedFile();

  std::string_view view() const { return {m_data, m_size}; }
  const char* data() const { return m_data; }
  std::size_t size() const { return m_size; }
  // Bytes readable from data(): size() plus the zero padding.
  std::size_t capacity() const { return m_capacity; }

  // Overwrites one byte of this in-memory copy (never the file on disk: a mapping is private and copy-on-write),
  // remembering the original so restore() can undo every change. Used to cut a document into independently
  // parsable pieces. Not thread-safe; poke before handing the buffer to other threads.
  Status poke(std::size_t offset, char byte);
  void restore();

 private:
  void release();

  struct Edit {
    std::size_t offset;
    char original;
  };
  std::vector<Edit> m_edits;
  char* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
  std::size_t m_mapped_length = 0;  // non-zero when m_data is an mmap region
};

// Checks that `path` names a readable regular file; the error says which of missing / directory / unreadable.
Status check_regular_file(const std::filesystem::path& path);

Result<std::string> read_file(const std::filesystem::path& path);

// Writes `content` to a temporary file beside `path`, flushes it and renames it over `path`, so a crash leaves
// either the old or the new file, never a torn one.
// Writes `content` to `path` in place, without syncing: for output that is cheap to regenerate (compiled SQL), where
// an fsync per file would dominate the run.
Status write_file(const std::filesystem::path& path, std::string_view content);

Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace cowork
