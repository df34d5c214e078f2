// Python's operators on Values: arithmetic with int/float promotion and Python's floor division and modulo,
// sequence concatenation and repetition, `%` formatting, comparisons, `in` and slicing.
#include <cmath>

#include "jinja/detail/runtime.hpp"
#include "jinja/detail/text.hpp"

namespace cowork::jinja::detail {
namespace {

using ast::BinaryOp;
using ast::CompareOp;

std::string_view symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::add:
      return "+";
    case BinaryOp::sub:
      return "-";
    case BinaryOp::mul:
      return "*";
    case BinaryOp::div:
      return "/";
    case BinaryOp::floordiv:
      return "//";
    case BinaryOp::mod:
      return "%";
    case BinaryOp::pow:
      return "**";
    case BinaryOp::concat:
      return "~";
  }
  return "?";
}

std::unexpected<Error> unsupported(BinaryOp op, const Value& a, const Value& b) {
  return make_error(ErrorCode::invalid_argument, "unsupported operand type(s) for {}: '{}' and '{}'", symbol(op),
                    a.type_name(), b.type_name());
}

std::unexpected<Error> overflow() {
  return make_error(ErrorCode::invalid_argument, "integer overflow (results beyond 64 bits are not supported)");
}

std::unexpected<Error> too_big(std::size_t max_bytes) {
  return make_error(ErrorCode::invalid_argument, "the result would be larger than {} bytes", max_bytes);
}

bool both_integers(const Value& a, const Value& b) {
  return a.is_number() && b.is_number() && !a.is_float() && !b.is_float();
}

Result<Value> repeat(const Value& sequence, std::int64_t times, std::size_t max_bytes) {
  if (times < 0) times = 0;
  if (sequence.is_string()) {
    const std::string& text = sequence.as_string();
    if (!text.empty() && static_cast<std::uint64_t>(times) > max_bytes / text.size()) return too_big(max_bytes);
    std::string out;
    out.reserve(text.size() * static_cast<std::size_t>(times));
    for (std::int64_t i = 0; i < times; ++i) out += text;
    return Value(std::move(out));
  }
  const auto& items = sequence.items();
  if (!items.empty() && static_cast<std::uint64_t>(times) > max_bytes / (items.size() * sizeof(Value)))
    return too_big(max_bytes);
  std::vector<Value> out;
  out.reserve(items.size() * static_cast<std::size_t>(times));
  for (std::int64_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
  return sequence.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

Result<Value> power(const Value& a, const Value& b) {
  if (both_integers(a, b) && b.as_int() >= 0) {
    std::int64_t base = a.as_int();
    std::int64_t exponent = b.as_int();
    std::int64_t result = 1;
    while (exponent > 0) {
      if (exponent & 1)
        if (__builtin_mul_overflow(result, base, &result)) return overflow();
      exponent >>= 1;
      if (exponent > 0 && __builtin_mul_overflow(base, base, &base)) return overflow();
    }
    return Value(result);
  }
  const double x = a.as_double();
  const double y = b.as_double();
  if (x == 0 && y < 0)
    return make_error(ErrorCode::invalid_argument, "division by zero (0.0 cannot be raised to a negative power)");
  return Value(std::pow(x, y));
}

}  // namespace

std::string object_type_repr(const Value& value) {
  if (value.is_none()) return "None";
  if (value.is_undefined()) return "Undefined";
  return fmt::format("{} object", value.type_name());
}

Result<Value> binary_operation(BinaryOp op, const Value& a, const Value& b, std::size_t max_bytes) {
  if (op == BinaryOp::concat) {
    std::string out = a.str();
    b.append_str(out);
    if (out.size() > max_bytes) return too_big(max_bytes);
    return Value(std::move(out));
  }
  // Jinja's default Undefined refuses arithmetic, naming what was undefined.
  if (a.is_undefined()) return make_error(ErrorCode::invalid_argument, "{}", a.undefined_reason());
  if (b.is_undefined()) return make_error(ErrorCode::invalid_argument, "{}", b.undefined_reason());
  const bool numbers = a.is_number() && b.is_number();
  switch (op) {
    case BinaryOp::add:
      if (numbers) {
        if (both_integers(a, b)) {
          std::int64_t result = 0;
          if (__builtin_add_overflow(a.as_int(), b.as_int(), &result)) return overflow();
          return Value(result);
        }
        return Value(a.as_double() + b.as_double());
      }
      if (a.is_string() && b.is_string()) {
        if (a.as_string().size() + b.as_string().size() > max_bytes) return too_big(max_bytes);
        return Value(a.as_string() + b.as_string());
      }
      if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
        std::vector<Value> items = a.items();
        items.insert(items.end(), b.items().begin(), b.items().end());
        return a.is_tuple() ? Value::tuple(std::move(items)) : Value::list(std::move(items));
      }
      if (a.is_string() || a.is_list())
        return make_error(ErrorCode::invalid_argument, "can only concatenate {} (not \"{}\") to {}", a.type_name(),
                          b.type_name(), a.type_name());
      return unsupported(op, a, b);
    case BinaryOp::sub:
      if (!numbers) return unsupported(op, a, b);
      if (both_integers(a, b)) {
        std::int64_t result = 0;
        if (__builtin_sub_overflow(a.as_int(), b.as_int(), &result)) return overflow();
        return Value(result);
      }
      return Value(a.as_double() - b.as_double());
    case BinaryOp::mul:
      if (numbers) {
        if (both_integers(a, b)) {
          std::int64_t result = 0;
          if (__builtin_mul_overflow(a.as_int(), b.as_int(), &result)) return overflow();
          return Value(result);
        }
        return Value(a.as_double() * b.as_double());
      }
      if ((a.is_string() || a.is_list()) && b.is_number() && !b.is_float()) return repeat(a, b.as_int(), max_bytes);
      if ((b.is_string() || b.is_list()) && a.is_number() && !a.is_float()) return repeat(b, a.as_int(), max_bytes);
      return unsupported(op, a, b);
    case BinaryOp::div:
      if (!numbers) return unsupported(op, a, b);
      if (b.as_double() == 0) return make_error(ErrorCode::invalid_argument, "division by zero");
      return Value(a.as_double() / b.as_double());
    case BinaryOp::floordiv:
      if (!numbers) return unsupported(op, a, b);
      if (b.as_double() == 0) return make_error(ErrorCode::invalid_argument, "division by zero");
      if (both_integers(a, b)) {
        const std::int64_t x = a.as_int();
        const std::int64_t y = b.as_int();
        if (x == INT64_MIN && y == -1) return overflow();
        std::int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
        return Value(q);
      }
      return Value(std::floor(a.as_double() / b.as_double()));
    case BinaryOp::mod:
      if (a.is_string()) {
        auto formatted = percent_format(a.as_string(), b);
        if (!formatted) return std::unexpected(std::move(formatted).error());
        return Value(std::move(*formatted));
      }
      if (!numbers) return unsupported(op, a, b);
      if (b.as_double() == 0) return make_error(ErrorCode::invalid_argument, "division by zero (modulo)");
      if (both_integers(a, b)) {
        const std::int64_t x = a.as_int();
        const std::int64_t y = b.as_int();
        if (y == -1) return Value(std::int64_t{0});
        std::int64_t r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return Value(r);
      }
      {
        const double x = a.as_double();
        const double y = b.as_double();
        double r = std::fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return Value(r);
      }
    case BinaryOp::pow:
      if (!numbers) return unsupported(op, a, b);
      return power(a, b);
    case BinaryOp::concat:
      break;
  }
  return unsupported(op, a, b);
}

Result<bool> contains(const Value& haystack, const Value& needle) {
  switch (haystack.kind()) {
    case ValueKind::string:
      if (!needle.is_string())
        return make_error(ErrorCode::invalid_argument, "'in <string>' requires string as left operand, not {}",
                          needle.type_name());
      return haystack.as_string().find(needle.as_string()) != std::string::npos;
    case ValueKind::list:
      for (const auto& item : haystack.items())
        if (item == needle) return true;
      return false;
    case ValueKind::dict:
      if (!is_hashable(needle))
        return make_error(ErrorCode::invalid_argument, "unhashable type: '{}'", needle.type_name());
      return haystack.as_dict().find(needle) != nullptr;
    case ValueKind::undefined:
      return false;
    case ValueKind::object:
      if (auto items = haystack.as_object().iterate()) {
        for (const auto& item : *items)
          if (item == needle) return true;
        return false;
      }
      break;
    default:
      break;
  }
  return make_error(ErrorCode::invalid_argument, "argument of type '{}' is not iterable", haystack.type_name());
}

Result<bool> compare_operation(CompareOp op, const Value& a, const Value& b) {
  switch (op) {
    case CompareOp::eq:
      return a == b;
    case CompareOp::ne:
      return !(a == b);
    case CompareOp::in:
      return contains(b, a);
    case CompareOp::not_in: {
      COWORK_ASSIGN_OR_RETURN(bool found, contains(b, a));
      return !found;
    }
    default:
      break;
  }
  if (a.is_undefined()) return make_error(ErrorCode::invalid_argument, "{}", a.undefined_reason());
  if (b.is_undefined()) return make_error(ErrorCode::invalid_argument, "{}", b.undefined_reason());
  const auto order = compare_values(a, b);
  std::string_view name = op == CompareOp::lt ? "<" : op == CompareOp::le ? "<=" : op == CompareOp::gt ? ">" : ">=";
  if (!order)
    return make_error(ErrorCode::invalid_argument, "'{}' not supported between instances of '{}' and '{}'", name,
                      a.type_name(), b.type_name());
  switch (op) {
    case CompareOp::lt:
      return *order < 0;
    case CompareOp::le:
      return *order <= 0;
    case CompareOp::gt:
      return *order > 0;
    default:
      return *order >= 0;
  }
}

Result<Value> slice_value(const Value& value, const Value& start_value, const Value& stop_value,
                          const Value& step_value) {
  auto index_of = [](const Value& v, std::int64_t& out) -> bool {
    if (v.is_none()) return false;
    out = v.as_int();
    return true;
  };
  for (const Value* v : {&start_value, &stop_value, &step_value})
    if (!v->is_none() && !(v->is_int() || v->is_bool()))
      return make_error(ErrorCode::invalid_argument, "slice indices must be integers or None, not {}", v->type_name());
  std::int64_t step = 1;
  index_of(step_value, step);
  if (step == 0) return make_error(ErrorCode::invalid_argument, "slice step cannot be zero");

  std::vector<std::string_view> chars;
  const bool ascii_string = value.is_string() && is_ascii(value.as_string());
  if (value.is_string() && !ascii_string) chars = code_points(value.as_string());
  std::int64_t length = 0;
  if (ascii_string)
    length = static_cast<std::int64_t>(value.as_string().size());
  else if (value.is_string())
    length = static_cast<std::int64_t>(chars.size());
  else if (value.is_list())
    length = static_cast<std::int64_t>(value.items().size());
  else
    return make_error(ErrorCode::invalid_argument, "'{}' object is not subscriptable", value.type_name());

  auto clamp = [&](const Value& v, std::int64_t fallback) {
    std::int64_t index = 0;
    if (!index_of(v, index)) return fallback;
    if (index < 0) {
      index += length;
      if (index < 0) index = step < 0 ? -1 : 0;
    } else if (index >= length) {
      index = step < 0 ? length - 1 : length;
    }
    return index;
  };
  const std::int64_t start = clamp(start_value, step < 0 ? length - 1 : 0);
  const std::int64_t stop = clamp(stop_value, step < 0 ? -1 : length);

  std::vector<std::int64_t> picks;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) picks.push_back(i);
  if (value.is_string()) {
    std::string out;
    for (std::int64_t i : picks) {
      if (ascii_string)
        out += value.as_string()[static_cast<std::size_t>(i)];
      else
        out += chars[static_cast<std::size_t>(i)];
    }
    return Value(std::move(out));
  }
  std::vector<Value> out;
  out.reserve(picks.size());
  for (std::int64_t i : picks) out.push_back(value.items()[static_cast<std::size_t>(i)]);
  return value.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

}  // namespace cowork::jinja::detail
