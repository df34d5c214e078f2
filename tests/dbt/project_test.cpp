#include "dbt/project.hpp"

#include <gtest/gtest.h>

#include "dbt/config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::TempDir;

const std::filesystem::path k_airbnb = std::filesystem::path(COWORK_SOURCE_DIR) / "examples/airbnb";

TEST(Project, LoadsTheAirbnbExample) {
  auto project = load_project(k_airbnb);
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->settings.name, "airbnb");
  EXPECT_EQ(project->settings.profile, "airbnb");
  EXPECT_EQ(project->models.size(), 8u);
  EXPECT_EQ(project->seeds.size(), 4u);
  EXPECT_EQ(project->singular_tests.size(), 2u);
  ASSERT_EQ(project->sources.size(), 1u);
  EXPECT_EQ(project->sources[0].schema, "{{ target.schema }}_raw");
  EXPECT_EQ(project->sources[0].tables.size(), 3u);
  ASSERT_EQ(project->exposures.size(), 1u);
  EXPECT_EQ(project->exposures[0].depends_on.size(), 2u);
  // The generic test lives in tests/generic and is read as a macro file, not a singular test.
  bool generic = false;
  for (const auto& file : project->macro_files) generic = generic || file.path == "tests/generic/positive_value.sql";
  EXPECT_TRUE(generic);
  const ProjectFile* model = nullptr;
  for (const auto& file : project->models)
    if (file.name == "dim_listings_cleansed") model = &file;
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->path, "models/dim/dim_listings_cleansed.sql");
  EXPECT_EQ(model->fqn, (std::vector<std::string>{"airbnb", "dim", "dim_listings_cleansed"}));

  const NodeProperties* props = nullptr;
  for (const auto& p : project->model_properties)
    if (p.name == "dim_listings_cleansed") props = &p;
  ASSERT_NE(props, nullptr);
  EXPECT_EQ(props->config["meta"]["criticality"], "high");
  ASSERT_EQ(props->columns.size(), 5u);
  const auto& host = props->columns[1];
  ASSERT_EQ(host.tests.size(), 2u);
  EXPECT_EQ(host.tests[1].name, "relationships");
  EXPECT_EQ(host.tests[1].args["to"], "ref('dim_hosts_cleansed')");
  EXPECT_EQ(host.tests[1].args["field"], "host_id");
  EXPECT_EQ(host.tests[1].column, "host_id");
  EXPECT_EQ(host.tests[1].location.file, "models/schema.yml");
  EXPECT_GT(host.tests[1].location.line, 0);
}

TEST(Project, TestEntriesInEveryShape) {
  Project project;
  auto status = parse_property_file(R"(
version: 2
models:
  - name: orders
    data_tests:
      - dbt_utils.expression_is_true:
          expression: "amount >= 0"
          config:
            severity: warn
            where: "status != 'void'"
    columns:
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped']
              severity: warn
          - not_null:
              name: status_is_present
          - test_name: unique
            config: {error_if: "> 10"}
          - relationships:
              arguments:
                to: ref('customers')
                field: id
)",
                                    "models/orders.yml", project);
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_EQ(project.model_properties.size(), 1u);
  const auto& orders = project.model_properties[0];
  ASSERT_EQ(orders.tests.size(), 1u);
  EXPECT_EQ(orders.tests[0].namespace_, "dbt_utils");
  EXPECT_EQ(orders.tests[0].name, "expression_is_true");
  EXPECT_EQ(orders.tests[0].args["expression"], "amount >= 0");
  EXPECT_EQ(orders.tests[0].config["severity"], "warn");
  EXPECT_EQ(orders.tests[0].config["where"], "status != 'void'");
  const auto& tests = orders.columns[0].tests;
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests[0].config["severity"], "warn");
  EXPECT_FALSE(tests[0].args.contains("severity"));
  EXPECT_EQ(tests[1].custom_name, "status_is_present");
  EXPECT_EQ(tests[2].name, "unique");
  EXPECT_EQ(tests[2].config["error_if"], "> 10");
  EXPECT_EQ(tests[3].args["to"], "ref('customers')");
}

TEST(Project, BadPropertyFilesPointAtTheLine) {
  struct Case {
    std::string yaml, expected;
  };
  const std::vector<Case> cases = {
      {"models:\n  - description: no name\n", "models/bad.yml:2:5: an entry of models without a name"},
      {"models: {name: a}\n", "models/bad.yml:1:9: models must be a list"},
      {"models:\n  - name: a\n    columns:\n      - name: x\n        tests:\n          - unique: {}\n            "
       "not_null: {}\n",
       "models/bad.yml:6:13: a data test must be a name"},
      {"models:\n  - name: a\n    tests:\n      - accepted_values: [a, b]\n",
       "models/bad.yml:4:26: the arguments of test 'accepted_values' must be a mapping"},
      {"sources:\n  - name: raw\n    tables:\n      - identifier: x\n",
       "models/bad.yml:4:9: a source table without a name"},
      {"models:\n  - name: a\n    columns: [unclosed\n", "models/bad.yml:4:1: invalid YAML"},
  };
  for (const auto& c : cases) {
    Project project;
    auto status = parse_property_file(c.yaml, "models/bad.yml", project);
    ASSERT_FALSE(status) << c.yaml;
    EXPECT_NE(status.error().message.find(c.expected), std::string::npos) << status.error().message;
  }
}

TEST(Project, MissingOrBrokenDbtProjectYml) {
  TempDir dir;
  auto none = load_project(dir.path());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
  EXPECT_NE(none.error().message.find("no dbt_project.yml"), std::string::npos);
  dir.write("dbt_project.yml", "version: 1\n");
  auto unnamed = load_project(dir.path());
  ASSERT_FALSE(unnamed);
  EXPECT_NE(unnamed.error().message.find("dbt_project.yml:1:1: dbt_project.yml needs a `name`"), std::string::npos)
      << unnamed.error().message;
  dir.write("dbt_project.yml", "name: x\nconfig-version: 1\n");
  auto old = load_project(dir.path());
  ASSERT_FALSE(old);
  EXPECT_NE(old.error().message.find("dbt_project.yml:2:17: only config-version: 2 is supported"), std::string::npos)
      << old.error().message;
}

TEST(Config, TreeConfigsApplyByFolderWithDbtMergeRules) {
  const auto tree = nlohmann::json::parse(R"({
    "shop": {
      "+materialized": "view", "+tags": ["shop"], "+meta": {"owner": "a"},
      "marts": {"+materialized": "table", "+tags": "mart", "+meta": {"tier": 1},
                "finance": {"materialized": "incremental", "orders": {"+enabled": false}}},
      "staging": {"+schema": "stg"}
    }
  })");
  auto config = resolve_tree_config(tree, {"shop", "marts", "finance", "orders"});
  EXPECT_EQ(config["materialized"], "incremental");
  EXPECT_EQ(config["tags"], nlohmann::json::parse(R"(["shop", "mart"])"));
  EXPECT_EQ(config["meta"], nlohmann::json::parse(R"({"owner": "a", "tier": 1})"));
  EXPECT_EQ(config["enabled"], false);
  auto staging = resolve_tree_config(tree, {"shop", "staging", "stg_orders"});
  EXPECT_EQ(staging["materialized"], "view");
  EXPECT_EQ(staging["schema"], "stg");
  EXPECT_FALSE(staging.contains("enabled"));

  nlohmann::json merged = config;
  merge_config(merged, {{"pre-hook", "select 1"}, {"tags", {"x"}}, {"materialized", "table"}});
  merge_config(merged, {{"pre_hook", {"select 2"}}});
  EXPECT_EQ(merged["pre_hook"], nlohmann::json::parse(R"(["select 1", "select 2"])"));
  EXPECT_EQ(merged["tags"], nlohmann::json::parse(R"(["shop", "mart", "x"])"));
  EXPECT_EQ(merged["materialized"], "table");
}

}  // namespace
}  // namespace cowork::dbt
