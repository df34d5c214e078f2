// The native compiler: golden projects (template in, SQL out, per node), how configs, vars and env vars resolve,
// dbt's generic test names (checked against names real dbt produced in the corpus), and the errors a user gets for
// broken projects, each naming the file and line.
//
// Golden cases live in tests/engine/golden/<case>/: a dbt project, optional vars.json (--vars) and env.json
// (environment variables set while it compiles), and expected/<node name>.sql for every model, test and analysis
// (expected/<name>@incremental.sql for an incremental model compiled with is_incremental() true), plus
// expected/relations.txt listing "<unique id> <relation name>" for models, seeds and sources ("-" for none).
// COWORK_UPDATE_GOLDEN=1 rewrites the expected files from the current output; review the diff before committing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dbt/manifest.hpp"
#include "dbt/graph.hpp"
#include "dbt/project.hpp"
#include "engine_harness.hpp"
#include "support/process.hpp"
#include "util/files.hpp"

namespace cowork::engine_test {
namespace {

namespace fs = std::filesystem;
using dbt::Compiler;
using dbt::ProjectNode;
using dbt::ResourceType;

const fs::path k_golden_dir = COWORK_ENGINE_GOLDEN_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string with_newline(std::string text) {
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

// Sets environment variables for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    m_names.push_back(name);
  }
  ~ScopedEnv() {
    for (const auto& name : m_names) ::unsetenv(name.c_str());
  }

 private:
  std::vector<std::string> m_names;
};

std::vector<std::string> golden_cases() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(k_golden_dir, ec))
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class CompilerGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CompilerGolden, EveryNodeCompilesToItsExpectedSql) {
  const fs::path dir = k_golden_dir / GetParam();
  const fs::path expected_dir = dir / "expected";
  const bool update = std::getenv("COWORK_UPDATE_GOLDEN") != nullptr;

  ScopedEnv env;
  if (fs::exists(dir / "env.json")) {
    const auto variables = nlohmann::json::parse(read_text(dir / "env.json"));
    for (const auto& [name, value] : variables.items()) env.set(name, value.get<std::string>());
  }
  dbt::CompileOptions options;
  if (fs::exists(dir / "vars.json")) options.vars = nlohmann::json::parse(read_text(dir / "vars.json"));

  auto project = dbt::load_project(dir);
  ASSERT_TRUE(project) << project.error().message;
  const std::string profile = project->settings.profile;
  auto compiler = Compiler::create(std::move(*project), fixed_duckdb_target(profile), options);
  ASSERT_TRUE(compiler) << compiler.error().message;

  std::set<std::string> checked;
  auto check = [&](ProjectNode& node, bool incremental, const std::string& file) {
    dbt::CompileState state;
    state.is_incremental = incremental;
    auto sql = (*compiler)->compile(node, state);
    ASSERT_TRUE(sql) << node.unique_id << ": " << sql.error().message;
    checked.insert(file);
    const fs::path path = expected_dir / file;
    if (update) {
      std::ofstream(path, std::ios::binary) << with_newline(*sql);
      return;
    }
    ASSERT_TRUE(fs::exists(path)) << "no expected/" << file << " for " << node.unique_id << "; it compiles to:\n"
                                  << *sql;
    EXPECT_EQ(with_newline(*sql), read_text(path)) << GetParam() << "/expected/" << file;
  };
  for (auto& node : (*compiler)->nodes()) {
    if (node.resource_type != ResourceType::model && node.resource_type != ResourceType::test &&
        node.resource_type != ResourceType::analysis)
      continue;
    check(node, false, node.name + ".sql");
    if (node.materialized() == "incremental") check(node, true, node.name + "@incremental.sql");
  }

  std::vector<std::string> relations;
  for (const auto& node : (*compiler)->nodes())
    if (node.resource_type == ResourceType::model || node.resource_type == ResourceType::seed ||
        node.resource_type == ResourceType::source)
      relations.push_back(node.unique_id + " " + (node.relation_name.empty() ? "-" : node.relation_name));
  std::sort(relations.begin(), relations.end());
  std::string relations_text;
  for (const auto& line : relations) relations_text += line + "\n";
  if (update) {
    std::ofstream(expected_dir / "relations.txt", std::ios::binary) << relations_text;
  } else {
    EXPECT_EQ(relations_text, read_text(expected_dir / "relations.txt")) << GetParam() << "/expected/relations.txt";
  }

  for (const auto& entry : fs::directory_iterator(expected_dir)) {
    const std::string file = entry.path().filename().string();
    if (file != "relations.txt")
      EXPECT_TRUE(checked.contains(file)) << GetParam() << "/expected/" << file << " names no node of the project";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CompilerGolden, ::testing::ValuesIn(golden_cases()),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------------------------------------------
// Configs, vars and env vars.

const ProjectNode& node_named(const Compiler& compiler, std::string_view name) {
  for (const auto& node : compiler.nodes())
    if (node.name == name) return node;
  throw std::runtime_error("no node named " + std::string(name));
}

std::set<std::string> tags_of(const ProjectNode& node) {
  auto tags = node.tags();
  return {tags.begin(), tags.end()};
}

TEST(CompilerConfig, FileConfigBeatsPropertiesWhichBeatFoldersAndTagsAccumulateAndMetaMerges) {
  EngineProject project;
  project.write("dbt_project.yml", std::string(k_project_yml) + R"(
models:
  shop:
    +materialized: view
    +tags: ["from_project"]
    +meta:
      owner: "data@example.com"
      tier: 1
    marts:
      +materialized: table
      +tags: "from_folder"
)");
  project.write("models/marts/orders.sql", R"({{ config(materialized='incremental', unique_key='id',
                   tags=['from_file'], meta={'pii': true}) }}
select 1 as id)");
  project.write("models/marts/customers.sql", "select 1 as id");
  project.write("models/staging/stg.sql", "select 1 as id");
  project.write("models/marts/schema.yml", R"(version: 2
models:
  - name: orders
    config:
      materialized: ephemeral
      tags: ["from_properties"]
      meta:
        tier: 2
  - name: customers
    config:
      materialized: ephemeral
)");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;

  const auto& orders = node_named(**compiler, "orders");
  EXPECT_EQ(orders.materialized(), "incremental");
  EXPECT_EQ(orders.config["unique_key"], "id");
  EXPECT_EQ(tags_of(orders), (std::set<std::string>{"from_project", "from_folder", "from_properties", "from_file"}));
  EXPECT_EQ(orders.meta(), (nlohmann::json{{"owner", "data@example.com"}, {"tier", 2}, {"pii", true}}));

  EXPECT_EQ(node_named(**compiler, "customers").materialized(), "ephemeral");
  EXPECT_EQ(node_named(**compiler, "stg").materialized(), "view");
  EXPECT_EQ(tags_of(node_named(**compiler, "stg")), (std::set<std::string>{"from_project"}));
}

TEST(CompilerConfig, DisabledModelsLeaveTheGraph) {
  EngineProject project;
  project.write("dbt_project.yml", std::string(k_project_yml) + R"(
models:
  shop:
    legacy:
      +enabled: false
)");
  project.write("models/legacy/old.sql", "select 1 as id");
  project.write("models/off.sql", "{{ config(enabled=false) }}\nselect 1 as id");
  project.write("models/on.sql", "select 1 as id");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  std::vector<std::string> models;
  for (const auto& node : (*compiler)->nodes())
    if (node.resource_type == ResourceType::model) models.push_back(node.name);
  EXPECT_EQ(models, std::vector<std::string>{"on"});
}

TEST(CompilerConfig, TestSeverityFromTheProjectTreeAndFromTheTestItself) {
  EngineProject project;
  project.write("dbt_project.yml", std::string(k_project_yml) + R"(
data_tests:
  shop:
    +severity: warn
)");
  project.write("models/orders.sql", "select 1 as id");
  project.write("models/schema.yml", R"(version: 2
models:
  - name: orders
    columns:
      - name: id
        data_tests:
          - unique:
              config:
                severity: error
                warn_if: ">10"
                error_if: ">100"
                limit: 5
          - not_null
)");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  const auto& unique = node_named(**compiler, "unique_orders_id");
  EXPECT_EQ(unique.severity(), "ERROR");
  EXPECT_EQ(unique.config["warn_if"], ">10");
  EXPECT_EQ(unique.config["error_if"], ">100");
  EXPECT_EQ(unique.config["limit"], 5);
  EXPECT_EQ(node_named(**compiler, "not_null_orders_id").severity(), "WARN");
}

// dbt gives a column's tags to the tests defined on that column (`dbt test --select tag:pii` relies on it).
TEST(CompilerConfig, DISABLED_ColumnTagsApplyToTheColumnsTests) {
  EngineProject project;
  project.write("models/users.sql", "select 1 as id, 'a@b.c' as email");
  project.write("models/schema.yml", R"(version: 2
models:
  - name: users
    columns:
      - name: email
        tags: ["pii"]
        data_tests:
          - not_null
)");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  EXPECT_TRUE(tags_of(node_named(**compiler, "not_null_users_email")).contains("pii"));
}

TEST(CompilerVars, CommandLineVarsBeatProjectVarsWhichBeatDefaults) {
  EngineProject project;
  project.write("dbt_project.yml", std::string(k_project_yml) + "vars:\n  country: NL\n  year: 2024\n");
  project.write("models/m.sql", "select '{{ var(\"country\") }}' as c, {{ var('year', 1999) }} as y, "
                                "'{{ var(\"city\", \"Utrecht\") }}' as city");
  {
    auto compiler = project.compile();
    ASSERT_TRUE(compiler) << compiler.error().message;
    auto sql = (*compiler)->compile((*compiler)->nodes()[0]);
    ASSERT_TRUE(sql) << sql.error().message;
    EXPECT_EQ(*sql, "select 'NL' as c, 2024 as y, 'Utrecht' as city");
  }
  auto compiler = project.compile({{"country", "BE"}, {"city", "Gent"}});
  ASSERT_TRUE(compiler) << compiler.error().message;
  auto sql = (*compiler)->compile((*compiler)->nodes()[0]);
  ASSERT_TRUE(sql) << sql.error().message;
  EXPECT_EQ(*sql, "select 'BE' as c, 2024 as y, 'Gent' as city");
}

// ---------------------------------------------------------------------------------------------------------------
// dbt's generic test names.

TEST(GenericTestNames, ShortNamesBelowSixtyFourCharacters) {
  auto [short_name, full_name] = dbt::generic_test_names("not_null", "orders", {{"column_name", "order_id"}});
  EXPECT_EQ(full_name, "not_null_orders_order_id");
  EXPECT_EQ(short_name, full_name);

  std::tie(short_name, full_name) = dbt::generic_test_names(
      "relationships", "orders", {{"column_name", "customer_id"}, {"to", "ref('customers')"}, {"field", "id"}});
  EXPECT_EQ(full_name, "relationships_orders_customer_id__id__ref_customers_");
  EXPECT_EQ(short_name, full_name);

  std::tie(short_name, full_name) = dbt::generic_test_names(
      "accepted_values", "orders", {{"column_name", "code"}, {"values", {1, 2}}, {"quote", false}});
  EXPECT_EQ(full_name, "accepted_values_orders_code__False__1__2");
}

// Names real dbt (1.10.7, 1.6.6) wrote into manifests of the corpus.
TEST(GenericTestNames, SixtyFourCharactersOrMoreAreShortenedWithAnMd5LikeDbtDoes) {
  auto [short_name, full_name] =
      dbt::generic_test_names("accepted_values", "dim_products",
                              {{"column_name", "transactionType"}, {"values", {"BattlePass", "Emote", "Skin"}}});
  EXPECT_EQ(full_name, "accepted_values_dim_products_transactionType__BattlePass__Emote__Skin");
  EXPECT_EQ(short_name, "accepted_values_dim_products_bacd63b678b322777f8952480d2d207c");

  std::tie(short_name, full_name) = dbt::generic_test_names(
      "dbt_utils_expression_is_true", "player_activity_daily",
      {{"column_name", "total_play_time_seconds"}, {"expression", ">= 0"}});
  EXPECT_EQ(full_name, "dbt_utils_expression_is_true_player_activity_daily_total_play_time_seconds___0");
  EXPECT_EQ(short_name, "dbt_utils_expression_is_true_p_5a49444b0235103e953033647b36938f");

  std::tie(short_name, full_name) = dbt::generic_test_names(
      "source_accepted_values", "sprint_raw_event_transaction",
      {{"column_name", "isRecurring"}, {"values", {true, false}}});
  EXPECT_EQ(full_name, "source_accepted_values_sprint_raw_event_transaction_isRecurring__True__False");
  EXPECT_EQ(short_name, "source_accepted_values_sprint__1a3fe34a516dc3dd05c17b0f66e0a515");

  std::tie(short_name, full_name) = dbt::generic_test_names(
      "relationships", "dim_listings_cleansed",
      {{"column_name", "host_id"}, {"to", "ref('dim_hosts_cleansed')"}, {"field", "host_id"}});
  EXPECT_EQ(full_name, "relationships_dim_listings_cleansed_host_id__host_id__ref_dim_hosts_cleansed_");
  EXPECT_EQ(short_name, "relationships_dim_listings_cle_05e2397b186a7b9306fc747b3cc4ef83");
}

// Every generic test of every dbt-core manifest in the corpus: the name dbt gave it (node name) and the shortened
// one (alias) are what generic_test_names() computes from its test_metadata.
TEST(GenericTestNames, AgreeWithEveryGenericTestNameInTheCorpus) {
  std::size_t checked = 0;
  std::vector<std::string> mismatches;
  for (const auto& entry : fs::recursive_directory_iterator(testing::fixtures_dir() + "/corpus")) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !file.starts_with("manifest") || entry.path().extension() != ".json") continue;
    auto manifest = dbt::load_manifest(entry.path());
    if (!manifest) continue;  // the corpus tests cover loading; here only names matter
    // dbt before 1.0 did not shorten long names; Fusion (2.x) names tests its own way.
    const std::string& version = manifest->metadata.dbt_version;
    if (version.starts_with("0.") || version.starts_with("2.")) continue;
    for (const auto& node : manifest->nodes) {
      if (node.resource_type != ResourceType::test || !node.test || node.test->name.empty()) continue;
      const auto& kwargs = node.test->kwargs;
      if (!kwargs.is_object() || !kwargs.contains("model") || !kwargs["model"].is_string()) continue;
      const std::string model = kwargs["model"].get<std::string>();
      // A versioned model's tests are named after <model>_v<version> (the native engine has no model versions).
      if (model.find("version=") != std::string::npos || model.find("v=") != std::string::npos) continue;
      const auto target = dbt::parse_test_target(model);
      if (target.name.empty()) continue;
      std::string type = (target.is_source ? "source_" : "") + std::string(node.test->name);
      if (!node.test->namespace_.empty()) type = std::string(node.test->namespace_) + "_" + type;
      // Custom names (`name:` on the test) replace the synthesized one.
      if (!std::string_view(node.name).starts_with(type)) continue;
      const std::string target_name =
          target.is_source ? target.package_or_source + "_" + target.name : target.name;
      nlohmann::json args = kwargs;
      args.erase("model");
      const auto [short_name, full_name] = dbt::generic_test_names(type, target_name, args);
      ++checked;
      if (full_name != node.name || short_name != node.alias)
        mismatches.push_back(fmt::format("{}: dbt {} / {}, cowork {} / {}", entry.path().parent_path().string(),
                                         node.name, node.alias, full_name, short_name));
    }
  }
  EXPECT_GT(checked, 500u);
  std::string listed;
  for (std::size_t i = 0; i < mismatches.size() && i < 20; ++i) listed += mismatches[i] + "\n";
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " of " << checked << " differ:\n" << listed;
}

TEST(GenericTestNames, CompiledProjectUsesTheShortNameAsAliasAndTheFullNameAsName) {
  EngineProject project;
  project.write("models/orders.sql", "select 'placed' as status");
  project.write("models/schema.yml", R"(version: 2
models:
  - name: orders
    columns:
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped', 'completed', 'returned']
          - accepted_values:
              name: status_is_placed
              values: ['placed']
)");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  const auto& test = node_named(**compiler, "accepted_values_orders_status__placed__shipped__completed__returned");
  EXPECT_EQ(test.alias, dbt::generic_test_names("accepted_values", "orders",
                                                {{"column_name", "status"},
                                                 {"values", {"placed", "shipped", "completed", "returned"}}})
                            .first);
  EXPECT_EQ(test.alias.size(), std::string("accepted_values_orders_").size() + 32);
  EXPECT_TRUE(test.unique_id.starts_with("test.shop.accepted_values_orders_status__placed__shipped__"));
  EXPECT_EQ(node_named(**compiler, "status_is_placed").alias, "status_is_placed");
}

// ---------------------------------------------------------------------------------------------------------------
// Errors: each names the file, and the line (and column) where the problem is.

std::string compile_error(EngineProject& project, const nlohmann::json& vars = nlohmann::json::object()) {
  auto compiler = project.compile(vars);
  if (compiler) {
    // Some problems only show when a node is compiled.
    for (auto& node : (*compiler)->nodes()) {
      auto sql = (*compiler)->compile(node);
      if (!sql) return sql.error().message;
    }
    ADD_FAILURE() << "the project compiled without an error";
    return {};
  }
  return compiler.error().message;
}

TEST(CompilerErrors, JinjaSyntaxErrorNamesFileLineAndColumn) {
  EngineProject project;
  project.write("models/broken.sql", "select\n    1 as a,\n    {{ 1 + }} as b\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/broken.sql:3:"), std::string::npos) << message;
}

TEST(CompilerErrors, UnclosedBlockNamesTheFile) {
  EngineProject project;
  project.write("models/unclosed.sql", "select 1 as a\n{% if true %}\nwhere 1 = 1\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/unclosed.sql:"), std::string::npos) << message;
  EXPECT_NE(message.find("endif"), std::string::npos) << message;
}

TEST(CompilerErrors, RefToAMissingModelNamesItAndSuggestsTheCloseOne) {
  EngineProject project;
  project.write("models/stg_orders.sql", "select 1 as id");
  project.write("models/orders.sql", "select *\n\nfrom {{ ref('stg_order') }}\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/orders.sql"), std::string::npos) << message;
  EXPECT_NE(message.find("ref('stg_order')"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean stg_orders"), std::string::npos) << message;
}

// The ref is on line 3; the message points at line 1, column 1 whatever the line.
TEST(CompilerErrors, DISABLED_RefToAMissingModelPointsAtTheLineOfTheRef) {
  EngineProject project;
  project.write("models/stg_orders.sql", "select 1 as id");
  project.write("models/orders.sql", "select *\n\nfrom {{ ref('stg_order') }}\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/orders.sql:3:"), std::string::npos) << message;
}

// A transposition ("stg_ordres") is the commonest typo; the suggestion only finds names that contain each other.
TEST(CompilerErrors, DISABLED_RefTypoSuggestsTheModelWithinASmallEditDistance) {
  EngineProject project;
  project.write("models/stg_orders.sql", "select 1 as id");
  project.write("models/orders.sql", "select * from {{ ref('stg_ordres') }}\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("did you mean stg_orders"), std::string::npos) << message;
}

TEST(CompilerErrors, UndefinedSourceNamesTheFileAndTheSource) {
  EngineProject project;
  project.write("models/sources.yml", "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n");
  project.write("models/orders.sql", "select * from {{ source('raw', 'payments') }}\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/orders.sql"), std::string::npos) << message;
  EXPECT_NE(message.find("source('raw', 'payments') is not defined"), std::string::npos) << message;
}

TEST(CompilerErrors, UnknownTestMacroPointsAtTheEntryInTheYaml) {
  EngineProject project;
  project.write("models/orders.sql", "select 1 as id");
  project.write("models/schema.yml", R"(version: 2
models:
  - name: orders
    columns:
      - name: id
        tests:
          - not_a_test
)");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/schema.yml:7:13: unknown data test 'not_a_test'"), std::string::npos) << message;
}

TEST(CompilerErrors, RunQueryIsOutOfScopeAndNamesFileAndLine) {
  EngineProject project;
  project.write("models/q.sql", "select 1 as a\n{% set rows = run_query('select 1') %}\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/q.sql:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("run_query is out of scope"), std::string::npos) << message;
}

TEST(CompilerErrors, StatementBlockIsOutOfScopeAndNamesFileAndLine) {
  EngineProject project;
  project.write("models/s.sql",
                "select 1 as a\n{% call statement('max_id', fetch_result=True) %}select 1{% endcall %}\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/s.sql:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("statement block is out of scope"), std::string::npos) << message;
}

TEST(CompilerErrors, AdapterIntrospectionIsOutOfScopeAndNamesFileAndLine) {
  EngineProject project;
  project.write("models/base.sql", "select 1 as a");
  project.write("models/c.sql",
                "select\n{% set columns = adapter.get_columns_in_relation(ref('base')) %}\n1 as a\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/c.sql:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("adapter.get_columns_in_relation is out of scope"), std::string::npos) << message;
}

TEST(CompilerErrors, RefCycleNamesEveryNodeOfTheCycle) {
  EngineProject project;
  project.write("models/a.sql", "select * from {{ ref('b') }}");
  project.write("models/b.sql", "select * from {{ ref('c') }}");
  project.write("models/c.sql", "select * from {{ ref('a') }}");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("cycle"), std::string::npos) << message;
  for (const char* id : {"model.shop.a", "model.shop.b", "model.shop.c"})
    EXPECT_NE(message.find(id), std::string::npos) << message;
}

TEST(CompilerErrors, MissingRequiredVarNamesTheVarFileAndLine) {
  EngineProject project;
  project.write("models/v.sql", "select\n  '{{ var(\"country\") }}' as c\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/v.sql:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("required var 'country' is not set"), std::string::npos) << message;
}

TEST(CompilerErrors, MissingEnvVarWithoutDefaultNamesTheVariable) {
  EngineProject project;
  ::unsetenv("COWORK_ENGINE_TEST_NEVER_SET");
  project.write("models/e.sql", "select '{{ env_var(\"COWORK_ENGINE_TEST_NEVER_SET\") }}' as e\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/e.sql:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("'COWORK_ENGINE_TEST_NEVER_SET' is not set and has no default"), std::string::npos)
      << message;
}

TEST(CompilerErrors, MalformedPropertyFileNamesFileAndLine) {
  EngineProject project;
  project.write("models/orders.sql", "select 1 as id");
  project.write("models/schema.yml", "version: 2\nmodels:\n  - name: orders\n    columns: [id\n    tests: x\n");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("models/schema.yml:"), std::string::npos) << message;

  project.write("models/schema.yml", "version: 2\nmodels:\n  name: orders\n");
  const std::string shape = compile_error(project);
  EXPECT_NE(shape.find("models/schema.yml:3:3: models must be a list"), std::string::npos) << shape;
}

TEST(CompilerErrors, TwoModelsWithOneNameNameBothFiles) {
  EngineProject project;
  project.write("models/a/orders.sql", "select 1 as id");
  project.write("models/b/orders.sql", "select 2 as id");
  const std::string message = compile_error(project);
  EXPECT_NE(message.find("model.shop.orders is defined twice"), std::string::npos) << message;
  EXPECT_NE(message.find("models/a/orders.sql"), std::string::npos) << message;
  EXPECT_NE(message.find("models/b/orders.sql"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------------------------
// What dbt projects do that the compiler does not (yet) follow. Each is a bug report: see the test's comment.

// dbt passes the whole node to generate_schema_name; projects branch on node.resource_type (seeds to a raw schema)
// or node.fqn. cowork passes only {name, unique_id}, so such a macro silently puts every node in the default schema.
TEST(CompilerGaps, DISABLED_GenerateSchemaNameSeesTheNodesResourceType) {
  EngineProject project;
  project.write("macros/generate_schema_name.sql", R"({% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node.resource_type == 'seed' -%} raw_data
    {%- elif custom_schema_name is none -%} {{ target.schema }}
    {%- else -%} {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %})");
  project.write("seeds/countries.csv", "code\nNL\n");
  project.write("models/m.sql", "select * from {{ ref('countries') }}");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  EXPECT_EQ(node_named(**compiler, "countries").schema, "raw_data");
  EXPECT_EQ(node_named(**compiler, "m").schema, "main");
}

// `this` is undefined while the compiler parses a model (relation names are only set after every file is parsed), so
// `{{ this.schema }}` or `{{ this.identifier }}` in a model body fails the whole project with "'this' is undefined";
// dbt provides `this` at parse time. (`{{ this }}` alone renders as "" while parsing, so it works.)
TEST(CompilerGaps, DISABLED_ThisAttributesWorkInAModelBody) {
  EngineProject project;
  project.write("models/orders.sql", "select '{{ this.schema }}' as s, '{{ this.identifier }}' as i");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  auto sql = (*compiler)->compile((*compiler)->nodes()[0]);
  ASSERT_TRUE(sql) << sql.error().message;
  EXPECT_EQ(*sql, "select 'main' as s, 'orders' as i");
}

// dbt reads a source without `schema:` from the schema named after the source (SourceDefinition.schema =
// source.schema or source.name); cowork reads it from the target schema, so `source('raw', 'orders')` becomes
// "main"."orders" instead of "raw"."orders".
TEST(CompilerGaps, DISABLED_SourceWithoutSchemaReadsTheSchemaNamedAfterTheSource) {
  EngineProject project;
  project.write("models/sources.yml", "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n");
  project.write("models/orders.sql", "select * from {{ source('raw', 'orders') }}");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  EXPECT_EQ(node_named(**compiler, "orders").depends_on, std::vector<std::string>{"source.shop.raw.orders"});
  for (const auto& node : (*compiler)->nodes())
    if (node.resource_type == ResourceType::source) EXPECT_EQ(node.relation_name, R"("dev"."raw"."orders")");
}

// Model versions (issue #3 lists "ref ... and versions"): `ref('customers', v=1)` should resolve to the versioned model
// customers_v1 and `ref('customers')` to the latest_version. The `versions:` key of a property file is not read and
// ref() ignores its v= / version= argument, so a versioned project fails with "ref('customers') names no model".
TEST(CompilerGaps, DISABLED_RefWithAVersionResolvesTheVersionedModel) {
  EngineProject project;
  project.write("models/customers_v1.sql", "select 1 as id");
  project.write("models/customers_v2.sql", "select 1 as id, 'x' as name");
  project.write("models/schema.yml", R"(version: 2
models:
  - name: customers
    latest_version: 2
    versions:
      - v: 1
      - v: 2
)");
  project.write("models/report.sql",
                "select * from {{ ref('customers', v=1) }} join {{ ref('customers') }} using (id)");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  auto sql = (*compiler)->compile(const_cast<ProjectNode&>(node_named(**compiler, "report")));
  ASSERT_TRUE(sql) << sql.error().message;
  EXPECT_EQ(*sql, R"(select * from "dev"."main"."customers_v1" join "dev"."main"."customers_v2" using (id))");
}

// dbt renders dbt_project.yml (except vars and hooks) with target, env_var() and var(): `+materialized: "{{ 'table' if
// target.name == 'prod' else 'view' }}"` and `+schema: "{{ env_var('X', 'analytics') }}"` are common. cowork keeps the
// text: the first fails the build with "materialization '{{ 'table' if ... }}' is not supported", the second silently
// builds into a schema literally named main_{{ env_var(...) }}.
TEST(CompilerGaps, DISABLED_DbtProjectYmlConfigsAreRenderedWithTargetAndEnvVar) {
  EngineProject project;
  project.write("dbt_project.yml", std::string(k_project_yml) + R"(
models:
  shop:
    +materialized: "{{ 'table' if target.name == 'dev' else 'view' }}"
    +schema: "{{ env_var('COWORK_ENGINE_TEST_NEVER_SET', 'analytics') }}"
)");
  project.write("models/orders.sql", "select 1 as id");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  EXPECT_EQ(node_named(**compiler, "orders").materialized(), "table");
  EXPECT_EQ(node_named(**compiler, "orders").schema, "main_analytics");
}

// Property files are rendered too: `config: {enabled: "{{ var('orders_enabled') }}"}` disables the model in dbt. In
// cowork the string stays a string; the runner then writes "enabled": "{{ var(...) }}" into target/manifest.json and
// fails the whole build reading its own manifest back ("config.enabled: expected true or false, found a string").
TEST(CompilerGaps, DISABLED_PropertyFileConfigsAreRenderedWithVars) {
  EngineProject project;
  project.write("dbt_project.yml", std::string(k_project_yml) + "vars:\n  orders_enabled: false\n");
  project.write("models/orders.sql", "select 1 as id");
  project.write("models/other.sql", "select 1 as id");
  project.write("models/schema.yml", R"(version: 2
models:
  - name: orders
    config:
      enabled: "{{ var('orders_enabled') }}"
)");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  for (const auto& node : (*compiler)->nodes()) EXPECT_NE(node.name, "orders");
}

// A project's generate_alias_name macro is detected (Impl::custom_alias_macro) but never called: aliases always come
// from config(alias=...) or the node name.
TEST(CompilerGaps, DISABLED_ProjectGenerateAliasNameMacroIsUsed) {
  EngineProject project;
  project.write("macros/generate_alias_name.sql", R"({% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%} {{ custom_alias_name | trim }}
    {%- else -%} v_{{ node.name }}
    {%- endif -%}
{%- endmacro %})");
  project.write("models/orders.sql", "select 1 as id");
  auto compiler = project.compile();
  ASSERT_TRUE(compiler) << compiler.error().message;
  EXPECT_EQ(node_named(**compiler, "orders").alias, "v_orders");
}

}  // namespace
}  // namespace cowork::engine_test
