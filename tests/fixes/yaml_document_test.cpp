#include "fixes/yaml_document.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "util/yaml.hpp"

namespace cowork::fixes {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

YamlDocument parse_ok(const std::string& text) {
  auto doc = YamlDocument::parse(text, "models/schema.yml");
  EXPECT_TRUE(doc) << doc.error().message;
  return doc ? std::move(*doc) : *YamlDocument::parse("", "empty");
}

std::string parse_error(const std::string& text) {
  auto doc = YamlDocument::parse(text, "models/schema.yml");
  EXPECT_FALSE(doc) << "parsed: " << text;
  return doc ? std::string() : doc.error().message;
}

std::string text_of(const YamlDocument& doc, NodeId id) {
  const Node& n = doc.node(id);
  return doc.text().substr(n.begin, n.end - n.begin);
}

// The document as JSON with YAML's scalar types, the way util/yaml.hpp reads yaml-cpp's tree, so the two parsers can
// be compared.
nlohmann::json plain_scalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') ++begin;
  std::int64_t integer = 0;
  if (auto [ptr, ec] = std::from_chars(begin, end, integer); ec == std::errc() && ptr == end) return integer;
  double number = 0;
  if (text.find_first_of("0123456789") != std::string::npos) {
    if (auto [ptr, ec] = std::from_chars(begin, end, number); ec == std::errc() && ptr == end && std::isfinite(number))
      return number;
  }
  return text;
}

nlohmann::json to_json(const YamlDocument& doc, NodeId id, std::map<std::string, NodeId>& anchors) {
  const Node& n = doc.node(id);
  if (!n.anchor.empty()) anchors[n.anchor] = id;
  switch (n.kind) {
    case NodeKind::null:
      return nullptr;
    case NodeKind::scalar:
      if (n.style != ScalarStyle::plain || !n.tag.empty()) return n.value;
      return plain_scalar(n.value);
    case NodeKind::block_scalar: {
      // The node's text ends at its last content; the line break after it belongs to the value.
      YAML::Node loaded = YAML::Load("k: " + n.value + "\n");
      return loaded["k"].as<std::string>();
    }
    case NodeKind::alias:
      return to_json(doc, anchors.at(n.value), anchors);
    case NodeKind::block_sequence:
    case NodeKind::flow_sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (NodeId item : n.values) out.push_back(to_json(doc, item, anchors));
      return out;
    }
    case NodeKind::block_mapping:
    case NodeKind::flow_mapping: {
      nlohmann::json out = nlohmann::json::object();
      for (std::size_t i = 0; i < n.keys.size(); ++i)
        out[doc.node(n.keys[i]).value] = to_json(doc, n.values[i], anchors);
      return out;
    }
  }
  return nullptr;
}

void expect_same_as_yaml_cpp(const std::string& text, const std::string& label) {
  auto doc = YamlDocument::parse(text, label);
  ASSERT_TRUE(doc) << label << ": " << doc.error().message;
  auto reference = parse_yaml(text, label);
  ASSERT_TRUE(reference) << reference.error().message;
  std::map<std::string, NodeId> anchors;
  EXPECT_EQ(to_json(*doc, doc->root(), anchors), yaml_to_json(*reference)) << label;
}

TEST(YamlDocument, AgreesWithYamlCppOnEveryFixture) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(COWORK_FIXES_GOLDEN_DIR)) {
    if (entry.path().extension() != ".yml") continue;
    expect_same_as_yaml_cpp(read_bytes(entry.path()), entry.path().filename().string());
    ++files;
  }
  for (const char* name : {"schema.yml", "sources.yml", "exposures.yml"}) {
    expect_same_as_yaml_cpp(read_bytes(fs::path(COWORK_SOURCE_DIR) / "examples/airbnb/models" / name), name);
    ++files;
  }
  EXPECT_GE(files, 90);
}

TEST(YamlDocument, AgreesWithYamlCppOnTheSubset) {
  const std::vector<std::string> cases = {
      // plain, multi-line plain, quoted with escapes and folding, empty values
      "a: plain text\nb: more text\n  continued here\n\n  and a paragraph\nc: 'it''s'\nd: \"tab\\there \\u00e9\"\n"
      "e:\nf: ~\ng: 'two\n  lines'\nh: \"joined\\\n  here\"\n",
      // flow collections over lines with comments, nested
      "v: [a, 'b', \"c\", [d, e], {f: g}]\nw: {x: 1, y: [2, 3], z: {}}\nu: [\n  a,  # first\n  b\n]\nt: []\n",
      // sequences at the key's column and indented, compact items, nested compact sequences, null items
      "k:\n- a\n- b: 1\n  c: 2\n-\n- - x\n  - y\nl:\n    - 1\n    -   2\n",
      // block scalars with chomping and explicit indentation
      "a: |\n  line one\n\n  line two\nb: >-\n  folded\n  text\n\nc: |+\n  keep\n\nd: |2\n    indented\ne: end\n",
      // anchors, aliases and tags
      "base: &b {x: 1}\nuse: *b\nlist: &l\n  - 1\n  - 2\nagain: *l\nstr: !custom text\n",
      // document markers, directives, comments everywhere
      "%YAML 1.2\n---\n# head\na: 1 # one\n# between\nb:\n  # inside\n  c: 2\n...\n",
      // URLs and colons inside plain scalars, hashes without a blank before them
      "url: https://example.com/a#frag\nsql: select a:b from t\nkey with spaces: value\n\"quoted key\": 1\n",
      // CRLF
      "a: 1\r\nb:\r\n  - x\r\n  - 'y'\r\nc: >\r\n  folded\r\n  text\r\n",
      // no final newline
      "a:\n  b: [1, 2]",
      // empty document, comment only
      "# nothing here\n",
  };
  for (std::size_t i = 0; i < cases.size(); ++i) expect_same_as_yaml_cpp(cases[i], "case " + std::to_string(i));
}

TEST(YamlDocument, KeepsOffsetsOfEveryNode) {
  const std::string text = read_bytes(fs::path(COWORK_SOURCE_DIR) / "examples/airbnb/models/schema.yml");
  YamlDocument doc = parse_ok(text);
  auto id =
      doc.resolve(*parse_path("models[name=dim_listings_cleansed].columns[name=room_type].test(accepted_values)"
                              ".accepted_values.values"));
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(doc.node(*id).kind, NodeKind::flow_sequence);
  EXPECT_EQ(text_of(doc, *id), "['Entire home/apt', 'Private room', 'Shared room', 'Hotel room']");
  EXPECT_EQ(doc.location(doc.node(*id).begin), "models/schema.yml:25:23");
  const Node& seq = doc.node(*id);
  ASSERT_EQ(seq.values.size(), 4u);
  EXPECT_EQ(text_of(doc, seq.values[1]), "'Private room'");
  EXPECT_EQ(doc.node(seq.values[1]).value, "Private room");
  EXPECT_EQ(doc.node(seq.values[1]).style, ScalarStyle::single_quoted);

  auto models = doc.resolve({PathStep::key("models")});
  ASSERT_TRUE(models);
  EXPECT_EQ(doc.node(*models).kind, NodeKind::block_sequence);
  EXPECT_EQ(doc.node(*models).indent, 2);
  EXPECT_EQ(doc.node(*models).values.size(), 5u);
  // A block collection ends at its last value, before the blank line and what follows.
  const std::string last_model = text_of(doc, doc.node(*models).values.back());
  EXPECT_TRUE(last_model.starts_with("name: mart_fullmoon_reviews")) << last_model;
  EXPECT_TRUE(last_model.ends_with("values: ['full moon', 'not full moon']")) << last_model;
}

TEST(YamlDocument, DetectsConventions) {
  {
    YamlDocument doc = parse_ok(
        "models:\n    -   name: a\n        columns:\n            -   name: b\n"
        "                tests:\n                    -   not_null:\n"
        "                            where: \"x\"\n");
    EXPECT_EQ(doc.conventions().mapping_indent, 4);
    EXPECT_EQ(doc.conventions().sequence_indent, 4);
    EXPECT_EQ(doc.conventions().item_indent, 4);
    EXPECT_EQ(doc.conventions().tests_key, "tests");
    EXPECT_EQ(doc.conventions().line_break, "\n");
  }
  {
    YamlDocument doc = parse_ok(
        "models:\r\n- name: a\r\n  columns:\r\n  - name: b\r\n    data_tests:\r\n"
        "    - accepted_values:\r\n        values: [\"x\", \"y\"]\r\n");
    EXPECT_EQ(doc.conventions().sequence_indent, 0);
    EXPECT_EQ(doc.conventions().mapping_indent, 2);
    EXPECT_EQ(doc.conventions().item_style, ScalarStyle::double_quoted);
    EXPECT_EQ(doc.conventions().tests_key, "data_tests");
    EXPECT_EQ(doc.conventions().line_break, "\r\n");
  }
}

TEST(YamlDocument, RefusesWhatItDoesNotCover) {
  EXPECT_EQ(parse_error("models:\n\t- name: a\n"),
            "models/schema.yml:2:1: a tab character indents this line; YAML indentation must be spaces");
  EXPECT_EQ(parse_error("models:\n  - name: a\n  \t  description: b\n"),
            "models/schema.yml:3:3: a tab character indents this line; YAML indentation must be spaces");
  EXPECT_EQ(parse_error("version: 2\n---\nmodels: []\n"),
            "models/schema.yml:2:1: a second YAML document starts here; a dbt property file must hold exactly one");
  EXPECT_EQ(parse_error("a: 1\n? b\n: 2\n"), "models/schema.yml:2:1: explicit mapping keys ('? ') are not supported");
  EXPECT_EQ(parse_error("values: ['a', 'b'\nnext: 1\n"),
            "models/schema.yml:2:1: expected ',' or ']' here, found 'next: 1'");
  EXPECT_EQ(parse_error("values: ['a', 'b'"), "models/schema.yml:1:9: this '[' is never closed");
  EXPECT_EQ(parse_error("a: 'unclosed\nb: 1\n"), "models/schema.yml:1:4: this quoted string is never closed");
  EXPECT_EQ(parse_error("a:\n  b: 1\n    c: 2\n"),
            "models/schema.yml:3:5: this 'key: value' line is indented deeper than the entry above it");
  EXPECT_EQ(parse_error("a:\n  b:\n    c: 1\n   d: 2\n"),
            "models/schema.yml:4:4: this line is indented more than the keys of its mapping (column 3)");
  EXPECT_EQ(parse_error("a: b: c\n"), "models/schema.yml:1:4: a block mapping cannot start on the line of its key");
  EXPECT_EQ(parse_error("a: [x: 1]\n"),
            "models/schema.yml:1:5: a 'key: value' pair directly inside [...] is not supported; write it as {key: "
            "value}");
  EXPECT_EQ(parse_error("a: 'x' y\n"), "models/schema.yml:1:8: unexpected text 'y' after the value");
  EXPECT_EQ(parse_error("- a\nb: 1\n"), "models/schema.yml:2:1: unexpected text 'b: 1' after the document's end");
  EXPECT_EQ(parse_error(std::string("a: 1\nb: \0\n", 11)),
            "models/schema.yml:2:4: a NUL byte; this is not a text file");
  EXPECT_EQ(parse_error("a: \"bad \\q escape\"\n"),
            "models/schema.yml:1:9: unknown escape '\\q' in a double-quoted string");
}

TEST(YamlDocument, RefusesDeepNestingInsteadOfOverflowing) {
  EXPECT_EQ(parse_error(std::string(100000, '[')), "models/schema.yml:1:201: collections nested more than 200 deep");
  std::string dashes;
  for (int i = 0; i < 5000; ++i) dashes += "- ";
  EXPECT_EQ(parse_error(dashes + "x\n"), "models/schema.yml:1:401: collections nested more than 200 deep");
  std::string keys;
  for (int i = 0; i < 1000; ++i) keys += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  EXPECT_NE(parse_error(keys).find("collections nested more than 200 deep"), std::string::npos);
}

TEST(YamlDocument, ToleratesOddButValidFiles) {
  // Tabs after content, a byte-order mark, trailing spaces, CR LF, no final newline, comments in odd places.
  YamlDocument doc = parse_ok(
      "\xEF\xBB\xBF# top\r\nversion:\t2   \r\nmodels:   # list\r\n  - name: a\t# tab before comment\r\n"
      "    columns:\r\n      - name: b   \r\n        tests: [unique]");
  auto tests = doc.resolve(*parse_path("models[name=a].columns[name=b].tests"));
  ASSERT_TRUE(tests) << tests.error().message;
  EXPECT_EQ(text_of(doc, *tests), "[unique]");
  EXPECT_EQ(doc.location(doc.node(*tests).begin), "models/schema.yml:7:16");
  EXPECT_EQ(doc.conventions().line_break, "\r\n");
  // The byte-order mark does not count as a column.
  auto version = doc.resolve({PathStep::key("version")});
  ASSERT_TRUE(version);
  EXPECT_EQ(doc.location(doc.node(doc.node(*version).parent).begin), "models/schema.yml:2:1");
}

TEST(YamlPath, ParsesAndPrints) {
  const std::string text = "models[name=dim_x].columns[0].\"a.b\".test(accepted_values#1).config";
  auto path = parse_path(text);
  ASSERT_TRUE(path) << path.error().message;
  ASSERT_EQ(path->size(), 7u);
  EXPECT_EQ((*path)[1].kind, PathStep::Kind::match);
  EXPECT_EQ((*path)[1].value, "dim_x");
  EXPECT_EQ((*path)[2].kind, PathStep::Kind::key);
  EXPECT_EQ((*path)[3].kind, PathStep::Kind::index);
  EXPECT_EQ((*path)[4].name, "a.b");
  EXPECT_EQ((*path)[5].kind, PathStep::Kind::test);
  EXPECT_EQ((*path)[5].index, 1);
  EXPECT_EQ(to_string(*path), text);
  EXPECT_FALSE(parse_path("models[name=x"));
  EXPECT_FALSE(parse_path("models[x]"));
  EXPECT_FALSE(parse_path(".models"));
}

TEST(YamlPath, ResolveErrorsSayWhatIsThere) {
  const std::string text = read_bytes(fs::path(COWORK_SOURCE_DIR) / "examples/airbnb/models/schema.yml");
  YamlDocument doc = parse_ok(text);
  auto missing = doc.resolve(*parse_path("models[name=dim_x]"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "models/schema.yml:4:3: no item with name 'dim_x' in models (names here: dim_listings_cleansed, "
            "dim_hosts_cleansed, dim_listings_w_hosts, fct_reviews, mart_fullmoon_reviews)");
  auto no_key = doc.resolve(*parse_path("models[name=fct_reviews].config"));
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().message,
            "models/schema.yml:59:5: no key 'config' in models[name=fct_reviews] (keys here: name, description, "
            "columns)");
  auto no_test = doc.resolve(*parse_path("models[name=fct_reviews].columns[name=review_id].test(accepted_values)"));
  ASSERT_FALSE(no_test);
  EXPECT_EQ(no_test.error().message,
            "models/schema.yml:62:9: models[name=fct_reviews].columns[name=review_id] has no test 'accepted_values' "
            "(tests here: unique, not_null)");
  auto index = doc.resolve(*parse_path("models[7]"));
  ASSERT_FALSE(index);
  EXPECT_EQ(index.error().message, "models/schema.yml:4:3: models has 5 items; there is no item 7");
  auto scalar = doc.resolve(*parse_path("version.x"));
  ASSERT_FALSE(scalar);
  EXPECT_EQ(scalar.error().message, "models/schema.yml:1:10: version is a scalar, not a mapping with the key 'x'");
}

TEST(YamlPath, FindsTestsInEverySpelling) {
  YamlDocument doc = parse_ok(
      "models:\n  - name: m\n    columns:\n      - name: c\n        tests:\n          - unique\n"
      "          - not_null: {severity: warn}\n        data_tests:\n          - accepted_values:\n"
      "              values: [a]\n          - name: custom\n            test_name: dbt_utils.not_constant\n");
  for (const auto& [name, expected] : std::vector<std::pair<std::string, std::string>>{
           {"unique", "unique"},
           {"not_null", "not_null: {severity: warn}"},
           {"accepted_values", "accepted_values:\n              values: [a]"},
           {"custom", "name: custom\n            test_name: dbt_utils.not_constant"},
           {"not_constant", "name: custom\n            test_name: dbt_utils.not_constant"}}) {
    auto id = doc.resolve({PathStep::key("models"), PathStep::match("name", "m"), PathStep::key("columns"),
                           PathStep::match("name", "c"), PathStep::test(name)});
    ASSERT_TRUE(id) << name << ": " << id.error().message;
    EXPECT_EQ(text_of(doc, *id), expected) << name;
  }
}

}  // namespace
}  // namespace cowork::fixes
