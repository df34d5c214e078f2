// The values Jinja templates compute with, modelled on the Python objects Jinja2 hands templates: undefined, None,
// bool, int (int64 here), float, str (UTF-8), list and tuple, dict (insertion-ordered), callables (native C++
// functions and template macros) and host objects with attributes (dbt's `this`, `adapter`, a relation).
//
// Used by the Jinja engine (environment.hpp) and by whoever embeds it: the dbt compiler builds its context (`ref`,
// `config`, `this`, `target`...) out of these. Lists and dicts are reference types like Python's: copying a Value
// copies the reference, so `{% do items.append(x) %}` changes the list every holder sees. Strings are immutable and
// shared. A Value is not synchronised: values shared between threads must not be mutated while others read them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/error.hpp"

namespace cowork::jinja {

class CallContext;
class Value;

namespace detail {
struct Macro;
}  // namespace detail

// A native function, filter or test. It reads its arguments from the context and returns a value or an error; the
// engine prefixes the error with the file:line:column of the call, so messages need not say where they happened.
using NativeFunction = std::function<Result<Value>(CallContext&)>;

// Keyword arguments in call order.
using Kwargs = std::vector<std::pair<std::string, Value>>;

enum class ValueKind : std::uint8_t {
  undefined,
  none,
  boolean,
  integer,
  floating,
  string,
  list,  // also tuples (List::is_tuple)
  dict,
  callable,
  object,
};

// A sequence. `is_tuple` marks the immutable Python tuple: it renders as `(1, 2)`, is hashable and has no mutating
// methods.
struct List {
  std::vector<Value> items;
  bool is_tuple = false;
};

// An insertion-ordered mapping with Python's key semantics (1 == 1.0 == True). Keys must be hashable: none, bool,
// numbers, strings, tuples of those, callables and objects (by identity); `is_hashable` tells.
class Dict {
 public:
  std::size_t size() const { return m_entries.size(); }
  bool empty() const { return m_entries.empty(); }
  const std::vector<std::pair<Value, Value>>& entries() const { return m_entries; }

  // The value under `key`, or null.
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  const Value* find(const std::string& key) const { return find(std::string_view(key)); }
  const Value* find(const char* key) const { return find(std::string_view(key)); }
  // Inserts or replaces; a replaced key keeps its position. Contract: is_hashable(key).
  void set(Value key, Value value);
  void set(std::string_view key, Value value);
  void set(const std::string& key, Value value);
  void set(const char* key, Value value);
  // Removes `key`; false when it was absent.
  bool erase(const Value& key);
  void clear();

 private:
  std::ptrdiff_t index_of(const Value& key, std::size_t hash) const;
  void rebuild_index();

  std::vector<std::pair<Value, Value>> m_entries;
  // Hash of a key -> its entry; built once the dict outgrows a linear scan.
  std::unordered_multimap<std::size_t, std::uint32_t> m_index;
  bool m_indexed = false;
};

// A function value: native code or a template macro (or a call block's `caller`).
struct Callable {
  std::string name;
  NativeFunction native;                       // set for native functions
  std::shared_ptr<const detail::Macro> macro;  // set for macros
};

// A host object with attributes, for things that are neither dicts nor lists: dbt's Relation (`this`,
// `ref('x')`), `adapter`, `exceptions`. Attributes that are methods return callable Values.
class Object {
 public:
  virtual ~Object() = default;
  // The Python-ish type name used in messages ("'Relation' object has no attribute 'x'").
  virtual std::string_view type_name() const = 0;
  // The attribute `name`, or nullopt when it has none (the engine then yields an undefined that remembers why).
  virtual std::optional<Value> attribute(std::string_view name) const;
  // `obj[key]`; by default a string key reads the attribute of that name.
  virtual std::optional<Value> item(const Value& key) const;
  // `{% set obj.name = value %}`. Only namespace() objects accept it unless a host object says otherwise.
  virtual Status set_attribute(std::string_view name, Value value);
  // How `{{ obj }}` renders; by default "<type_name object>".
  virtual std::string str() const;
  // How the object shows inside a rendered list or dict; by default the same as str().
  virtual std::string repr() const { return str(); }
  virtual bool truthy() const { return true; }
  // True when `obj(...)` is allowed; call() then does the work.
  virtual bool is_callable() const { return false; }
  virtual Result<Value> call(CallContext& context);
  // The items `{% for x in obj %}` walks, or nullopt when the object is not iterable.
  virtual std::optional<std::vector<Value>> iterate() const { return std::nullopt; }
};

// An Object built from data: a type name, attributes (plain values or functions) and an optional string form. It is
// enough for most host objects: `this` with database/schema/identifier and a rendered name, `adapter` with methods.
class HostObject : public Object {
 public:
  explicit HostObject(std::string type_name, std::string str_form = {});
  HostObject& set(std::string_view name, Value value);
  HostObject& set_method(std::string_view name, NativeFunction function);
  std::string_view type_name() const override { return m_type_name; }
  std::optional<Value> attribute(std::string_view name) const override;
  std::string str() const override;

 private:
  std::string m_type_name;
  std::string m_str;
  std::shared_ptr<Dict> m_attributes;
};

class Value {
 public:
  // Undefined, with Jinja's default message when it is misused.
  Value() noexcept = default;
  Value(bool value) : m_data(value) {}                                  // NOLINT(google-explicit-constructor)
  Value(int value) : m_data(std::int64_t{value}) {}                     // NOLINT(google-explicit-constructor)
  Value(std::int64_t value) : m_data(value) {}                          // NOLINT(google-explicit-constructor)
  Value(long long value) : m_data(static_cast<std::int64_t>(value)) {}  // NOLINT(google-explicit-constructor)
  Value(unsigned value) : m_data(static_cast<std::int64_t>(value)) {}   // NOLINT(google-explicit-constructor)
  // Contract: value <= INT64_MAX.
  Value(unsigned long value) : m_data(static_cast<std::int64_t>(value)) {}  // NOLINT(google-explicit-constructor)
  Value(double value) : m_data(value) {}                                    // NOLINT(google-explicit-constructor)
  Value(std::string value);                                                 // NOLINT(google-explicit-constructor)
  Value(std::string_view value) : Value(std::string(value)) {}              // NOLINT(google-explicit-constructor)
  Value(const char* value) : Value(std::string(value)) {}                   // NOLINT(google-explicit-constructor)

  static Value none();
  // An undefined value; `reason` is the message an error reports when the value is used where that is not allowed
  // ("'foo' is undefined", "'dict object' has no attribute 'x'"); empty means "undefined".
  static Value undefined(std::string reason = {});
  static Value list(std::vector<Value> items = {});
  static Value tuple(std::vector<Value> items);
  static Value dict();
  static Value dict(std::initializer_list<std::pair<std::string_view, Value>> entries);
  static Value function(std::string name, NativeFunction function);
  static Value object(std::shared_ptr<Object> object);
  static Value from_callable(std::shared_ptr<const Callable> callable);

  ValueKind kind() const { return static_cast<ValueKind>(m_data.index()); }
  bool is_undefined() const { return kind() == ValueKind::undefined; }
  bool is_none() const { return kind() == ValueKind::none; }
  bool is_bool() const { return kind() == ValueKind::boolean; }
  bool is_int() const { return kind() == ValueKind::integer; }
  bool is_float() const { return kind() == ValueKind::floating; }
  // int, float or bool (Python's bool is an int).
  bool is_number() const;
  bool is_string() const { return kind() == ValueKind::string; }
  bool is_list() const { return kind() == ValueKind::list; }
  bool is_tuple() const;
  bool is_dict() const { return kind() == ValueKind::dict; }
  bool is_callable() const;
  bool is_object() const { return kind() == ValueKind::object; }

  // Accessors. Contract: the value is of that kind (as_int also takes bool; as_double takes any number).
  bool as_bool() const { return std::get<bool>(m_data); }
  std::int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const { return *std::get<StringPtr>(m_data); }
  List& as_list() const { return *std::get<ListPtr>(m_data); }
  const std::vector<Value>& items() const { return as_list().items; }
  Dict& as_dict() const { return *std::get<DictPtr>(m_data); }
  const Callable& as_callable() const { return *std::get<CallablePtr>(m_data); }
  const std::shared_ptr<const Callable>& callable_ptr() const { return std::get<CallablePtr>(m_data); }
  Object& as_object() const { return *std::get<ObjectPtr>(m_data); }
  const std::shared_ptr<Object>& object_ptr() const { return std::get<ObjectPtr>(m_data); }
  // The reason an undefined value is undefined ("'foo' is undefined"). Contract: is_undefined().
  std::string undefined_reason() const;

  // Python truthiness: undefined, None, False, 0, 0.0, "", [], {} are false.
  bool truthy() const;
  // Python's str(): what {{ value }} renders. Undefined is "", None is "None", lists render like Python's repr.
  std::string str() const;
  void append_str(std::string& out) const;
  // Python's repr(): strings quoted, as inside a rendered list.
  std::string repr() const;
  void append_repr(std::string& out) const;
  // Python's type name: 'str', 'int', 'float', 'bool', 'NoneType', 'list', 'tuple', 'dict', 'function'...
  std::string_view type_name() const;

  // Python's ==: numbers compare by value across int/float/bool, lists and dicts deeply, callables and objects by
  // identity, undefined equals undefined.
  friend bool operator==(const Value& a, const Value& b);

 private:
  // Why the value is undefined; null means plainly "undefined".
  struct UndefinedInfo {
    std::shared_ptr<const std::string> reason;
  };
  using StringPtr = std::shared_ptr<const std::string>;
  using ListPtr = std::shared_ptr<List>;
  using DictPtr = std::shared_ptr<Dict>;
  using CallablePtr = std::shared_ptr<const Callable>;
  using ObjectPtr = std::shared_ptr<Object>;
  // The order matches ValueKind.
  using Data = std::variant<UndefinedInfo, std::monostate, bool, std::int64_t, double, StringPtr, ListPtr, DictPtr,
                            CallablePtr, ObjectPtr>;

  template <typename T>
  explicit Value(std::in_place_type_t<T>, T data) : m_data(std::in_place_type<T>, std::move(data)) {}

  Data m_data;
};

// True for values usable as dict keys.
bool is_hashable(const Value& value);
// A hash consistent with ==. Contract: is_hashable(value).
std::size_t hash_value(const Value& value);

// Python's ordering for <, <=, >, >=: numbers, strings (by code point), lists and tuples lexicographically.
// Returns -1, 0 or 1; nullopt when the two cannot be ordered ("'<' not supported between 'str' and 'int'").
std::optional<int> compare_values(const Value& a, const Value& b);

// Python's repr() of a float: the shortest text that reads back the same number ("1.0", "0.1", "1e-05", "1e+16").
void append_float_repr(std::string& out, double value);

// JSON conversion: null -> None, integral numbers -> int, other numbers -> float; ordered_json keeps key order.
Value from_json(const nlohmann::json& json);
Value from_json(const nlohmann::ordered_json& json);
// Undefined, callables and objects become null (objects: their str()); nesting deeper than 256 is cut to null.
nlohmann::ordered_json to_json(const Value& value);

}  // namespace cowork::jinja
