// The engine's commands as a user runs them: `cowork build` on a copy of examples/airbnb (never inside the source
// tree), its dbt-like progress and exit codes, `cowork sql` and its JSON contract and refusals, and the messages for a
// profile of an unknown type and a missing profiles.yml.
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cowork::engine_test {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::TempDir;

const fs::path k_airbnb = fs::path(COWORK_SOURCE_DIR) / "examples" / "airbnb";

// The example's files without what a build leaves behind.
void copy_project(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path relative = fs::relative(it->path(), from);
    const std::string first = relative.begin()->string();
    if (first == "target" || first == ".cowork" || first == "logs" || first == "dbt_packages" ||
        relative.extension() == ".duckdb" || relative.extension() == ".wal") {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory())
      fs::create_directories(to / relative);
    else
      fs::copy_file(it->path(), to / relative, fs::copy_options::overwrite_existing);
  }
}

// Runs cowork in `cwd` (DuckDB paths in profiles are relative to the working directory, as in dbt-duckdb).
ProcessResult cowork(std::vector<std::string> args, const fs::path& cwd, std::vector<std::string> env = {}) {
  args.insert(args.begin(), testing::cowork_binary());
  env.push_back("NO_COLOR=1");
  return testing::run_process(args, env, cwd.string());
}

class AirbnbCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir();
    copy_project(k_airbnb, project());
    s_build = new ProcessResult(cowork({"build", "--project-dir", ".", "--profiles-dir", "."}, project()));
  }
  static void TearDownTestSuite() {
    delete s_build;
    delete s_dir;
  }
  static fs::path project() { return s_dir->path() / "airbnb"; }

  static TempDir* s_dir;
  static ProcessResult* s_build;
};
TempDir* AirbnbCli::s_dir = nullptr;
ProcessResult* AirbnbCli::s_build = nullptr;

TEST_F(AirbnbCli, BuildExitsZeroWithDbtLikeProgressLines) {
  ASSERT_EQ(s_build->exit_code, 0) << s_build->out << s_build->err;
  const std::string& out = s_build->out;
  EXPECT_TRUE(fs::exists(project() / "airbnb.duckdb"));  // relative to the working directory
  EXPECT_FALSE(fs::exists(k_airbnb / "target" / "cowork-engine-test"));
  EXPECT_NE(out.find("Running with cowork"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(Found \d+ models, 4 seeds, \d+ data tests, \d+ sources)"))) << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex(R"(\d\d:\d\d:\d\d  1 of (\d+) START seed file main_raw\.\w+ \.+ \[RUN\])")))
      << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex(R"(\d+ of \d+ OK loaded seed file main_raw\.raw_listings \.+ \[INSERT \d+ in \d+\.\d\ds\])")))
      << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex(R"(\d+ of \d+ OK created sql view model main\.src_listings \.+ \[CREATE VIEW in \d+\.\d\ds\])")))
      << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex(R"(\d+ of \d+ OK created sql incremental model main\.fct_reviews \.+ \[SELECT \d+ in)")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\d+ of \d+ PASS unique_dim_listings_cleansed_listing_id \.+ \[PASS in)")))
      << out;
  EXPECT_NE(out.find("Completed successfully"), std::string::npos) << out;
  std::smatch done;
  ASSERT_TRUE(std::regex_search(out, done, std::regex(R"(Done\. PASS=(\d+) WARN=0 ERROR=0 SKIP=0 TOTAL=(\d+))"))) << out;
  EXPECT_EQ(done[1], done[2]);
  EXPECT_GT(std::stoi(done[1]), 30);
  EXPECT_TRUE(fs::exists(project() / "target" / "manifest.json"));
  EXPECT_TRUE(fs::exists(project() / "target" / "run_results.json"));
}

TEST_F(AirbnbCli, SqlReturnsTheJsonContract) {
  ASSERT_EQ(s_build->exit_code, 0);
  auto result = cowork({"sql", "select room_type, count(*) as n from main.dim_listings_cleansed group by 1 order by 1",
                        "--format", "json"},
                       project());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json.size(), 3u) << json.dump();
  ASSERT_EQ(json["columns"].size(), 2u);
  EXPECT_EQ(json["columns"][0], (nlohmann::json{{"name", "room_type"}, {"type", "VARCHAR"}}));
  EXPECT_EQ(json["columns"][1]["name"], "n");
  EXPECT_EQ(json["columns"][1]["type"], "BIGINT");
  EXPECT_EQ(json["truncated"], false);
  ASSERT_EQ(json["rows"].size(), 4u) << json.dump();
  EXPECT_EQ(json["rows"][0][0], "Entire home/apt");
  EXPECT_TRUE(json["rows"][0][1].is_number_integer());

  auto limited = cowork({"sql", "select listing_id from main.dim_listings_cleansed", "--limit", "3", "--format", "json"},
                        project());
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  const auto truncated = nlohmann::json::parse(limited.out);
  EXPECT_EQ(truncated["rows"].size(), 3u);
  EXPECT_EQ(truncated["truncated"], true);
}

TEST_F(AirbnbCli, SqlRefusesWritesWithExitTwo) {
  ASSERT_EQ(s_build->exit_code, 0);
  for (const char* statement : {"delete from main.dim_listings_cleansed",
                                "select 1; drop table main.dim_listings_cleansed",
                                "select * from read_csv('/etc/passwd')"}) {
    auto result = cowork({"sql", statement, "--format", "json"}, project());
    EXPECT_EQ(result.exit_code, 2) << statement;
    EXPECT_TRUE(result.out.empty()) << statement << ": " << result.out;
    EXPECT_NE(result.err.find("error:"), std::string::npos) << statement << ": " << result.err;
  }
  auto rows = cowork({"sql", "select count(*) from main.dim_listings_cleansed", "--format", "json"}, project());
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  EXPECT_GT(nlohmann::json::parse(rows.out)["rows"][0][0].get<std::int64_t>(), 0);
}

// A small project of its own, with its own profiles.yml.
class CliProject : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("project/dbt_project.yml", "name: shop\nversion: \"1.0\"\nconfig-version: 2\nprofile: shop\n");
    m_dir.write("project/models/orders.sql", "select 1 as id union all select 1");
    m_dir.write("project/models/schema.yml",
                "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [unique]\n");
    write_profile("type: duckdb\n      path: shop.duckdb\n      schema: main");
  }
  void write_profile(const std::string& output) {
    m_dir.write("project/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev:\n      " + output + "\n");
  }
  fs::path project() const { return m_dir.path() / "project"; }

  TempDir m_dir;
};

TEST_F(CliProject, FailingTestExitsOneAndSaysWhatFailed) {
  auto result = cowork({"build"}, project(), {"DBT_PROFILES_DIR="});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("FAIL 1 unique_orders_id"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Completed with 1 error and 0 warnings:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Failure in test unique_orders_id (models/schema.yml)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Got 1 result, configured to fail if != 0"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2"), std::string::npos) << result.out;
}

TEST_F(CliProject, BrokenProjectExitsTwo) {
  m_dir.write("project/models/orders.sql", "select {{ ref('nothing_here') }}");
  auto result = cowork({"build"}, project(), {"DBT_PROFILES_DIR="});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("ref('nothing_here')"), std::string::npos) << result.err;
}

TEST_F(CliProject, UnknownProfileTypeNamesTheSupportedOnes) {
  write_profile("type: snowflake\n      account: x\n      schema: main");
  auto result = cowork({"build"}, project(), {"DBT_PROFILES_DIR="});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("'snowflake'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("supported: duckdb, postgres"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("profiles.yml"), std::string::npos) << result.err;
}

TEST_F(CliProject, MissingProfilesYmlSaysWhereItLooked) {
  fs::remove(project() / "profiles.yml");
  const fs::path home = m_dir.path() / "home";
  fs::create_directories(home);
  auto result = cowork({"build"}, project(), {"DBT_PROFILES_DIR=", "HOME=" + home.string()});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("profiles.yml"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("(looked at ./profiles.yml, " + (home / ".dbt" / "profiles.yml").string() + ")"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("--profiles-dir"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace cowork::engine_test
