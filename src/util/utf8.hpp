// UTF-8 encoding of a code point, for the scanners that decode escapes (SQL U&'...', YAML "\u00e9", Jinja strings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cowork {

// Appends the UTF-8 bytes of `code_point` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, std::uint32_t code_point);

// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD, so it can go into
// JSON (text from a service that sent binary, a file in another encoding).
std::string valid_utf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` that does not cut a UTF-8 sequence in two.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace cowork
