#include "jinja/environment.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace cowork::jinja {
namespace {

std::string render_ok(const Environment& env, std::string_view source, const Variables& variables = {}) {
  auto result = env.render(source, "t.sql", variables);
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : std::string();
}

std::string render_error(const Environment& env, std::string_view source, const Variables& variables = {}) {
  auto result = env.render(source, "t.sql", variables);
  EXPECT_FALSE(result) << "rendered: " << *result;
  return result ? std::string() : result.error().message;
}

TEST(Environment, NativeFunctionFailureIsReportedAtTheCall) {
  Environment env;
  env.set_function("run_query", [](CallContext&) -> Result<Value> {
    return make_error(ErrorCode::invalid_argument, "run_query is out of scope");
  });
  auto result = env.render("select 1\n\n\n  {{ x }}{{ run_query('select 1') }}", "models/x.sql");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "models/x.sql:4:13: run_query is out of scope");
}

TEST(Environment, NativeFunctionsSeeArgumentsLocationAndVariables) {
  Environment env;
  env.set_function("probe", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<3>({"a", "b", "c"}, 1));
    return Value(fmt::format("{} {} {} at {} sees {}", args[0].str(), args[1].str(), args[2].is_undefined(),
                             context.location().str(), context.lookup("model").str()));
  });
  EXPECT_EQ(render_ok(env, "\n  {{ probe(1, b='two') }}", {{"model", Value("orders")}}),
            "\n  1 two true at t.sql:2:6 sees orders");
  EXPECT_EQ(render_error(env, "{{ probe() }}"), "t.sql:1:4: probe() is missing the required argument 'a'");
  EXPECT_EQ(render_error(env, "{{ probe(1, 2, 3, 4) }}"), "t.sql:1:4: probe() takes at most 3 arguments, 4 given");
  EXPECT_EQ(render_error(env, "{{ probe(1, d=2) }}"), "t.sql:1:4: probe() got an unexpected keyword argument 'd'");
  EXPECT_EQ(render_error(env, "{{ probe(1, a=2) }}"), "t.sql:1:4: probe() got multiple values for argument 'a'");
}

// dbt's adapter.dispatch: a native function that finds a macro by name and calls it.
TEST(Environment, NativeFunctionsCallBackIntoMacros) {
  Environment env;
  ASSERT_TRUE(env.load_macros(R"({% macro default__greet(name) %}hello {{ name }}{% endmacro %}
{% macro duckdb__greet(name) %}{{ return('quack ' ~ name) }}{% endmacro %})",
                              "macros/greet.sql", "my_project"));
  env.set_function("dispatch_call", [](CallContext& context) -> Result<Value> {
    const std::string name = context.args()[0].str();
    std::vector<Value> rest(context.args().begin() + 1, context.args().end());
    Value macro = context.macro("duckdb__" + name);
    if (macro.is_undefined()) macro = context.macro("default__" + name);
    return context.call(macro, rest);
  });
  env.set_function("call_by_name", [](CallContext& context) -> Result<Value> {
    return context.call_macro(context.args()[0].str(), {Value("x")});
  });
  EXPECT_EQ(render_ok(env, "{{ dispatch_call('greet', 'ann') }}"), "quack ann");
  EXPECT_EQ(render_ok(env, "{{ call_by_name('default__greet') }}"), "hello x");
  EXPECT_EQ(render_error(env, "{{ call_by_name('nope') }}"), "t.sql:1:4: 'nope' is undefined");
}

TEST(Environment, ErrorsInsideCalledBackMacrosKeepTheirOwnLocation) {
  Environment env;
  ASSERT_TRUE(env.load_macros("{% macro broken() %}\n{{ 1 / 0 }}{% endmacro %}", "macros/b.sql", "root"));
  env.set_function("call_by_name",
                   [](CallContext& context) -> Result<Value> { return context.call_macro(context.args()[0].str()); });
  EXPECT_EQ(render_error(env, "{{ call_by_name('broken') }}"),
            "macros/b.sql:2:6: division by zero\n  in macro 'broken' called at t.sql:1:4");
}

TEST(Environment, CallMacroReturnsTheReturnedValueOrTheOutput) {
  Environment env;
  ASSERT_TRUE(env.load_macros(R"({% macro columns(prefix) %}{{ return([prefix ~ 'id', prefix ~ 'name']) }}{% endmacro %}
{% macro text(x) %}value={{ x }} model={{ model }}{% endmacro %})",
                              "macros/m.sql", "dbt_utils"));
  auto columns = env.call_macro("dbt_utils.columns", {Value("t.")});
  ASSERT_TRUE(columns) << columns.error().message;
  EXPECT_EQ(columns->str(), "['t.id', 't.name']");
  auto text = env.call_macro("text", {}, {{"x", Value(3)}}, {{"model", Value("orders")}});
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(text->as_string(), "value=3 model=orders");

  auto missing = env.call_macro("dbt_utils.nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  auto wrong = env.call_macro("columns", {Value(1), Value(2)});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "call_macro('columns'): macro 'columns' takes at most 1 argument, 2 given");
}

TEST(Environment, NamespacesAndSearchOrder) {
  Environment env;
  ASSERT_TRUE(
      env.load_macros("{% macro star() %}pkg star, {{ helper() }}{% endmacro %}"
                      "{% macro helper() %}pkg helper{% endmacro %}"
                      "{% macro only_in_pkg() %}pkg only{% endmacro %}",
                      "dbt_packages/dbt_utils/macros/star.sql", "dbt_utils"));
  ASSERT_TRUE(env.load_macros("{% macro star() %}root star{% endmacro %}{% macro helper() %}root helper{% endmacro %}",
                              "macros/star.sql", "my_project"));
  // Until a search order is set, namespaces are searched in load order.
  EXPECT_EQ(render_ok(env, "{{ star() }}"), "pkg star, pkg helper");
  env.set_search_order({"my_project", "dbt_utils"});
  // Unqualified: the root project first; inside a package macro, its own namespace first.
  EXPECT_EQ(render_ok(env, "{{ star() }} | {{ dbt_utils.star() }} | {{ only_in_pkg() }}"),
            "root star | pkg star, pkg helper | pkg only");
  // dbt does not put a package's macros in the root's unqualified scope; a search order can say so.
  env.set_search_order({"my_project"});
  EXPECT_EQ(render_error(env, "{{ only_in_pkg() }}"), "t.sql:1:4: 'only_in_pkg' is undefined");
  EXPECT_EQ(render_ok(env, "{{ dbt_utils.only_in_pkg() }}"), "pkg only");
  EXPECT_FALSE(env.macro("dbt_utils.star").is_undefined());
  EXPECT_TRUE(env.macro("other.star").is_undefined());
  EXPECT_EQ(env.macros().size(), 5u);
}

TEST(Environment, LoadMacrosRejectsDuplicatesAndCanReload) {
  Environment env;
  auto names = env.load_macros("{% macro a() %}1{% endmacro %}\n{% test t(model) %}{% endtest %}", "m/a.sql", "root");
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "test_t"}));
  auto clash = env.load_macros("\n\n  {% macro a() %}2{% endmacro %}", "m/b.sql", "root");
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().message, "m/b.sql:3:3: macro 'a' is already defined in 'root' at m/a.sql:1:1");
  EXPECT_TRUE(env.load_macros("{% macro a() %}other namespace{% endmacro %}", "p/a.sql", "pkg"));
  EXPECT_EQ(env.remove_macros("m/a.sql"), 2u);
  ASSERT_TRUE(env.load_macros("{% macro a() %}reloaded{% endmacro %}", "m/a.sql", "root"));
  env.set_search_order({"root", "pkg"});
  EXPECT_EQ(render_ok(env, "{{ a() }} {{ pkg.a() }}"), "reloaded other namespace");
  auto broken = env.load_macros("{% macro a( %}", "m/c.sql", "root");
  ASSERT_FALSE(broken);
  // Inside an open bracket `%}` is two operators, as in Jinja's lexer.
  EXPECT_EQ(broken.error().message, "m/c.sql:1:14: unexpected '}', expected ')' (the '(' opened at 1:11)");
}

TEST(Environment, ReturnEndsOnlyTheInnermostMacro) {
  Environment env;
  EXPECT_EQ(render_ok(env, R"({% macro inner() %}{{ return(1) }}unreached{% endmacro %}
{%- macro outer() %}{% set x = inner() %}outer sees {{ x }}{% endmacro %}{{ outer() }})"),
            "outer sees 1");
  // A return inside a call block ends the macro that called caller(), as dbt's statement blocks do.
  EXPECT_EQ(render_ok(env, R"({% macro run() %}{% set r = caller() %}run got {{ r }}{% endmacro %}
{%- macro user() %}{% call run() %}{{ return('from caller') }}{% endcall %}{% endmacro %}{{ user() }})"),
            "from caller");
}

TEST(Environment, UndefinedModes) {
  Environment lenient;
  EXPECT_EQ(render_ok(lenient, "[{{ a }}][{{ d.x }}]", {{"d", Value::dict()}}), "[][]");
  EXPECT_EQ(render_error(lenient, "{{ a.b }}"), "t.sql:1:6: 'a' is undefined");
  EXPECT_EQ(render_error(lenient, "{{ d.x.y }}", {{"d", Value::dict()}}),
            "t.sql:1:8: 'dict object' has no attribute 'x'");
  EXPECT_EQ(render_error(lenient, "{{ a + 1 }}"), "t.sql:1:6: 'a' is undefined");

  Environment chainable(EnvironmentOptions{.undefined = UndefinedMode::chainable});
  EXPECT_EQ(render_ok(chainable, "[{{ a.b.c }}][{{ a['x'][0] }}]"), "[][]");

  Environment strict(EnvironmentOptions{.undefined = UndefinedMode::strict});
  EXPECT_EQ(render_error(strict, "{{ a }}"), "t.sql:1:4: 'a' is undefined");
  EXPECT_EQ(render_error(strict, "{% if a %}{% endif %}"), "t.sql:1:7: 'a' is undefined");
  EXPECT_EQ(render_error(strict, "{% for x in a %}{% endfor %}"), "t.sql:1:13: 'a' is undefined");
  EXPECT_EQ(render_ok(strict, "{{ a is defined }} {{ a | default('d') }}"), "False d");
}

TEST(Environment, LimitsAreConfigurable) {
  Environment env(EnvironmentOptions{.max_call_depth = 10, .max_range = 5, .max_output_bytes = 100});
  const std::string recursion = render_error(env, "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  EXPECT_TRUE(recursion.starts_with("t.sql:1:20: recursion too deep: more than 10 nested macro calls")) << recursion;
  EXPECT_EQ(render_error(env, "{{ range(6) }}"), "t.sql:1:4: range too big: the sandbox allows at most 5 items");
  EXPECT_EQ(render_error(env, "{{ 'x' * 200 }}"), "t.sql:1:8: the result would be larger than 100 bytes");
  EXPECT_EQ(render_error(env, "{% for i in range(5) %}{{ '0123456789' * 3 }}{% endfor %}"),
            "t.sql:1:24: the output is larger than 100 bytes");
}

TEST(Environment, NothingThrownEscapes) {
  Environment env;
  env.set_function("explode", [](CallContext&) -> Result<Value> { throw std::runtime_error("boom"); });
  auto result = env.render("{{ explode() }}", "t.sql");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::internal);
  EXPECT_EQ(result.error().message, "t.sql: unexpected failure: boom");
}

TEST(Environment, HostObjectsCallableAndWithMethods) {
  Environment env;
  auto adapter = std::make_shared<HostObject>("Adapter");
  adapter->set_method(
      "quote", [](CallContext& context) -> Result<Value> { return Value("\"" + context.args()[0].str() + "\""); });
  env.set_global("adapter", Value::object(adapter));
  EXPECT_EQ(render_ok(env, "{{ adapter.quote('id') }} [{{ adapter.missing }}]"), "\"id\" []");
  EXPECT_EQ(render_error(env, "{{ adapter.missing() }}"), "t.sql:1:4: 'Adapter object' has no attribute 'missing'");
  EXPECT_EQ(render_error(env, "{{ adapter() }}"), "t.sql:1:4: 'Adapter' object is not callable");
}

TEST(Environment, CustomFiltersAndTests) {
  Environment env;
  env.set_filter("shout", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"value", "times"}, 1));
    std::string out = args[0].str();
    const auto times = args[1].is_int() ? args[1].as_int() : 1;
    for (std::int64_t i = 0; i < times; ++i) out += "!";
    return Value(out);
  });
  env.set_test("model_name", [](CallContext& context) -> Result<Value> {
    return Value(context.args()[0].is_string() && context.args()[0].as_string().starts_with("stg_"));
  });
  EXPECT_EQ(render_ok(env, "{{ 'hi' | shout(3) }} {{ 'stg_x' is model_name }}"), "hi!!! True");
  EXPECT_EQ(render_error(env, "{{ 'hi' | shout(1, 2) }}"),
            "t.sql:1:11: filter 'shout' takes at most 1 argument, 2 given");
  EXPECT_TRUE(env.has_filter("shout"));
  EXPECT_TRUE(env.has_test("model_name"));
}

TEST(Environment, RendersConcurrently) {
  Environment env;
  ASSERT_TRUE(
      env.load_macros("{% macro cols(n) %}{% for i in range(n) %}c{{ i }}{{ ', ' if not loop.last }}"
                      "{% endfor %}{% endmacro %}",
                      "macros/cols.sql", "root"));
  auto tpl = Template::parse("select {{ cols(n) }} from {{ name }}", "models/m.sql");
  ASSERT_TRUE(tpl);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Variables variables{{"n", Value(3)}, {"name", Value("t" + std::to_string(t))}};
        auto result = env.render(*tpl, variables);
        if (!result || *result != "select c0, c1, c2 from t" + std::to_string(t)) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, (std::vector<int>{0, 0, 0, 0}));
}

// 2,000 dbt-shaped models must render well under a millisecond each.
TEST(Environment, RendersTwoThousandModelsQuickly) {
  Environment env;
  env.set_function("ref", [](CallContext& context) -> Result<Value> {
    return Value("\"analytics\".\"main\".\"" + context.args()[0].str() + "\"");
  });
  env.set_function("config", [](CallContext&) -> Result<Value> { return Value(""); });
  ASSERT_TRUE(env.load_macros(R"({% macro cents_to_dollars(column, scale=2) -%}
round({{ column }} / 100, {{ scale }})
{%- endmacro %})",
                              "macros/cents.sql", "root"));
  auto tpl = Template::parse(R"({{ config(materialized='table') }}
{%- set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] %}
with payments as (select * from {{ ref('stg_payments') }}),
final as (
    select
        order_id,
        {% for method in payment_methods -%}
        sum(case when payment_method = '{{ method }}' then {{ cents_to_dollars('amount') }} else 0 end) as {{ method }}_amount,
        {% endfor -%}
        sum({{ cents_to_dollars('amount') }}) as total_amount
    from payments
    {% if model_name | length > 3 and 'orders' in model_name %}where true{% endif %}
    group by order_id
)
select * from final)",
                             "models/orders.sql");
  ASSERT_TRUE(tpl) << tpl.error().message;
  const auto start = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (int i = 0; i < 2000; ++i) {
    Variables variables{{"model_name", Value("orders_" + std::to_string(i))}};
    auto result = env.render(*tpl, variables);
    ASSERT_TRUE(result) << result.error().message;
    bytes += result->size();
  }
  const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "2000 renders in " << elapsed << " ms (" << elapsed / 2000 * 1000 << " us each, " << bytes
            << " bytes)\n";
  EXPECT_LT(elapsed / 2000, 1.0);
}

}  // namespace
}  // namespace cowork::jinja
