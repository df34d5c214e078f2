#include "fixes/verifier.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dbt/engine.hpp"
#include "dbt/runner.hpp"
#include "fix_workspace.hpp"
#include "postgres_server.hpp"
#include "support/temp_dir.hpp"

namespace cowork::fixes {
namespace {

namespace fs = std::filesystem;
using testing::demo_workspace;
using testing::read_bytes;
using testing::snapshot;

constexpr const char* k_listings = "models/src/src_listings.sql";
constexpr const char* k_schema = "models/schema.yml";
constexpr const char* k_room_type_values = "values: ['Entire home/apt', 'Private room', 'Shared room', 'Hotel room']";

// `text` with its one occurrence of `from` replaced; fails the test when the example no longer has it.
std::string replaced(const std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the example no longer contains: " << from;
  if (at == std::string::npos) return text;
  return text.substr(0, at) + to + text.substr(at + from.size());
}

Edit edit_of(const fs::path& project, const std::string& path, const std::string& from, const std::string& to) {
  const std::string before = read_bytes(project / path);
  return {path, before, replaced(before, from, to)};
}

VerifyRequest request_for(const fs::path& project, std::vector<Edit> edits) {
  VerifyRequest request;
  request.project_dir = project;
  request.edits = std::move(edits);
  request.target_tests = {testing::room_type_test_id(project)};
  return request;
}

const TestOutcome* outcome_of(const Verification& verification, const std::string& id) {
  for (const auto& test : verification.tests)
    if (test.unique_id == id) return &test;
  return nullptr;
}

TEST(Verifier, AMappingInTheSourceModelIsVerifiedAndTouchesNothingReal) {
  const fs::path& project = demo_workspace();
  const auto files_before = snapshot(project);
  const auto request = request_for(
      project, {edit_of(project, k_listings, "    room_type,\n",
                        "    case room_type when 'Entire place' then 'Entire home/apt' else room_type end as room_type,\n")});

  auto verification = verify(request);
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::verified) << verification->detail;
  ASSERT_FALSE(verification->tests.empty());
  const TestOutcome& target = verification->tests.front();
  EXPECT_EQ(target.unique_id, request.target_tests.front());
  EXPECT_EQ(target.before, "fail");
  EXPECT_EQ(target.after, "pass");
  EXPECT_EQ(target.failures_before, 1);
  EXPECT_EQ(target.failures_after, 0);
  const auto& built = verification->built;
  EXPECT_NE(std::find(built.begin(), built.end(), "model.airbnb.src_listings"), built.end());
  EXPECT_NE(std::find(built.begin(), built.end(), "model.airbnb.dim_listings_cleansed"), built.end());
  // Not downstream of the edit, so read from the real database rather than rebuilt.
  EXPECT_EQ(std::find(built.begin(), built.end(), "model.airbnb.src_hosts"), built.end());
  EXPECT_EQ(std::find(built.begin(), built.end(), "seed.airbnb.raw_listings"), built.end());
  // The real database file, the project's files and target/ are byte for byte as they were.
  EXPECT_EQ(snapshot(project), files_before);

  const auto json = verification->to_json();
  EXPECT_EQ(json["status"], "verified");
  EXPECT_EQ(json["tests"][0]["unique_id"], request.target_tests.front());
  EXPECT_EQ(json["tests"][0]["before"], "fail");
  EXPECT_EQ(json["tests"][0]["after"], "pass");
  EXPECT_EQ(json["tests"][0]["failures_before"], 1);
  EXPECT_EQ(json["tests"][0]["failures_after"], 0);
  EXPECT_TRUE(json["built"].is_array());
  EXPECT_TRUE(json["seconds"].is_number());
}

TEST(Verifier, AnEditThatBreaksTheSqlFailsNamingTheModel) {
  const fs::path& project = demo_workspace();
  const auto files_before = snapshot(project);
  auto verification = verify(request_for(project, {edit_of(project, k_listings, "    room_type,\n", "    room_type +,\n")}));
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::failed) << verification->detail;
  EXPECT_NE(verification->detail.find("src_listings does not build"), std::string::npos) << verification->detail;
  EXPECT_EQ(verification->tests.front().after, "skipped");
  EXPECT_EQ(snapshot(project), files_before);
}

TEST(Verifier, AddingTheValueToAcceptedValuesIsVerifiedThoughItRenamesTheTest) {
  const fs::path& project = demo_workspace();
  const std::string values = k_room_type_values;
  const auto request = request_for(
      project, {edit_of(project, k_schema, values, replaced(values, "'Hotel room']", "'Hotel room', 'Entire place']"))});
  auto verification = verify(request);
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::verified) << verification->detail;
  const TestOutcome* target = outcome_of(*verification, request.target_tests.front());
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->before, "fail");
  EXPECT_EQ(target->after, "pass");
  EXPECT_NE(verification->detail.find("renamed to"), std::string::npos) << verification->detail;
  // A property-file edit rebuilds no model: the tests read the real relations through the sandbox's views.
  EXPECT_TRUE(verification->built.empty());
}

TEST(Verifier, ASeverityChangeCountsOnlyWhenWarningsAreAccepted) {
  const fs::path& project = demo_workspace();
  const std::string values = k_room_type_values;
  auto request = request_for(
      project, {edit_of(project, k_schema, values, values + "\n              config:\n                severity: warn")});
  request.warn_counts_as_pass = true;
  auto accepted = verify(request);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, VerifyStatus::verified) << accepted->detail;
  EXPECT_EQ(accepted->tests.front().after, "warn");
  EXPECT_EQ(accepted->tests.front().failures_after, 1);

  request.warn_counts_as_pass = false;
  auto strict = verify(request);
  ASSERT_TRUE(strict) << strict.error().message;
  EXPECT_EQ(strict->status, VerifyStatus::failed) << strict->detail;
  EXPECT_NE(strict->detail.find("still does not pass: warn"), std::string::npos) << strict->detail;
}

TEST(Verifier, ADataFixInASeedRebuildsTheSeedAndEverythingBelowIt) {
  const fs::path& project = demo_workspace();
  const std::string path = "seeds/raw_listings.csv";
  const std::string before = read_bytes(project / path);
  std::string after = before;
  for (auto at = after.find("Entire place"); at != std::string::npos; at = after.find("Entire place", at))
    after.replace(at, 12, "Entire home/apt");
  auto verification = verify(request_for(project, {{path, before, after}}));
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::verified) << verification->detail;
  EXPECT_EQ(verification->tests.front().after, "pass");
  const auto& built = verification->built;
  EXPECT_NE(std::find(built.begin(), built.end(), "seed.airbnb.raw_listings"), built.end());
  EXPECT_NE(std::find(built.begin(), built.end(), "model.airbnb.dim_listings_cleansed"), built.end());
}

TEST(Verifier, AnEditMadeAgainstOtherContentIsRefused) {
  const fs::path& project = demo_workspace();
  auto request = request_for(project, {{k_listings, "select 1 as stale\n", "select 2 as stale\n"}});
  auto verification = verify(request);
  ASSERT_FALSE(verification);
  EXPECT_EQ(verification.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(verification.error().message.find("models/src/src_listings.sql changed since the fix was made"),
            std::string::npos)
      << verification.error().message;

  request.edits = {{"models/new_model.sql", "select 1\n", "select 2\n"}};
  verification = verify(request);
  ASSERT_FALSE(verification);
  EXPECT_NE(verification.error().message.find("no longer exists"), std::string::npos) << verification.error().message;
}

TEST(Verifier, BadRequestsAreErrors) {
  const fs::path& project = demo_workspace();
  const std::string listings = read_bytes(project / k_listings);

  auto request = request_for(project, {{"../outside.sql", "", "select 1\n"}});
  auto outside = verify(request);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("leaves the project folder"), std::string::npos) << outside.error().message;

  request = request_for(project, {{k_listings, listings, listings}});
  request.target_tests = {"test.airbnb.no_such_test"};
  auto unknown = verify(request);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("test.airbnb.no_such_test is not a node"), std::string::npos)
      << unknown.error().message;

  cowork::testing::TempDir empty;
  request.project_dir = empty.path();
  auto missing = verify(request);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("dbt_project.yml"), std::string::npos) << missing.error().message;
}

TEST(Verifier, AMissingWarehouseDatabaseLeavesTheFixUnverified) {
  cowork::testing::TempDir dir;
  const fs::path project = testing::copy_workspace(dir);
  // Neither in the project folder nor in the working folder (where dbt-duckdb would look).
  const fs::path elsewhere = dir.path() / "elsewhere";
  const fs::path away = dir.path() / "away";
  fs::create_directories(elsewhere);
  fs::create_directories(away);
  fs::rename(project / "airbnb.duckdb", away / "airbnb.duckdb");
  const fs::path previous = fs::current_path();
  fs::current_path(elsewhere);
  auto verification = verify(request_for(
      project, {edit_of(project, k_listings, "    room_type,\n",
                        "    case room_type when 'Entire place' then 'Entire home/apt' else room_type end as room_type,\n")}));
  fs::current_path(previous);
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::unverified) << verification->detail;
  EXPECT_NE(verification->detail.find("airbnb.duckdb"), std::string::npos) << verification->detail;
  EXPECT_NE(verification->detail.find("does not exist"), std::string::npos) << verification->detail;
}

// ---- PostgreSQL: the build runs in a transaction that is rolled back ------------------------------------------------

class PostgresVerifier : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = cowork::testing::PostgresServer::shared();
    ASSERT_TRUE(server) << "PostgreSQL is needed for this test: " << server.error().message;
    m_config = (*server)->config();
    std::random_device random;
    m_schema = fmt::format("verify_{:08x}", random());
    m_dir.write("dbt_project.yml", "name: pgshop\nversion: \"1.0\"\nconfig-version: 2\nprofile: pgshop\n");
    m_dir.write("profiles.yml", fmt::format("pgshop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
                                            "      host: 127.0.0.1\n      port: {}\n      user: {}\n"
                                            "      password: {}\n      dbname: {}\n      schema: {}\n",
                                            m_config.port, m_config.user, m_config.password, m_config.dbname,
                                            m_schema));
    m_dir.write("models/numbers.sql", "{{ config(materialized='table') }}\nselect 1 as n union all select 2 as n\n");
    m_dir.write("models/schema.yml",
                "version: 2\nmodels:\n  - name: numbers\n    columns:\n      - name: n\n        data_tests:\n"
                "          - accepted_values:\n              values: [1]\n");
    // The project's real build: numbers has two rows and its test fails.
    dbt::EngineOptions options;
    options.project_dir = m_dir.path();
    options.profiles_dir = m_dir.path().string();
    auto engine = dbt::open_engine(options);
    ASSERT_TRUE(engine) << engine.error().message;
    dbt::Runner runner(*engine->compiler, *engine->warehouse,
                       {engine->invocation_id, dbt::utc_now_iso(), "postgres", "pgshop"});
    dbt::RunOptions run;
    run.elementary = false;
    run.target_dir = m_dir.path() / "target";
    auto summary = runner.run(run);
    ASSERT_TRUE(summary) << summary.error().message;
    m_config.schema = m_schema;
    auto warehouse = warehouse::open_warehouse(m_config);
    ASSERT_TRUE(warehouse) << warehouse.error().message;
    m_warehouse = std::move(*warehouse);
    ASSERT_EQ(row_count(), 2);
  }

  std::int64_t row_count() {
    auto rows = m_warehouse->query(fmt::format("select count(*) from {}.numbers", m_schema));
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? std::get<std::int64_t>(rows->rows.at(0).at(0)) : -1;
  }

  std::vector<std::string> relations() {
    auto rows = m_warehouse->query(
        fmt::format("select table_name from information_schema.tables where table_schema = '{}' order by 1", m_schema));
    EXPECT_TRUE(rows) << rows.error().message;
    std::vector<std::string> names;
    if (rows)
      for (const auto& row : rows->rows) names.push_back(warehouse::to_string(row[0]));
    return names;
  }

  VerifyRequest request(std::vector<Edit> edits) {
    VerifyRequest request;
    request.project_dir = m_dir.path();
    request.profiles_dir = m_dir.path().string();
    request.edits = std::move(edits);
    // The failing test's id as the build wrote it (generic test ids end with a hash of their arguments).
    const std::string results = read_bytes(m_dir.path() / "target" / "run_results.json");
    const auto at = results.find("test.pgshop.accepted_values_numbers_n__1");
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) request.target_tests = {results.substr(at, results.find('"', at) - at)};
    return request;
  }

  cowork::testing::TempDir m_dir;
  warehouse::ConnectionConfig m_config;
  std::string m_schema;
  std::unique_ptr<warehouse::Warehouse> m_warehouse;
};

TEST_F(PostgresVerifier, TheSandboxBuildIsRolledBack) {
  const auto relations_before = relations();
  const std::string numbers = read_bytes(m_dir.path() / "models/numbers.sql");
  auto verification = verify(request({{"models/numbers.sql", numbers, replaced(numbers, " union all select 2 as n", "")},
                                      {"models/extra.sql", "", "select 42 as answer\n"}}));
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::verified) << verification->detail;
  EXPECT_EQ(verification->tests.front().before, "fail");
  EXPECT_EQ(verification->tests.front().after, "pass");
  const auto& built = verification->built;
  EXPECT_NE(std::find(built.begin(), built.end(), "model.pgshop.extra"), built.end());
  EXPECT_NE(std::find(built.begin(), built.end(), "model.pgshop.numbers"), built.end());
  // Nothing remains: no new relation, and the rebuilt table holds its old rows.
  EXPECT_EQ(relations(), relations_before);
  EXPECT_EQ(row_count(), 2);
}

TEST_F(PostgresVerifier, AFailingModelStillRollsBackAndIsReported) {
  const auto relations_before = relations();
  const std::string numbers = read_bytes(m_dir.path() / "models/numbers.sql");
  auto verification =
      verify(request({{"models/numbers.sql", numbers, replaced(numbers, "select 2 as n", "select 2 as n frm")}}));
  ASSERT_TRUE(verification) << verification.error().message;
  EXPECT_EQ(verification->status, VerifyStatus::failed) << verification->detail;
  EXPECT_NE(verification->detail.find("numbers does not build"), std::string::npos) << verification->detail;
  EXPECT_EQ(relations(), relations_before);
  EXPECT_EQ(row_count(), 2);
}

}  // namespace
}  // namespace cowork::fixes
