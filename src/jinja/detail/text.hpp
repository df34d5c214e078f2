// UTF-8 and Python string helpers the engine shares: code point counting and slicing (Python indexes strings by
// character, not byte), ASCII case mapping, whitespace as Python's str.split() sees it, and printf-style and
// str.format() formatting. Internal to the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jinja/value.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace cowork::jinja::detail {

std::size_t utf8_sequence_length(unsigned char lead);
using cowork::append_utf8;
bool is_ascii(std::string_view text);
// The number of code points.
std::size_t code_point_count(std::string_view text);
// The text split into code points (each a view of 1-4 bytes).
std::vector<std::string_view> code_points(std::string_view text);

bool is_python_space(char c);
// Case mapping: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (Python maps all of Unicode).
std::string lower_case(std::string_view text);
std::string upper_case(std::string_view text);
// Python's str.capitalize(): the first character upper case, the rest lower case.
std::string capitalize(std::string_view text);
// Python's str.title(): every run of letters starts upper case and continues lower case.
std::string python_title(std::string_view text);
// Jinja's title filter: words are split at whitespace, '-', and opening brackets.
std::string jinja_title(std::string_view text);

// Python's str.strip(chars): with `chars` null, whitespace; otherwise any of those characters.
std::string_view strip(std::string_view text, const std::string* chars, bool left, bool right);
// Python's str.split(sep, maxsplit); a null separator splits on runs of whitespace.
std::vector<std::string> python_split(std::string_view text, const std::string* separator, std::int64_t maxsplit);
std::vector<std::string> python_rsplit(std::string_view text, const std::string* separator, std::int64_t maxsplit);
std::string replace_all(std::string_view text, std::string_view from, std::string_view to, std::int64_t count);
// HTML escaping as markupsafe does it: & < > " ' become &amp; &lt; &gt; &#34; &#39;.
std::string html_escape(std::string_view text);

// Python's `format % args` for the conversions templates use (s r d i u f F e E g G x X o c %, flags, width,
// precision, and %(name)s with a dict). `args` is a tuple, a dict or a single value.
Result<std::string> percent_format(std::string_view format, const Value& args);
// Python's str.format(): {} {0} {name} {0.attr} {0[key]} with format specs (fill, align, sign, width, grouping,
// precision, and the types s d f e g x o b %).
Result<std::string> brace_format(std::string_view format, std::span<const Value> args, const Kwargs& kwargs);

}  // namespace cowork::jinja::detail
