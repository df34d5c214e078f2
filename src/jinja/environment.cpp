#include "jinja/environment.hpp"

#include <algorithm>
#include <exception>

#include "jinja/detail/renderer.hpp"

namespace cowork::jinja {
namespace {

// Last line of defence: nothing thrown below (an allocation failure, a throwing native function) may cross the API.
template <typename F>
auto guarded(std::string_view what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::internal, "{}: unexpected failure: {}", what, e.what());
  } catch (...) {
    return make_error(ErrorCode::internal, "{}: unexpected failure", what);
  }
}

}  // namespace

std::string SourceLocation::str() const {
  return fmt::format("{}:{}:{}", file, line, column);
}

// ---- CallContext ----

const Value* CallContext::kwarg(std::string_view name) const {
  for (const auto& [key, value] : m_kwargs)
    if (key == name) return &value;
  return nullptr;
}

std::string CallContext::display_name() const {
  switch (m_kind) {
    case Kind::filter:
      return fmt::format("filter '{}'", m_name);
    case Kind::test:
      return fmt::format("test '{}'", m_name);
    default:
      return fmt::format("{}()", m_name);
  }
}

Status CallContext::bind(std::span<const std::string_view> names, std::size_t required, std::span<Value> out) const {
  // Filters and tests count the filtered value as an argument internally, but people do not.
  const std::size_t implicit = (m_kind == Kind::filter || m_kind == Kind::test) ? 1 : 0;
  if (m_args.size() > names.size()) {
    const std::size_t allowed = names.size() - std::min(implicit, names.size());
    return make_error(ErrorCode::invalid_argument, "{} takes {} argument{}, {} given", display_name(),
                      allowed == 0 ? std::string("no") : fmt::format("at most {}", allowed), allowed == 1 ? "" : "s",
                      m_args.size() - implicit);
  }
  std::vector<bool> given(names.size(), false);
  for (std::size_t i = 0; i < m_args.size(); ++i) {
    out[i] = m_args[i];
    given[i] = true;
  }
  for (const auto& [key, value] : m_kwargs) {
    auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end())
      return make_error(ErrorCode::invalid_argument, "{} got an unexpected keyword argument '{}'", display_name(), key);
    const auto index = static_cast<std::size_t>(it - names.begin());
    if (given[index])
      return make_error(ErrorCode::invalid_argument, "{} got multiple values for argument '{}'", display_name(), key);
    out[index] = value;
    given[index] = true;
  }
  for (std::size_t i = 0; i < required && i < names.size(); ++i)
    if (!given[i])
      return make_error(ErrorCode::invalid_argument, "{} is missing the required argument '{}'", display_name(),
                        names[i]);
  return {};
}

SourceLocation CallContext::location() const {
  SourceLocation location;
  location.file = m_frame.tpl ? std::string_view((*m_frame.tpl)->name) : std::string_view("<api>");
  location.line = m_line;
  location.column = m_column;
  return location;
}

const Environment& CallContext::environment() const {
  return m_renderer.owner();
}

Value CallContext::lookup(std::string_view name) const {
  return m_renderer.lookup(m_frame, name);
}

Value CallContext::macro(std::string_view name) const {
  return m_renderer.find_macro(m_frame, name);
}

Result<Value> CallContext::call(const Value& callable, std::vector<Value> args, Kwargs kwargs) {
  return m_renderer.call_value(m_frame, ast::Pos{m_line, m_column}, callable, std::move(args), std::move(kwargs));
}

Result<Value> CallContext::call_macro(std::string_view name, std::vector<Value> args, Kwargs kwargs) {
  Value callable = macro(name);
  if (callable.is_undefined()) return make_error(ErrorCode::invalid_argument, "'{}' is undefined", name);
  return call(callable, std::move(args), std::move(kwargs));
}

// ---- Access ----

namespace detail {

const Environment::Impl& Access::env(const CallContext& context) {
  return context.m_renderer.env();
}

UndefinedMode Access::undefined_mode(const CallContext& context) {
  return context.m_renderer.env().options.undefined;
}

Result<Value> Access::get_attribute(CallContext& context, const Value& value, std::string_view name) {
  return context.m_renderer.attribute(value, name);
}

Result<Value> Access::get_item(CallContext& context, const Value& value, const Value& key) {
  return context.m_renderer.item(value, key);
}

Result<Value> Access::get_path(CallContext& context, const Value& value, std::string_view path) {
  Value current = value;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string_view part =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const bool numeric =
        !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    Value key = numeric ? Value(static_cast<std::int64_t>(std::stoll(std::string(part)))) : Value(part);
    COWORK_ASSIGN_OR_RETURN(current, context.m_renderer.item(current, key));
    if (dot == std::string_view::npos) return current;
    start = dot + 1;
  }
}

Result<std::vector<Value>> Access::iterate(CallContext& context, const Value& value) {
  return context.m_renderer.iterate(value);
}

Result<Value> Access::call_filter(CallContext& context, std::string_view name, std::vector<Value> args,
                                  const Kwargs& kwargs) {
  return context.m_renderer.call_filter(context.m_frame, ast::Pos{context.m_line, context.m_column}, name,
                                        std::move(args), kwargs);
}

Result<bool> Access::call_test(CallContext& context, std::string_view name, std::vector<Value> args,
                               const Kwargs& kwargs) {
  return context.m_renderer.call_test(context.m_frame, ast::Pos{context.m_line, context.m_column}, name,
                                      std::move(args), kwargs);
}

Result<Value> Access::signal_return(CallContext& context, Value value) {
  return context.m_renderer.signal_return(context.m_frame, ast::Pos{context.m_line, context.m_column},
                                          std::move(value));
}

}  // namespace detail

// ---- Environment ----

Environment::Environment(EnvironmentOptions options) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = options;
  detail::register_filters(*m_impl);
  detail::register_tests(*m_impl);
  detail::register_globals(*m_impl);
}

Environment::~Environment() = default;
Environment::Environment(Environment&&) noexcept = default;
Environment& Environment::operator=(Environment&&) noexcept = default;

const EnvironmentOptions& Environment::options() const {
  return m_impl->options;
}

void Environment::set_global(std::string name, Value value) {
  m_impl->globals[std::move(name)] = std::move(value);
}

void Environment::set_function(std::string name, NativeFunction function) {
  Value value = Value::function(name, std::move(function));
  set_global(std::move(name), std::move(value));
}

const Value* Environment::global(std::string_view name) const {
  auto it = m_impl->globals.find(name);
  return it == m_impl->globals.end() ? nullptr : &it->second;
}

void Environment::set_filter(std::string name, NativeFunction function) {
  m_impl->filters[std::move(name)] = std::move(function);
}

void Environment::set_test(std::string name, NativeFunction function) {
  m_impl->tests[std::move(name)] = std::move(function);
}

bool Environment::has_filter(std::string_view name) const {
  return m_impl->filters.find(name) != m_impl->filters.end();
}

bool Environment::has_test(std::string_view name) const {
  return m_impl->tests.find(name) != m_impl->tests.end();
}

Result<std::vector<std::string>> Environment::load_macros(std::string_view source, std::string file,
                                                          std::string namespace_name) {
  return guarded(file, [&]() -> Result<std::vector<std::string>> {
    COWORK_ASSIGN_OR_RETURN(Template tpl, Template::parse(source, std::move(file), m_impl->options.parse));
    return add_macros(tpl, std::move(namespace_name));
  });
}

Result<std::vector<std::string>> Environment::add_macros(const Template& tpl, std::string namespace_name) {
  const auto& data = tpl.data();
  MacroMap& table = m_impl->namespaces[namespace_name];
  // Check every name before registering any, so a failed load changes nothing.
  for (std::size_t i = 0; i < data->macros.size(); ++i) {
    const ast::MacroDef& def = *data->macros[i];
    const std::string& name = def.signature.name;
    auto clash = [&](std::string_view other_file, std::uint32_t line, std::uint32_t column) {
      return make_error(ErrorCode::invalid_argument, "{}:{}:{}: macro '{}' is already defined in '{}' at {}:{}:{}",
                        data->name, def.pos.line, def.pos.column, name, namespace_name, other_file, line, column);
    };
    if (auto it = table.find(name); it != table.end())
      return clash(it->second.info.file, it->second.info.line, it->second.info.column);
    for (std::size_t j = 0; j < i; ++j)
      if (data->macros[j]->signature.name == name)
        return clash(data->name, data->macros[j]->pos.line, data->macros[j]->pos.column);
  }
  if (std::find(m_impl->namespace_order.begin(), m_impl->namespace_order.end(), namespace_name) ==
      m_impl->namespace_order.end())
    m_impl->namespace_order.push_back(namespace_name);
  std::vector<std::string> names;
  for (const ast::MacroDef* def : data->macros) {
    auto macro = std::make_shared<detail::Macro>();
    macro->signature = &def->signature;
    macro->tpl = data;
    macro->ns = namespace_name;
    auto callable = std::make_shared<Callable>();
    callable->name = def->signature.name;
    callable->macro = std::move(macro);
    MacroEntry entry;
    entry.callable = Value::from_callable(std::move(callable));
    entry.info.name = def->signature.name;
    entry.info.namespace_name = namespace_name;
    entry.info.file = data->name;
    entry.info.line = def->pos.line;
    entry.info.column = def->pos.column;
    entry.info.kind = def->macro_kind == ast::MacroKind::test              ? BlockKind::test
                      : def->macro_kind == ast::MacroKind::materialization ? BlockKind::materialization
                                                                           : BlockKind::macro;
    names.push_back(def->signature.name);
    table.emplace(def->signature.name, std::move(entry));
  }
  m_impl->rebuild_unqualified();
  return names;
}

std::size_t Environment::remove_macros(std::string_view file) {
  std::size_t removed = 0;
  for (auto& [ns, table] : m_impl->namespaces) {
    for (auto it = table.begin(); it != table.end();) {
      if (it->second.info.file == file) {
        it = table.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  if (removed > 0) m_impl->rebuild_unqualified();
  return removed;
}

void Environment::set_search_order(std::vector<std::string> namespaces) {
  m_impl->search_order = std::move(namespaces);
  m_impl->search_order_set = true;
  m_impl->rebuild_unqualified();
}

Value Environment::macro(std::string_view name) const {
  const auto dot = name.find('.');
  if (dot != std::string_view::npos) {
    if (const MacroEntry* entry = m_impl->find_in(name.substr(0, dot), name.substr(dot + 1))) return entry->callable;
    return Value::undefined(fmt::format("'{}' is undefined", name));
  }
  if (auto it = m_impl->unqualified.find(name); it != m_impl->unqualified.end()) return it->second;
  return Value::undefined(fmt::format("'{}' is undefined", name));
}

std::vector<MacroInfo> Environment::macros() const {
  std::vector<MacroInfo> out;
  for (const auto& ns : m_impl->namespace_order) {
    auto it = m_impl->namespaces.find(ns);
    if (it == m_impl->namespaces.end()) continue;
    for (const auto& [name, entry] : it->second) out.push_back(entry.info);
  }
  std::sort(out.begin(), out.end(), [](const MacroInfo& a, const MacroInfo& b) {
    return std::tie(a.namespace_name, a.file, a.line, a.column) < std::tie(b.namespace_name, b.file, b.line, b.column);
  });
  return out;
}

Result<std::string> Environment::render(const Template& tpl, const Variables& variables) const {
  return guarded(tpl.name(), [&]() -> Result<std::string> {
    detail::Renderer renderer(*this, variables);
    return renderer.render(tpl);
  });
}

Result<std::string> Environment::render(std::string_view source, std::string name, const Variables& variables) const {
  return guarded(name, [&]() -> Result<std::string> {
    COWORK_ASSIGN_OR_RETURN(Template tpl, Template::parse(source, std::move(name), m_impl->options.parse));
    return render(tpl, variables);
  });
}

Result<Value> Environment::call_macro(std::string_view name, std::vector<Value> args, Kwargs kwargs,
                                      const Variables& variables) const {
  return guarded(name, [&]() -> Result<Value> {
    Value callable = macro(name);
    if (callable.is_undefined()) return make_error(ErrorCode::not_found, "call_macro: no macro named '{}'", name);
    detail::Renderer renderer(*this, variables);
    return renderer.call_from_api(callable, std::move(args), std::move(kwargs), fmt::format("call_macro('{}')", name));
  });
}

Result<Value> Environment::call(const Value& callable, std::vector<Value> args, Kwargs kwargs,
                                const Variables& variables) const {
  return guarded("call", [&]() -> Result<Value> {
    detail::Renderer renderer(*this, variables);
    return renderer.call_from_api(callable, std::move(args), std::move(kwargs), "call()");
  });
}

}  // namespace cowork::jinja
