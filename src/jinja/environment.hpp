// The Jinja engine's entry point: an Environment holds globals, filters, tests and macros (in namespaces, the way
// dbt keeps the root project's macros apart from each package's), renders templates with per-render variables, and
// calls macros by name. It implements the part of Jinja2 dbt projects use, with dbt's settings: a sandboxed
// environment with the `do` extension, Jinja's default Undefined, trim_blocks, lstrip_blocks and
// keep_trailing_newline off, no autoescaping. dbt's `return()` is built in.
//
// Used by the dbt compiler, which registers ref, source, config, var, this, target, adapter... as globals or
// per-render variables and loads every macro file of the project and its packages.
//
// Thread-safety: configure first (set_*, load_macros), then render from any number of threads at once; rendering
// only reads the environment. Values shared through globals must not be mutated by templates while others render.
// Errors never escape as exceptions: every failure is a Result whose message starts with file:line:column.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jinja/template.hpp"
#include "jinja/value.hpp"
#include "util/error.hpp"

namespace cowork::jinja {

class Environment;

namespace detail {
class Renderer;
struct Frame;
struct Access;
}  // namespace detail

// What happens when a template uses a name or attribute that does not exist.
enum class UndefinedMode : std::uint8_t {
  // Jinja's default Undefined (dbt's at run time): renders as "", is falsy and iterates as empty; an attribute or
  // item of it, calling it, or arithmetic on it is an error ("'foo' is undefined").
  lenient,
  // Jinja's ChainableUndefined: like lenient, but attributes and items of undefined are undefined too.
  chainable,
  // Jinja's StrictUndefined: rendering, iterating or testing the truth of undefined is an error as well.
  strict,
};

struct EnvironmentOptions {
  UndefinedMode undefined = UndefinedMode::lenient;
  // Macro calls nested deeper than this fail with "recursion too deep" instead of exhausting the stack.
  std::size_t max_call_depth = 200;
  // range() longer than this fails, as in Jinja's sandbox (MAX_RANGE).
  std::int64_t max_range = 100000;
  // A render whose output (or one string it builds) grows past this fails instead of exhausting memory.
  std::size_t max_output_bytes = std::size_t{256} << 20;
  ParseOptions parse;
};

struct SourceLocation {
  std::string_view file;  // valid while the call runs
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  // "models/x.sql:4:7"
  std::string str() const;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

// Per-render variables (dbt's node context: model, this, config...).
using Variables = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// What a native function sees: its arguments, where it was called from, and a way back into the engine (dbt's
// adapter.dispatch and materializations call macros by name). Valid only during the call.
class CallContext {
 public:
  // Positional arguments; for filters and tests the first is the value filtered or tested.
  std::span<const Value> args() const { return m_args; }
  const Kwargs& kwargs() const { return m_kwargs; }
  // The keyword argument `name`, or null.
  const Value* kwarg(std::string_view name) const;

  // Binds arguments to parameters the Python way: positionals in order, then keywords by name. The first
  // `required` parameters must be given; the others come back undefined when missing. Fails, naming the function,
  // on too many positionals, unknown keywords, a parameter given twice, or a missing required one.
  Status bind(std::span<const std::string_view> names, std::size_t required, std::span<Value> out) const;
  template <std::size_t N>
  Result<std::array<Value, N>> bind(const std::array<std::string_view, N>& names, std::size_t required = 0) const {
    std::array<Value, N> out;
    COWORK_TRY(bind(std::span<const std::string_view>(names), required, std::span<Value>(out)));
    return out;
  }

  // How messages name the callee: "range()", "filter 'join'", "test 'odd'", "str.split()", "adapter.dispatch()".
  std::string display_name() const;
  SourceLocation location() const;
  const Environment& environment() const;

  // The variable `name` as the template at the call site sees it (locals, macros, render variables, globals).
  Value lookup(std::string_view name) const;
  // The macro `name` ("pkg.name" or unqualified) resolved as at the call site: the calling macro's namespace
  // first, then the search order. Undefined when there is none.
  Value macro(std::string_view name) const;
  // Calls a callable value (a macro, a native function, `caller`) with the call site's render variables.
  Result<Value> call(const Value& callable, std::vector<Value> args = {}, Kwargs kwargs = {});
  // call(macro(name), ...), failing with "'name' is undefined" when there is no such macro.
  Result<Value> call_macro(std::string_view name, std::vector<Value> args = {}, Kwargs kwargs = {});

  // Whom the context calls: a function, a filter, a test or a method of a builtin type.
  enum class Kind : std::uint8_t { function, filter, test, method };

 private:
  friend class detail::Renderer;
  friend struct detail::Access;
  CallContext(detail::Renderer& renderer, const detail::Frame& frame, std::uint32_t line, std::uint32_t column,
              std::span<const Value> args, const Kwargs& kwargs, Kind kind, std::string_view name)
      : m_renderer(renderer),
        m_frame(frame),
        m_line(line),
        m_column(column),
        m_args(args),
        m_kwargs(kwargs),
        m_kind(kind),
        m_name(name) {}

  detail::Renderer& m_renderer;
  const detail::Frame& m_frame;
  std::uint32_t m_line;
  std::uint32_t m_column;
  std::span<const Value> m_args;
  const Kwargs& m_kwargs;
  Kind m_kind;
  std::string_view m_name;
};

// A registered macro, for listing.
struct MacroInfo {
  std::string name;            // as callable: my_macro, test_not_null, materialization_table_default
  std::string namespace_name;  // the project or package
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  BlockKind kind = BlockKind::macro;
};

class Environment {
 public:
  // Registers Jinja's builtin filters, tests and globals (range, dict, namespace, return...).
  explicit Environment(EnvironmentOptions options = {});
  ~Environment();
  Environment(Environment&&) noexcept;
  Environment& operator=(Environment&&) noexcept;
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  const EnvironmentOptions& options() const;

  // Globals are visible to every render, below macros and render variables (see render()).
  void set_global(std::string name, Value value);
  // set_global(name, Value::function(name, function)).
  void set_function(std::string name, NativeFunction function);
  // The global `name`, or null.
  const Value* global(std::string_view name) const;
  // Filters get the filtered value as args()[0]; tests too, and their result is taken for its truth. Registering
  // an existing name replaces it.
  void set_filter(std::string name, NativeFunction function);
  void set_test(std::string name, NativeFunction function);
  bool has_filter(std::string_view name) const;
  bool has_test(std::string_view name) const;

  // Parses `source` and registers each top-level {% macro %}, {% test %} (as test_<name>) and {% materialization %}
  // (as materialization_<name>_<adapter>) in `namespace_name`; other top-level content is ignored, as dbt ignores
  // it in macro files. Fails on a parse error or a name already defined in that namespace (naming both places).
  // Returns the names registered.
  Result<std::vector<std::string>> load_macros(std::string_view source, std::string file, std::string namespace_name);
  Result<std::vector<std::string>> add_macros(const Template& tpl, std::string namespace_name);
  // Unregisters every macro loaded from `file` (to reload it); returns how many.
  std::size_t remove_macros(std::string_view file);
  // The namespaces searched, in order, for an unqualified macro name (dbt: the root project, then dbt's own).
  // Until set, every namespace is searched in the order first loaded. A macro running in a namespace always looks
  // in its own namespace first. Every namespace is reachable qualified (`dbt_utils.star(...)`).
  void set_search_order(std::vector<std::string> namespaces);
  // "ns.name" or an unqualified name by the search order; undefined when absent.
  Value macro(std::string_view name) const;
  std::vector<MacroInfo> macros() const;

  // Renders `tpl`. A name resolves, first match wins: the template's own variables (set, loop, macro parameters,
  // macros it defines), then registered macros (own namespace, search order) and namespaces, then `variables`,
  // then globals; else it is undefined. Macros come before variables because dbt lets a project's macro override
  // a builtin such as ref.
  Result<std::string> render(const Template& tpl, const Variables& variables = {}) const;
  Result<std::string> render(std::string_view source, std::string name, const Variables& variables = {}) const;
  // Calls macro `name` ("ns.name" or unqualified) with `variables` as the render variables. Returns what the macro
  // passed to return(), or else its rendered output as a string.
  Result<Value> call_macro(std::string_view name, std::vector<Value> args = {}, Kwargs kwargs = {},
                           const Variables& variables = {}) const;
  // Calls any callable value outside a render.
  Result<Value> call(const Value& callable, std::vector<Value> args = {}, Kwargs kwargs = {},
                     const Variables& variables = {}) const;

  struct Impl;

 private:
  friend class detail::Renderer;
  friend struct detail::Access;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace cowork::jinja
