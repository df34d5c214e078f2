// Elementary's tables after a build with failing tests, on DuckDB and PostgreSQL: the five tables in
// <target schema>_elementary with the exact columns of the Elementary dbt package (elementary-data/dbt-data-reliability:
// macros/edr/system/system_utils/empty_table.sql empty_elementary_test_results, macros/edr/dbt_artifacts/
// upload_run_results.sql get_dbt_run_results_empty_table_query, upload_dbt_models.sql get_dbt_models_empty_table_query,
// upload_dbt_tests.sql get_dbt_tests_empty_table_query, models/edr/run_results/test_result_rows.sql), a failing test's
// row with its status, failures, query and sampled rows, and rows appended by a second run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dbt/elementary.hpp"
#include "engine_harness.hpp"

namespace cowork::engine_test {
namespace {

using Columns = std::vector<std::string>;

// Transcribed from the Elementary package (the column lists of its empty-table macros, in order).
const std::vector<std::pair<std::string, Columns>>& elementary_tables() {
  static const std::vector<std::pair<std::string, Columns>> tables = {
      {"elementary_test_results",
       {"id",
        "data_issue_id",
        "test_execution_id",
        "test_unique_id",
        "model_unique_id",
        "invocation_id",
        "detected_at",
        "created_at",
        "database_name",
        "schema_name",
        "table_name",
        "column_name",
        "test_type",
        "test_sub_type",
        "test_results_description",
        "owners",
        "tags",
        "test_results_query",
        "other",
        "test_name",
        "test_params",
        "severity",
        "status",
        "failures",
        "test_short_name",
        "test_alias",
        "result_rows",
        "failed_row_count"}},
      {"test_result_rows", {"elementary_test_results_id", "result_row", "detected_at", "created_at"}},
      {"dbt_run_results",
       {"model_execution_id", "unique_id", "invocation_id", "generated_at", "created_at", "name", "message", "status",
        "resource_type", "execution_time", "execute_started_at", "execute_completed_at", "compile_started_at",
        "compile_completed_at", "rows_affected", "full_refresh", "compiled_code", "failures", "query_id", "thread_id",
        "materialization", "adapter_response", "group_name"}},
      {"dbt_models",
       {"unique_id", "alias", "checksum", "materialization", "tags", "meta", "owner", "database_name", "schema_name",
        "depends_on_macros", "depends_on_nodes", "description", "name", "package_name", "original_path", "path",
        "patch_path", "generated_at", "metadata_hash", "unique_key", "incremental_strategy", "group_name", "access"}},
      {"dbt_tests",
       {"unique_id",        "database_name",    "schema_name",       "name",
        "short_name",       "alias",            "test_column_name",  "severity",
        "warn_if",          "error_if",         "test_params",       "test_namespace",
        "test_original_name", "tags",           "model_tags",        "model_owners",
        "meta",             "depends_on_macros", "depends_on_nodes", "parent_model_unique_id",
        "description",      "package_name",     "type",              "original_path",
        "path",             "generated_at",     "metadata_hash",     "quality_dimension",
        "group_name"}},
  };
  return tables;
}

class ElementaryTables : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    m_project = std::make_unique<EngineProject>(GetParam());
    auto connected = m_project->connect();
    ASSERT_TRUE(connected) << connected.error().message;
    m_project->write("dbt_project.yml", std::string(k_project_yml) + R"(
models:
  shop:
    +meta:
      owner: "ann@example.com, bob@example.com"
)");
    m_project->write("seeds/raw_users.csv", "id,email\n1,a@x.com\n2,\n3,\n4,d@x.com\n");
    m_project->write("models/users.sql", "{{ config(materialized='table', tags=['core']) }}\n"
                                         "select id, email from {{ ref('raw_users') }}");
    m_project->write("models/schema.yml", R"(version: 2
models:
  - name: users
    columns:
      - name: id
        data_tests: [unique]
      - name: email
        data_tests:
          - not_null:
              config:
                tags: ["contact"]
          - accepted_values:
              values: ['a@x.com']
              config:
                severity: warn
)");
  }

  std::string elementary() const { return m_project->schema() + "_elementary"; }
  std::string table(std::string_view name) const { return m_project->relation(name, elementary()); }

  RunOutcome build() {
    auto outcome = m_project->build();
    EXPECT_TRUE(outcome) << outcome.error().message;
    if (!outcome) return {};
    EXPECT_TRUE(outcome->summary.warnings.empty()) << outcome->summary.warnings.front();
    return std::move(*outcome);
  }

  // The row of elementary_test_results for `test_name`, as column -> text ("NULL" for NULL).
  std::map<std::string, std::string> test_result_row(const std::string& test_unique_id) {
    auto result = m_project->query(
        fmt::format("select * from {} where test_unique_id = '{}'", table("elementary_test_results"), test_unique_id));
    std::map<std::string, std::string> row;
    if (result.rows.size() != 1) {
      ADD_FAILURE() << result.rows.size() << " rows for " << test_unique_id;
      return row;
    }
    for (std::size_t c = 0; c < result.columns.size(); ++c) row[result.columns[c].name] = as_text(result.rows[0][c]);
    return row;
  }

  std::unique_ptr<EngineProject> m_project;
};

TEST_P(ElementaryTables, HaveTheElementaryPackagesExactColumns) {
  build();
  EXPECT_EQ(dbt::elementary_schema(m_project->compiler()), elementary());
  for (const auto& [name, columns] : elementary_tables()) {
    EXPECT_EQ(m_project->relation_type(name, elementary()), "table") << name;
    EXPECT_EQ(m_project->columns(name, elementary()), columns) << name;
  }
}

TEST_P(ElementaryTables, FailingTestHasItsResultQueryAndSampledRows) {
  auto outcome = build();
  const auto& compiler = m_project->compiler();
  const std::string not_null = id_of(compiler, "not_null_users_email");
  const auto* result = find_result(outcome, compiler, not_null);
  ASSERT_NE(result, nullptr);
  ASSERT_EQ(result->status, dbt::RunStatus::fail);

  auto row = test_result_row(not_null);
  EXPECT_EQ(row["status"], "fail");
  EXPECT_EQ(row["failures"], "2");
  EXPECT_EQ(row["failed_row_count"], "2");
  EXPECT_EQ(row["test_results_query"], *result->compiled_code);
  EXPECT_EQ(row["test_results_description"], "Got 2 results, configured to fail if != 0");
  EXPECT_EQ(row["model_unique_id"], "model.shop.users");
  EXPECT_EQ(row["table_name"], "users");
  EXPECT_EQ(row["schema_name"], m_project->schema());
  EXPECT_EQ(row["column_name"], "email");
  EXPECT_EQ(row["test_type"], "dbt_test");
  EXPECT_EQ(row["test_sub_type"], "generic");
  EXPECT_EQ(row["test_short_name"], "not_null");
  EXPECT_EQ(row["test_name"], "not_null_users_email");
  EXPECT_EQ(row["severity"], "ERROR");
  EXPECT_EQ(row["invocation_id"], "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(nlohmann::json::parse(row["owners"]), (nlohmann::json{"ann@example.com", "bob@example.com"}));
  EXPECT_EQ(nlohmann::json::parse(row["tags"]), (nlohmann::json{"contact"}));
  EXPECT_EQ(nlohmann::json::parse(row["test_params"])["column_name"], "email");
  EXPECT_EQ(nlohmann::json::parse(row["result_rows"]).size(), 2u);
  EXPECT_NE(row["detected_at"], "NULL");

  auto samples = m_project->query(fmt::format("select result_row from {} where elementary_test_results_id = '{}'",
                                              table("test_result_rows"), row["id"]));
  ASSERT_EQ(samples.rows.size(), 2u);
  for (const auto& sample : samples.rows) {
    auto json = nlohmann::json::parse(as_text(sample[0]));
    EXPECT_TRUE(json.contains("email")) << json.dump();
    EXPECT_TRUE(json["email"].is_null());
  }

  auto warned = test_result_row(id_of(compiler, "accepted_values_users_email__a_x_com"));
  EXPECT_EQ(warned["status"], "warn");
  EXPECT_EQ(warned["severity"], "WARN");
  EXPECT_EQ(warned["failures"], "1");  // d@x.com; NULL is never "not in" a list

  auto passed = test_result_row(id_of(compiler, "unique_users_id"));
  EXPECT_EQ(passed["status"], "pass");
  EXPECT_EQ(passed["failures"], "0");
  EXPECT_EQ(passed["result_rows"], "NULL");
}

TEST_P(ElementaryTables, RunResultsModelsAndTestsDescribeTheProject) {
  auto outcome = build();
  auto runs = m_project->query(fmt::format("select unique_id, status, resource_type, materialization from {} order by "
                                           "unique_id",
                                           table("dbt_run_results")));
  EXPECT_EQ(runs.rows.size(), outcome.summary.results.size());
  std::map<std::string, std::string> statuses;
  for (const auto& row : runs.rows) statuses[as_text(row[0])] = as_text(row[1]);
  EXPECT_EQ(statuses["model.shop.users"], "success");
  EXPECT_EQ(statuses["seed.shop.raw_users"], "success");

  auto models = m_project->query(fmt::format("select unique_id, materialization, tags, owner from {}", table("dbt_models")));
  ASSERT_EQ(models.rows.size(), 1u);
  EXPECT_EQ(as_text(models.rows[0][0]), "model.shop.users");
  EXPECT_EQ(as_text(models.rows[0][1]), "table");
  EXPECT_EQ(nlohmann::json::parse(as_text(models.rows[0][2])), (nlohmann::json{"core"}));
  EXPECT_EQ(nlohmann::json::parse(as_text(models.rows[0][3])), (nlohmann::json{"ann@example.com", "bob@example.com"}));

  auto tests = m_project->query(fmt::format(
      "select name, short_name, test_column_name, severity, parent_model_unique_id, type from {} order by name",
      table("dbt_tests")));
  ASSERT_EQ(tests.rows.size(), 3u);
  EXPECT_EQ(as_text(tests.rows[1][0]), "not_null_users_email");
  EXPECT_EQ(as_text(tests.rows[1][1]), "not_null");
  EXPECT_EQ(as_text(tests.rows[1][2]), "email");
  EXPECT_EQ(as_text(tests.rows[1][3]), "ERROR");
  EXPECT_EQ(as_text(tests.rows[1][4]), "model.shop.users");
  EXPECT_EQ(as_text(tests.rows[1][5]), "generic");
}

TEST_P(ElementaryTables, SecondRunAppendsResultsAndReplacesTheProjectsDescription) {
  build();
  build();
  EXPECT_EQ(m_project->count("elementary_test_results", elementary()), 6);
  EXPECT_EQ(m_project->count("test_result_rows", elementary()), 2 * (2 + 1));
  EXPECT_EQ(m_project->count("dbt_run_results", elementary()), 2 * 5);
  EXPECT_EQ(m_project->count("dbt_models", elementary()), 1);
  EXPECT_EQ(m_project->count("dbt_tests", elementary()), 3);
  auto invocations = m_project->query(
      fmt::format("select count(distinct invocation_id) from {}", table("elementary_test_results")));
  EXPECT_EQ(as_int(invocations.rows[0][0]), 2);
}

TEST_P(ElementaryTables, NoElementaryOptionWritesNothing) {
  dbt::RunOptions options;
  options.elementary = false;
  auto outcome = m_project->run(options);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(m_project->relation_type("elementary_test_results", elementary()), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Warehouses, ElementaryTables, ::testing::Values(Backend::duckdb, Backend::postgres),
                         backend_name);

}  // namespace
}  // namespace cowork::engine_test
