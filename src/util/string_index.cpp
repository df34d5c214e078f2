#include "util/string_index.hpp"

#include <bit>
#include <cstring>

namespace cowork {

std::uint64_t StringIndex::hash_of(std::string_view key) {
  // 8 bytes at a time, multiply-xorshift mixing; good enough spread for ids that share long prefixes.
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, key.data() + i, key.size() - i);
  h = (h ^ tail) * 0x94D049BB133111EBULL;
  h ^= h >> 29;
  return h;
}

void StringIndex::reserve(std::size_t count) {
  const std::size_t wanted = std::bit_ceil(count * 2 + 16);
  if (wanted <= m_slots.size()) return;
  std::vector<Slot> old = std::move(m_slots);
  m_slots.assign(wanted, Slot{});
  m_size = 0;
  for (const Slot& slot : old)
    if (slot.used) insert(slot.key, slot.value);
}

void StringIndex::grow() {
  reserve(m_slots.empty() ? 16 : m_slots.size());
}

bool StringIndex::insert(std::string_view key, std::uint32_t value) {
  if ((m_size + 1) * 2 > m_slots.size()) grow();
  const std::uint64_t hash = hash_of(key);
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = m_slots[i];
    if (!slot.used) {
      slot = Slot{key, hash, value, true};
      ++m_size;
      return true;
    }
    if (slot.hash == hash && slot.key == key) return false;
  }
}

std::optional<std::uint32_t> StringIndex::find(std::string_view key) const {
  if (m_slots.empty()) return std::nullopt;
  const std::uint64_t hash = hash_of(key);
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = m_slots[i];
    if (!slot.used) return std::nullopt;
    if (slot.hash == hash && slot.key == key) return slot.value;
  }
}

}  // namespace cowork
