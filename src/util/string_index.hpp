// A map from strings to small integers for read-mostly lookups on hot paths (unique id -> node). Open addressing
// in one flat array: no allocation per entry and one cache miss per lookup, where std::unordered_map allocates a
// node for each entry. Keys are views; the caller keeps them alive.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace cowork {

class StringIndex {
 public:
  void reserve(std::size_t count);
  // Adds key -> value; returns false (and changes nothing) when the key is already there.
  bool insert(std::string_view key, std::uint32_t value);
  std::optional<std::uint32_t> find(std::string_view key) const;
  std::size_t size() const { return m_size; }

 private:
  struct Slot {
    std::string_view key;
    std::uint64_t hash = 0;
    std::uint32_t value = 0;
    bool used = false;
  };
  static std::uint64_t hash_of(std::string_view key);
  void grow();

  std::vector<Slot> m_slots;
  std::size_t m_size = 0;
};

}  // namespace cowork
