// The engine's internals shared by the renderer and the builtin filters, tests, methods and globals: the
// environment's tables, and the Python semantics of attribute access, iteration and operators. Internal.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jinja/detail/ast.hpp"
#include "jinja/environment.hpp"

namespace cowork::jinja {

struct MacroEntry {
  Value callable;
  MacroInfo info;
};

using ValueMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;
using FunctionMap = std::unordered_map<std::string, NativeFunction, StringHash, std::equal_to<>>;
using MacroMap = std::unordered_map<std::string, MacroEntry, StringHash, std::equal_to<>>;

struct Environment::Impl {
  EnvironmentOptions options;
  ValueMap globals;
  FunctionMap filters;
  FunctionMap tests;
  std::unordered_map<std::string, MacroMap, StringHash, std::equal_to<>> namespaces;
  std::vector<std::string> namespace_order;  // in the order first loaded
  std::vector<std::string> search_order;
  bool search_order_set = false;
  ValueMap unqualified;        // name -> macro, by the search order; rebuilt on change
  ValueMap namespace_objects;  // namespace name -> an object whose attributes are its macros

  void rebuild_unqualified();
  const MacroEntry* find_in(std::string_view ns, std::string_view name) const;
};

namespace detail {

// What the builtins may ask of the renderer through their CallContext.
struct Access {
  static const Environment::Impl& env(const CallContext& context);
  static UndefinedMode undefined_mode(const CallContext& context);
  // Jinja's environment.getattr / getitem, with the undefined rules of the environment.
  static Result<Value> get_attribute(CallContext& context, const Value& value, std::string_view name);
  static Result<Value> get_item(CallContext& context, const Value& value, const Value& key);
  // `a.b.0` as Jinja's attribute= arguments read it: each part an attribute, or an index when it is a number.
  static Result<Value> get_path(CallContext& context, const Value& value, std::string_view path);
  static Result<std::vector<Value>> iterate(CallContext& context, const Value& value);
  static Result<Value> call_filter(CallContext& context, std::string_view name, std::vector<Value> args,
                                   const Kwargs& kwargs);
  static Result<bool> call_test(CallContext& context, std::string_view name, std::vector<Value> args,
                                const Kwargs& kwargs);
  // dbt's return(): ends the innermost macro call with `value`.
  static Result<Value> signal_return(CallContext& context, Value value);
};

// Python's binary operators; errors carry no location (the renderer adds it).
Result<Value> binary_operation(ast::BinaryOp op, const Value& left, const Value& right, std::size_t max_bytes);
Result<bool> compare_operation(ast::CompareOp op, const Value& left, const Value& right);
// `needle in haystack`.
Result<bool> contains(const Value& haystack, const Value& needle);
// Python's sequence[start:stop:step] for lists, tuples and strings.
Result<Value> slice_value(const Value& value, const Value& start, const Value& stop, const Value& step);
// "int object", "dict object", "None": how Jinja names a value's type in "has no attribute" messages.
std::string object_type_repr(const Value& value);

// Builtin methods of str, list and dict. `has_method` is cheap; call_method returns nullopt for an unknown one.
bool has_method(const Value& self, std::string_view name);
// The qualified display name ("str.split") of a method, for messages; contract: has_method(self, name).
std::string_view method_display_name(const Value& self, std::string_view name);
Result<Value> call_method(const Value& self, std::string_view name, CallContext& context);

void register_filters(Environment::Impl& env);
void register_tests(Environment::Impl& env);
void register_globals(Environment::Impl& env);

// Jinja's tojson (sorted keys, HTML-safe) and Python's json.dumps formatting.
Result<std::string> dump_json(const Value& value, std::optional<std::int64_t> indent, bool sort_keys, bool html_safe);

}  // namespace detail
}  // namespace cowork::jinja
