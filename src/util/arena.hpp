// Storage for many small immutable strings that live and die together (the text of a loaded manifest). Strings are
// copied into large blocks, so storing one costs a memcpy, not a malloc, and views into them stay valid until the
// arena is destroyed, even if the arena object itself is moved.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace cowork {

class StringArena {
 public:
  StringArena() = default;
  StringArena(StringArena&&) noexcept = default;
  StringArena& operator=(StringArena&&) noexcept = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // Copies `text` into the arena and returns a view of the copy.
  std::string_view store(std::string_view text);

 private:
  static constexpr std::size_t k_block_size = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> m_blocks;
  std::size_t m_used = 0;
  std::size_t m_capacity = 0;
};

// A JSON string value kept as written in its document (quotes and escapes included) and decoded only when read, for
// text that is large and rarely needed, such as the SQL bodies of a manifest. It can also hold plain text.
class LazyText {
 public:
  LazyText() = default;
  static LazyText from_json_token(std::string_view token) { return LazyText(token, true); }
  static LazyText from_plain(std::string_view text) { return LazyText(text, false); }

  bool empty() const { return m_text.empty() || (m_escaped && m_text.size() <= 2); }
  // The decoded text. A token that is not a valid JSON string decodes to the empty string.
  std::string str() const;

 private:
  LazyText(std::string_view text, bool escaped) : m_text(text), m_escaped(escaped) {}
  std::string_view m_text;
  bool m_escaped = false;
};

}  // namespace cowork
