#include "util/arena.hpp"

#include <cstring>

#include <nlohmann/json.hpp>

namespace cowork {

std::string_view StringArena::store(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > k_block_size / 4) {
    // Large strings get a block of their own, so they do not waste the rest of the current one.
    auto block = std::make_unique<char[]>(text.size());
    std::memcpy(block.get(), text.data(), text.size());
    std::string_view view(block.get(), text.size());
    // Keep the current block last so later small strings continue filling it.
    m_blocks.insert(m_blocks.empty() ? m_blocks.end() : m_blocks.end() - 1, std::move(block));
    return view;
  }
  if (m_used + text.size() > m_capacity) {
    m_blocks.push_back(std::make_unique<char[]>(k_block_size));
    m_used = 0;
    m_capacity = k_block_size;
  }
  char* out = m_blocks.back().get() + m_used;
  std::memcpy(out, text.data(), text.size());
  m_used += text.size();
  return {out, text.size()};
}

std::string LazyText::str() const {
  if (!m_escaped) return std::string(m_text);
  if (m_text.size() < 2) return {};
  if (m_text.find('\\') == std::string_view::npos) return std::string(m_text.substr(1, m_text.size() - 2));
  try {
    auto json = nlohmann::json::parse(m_text);
    return json.is_string() ? json.get<std::string>() : std::string();
  } catch (const nlohmann::json::exception&) {
    return {};
  }
}

}  // namespace cowork
