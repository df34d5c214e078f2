// Golden tests of the YAML edits: tests/fixes/yaml/<case>.before.yml, <case>.edits.json, <case>.after.yml.
//
// <case>.edits.json:
//   { "file": "models/schema.yml",              the name used in messages
//     "edits": [ { "op": ..., ... }, ... ],     applied in order, each to the previous one's result
//     "expect": [ { "pointer": "/models/0/...", "value": ... } | { "pointer": ..., "remove": true }, ... ] }
// Ops: add_accepted_values {model|seed|snapshot|source+table, column, values}; set_test_config {..., column, test,
// key, value}; add_data_test {..., column, test}; remove_data_test {..., column, test}; set_scalar {path, value};
// append_items {path, items}; remove_item {path}; set_key {path, keys, value}; remove_key {path, key}. An edit with
// "error": "text" must fail with a message containing the text (and changes nothing).
//
// Each case checks: the result is <case>.after.yml byte for byte; yaml-cpp reads before and after, and the after
// structure equals the before structure with exactly the "expect" changes applied; the unified diff of the change
// applies back to the same text. COWORK_UPDATE_GOLDEN=1 rewrites the after files (review them before committing).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixes/diff.hpp"
#include "fixes/property_edits.hpp"
#include "fixes/yaml_edit.hpp"
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

void write_bytes(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

Resource resource_of(const Value& edit) {
  if (edit.contains("source")) return Resource::source(edit.at("source"), edit.at("table"));
  if (edit.contains("seed")) return Resource::seed(edit.at("seed"));
  if (edit.contains("snapshot")) return Resource::snapshot(edit.at("snapshot"));
  return Resource::model(edit.at("model"));
}

Result<std::string> apply_edit(const std::string& text, const std::string& file, const Value& edit) {
  const std::string op = edit.at("op");
  const std::string column = edit.value("column", "");
  if (op == "add_accepted_values")
    return add_accepted_values(text, file, resource_of(edit), column, edit.at("values").get<std::vector<Value>>());
  if (op == "set_test_config")
    return set_test_config(text, file, resource_of(edit), column, edit.at("test").get<std::string>(),
                           edit.at("key").get<std::string>(), edit.at("value"));
  if (op == "add_data_test") return add_data_test(text, file, resource_of(edit), column, edit.at("test"));
  if (op == "remove_data_test")
    return remove_data_test(text, file, resource_of(edit), column, edit.at("test").get<std::string>());
  COWORK_ASSIGN_OR_RETURN(Path path, parse_path(edit.at("path").get<std::string>()));
  if (op == "set_scalar") return set_scalar(text, file, path, edit.at("value"));
  if (op == "append_items") return append_items(text, file, path, edit.at("items").get<std::vector<Value>>());
  if (op == "remove_item") return remove_item(text, file, path);
  if (op == "set_key")
    return set_key(text, file, path, edit.at("keys").get<std::vector<std::string>>(), edit.at("value"));
  if (op == "remove_key") return remove_key(text, file, path, edit.at("key").get<std::string>());
  return make_error(ErrorCode::invalid_argument, "unknown op '{}'", op);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(COWORK_FIXES_GOLDEN_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".edits.json")) names.push_back(name.substr(0, name.size() - std::string(".edits.json").size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

class YamlGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(YamlGolden, EditsMatchGoldenAndIntent) {
  const fs::path dir = COWORK_FIXES_GOLDEN_DIR;
  const std::string name = GetParam();
  const std::string before = read_bytes(dir / (name + ".before.yml"));
  ASSERT_FALSE(before.empty()) << name << ".before.yml is missing or empty";
  const Value spec = Value::parse(read_bytes(dir / (name + ".edits.json")));
  const std::string file = spec.value("file", "models/schema.yml");

  std::string text = before;
  for (const Value& edit : spec.at("edits")) {
    auto result = apply_edit(text, file, edit);
    if (edit.contains("error")) {
      ASSERT_FALSE(result) << "expected an error for " << edit.dump();
      EXPECT_NE(result.error().message.find(edit.at("error").get<std::string>()), std::string::npos)
          << result.error().message;
      continue;
    }
    ASSERT_TRUE(result) << edit.dump() << ": " << result.error().message;
    text = *result;
  }

  const fs::path after_path = dir / (name + ".after.yml");
  if (std::getenv("COWORK_UPDATE_GOLDEN") != nullptr && read_bytes(after_path) != text) write_bytes(after_path, text);
  EXPECT_EQ(text, read_bytes(after_path)) << "diff from the golden:\n"
                                          << unified_diff(read_bytes(after_path), text, name + ".after.yml");

  // The structure: before + the expected changes == after, as yaml-cpp reads them.
  auto before_yaml = parse_yaml(before, name + ".before.yml");
  ASSERT_TRUE(before_yaml) << before_yaml.error().message;
  auto after_yaml = parse_yaml(text, name + ".after.yml");
  ASSERT_TRUE(after_yaml) << after_yaml.error().message;
  nlohmann::json expected = yaml_to_json(*before_yaml);
  for (const Value& change : spec.value("expect", Value::array())) {
    const nlohmann::json::json_pointer pointer(change.at("pointer").get<std::string>());
    if (change.value("remove", false)) {
      nlohmann::json& parent = expected[pointer.parent_pointer()];
      if (parent.is_array()) {
        parent.erase(static_cast<std::size_t>(std::stoul(pointer.back())));
      } else {
        parent.erase(pointer.back());
      }
    } else {
      expected[pointer] = nlohmann::json::parse(change.at("value").dump());
    }
  }
  EXPECT_EQ(yaml_to_json(*after_yaml), expected) << "the edited file does not hold the intended structure";

  // The change as a patch: it applies back exactly.
  const std::string diff = unified_diff(before, text, file);
  EXPECT_EQ(diff.empty(), before == text);
  auto applied = apply_unified_diff(before, diff);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, text);
}

INSTANTIATE_TEST_SUITE_P(Cases, YamlGolden, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(YamlGoldenSet, HasEnoughCases) {
  EXPECT_GE(case_names().size(), 30u);
}

}  // namespace
}  // namespace cowork::fixes
