#include "jinja/detail/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cowork::jinja::detail {
namespace {

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char to_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

std::string pad(std::string_view text, std::size_t width, char align, std::string_view fill) {
  const std::size_t length = code_point_count(text);
  if (length >= width) return std::string(text);
  const std::size_t total = width - length;
  std::size_t left = 0;
  if (align == '>') left = total;
  if (align == '^') left = total / 2;
  std::string out;
  for (std::size_t i = 0; i < left; ++i) out += fill;
  out += text;
  for (std::size_t i = 0; i < total - left; ++i) out += fill;
  return out;
}

// Inserts `separator` between groups of three digits in the integer part of a formatted number.
std::string group_digits(const std::string& number, char separator) {
  std::size_t start = (number[0] == '-' || number[0] == '+' || number[0] == ' ') ? 1 : 0;
  std::size_t end = start;
  while (end < number.size() && number[end] >= '0' && number[end] <= '9') ++end;
  std::string digits = number.substr(start, end - start);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += separator;
    grouped += digits[i];
  }
  return number.substr(0, start) + grouped + number.substr(end);
}

std::string c_format(const std::string& spec, double value) {
  char buffer[512];
  const int written = std::snprintf(buffer, sizeof buffer, spec.c_str(), value);
  if (written < 0) return {};
  if (static_cast<std::size_t>(written) < sizeof buffer) return std::string(buffer, static_cast<std::size_t>(written));
  std::string big(static_cast<std::size_t>(written) + 1, '\0');
  std::snprintf(big.data(), big.size(), spec.c_str(), value);
  big.pop_back();
  return big;
}

std::string c_format_int(const std::string& spec, long long value) {
  char buffer[512];
  const int written = std::snprintf(buffer, sizeof buffer, spec.c_str(), value);
  if (written < 0) return {};
  if (static_cast<std::size_t>(written) < sizeof buffer) return std::string(buffer, static_cast<std::size_t>(written));
  std::string big(static_cast<std::size_t>(written) + 1, '\0');
  std::snprintf(big.data(), big.size(), spec.c_str(), value);
  big.pop_back();
  return big;
}

// Python prints non-finite floats as nan/inf in every conversion.
std::optional<std::string> non_finite(double value, bool upper) {
  if (std::isnan(value)) return upper ? "NAN" : "nan";
  if (std::isinf(value)) return std::string(value < 0 ? "-" : "") + (upper ? "INF" : "inf");
  return std::nullopt;
}

Result<double> number_arg(const Value& value, char conversion) {
  if (value.is_number()) return value.as_double();
  return make_error(ErrorCode::invalid_argument, "%{} format: a real number is required, not {}", conversion,
                    value.type_name());
}

Result<std::int64_t> integer_arg(const Value& value, char conversion) {
  if (value.is_float()) return static_cast<std::int64_t>(value.as_double());
  if (value.is_number()) return value.as_int();
  return make_error(ErrorCode::invalid_argument, "%{} format: a number is required, not {}", conversion,
                    value.type_name());
}

}  // namespace

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::size_t code_point_count(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

std::vector<std::string_view> code_points(std::string_view text) {
  std::vector<std::string_view> out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = std::min(utf8_sequence_length(static_cast<unsigned char>(text[i])), text.size() - i);
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

bool is_python_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\x1c' || c == '\x1d' ||
         c == '\x1e' || c == '\x1f';
}

namespace {

// Case mapping beyond ASCII for the scripts data most often holds: Latin-1, Latin Extended-A, Greek and Cyrillic.
std::uint32_t map_case(std::uint32_t cp, bool upper) {
  if (upper) {
    if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)) return cp - 0x20;
    if (cp == 0xFF) return 0x178;
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
      const bool odd_pairs = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
      if (odd_pairs ? (cp % 2 == 0) : (cp % 2 == 1)) return cp - 1;
    }
    if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) return cp - 0x20;
    if (cp == 0x3C2) return 0x3A3;
    if (cp >= 0x430 && cp <= 0x44F) return cp - 0x20;
    if (cp >= 0x450 && cp <= 0x45F) return cp - 0x50;
    return cp;
  }
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
    const bool odd_pairs = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_pairs ? (cp % 2 == 1) : (cp % 2 == 0)) return cp + 1;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  return cp;
}

std::string convert_case(std::string_view text, bool upper) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      out += upper ? to_upper(text[i]) : to_lower(text[i]);
      ++i;
      continue;
    }
    const std::size_t length = std::min(utf8_sequence_length(lead), text.size() - i);
    std::uint32_t cp = length == 2 ? (lead & 0x1F) : length == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    if (length < 2 || length > 3) {
      out.append(text.substr(i, length));
    } else if (upper && cp == 0xDF) {
      out += "SS";  // German sharp s has no single upper-case letter
    } else {
      append_utf8(out, map_case(cp, upper));
    }
    i += length;
  }
  return out;
}

}  // namespace

std::string lower_case(std::string_view text) {
  if (!is_ascii(text)) return convert_case(text, false);
  std::string out(text);
  for (char& c : out) c = to_lower(c);
  return out;
}

std::string upper_case(std::string_view text) {
  if (!is_ascii(text)) return convert_case(text, true);
  std::string out(text);
  for (char& c : out) c = to_upper(c);
  return out;
}

std::string capitalize(std::string_view text) {
  std::string out = lower_case(text);
  if (!out.empty()) out[0] = to_upper(out[0]);
  return out;
}

std::string python_title(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool previous_cased = false;
  for (char c : text) {
    if (is_ascii_alpha(c)) {
      out += previous_cased ? to_lower(c) : to_upper(c);
      previous_cased = true;
    } else {
      out += c;
      // Bytes of non-ASCII letters continue a word rather than start one.
      previous_cased = static_cast<unsigned char>(c) >= 0x80;
    }
  }
  return out;
}

std::string jinja_title(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool word_start = true;
  for (char c : text) {
    const bool separator = is_python_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
    if (separator) {
      out += c;
      word_start = true;
    } else {
      out += word_start ? to_upper(c) : to_lower(c);
      word_start = false;
    }
  }
  return out;
}

std::string_view strip(std::string_view text, const std::string* chars, bool left, bool right) {
  auto strippable = [&](char c) { return chars ? chars->find(c) != std::string::npos : is_python_space(c); };
  if (left)
    while (!text.empty() && strippable(text.front())) text.remove_prefix(1);
  if (right)
    while (!text.empty() && strippable(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string> python_split(std::string_view text, const std::string* separator, std::int64_t maxsplit) {
  std::vector<std::string> parts;
  if (!separator) {
    std::size_t i = 0;
    while (true) {
      while (i < text.size() && is_python_space(text[i])) ++i;
      if (i >= text.size()) break;
      if (maxsplit >= 0 && static_cast<std::int64_t>(parts.size()) >= maxsplit) {
        std::string_view rest = strip(text.substr(i), nullptr, false, true);
        parts.emplace_back(rest);
        break;
      }
      std::size_t j = i;
      while (j < text.size() && !is_python_space(text[j])) ++j;
      parts.emplace_back(text.substr(i, j - i));
      i = j;
    }
    return parts;
  }
  std::size_t start = 0;
  while (true) {
    if (maxsplit >= 0 && static_cast<std::int64_t>(parts.size()) >= maxsplit) break;
    const std::size_t found = text.find(*separator, start);
    if (found == std::string_view::npos) break;
    parts.emplace_back(text.substr(start, found - start));
    start = found + separator->size();
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

std::vector<std::string> python_rsplit(std::string_view text, const std::string* separator, std::int64_t maxsplit) {
  if (maxsplit < 0) return python_split(text, separator, maxsplit);
  std::vector<std::string> parts;
  if (!separator) {
    std::size_t end = text.size();
    while (true) {
      while (end > 0 && is_python_space(text[end - 1])) --end;
      if (end == 0) break;
      if (static_cast<std::int64_t>(parts.size()) >= maxsplit) {
        parts.emplace_back(strip(text.substr(0, end), nullptr, true, false));
        break;
      }
      std::size_t begin = end;
      while (begin > 0 && !is_python_space(text[begin - 1])) --begin;
      parts.emplace_back(text.substr(begin, end - begin));
      end = begin;
    }
    std::reverse(parts.begin(), parts.end());
    return parts;
  }
  std::size_t end = text.size();
  while (static_cast<std::int64_t>(parts.size()) < maxsplit) {
    if (end < separator->size()) break;
    const std::size_t found = text.rfind(*separator, end - separator->size());
    if (found == std::string_view::npos) break;
    parts.emplace_back(text.substr(found + separator->size(), end - found - separator->size()));
    end = found;
  }
  parts.emplace_back(text.substr(0, end));
  std::reverse(parts.begin(), parts.end());
  return parts;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to, std::int64_t count) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` between every character (and at both ends).
    std::int64_t done = 0;
    for (std::string_view cp : code_points(text)) {
      if (count < 0 || done < count) {
        out += to;
        ++done;
      }
      out += cp;
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  std::size_t start = 0;
  std::int64_t done = 0;
  while (count < 0 || done < count) {
    const std::size_t found = text.find(from, start);
    if (found == std::string_view::npos) break;
    out.append(text.substr(start, found - start));
    out += to;
    start = found + from.size();
    ++done;
  }
  out.append(text.substr(start));
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Result<std::string> percent_format(std::string_view format, const Value& args) {
  std::vector<Value> positional;
  const Dict* mapping = nullptr;
  if (args.is_tuple())
    positional = args.items();
  else if (args.is_dict())
    mapping = &args.as_dict();
  if (!args.is_tuple()) positional.push_back(args);
  std::size_t next = 0;
  bool used_mapping = false;
  std::string out;
  std::size_t i = 0;
  auto take = [&]() -> Result<Value> {
    if (next >= positional.size())
      return make_error(ErrorCode::invalid_argument, "not enough arguments for format string");
    return positional[next++];
  };
  while (i < format.size()) {
    const char c = format[i];
    if (c != '%') {
      out += c;
      ++i;
      continue;
    }
    ++i;
    if (i >= format.size()) return make_error(ErrorCode::invalid_argument, "incomplete format");
    Value value;
    bool have_value = false;
    if (format[i] == '(') {
      const std::size_t close = format.find(')', i);
      if (close == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "incomplete format key");
      if (!mapping) return make_error(ErrorCode::invalid_argument, "format requires a mapping");
      const std::string_view key = format.substr(i + 1, close - i - 1);
      const Value* found = mapping->find(key);
      if (!found) return make_error(ErrorCode::invalid_argument, "format key '{}' is missing", key);
      value = *found;
      have_value = true;
      used_mapping = true;
      i = close + 1;
    }
    std::string flags;
    while (i < format.size() && std::string_view("-+ #0").find(format[i]) != std::string_view::npos)
      flags += format[i++];
    std::string width;
    if (i < format.size() && format[i] == '*') {
      COWORK_ASSIGN_OR_RETURN(Value w, take());
      if (!w.is_int()) return make_error(ErrorCode::invalid_argument, "* wants int");
      width = std::to_string(w.as_int());
      ++i;
    }
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') width += format[i++];
    std::string precision;
    bool has_precision = false;
    if (i < format.size() && format[i] == '.') {
      has_precision = true;
      ++i;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') precision += format[i++];
      if (precision.empty()) precision = "0";
    }
    while (i < format.size() && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L')) ++i;
    if (i >= format.size()) return make_error(ErrorCode::invalid_argument, "incomplete format");
    const char conversion = format[i++];
    if (conversion == '%') {
      out += '%';
      continue;
    }
    if (!have_value) {
      COWORK_ASSIGN_OR_RETURN(value, take());
    }
    const std::string spec_prefix = "%" + flags + width + (has_precision ? "." + precision : "");
    switch (conversion) {
      case 's':
      case 'r':
      case 'a': {
        std::string text = conversion == 's' ? value.str() : value.repr();
        if (has_precision) {
          const auto limit = static_cast<std::size_t>(std::stoul(precision));
          auto cps = code_points(text);
          if (cps.size() > limit) {
            std::string cut;
            for (std::size_t k = 0; k < limit; ++k) cut += cps[k];
            text = cut;
          }
        }
        const std::size_t w = width.empty() ? 0 : std::stoul(width);
        out += pad(text, w, flags.find('-') != std::string::npos ? '<' : '>', " ");
        break;
      }
      case 'd':
      case 'i':
      case 'u': {
        COWORK_ASSIGN_OR_RETURN(auto number, integer_arg(value, conversion));
        out += c_format_int(spec_prefix + "lld", number);
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        COWORK_ASSIGN_OR_RETURN(auto number, integer_arg(value, conversion));
        std::string text = c_format_int(spec_prefix + "ll" + conversion, number < 0 ? -number : number);
        if (number < 0) {
          const auto digit = text.find_first_not_of(' ');
          text.insert(digit == std::string::npos ? 0 : digit, "-");
          if (!width.empty() && text.size() > std::stoul(width) && text[0] == ' ') text.erase(0, 1);
        }
        out += text;
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        COWORK_ASSIGN_OR_RETURN(double number, number_arg(value, conversion));
        if (auto special = non_finite(number, conversion >= 'A' && conversion <= 'Z')) {
          out += pad(*special, width.empty() ? 0 : std::stoul(width), flags.find('-') != std::string::npos ? '<' : '>',
                     " ");
          break;
        }
        out += c_format(spec_prefix + conversion, number);
        break;
      }
      case 'c': {
        if (value.is_string() && code_point_count(value.as_string()) == 1) {
          out += value.as_string();
        } else if (value.is_int()) {
          append_utf8(out, static_cast<std::uint32_t>(value.as_int()));
        } else {
          return make_error(ErrorCode::invalid_argument, "%c requires an int or a single character");
        }
        break;
      }
      default:
        return make_error(ErrorCode::invalid_argument, "unsupported format character '{}'", conversion);
    }
  }
  if (!used_mapping && next < positional.size() && !(mapping && next == 0))
    return make_error(ErrorCode::invalid_argument, "not all arguments converted during string formatting");
  return out;
}

namespace {

struct FormatSpec {
  std::string fill = " ";
  char align = 0;
  char sign = '-';
  bool alternate = false;
  bool zero = false;
  std::size_t width = 0;
  char grouping = 0;
  int precision = -1;
  char type = 0;
};

Result<FormatSpec> parse_spec(std::string_view spec) {
  FormatSpec out;
  std::size_t i = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (!spec.empty()) {
    const std::size_t first = utf8_sequence_length(static_cast<unsigned char>(spec[0]));
    if (spec.size() > first && is_align(spec[first])) {
      out.fill = std::string(spec.substr(0, first));
      out.align = spec[first];
      i = first + 1;
    } else if (is_align(spec[0])) {
      out.align = spec[0];
      i = 1;
    }
  }
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) out.sign = spec[i++];
  if (i < spec.size() && spec[i] == '#') {
    out.alternate = true;
    ++i;
  }
  if (i < spec.size() && spec[i] == '0') {
    out.zero = true;
    ++i;
  }
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') out.width = out.width * 10 + (spec[i++] - '0');
  if (i < spec.size() && (spec[i] == ',' || spec[i] == '_')) out.grouping = spec[i++];
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    out.precision = 0;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') out.precision = out.precision * 10 + (spec[i++] - '0');
  }
  if (i < spec.size()) out.type = spec[i++];
  if (i != spec.size()) return make_error(ErrorCode::invalid_argument, "invalid format specifier '{}'", spec);
  return out;
}

Result<std::string> format_one(const Value& value, std::string_view spec_text) {
  COWORK_ASSIGN_OR_RETURN(FormatSpec spec, parse_spec(spec_text));
  std::string body;
  bool numeric = false;
  char type = spec.type;
  if (value.is_number() && !(value.is_bool() && type == 0)) {
    numeric = true;
    if (type == 0) type = value.is_float() ? (spec.precision >= 0 ? 'g' : 'r') : 'd';
    const std::string sign = spec.sign == '+' ? "+" : (spec.sign == ' ' ? " " : "");
    if (type == 'd' || type == 'x' || type == 'X' || type == 'o' || type == 'b' || type == 'n' || type == 'c') {
      if (value.is_float())
        return make_error(ErrorCode::invalid_argument, "unknown format code '{}' for object of type 'float'", type);
      const std::int64_t number = value.as_int();
      if (type == 'c') {
        append_utf8(body, static_cast<std::uint32_t>(number));
        numeric = false;
      } else {
        const std::uint64_t magnitude =
            number < 0 ? static_cast<std::uint64_t>(-(number + 1)) + 1 : static_cast<std::uint64_t>(number);
        std::string digits;
        if (type == 'b') {
          if (magnitude == 0) digits = "0";
          for (std::uint64_t m = magnitude; m > 0; m >>= 1)
            digits.insert(digits.begin(), static_cast<char>('0' + (m & 1)));
          if (spec.alternate) digits = "0b" + digits;
        } else {
          const char* f = type == 'x' ? "%llx" : (type == 'X' ? "%llX" : (type == 'o' ? "%llo" : "%llu"));
          digits = c_format_int(f, static_cast<long long>(magnitude));
          if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) digits = "9223372036854775808";
          if (spec.alternate && type != 'd' && type != 'n')
            digits = std::string("0") + (type == 'o' ? 'o' : type) + digits;
        }
        if (spec.grouping) digits = group_digits(digits, spec.grouping);
        body = (number < 0 ? "-" : sign) + digits;
      }
    } else {
      const double number = value.as_double();
      if (type == 'r') {
        std::string text;
        append_float_repr(text, number);
        if (spec.grouping) text = group_digits(text, spec.grouping);
        body = (number >= 0 || std::isnan(number) ? sign : "") + text;
      } else if (auto special = non_finite(number, type >= 'A' && type <= 'Z')) {
        body = (number >= 0 || std::isnan(number) ? sign : "") + *special;
      } else if (type == '%') {
        const int precision = spec.precision < 0 ? 6 : spec.precision;
        body = c_format(fmt::format("%{}.{}f", sign, precision), number * 100) + "%";
        if (spec.grouping) body = group_digits(body, spec.grouping);
      } else if (type == 'f' || type == 'F' || type == 'e' || type == 'E' || type == 'g' || type == 'G') {
        const int precision = spec.precision < 0 ? 6 : spec.precision;
        body = c_format(fmt::format("%{}{}.{}{}", sign, spec.alternate ? "#" : "", precision, type), number);
        if (spec.grouping) body = group_digits(body, spec.grouping);
      } else {
        return make_error(ErrorCode::invalid_argument, "unknown format code '{}' for a number", type);
      }
    }
  } else {
    if (type != 0 && type != 's')
      return make_error(ErrorCode::invalid_argument, "unknown format code '{}' for object of type '{}'", type,
                        value.type_name());
    body = value.str();
    if (spec.precision >= 0) {
      auto cps = code_points(body);
      if (cps.size() > static_cast<std::size_t>(spec.precision)) {
        std::string cut;
        for (int k = 0; k < spec.precision; ++k) cut += cps[static_cast<std::size_t>(k)];
        body = cut;
      }
    }
  }
  char align = spec.align;
  std::string fill = spec.fill;
  if (spec.zero && align == 0 && numeric) {
    align = '=';
    fill = "0";
  }
  if (align == 0) align = numeric ? '>' : '<';
  if (align == '=') {
    std::size_t sign_length = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
    const std::size_t length = code_point_count(body);
    if (length >= spec.width) return body;
    std::string padding;
    for (std::size_t k = 0; k < spec.width - length; ++k) padding += fill;
    return body.substr(0, sign_length) + padding + body.substr(sign_length);
  }
  return pad(body, spec.width, align, fill);
}

Result<Value> resolve_field(std::string_view field, std::span<const Value> args, const Kwargs& kwargs,
                            std::size_t& auto_index) {
  std::size_t i = 0;
  while (i < field.size() && field[i] != '.' && field[i] != '[') ++i;
  const std::string_view head = field.substr(0, i);
  Value value;
  if (head.empty()) {
    if (auto_index >= args.size())
      return make_error(ErrorCode::invalid_argument, "replacement index {} out of range for positional args tuple",
                        auto_index);
    value = args[auto_index++];
  } else if (std::all_of(head.begin(), head.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const auto index = std::stoul(std::string(head));
    if (index >= args.size())
      return make_error(ErrorCode::invalid_argument, "replacement index {} out of range for positional args tuple",
                        index);
    value = args[index];
  } else {
    bool found = false;
    for (const auto& [name, item] : kwargs) {
      if (name == head) {
        value = item;
        found = true;
      }
    }
    if (!found) return make_error(ErrorCode::invalid_argument, "format key '{}' is missing", head);
  }
  while (i < field.size()) {
    if (field[i] == '.') {
      std::size_t j = i + 1;
      while (j < field.size() && field[j] != '.' && field[j] != '[') ++j;
      const std::string_view name = field.substr(i + 1, j - i - 1);
      std::optional<Value> next;
      if (value.is_dict()) {
        if (const Value* found = value.as_dict().find(name)) next = *found;
      } else if (value.is_object()) {
        next = value.as_object().attribute(name);
      }
      if (!next)
        return make_error(ErrorCode::invalid_argument, "'{}' object has no attribute '{}'", value.type_name(), name);
      value = *next;
      i = j;
    } else {
      const std::size_t close = field.find(']', i);
      if (close == std::string_view::npos)
        return make_error(ErrorCode::invalid_argument, "missing ']' in format string");
      const std::string_view key = field.substr(i + 1, close - i - 1);
      std::optional<Value> next;
      const bool numeric =
          !key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (value.is_list() && numeric) {
        const auto index = std::stoul(std::string(key));
        if (index < value.items().size()) next = value.items()[index];
      } else if (value.is_dict()) {
        const Value* found = numeric
                                 ? value.as_dict().find(Value(static_cast<std::int64_t>(std::stoll(std::string(key)))))
                                 : value.as_dict().find(key);
        if (!found && numeric) found = value.as_dict().find(key);
        if (found) next = *found;
      }
      if (!next) return make_error(ErrorCode::invalid_argument, "format field [{}] not found", key);
      value = *next;
      i = close + 1;
    }
  }
  return value;
}

}  // namespace

Result<std::string> brace_format(std::string_view format, std::span<const Value> args, const Kwargs& kwargs) {
  std::string out;
  std::size_t auto_index = 0;
  std::size_t i = 0;
  while (i < format.size()) {
    const char c = format[i];
    if (c == '}') {
      if (i + 1 < format.size() && format[i + 1] == '}') {
        out += '}';
        i += 2;
        continue;
      }
      return make_error(ErrorCode::invalid_argument, "single '}}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      i += 2;
      continue;
    }
    // Find the matching '}', allowing one level of nested braces in the spec.
    std::size_t j = i + 1;
    int depth = 1;
    while (j < format.size() && depth > 0) {
      if (format[j] == '{') ++depth;
      if (format[j] == '}') --depth;
      if (depth > 0) ++j;
    }
    if (j >= format.size()) return make_error(ErrorCode::invalid_argument, "single '{{' encountered in format string");
    std::string_view field = format.substr(i + 1, j - i - 1);
    i = j + 1;
    std::string_view spec;
    char conversion = 0;
    const std::size_t colon = field.find(':');
    if (colon != std::string_view::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    const std::size_t bang = field.find('!');
    if (bang != std::string_view::npos) {
      if (bang + 2 != field.size())
        return make_error(ErrorCode::invalid_argument, "invalid conversion in format string");
      conversion = field[bang + 1];
      field = field.substr(0, bang);
    }
    COWORK_ASSIGN_OR_RETURN(Value value, resolve_field(field, args, kwargs, auto_index));
    if (conversion == 'r' || conversion == 'a') value = Value(value.repr());
    if (conversion == 's') value = Value(value.str());
    std::string expanded_spec;
    if (spec.find('{') != std::string_view::npos) {
      COWORK_ASSIGN_OR_RETURN(expanded_spec, brace_format(spec, args, kwargs));
      spec = expanded_spec;
    }
    COWORK_ASSIGN_OR_RETURN(std::string piece, format_one(value, spec));
    out += piece;
  }
  return out;
}

}  // namespace cowork::jinja::detail
