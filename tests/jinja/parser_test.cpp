#include "jinja/template.hpp"

#include <gtest/gtest.h>

namespace cowork::jinja {
namespace {

TEST(Template, ListsTopLevelDbtBlocks) {
  auto tpl = Template::parse(R"({% macro a(x) %}{% endmacro %}
{% test unique(model, column_name) %}select 1{% endtest %}
{% materialization incremental, adapter='duckdb' %}{% endmaterialization %}
{% materialization table, default %}{% endmaterialization %}
{% snapshot snap %}select {{ 1 }}{% endsnapshot %}
{% docs intro %}Some *markdown*.{% enddocs %}
{% if true %}{% macro nested() %}{% endmacro %}{% endif %}
)",
                             "macros/all.sql");
  ASSERT_TRUE(tpl) << tpl.error().message;
  const auto& blocks = tpl->blocks();
  ASSERT_EQ(blocks.size(), 6u);
  EXPECT_EQ(blocks[0].macro_name, "a");
  EXPECT_EQ(blocks[1].kind, BlockKind::test);
  EXPECT_EQ(blocks[1].name, "unique");
  EXPECT_EQ(blocks[1].macro_name, "test_unique");
  EXPECT_EQ(blocks[1].line, 2u);
  EXPECT_EQ(blocks[1].column, 1u);
  EXPECT_EQ(blocks[2].macro_name, "materialization_incremental_duckdb");
  EXPECT_EQ(blocks[3].macro_name, "materialization_table_default");
  EXPECT_EQ(blocks[4].kind, BlockKind::snapshot);
  EXPECT_EQ(blocks[4].body, "select {{ 1 }}");
  EXPECT_EQ(blocks[5].kind, BlockKind::docs);
  EXPECT_EQ(blocks[5].body, "Some *markdown*.");
  EXPECT_EQ(to_string(blocks[5].kind), "docs");
}

TEST(Template, ParseErrorsNameFileLineColumnAndWhatWasExpected) {
  struct Case {
    std::string source, message;
  };
  const std::vector<Case> cases = {
      {"a\n\n{% if x %}\nb\n", "m.sql:4:2: expected 'endif', found end of file (the 'if' opened at 3:1)"},
      {"{% for x in y %}{% endif %}", "m.sql:1:20: expected 'endfor', found 'endif' (the 'for' opened at 1:1)"},
      {"{% else %}", "m.sql:1:4: unexpected 'else': no block is open"},
      {"{% bogus %}", "m.sql:1:4: unknown tag 'bogus'"},
      {"{{ 1 2 }}", "m.sql:1:6: expected '}}', found '2'"},
      {"{{ }}", "m.sql:1:4: expected an expression, found '}}'"},
      {"{{ f(a=1, 2) }}", "m.sql:1:11: a positional argument follows a keyword argument"},
      {"{% macro m(a=1, b) %}{% endmacro %}", "m.sql:1:17: parameter 'b' without a default follows one with a default"},
      {"{{ x[1 }}", "m.sql:1:8: unexpected '}', expected ']' (the '[' opened at 1:5)"},
      {"{% set x = 'a %}", "m.sql:1:12: unterminated string"},
      {"{% raw %}never closed", "m.sql:1:22: expected 'endraw', found end of file (the 'raw' opened at 1:1)"},
      {"{{ x | }}", "m.sql:1:8: expected a filter name, found '}}'"},
      {"{% for in y %}{% endfor %}", "m.sql:1:11: expected 'in', found 'y'"},
      {"{% for 1 in y %}{% endfor %}", "m.sql:1:8: expected a variable name, found '1'"},
      {"{{ 99999999999999999999 }}", "m.sql:1:4: integer literal 99999999999999999999 is out of range"},
  };
  for (const auto& c : cases) {
    auto tpl = Template::parse(c.source, "m.sql");
    ASSERT_FALSE(tpl) << c.source;
    EXPECT_EQ(tpl.error().message, c.message) << c.source;
    EXPECT_EQ(tpl.error().code, ErrorCode::invalid_argument);
  }
}

TEST(Template, DeepNestingIsAnErrorNotACrash) {
  std::string source;
  for (int i = 0; i < 5000; ++i) source += "{% if true %}";
  auto tpl = Template::parse(source, "deep.sql");
  ASSERT_FALSE(tpl);
  EXPECT_NE(tpl.error().message.find("nesting too deep"), std::string::npos) << tpl.error().message;

  std::string expression = "{{ " + std::string(5000, '[') + std::string(5000, ']') + " }}";
  auto nested = Template::parse(expression, "deep.sql");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("nesting too deep"), std::string::npos);

  std::string nots = "{{ " + std::string(0, ' ');
  for (int i = 0; i < 5000; ++i) nots += "not ";
  nots += "x }}";
  auto negations = Template::parse(nots, "deep.sql");
  ASSERT_FALSE(negations);
  EXPECT_NE(negations.error().message.find("nesting too deep"), std::string::npos);
}

TEST(Template, ColumnsCountCharactersNotBytes) {
  auto tpl = Template::parse("é {{ 1 2 }}", "u.sql");
  ASSERT_FALSE(tpl);
  EXPECT_EQ(tpl.error().message, "u.sql:1:8: expected '}}', found '2'");
}

TEST(Template, CopiesShareTheParsedTree) {
  auto tpl = Template::parse("{{ x }}", "a.sql");
  ASSERT_TRUE(tpl);
  Template copy = *tpl;
  EXPECT_EQ(copy.data(), tpl->data());
  EXPECT_EQ(copy.name(), "a.sql");
}

}  // namespace
}  // namespace cowork::jinja
