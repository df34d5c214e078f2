// Helpers shared by the store's .cpp files (store.cpp, store_incidents.cpp, store_investigations.cpp,
// store_fixes.cpp); not part of the store's interface.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork::store::internal {

// An error whose message starts with the database file.
template <typename... Args>
std::unexpected<Error> fail(const std::filesystem::path& database, ErrorCode code, fmt::format_string<Args...> format,
                            Args&&... args) {
  return std::unexpected(
      Error{code, fmt::format("{}: {}", database.string(), fmt::format(format, std::forward<Args>(args)...))});
}

// Ok for "" (no JSON) and for valid JSON text; otherwise an error naming `what`.
Status check_json(const std::filesystem::path& database, std::string_view text, std::string_view what);

// JSON text to embed in a JSON answer: parsed, or null when empty (or a string when, against the odds, unreadable).
nlohmann::ordered_json embed_json(std::string_view text);

template <typename Enum, std::size_t N>
Result<Enum> parse_enum(const std::array<std::string_view, N>& names, std::string_view text, std::string_view what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  std::string known;
  for (const auto name : names) known += (known.empty() ? "" : ", ") + std::string(name);
  return make_error(ErrorCode::invalid_argument, "unknown {} '{}' (expected one of: {})", what, text, known);
}

}  // namespace cowork::store::internal
