// The methods of Python's str, list, tuple and dict that templates call: `name.upper()`, `items.append(x)`,
// `config.get('k', 'd')`. Lists and dicts are shared references, so mutating methods change what every holder sees.
#include <algorithm>
#include <unordered_map>

#include "jinja/detail/runtime.hpp"
#include "jinja/detail/text.hpp"

namespace cowork::jinja::detail {
namespace {

using MethodFn = Result<Value> (*)(const Value&, CallContext&);

struct Method {
  std::string_view display;
  MethodFn fn;
};

using MethodTable = std::unordered_map<std::string_view, Method>;

std::unexpected<Error> type_error(std::string_view what, const Value& got) {
  return make_error(ErrorCode::invalid_argument, "{}, not '{}'", what, got.type_name());
}

Result<std::string> string_arg(const Value& value, std::string_view method) {
  if (!value.is_string()) return type_error(fmt::format("{}() needs a string argument", method), value);
  return value.as_string();
}

// Python's optional int argument: None or missing means `fallback`.
Result<std::int64_t> int_arg(const Value& value, std::int64_t fallback, std::string_view method) {
  if (value.is_undefined() || value.is_none()) return fallback;
  if (value.is_int() || value.is_bool()) return value.as_int();
  return type_error(fmt::format("{}() needs an integer argument", method), value);
}

// Converts a byte offset in `text` to a code point index.
std::int64_t char_index(std::string_view text, std::size_t byte_offset) {
  return static_cast<std::int64_t>(code_point_count(text.substr(0, byte_offset)));
}

// start/end arguments of find/count/startswith, as byte offsets.
void byte_range(std::string_view text, const Value& start, const Value& end, std::size_t& from, std::size_t& to) {
  const auto cps = code_points(text);
  const auto length = static_cast<std::int64_t>(cps.size());
  auto clamp = [&](const Value& v, std::int64_t fallback) {
    if (!(v.is_int() || v.is_bool())) return fallback;
    std::int64_t index = v.as_int();
    if (index < 0) index = std::max<std::int64_t>(0, index + length);
    return std::min(index, length);
  };
  const std::int64_t s = clamp(start, 0);
  const std::int64_t e = clamp(end, length);
  auto offset = [&](std::int64_t index) {
    std::size_t bytes = 0;
    for (std::int64_t i = 0; i < index; ++i) bytes += cps[static_cast<std::size_t>(i)].size();
    return bytes;
  };
  from = offset(s);
  to = std::max(from, offset(e));
}

Value string_list(std::vector<std::string> parts) {
  std::vector<Value> items;
  items.reserve(parts.size());
  for (auto& part : parts) items.emplace_back(std::move(part));
  return Value::list(std::move(items));
}

// ---- str ----

Result<Value> str_lower(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  return Value(lower_case(self.as_string()));
}

Result<Value> str_upper(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  return Value(upper_case(self.as_string()));
}

template <bool Left, bool Right>
Result<Value> str_strip(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"chars"}));
  if (args[0].is_undefined() || args[0].is_none())
    return Value(std::string(strip(self.as_string(), nullptr, Left, Right)));
  COWORK_ASSIGN_OR_RETURN(std::string chars, string_arg(args[0], "strip"));
  return Value(std::string(strip(self.as_string(), &chars, Left, Right)));
}

template <bool Reverse>
Result<Value> str_split(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"sep", "maxsplit"}));
  COWORK_ASSIGN_OR_RETURN(std::int64_t maxsplit, int_arg(args[1], -1, "split"));
  if (args[0].is_undefined() || args[0].is_none()) {
    return string_list(Reverse ? python_rsplit(self.as_string(), nullptr, maxsplit)
                               : python_split(self.as_string(), nullptr, maxsplit));
  }
  COWORK_ASSIGN_OR_RETURN(std::string separator, string_arg(args[0], "split"));
  if (separator.empty()) return make_error(ErrorCode::invalid_argument, "empty separator");
  return string_list(Reverse ? python_rsplit(self.as_string(), &separator, maxsplit)
                             : python_split(self.as_string(), &separator, maxsplit));
}

Result<Value> str_splitlines(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"keepends"}));
  const bool keep = args[0].truthy();
  std::vector<std::string> lines;
  const std::string& text = self.as_string();
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    std::size_t end = i;
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    lines.push_back(text.substr(start, (keep ? i + 1 : end) - start));
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return string_list(std::move(lines));
}

template <bool Starts>
Result<Value> str_startswith(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"prefix", "start", "end"}, 1));
  std::size_t from = 0;
  std::size_t to = 0;
  byte_range(self.as_string(), args[1], args[2], from, to);
  const std::string_view text = std::string_view(self.as_string()).substr(from, to - from);
  auto test = [&](const Value& candidate) -> Result<bool> {
    COWORK_ASSIGN_OR_RETURN(std::string affix, string_arg(candidate, Starts ? "startswith" : "endswith"));
    return Starts ? text.starts_with(affix) : text.ends_with(affix);
  };
  if (args[0].is_tuple()) {
    for (const auto& candidate : args[0].items()) {
      COWORK_ASSIGN_OR_RETURN(bool ok, test(candidate));
      if (ok) return Value(true);
    }
    return Value(false);
  }
  COWORK_ASSIGN_OR_RETURN(bool ok, test(args[0]));
  return Value(ok);
}

Result<Value> str_replace(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"old", "new", "count"}, 2));
  COWORK_ASSIGN_OR_RETURN(std::string from, string_arg(args[0], "replace"));
  COWORK_ASSIGN_OR_RETURN(std::string to, string_arg(args[1], "replace"));
  COWORK_ASSIGN_OR_RETURN(std::int64_t count, int_arg(args[2], -1, "replace"));
  return Value(replace_all(self.as_string(), from, to, count));
}

Result<Value> str_format(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(std::string text, brace_format(self.as_string(), context.args(), context.kwargs()));
  return Value(std::move(text));
}

Result<Value> str_join(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"iterable"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string())
      return make_error(ErrorCode::invalid_argument, "sequence item {}: expected str instance, {} found", i,
                        items[i].type_name());
    if (i > 0) out += self.as_string();
    out += items[i].as_string();
  }
  return Value(std::move(out));
}

Result<Value> str_title(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  return Value(python_title(self.as_string()));
}

Result<Value> str_capitalize(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  return Value(capitalize(self.as_string()));
}

Result<Value> str_swapcase(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  std::string out = self.as_string();
  for (char& c : out) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 32);
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  }
  return Value(std::move(out));
}

Result<Value> str_count(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"sub", "start", "end"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::string needle, string_arg(args[0], "count"));
  std::size_t from = 0;
  std::size_t to = 0;
  byte_range(self.as_string(), args[1], args[2], from, to);
  const std::string_view text = std::string_view(self.as_string()).substr(from, to - from);
  if (needle.empty()) return Value(static_cast<std::int64_t>(code_point_count(text) + 1));
  std::int64_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size()))
    ++count;
  return Value(count);
}

template <bool Reverse, bool Raise>
Result<Value> str_find(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"sub", "start", "end"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::string needle, string_arg(args[0], "find"));
  std::size_t from = 0;
  std::size_t to = 0;
  byte_range(self.as_string(), args[1], args[2], from, to);
  const std::string_view text = std::string_view(self.as_string()).substr(from, to - from);
  const std::size_t at = Reverse ? text.rfind(needle) : text.find(needle);
  if (at == std::string_view::npos) {
    if (Raise) return make_error(ErrorCode::invalid_argument, "substring not found");
    return Value(std::int64_t{-1});
  }
  return Value(char_index(self.as_string(), from + at));
}

template <int Kind>
Result<Value> str_is(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  const std::string& text = self.as_string();
  if (Kind == 4 || Kind == 5) {
    // islower / isupper: at least one cased character and none of the other case.
    bool cased = false;
    for (char c : text) {
      const bool lower = c >= 'a' && c <= 'z';
      const bool upper = c >= 'A' && c <= 'Z';
      if ((Kind == 4 && upper) || (Kind == 5 && lower)) return Value(false);
      cased = cased || lower || upper;
    }
    return Value(cased);
  }
  if (text.empty()) return Value(false);
  for (char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool ok = false;
    if (Kind == 0) ok = digit;
    if (Kind == 1) ok = alpha;
    if (Kind == 2) ok = digit || alpha;
    if (Kind == 3) ok = is_python_space(c);
    if (!ok) return Value(false);
  }
  return Value(true);
}

Result<Value> str_zfill(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"width"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::int64_t width, int_arg(args[0], 0, "zfill"));
  std::string text = self.as_string();
  const auto length = static_cast<std::int64_t>(code_point_count(text));
  if (length >= width) return Value(text);
  const std::size_t sign = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  text.insert(sign, static_cast<std::size_t>(width - length), '0');
  return Value(std::move(text));
}

template <char Align>
Result<Value> str_justify(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"width", "fillchar"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::int64_t width, int_arg(args[0], 0, "ljust"));
  std::string fill = " ";
  if (args[1].is_string()) fill = args[1].as_string();
  const std::string& text = self.as_string();
  const auto length = static_cast<std::int64_t>(code_point_count(text));
  if (length >= width) return Value(text);
  const auto total = static_cast<std::size_t>(width - length);
  // Python's center() puts the odd space on the left when the width is odd.
  std::size_t left = total;
  if (Align == '<') left = 0;
  if (Align == '^') left = total / 2 + (total & static_cast<std::size_t>(width) & 1);
  std::string out;
  for (std::size_t i = 0; i < left; ++i) out += fill;
  out += text;
  for (std::size_t i = 0; i < total - left; ++i) out += fill;
  return Value(std::move(out));
}

template <bool Reverse>
Result<Value> str_partition(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"sep"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::string separator, string_arg(args[0], "partition"));
  if (separator.empty()) return make_error(ErrorCode::invalid_argument, "empty separator");
  const std::string& text = self.as_string();
  const std::size_t at = Reverse ? text.rfind(separator) : text.find(separator);
  if (at == std::string::npos) {
    if (Reverse) return Value::tuple({Value(""), Value(""), Value(text)});
    return Value::tuple({Value(text), Value(""), Value("")});
  }
  return Value::tuple({Value(text.substr(0, at)), Value(separator), Value(text.substr(at + separator.size()))});
}

template <bool Prefix>
Result<Value> str_remove_affix(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"affix"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::string affix, string_arg(args[0], Prefix ? "removeprefix" : "removesuffix"));
  std::string_view text = self.as_string();
  if (Prefix && text.starts_with(affix)) text.remove_prefix(affix.size());
  if (!Prefix && text.ends_with(affix)) text.remove_suffix(affix.size());
  return Value(std::string(text));
}

// ---- list and tuple ----

Result<Value> list_append(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"object"}, 1));
  self.as_list().items.push_back(std::move(args[0]));
  return Value::none();
}

Result<Value> list_extend(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"iterable"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  auto& target = self.as_list().items;
  target.insert(target.end(), items.begin(), items.end());
  return Value::none();
}

Result<Value> list_insert(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"index", "object"}, 2));
  COWORK_ASSIGN_OR_RETURN(std::int64_t index, int_arg(args[0], 0, "insert"));
  auto& items = self.as_list().items;
  const auto size = static_cast<std::int64_t>(items.size());
  if (index < 0) index = std::max<std::int64_t>(0, index + size);
  index = std::min(index, size);
  items.insert(items.begin() + index, std::move(args[1]));
  return Value::none();
}

Result<Value> list_pop(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"index"}));
  auto& items = self.as_list().items;
  if (items.empty()) return make_error(ErrorCode::invalid_argument, "pop from empty list");
  COWORK_ASSIGN_OR_RETURN(std::int64_t index, int_arg(args[0], -1, "pop"));
  const auto size = static_cast<std::int64_t>(items.size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return make_error(ErrorCode::invalid_argument, "pop index out of range");
  Value value = std::move(items[static_cast<std::size_t>(index)]);
  items.erase(items.begin() + index);
  return value;
}

Result<Value> list_index(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"value"}, 1));
  const auto& items = self.items();
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i] == args[0]) return Value(static_cast<std::int64_t>(i));
  return make_error(ErrorCode::invalid_argument, "{} is not in {}", args[0].repr(), self.type_name());
}

Result<Value> list_count(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"value"}, 1));
  std::int64_t count = 0;
  for (const auto& item : self.items())
    if (item == args[0]) ++count;
  return Value(count);
}

Result<Value> list_remove(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"value"}, 1));
  auto& items = self.as_list().items;
  for (auto it = items.begin(); it != items.end(); ++it) {
    if (*it == args[0]) {
      items.erase(it);
      return Value::none();
    }
  }
  return make_error(ErrorCode::invalid_argument, "list.remove(x): x not in list");
}

Result<Value> list_sort(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>({"reverse"}));
  auto& items = self.as_list().items;
  std::optional<Error> failure;
  const bool reverse = args[0].truthy();
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    if (failure) return false;
    const auto order = reverse ? compare_values(b, a) : compare_values(a, b);
    if (!order) {
      failure = Error{ErrorCode::invalid_argument, fmt::format("'<' not supported between instances of '{}' and '{}'",
                                                               a.type_name(), b.type_name())};
      return false;
    }
    return *order < 0;
  });
  if (failure) return std::unexpected(std::move(*failure));
  return Value::none();
}

Result<Value> list_reverse(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  auto& items = self.as_list().items;
  std::reverse(items.begin(), items.end());
  return Value::none();
}

Result<Value> list_copy(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  return Value::list(self.items());
}

Result<Value> list_clear(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  self.as_list().items.clear();
  return Value::none();
}

// ---- dict ----

Result<Value> dict_items(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  std::vector<Value> items;
  items.reserve(self.as_dict().size());
  for (const auto& [key, value] : self.as_dict().entries()) items.push_back(Value::tuple({key, value}));
  return Value::list(std::move(items));
}

Result<Value> dict_keys(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  std::vector<Value> items;
  for (const auto& entry : self.as_dict().entries()) items.push_back(entry.first);
  return Value::list(std::move(items));
}

Result<Value> dict_values(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  std::vector<Value> items;
  for (const auto& entry : self.as_dict().entries()) items.push_back(entry.second);
  return Value::list(std::move(items));
}

Status check_key(const Value& key) {
  if (!is_hashable(key)) return make_error(ErrorCode::invalid_argument, "unhashable type: '{}'", key.type_name());
  return {};
}

Result<Value> dict_get(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"key", "default"}, 1));
  COWORK_TRY(check_key(args[0]));
  if (const Value* found = self.as_dict().find(args[0])) return *found;
  return args[1].is_undefined() ? Value::none() : args[1];
}

Result<Value> dict_update(const Value& self, CallContext& context) {
  if (context.args().size() > 1)
    return make_error(ErrorCode::invalid_argument, "update expected at most 1 argument, got {}", context.args().size());
  Dict& dict = self.as_dict();
  if (!context.args().empty()) {
    const Value& other = context.args()[0];
    if (other.is_dict()) {
      const auto entries = other.as_dict().entries();  // a copy: `d.update(d)` must not iterate what it changes
      for (const auto& [key, value] : entries) dict.set(key, value);
    } else {
      COWORK_ASSIGN_OR_RETURN(auto pairs, Access::iterate(context, other));
      for (const auto& pair : pairs) {
        if (!pair.is_list() || pair.items().size() != 2)
          return make_error(ErrorCode::invalid_argument, "dictionary update sequence element has the wrong length");
        COWORK_TRY(check_key(pair.items()[0]));
        dict.set(pair.items()[0], pair.items()[1]);
      }
    }
  }
  for (const auto& [key, value] : context.kwargs()) dict.set(key, value);
  return Value::none();
}

Result<Value> dict_pop(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"key", "default"}, 1));
  COWORK_TRY(check_key(args[0]));
  Dict& dict = self.as_dict();
  if (const Value* found = dict.find(args[0])) {
    Value value = *found;
    dict.erase(args[0]);
    return value;
  }
  if (context.args().size() >= 2 || context.kwarg("default")) return args[1];
  return make_error(ErrorCode::invalid_argument, "key {} is not in the dict", args[0].repr());
}

Result<Value> dict_setdefault(const Value& self, CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"key", "default"}, 1));
  COWORK_TRY(check_key(args[0]));
  Dict& dict = self.as_dict();
  if (const Value* found = dict.find(args[0])) return *found;
  Value value = args[1].is_undefined() ? Value::none() : args[1];
  dict.set(args[0], value);
  return value;
}

Result<Value> dict_copy(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  Value copy = Value::dict();
  for (const auto& [key, value] : self.as_dict().entries()) copy.as_dict().set(key, value);
  return copy;
}

Result<Value> dict_clear(const Value& self, CallContext& context) {
  COWORK_TRY(context.bind<0>({}));
  self.as_dict().clear();
  return Value::none();
}

const MethodTable& string_methods() {
  static const MethodTable table = {
      {"lower", {"str.lower", str_lower}},
      {"upper", {"str.upper", str_upper}},
      {"casefold", {"str.casefold", str_lower}},
      {"strip", {"str.strip", str_strip<true, true>}},
      {"lstrip", {"str.lstrip", str_strip<true, false>}},
      {"rstrip", {"str.rstrip", str_strip<false, true>}},
      {"split", {"str.split", str_split<false>}},
      {"rsplit", {"str.rsplit", str_split<true>}},
      {"splitlines", {"str.splitlines", str_splitlines}},
      {"startswith", {"str.startswith", str_startswith<true>}},
      {"endswith", {"str.endswith", str_startswith<false>}},
      {"replace", {"str.replace", str_replace}},
      {"format", {"str.format", str_format}},
      {"join", {"str.join", str_join}},
      {"title", {"str.title", str_title}},
      {"capitalize", {"str.capitalize", str_capitalize}},
      {"swapcase", {"str.swapcase", str_swapcase}},
      {"count", {"str.count", str_count}},
      {"find", {"str.find", str_find<false, false>}},
      {"rfind", {"str.rfind", str_find<true, false>}},
      {"index", {"str.index", str_find<false, true>}},
      {"rindex", {"str.rindex", str_find<true, true>}},
      {"isdigit", {"str.isdigit", str_is<0>}},
      {"isnumeric", {"str.isnumeric", str_is<0>}},
      {"isdecimal", {"str.isdecimal", str_is<0>}},
      {"isalpha", {"str.isalpha", str_is<1>}},
      {"isalnum", {"str.isalnum", str_is<2>}},
      {"isspace", {"str.isspace", str_is<3>}},
      {"islower", {"str.islower", str_is<4>}},
      {"isupper", {"str.isupper", str_is<5>}},
      {"zfill", {"str.zfill", str_zfill}},
      {"ljust", {"str.ljust", str_justify<'<'>}},
      {"rjust", {"str.rjust", str_justify<'>'>}},
      {"center", {"str.center", str_justify<'^'>}},
      {"partition", {"str.partition", str_partition<false>}},
      {"rpartition", {"str.rpartition", str_partition<true>}},
      {"removeprefix", {"str.removeprefix", str_remove_affix<true>}},
      {"removesuffix", {"str.removesuffix", str_remove_affix<false>}},
  };
  return table;
}

const MethodTable& list_methods() {
  static const MethodTable table = {
      {"append", {"list.append", list_append}},    {"extend", {"list.extend", list_extend}},
      {"insert", {"list.insert", list_insert}},    {"pop", {"list.pop", list_pop}},
      {"index", {"list.index", list_index}},       {"count", {"list.count", list_count}},
      {"remove", {"list.remove", list_remove}},    {"sort", {"list.sort", list_sort}},
      {"reverse", {"list.reverse", list_reverse}}, {"copy", {"list.copy", list_copy}},
      {"clear", {"list.clear", list_clear}},
  };
  return table;
}

const MethodTable& tuple_methods() {
  static const MethodTable table = {
      {"index", {"tuple.index", list_index}},
      {"count", {"tuple.count", list_count}},
  };
  return table;
}

const MethodTable& dict_methods() {
  static const MethodTable table = {
      {"items", {"dict.items", dict_items}},
      {"keys", {"dict.keys", dict_keys}},
      {"values", {"dict.values", dict_values}},
      {"get", {"dict.get", dict_get}},
      {"update", {"dict.update", dict_update}},
      {"pop", {"dict.pop", dict_pop}},
      {"setdefault", {"dict.setdefault", dict_setdefault}},
      {"copy", {"dict.copy", dict_copy}},
      {"clear", {"dict.clear", dict_clear}},
  };
  return table;
}

const MethodTable* table_for(const Value& self) {
  switch (self.kind()) {
    case ValueKind::string:
      return &string_methods();
    case ValueKind::list:
      return self.is_tuple() ? &tuple_methods() : &list_methods();
    case ValueKind::dict:
      return &dict_methods();
    default:
      return nullptr;
  }
}

const Method* find(const Value& self, std::string_view name) {
  const MethodTable* table = table_for(self);
  if (!table) return nullptr;
  auto it = table->find(name);
  return it == table->end() ? nullptr : &it->second;
}

}  // namespace

bool has_method(const Value& self, std::string_view name) {
  return find(self, name) != nullptr;
}

std::string_view method_display_name(const Value& self, std::string_view name) {
  const Method* method = find(self, name);
  return method ? method->display : name;
}

Result<Value> call_method(const Value& self, std::string_view name, CallContext& context) {
  const Method* method = find(self, name);
  if (!method)
    return make_error(ErrorCode::invalid_argument, "'{}' has no attribute '{}'", object_type_repr(self), name);
  return method->fn(self, context);
}

}  // namespace cowork::jinja::detail
