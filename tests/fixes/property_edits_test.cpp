#include "fixes/property_edits.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fixes/diff.hpp"
#include "fixes/yaml_edit.hpp"

namespace cowork::fixes {
namespace {

const std::string k_schema = R"(version: 2

models:
  - name: dim_a
    columns:
      - name: id
        data_tests:
          - unique
          - not_null
  - name: dim_b
    data_tests:
      - dbt_utils.expression_is_true:
          expression: "x > 0"
      - dbt_utils.expression_is_true:
          expression: "y > 0"
    columns:
      - name: kind
        data_tests:
          - accepted_values:
              values: "{{ var('kinds') }}"
)";

std::string error_of(const Result<std::string>& result) {
  EXPECT_FALSE(result) << "succeeded with:\n" << (result ? *result : std::string());
  return result ? std::string() : result.error().message;
}

TEST(EmitScalar, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(emit_scalar("warn", ScalarStyle::plain, false), "warn");
  EXPECT_EQ(emit_scalar("Hotel room", ScalarStyle::plain, false), "Hotel room");
  EXPECT_EQ(emit_scalar("Hotel room", ScalarStyle::single_quoted, false), "'Hotel room'");
  EXPECT_EQ(emit_scalar("Hotel room", ScalarStyle::double_quoted, false), "\"Hotel room\"");
  // What YAML would read as something else, or cannot hold bare.
  for (const char* text : {"yes", "No",  "on",    "null",   "~",      "true",       "1.5",   "2024-01-01", "007", "-1",
                           ".5",  "",    " lead", "a: b",   "a #b",   "ends:",      "@home", "*x",         "&y",  "!z",
                           "%p",  "[x]", "{y}",   "- item", "o'neil", "say \"hi\"", "<<",    "="})
    EXPECT_FALSE(plain_is_safe(text, false)) << text;
  for (const char* text : {"warn", "Entire home/apt", "created >= current_date - 3", "a-b", "x:y", "C#", "t", "f",
                           "https://x.io/a", "ref_x", "Ünïcode"})
    EXPECT_TRUE(plain_is_safe(text, false)) << text;
  EXPECT_FALSE(plain_is_safe("a,b", true));
  EXPECT_TRUE(plain_is_safe("a,b", false));
  EXPECT_EQ(emit_scalar("yes", ScalarStyle::plain, false), "\"yes\"");
  EXPECT_EQ(emit_scalar("yes", ScalarStyle::plain, false, '\''), "'yes'");
  EXPECT_EQ(emit_scalar("o'neil", ScalarStyle::plain, false, '\''), "\"o'neil\"");
  EXPECT_EQ(emit_scalar("o'neil", ScalarStyle::single_quoted, false), "\"o'neil\"");
  EXPECT_EQ(emit_scalar("it's \"x\"", ScalarStyle::single_quoted, false), "'it''s \"x\"'");
  EXPECT_EQ(emit_scalar("line\nbreak", ScalarStyle::single_quoted, false), "\"line\\nbreak\"");
  EXPECT_EQ(emit_scalar(3, ScalarStyle::single_quoted, false), "3");
  EXPECT_EQ(emit_scalar(2.5, ScalarStyle::plain, false), "2.5");
  EXPECT_EQ(emit_scalar(false, ScalarStyle::plain, false), "false");
  EXPECT_EQ(emit_scalar(nullptr, ScalarStyle::plain, false), "null");
}

TEST(PropertyEdits, NamesWhatIsThereWhenSomethingIsNot) {
  EXPECT_EQ(error_of(add_accepted_values(k_schema, "models/schema.yml", Resource::model("dim_x"), "id", {"a"})),
            "models/schema.yml: no model named 'dim_x' (models here: dim_a, dim_b)");
  EXPECT_EQ(
      error_of(set_test_config(k_schema, "models/schema.yml", Resource::seed("s"), "id", "unique", "severity", "warn")),
      "models/schema.yml: no seed named 's' (this file has no seeds: list)");
  EXPECT_EQ(error_of(set_test_config(k_schema, "models/schema.yml", Resource::model("dim_a"), "name", "unique",
                                     "severity", "warn")),
            "models/schema.yml:4:5: model 'dim_a' has no column 'name' (columns here: id)");
  EXPECT_EQ(error_of(set_test_config(k_schema, "models/schema.yml", Resource::model("dim_a"), "id", "relationships",
                                     "severity", "warn")),
            "models/schema.yml:6:9: column 'id' of model 'dim_a' has no test 'relationships' (tests here: unique, "
            "not_null)");
  EXPECT_EQ(error_of(set_test_config(k_schema, "models/schema.yml", Resource::model("dim_b"), "", "expression_is_true",
                                     "severity", "warn")),
            "models/schema.yml:14:9: model 'dim_b' has 2 'expression_is_true' tests; name the one meant by its name: "
            "or as 'expression_is_true#N' (N from 0)");
  EXPECT_EQ(error_of(add_accepted_values(k_schema, "models/schema.yml", Resource::model("dim_b"), "kind", {"z"})),
            "models/schema.yml:20:23: the values: of this accepted_values test are computed or a scalar, not a list "
            "cowork can add to");
  EXPECT_EQ(error_of(add_data_test(k_schema, "models/sources.yml", Resource::source("raw", "t"), "", "unique")),
            "models/sources.yml: no source named 'raw' (this file has no sources: list)");
  EXPECT_EQ(Resource::source("raw", "orders").describe(), "source table 'raw.orders'");
}

TEST(PropertyEdits, NoOpWhenAlreadyThere) {
  auto same = add_accepted_values(
      "models:\n  - name: m\n    columns:\n      - name: c\n        data_tests:\n          - accepted_values:\n"
      "              values: [1, 2]\n              quote: false\n",
      "f.yml", Resource::model("m"), "c", {1, 2});
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(unified_diff("models:\n  - name: m\n    columns:\n      - name: c\n        data_tests:\n"
                         "          - accepted_values:\n              values: [1, 2]\n              quote: false\n",
                         *same, "f.yml"),
            "");
  auto numbers = add_accepted_values(
      "models:\n  - name: m\n    columns:\n      - name: c\n        data_tests:\n          - accepted_values:\n"
      "              values: [1, 2]\n              quote: false\n",
      "f.yml", Resource::model("m"), "c", {2, 3});
  ASSERT_TRUE(numbers);
  EXPECT_NE(numbers->find("values: [1, 2, 3]"), std::string::npos) << *numbers;
  auto test_there = add_data_test(k_schema, "models/schema.yml", Resource::model("dim_a"), "id", "unique");
  ASSERT_TRUE(test_there);
  EXPECT_EQ(*test_there, k_schema);
}

TEST(PropertyEdits, RefusesToEditThroughAnchorsAliasesAndMerges) {
  const std::string anchored = R"(version: 2
models:
  - &base
    name: dim_a
    columns:
      - name: id
        data_tests: [unique]
  - <<: *base
    name: dim_b
)";
  EXPECT_EQ(error_of(add_data_test(anchored, "models/schema.yml", Resource::model("dim_a"), "id", "not_null")),
            "models/schema.yml:3:5: models[name=dim_a] carries the anchor &base, so other places may repeat it "
            "through aliases; cowork does not edit anchored YAML");
  EXPECT_EQ(error_of(add_data_test(anchored, "models/schema.yml", Resource::model("dim_b"), "id", "not_null")),
            "models/schema.yml:8:5: models[name=dim_b] merges another mapping (<<:) that may hold 'columns'; cowork "
            "does not edit through YAML merge keys");
  const std::string aliased = R"(version: 2
shared_tests: &t
  - unique
models:
  - name: dim_a
    columns:
      - name: id
        data_tests: *t
)";
  EXPECT_EQ(error_of(add_data_test(aliased, "models/schema.yml", Resource::model("dim_a"), "id", "not_null")),
            "models/schema.yml:8:21: models[name=dim_a].columns[name=id].data_tests is an alias (*t) of another node; "
            "cowork does not edit through YAML aliases");
}

TEST(PropertyEdits, BadFilesAreErrorsNotMangledOutput) {
  EXPECT_EQ(error_of(add_data_test("models:\n\t- name: a\n", "models/schema.yml", Resource::model("a"), "", "x")),
            "models/schema.yml:2:1: a tab character indents this line; YAML indentation must be spaces");
  EXPECT_EQ(error_of(add_data_test("models: []\n---\nmodels: []\n", "m.yml", Resource::model("a"), "", "x")),
            "m.yml:2:1: a second YAML document starts here; a dbt property file must hold exactly one");
  EXPECT_EQ(error_of(add_data_test("- a\n- b\n", "m.yml", Resource::model("a"), "", "x")),
            "m.yml: no model named 'a' (the file is not a mapping of dbt properties)");
  EXPECT_EQ(error_of(add_data_test("models: {a: 1}\n", "m.yml", Resource::model("a"), "", "x")),
            "m.yml:1:9: models: should be a list");
  EXPECT_EQ(error_of(add_data_test(k_schema, "m.yml", Resource::model("dim_a"), "id", Value::array())),
            "add_data_test: a test is a name or {name: {...}}, not []");
}

TEST(PropertyEdits, RemovingTheOnlyEntryOfACompactItem) {
  const std::string text = "models:\n  - name: a\n    data_tests: [unique]\n";
  auto removed = remove_data_test(text, "m.yml", Resource::model("a"), "", "unique");
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, "models:\n  - name: a\n");
  // The first key of `- name: x` moves the next key up onto the dash line.
  auto key = remove_key("models:\n  - name: a\n    description: b\n", "m.yml", *parse_path("models[0]"), "name");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(*key, "models:\n  - description: b\n");
  EXPECT_EQ(error_of(remove_key("models:\n  - name: a\n", "m.yml", *parse_path("models[0]"), "name")),
            "m.yml:2:5: cannot remove the only entry of models[name=a]");
  auto item = remove_item("values:\n  - a\n", "m.yml", *parse_path("values[0]"));
  ASSERT_TRUE(item);
  EXPECT_EQ(*item, "values: []\n");
}

TEST(PropertyEdits, EditsEmptyValuesAndDocuments) {
  auto empty_config = set_test_config(
      "models:\n  - name: a\n    columns:\n      - name: b\n        tests:\n          - unique:\n"
      "              config:   # to do\n",
      "m.yml", Resource::model("a"), "b", "unique", "severity", "warn");
  ASSERT_TRUE(empty_config) << empty_config.error().message;
  EXPECT_EQ(*empty_config,
            "models:\n  - name: a\n    columns:\n      - name: b\n        tests:\n          - unique:\n"
            "              config:   # to do\n                severity: warn\n");
  auto empty_body = set_test_config("models:\n  - name: a\n    data_tests:\n      - unique:\n", "m.yml",
                                    Resource::model("a"), "", "unique", "where", "x > 1");
  ASSERT_TRUE(empty_body) << empty_body.error().message;
  EXPECT_EQ(*empty_body,
            "models:\n  - name: a\n    data_tests:\n      - unique:\n          config:\n"
            "            where: x > 1\n");
  auto empty_values = append_items("values:\n", "v.yml", *parse_path("values"), {"a", "b"});
  ASSERT_TRUE(empty_values) << empty_values.error().message;
  EXPECT_EQ(*empty_values, "values: ['a', 'b']\n");
  auto empty_doc = set_key("# property file\n", "v.yml", {}, {"version"}, 2);
  ASSERT_TRUE(empty_doc) << empty_doc.error().message;
  EXPECT_EQ(*empty_doc, "# property file\nversion: 2\n");
  auto empty_flow = append_items("tests: [ ]\n", "v.yml", *parse_path("tests"), {"unique"});
  ASSERT_TRUE(empty_flow);
  EXPECT_EQ(*empty_flow, "tests: [ unique ]\n");
}

TEST(Editor, SeveralEditsInOnePass) {
  auto doc = YamlDocument::parse(k_schema, "models/schema.yml");
  ASSERT_TRUE(doc);
  Editor editor(*doc);
  auto unique = find_test(*doc, Resource::model("dim_a"), "id", "unique");
  auto not_null = find_test(*doc, Resource::model("dim_a"), "id", "not_null");
  auto second = find_test(*doc, Resource::model("dim_b"), "", "expression_is_true#1");
  ASSERT_TRUE(unique && not_null && second);
  ASSERT_TRUE(set_in_test(editor, *unique, {"config", "severity"}, "warn"));
  ASSERT_TRUE(set_in_test(editor, *not_null, {"config", "severity"}, "warn"));
  ASSERT_TRUE(set_in_test(editor, *second, {"config", "where"}, "y is not null"));
  auto text = editor.finish();
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(unified_diff(k_schema, *text, "models/schema.yml"),
            "--- a/models/schema.yml\n"
            "+++ b/models/schema.yml\n"
            "@@ -5,14 +5,20 @@\n"
            "     columns:\n"
            "       - name: id\n"
            "         data_tests:\n"
            "-          - unique\n"
            "-          - not_null\n"
            "+          - unique:\n"
            "+              config:\n"
            "+                severity: warn\n"
            "+          - not_null:\n"
            "+              config:\n"
            "+                severity: warn\n"
            "   - name: dim_b\n"
            "     data_tests:\n"
            "       - dbt_utils.expression_is_true:\n"
            "           expression: \"x > 0\"\n"
            "       - dbt_utils.expression_is_true:\n"
            "           expression: \"y > 0\"\n"
            "+          config:\n"
            "+            where: y is not null\n"
            "     columns:\n"
            "       - name: kind\n"
            "         data_tests:\n");
}

}  // namespace
}  // namespace cowork::fixes
