// Jinja2's builtin filters, with Jinja's argument names, defaults and edge cases (sort and unique ignore case by
// default, round returns a float, first of an empty sequence is undefined...).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "jinja/detail/runtime.hpp"
#include "jinja/detail/text.hpp"
#include "util/strings.hpp"

namespace cowork::jinja::detail {
namespace {

using Names1 = std::array<std::string_view, 1>;

// `groupby` items: a (grouper, list) pair that also has the attributes `grouper` and `list`.
class GroupTuple : public Object {
 public:
  GroupTuple(Value grouper, Value list) : m_grouper(std::move(grouper)), m_list(std::move(list)) {}
  std::string_view type_name() const override { return "tuple"; }
  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "grouper") return m_grouper;
    if (name == "list") return m_list;
    return std::nullopt;
  }
  std::optional<Value> item(const Value& key) const override {
    if (key.is_int() && key.as_int() == 0) return m_grouper;
    if (key.is_int() && key.as_int() == 1) return m_list;
    return attribute(key.is_string() ? key.as_string() : "");
  }
  std::string str() const override { return Value::tuple({m_grouper, m_list}).repr(); }
  std::optional<std::vector<Value>> iterate() const override { return std::vector<Value>{m_grouper, m_list}; }

 private:
  Value m_grouper;
  Value m_list;
};

// The key `sort`, `unique`, `min`, `max` and `dictsort` compare by: the attribute, folded to lower case unless
// case_sensitive.
Result<Value> sort_key(CallContext& context, const Value& item, const Value& attribute, bool case_sensitive) {
  Value key = item;
  if (attribute.is_string() || attribute.is_int()) {
    COWORK_ASSIGN_OR_RETURN(key, Access::get_path(context, item, attribute.str()));
  }
  if (!case_sensitive && key.is_string()) return Value(lower_case(key.as_string()));
  return key;
}

Status sort_values(std::vector<std::pair<Value, Value>>& keyed, bool reverse) {
  std::optional<Error> failure;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (failure) return false;
    const auto order = reverse ? compare_values(b.first, a.first) : compare_values(a.first, b.first);
    if (!order) {
      failure = Error{ErrorCode::invalid_argument, fmt::format("'<' not supported between instances of '{}' and '{}'",
                                                               a.first.type_name(), b.first.type_name())};
      return false;
    }
    return *order < 0;
  });
  if (failure) return std::unexpected(std::move(*failure));
  return {};
}

Result<std::int64_t> length_of(CallContext& context, const Value& value) {
  switch (value.kind()) {
    case ValueKind::string:
      return static_cast<std::int64_t>(code_point_count(value.as_string()));
    case ValueKind::list:
      return static_cast<std::int64_t>(value.items().size());
    case ValueKind::dict:
      return static_cast<std::int64_t>(value.as_dict().size());
    case ValueKind::undefined:
      return 0;
    case ValueKind::object: {
      auto items = Access::iterate(context, value);
      if (items) return static_cast<std::int64_t>(items->size());
      break;
    }
    default:
      break;
  }
  return make_error(ErrorCode::invalid_argument, "object of type '{}' has no len()", value.type_name());
}

Result<Value> filter_abs(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  const Value& value = args[0];
  if (value.is_float()) return Value(std::fabs(value.as_double()));
  if (value.is_number()) {
    if (value.as_int() == INT64_MIN) return make_error(ErrorCode::invalid_argument, "integer overflow");
    return Value(std::llabs(value.as_int()));
  }
  return make_error(ErrorCode::invalid_argument, "bad operand type for abs(): '{}'", value.type_name());
}

Result<Value> filter_attr(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "name"}, 2));
  const std::string name = args[1].str();
  // Jinja's attr() reads attributes only: a dict's keys are items, not attributes.
  if (args[0].is_dict() && !has_method(args[0], name))
    return Value::undefined(fmt::format("'dict object' has no attribute '{}'", name));
  return Access::get_attribute(context, args[0], name);
}

Result<Value> filter_batch(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "linecount", "fill_with"}, 2));
  if (!args[1].is_int() || args[1].as_int() <= 0)
    return make_error(ErrorCode::invalid_argument, "batch() needs a positive line count");
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  const auto size = static_cast<std::size_t>(args[1].as_int());
  std::vector<Value> out;
  std::vector<Value> row;
  for (auto& item : items) {
    row.push_back(std::move(item));
    if (row.size() == size) out.push_back(Value::list(std::exchange(row, {})));
  }
  if (!row.empty()) {
    if (!args[2].is_undefined() && !args[2].is_none())
      while (row.size() < size) row.push_back(args[2]);
    out.push_back(Value::list(std::move(row)));
  }
  return Value::list(std::move(out));
}

Result<Value> filter_capitalize(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(capitalize(args[0].str()));
}

Result<Value> filter_center(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "width"}, 1));
  const std::int64_t width = args[1].is_int() ? args[1].as_int() : 80;
  const std::string text = args[0].str();
  const auto length = static_cast<std::int64_t>(code_point_count(text));
  if (length >= width) return Value(text);
  const auto total = static_cast<std::size_t>(width - length);
  const std::size_t left = total / 2 + (total & static_cast<std::size_t>(width) & 1);
  return Value(std::string(left, ' ') + text + std::string(total - left, ' '));
}

Result<Value> filter_default(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "default_value", "boolean"}, 1));
  const bool use_default = args[0].is_undefined() || (args[2].truthy() && !args[0].truthy());
  if (!use_default) return args[0];
  return args[1].is_undefined() && context.args().size() < 2 && !context.kwarg("default_value") ? Value("") : args[1];
}

Result<Value> filter_dictsort(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<4>({"value", "case_sensitive", "by", "reverse"}, 1));
  if (!args[0].is_dict())
    return make_error(ErrorCode::invalid_argument, "dictsort needs a dict, not '{}'", args[0].type_name());
  const std::string by = args[2].is_string() ? args[2].as_string() : "key";
  if (by != "key" && by != "value")
    return make_error(ErrorCode::invalid_argument, "you can only sort by either 'key' or 'value'");
  std::vector<std::pair<Value, Value>> keyed;
  for (const auto& [key, value] : args[0].as_dict().entries()) {
    COWORK_ASSIGN_OR_RETURN(Value sort_by, sort_key(context, by == "key" ? key : value, Value(), args[1].truthy()));
    keyed.emplace_back(std::move(sort_by), Value::tuple({key, value}));
  }
  COWORK_TRY(sort_values(keyed, args[3].truthy()));
  std::vector<Value> out;
  for (auto& [unused, pair] : keyed) out.push_back(std::move(pair));
  return Value::list(std::move(out));
}

Result<Value> filter_escape(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(html_escape(args[0].str()));
}

Result<Value> filter_first(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Result<Value> filter_last(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

std::optional<double> parse_float(std::string_view text) {
  text = strip(text, nullptr, true, true);
  std::string cleaned;
  for (char c : text)
    if (c != '_') cleaned += c;
  if (cleaned.empty()) return std::nullopt;
  const std::string lowered = lower_case(cleaned);
  if (lowered == "nan" || lowered == "+nan" || lowered == "-nan") return std::nan("");
  if (lowered == "inf" || lowered == "+inf" || lowered == "infinity") return HUGE_VAL;
  if (lowered == "-inf" || lowered == "-infinity") return -HUGE_VAL;
  char* end = nullptr;
  const double value = std::strtod(cleaned.c_str(), &end);
  if (end != cleaned.c_str() + cleaned.size()) return std::nullopt;
  // strtod accepts hex floats and "infinity" spellings Python does not; those are rare enough in templates.
  return value;
}

Result<Value> filter_float(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "default"}, 1));
  const Value fallback = args[1].is_undefined() ? Value(0.0) : args[1];
  const Value& value = args[0];
  if (value.is_number()) return Value(value.as_double());
  if (value.is_string())
    if (auto parsed = parse_float(value.as_string())) return Value(*parsed);
  return fallback;
}

Result<Value> filter_int(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "default", "base"}, 1));
  const Value fallback = args[1].is_undefined() ? Value(0) : args[1];
  const int base = args[2].is_int() ? static_cast<int>(args[2].as_int()) : 10;
  const Value& value = args[0];
  if (value.is_float()) {
    const double d = value.as_double();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return fallback;
    return Value(static_cast<std::int64_t>(d));
  }
  if (value.is_number()) return Value(value.as_int());
  if (value.is_string()) {
    std::string text(strip(value.as_string(), nullptr, true, true));
    std::string cleaned;
    for (char c : text)
      if (c != '_') cleaned += c;
    if (!cleaned.empty()) {
      std::size_t start = (cleaned[0] == '-' || cleaned[0] == '+') ? 1 : 0;
      std::string digits = cleaned.substr(start);
      int effective = base;
      if (digits.size() > 2 && digits[0] == '0') {
        const char p = static_cast<char>(digits[1] | 0x20);
        if ((p == 'x' && (base == 16 || base == 0)) || (p == 'o' && (base == 8 || base == 0)) ||
            (p == 'b' && (base == 2 || base == 0))) {
          effective = p == 'x' ? 16 : (p == 'o' ? 8 : 2);
          digits = digits.substr(2);
        }
      }
      if (effective == 0) effective = 10;
      errno = 0;
      char* end = nullptr;
      const long long parsed = std::strtoll(digits.c_str(), &end, effective);
      if (!digits.empty() && end == digits.c_str() + digits.size() && errno == 0 && digits[0] != '-' &&
          digits[0] != '+')
        return Value(static_cast<std::int64_t>(cleaned[0] == '-' ? -parsed : parsed));
    }
    // Jinja falls back to int(float(value)) for "3.5".
    if (auto parsed = parse_float(value.as_string()); parsed && std::isfinite(*parsed) && std::fabs(*parsed) < 9.2e18)
      return Value(static_cast<std::int64_t>(*parsed));
  }
  return fallback;
}

Result<Value> filter_format(CallContext& context) {
  if (context.args().empty()) return make_error(ErrorCode::invalid_argument, "filter 'format' needs a value");
  const std::string format = context.args()[0].str();
  if (context.args().size() > 1 && !context.kwargs().empty())
    return make_error(ErrorCode::invalid_argument, "can't handle positional and keyword arguments at the same time");
  Value args;
  if (!context.kwargs().empty()) {
    args = Value::dict();
    for (const auto& [name, value] : context.kwargs()) args.as_dict().set(name, value);
  } else {
    args = Value::tuple(std::vector<Value>(context.args().begin() + 1, context.args().end()));
  }
  COWORK_ASSIGN_OR_RETURN(std::string text, percent_format(format, args));
  return Value(std::move(text));
}

Result<Value> filter_groupby(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<4>({"value", "attribute", "default", "case_sensitive"}, 2));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  const bool case_sensitive = args[3].truthy();
  std::vector<std::pair<Value, Value>> keyed;
  for (auto& item : items) {
    COWORK_ASSIGN_OR_RETURN(Value key, Access::get_path(context, item, args[1].str()));
    if (key.is_undefined() && !args[2].is_undefined()) key = args[2];
    keyed.emplace_back(key, std::move(item));
  }
  std::vector<std::pair<Value, Value>> sortable;
  for (const auto& [key, item] : keyed)
    sortable.emplace_back(!case_sensitive && key.is_string() ? Value(lower_case(key.as_string())) : key, Value());
  // Sort indices by the folded key, keeping the original key for display.
  std::vector<std::size_t> order(keyed.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::optional<Error> failure;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (failure) return false;
    auto cmp = compare_values(sortable[a].first, sortable[b].first);
    if (!cmp) {
      failure = Error{ErrorCode::invalid_argument, "groupby: the group keys cannot be compared"};
      return false;
    }
    return *cmp < 0;
  });
  if (failure) return std::unexpected(std::move(*failure));
  std::vector<Value> groups;
  std::size_t i = 0;
  while (i < order.size()) {
    std::vector<Value> members;
    const Value& folded = sortable[order[i]].first;
    const Value grouper = keyed[order[i]].first;
    std::size_t j = i;
    while (j < order.size() && sortable[order[j]].first == folded) members.push_back(keyed[order[j++]].second);
    groups.push_back(Value::object(std::make_shared<GroupTuple>(grouper, Value::list(std::move(members)))));
    i = j;
  }
  return Value::list(std::move(groups));
}

Result<Value> filter_indent(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<4>({"value", "width", "first", "blank"}, 1));
  std::string indention;
  if (args[1].is_string())
    indention = args[1].as_string();
  else
    indention =
        std::string(args[1].is_int() ? static_cast<std::size_t>(std::max<std::int64_t>(0, args[1].as_int())) : 4, ' ');
  const std::string text = args[0].str() + "\n";
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      lines.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (args[3].truthy() || !lines[i].empty()) out += indention;
    }
    out += lines[i];
  }
  if (args[2].truthy()) out = indention + out;
  return Value(std::move(out));
}

Result<Value> filter_items(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  if (args[0].is_undefined()) return Value::list();
  if (!args[0].is_dict()) return make_error(ErrorCode::invalid_argument, "can only get item pairs from a mapping");
  std::vector<Value> out;
  for (const auto& [key, value] : args[0].as_dict().entries()) out.push_back(Value::tuple({key, value}));
  return Value::list(std::move(out));
}

Result<Value> filter_join(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "d", "attribute"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  const std::string separator = args[1].is_undefined() ? "" : args[1].str();
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    if (!args[2].is_undefined() && !args[2].is_none()) {
      COWORK_ASSIGN_OR_RETURN(Value part, Access::get_path(context, items[i], args[2].str()));
      part.append_str(out);
    } else {
      items[i].append_str(out);
    }
  }
  return Value(std::move(out));
}

Result<Value> filter_length(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  COWORK_ASSIGN_OR_RETURN(std::int64_t length, length_of(context, args[0]));
  return Value(length);
}

Result<Value> filter_list(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  return Value::list(std::move(items));
}

Result<Value> filter_lower(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(lower_case(args[0].str()));
}

Result<Value> filter_upper(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(upper_case(args[0].str()));
}

Result<Value> filter_map(CallContext& context) {
  if (context.args().empty()) return make_error(ErrorCode::invalid_argument, "filter 'map' needs a value");
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, context.args()[0]));
  std::vector<Value> out;
  out.reserve(items.size());
  if (const Value* attribute = context.kwarg("attribute")) {
    const Value* fallback = context.kwarg("default");
    for (const auto& [name, unused] : context.kwargs())
      if (name != "attribute" && name != "default")
        return make_error(ErrorCode::invalid_argument, "filter 'map' got an unexpected keyword argument '{}'", name);
    for (const auto& item : items) {
      COWORK_ASSIGN_OR_RETURN(Value value, Access::get_path(context, item, attribute->str()));
      if (value.is_undefined() && fallback) value = *fallback;
      out.push_back(std::move(value));
    }
    return Value::list(std::move(out));
  }
  if (context.args().size() < 2) return make_error(ErrorCode::invalid_argument, "map requires a filter argument");
  const std::string name = context.args()[1].str();
  for (const auto& item : items) {
    std::vector<Value> call_args{item};
    call_args.insert(call_args.end(), context.args().begin() + 2, context.args().end());
    COWORK_ASSIGN_OR_RETURN(Value value, Access::call_filter(context, name, std::move(call_args), context.kwargs()));
    out.push_back(std::move(value));
  }
  return Value::list(std::move(out));
}

template <bool Max>
Result<Value> filter_extreme(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "case_sensitive", "attribute"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  std::size_t best = 0;
  COWORK_ASSIGN_OR_RETURN(Value best_key, sort_key(context, items[0], args[2], args[1].truthy()));
  for (std::size_t i = 1; i < items.size(); ++i) {
    COWORK_ASSIGN_OR_RETURN(Value key, sort_key(context, items[i], args[2], args[1].truthy()));
    const auto order = compare_values(key, best_key);
    if (!order)
      return make_error(ErrorCode::invalid_argument, "'<' not supported between instances of '{}' and '{}'",
                        key.type_name(), best_key.type_name());
    if (Max ? *order > 0 : *order < 0) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

Result<Value> filter_pprint(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(args[0].repr());
}

// select / reject / selectattr / rejectattr.
template <bool Select, bool ByAttribute>
Result<Value> filter_select(CallContext& context) {
  if (context.args().empty()) return make_error(ErrorCode::invalid_argument, "the filter needs a value");
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, context.args()[0]));
  std::size_t next = 1;
  std::string attribute;
  if (ByAttribute) {
    if (context.args().size() < 2) return make_error(ErrorCode::invalid_argument, "missing the attribute to test");
    attribute = context.args()[1].str();
    next = 2;
  }
  std::string test;
  if (context.args().size() > next) test = context.args()[next++].str();
  std::vector<Value> test_args(
      context.args().begin() + static_cast<std::ptrdiff_t>(std::min(next, context.args().size())),
      context.args().end());
  std::vector<Value> out;
  for (const auto& item : items) {
    Value subject = item;
    if (ByAttribute) {
      COWORK_ASSIGN_OR_RETURN(subject, Access::get_path(context, item, attribute));
    }
    bool ok = false;
    if (test.empty()) {
      ok = subject.truthy();
    } else {
      std::vector<Value> call_args{subject};
      call_args.insert(call_args.end(), test_args.begin(), test_args.end());
      COWORK_ASSIGN_OR_RETURN(ok, Access::call_test(context, test, std::move(call_args), context.kwargs()));
    }
    if (ok == Select) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Result<Value> filter_replace(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<4>({"value", "old", "new", "count"}, 3));
  const std::int64_t count = args[3].is_int() ? args[3].as_int() : -1;
  return Value(replace_all(args[0].str(), args[1].str(), args[2].str(), count));
}

Result<Value> filter_reverse(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  if (args[0].is_string()) {
    auto cps = code_points(args[0].as_string());
    std::string out;
    for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
    return Value(std::move(out));
  }
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

Result<Value> filter_round(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "precision", "method"}, 1));
  const std::int64_t precision = args[1].is_int() ? args[1].as_int() : 0;
  const std::string method = args[2].is_string() ? args[2].as_string() : "common";
  if (method != "common" && method != "ceil" && method != "floor")
    return make_error(ErrorCode::invalid_argument, "method must be common, ceil or floor");
  if (!args[0].is_number())
    return make_error(ErrorCode::invalid_argument, "type {} doesn't define __round__ method", args[0].type_name());
  // Python's round(int, n) keeps an int; Jinja's ceil and floor always give a float.
  if (method == "common" && !args[0].is_float()) {
    const std::int64_t number = args[0].as_int();
    if (precision >= 0) return Value(number);
    if (precision < -18) return Value(0);
    // Python's int.__round__ with negative digits: to the nearest multiple of 10**-precision, ties to even.
    std::int64_t unit = 1;
    for (std::int64_t i = 0; i < -precision; ++i) unit *= 10;
    std::int64_t quotient = number / unit;
    std::int64_t remainder = number % unit;
    if (remainder < 0) {
      remainder += unit;
      --quotient;
    }
    if (remainder * 2 > unit || (remainder * 2 == unit && quotient % 2 != 0)) ++quotient;
    std::int64_t result = 0;
    if (__builtin_mul_overflow(quotient, unit, &result))
      return make_error(ErrorCode::invalid_argument, "integer overflow");
    return Value(result);
  }
  const double value = args[0].as_double();
  if (method == "common") {
    if (!std::isfinite(value)) return Value(value);
    if (precision >= 0 && precision <= 300) {
      // printf rounds the exact binary value half-to-even, as Python's round() does.
      char buffer[512];
      std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(precision), value);
      return Value(std::strtod(buffer, nullptr));
    }
    const double scale = std::pow(10.0, static_cast<double>(precision));
    return Value(std::nearbyint(value * scale) / scale);
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double scaled = method == "ceil" ? std::ceil(value * scale) : std::floor(value * scale);
  return Value(scaled / scale);
}

Result<Value> filter_safe(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(args[0].str());
}

Result<Value> filter_sort(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<4>({"value", "reverse", "case_sensitive", "attribute"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  std::vector<std::pair<Value, Value>> keyed;
  keyed.reserve(items.size());
  for (auto& item : items) {
    COWORK_ASSIGN_OR_RETURN(Value key, sort_key(context, item, args[3], args[2].truthy()));
    keyed.emplace_back(std::move(key), std::move(item));
  }
  COWORK_TRY(sort_values(keyed, args[1].truthy()));
  std::vector<Value> out;
  out.reserve(keyed.size());
  for (auto& [unused, item] : keyed) out.push_back(std::move(item));
  return Value::list(std::move(out));
}

Result<Value> filter_string(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(args[0].str());
}

Result<Value> filter_striptags(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  const std::string text = args[0].str();
  std::string stripped;
  bool in_tag = false;
  for (char c : text) {
    if (c == '<') in_tag = true;
    if (!in_tag) stripped += c;
    if (c == '>') in_tag = false;
  }
  return Value(join(python_split(stripped, nullptr, -1), " "));
}

Result<Value> filter_sum(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "attribute", "start"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  Value total = args[2].is_undefined() ? Value(0) : args[2];
  for (const auto& item : items) {
    Value addend = item;
    if (!args[1].is_undefined() && !args[1].is_none()) {
      COWORK_ASSIGN_OR_RETURN(addend, Access::get_path(context, item, args[1].str()));
    }
    COWORK_ASSIGN_OR_RETURN(total, binary_operation(ast::BinaryOp::add, total, addend, std::size_t{1} << 30));
  }
  return total;
}

Result<Value> filter_title(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  return Value(jinja_title(args[0].str()));
}

Result<Value> filter_tojson(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "indent"}, 1));
  std::optional<std::int64_t> indent;
  if (args[1].is_int()) indent = args[1].as_int();
  COWORK_ASSIGN_OR_RETURN(std::string text, dump_json(args[0], indent, /*sort_keys=*/true, /*html_safe=*/true));
  return Value(std::move(text));
}

Result<Value> filter_trim(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "chars"}, 1));
  const std::string text = args[0].str();
  if (args[1].is_string()) return Value(std::string(strip(text, &args[1].as_string(), true, true)));
  return Value(std::string(strip(text, nullptr, true, true)));
}

Result<Value> filter_truncate(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<5>({"value", "length", "killwords", "end", "leeway"}, 1));
  const std::string text = args[0].str();
  const std::int64_t length = args[1].is_int() ? args[1].as_int() : 255;
  const std::string end = args[3].is_string() ? args[3].as_string() : "...";
  const std::int64_t leeway = args[4].is_int() ? args[4].as_int() : 5;
  const auto end_length = static_cast<std::int64_t>(code_point_count(end));
  if (length < end_length)
    return make_error(ErrorCode::invalid_argument, "expected length >= {}, got {}", end_length, length);
  if (leeway < 0) return make_error(ErrorCode::invalid_argument, "expected leeway >= 0, got {}", leeway);
  const auto cps = code_points(text);
  if (static_cast<std::int64_t>(cps.size()) <= length + leeway) return Value(text);
  std::string head;
  for (std::int64_t i = 0; i < length - end_length; ++i) head += cps[static_cast<std::size_t>(i)];
  if (args[2].truthy()) return Value(head + end);
  const std::size_t space = head.rfind(' ');
  if (space != std::string::npos) head.resize(space);
  return Value(head + end);
}

Result<Value> filter_unique(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"value", "case_sensitive", "attribute"}, 1));
  COWORK_ASSIGN_OR_RETURN(auto items, Access::iterate(context, args[0]));
  std::vector<Value> seen;
  std::vector<Value> out;
  for (auto& item : items) {
    COWORK_ASSIGN_OR_RETURN(Value key, sort_key(context, item, args[2], args[1].truthy()));
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(std::move(key));
    out.push_back(std::move(item));
  }
  return Value::list(std::move(out));
}

Result<Value> filter_wordcount(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(Names1{"value"}, 1));
  const std::string text = args[0].str();
  std::int64_t count = 0;
  bool in_word = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || u >= 0x80;
    if (word && !in_word) ++count;
    in_word = word;
  }
  return Value(count);
}

}  // namespace

void register_filters(Environment::Impl& env) {
  auto& f = env.filters;
  f["abs"] = filter_abs;
  f["attr"] = filter_attr;
  f["batch"] = filter_batch;
  f["capitalize"] = filter_capitalize;
  f["center"] = filter_center;
  f["count"] = filter_length;
  f["d"] = filter_default;
  f["default"] = filter_default;
  f["dictsort"] = filter_dictsort;
  f["e"] = filter_escape;
  f["escape"] = filter_escape;
  f["forceescape"] = filter_escape;
  f["first"] = filter_first;
  f["float"] = filter_float;
  f["format"] = filter_format;
  f["groupby"] = filter_groupby;
  f["indent"] = filter_indent;
  f["int"] = filter_int;
  f["items"] = filter_items;
  f["join"] = filter_join;
  f["last"] = filter_last;
  f["length"] = filter_length;
  f["list"] = filter_list;
  f["lower"] = filter_lower;
  f["map"] = filter_map;
  f["max"] = filter_extreme<true>;
  f["min"] = filter_extreme<false>;
  f["pprint"] = filter_pprint;
  f["reject"] = filter_select<false, false>;
  f["rejectattr"] = filter_select<false, true>;
  f["replace"] = filter_replace;
  f["reverse"] = filter_reverse;
  f["round"] = filter_round;
  f["safe"] = filter_safe;
  f["select"] = filter_select<true, false>;
  f["selectattr"] = filter_select<true, true>;
  f["sort"] = filter_sort;
  f["string"] = filter_string;
  f["striptags"] = filter_striptags;
  f["sum"] = filter_sum;
  f["title"] = filter_title;
  f["tojson"] = filter_tojson;
  f["trim"] = filter_trim;
  f["truncate"] = filter_truncate;
  f["unique"] = filter_unique;
  f["upper"] = filter_upper;
  f["wordcount"] = filter_wordcount;
}

}  // namespace cowork::jinja::detail
