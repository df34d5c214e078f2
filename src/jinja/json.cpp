// JSON text as Python's json.dumps writes it (", " and ": " separators, ASCII-only with \u escapes, floats in
// repr form), which is what Jinja's tojson filter produces.
#include <algorithm>
#include <cmath>

#include "jinja/detail/runtime.hpp"
#include "jinja/detail/text.hpp"

namespace cowork::jinja::detail {
namespace {

constexpr std::size_t k_max_depth = 256;

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20)
            out += fmt::format("\\u{:04x}", c);
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence and escape it, with a surrogate pair beyond the BMP.
    const std::size_t length = std::min(utf8_sequence_length(c), text.size() - i);
    std::uint32_t code = length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    if (code >= 0x10000) {
      code -= 0x10000;
      out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF));
    } else {
      out += fmt::format("\\u{:04x}", code);
    }
    i += length;
  }
  out += '"';
}

Status dump(std::string& out, const Value& value, std::optional<std::int64_t> indent, bool sort_keys,
            std::size_t depth) {
  if (depth > k_max_depth) return make_error(ErrorCode::invalid_argument, "Circular reference detected");
  auto newline = [&](std::size_t level) {
    if (!indent) return;
    out += '\n';
    out.append(static_cast<std::size_t>(std::max<std::int64_t>(0, *indent)) * level, ' ');
  };
  const std::string_view item_separator = indent ? "," : ", ";
  switch (value.kind()) {
    case ValueKind::none:
      out += "null";
      return {};
    case ValueKind::boolean:
      out += value.as_bool() ? "true" : "false";
      return {};
    case ValueKind::integer:
      value.append_str(out);
      return {};
    case ValueKind::floating: {
      const double d = value.as_double();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d < 0 ? "-Infinity" : "Infinity";
      else
        append_float_repr(out, d);
      return {};
    }
    case ValueKind::string:
      append_json_string(out, value.as_string());
      return {};
    case ValueKind::list: {
      if (value.items().empty()) {
        out += "[]";
        return {};
      }
      out += '[';
      bool first = true;
      for (const auto& item : value.items()) {
        if (!first) out += item_separator;
        first = false;
        newline(depth + 1);
        COWORK_TRY(dump(out, item, indent, sort_keys, depth + 1));
      }
      newline(depth);
      out += ']';
      return {};
    }
    case ValueKind::dict: {
      if (value.as_dict().empty()) {
        out += "{}";
        return {};
      }
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& [key, item] : value.as_dict().entries()) {
        std::string name;
        if (key.is_string())
          name = key.as_string();
        else if (key.is_bool())
          name = key.as_bool() ? "true" : "false";
        else if (key.is_none())
          name = "null";
        else if (key.is_number())
          name = key.str();
        else
          return make_error(ErrorCode::invalid_argument, "keys must be str, int, float, bool or None, not {}",
                            key.type_name());
        entries.emplace_back(std::move(name), &item);
      }
      if (sort_keys)
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      bool first = true;
      for (const auto& [name, item] : entries) {
        if (!first) out += item_separator;
        first = false;
        newline(depth + 1);
        append_json_string(out, name);
        out += ": ";
        COWORK_TRY(dump(out, *item, indent, sort_keys, depth + 1));
      }
      newline(depth);
      out += '}';
      return {};
    }
    default:
      return make_error(ErrorCode::invalid_argument, "Object of type {} is not JSON serializable", value.type_name());
  }
}

}  // namespace

Result<std::string> dump_json(const Value& value, std::optional<std::int64_t> indent, bool sort_keys, bool html_safe) {
  std::string out;
  COWORK_TRY(dump(out, value, indent, sort_keys, 0));
  if (!html_safe) return out;
  std::string safe;
  safe.reserve(out.size());
  for (char c : out) {
    switch (c) {
      case '<':
        safe += "\\u003c";
        break;
      case '>':
        safe += "\\u003e";
        break;
      case '&':
        safe += "\\u0026";
        break;
      case '\'':
        safe += "\\u0027";
        break;
      default:
        safe += c;
    }
  }
  return safe;
}

}  // namespace cowork::jinja::detail
