#include "jinja/detail/renderer.hpp"

#include <algorithm>

#include "jinja/detail/text.hpp"

namespace cowork::jinja::detail {
namespace {

using namespace ast;

// A pending return() travels up as this error until the macro call that owns it takes the value.
constexpr std::string_view k_return_signal = "\x01return";
// An error's call chain stops growing after this many "in macro" lines.
constexpr std::size_t k_max_trace_lines = 8;

// `loop` inside a for loop.
class LoopObject : public Object {
 public:
  std::shared_ptr<const std::vector<Value>> items;
  std::size_t index = 0;
  std::size_t depth0 = 0;
  Renderer* renderer = nullptr;
  std::weak_ptr<int> alive;
  const For* node = nullptr;
  Frame frame;  // where the loop statement runs, for recursive calls
  std::weak_ptr<LoopObject> self;
  bool has_changed_value = false;
  Value changed_value;

  std::string_view type_name() const override { return "LoopContext"; }
  std::string str() const override { return fmt::format("<LoopContext {}/{}>", index + 1, items ? items->size() : 0); }
  bool is_callable() const override { return true; }

  std::optional<Value> attribute(std::string_view name) const override {
    const auto n = static_cast<std::int64_t>(items->size());
    const auto i = static_cast<std::int64_t>(index);
    if (name == "index") return Value(i + 1);
    if (name == "index0") return Value(i);
    if (name == "revindex") return Value(n - i);
    if (name == "revindex0") return Value(n - i - 1);
    if (name == "first") return Value(i == 0);
    if (name == "last") return Value(i == n - 1);
    if (name == "length") return Value(n);
    if (name == "depth") return Value(static_cast<std::int64_t>(depth0) + 1);
    if (name == "depth0") return Value(static_cast<std::int64_t>(depth0));
    if (name == "previtem") return i > 0 ? (*items)[index - 1] : Value::undefined("there is no previous item");
    if (name == "nextitem") return i + 1 < n ? (*items)[index + 1] : Value::undefined("there is no next item");
    if (name == "cycle") {
      const std::size_t at = index;
      return Value::function("loop.cycle", [at](CallContext& context) -> Result<Value> {
        if (context.args().empty()) return make_error(ErrorCode::invalid_argument, "no items for cycling given");
        return context.args()[at % context.args().size()];
      });
    }
    if (name == "changed") {
      std::weak_ptr<LoopObject> weak = self;
      return Value::function("loop.changed", [weak](CallContext& context) -> Result<Value> {
        auto loop = weak.lock();
        if (!loop) return Value(false);
        Value current = Value::tuple(std::vector<Value>(context.args().begin(), context.args().end()));
        if (loop->has_changed_value && loop->changed_value == current) return Value(false);
        loop->has_changed_value = true;
        loop->changed_value = std::move(current);
        return Value(true);
      });
    }
    return std::nullopt;
  }

  Result<Value> call(CallContext& context) override {
    if (!node || !node->recursive)
      return make_error(ErrorCode::invalid_argument,
                        "tried to call a loop that is not recursive (add 'recursive' to the for tag)");
    if (alive.expired()) return make_error(ErrorCode::invalid_argument, "the loop has ended");
    if (context.args().size() != 1)
      return make_error(ErrorCode::invalid_argument, "loop() takes exactly 1 argument, {} given",
                        context.args().size());
    COWORK_ASSIGN_OR_RETURN(std::string text,
                            renderer->run_recursive_loop(*node, frame, context.args()[0], depth0 + 1));
    return Value(std::move(text));
  }
};

// `dbt_utils` as a value: its attributes are the namespace's macros.
class MacroNamespaceObject : public Object {
 public:
  MacroNamespaceObject(const Environment::Impl& env, std::string name) : m_env(env), m_name(std::move(name)) {}
  std::string_view type_name() const override { return "MacroNamespace"; }
  std::string str() const override { return fmt::format("<MacroNamespace '{}'>", m_name); }
  std::optional<Value> attribute(std::string_view name) const override {
    if (const MacroEntry* entry = m_env.find_in(m_name, name)) return entry->callable;
    return std::nullopt;
  }

 private:
  const Environment::Impl& m_env;
  std::string m_name;
};

bool is_located(std::string_view message, std::string_view located) {
  return !located.empty() && message == located;
}

std::size_t count_trace_lines(std::string_view message) {
  return static_cast<std::size_t>(std::count(message.begin(), message.end(), '\n'));
}

}  // namespace

}  // namespace cowork::jinja::detail

namespace cowork::jinja {

// ---- Environment::Impl pieces that need the object types above ----

void Environment::Impl::rebuild_unqualified() {
  unqualified.clear();
  const std::vector<std::string>& order = search_order_set ? search_order : namespace_order;
  for (const auto& ns : order) {
    auto it = namespaces.find(ns);
    if (it == namespaces.end()) continue;
    for (const auto& [name, entry] : it->second) unqualified.try_emplace(name, entry.callable);
  }
  namespace_objects.clear();
  for (const auto& ns : namespace_order)
    namespace_objects.emplace(ns, Value::object(std::make_shared<detail::MacroNamespaceObject>(*this, ns)));
}

const MacroEntry* Environment::Impl::find_in(std::string_view ns, std::string_view name) const {
  auto it = namespaces.find(ns);
  if (it == namespaces.end()) return nullptr;
  auto entry = it->second.find(name);
  return entry == it->second.end() ? nullptr : &entry->second;
}

}  // namespace cowork::jinja

namespace cowork::jinja::detail {

// ---- Renderer ----

Renderer::Renderer(const Environment& owner, const Variables& variables)
    : m_owner(owner), m_env(*owner.m_impl), m_variables(variables), m_alive(std::make_shared<int>(0)) {}

Renderer::~Renderer() = default;

std::string Renderer::where(const Frame& frame, Pos pos) const {
  if (!frame.tpl) return m_api_site;
  return fmt::format("{}:{}:{}", (*frame.tpl)->name, pos.line, pos.column);
}

Error Renderer::locate(const Frame& frame, Pos pos, Error error) {
  if (m_returning || is_located(error.message, m_located)) return error;
  error.message = fmt::format("{}: {}", where(frame, pos), error.message);
  m_located = error.message;
  return error;
}

Status Renderer::check_output(const Frame& frame, Pos pos, const std::string& out) {
  if (out.size() <= m_env.options.max_output_bytes) return {};
  return std::unexpected(locate(frame, pos,
                                Error{ErrorCode::invalid_argument, fmt::format("the output is larger than {} bytes",
                                                                               m_env.options.max_output_bytes)}));
}

Result<std::string> Renderer::render(const Template& tpl) {
  Frame frame;
  frame.tpl = &tpl.data();
  frame.scope = std::make_shared<Scope>(nullptr);
  std::string out;
  out.reserve(tpl.data()->source.size() + 256);
  auto status = exec_body(tpl.data()->body, frame, out);
  if (!status) return std::unexpected(std::move(status).error());
  return out;
}

Result<Value> Renderer::call_from_api(const Value& callable, std::vector<Value> args, Kwargs kwargs, std::string site) {
  m_api_site = std::move(site);
  Frame frame;
  frame.scope = std::make_shared<Scope>(nullptr);
  auto result = call_value(frame, Pos{}, callable, std::move(args), std::move(kwargs));
  if (!result && m_returning) {
    m_returning = false;
    return make_error(ErrorCode::invalid_argument, "{}: return() called outside of a macro", m_api_site);
  }
  return result;
}

Value Renderer::find_macro(const Frame& frame, std::string_view name) const {
  const auto dot = name.find('.');
  if (dot != std::string_view::npos) {
    if (const MacroEntry* entry = m_env.find_in(name.substr(0, dot), name.substr(dot + 1))) return entry->callable;
    return Value::undefined(fmt::format("'{}' is undefined", name));
  }
  if (frame.ns && !frame.ns->empty())
    if (const MacroEntry* entry = m_env.find_in(*frame.ns, name)) return entry->callable;
  if (auto it = m_env.unqualified.find(name); it != m_env.unqualified.end()) return it->second;
  return Value::undefined(fmt::format("'{}' is undefined", name));
}

Value Renderer::lookup(const Frame& frame, std::string_view name) const {
  for (Scope* scope = frame.scope.get(); scope; scope = scope->parent.get())
    if (Value* value = scope->find(name)) return *value;
  if (frame.ns && !frame.ns->empty())
    if (const MacroEntry* entry = m_env.find_in(*frame.ns, name)) return entry->callable;
  if (auto it = m_env.unqualified.find(name); it != m_env.unqualified.end()) return it->second;
  if (auto it = m_env.namespace_objects.find(name); it != m_env.namespace_objects.end()) return it->second;
  if (auto it = m_variables.find(name); it != m_variables.end()) return it->second;
  if (auto it = m_env.globals.find(name); it != m_env.globals.end()) return it->second;
  return Value::undefined(fmt::format("'{}' is undefined", name));
}

// ---- attribute, item, iteration ----

Result<Value> Renderer::attribute(const Value& value, std::string_view name) const {
  switch (value.kind()) {
    case ValueKind::undefined:
      if (m_env.options.undefined == UndefinedMode::chainable) return value;
      return make_error(ErrorCode::invalid_argument, "{}", value.undefined_reason());
    case ValueKind::dict:
      if (has_method(value, name)) break;
      if (const Value* found = value.as_dict().find(name)) return *found;
      return Value::undefined(fmt::format("'dict object' has no attribute '{}'", name));
    case ValueKind::object:
      if (auto found = value.as_object().attribute(name)) return std::move(*found);
      return Value::undefined(fmt::format("'{}' has no attribute '{}'", object_type_repr(value), name));
    case ValueKind::callable: {
      const Callable& callable = value.as_callable();
      if (name == "name") return Value(callable.name);
      if (callable.macro && callable.macro->signature) {
        const auto& signature = *callable.macro->signature;
        if (name == "arguments") {
          std::vector<Value> names;
          for (const auto& param : signature.params) names.emplace_back(param.name);
          return Value::tuple(std::move(names));
        }
        if (name == "catch_kwargs") return Value(signature.uses_kwargs);
        if (name == "catch_varargs") return Value(signature.uses_varargs);
        if (name == "caller") return Value(signature.uses_caller);
      }
      return Value::undefined(fmt::format("'{}' has no attribute '{}'", object_type_repr(value), name));
    }
    default:
      break;
  }
  if (has_method(value, name)) {
    Value self = value;
    const std::string method(name);
    const std::string display(method_display_name(value, name));
    return Value::function(display,
                           [self, method](CallContext& context) { return call_method(self, method, context); });
  }
  return Value::undefined(fmt::format("'{}' has no attribute '{}'", object_type_repr(value), name));
}

Result<Value> Renderer::item(const Value& value, const Value& key) const {
  auto missing = [&]() -> Value {
    if (key.is_string())
      return Value::undefined(fmt::format("'{}' has no attribute '{}'", object_type_repr(value), key.as_string()));
    return Value::undefined(fmt::format("{} has no element {}", object_type_repr(value), key.repr()));
  };
  switch (value.kind()) {
    case ValueKind::undefined:
      if (m_env.options.undefined == UndefinedMode::chainable) return value;
      return make_error(ErrorCode::invalid_argument, "{}", value.undefined_reason());
    case ValueKind::list:
    case ValueKind::string: {
      if (key.is_int() || key.is_bool()) {
        std::int64_t index = key.as_int();
        if (value.is_list()) {
          const auto size = static_cast<std::int64_t>(value.items().size());
          if (index < 0) index += size;
          if (index < 0 || index >= size) return missing();
          return value.items()[static_cast<std::size_t>(index)];
        }
        const std::string& text = value.as_string();
        if (is_ascii(text)) {
          const auto size = static_cast<std::int64_t>(text.size());
          if (index < 0) index += size;
          if (index < 0 || index >= size) return missing();
          return Value(std::string(1, text[static_cast<std::size_t>(index)]));
        }
        const auto cps = code_points(text);
        const auto size = static_cast<std::int64_t>(cps.size());
        if (index < 0) index += size;
        if (index < 0 || index >= size) return missing();
        return Value(cps[static_cast<std::size_t>(index)]);
      }
      if (key.is_string()) return attribute(value, key.as_string());
      return missing();
    }
    case ValueKind::dict: {
      if (!is_hashable(key)) return make_error(ErrorCode::invalid_argument, "unhashable type: '{}'", key.type_name());
      if (const Value* found = value.as_dict().find(key)) return *found;
      if (key.is_string() && has_method(value, key.as_string())) return attribute(value, key.as_string());
      return missing();
    }
    case ValueKind::object:
      if (auto found = value.as_object().item(key)) return std::move(*found);
      return missing();
    default:
      if (key.is_string()) return attribute(value, key.as_string());
      return missing();
  }
}

Result<std::vector<Value>> Renderer::iterate(const Value& value) const {
  switch (value.kind()) {
    case ValueKind::list:
      return value.items();
    case ValueKind::dict: {
      std::vector<Value> keys;
      keys.reserve(value.as_dict().size());
      for (const auto& entry : value.as_dict().entries()) keys.push_back(entry.first);
      return keys;
    }
    case ValueKind::string: {
      std::vector<Value> chars;
      for (std::string_view cp : code_points(value.as_string())) chars.emplace_back(cp);
      return chars;
    }
    case ValueKind::undefined:
      if (m_env.options.undefined == UndefinedMode::strict)
        return make_error(ErrorCode::invalid_argument, "{}", value.undefined_reason());
      return std::vector<Value>{};
    case ValueKind::object:
      if (auto items = value.as_object().iterate()) return std::move(*items);
      break;
    default:
      break;
  }
  return make_error(ErrorCode::invalid_argument, "'{}' object is not iterable", value.type_name());
}

// ---- calls ----

Result<Value> Renderer::call_filter(const Frame& frame, Pos pos, std::string_view name, std::vector<Value> args,
                                    const Kwargs& kwargs) {
  auto it = m_env.filters.find(name);
  if (it == m_env.filters.end()) return make_error(ErrorCode::invalid_argument, "no filter named '{}'", name);
  CallContext context(*this, frame, pos.line, pos.column, args, kwargs, CallContext::Kind::filter, it->first);
  return it->second(context);
}

Result<bool> Renderer::call_test(const Frame& frame, Pos pos, std::string_view name, std::vector<Value> args,
                                 const Kwargs& kwargs) {
  auto it = m_env.tests.find(name);
  if (it == m_env.tests.end()) return make_error(ErrorCode::invalid_argument, "no test named '{}'", name);
  CallContext context(*this, frame, pos.line, pos.column, args, kwargs, CallContext::Kind::test, it->first);
  COWORK_ASSIGN_OR_RETURN(Value result, it->second(context));
  return result.truthy();
}

Result<Value> Renderer::signal_return(const Frame&, Pos, Value value) {
  if (m_macro_depth == 0) return make_error(ErrorCode::invalid_argument, "return() called outside of a macro");
  m_returning = true;
  m_return_value = std::move(value);
  return std::unexpected(Error{ErrorCode::internal, std::string(k_return_signal)});
}

Result<Value> Renderer::call_value(const Frame& frame, Pos pos, const Value& callee, std::vector<Value> args,
                                   Kwargs kwargs) {
  switch (callee.kind()) {
    case ValueKind::callable: {
      const Callable& callable = callee.as_callable();
      if (callable.macro) return invoke_macro(frame, pos, callable, std::move(args), std::move(kwargs));
      CallContext context(*this, frame, pos.line, pos.column, args, kwargs, CallContext::Kind::function, callable.name);
      auto result = callable.native(context);
      if (!result) return std::unexpected(locate(frame, pos, std::move(result).error()));
      return result;
    }
    case ValueKind::object: {
      Object& object = callee.as_object();
      CallContext context(*this, frame, pos.line, pos.column, args, kwargs, CallContext::Kind::function,
                          object.type_name());
      auto result = object.call(context);
      if (!result) return std::unexpected(locate(frame, pos, std::move(result).error()));
      return result;
    }
    case ValueKind::undefined:
      return std::unexpected(locate(frame, pos, Error{ErrorCode::invalid_argument, callee.undefined_reason()}));
    default:
      return std::unexpected(
          locate(frame, pos,
                 Error{ErrorCode::invalid_argument, fmt::format("'{}' object is not callable", callee.type_name())}));
  }
}

Result<Value> Renderer::invoke_macro(const Frame& frame, Pos pos, const Callable& callable, std::vector<Value> args,
                                     Kwargs kwargs) {
  const Macro& macro = *callable.macro;
  const MacroSignature& signature = *macro.signature;
  auto fail = [&](std::string message) {
    return std::unexpected(locate(frame, pos, Error{ErrorCode::invalid_argument, std::move(message)}));
  };
  const std::string_view what = macro.is_caller ? "caller" : "macro";
  if (m_depth >= m_env.options.max_call_depth)
    return fail(fmt::format("recursion too deep: more than {} nested macro calls (calling {} '{}')",
                            m_env.options.max_call_depth, what, callable.name));

  std::shared_ptr<Scope> parent;
  if (macro.has_closure) parent = macro.closure.lock();
  auto scope = std::make_shared<Scope>(std::move(parent));
  const std::size_t count = signature.params.size();
  std::vector<Value> bound(count);
  std::vector<bool> given(count, false);
  for (std::size_t i = 0; i < args.size() && i < count; ++i) {
    bound[i] = std::move(args[i]);
    given[i] = true;
  }
  if (args.size() > count && !signature.uses_varargs) {
    if (count == 0) return fail(fmt::format("{} '{}' takes no arguments, {} given", what, callable.name, args.size()));
    return fail(fmt::format("{} '{}' takes at most {} argument{}, {} given", what, callable.name, count,
                            count == 1 ? "" : "s", args.size()));
  }
  Value extra_kwargs = signature.uses_kwargs ? Value::dict() : Value();
  Value caller = Value::undefined("no caller was passed to the macro (use a {% call %} block)");
  for (auto& [name, value] : kwargs) {
    bool matched = false;
    for (std::size_t i = 0; i < count; ++i) {
      if (signature.params[i].name != name) continue;
      if (given[i])
        return fail(fmt::format("{} '{}' got multiple values for argument '{}'", what, callable.name, name));
      bound[i] = std::move(value);
      given[i] = true;
      matched = true;
      break;
    }
    if (matched) continue;
    if (name == "caller" && signature.uses_caller) {
      caller = std::move(value);
      continue;
    }
    if (signature.uses_kwargs) {
      extra_kwargs.as_dict().set(name, std::move(value));
      continue;
    }
    return fail(fmt::format("{} '{}' has no argument named '{}'", what, callable.name, name));
  }

  Frame inner;
  inner.tpl = &macro.tpl;
  inner.scope = scope;
  inner.ns = macro.ns.empty() ? nullptr : &macro.ns;
  if (macro.is_caller) inner.ns = macro.ns.empty() ? nullptr : &macro.ns;

  ++m_depth;
  if (!macro.is_caller) ++m_macro_depth;
  struct DepthGuard {
    Renderer& renderer;
    bool macro;
    ~DepthGuard() {
      --renderer.m_depth;
      if (macro) --renderer.m_macro_depth;
    }
  } guard{*this, !macro.is_caller};

  // Defaults are evaluated at call time, in the macro's scope, where earlier parameters are already visible.
  for (std::size_t i = 0; i < count; ++i) {
    const Parameter& param = signature.params[i];
    if (!given[i]) {
      if (param.default_value) {
        COWORK_ASSIGN_OR_RETURN(bound[i], eval(*param.default_value, inner));
      } else {
        bound[i] = Value::undefined(fmt::format("parameter '{}' was not provided", param.name));
      }
    }
    scope->set(param.name, std::move(bound[i]));
  }
  if (signature.uses_varargs) {
    std::vector<Value> rest;
    for (std::size_t i = count; i < args.size(); ++i) rest.push_back(std::move(args[i]));
    scope->set("varargs", Value::tuple(std::move(rest)));
  }
  if (signature.uses_kwargs) scope->set("kwargs", std::move(extra_kwargs));
  if (signature.uses_caller) scope->set("caller", std::move(caller));

  std::string out;
  auto status = exec_body(signature.body, inner, out);
  if (!status) {
    Error error = std::move(status).error();
    if (m_returning) {
      if (macro.is_caller) return std::unexpected(std::move(error));
      m_returning = false;
      return std::move(m_return_value);
    }
    if (!macro.is_caller)
      add_trace_line(error, fmt::format("\n  in macro '{}' called at {}", callable.name, where(frame, pos)));
    return std::unexpected(std::move(error));
  }
  return Value(std::move(out));
}

void Renderer::add_trace_line(Error& error, std::string line) {
  if (line == m_trace_line && error.message.size() >= m_trace_offset) {
    // A recursion repeats one call site; count it instead of listing it again.
    ++m_trace_count;
    error.message.resize(m_trace_offset);
    error.message += fmt::format("{} ({} times)", line, m_trace_count);
  } else {
    const std::size_t lines = count_trace_lines(error.message);
    m_trace_offset = error.message.size();
    m_trace_count = 1;
    if (lines < k_max_trace_lines)
      error.message += line;
    else if (lines == k_max_trace_lines)
      error.message += "\n  ...";
    m_trace_line = std::move(line);
  }
  m_located = error.message;
}

// ---- statements ----

Status Renderer::exec_body(const Body& body, const Frame& frame, std::string& out) {
  for (const auto& stmt : body) COWORK_TRY(exec(*stmt, frame, out));
  return {};
}

Result<bool> Renderer::truth(const Value& value, const Frame& frame, Pos pos) {
  if (value.is_undefined() && m_env.options.undefined == UndefinedMode::strict)
    return std::unexpected(locate(frame, pos, Error{ErrorCode::invalid_argument, value.undefined_reason()}));
  return value.truthy();
}

Status Renderer::exec(const Stmt& stmt, const Frame& frame, std::string& out) {
  switch (stmt.kind) {
    case StmtKind::text:
      out += static_cast<const Text&>(stmt).text;
      return check_output(frame, stmt.pos, out);
    case StmtKind::output: {
      const auto& node = static_cast<const Output&>(stmt);
      COWORK_ASSIGN_OR_RETURN(Value value, eval(*node.expr, frame));
      if (value.is_undefined() && m_env.options.undefined == UndefinedMode::strict)
        return std::unexpected(
            locate(frame, node.expr->pos, Error{ErrorCode::invalid_argument, value.undefined_reason()}));
      value.append_str(out);
      return check_output(frame, stmt.pos, out);
    }
    case StmtKind::if_: {
      const auto& node = static_cast<const If&>(stmt);
      for (const auto& [test, body] : node.branches) {
        COWORK_ASSIGN_OR_RETURN(Value value, eval(*test, frame));
        COWORK_ASSIGN_OR_RETURN(bool ok, truth(value, frame, test->pos));
        if (ok) return exec_body(body, frame, out);
      }
      return exec_body(node.otherwise, frame, out);
    }
    case StmtKind::for_: {
      const auto& node = static_cast<const For&>(stmt);
      COWORK_ASSIGN_OR_RETURN(Value iterable, eval(*node.iterable, frame));
      return exec_for(node, frame, iterable, 0, out);
    }
    case StmtKind::set: {
      const auto& node = static_cast<const Set&>(stmt);
      COWORK_ASSIGN_OR_RETURN(Value value, eval(*node.value, frame));
      return assign(node.target, std::move(value), frame);
    }
    case StmtKind::set_block: {
      const auto& node = static_cast<const SetBlock&>(stmt);
      Frame inner = frame;
      inner.scope = std::make_shared<Scope>(frame.scope);
      std::string captured;
      COWORK_TRY(exec_body(node.body, inner, captured));
      Value value(std::move(captured));
      if (node.filter) {
        COWORK_ASSIGN_OR_RETURN(value, apply_filter_chain(*node.filter, std::move(value), frame));
      }
      return assign(node.target, std::move(value), frame);
    }
    case StmtKind::macro: {
      const auto& node = static_cast<const MacroDef&>(stmt);
      auto macro = std::make_shared<Macro>();
      macro->signature = &node.signature;
      macro->tpl = *frame.tpl;
      macro->closure = frame.scope;
      macro->has_closure = true;
      if (frame.ns) macro->ns = *frame.ns;
      auto callable = std::make_shared<Callable>();
      callable->name = node.signature.name;
      callable->macro = std::move(macro);
      frame.scope->set(node.signature.name, Value::from_callable(std::move(callable)));
      return {};
    }
    case StmtKind::call_block:
      return exec_call_block(static_cast<const CallBlock&>(stmt), frame, out);
    case StmtKind::do_: {
      const auto& node = static_cast<const Do&>(stmt);
      COWORK_ASSIGN_OR_RETURN(Value ignored, eval(*node.expr, frame));
      return {};
    }
    case StmtKind::filter_block: {
      const auto& node = static_cast<const FilterBlock&>(stmt);
      Frame inner = frame;
      inner.scope = std::make_shared<Scope>(frame.scope);
      std::string captured;
      COWORK_TRY(exec_body(node.body, inner, captured));
      COWORK_ASSIGN_OR_RETURN(Value value, apply_filter_chain(*node.filter, Value(std::move(captured)), frame));
      value.append_str(out);
      return check_output(frame, stmt.pos, out);
    }
    case StmtKind::with: {
      const auto& node = static_cast<const With&>(stmt);
      std::vector<Value> values;
      for (const auto& [target, expr] : node.assignments) {
        COWORK_ASSIGN_OR_RETURN(Value value, eval(*expr, frame));
        values.push_back(std::move(value));
      }
      Frame inner = frame;
      inner.scope = std::make_shared<Scope>(frame.scope);
      for (std::size_t i = 0; i < values.size(); ++i)
        COWORK_TRY(assign(node.assignments[i].first, std::move(values[i]), inner));
      return exec_body(node.body, inner, out);
    }
    case StmtKind::scope_block: {
      Frame inner = frame;
      inner.scope = std::make_shared<Scope>(frame.scope);
      return exec_body(static_cast<const ScopeBlock&>(stmt).body, inner, out);
    }
  }
  return {};
}

Result<std::string> Renderer::run_recursive_loop(const For& node, const Frame& frame, const Value& iterable,
                                                 std::size_t depth0) {
  if (m_depth >= m_env.options.max_call_depth)
    return make_error(ErrorCode::invalid_argument, "recursion too deep: more than {} nested loop() calls",
                      m_env.options.max_call_depth);
  ++m_depth;
  std::string out;
  auto status = exec_for(node, frame, iterable, depth0, out);
  --m_depth;
  if (!status) return std::unexpected(std::move(status).error());
  return out;
}

Status Renderer::exec_for(const For& node, const Frame& frame, const Value& iterable, std::size_t depth0,
                          std::string& out) {
  if (iterable.is_undefined() && m_env.options.undefined == UndefinedMode::strict)
    return std::unexpected(
        locate(frame, node.iterable->pos, Error{ErrorCode::invalid_argument, iterable.undefined_reason()}));
  auto listed = iterate(iterable);
  if (!listed) return std::unexpected(locate(frame, node.iterable->pos, std::move(listed).error()));
  std::vector<Value> items = std::move(*listed);
  if (node.condition) {
    std::vector<Value> kept;
    for (auto& item : items) {
      Frame probe = frame;
      probe.scope = std::make_shared<Scope>(frame.scope);
      COWORK_TRY(assign(node.target, item, probe));
      COWORK_ASSIGN_OR_RETURN(Value test, eval(*node.condition, probe));
      COWORK_ASSIGN_OR_RETURN(bool ok, truth(test, probe, node.condition->pos));
      if (ok) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    if (node.otherwise.empty()) return {};
    Frame inner = frame;
    inner.scope = std::make_shared<Scope>(frame.scope);
    return exec_body(node.otherwise, inner, out);
  }
  auto loop = std::make_shared<LoopObject>();
  loop->items = std::make_shared<const std::vector<Value>>(std::move(items));
  loop->depth0 = depth0;
  loop->renderer = this;
  loop->alive = m_alive;
  loop->node = &node;
  loop->frame = frame;
  loop->self = loop;
  const Value loop_value = Value::object(loop);
  std::shared_ptr<Scope> scope;
  const std::size_t count = loop->items->size();
  for (std::size_t i = 0; i < count; ++i) {
    loop->index = i;
    // Each iteration gets a fresh scope, so a set inside the loop neither leaks out nor survives to the next
    // iteration; the scope is reused when nothing (a macro defined in the body) kept it.
    if (scope && scope.use_count() == 1)
      scope->vars.clear();
    else
      scope = std::make_shared<Scope>(frame.scope);
    scope->set("loop", loop_value);
    Frame inner = frame;
    inner.scope = scope;
    COWORK_TRY(assign(node.target, (*loop->items)[i], inner));
    COWORK_TRY(exec_body(node.body, inner, out));
  }
  return {};
}

Status Renderer::exec_call_block(const CallBlock& node, const Frame& frame, std::string& out) {
  auto macro = std::make_shared<Macro>();
  macro->signature = &node.caller;
  macro->tpl = *frame.tpl;
  macro->closure = frame.scope;
  macro->has_closure = true;
  macro->is_caller = true;
  if (frame.ns) macro->ns = *frame.ns;
  auto callable = std::make_shared<Callable>();
  callable->name = "caller";
  callable->macro = std::move(macro);
  const Value caller = Value::from_callable(std::move(callable));
  COWORK_ASSIGN_OR_RETURN(Value result, eval_call(static_cast<const Call&>(*node.call), frame, &caller));
  result.append_str(out);
  return check_output(frame, node.pos, out);
}

Status Renderer::assign(const Target& target, Value value, const Frame& frame) {
  switch (target.kind) {
    case Target::Kind::name:
      frame.scope->set(target.name, std::move(value));
      return {};
    case Target::Kind::attribute: {
      Value object = lookup(frame, target.name);
      if (!object.is_object())
        return std::unexpected(locate(frame, target.pos,
                                      Error{ErrorCode::invalid_argument,
                                            fmt::format("cannot assign attribute '{}' on '{}': it is not a namespace()",
                                                        target.attribute, target.name)}));
      auto status = object.as_object().set_attribute(target.attribute, std::move(value));
      if (!status) return std::unexpected(locate(frame, target.pos, std::move(status).error()));
      return {};
    }
    case Target::Kind::tuple: {
      auto listed = iterate(value);
      if (!listed || value.is_undefined()) {
        return std::unexpected(locate(frame, target.pos,
                                      Error{ErrorCode::invalid_argument,
                                            fmt::format("cannot unpack a non-iterable {} object", value.type_name())}));
      }
      const std::size_t expected = target.items.size();
      if (listed->size() < expected)
        return std::unexpected(
            locate(frame, target.pos,
                   Error{ErrorCode::invalid_argument,
                         fmt::format("not enough values to unpack (expected {}, got {})", expected, listed->size())}));
      if (listed->size() > expected)
        return std::unexpected(locate(
            frame, target.pos,
            Error{ErrorCode::invalid_argument, fmt::format("too many values to unpack (expected {})", expected)}));
      for (std::size_t i = 0; i < expected; ++i) COWORK_TRY(assign(target.items[i], std::move((*listed)[i]), frame));
      return {};
    }
  }
  return {};
}

Result<Value> Renderer::apply_filter_chain(const Expr& expr, Value value, const Frame& frame) {
  const auto& filter = static_cast<const Filter&>(expr);
  if (filter.value) {
    COWORK_ASSIGN_OR_RETURN(value, apply_filter_chain(*filter.value, std::move(value), frame));
  }
  std::vector<Value> args;
  Kwargs kwargs;
  args.push_back(std::move(value));
  COWORK_TRY(eval_arguments(filter.args, frame, args, kwargs));
  auto result = call_filter(frame, filter.pos, filter.name, std::move(args), kwargs);
  if (!result) return std::unexpected(locate(frame, filter.pos, std::move(result).error()));
  return result;
}

// ---- expressions ----

Status Renderer::eval_arguments(const Arguments& args, const Frame& frame, std::vector<Value>& positional,
                                Kwargs& keyword) {
  positional.reserve(positional.size() + args.positional.size());
  for (const auto& arg : args.positional) {
    COWORK_ASSIGN_OR_RETURN(Value value, eval(*arg, frame));
    positional.push_back(std::move(value));
  }
  keyword.reserve(args.keyword.size());
  for (const auto& [name, arg] : args.keyword) {
    COWORK_ASSIGN_OR_RETURN(Value value, eval(*arg, frame));
    keyword.emplace_back(name, std::move(value));
  }
  return {};
}

Result<Value> Renderer::eval_call(const Call& call, const Frame& frame, const Value* caller) {
  Value callee;
  if (call.callee->kind == ExprKind::attribute) {
    const auto& attr = static_cast<const Attribute&>(*call.callee);
    COWORK_ASSIGN_OR_RETURN(Value object, eval(*attr.object, frame));
    // Methods of str, list and dict run directly, without making a bound method first.
    if ((object.is_string() || object.is_list() || object.is_dict()) && has_method(object, attr.name) && !caller) {
      std::vector<Value> args;
      Kwargs kwargs;
      COWORK_TRY(eval_arguments(call.args, frame, args, kwargs));
      CallContext context(*this, frame, call.pos.line, call.pos.column, args, kwargs, CallContext::Kind::method,
                          method_display_name(object, attr.name));
      auto result = call_method(object, attr.name, context);
      if (!result) return std::unexpected(locate(frame, attr.pos, std::move(result).error()));
      return result;
    }
    auto found = attribute(object, attr.name);
    if (!found) return std::unexpected(locate(frame, attr.pos, std::move(found).error()));
    callee = std::move(*found);
  } else {
    COWORK_ASSIGN_OR_RETURN(callee, eval(*call.callee, frame));
  }
  std::vector<Value> args;
  Kwargs kwargs;
  COWORK_TRY(eval_arguments(call.args, frame, args, kwargs));
  if (caller) kwargs.emplace_back("caller", *caller);
  return call_value(frame, call.pos, callee, std::move(args), std::move(kwargs));
}

Result<Value> Renderer::eval(const Expr& expr, const Frame& frame) {
  auto located = [&](Pos pos, Result<Value> result) -> Result<Value> {
    if (!result) return std::unexpected(locate(frame, pos, std::move(result).error()));
    return result;
  };
  switch (expr.kind) {
    case ExprKind::literal:
      return static_cast<const Literal&>(expr).value;
    case ExprKind::name:
      return lookup(frame, static_cast<const Name&>(expr).name);
    case ExprKind::list:
    case ExprKind::tuple: {
      const auto& node = static_cast<const Sequence&>(expr);
      std::vector<Value> items;
      items.reserve(node.items.size());
      for (const auto& item : node.items) {
        COWORK_ASSIGN_OR_RETURN(Value value, eval(*item, frame));
        items.push_back(std::move(value));
      }
      return expr.kind == ExprKind::list ? Value::list(std::move(items)) : Value::tuple(std::move(items));
    }
    case ExprKind::dict: {
      const auto& node = static_cast<const DictDisplay&>(expr);
      Value dict = Value::dict();
      for (const auto& [key_expr, value_expr] : node.items) {
        COWORK_ASSIGN_OR_RETURN(Value key, eval(*key_expr, frame));
        if (!is_hashable(key))
          return located(key_expr->pos,
                         make_error(ErrorCode::invalid_argument, "unhashable type: '{}'", key.type_name()));
        COWORK_ASSIGN_OR_RETURN(Value value, eval(*value_expr, frame));
        dict.as_dict().set(std::move(key), std::move(value));
      }
      return dict;
    }
    case ExprKind::attribute: {
      const auto& node = static_cast<const Attribute&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value object, eval(*node.object, frame));
      return located(node.pos, attribute(object, node.name));
    }
    case ExprKind::item: {
      const auto& node = static_cast<const Item&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value object, eval(*node.object, frame));
      COWORK_ASSIGN_OR_RETURN(Value key, eval(*node.key, frame));
      return located(node.pos, item(object, key));
    }
    case ExprKind::slice: {
      const auto& node = static_cast<const Slice&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value object, eval(*node.object, frame));
      Value parts[3] = {Value::none(), Value::none(), Value::none()};
      const ExprPtr* exprs[3] = {&node.start, &node.stop, &node.step};
      for (int i = 0; i < 3; ++i) {
        if (*exprs[i]) {
          COWORK_ASSIGN_OR_RETURN(parts[i], eval(**exprs[i], frame));
        }
      }
      if (object.is_undefined()) {
        if (m_env.options.undefined == UndefinedMode::chainable) return object;
        return located(node.pos, make_error(ErrorCode::invalid_argument, "{}", object.undefined_reason()));
      }
      return located(node.pos, slice_value(object, parts[0], parts[1], parts[2]));
    }
    case ExprKind::call:
      return eval_call(static_cast<const Call&>(expr), frame, nullptr);
    case ExprKind::filter: {
      const auto& node = static_cast<const Filter&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value value, eval(*node.value, frame));
      std::vector<Value> args;
      Kwargs kwargs;
      args.push_back(std::move(value));
      COWORK_TRY(eval_arguments(node.args, frame, args, kwargs));
      return located(node.pos, call_filter(frame, node.pos, node.name, std::move(args), kwargs));
    }
    case ExprKind::test: {
      const auto& node = static_cast<const Test&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value value, eval(*node.value, frame));
      std::vector<Value> args;
      Kwargs kwargs;
      args.push_back(std::move(value));
      COWORK_TRY(eval_arguments(node.args, frame, args, kwargs));
      auto result = call_test(frame, node.pos, node.name, std::move(args), kwargs);
      if (!result) return std::unexpected(locate(frame, node.pos, std::move(result).error()));
      return Value(*result != node.negated);
    }
    case ExprKind::negate:
    case ExprKind::plus: {
      const auto& node = static_cast<const Unary&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value value, eval(*node.operand, frame));
      const bool negate = expr.kind == ExprKind::negate;
      if (value.is_undefined())
        return located(node.pos, make_error(ErrorCode::invalid_argument, "{}", value.undefined_reason()));
      if (value.is_float()) return Value(negate ? -value.as_double() : value.as_double());
      if (value.is_number()) {
        const std::int64_t number = value.as_int();
        if (negate && number == INT64_MIN)
          return located(node.pos, make_error(ErrorCode::invalid_argument, "integer overflow"));
        return Value(negate ? -number : number);
      }
      return located(node.pos, make_error(ErrorCode::invalid_argument, "bad operand type for unary {}: '{}'",
                                          negate ? '-' : '+', value.type_name()));
    }
    case ExprKind::not_: {
      const auto& node = static_cast<const Unary&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value value, eval(*node.operand, frame));
      COWORK_ASSIGN_OR_RETURN(bool ok, truth(value, frame, node.operand->pos));
      return Value(!ok);
    }
    case ExprKind::and_:
    case ExprKind::or_: {
      const auto& node = static_cast<const Logical&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value left, eval(*node.left, frame));
      COWORK_ASSIGN_OR_RETURN(bool ok, truth(left, frame, node.left->pos));
      if ((expr.kind == ExprKind::and_) != ok) return left;
      return eval(*node.right, frame);
    }
    case ExprKind::binary: {
      const auto& node = static_cast<const Binary&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value left, eval(*node.left, frame));
      COWORK_ASSIGN_OR_RETURN(Value right, eval(*node.right, frame));
      if (node.op == BinaryOp::concat && m_env.options.undefined == UndefinedMode::strict) {
        if (left.is_undefined())
          return located(node.left->pos, make_error(ErrorCode::invalid_argument, "{}", left.undefined_reason()));
        if (right.is_undefined())
          return located(node.right->pos, make_error(ErrorCode::invalid_argument, "{}", right.undefined_reason()));
      }
      return located(node.pos, binary_operation(node.op, left, right, m_env.options.max_output_bytes));
    }
    case ExprKind::compare: {
      const auto& node = static_cast<const Compare&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value left, eval(*node.first, frame));
      for (std::size_t i = 0; i < node.rest.size(); ++i) {
        COWORK_ASSIGN_OR_RETURN(Value right, eval(*node.rest[i].second, frame));
        auto ok = compare_operation(node.rest[i].first, left, right);
        if (!ok) return std::unexpected(locate(frame, node.op_pos[i], std::move(ok).error()));
        if (!*ok) return Value(false);
        left = std::move(right);
      }
      return Value(true);
    }
    case ExprKind::conditional: {
      const auto& node = static_cast<const Conditional&>(expr);
      COWORK_ASSIGN_OR_RETURN(Value test, eval(*node.test, frame));
      COWORK_ASSIGN_OR_RETURN(bool ok, truth(test, frame, node.test->pos));
      if (ok) return eval(*node.then, frame);
      if (node.otherwise) return eval(*node.otherwise, frame);
      return Value::undefined("the inline if-expression evaluated to false and has no else");
    }
  }
  return Value();
}

}  // namespace cowork::jinja::detail
