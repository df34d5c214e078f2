// Small string helpers shared across the engine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cowork {

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string join(const std::vector<std::string_view>& parts, std::string_view separator);

// Shell-style wildcard match (*, ?, [abc]) as dbt's selectors use, via fnmatch(3).
bool glob_match(std::string_view pattern, std::string_view text);
bool has_glob(std::string_view pattern);

// A stable 64-bit FNV-1a hash; the same input gives the same value on every machine and run.
std::uint64_t stable_hash(std::string_view text);
std::string hex(std::uint64_t value, int digits = 16);

// Shortens `text` to at most `max` characters on one line, marking the cut with an ellipsis.
std::string one_line(std::string_view text, std::size_t max);

}  // namespace cowork
