// Jinja2's builtin tests (`x is defined`, `n is divisibleby 3`...), with Python's type rules: bool counts as a
// number but not as an integer, undefined is iterable and a sequence.
#include "jinja/detail/runtime.hpp"
#include "jinja/detail/text.hpp"

namespace cowork::jinja::detail {
namespace {

using Predicate = bool (*)(const Value&);

template <Predicate P>
Result<Value> unary_test(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"value"}, 1));
  return Value(P(args[0]));
}

bool is_defined(const Value& v) {
  return !v.is_undefined();
}
bool is_undefined(const Value& v) {
  return v.is_undefined();
}
bool is_none(const Value& v) {
  return v.is_none();
}
bool is_true(const Value& v) {
  return v.is_bool() && v.as_bool();
}
bool is_false(const Value& v) {
  return v.is_bool() && !v.as_bool();
}
bool is_boolean(const Value& v) {
  return v.is_bool();
}
bool is_integer(const Value& v) {
  return v.is_int();
}
bool is_float(const Value& v) {
  return v.is_float();
}
bool is_number(const Value& v) {
  return v.is_number();
}
bool is_string(const Value& v) {
  return v.is_string();
}
bool is_mapping(const Value& v) {
  return v.is_dict();
}
bool is_iterable(const Value& v) {
  return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined() ||
         (v.is_object() && v.as_object().iterate().has_value());
}
bool is_sequence(const Value& v) {
  return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
}
bool is_callable(const Value& v) {
  return v.is_callable();
}
bool is_lower(const Value& v) {
  const std::string text = v.str();
  bool cased = false;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') return false;
    cased = cased || (c >= 'a' && c <= 'z');
  }
  return cased;
}
bool is_upper(const Value& v) {
  const std::string text = v.str();
  bool cased = false;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') return false;
    cased = cased || (c >= 'A' && c <= 'Z');
  }
  return cased;
}
bool is_escaped(const Value&) {
  return false;
}

template <ast::CompareOp Op>
Result<Value> compare_test(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "other"}, 2));
  COWORK_ASSIGN_OR_RETURN(bool ok, compare_operation(Op, args[0], args[1]));
  return Value(ok);
}

Result<Value> test_in(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "seq"}, 2));
  COWORK_ASSIGN_OR_RETURN(bool ok, contains(args[1], args[0]));
  return Value(ok);
}

Result<Value> test_sameas(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "other"}, 2));
  const Value& a = args[0];
  const Value& b = args[1];
  if (a.kind() != b.kind()) return Value(false);
  switch (a.kind()) {
    case ValueKind::list:
      return Value(&a.as_list() == &b.as_list());
    case ValueKind::dict:
      return Value(&a.as_dict() == &b.as_dict());
    default:
      return Value(a == b);
  }
}

Result<Value> test_divisibleby(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "num"}, 2));
  COWORK_ASSIGN_OR_RETURN(Value rest, binary_operation(ast::BinaryOp::mod, args[0], args[1], 0));
  return Value(rest == Value(0));
}

template <bool Odd>
Result<Value> test_parity(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"value"}, 1));
  COWORK_ASSIGN_OR_RETURN(Value rest, binary_operation(ast::BinaryOp::mod, args[0], Value(2), 0));
  return Value((rest == Value(1)) == Odd);
}

Result<Value> test_filter(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"value"}, 1));
  return Value(args[0].is_string() && Access::env(context).filters.contains(args[0].as_string()));
}

Result<Value> test_test(CallContext& context) {
  COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"value"}, 1));
  return Value(args[0].is_string() && Access::env(context).tests.contains(args[0].as_string()));
}

}  // namespace

void register_tests(Environment::Impl& env) {
  auto& t = env.tests;
  t["defined"] = unary_test<is_defined>;
  t["undefined"] = unary_test<is_undefined>;
  t["none"] = unary_test<is_none>;
  t["true"] = unary_test<is_true>;
  t["false"] = unary_test<is_false>;
  t["boolean"] = unary_test<is_boolean>;
  t["integer"] = unary_test<is_integer>;
  t["float"] = unary_test<is_float>;
  t["number"] = unary_test<is_number>;
  t["string"] = unary_test<is_string>;
  t["mapping"] = unary_test<is_mapping>;
  t["iterable"] = unary_test<is_iterable>;
  t["sequence"] = unary_test<is_sequence>;
  t["callable"] = unary_test<is_callable>;
  t["lower"] = unary_test<is_lower>;
  t["upper"] = unary_test<is_upper>;
  t["escaped"] = unary_test<is_escaped>;
  t["sameas"] = test_sameas;
  t["divisibleby"] = test_divisibleby;
  t["odd"] = test_parity<true>;
  t["even"] = test_parity<false>;
  t["in"] = test_in;
  t["filter"] = test_filter;
  t["test"] = test_test;
  for (const char* name : {"eq", "==", "equalto"}) t[name] = compare_test<ast::CompareOp::eq>;
  for (const char* name : {"ne", "!="}) t[name] = compare_test<ast::CompareOp::ne>;
  for (const char* name : {"lt", "<", "lessthan"}) t[name] = compare_test<ast::CompareOp::lt>;
  for (const char* name : {"le", "<="}) t[name] = compare_test<ast::CompareOp::le>;
  for (const char* name : {"gt", ">", "greaterthan"}) t[name] = compare_test<ast::CompareOp::gt>;
  for (const char* name : {"ge", ">="}) t[name] = compare_test<ast::CompareOp::ge>;
}

}  // namespace cowork::jinja::detail
