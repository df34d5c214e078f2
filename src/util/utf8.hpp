// UTF-8 encoding of a code point, for the scanners that decode escapes (SQL U&'...', YAML "\u00e9", Jinja strings).
#pragma once

#include <cstdint>
#include <string>

namespace cowork {

// Appends the UTF-8 bytes of `code_point` (at most U+10FFFF) to `out`.
void append_utf8(std::string& out, std::uint32_t code_point);

}  // namespace cowork
