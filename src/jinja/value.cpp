#include "jinja/value.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "jinja/detail/macro.hpp"

namespace cowork::jinja {
namespace {

// Containers nested deeper than this render as "[...]"; it also stops a list that contains itself.
constexpr std::size_t k_max_repr_depth = 256;
// Below this size a dict is scanned linearly; above it an index of key hashes is kept.
constexpr std::size_t k_dict_linear_limit = 8;

bool is_numeric_kind(ValueKind kind) {
  return kind == ValueKind::boolean || kind == ValueKind::integer || kind == ValueKind::floating;
}

void append_string_repr(std::string& out, std::string_view text) {
  // Python picks single quotes unless the text has one and no double quote.
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  out += quote;
}

void append_repr_impl(std::string& out, const Value& value, std::size_t depth);

void append_container(std::string& out, const Value& value, std::size_t depth) {
  if (depth >= k_max_repr_depth) {
    out += value.is_dict() ? "{...}" : "[...]";
    return;
  }
  if (value.is_dict()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.as_dict().entries()) {
      if (!first) out += ", ";
      first = false;
      append_repr_impl(out, key, depth + 1);
      out += ": ";
      append_repr_impl(out, item, depth + 1);
    }
    out += '}';
    return;
  }
  const List& list = value.as_list();
  out += list.is_tuple ? '(' : '[';
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out += ", ";
    append_repr_impl(out, list.items[i], depth + 1);
  }
  if (list.is_tuple && list.items.size() == 1) out += ',';
  out += list.is_tuple ? ')' : ']';
}

void append_callable(std::string& out, const Callable& callable) {
  if (callable.macro)
    out += fmt::format("<Macro '{}'>", callable.name);
  else
    out += fmt::format("<function {}>", callable.name);
}

void append_repr_impl(std::string& out, const Value& value, std::size_t depth) {
  switch (value.kind()) {
    case ValueKind::undefined:
      out += "Undefined";
      return;
    case ValueKind::string:
      append_string_repr(out, value.as_string());
      return;
    case ValueKind::list:
    case ValueKind::dict:
      append_container(out, value, depth);
      return;
    case ValueKind::object:
      out += value.as_object().repr();
      return;
    default:
      value.append_str(out);
      return;
  }
}

bool equal_impl(const Value& a, const Value& b, std::size_t depth) {
  const ValueKind ka = a.kind();
  const ValueKind kb = b.kind();
  if (is_numeric_kind(ka) && is_numeric_kind(kb)) {
    if (ka != ValueKind::floating && kb != ValueKind::floating) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  if (ka != kb) return false;
  switch (ka) {
    case ValueKind::undefined:
    case ValueKind::none:
      return true;
    case ValueKind::string:
      return a.as_string() == b.as_string();
    case ValueKind::list: {
      const List& la = a.as_list();
      const List& lb = b.as_list();
      if (&la == &lb) return true;
      if (la.is_tuple != lb.is_tuple || la.items.size() != lb.items.size() || depth > k_max_repr_depth) return false;
      for (std::size_t i = 0; i < la.items.size(); ++i)
        if (!equal_impl(la.items[i], lb.items[i], depth + 1)) return false;
      return true;
    }
    case ValueKind::dict: {
      const Dict& da = a.as_dict();
      const Dict& db = b.as_dict();
      if (&da == &db) return true;
      if (da.size() != db.size() || depth > k_max_repr_depth) return false;
      for (const auto& [key, item] : da.entries()) {
        const Value* other = db.find(key);
        if (!other || !equal_impl(item, *other, depth + 1)) return false;
      }
      return true;
    }
    case ValueKind::callable:
      return a.callable_ptr() == b.callable_ptr();
    case ValueKind::object:
      return a.object_ptr() == b.object_ptr();
    default:
      return false;
  }
}

template <typename Json>
Value from_json_impl(const Json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
      return Value::none();
    case nlohmann::json::value_t::boolean:
      return Value(json.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(json.template get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = json.template get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
      return Value(static_cast<std::int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(json.template get<double>());
    case nlohmann::json::value_t::string:
      return Value(json.template get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(from_json_impl(item));
      return Value::list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Value dict = Value::dict();
      for (auto it = json.begin(); it != json.end(); ++it) dict.as_dict().set(it.key(), from_json_impl(it.value()));
      return dict;
    }
    default:
      return Value::none();
  }
}

nlohmann::ordered_json to_json_impl(const Value& value, std::size_t depth) {
  if (depth > k_max_repr_depth) return nullptr;
  switch (value.kind()) {
    case ValueKind::boolean:
      return value.as_bool();
    case ValueKind::integer:
      return value.as_int();
    case ValueKind::floating:
      return value.as_double();
    case ValueKind::string:
      return value.as_string();
    case ValueKind::list: {
      auto array = nlohmann::ordered_json::array();
      for (const auto& item : value.items()) array.push_back(to_json_impl(item, depth + 1));
      return array;
    }
    case ValueKind::dict: {
      auto object = nlohmann::ordered_json::object();
      for (const auto& [key, item] : value.as_dict().entries())
        object[key.is_string() ? key.as_string() : key.str()] = to_json_impl(item, depth + 1);
      return object;
    }
    case ValueKind::object:
      return value.as_object().str();
    default:
      return nullptr;
  }
}

}  // namespace

// ---- Dict ----

std::ptrdiff_t Dict::index_of(const Value& key, std::size_t hash) const {
  if (m_indexed) {
    auto [first, last] = m_index.equal_range(hash);
    for (auto it = first; it != last; ++it)
      if (m_entries[it->second].first == key) return it->second;
    return -1;
  }
  for (std::size_t i = 0; i < m_entries.size(); ++i)
    if (m_entries[i].first == key) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

const Value* Dict::find(const Value& key) const {
  if (!m_indexed && key.is_string()) return find(std::string_view(key.as_string()));
  const auto index = index_of(key, m_indexed ? hash_value(key) : 0);
  return index < 0 ? nullptr : &m_entries[static_cast<std::size_t>(index)].second;
}

const Value* Dict::find(std::string_view key) const {
  if (m_indexed) {
    auto [first, last] = m_index.equal_range(std::hash<std::string_view>{}(key));
    for (auto it = first; it != last; ++it) {
      const Value& candidate = m_entries[it->second].first;
      if (candidate.is_string() && candidate.as_string() == key) return &m_entries[it->second].second;
    }
    return nullptr;
  }
  for (const auto& entry : m_entries)
    if (entry.first.is_string() && entry.first.as_string() == key) return &entry.second;
  return nullptr;
}

void Dict::set(Value key, Value value) {
  const std::size_t hash = m_indexed ? hash_value(key) : 0;
  const auto index = index_of(key, hash);
  if (index >= 0) {
    m_entries[static_cast<std::size_t>(index)].second = std::move(value);
    return;
  }
  m_entries.emplace_back(std::move(key), std::move(value));
  if (m_indexed)
    m_index.emplace(hash, static_cast<std::uint32_t>(m_entries.size() - 1));
  else if (m_entries.size() > k_dict_linear_limit)
    rebuild_index();
}

void Dict::set(std::string_view key, Value value) {
  set(Value(key), std::move(value));
}

void Dict::set(const std::string& key, Value value) {
  set(Value(key), std::move(value));
}

void Dict::set(const char* key, Value value) {
  set(Value(key), std::move(value));
}

bool Dict::erase(const Value& key) {
  const auto index = index_of(key, m_indexed ? hash_value(key) : 0);
  if (index < 0) return false;
  m_entries.erase(m_entries.begin() + index);
  if (m_indexed) rebuild_index();
  return true;
}

void Dict::clear() {
  m_entries.clear();
  m_index.clear();
  m_indexed = false;
}

void Dict::rebuild_index() {
  m_index.clear();
  m_indexed = m_entries.size() > k_dict_linear_limit;
  if (!m_indexed) return;
  m_index.reserve(m_entries.size() * 2);
  for (std::size_t i = 0; i < m_entries.size(); ++i)
    m_index.emplace(hash_value(m_entries[i].first), static_cast<std::uint32_t>(i));
}

// ---- Object ----

std::optional<Value> Object::attribute(std::string_view) const {
  return std::nullopt;
}

std::optional<Value> Object::item(const Value& key) const {
  if (key.is_string()) return attribute(key.as_string());
  return std::nullopt;
}

Status Object::set_attribute(std::string_view name, Value) {
  return make_error(ErrorCode::invalid_argument, "cannot assign attribute '{}' on a '{}' object", name, type_name());
}

std::string Object::str() const {
  return fmt::format("<{} object>", type_name());
}

Result<Value> Object::call(CallContext&) {
  return make_error(ErrorCode::invalid_argument, "'{}' object is not callable", type_name());
}

HostObject::HostObject(std::string type_name, std::string str_form)
    : m_type_name(std::move(type_name)), m_str(std::move(str_form)), m_attributes(std::make_shared<Dict>()) {}

HostObject& HostObject::set(std::string_view name, Value value) {
  m_attributes->set(name, std::move(value));
  return *this;
}

HostObject& HostObject::set_method(std::string_view name, NativeFunction function) {
  return set(name, Value::function(fmt::format("{}.{}", m_type_name, name), std::move(function)));
}

std::optional<Value> HostObject::attribute(std::string_view name) const {
  if (const Value* value = m_attributes->find(name)) return *value;
  return std::nullopt;
}

std::string HostObject::str() const {
  return m_str.empty() ? Object::str() : m_str;
}

// ---- Value ----

Value::Value(std::string value)
    : m_data(std::in_place_type<StringPtr>, std::make_shared<const std::string>(std::move(value))) {}

Value Value::none() {
  return Value(std::in_place_type<std::monostate>, std::monostate{});
}

Value Value::undefined(std::string reason) {
  if (reason.empty()) return Value();
  return Value(std::in_place_type<UndefinedInfo>,
               UndefinedInfo{std::make_shared<const std::string>(std::move(reason))});
}

Value Value::list(std::vector<Value> items) {
  auto list = std::make_shared<List>();
  list->items = std::move(items);
  return Value(std::in_place_type<ListPtr>, std::move(list));
}

Value Value::tuple(std::vector<Value> items) {
  Value value = list(std::move(items));
  value.as_list().is_tuple = true;
  return value;
}

Value Value::dict() {
  return Value(std::in_place_type<DictPtr>, std::make_shared<Dict>());
}

Value Value::dict(std::initializer_list<std::pair<std::string_view, Value>> entries) {
  Value value = dict();
  for (const auto& [key, item] : entries) value.as_dict().set(key, item);
  return value;
}

Value Value::function(std::string name, NativeFunction function) {
  auto callable = std::make_shared<Callable>();
  callable->name = std::move(name);
  callable->native = std::move(function);
  return from_callable(std::move(callable));
}

Value Value::object(std::shared_ptr<Object> object) {
  if (!object) return none();
  return Value(std::in_place_type<ObjectPtr>, std::move(object));
}

Value Value::from_callable(std::shared_ptr<const Callable> callable) {
  return Value(std::in_place_type<CallablePtr>, std::move(callable));
}

bool Value::is_number() const {
  return is_numeric_kind(kind());
}

bool Value::is_tuple() const {
  return is_list() && as_list().is_tuple;
}

bool Value::is_callable() const {
  return kind() == ValueKind::callable || (is_object() && as_object().is_callable());
}

std::int64_t Value::as_int() const {
  if (is_bool()) return as_bool() ? 1 : 0;
  return std::get<std::int64_t>(m_data);
}

double Value::as_double() const {
  if (is_float()) return std::get<double>(m_data);
  return static_cast<double>(as_int());
}

std::string Value::undefined_reason() const {
  const auto& info = std::get<UndefinedInfo>(m_data);
  return info.reason ? *info.reason : std::string("undefined");
}

bool Value::truthy() const {
  switch (kind()) {
    case ValueKind::undefined:
    case ValueKind::none:
      return false;
    case ValueKind::boolean:
      return as_bool();
    case ValueKind::integer:
      return as_int() != 0;
    case ValueKind::floating:
      return as_double() != 0.0;
    case ValueKind::string:
      return !as_string().empty();
    case ValueKind::list:
      return !as_list().items.empty();
    case ValueKind::dict:
      return !as_dict().empty();
    case ValueKind::callable:
      return true;
    case ValueKind::object:
      return as_object().truthy();
  }
  return false;
}

std::string Value::str() const {
  if (is_string()) return as_string();
  std::string out;
  append_str(out);
  return out;
}

void Value::append_str(std::string& out) const {
  switch (kind()) {
    case ValueKind::undefined:
      return;
    case ValueKind::none:
      out += "None";
      return;
    case ValueKind::boolean:
      out += as_bool() ? "True" : "False";
      return;
    case ValueKind::integer: {
      char buffer[24];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, as_int());
      out.append(buffer, end);
      return;
    }
    case ValueKind::floating:
      append_float_repr(out, as_double());
      return;
    case ValueKind::string:
      out += as_string();
      return;
    case ValueKind::list:
    case ValueKind::dict:
      append_container(out, *this, 0);
      return;
    case ValueKind::callable:
      append_callable(out, as_callable());
      return;
    case ValueKind::object:
      out += as_object().str();
      return;
  }
}

std::string Value::repr() const {
  std::string out;
  append_repr(out);
  return out;
}

void Value::append_repr(std::string& out) const {
  append_repr_impl(out, *this, 0);
}

std::string_view Value::type_name() const {
  switch (kind()) {
    case ValueKind::undefined:
      return "Undefined";
    case ValueKind::none:
      return "NoneType";
    case ValueKind::boolean:
      return "bool";
    case ValueKind::integer:
      return "int";
    case ValueKind::floating:
      return "float";
    case ValueKind::string:
      return "str";
    case ValueKind::list:
      return as_list().is_tuple ? "tuple" : "list";
    case ValueKind::dict:
      return "dict";
    case ValueKind::callable:
      return as_callable().macro ? "Macro" : "function";
    case ValueKind::object:
      return as_object().type_name();
  }
  return "object";
}

bool operator==(const Value& a, const Value& b) {
  return equal_impl(a, b, 0);
}

bool is_hashable(const Value& value) {
  switch (value.kind()) {
    case ValueKind::list:
      if (!value.as_list().is_tuple) return false;
      for (const auto& item : value.items())
        if (!is_hashable(item)) return false;
      return true;
    case ValueKind::dict:
    case ValueKind::undefined:
      return false;
    default:
      return true;
  }
}

std::size_t hash_value(const Value& value) {
  switch (value.kind()) {
    case ValueKind::none:
      return 0x9e3779b9u;
    case ValueKind::boolean:
    case ValueKind::integer:
      return std::hash<std::int64_t>{}(value.as_int());
    case ValueKind::floating: {
      const double d = value.as_double();
      // Equal numbers hash alike: 2.0 hashes as 2.
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18)
        return std::hash<std::int64_t>{}(static_cast<std::int64_t>(d));
      return std::hash<double>{}(d);
    }
    case ValueKind::string:
      return std::hash<std::string_view>{}(value.as_string());
    case ValueKind::list: {
      std::size_t hash = 0x345678;
      for (const auto& item : value.items()) hash = hash * 1000003 ^ hash_value(item);
      return hash;
    }
    case ValueKind::callable:
      return std::hash<const void*>{}(value.callable_ptr().get());
    case ValueKind::object:
      return std::hash<const void*>{}(value.object_ptr().get());
    default:
      return 0;
  }
}

std::optional<int> compare_values(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (!a.is_float() && !b.is_float()) {
      const auto x = a.as_int();
      const auto y = b.as_int();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    const double x = a.as_double();
    const double y = b.as_double();
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    // UTF-8 byte order is code point order.
    const int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (x[i] == y[i]) continue;
      return compare_values(x[i], y[i]);
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  return std::nullopt;
}

void append_float_repr(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  // The shortest round-trip digits, then laid out as Python's repr does: positional when the decimal exponent is in
  // [-4, 16), scientific otherwise.
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const auto e_pos = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e_pos))
    if (c != '.') digits += c;
  int exponent = 0;
  std::from_chars(text.data() + e_pos + 1 + (text[e_pos + 1] == '+' ? 1 : 0), text.data() + text.size(), exponent);
  if (negative) out += '-';
  if (exponent < -4 || exponent >= 16) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
    return;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
    return;
  }
  const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    out += digits;
    out.append(integer_digits - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, integer_digits);
    out += '.';
    out.append(digits, integer_digits);
  }
}

Value from_json(const nlohmann::json& json) {
  return from_json_impl(json);
}

Value from_json(const nlohmann::ordered_json& json) {
  return from_json_impl(json);
}

nlohmann::ordered_json to_json(const Value& value) {
  return to_json_impl(value, 0);
}

}  // namespace cowork::jinja
