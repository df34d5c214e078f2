// The global functions every template sees: Jinja's range, dict, namespace and joiner, and dbt's return.
#include "jinja/detail/runtime.hpp"

namespace cowork::jinja::detail {
namespace {

// namespace(): an object whose attributes `{% set ns.x = ... %}` may assign from any scope.
class NamespaceObject : public Object {
 public:
  NamespaceObject() : m_attributes(Value::dict()) {}
  std::string_view type_name() const override { return "Namespace"; }
  std::optional<Value> attribute(std::string_view name) const override {
    if (const Value* found = m_attributes.as_dict().find(name)) return *found;
    return std::nullopt;
  }
  Status set_attribute(std::string_view name, Value value) override {
    m_attributes.as_dict().set(name, std::move(value));
    return {};
  }
  std::string str() const override { return fmt::format("<Namespace {}>", m_attributes.repr()); }

 private:
  Value m_attributes;
};

Result<Value> global_range(CallContext& context) {
  if (!context.kwargs().empty()) return make_error(ErrorCode::invalid_argument, "range() takes no keyword arguments");
  const auto args = context.args();
  if (args.empty() || args.size() > 3)
    return make_error(ErrorCode::invalid_argument, "range() takes 1 to 3 arguments, {} given", args.size());
  for (const auto& arg : args)
    if (!arg.is_int() && !arg.is_bool())
      return make_error(ErrorCode::invalid_argument, "range() needs integers, not '{}'", arg.type_name());
  std::int64_t start = 0;
  std::int64_t stop = 0;
  std::int64_t step = 1;
  if (args.size() == 1) {
    stop = args[0].as_int();
  } else {
    start = args[0].as_int();
    stop = args[1].as_int();
    if (args.size() == 3) step = args[2].as_int();
  }
  if (step == 0) return make_error(ErrorCode::invalid_argument, "range() arg 3 must not be zero");
  std::int64_t count = 0;
  if (step > 0 && start < stop) count = (stop - start + step - 1) / step;
  if (step < 0 && start > stop) count = (start - stop - step - 1) / -step;
  const std::int64_t limit = Access::env(context).options.max_range;
  if (count > limit)
    return make_error(ErrorCode::invalid_argument, "range too big: the sandbox allows at most {} items", limit);
  std::vector<Value> items;
  items.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0, value = start; i < count; ++i, value += step) items.emplace_back(value);
  return Value::list(std::move(items));
}

// dict(), dict(mapping), dict(pairs), dict(a=1); keywords are added last.
Result<Value> global_dict(CallContext& context) {
  if (context.args().size() > 1)
    return make_error(ErrorCode::invalid_argument, "dict expected at most 1 argument, got {}", context.args().size());
  Value out = Value::dict();
  if (!context.args().empty()) {
    const Value& source = context.args()[0];
    if (source.is_dict()) {
      for (const auto& [key, value] : source.as_dict().entries()) out.as_dict().set(key, value);
    } else {
      COWORK_ASSIGN_OR_RETURN(auto pairs, Access::iterate(context, source));
      for (const auto& pair : pairs) {
        COWORK_ASSIGN_OR_RETURN(auto parts, Access::iterate(context, pair));
        if (parts.size() != 2)
          return make_error(ErrorCode::invalid_argument,
                            "dictionary update sequence element has length {}; 2 is required", parts.size());
        if (!is_hashable(parts[0]))
          return make_error(ErrorCode::invalid_argument, "unhashable type: '{}'", parts[0].type_name());
        out.as_dict().set(parts[0], parts[1]);
      }
    }
  }
  for (const auto& [key, value] : context.kwargs()) out.as_dict().set(key, value);
  return out;
}

Result<Value> global_namespace(CallContext& context) {
  auto object = std::make_shared<NamespaceObject>();
  for (const auto& arg : context.args()) {
    if (!arg.is_dict())
      return make_error(ErrorCode::invalid_argument, "namespace() takes a dict or keyword arguments, not '{}'",
                        arg.type_name());
    for (const auto& [key, value] : arg.as_dict().entries()) COWORK_TRY(object->set_attribute(key.str(), value));
  }
  for (const auto& [key, value] : context.kwargs()) COWORK_TRY(object->set_attribute(key, value));
  return Value::object(std::move(object));
}

Result<Value> global_joiner(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"sep"}));
  const std::string separator = args[0].is_undefined() ? ", " : args[0].str();
  auto used = std::make_shared<bool>(false);
  return Value::function("joiner", [separator, used](CallContext&) -> Result<Value> {
    if (!*used) {
      *used = true;
      return Value("");
    }
    return Value(separator);
  });
}

Result<Value> global_return(CallContext& context) {
  if (!context.kwargs().empty() || context.args().size() > 1)
    return make_error(ErrorCode::invalid_argument, "return() takes at most 1 argument");
  return Access::signal_return(context, context.args().empty() ? Value::none() : context.args()[0]);
}

}  // namespace

void register_globals(Environment::Impl& env) {
  env.globals["range"] = Value::function("range", global_range);
  env.globals["dict"] = Value::function("dict", global_dict);
  env.globals["namespace"] = Value::function("namespace", global_namespace);
  env.globals["joiner"] = Value::function("joiner", global_joiner);
  env.globals["return"] = Value::function("return", global_return);
}

}  // namespace cowork::jinja::detail
