// Materializations and data tests as the native runner builds them, on DuckDB and on a real PostgreSQL server: views,
// tables and switching between them, incremental models (append, merge on unique_key, composite keys,
// on_schema_change, full refresh), ephemeral models, seeds (types, NULLs, odd strings, reloads), hooks, custom
// schemas, and every test type passing and failing with dbt's counts, messages and thresholds.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine_harness.hpp"

namespace cowork::engine_test {
namespace {

using dbt::RunStatus;

std::string describe(const RunOutcome& outcome) {
  std::string out;
  for (const auto& result : outcome.summary.results)
    if (result.status != RunStatus::success && result.status != RunStatus::pass)
      out += fmt::format("{} {}: {}\n", result.unique_id, dbt::to_string(result.status), result.message.value_or(""));
  return out;
}

class Materializations : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    m_project = std::make_unique<EngineProject>(GetParam());
    auto connected = m_project->connect();
    ASSERT_TRUE(connected) << connected.error().message;
  }

  EngineProject& project() { return *m_project; }
  bool postgres() const { return GetParam() == Backend::postgres; }

  // A build that must not error.
  RunOutcome build_ok(std::vector<std::string> select = {}, bool full_refresh = false,
                      const nlohmann::json& vars = nlohmann::json::object()) {
    dbt::RunOptions options;
    options.select = std::move(select);
    options.full_refresh = full_refresh;
    auto outcome = m_project->run(options, vars);
    EXPECT_TRUE(outcome) << outcome.error().message;
    if (!outcome) return {};
    EXPECT_EQ(outcome->summary.errored, 0u) << describe(*outcome);
    return std::move(*outcome);
  }

  const dbt::ExecutionResult& result(const RunOutcome& outcome, std::string_view name) {
    const auto* found = find_result(outcome, m_project->compiler(), name);
    if (found == nullptr) throw std::runtime_error("no result for " + std::string(name));
    return *found;
  }

  warehouse::Value scalar(const std::string& sql) {
    auto rows = m_project->query(sql).rows;
    if (rows.empty() || rows[0].empty()) return {};
    return rows[0][0];
  }

  std::unique_ptr<EngineProject> m_project;
};

TEST_P(Materializations, ViewThenTableThenViewAgain) {
  project().write("models/numbers.sql", "{{ config(materialized='view') }}\nselect 1 as id union all select 2");
  project().write("models/doubled.sql", "select id * 2 as id from {{ ref('numbers') }}");
  auto first = build_ok();
  EXPECT_EQ(project().relation_type("numbers"), "view");
  EXPECT_EQ(result(first, "numbers").message, "CREATE VIEW");

  project().write("models/numbers.sql", "{{ config(materialized='table') }}\nselect 1 as id union all select 2");
  auto second = build_ok();
  EXPECT_EQ(project().relation_type("numbers"), "table");
  EXPECT_EQ(result(second, "numbers").message, "SELECT 2");
  EXPECT_EQ(project().count("doubled"), 2);

  project().write("models/numbers.sql",
                  "{{ config(materialized='view') }}\nselect 1 as id union all select 2 union all select 3");
  build_ok();
  EXPECT_EQ(project().relation_type("numbers"), "view");
  EXPECT_EQ(project().count("numbers"), 3);
  EXPECT_EQ(project().count("doubled"), 3);
}

TEST_P(Materializations, ViewWhoseColumnsChangeIsReplaced) {
  project().write("models/v.sql", "select 1 as a");
  build_ok();
  project().write("models/v.sql", "select 'x' as b, 2 as a");
  build_ok();
  EXPECT_EQ(project().columns("v"), (std::vector<std::string>{"b", "a"}));
}

TEST_P(Materializations, IncrementalFirstRunCreatesThenAppendsWhatIsNew) {
  project().write("seeds/raw_events.csv", "id,value\n1,a\n2,b\n3,c\n");
  project().write("models/events.sql", R"({{ config(materialized='incremental') }}
select id, value from {{ ref('raw_events') }}
{% if is_incremental() %}
where id > (select max(id) from {{ this }})
{% endif %}
)");
  auto first = build_ok();
  EXPECT_EQ(project().relation_type("events"), "table");
  EXPECT_EQ(project().count("events"), 3);
  EXPECT_EQ(result(first, "events").message, "SELECT 3");
  EXPECT_EQ(result(first, "events").compiled_code->find("where id >"), std::string::npos);

  project().write("seeds/raw_events.csv", "id,value\n1,a\n2,b\n3,c\n4,d\n5,e\n");
  auto second = build_ok();
  EXPECT_EQ(project().count("events"), 5);
  EXPECT_EQ(result(second, "events").message, "INSERT 2");
  EXPECT_NE(result(second, "events").compiled_code->find("where id >"), std::string::npos);

  auto third = build_ok();
  EXPECT_EQ(project().count("events"), 5);
  EXPECT_EQ(result(third, "events").message, "INSERT 0");
}

TEST_P(Materializations, IncrementalWithUniqueKeyUpdatesInsteadOfDuplicating) {
  project().write("seeds/raw_events.csv", "id,value\n1,a\n2,b\n3,c\n");
  project().write("models/events.sql",
                  "{{ config(materialized='incremental', unique_key='id') }}\nselect id, value from {{ ref('raw_events') }}");
  build_ok();
  project().write("seeds/raw_events.csv", "id,value\n1,a\n2,B\n3,c\n4,d\n");
  build_ok();
  EXPECT_EQ(project().count("events"), 4);
  EXPECT_EQ(as_text(scalar("select value from " + project().relation("events") + " where id = 2")), "B");
  EXPECT_EQ(as_int(scalar("select count(distinct id) from " + project().relation("events"))), 4);
}

TEST_P(Materializations, IncrementalWithCompositeUniqueKey) {
  project().write("seeds/raw_sales.csv", "region,day,amount\neu,1,10\neu,2,20\nus,1,30\n");
  project().write("models/sales.sql", R"({{ config(materialized='incremental', unique_key=['region', 'day']) }}
select region, day, amount from {{ ref('raw_sales') }})");
  build_ok();
  project().write("seeds/raw_sales.csv", "region,day,amount\neu,1,10\neu,2,25\nus,1,30\nus,2,40\n");
  build_ok();
  EXPECT_EQ(project().count("sales"), 4);
  EXPECT_EQ(as_int(scalar("select amount from " + project().relation("sales") + " where region = 'eu' and day = 2")),
            25);
  EXPECT_EQ(as_int(scalar("select sum(amount) from " + project().relation("sales"))), 105);
}

TEST_P(Materializations, OnSchemaChangeFailStopsWithAClearError) {
  project().write("seeds/raw.csv", "id,value\n1,a\n");
  project().write("models/inc.sql", R"({{ config(materialized='incremental', on_schema_change='fail') }}
select id, value from {{ ref('raw') }})");
  build_ok();
  project().write("models/inc.sql", R"({{ config(materialized='incremental', on_schema_change='fail') }}
select id, value, 'x' as extra from {{ ref('raw') }})");
  auto outcome = project().build();
  ASSERT_TRUE(outcome) << outcome.error().message;
  const auto& inc = result(*outcome, "inc");
  EXPECT_EQ(inc.status, RunStatus::error);
  EXPECT_NE(inc.message->find("Database Error in model inc (models/inc.sql)"), std::string::npos) << *inc.message;
  EXPECT_NE(inc.message->find("out of sync"), std::string::npos) << *inc.message;
  EXPECT_NE(inc.message->find("extra"), std::string::npos) << *inc.message;
  EXPECT_EQ(project().columns("inc"), (std::vector<std::string>{"id", "value"}));
  EXPECT_EQ(project().count("inc"), 1);
}

TEST_P(Materializations, OnSchemaChangeAppendNewColumnsAddsThemAndKeepsOldRows) {
  project().write("seeds/raw.csv", "id,value\n1,a\n");
  project().write("models/inc.sql", R"({{ config(materialized='incremental', unique_key='id',
                   on_schema_change='append_new_columns') }}
select id, value from {{ ref('raw') }})");
  build_ok();
  project().write("seeds/raw.csv", "id,value\n1,a\n2,b\n");
  project().write("models/inc.sql", R"({{ config(materialized='incremental', unique_key='id',
                   on_schema_change='append_new_columns') }}
select id, value, 'x' as extra from {{ ref('raw') }}
{% if is_incremental() %} where id > 1 {% endif %})");
  build_ok();
  EXPECT_EQ(project().columns("inc"), (std::vector<std::string>{"id", "value", "extra"}));
  EXPECT_EQ(project().count("inc"), 2);
  EXPECT_EQ(scalar("select extra from " + project().relation("inc") + " where id = 1"), warehouse::Value{});
  EXPECT_EQ(as_text(scalar("select extra from " + project().relation("inc") + " where id = 2")), "x");
}

TEST_P(Materializations, OnSchemaChangeIgnoreDropsNewColumns) {
  project().write("seeds/raw.csv", "id,value\n1,a\n");
  project().write("models/inc.sql", "{{ config(materialized='incremental') }}\nselect id, value from {{ ref('raw') }}");
  build_ok();
  project().write("models/inc.sql", R"({{ config(materialized='incremental') }}
select id, value, 'x' as extra from {{ ref('raw') }})");
  build_ok();
  EXPECT_EQ(project().columns("inc"), (std::vector<std::string>{"id", "value"}));
  EXPECT_EQ(project().count("inc"), 2);
}

TEST_P(Materializations, OnSchemaChangeSyncAllColumnsAddsAndDrops) {
  project().write("seeds/raw.csv", "id,value\n1,a\n");
  project().write("models/inc.sql", R"({{ config(materialized='incremental', on_schema_change='sync_all_columns') }}
select id, value from {{ ref('raw') }})");
  build_ok();
  project().write("models/inc.sql", R"({{ config(materialized='incremental', on_schema_change='sync_all_columns') }}
select id, 'x' as extra from {{ ref('raw') }})");
  build_ok();
  EXPECT_EQ(project().columns("inc"), (std::vector<std::string>{"id", "extra"}));
  EXPECT_EQ(project().count("inc"), 2);
}

TEST_P(Materializations, FullRefreshRebuildsAnIncrementalModel) {
  project().write("seeds/raw.csv", "id\n1\n2\n3\n");
  project().write("models/inc.sql", R"({{ config(materialized='incremental') }}
select id from {{ ref('raw') }}
{% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %})");
  build_ok();
  project().write("seeds/raw.csv", "id\n1\n");
  build_ok();
  EXPECT_EQ(project().count("inc"), 3);
  auto refreshed = build_ok({}, /*full_refresh=*/true);
  EXPECT_EQ(project().count("inc"), 1);
  EXPECT_EQ(result(refreshed, "inc").compiled_code->find("where id >"), std::string::npos);
}

// dbt's `full_refresh: false` config protects a model from --full-refresh (huge incremental tables); cowork ignores
// the config and rebuilds the table, losing its history.
TEST_P(Materializations, DISABLED_FullRefreshFalseConfigKeepsTheTable) {
  project().write("seeds/raw.csv", "id\n1\n2\n3\n");
  project().write("models/inc.sql", R"({{ config(materialized='incremental', full_refresh=false) }}
select id from {{ ref('raw') }}
{% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %})");
  build_ok();
  project().write("seeds/raw.csv", "id\n1\n");
  build_ok({}, /*full_refresh=*/true);
  EXPECT_EQ(project().count("inc"), 3);
}

TEST_P(Materializations, EphemeralModelCreatesNoRelationAndIsInlined) {
  project().write("seeds/raw.csv", "id\n1\n2\n3\n");
  project().write("models/eph.sql", "{{ config(materialized='ephemeral') }}\nselect id from {{ ref('raw') }} where id > 1");
  project().write("models/eph2.sql", "{{ config(materialized='ephemeral') }}\nselect id * 10 as id from {{ ref('eph') }}");
  project().write("models/final.sql", "select * from {{ ref('eph2') }}");
  auto outcome = build_ok();
  EXPECT_EQ(project().relation_type("eph"), std::nullopt);
  EXPECT_EQ(project().relation_type("eph2"), std::nullopt);
  EXPECT_EQ(project().count("final"), 2);
  EXPECT_EQ(as_int(scalar("select min(id) from " + project().relation("final"))), 20);
  EXPECT_EQ(find_result(outcome, project().compiler(), "eph"), nullptr);  // dbt lists no result for ephemerals
  const std::string& sql = *result(outcome, "final").compiled_code;
  EXPECT_NE(sql.find("__dbt__cte__eph as ("), std::string::npos) << sql;
  EXPECT_LT(sql.find("__dbt__cte__eph as ("), sql.find("__dbt__cte__eph2 as ("));
}

// dbt injects ephemeral CTEs after `WITH RECURSIVE`; cowork puts them between WITH and RECURSIVE, which is invalid SQL.
TEST_P(Materializations, DISABLED_EphemeralIntoAWithRecursiveModel) {
  project().write("models/eph.sql", "{{ config(materialized='ephemeral') }}\nselect 3 as top");
  project().write("models/counted.sql", R"(with recursive nums(n) as (
    select 1 union all select n + 1 from nums where n < (select top from {{ ref('eph') }})
)
select n from nums)");
  build_ok();
  EXPECT_EQ(project().count("counted"), 3);
}

TEST_P(Materializations, SeedsInferTypesKeepNullsAndQuoteOddStrings) {
  project().write("dbt_project.yml", std::string(k_project_yml) + R"(
seeds:
  shop:
    people:
      +column_types:
        code: varchar(10)
)");
  project().write("seeds/people.csv",
                  "id,name,score,active,born,updated_at,note,code\n"
                  "1,O'Brien,1.5,true,2001-02-03,2024-01-01 10:00:00,\"Smith, John\",007\n"
                  "2,\"Say \"\"hi\"\"\",,false,,2024-01-02 11:30:00,,010\n"
                  "3,,2.25,,1999-12-31,,\"two\nlines\",\n");
  auto outcome = build_ok();
  EXPECT_EQ(result(outcome, "people").message, "INSERT 3");
  EXPECT_EQ(project().count("people"), 3);

  std::map<std::string, std::string> types;
  for (const auto& row : project()
                             .query(fmt::format("select column_name, data_type from information_schema.columns where "
                                                "table_schema = '{}' and table_name = 'people'",
                                                project().schema()))
                             .rows)
    types[as_text(row[0])] = as_text(row[1]);
  const std::map<std::string, std::string> expected =
      postgres() ? std::map<std::string, std::string>{{"id", "integer"},
                                                      {"name", "text"},
                                                      {"score", "double precision"},
                                                      {"active", "boolean"},
                                                      {"born", "date"},
                                                      {"updated_at", "timestamp without time zone"},
                                                      {"note", "text"},
                                                      {"code", "character varying"}}
                 : std::map<std::string, std::string>{{"id", "INTEGER"},  {"name", "VARCHAR"},
                                                      {"score", "DOUBLE"}, {"active", "BOOLEAN"},
                                                      {"born", "DATE"},    {"updated_at", "TIMESTAMP"},
                                                      {"note", "VARCHAR"}, {"code", "VARCHAR"}};
  EXPECT_EQ(types, expected);

  const std::string people = project().relation("people");
  EXPECT_EQ(as_text(scalar("select name from " + people + " where id = 1")), "O'Brien");
  EXPECT_EQ(as_text(scalar("select name from " + people + " where id = 2")), "Say \"hi\"");
  EXPECT_EQ(scalar("select name from " + people + " where id = 3"), warehouse::Value{});
  EXPECT_EQ(scalar("select score from " + people + " where id = 2"), warehouse::Value{});
  EXPECT_EQ(scalar("select active from " + people + " where id = 3"), warehouse::Value{});
  EXPECT_EQ(as_text(scalar("select note from " + people + " where id = 1")), "Smith, John");
  EXPECT_EQ(as_text(scalar("select note from " + people + " where id = 3")), "two\nlines");
  EXPECT_EQ(as_text(scalar("select code from " + people + " where id = 1")), "007");
  EXPECT_EQ(as_text(scalar("select cast(born as varchar) from " + people + " where id = 1")), "2001-02-03");
  EXPECT_EQ(as_int(scalar("select count(*) from " + people + " where active")), 1);
}

TEST_P(Materializations, ReloadingASeedReplacesItsRowsAndColumns) {
  project().write("seeds/codes.csv", "code,label\n1,one\n2,two\n3,three\n");
  build_ok();
  project().write("seeds/codes.csv", "code,label,extra\n9,nine,x\n");
  build_ok();
  EXPECT_EQ(project().count("codes"), 1);
  EXPECT_EQ(project().columns("codes"), (std::vector<std::string>{"code", "label", "extra"}));
}

TEST_P(Materializations, PreAndPostHooksRunAroundTheModel) {
  project().write("dbt_project.yml", std::string(k_project_yml) + R"yml(
models:
  shop:
    +pre-hook: "create table if not exists {{ target.schema }}.hook_log (msg varchar(100))"
)yml");
  project().write("models/hooked.sql", R"sql({{ config(materialized='table',
    post_hook=["insert into {{ target.schema }}.hook_log select 'rows=' || cast(count(*) as varchar) from {{ this }}"]) }}
select 1 as id union all select 2)sql");
  // The target schema exists before the first model runs (see PreHookCanUseTheTargetSchemaOnTheFirstRun).
  ASSERT_TRUE(project().warehouse().execute("create schema if not exists " + project().warehouse().quote(project().schema())));
  build_ok();
  build_ok();
  auto rows = project().query("select msg from " + project().relation("hook_log")).rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(as_text(rows[0][0]), "rows=2");

  project().write("models/hooked.sql",
                  "{{ config(post_hook='insert into no_such_table values (1)') }}\nselect 1 as id");
  auto failed = project().build();
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(result(*failed, "hooked").status, RunStatus::error);
  EXPECT_NE(result(*failed, "hooked").message->find("no_such_table"), std::string::npos);
}

// dbt creates the schemas of the selected nodes before any of them runs (RunTask.before_run -> create_schemas), so a
// pre-hook may use the target schema on the very first run. cowork creates a model's schema inside
// materialize_model, after the pre-hooks ran: on a fresh PostgreSQL schema the hook fails with "schema ... does not
// exist". (DuckDB's default schema `main` always exists, which hides it there.)
TEST_P(Materializations, DISABLED_PreHookCanUseTheTargetSchemaOnTheFirstRun) {
  project().write("models/hooked.sql", R"sql({{ config(
    pre_hook="create table if not exists {{ this.schema }}.audit_log (msg varchar(100))") }}
select 1 as id)sql");
  build_ok();
  EXPECT_EQ(project().relation_type("audit_log"), "table");
}

TEST_P(Materializations, CustomSchemasAreTargetSchemaUnderscoreCustom) {
  project().write("dbt_project.yml", std::string(k_project_yml) + R"(
models:
  shop:
    staging:
      +schema: staging
seeds:
  shop:
    +schema: raw
)");
  project().write("seeds/countries.csv", "code\nNL\nBE\n");
  project().write("models/staging/stg_countries.sql", "select * from {{ ref('countries') }}");
  project().write("models/report.sql", "select count(*) as n from {{ ref('stg_countries') }}");
  build_ok();
  const std::string base = project().schema();
  EXPECT_EQ(project().relation_type("countries", base + "_raw"), "table");
  EXPECT_EQ(project().relation_type("stg_countries", base + "_staging"), "view");
  EXPECT_EQ(project().relation_type("report", base), "view");
  EXPECT_EQ(project().relation_type("stg_countries", base), std::nullopt);
  EXPECT_EQ(as_int(scalar("select n from " + project().relation("report"))), 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Data tests.

constexpr const char* k_test_properties = R"(version: 2
seeds:
  - name: customers
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
models:
  - name: orders
    data_tests:
      - dbt_utils.expression_is_true:
          expression: "amount >= 0"
      - dbt_utils.unique_combination_of_columns:
          combination_of_columns: [order_id, line_no]
      - dbt_utils.recency:
          datepart: day
          field: ordered_at
          interval: 3
    columns:
      - name: order_id
        data_tests: [unique, not_null]
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped']
      - name: status_code
        data_tests:
          - accepted_values:
              values: [1, 2, 3]
              quote: false
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: customer_id
      - name: amount
        data_tests:
          - dbt_utils.expression_is_true:
              expression: "< 1000"
          - dbt_utils.accepted_range:
              min_value: 0
              max_value: 1000
          - dbt_utils.not_null_proportion:
              at_least: 0.9
          - is_positive
      - name: discount
        data_tests:
          - dbt_utils.at_least_one
      - name: currency
        data_tests:
          - dbt_utils.not_constant
)";

void write_test_project(EngineProject& project, bool good) {
  project.write("seeds/customers.csv", "customer_id,name\n1,Ann\n2,Bob\n");
  if (good) {
    project.write("seeds/raw_orders.csv",
                  "order_id,line_no,customer_id,status,status_code,amount,discount,currency\n"
                  "1,1,1,placed,1,10,,EUR\n"
                  "2,1,1,placed,1,15,5,EUR\n"
                  "3,1,2,shipped,2,20,,USD\n");
    project.write("models/orders.sql",
                  "select r.*, cast(current_timestamp as timestamp) as ordered_at from {{ ref('raw_orders') }} r");
  } else {
    project.write("seeds/raw_orders.csv",
                  "order_id,line_no,customer_id,status,status_code,amount,discount,currency\n"
                  "1,1,1,placed,1,10,,EUR\n"
                  "1,1,1,placed,1,10,,EUR\n"
                  "2,1,9,unknown,7,-5,,EUR\n"
                  "3,1,2,shipped,2,2000,,EUR\n"
                  ",1,2,shipped,2,,,EUR\n");
    project.write("models/orders.sql",
                  "select r.*, timestamp '2020-01-01 00:00:00' as ordered_at from {{ ref('raw_orders') }} r");
  }
  project.write("tests/generic/is_positive.sql", R"({% test is_positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %})");
  project.write("tests/no_unknown_status.sql", "select * from {{ ref('orders') }} where status = 'unknown'");
  project.write("models/schema.yml", k_test_properties);
}

// Test name -> failures expected on the bad data.
const std::map<std::string, std::int64_t>& expected_failures() {
  static const std::map<std::string, std::int64_t> failures = {
      {"unique_orders_order_id", 1},
      {"not_null_orders_order_id", 1},
      {"accepted_values_orders_status__placed__shipped", 1},
      {"accepted_values_orders_status_code__False__1__2__3", 1},
      {"relationships_orders_customer_id__customer_id__ref_customers_", 1},
      {"dbt_utils_expression_is_true_orders_amount_0", 1},
      {"dbt_utils_expression_is_true_orders_amount___1000", 1},
      {"dbt_utils_unique_combination_of_columns_orders_order_id__line_no", 1},
      {"dbt_utils_accepted_range_orders_amount__1000__0", 2},
      {"dbt_utils_not_null_proportion_orders_0_9__amount", 1},
      {"dbt_utils_recency_orders_day__ordered_at__3", 1},
      {"dbt_utils_at_least_one_orders_discount", 1},
      {"dbt_utils_not_constant_orders_currency", 1},
      {"is_positive_orders_amount", 1},
      {"no_unknown_status", 1},
  };
  return failures;
}

TEST_P(Materializations, EveryTestTypeFailsWithDbtsCountAndMessage) {
  write_test_project(project(), /*good=*/false);
  auto outcome = project().build();
  ASSERT_TRUE(outcome) << outcome.error().message;
  for (const auto& [name, failures] : expected_failures()) {
    const auto* test = find_result(*outcome, project().compiler(), name);
    ASSERT_NE(test, nullptr) << name << " did not run; tests: " << describe(*outcome);
    EXPECT_EQ(test->status, RunStatus::fail) << name << ": " << test->message.value_or("");
    EXPECT_EQ(test->failures, failures) << name;
    EXPECT_EQ(test->message, fmt::format("Got {} result{}, configured to fail if != 0", failures,
                                         failures == 1 ? "" : "s"))
        << name;
  }
  for (const char* name : {"unique_customers_customer_id", "not_null_customers_customer_id"})
    EXPECT_EQ(result(*outcome, name).status, RunStatus::pass) << name;
}

TEST_P(Materializations, EveryTestTypePassesOnGoodData) {
  write_test_project(project(), /*good=*/true);
  auto outcome = project().build();
  ASSERT_TRUE(outcome) << outcome.error().message;
  std::size_t tests = 0;
  for (const auto& result : outcome->summary.results) {
    if (!result.unique_id.starts_with("test.")) continue;
    ++tests;
    EXPECT_EQ(result.status, RunStatus::pass) << result.unique_id << ": " << result.message.value_or("");
    EXPECT_EQ(result.failures, 0) << result.unique_id;
    EXPECT_EQ(result.message, std::nullopt) << result.unique_id;
  }
  EXPECT_EQ(tests, expected_failures().size() + 2);
}

TEST_P(Materializations, SeverityWarnAndThresholdsAndLimit) {
  project().write("seeds/items.csv", "id,kind\n1,a\n2,x\n3,y\n,z\n5,w\n");
  project().write("models/schema.yml", R"(version: 2
seeds:
  - name: items
    columns:
      - name: id
        data_tests:
          - not_null:
              config:
                severity: warn
      - name: kind
        data_tests:
          - accepted_values:
              name: kind_warns_above_zero_fails_above_three
              values: ['a', 'x']
              config:
                warn_if: ">0"
                error_if: ">3"
          - accepted_values:
              name: kind_fails_above_one
              values: ['a', 'x']
              config:
                warn_if: ">0"
                error_if: ">1"
          - accepted_values:
              name: kind_limited
              values: ['a']
              config:
                limit: 2
          - accepted_values:
              name: kind_warn_severity_ignores_error_if
              values: ['a']
              config:
                severity: warn
                error_if: ">0"
)");
  auto outcome = project().build();
  ASSERT_TRUE(outcome) << outcome.error().message;
  const auto& not_null = result(*outcome, "not_null_items_id");
  EXPECT_EQ(not_null.status, RunStatus::warn);
  EXPECT_EQ(not_null.failures, 1);
  EXPECT_EQ(not_null.message, "Got 1 result, configured to warn if != 0");

  const auto& below = result(*outcome, "kind_warns_above_zero_fails_above_three");
  EXPECT_EQ(below.status, RunStatus::warn);
  EXPECT_EQ(below.failures, 3);
  EXPECT_EQ(below.message, "Got 3 results, configured to warn if >0");

  const auto& above = result(*outcome, "kind_fails_above_one");
  EXPECT_EQ(above.status, RunStatus::fail);
  EXPECT_EQ(above.failures, 3);
  EXPECT_EQ(above.message, "Got 3 results, configured to fail if >1");

  const auto& limited = result(*outcome, "kind_limited");
  EXPECT_EQ(limited.status, RunStatus::fail);
  EXPECT_EQ(limited.failures, 2);

  const auto& warn_severity = result(*outcome, "kind_warn_severity_ignores_error_if");
  EXPECT_EQ(warn_severity.status, RunStatus::warn);
  EXPECT_EQ(warn_severity.failures, 4);
  EXPECT_EQ(outcome->summary.warned, 3u);
}

// dbt (task/test.py, build_test_run_result) reports failures = 0 for a test that passes because its rows stay below
// warn_if and error_if; cowork reports the row count, so run_results.json says `"status": "pass", "failures": 3`.
TEST_P(Materializations, DISABLED_TestPassingBelowItsThresholdsReportsZeroFailuresLikeDbt) {
  project().write("seeds/items.csv", "kind\na\nx\ny\nz\n");
  project().write("models/schema.yml", R"(version: 2
seeds:
  - name: items
    columns:
      - name: kind
        data_tests:
          - accepted_values:
              values: ['a']
              config:
                warn_if: ">5"
                error_if: ">5"
)");
  auto outcome = project().build();
  ASSERT_TRUE(outcome) << outcome.error().message;
  const auto& test = result(*outcome, "accepted_values_items_kind__a");
  EXPECT_EQ(test.status, RunStatus::pass);
  EXPECT_EQ(test.failures, 0);
}

TEST_P(Materializations, TestWithBadSqlIsAnErrorNamingTheTest) {
  project().write("models/orders.sql", "select 1 as id");
  project().write("tests/bad_sql.sql", "select no_such_column from {{ ref('orders') }}");
  auto outcome = project().build();
  ASSERT_TRUE(outcome) << outcome.error().message;
  const auto& bad = result(*outcome, "bad_sql");
  EXPECT_EQ(bad.status, RunStatus::error);
  EXPECT_EQ(bad.failures, std::nullopt);
  ASSERT_TRUE(bad.message);
  EXPECT_TRUE(bad.message->starts_with("Database Error in test bad_sql (tests/bad_sql.sql)\n")) << *bad.message;
  EXPECT_NE(bad.message->find("no_such_column"), std::string::npos) << *bad.message;
  EXPECT_EQ(outcome->summary.errored, 1u);
}

INSTANTIATE_TEST_SUITE_P(Warehouses, Materializations, ::testing::Values(Backend::duckdb, Backend::postgres),
                         backend_name);

}  // namespace
}  // namespace cowork::engine_test
