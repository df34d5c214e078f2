#include "dbt/run_results.hpp"

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::RunResultsBuilder;
using testing::TempDir;

TEST(RunResults, EveryStatusDbtWritesIsRecognised) {
  const std::vector<std::pair<std::string, RunStatus>> cases = {
      {"success", RunStatus::success},
      {"error", RunStatus::error},
      {"skipped", RunStatus::skipped},
      {"pass", RunStatus::pass},
      {"fail", RunStatus::fail},
      {"warn", RunStatus::warn},
      {"runtime error", RunStatus::runtime_error},
      {"partial success", RunStatus::partial_success},
      {"no-op", RunStatus::no_op},
      {"reused", RunStatus::reused},
      {"Success", RunStatus::success},
      {"runtime_error", RunStatus::runtime_error},
      {"NO_OP", RunStatus::no_op},
  };
  TempDir dir;
  RunResultsBuilder builder;
  for (std::size_t i = 0; i < cases.size(); ++i) builder.result("model.a.m" + std::to_string(i), cases[i].first);
  auto run = load_run_results(builder.write(dir.path()));
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->results.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(run->results[i].status, cases[i].second) << cases[i].first;
  EXPECT_TRUE(run->warnings.empty());
  EXPECT_EQ(run->command, "build");
}

TEST(RunResults, FailuresAreTheFailStatusesOnly) {
  EXPECT_TRUE(is_failure(RunStatus::fail));
  EXPECT_TRUE(is_failure(RunStatus::error));
  EXPECT_TRUE(is_failure(RunStatus::warn));
  EXPECT_TRUE(is_failure(RunStatus::runtime_error));
  EXPECT_FALSE(is_failure(RunStatus::skipped));
  EXPECT_FALSE(is_failure(RunStatus::no_op));
  EXPECT_FALSE(is_failure(RunStatus::pass));
  EXPECT_FALSE(is_error_level(RunStatus::warn));
}

TEST(RunResults, FusionResultsWithoutMessageOrCode) {
  TempDir dir;
  auto path = dir.write("run_results.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json", "dbt_version": "2.0.0-preview.154"},
    "results": [{"status": "warn", "timing": [], "thread_id": "Thread-2", "execution_time": 1.6,
                 "adapter_response": {}, "failures": 1, "unique_id": "test.a.t.1"}],
    "elapsed_time": 2.0, "args": {"which": "test"}})");
  auto run = load_run_results(path);
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->results.size(), 1u);
  EXPECT_FALSE(run->results[0].message.has_value());
  EXPECT_EQ(run->results[0].failures, 1);
  EXPECT_TRUE(run->metadata.fusion);
}

TEST(RunResults, TimingGivesTheEarliestStartAndLatestEnd) {
  TempDir dir;
  auto path = dir.write("run_results.json", R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v4.json"},
    "results": [{"status": "fail", "unique_id": "test.a.t", "failures": 3, "message": "Got 3 results",
                 "timing": [{"name": "compile", "started_at": "2024-01-01T00:00:01Z", "completed_at": "2024-01-01T00:00:02Z"},
                            {"name": "execute", "started_at": "2024-01-01T00:00:02Z", "completed_at": "2024-01-01T00:00:09Z"}]}]})");
  auto run = load_run_results(path);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->results[0].started_at, "2024-01-01T00:00:01Z");
  EXPECT_EQ(run->results[0].completed_at, "2024-01-01T00:00:09Z");
  EXPECT_EQ(*run->results[0].message, "Got 3 results");
}

TEST(RunResults, UnknownStatusIsKeptWithAWarning) {
  TempDir dir;
  auto run = load_run_results(RunResultsBuilder().result("model.a.b", "exploded").write(dir.path()));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->results[0].status, RunStatus::unknown);
  EXPECT_EQ(run->results[0].status_text, "exploded");
  ASSERT_EQ(run->warnings.size(), 1u);
  EXPECT_NE(run->warnings[0].find("'exploded' on model.a.b"), std::string::npos);
}

TEST(RunResults, MalformedFilesNameThePath) {
  TempDir dir;
  const std::string meta =
      R"("metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"})";
  struct Case {
    std::string content, expected;
  };
  const std::vector<Case> cases = {
      {"{" + meta + "}", ": $.results is missing"},
      {"{" + meta + R"(, "results": {}})", ": $.results: expected an array, found an object"},
      {"{" + meta + R"(, "results": [{"status": "pass"}]})", ": $.results[0]: a result without a unique_id"},
      {"{" + meta + R"(, "results": [{"unique_id": "a", "failures": "three"}]})",
       ": $.results[0].failures: expected an integer, found a string"},
      {"{" + meta + R"(, "results": [null]})", ": $.results[0]: expected an object, found null"},
  };
  for (const auto& c : cases) {
    auto path = dir.write("run_results.json", c.content);
    auto run = load_run_results(path);
    ASSERT_FALSE(run) << c.content;
    EXPECT_EQ(run.error().message, path.string() + c.expected);
  }
}

}  // namespace
}  // namespace cowork::dbt
