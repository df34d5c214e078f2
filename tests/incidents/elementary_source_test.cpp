// Elementary's tables as incidents: the latest result, samples and history of each test read from a demo workspace
// the native engine built (DuckDB), history and old-version tables on hand-made tables, what a project without
// Elementary or with a malformed table gets, and the merge into the incidents of the artifacts.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "dbt/artifacts.hpp"
#include "incidents/elementary_source.hpp"
#include "incidents/incident.hpp"
#include "incidents/workspace.hpp"
#include "warehouse/warehouse.hpp"

namespace cowork::testing {
namespace {

namespace fs = std::filesystem;
using incidents::ElementaryResults;
using incidents::ElementaryTest;
using incidents::IncidentReport;

std::unique_ptr<warehouse::Warehouse> open_duckdb(const fs::path& path,
                                                  warehouse::AccessMode access = warehouse::AccessMode::read_only) {
  warehouse::ConnectionConfig config;
  config.type = "duckdb";
  config.path = path.string();
  config.access = access;
  auto opened = warehouse::open_warehouse(config);
  if (!opened) throw std::runtime_error(opened.error().message);
  return std::move(*opened);
}

ElementaryResults read_workspace(const fs::path& dir) {
  auto warehouse = open_duckdb(dir / "airbnb.duckdb");
  auto read = incidents::read_elementary(*warehouse, "main_elementary");
  if (!read) throw std::runtime_error(read.error().message);
  return std::move(*read);
}

dbt::ArtifactSet load(const fs::path& target, dbt::Need run_results = dbt::Need::required,
                      const fs::path& run_results_path = {}) {
  dbt::ArtifactRequest request;
  request.run_results = run_results;
  request.run_results_path = run_results_path;
  auto artifacts = dbt::load_artifacts(target, request);
  if (!artifacts) throw std::runtime_error(artifacts.error().message);
  return std::move(*artifacts);
}

// Every failure of the report with this unique id, with the incident it is in.
std::vector<std::pair<const incidents::Incident*, const incidents::Failure*>> failures_of(const IncidentReport& report,
                                                                                          const std::string& id) {
  std::vector<std::pair<const incidents::Incident*, const incidents::Failure*>> out;
  for (const auto& incident : report.incidents)
    for (const auto& failure : incident.failures)
      if (failure.unique_id == id) out.emplace_back(&incident, &failure);
  return out;
}

class ElementaryWorkspace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_workspace = new Workspace({"new_room_type"}); }
  static void TearDownTestSuite() {
    delete s_workspace;
    s_workspace = nullptr;
  }
  static Workspace* s_workspace;
};
Workspace* ElementaryWorkspace::s_workspace = nullptr;

TEST_F(ElementaryWorkspace, LatestResultOfAFailingTestWithItsSamples) {
  const ElementaryResults results = read_workspace(s_workspace->dir());
  ASSERT_TRUE(results.present);
  EXPECT_EQ(results.schema, "main_elementary");
  EXPECT_GT(results.tests.size(), 20u);
  const ElementaryTest* test = results.find(s_workspace->room_type_test());
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->status, "fail");
  EXPECT_TRUE(test->failing());
  ASSERT_TRUE(test->failures.has_value());
  EXPECT_GT(*test->failures, 0);
  EXPECT_EQ(test->model_unique_id, k_listings_model);
  EXPECT_EQ(test->column, "room_type");
  EXPECT_EQ(test->test_type, "dbt_test");
  EXPECT_EQ(test->test_sub_type, "generic");
  EXPECT_EQ(test->short_name, "accepted_values");
  EXPECT_NE(test->test_results_query.find("room_type"), std::string::npos) << test->test_results_query;
  EXPECT_TRUE(test->detected_at.ends_with("Z")) << test->detected_at;
  EXPECT_EQ(results.latest_detected_at, test->detected_at);

  ASSERT_FALSE(test->samples.empty());
  const bool entire_place = std::any_of(test->samples.begin(), test->samples.end(), [](const nlohmann::json& row) {
    return row.dump().find("Entire place") != std::string::npos;
  });
  EXPECT_TRUE(entire_place) << nlohmann::json(test->samples).dump();
}

TEST_F(ElementaryWorkspace, PassingTestsHaveNoFailureHistory) {
  const ElementaryResults results = read_workspace(s_workspace->dir());
  auto it = std::find_if(results.tests.begin(), results.tests.end(), [](const ElementaryTest& test) {
    return test.unique_id.starts_with("test.airbnb.not_null_dim_listings_cleansed_host_id");
  });
  const ElementaryTest* test = it == results.tests.end() ? nullptr : &*it;
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->status, "pass");
  EXPECT_FALSE(test->failing());
  EXPECT_EQ(test->failing_since, "");
  EXPECT_EQ(test->failing_runs, 0);
  EXPECT_EQ(test->runs, 2);  // the green build of init, the build after the injection
  EXPECT_EQ(test->last_passed_at, test->detected_at);
  EXPECT_TRUE(test->samples.empty());
}

TEST_F(ElementaryWorkspace, StartedFailingAtTheFirstFailureAfterTheLastPass) {
  const fs::path dir = s_workspace->copy("history");
  const ElementaryTest before = *read_workspace(dir).find(s_workspace->room_type_test());
  EXPECT_EQ(before.runs, 2);
  EXPECT_EQ(before.failing_runs, 1);
  EXPECT_EQ(before.failing_since, before.detected_at);
  EXPECT_FALSE(before.last_passed_at.empty());
  EXPECT_LT(before.last_passed_at, before.failing_since);

  auto again = cowork({"test"}, dir);
  ASSERT_EQ(again.exit_code, 1) << again.out << again.err;  // still failing
  const ElementaryTest after = *read_workspace(dir).find(s_workspace->room_type_test());
  EXPECT_EQ(after.runs, 3);
  EXPECT_EQ(after.failing_runs, 2);
  EXPECT_EQ(after.failing_since, before.failing_since);  // the first failing run, not the latest
  EXPECT_EQ(after.last_passed_at, before.last_passed_at);

  // The artifacts are of the latest run; the incident began with the first failing one.
  const dbt::ArtifactSet artifacts = load(dir / "target");
  IncidentReport report = incidents::build_incidents(artifacts);
  incidents::merge_elementary(report, read_workspace(dir), artifacts);
  const auto found = failures_of(report, s_workspace->room_type_test());
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].second->elementary.has_value());
  EXPECT_EQ(found[0].second->elementary->failing_since, before.failing_since);
  EXPECT_EQ(found[0].second->elementary->failing_runs, 2);
  EXPECT_LE(found[0].first->first_seen, before.failing_since);
  EXPECT_LT(found[0].first->first_seen, found[0].second->started_at);
}

TEST_F(ElementaryWorkspace, MergeEnrichesTheArtifactsFailureWithoutDuplicating) {
  const dbt::ArtifactSet artifacts = load(s_workspace->dir() / "target");
  IncidentReport report = incidents::build_incidents(artifacts);
  const std::size_t incidents_before = report.incidents.size();
  ASSERT_EQ(failures_of(report, s_workspace->room_type_test()).size(), 1u);

  const ElementaryResults results = read_workspace(s_workspace->dir());
  incidents::merge_elementary(report, results, artifacts);
  EXPECT_EQ(report.incidents.size(), incidents_before);
  const auto found = failures_of(report, s_workspace->room_type_test());
  ASSERT_EQ(found.size(), 1u);
  const incidents::Failure& failure = *found[0].second;
  EXPECT_EQ(failure.origin, "run_results");
  ASSERT_TRUE(failure.elementary.has_value());
  EXPECT_EQ(failure.elementary->failing_since, results.find(s_workspace->room_type_test())->failing_since);
  EXPECT_FALSE(failure.elementary->samples.empty());
  EXPECT_EQ(report.elementary_enriched, 1u);
  EXPECT_EQ(report.elementary_added, 0u);
  EXPECT_EQ(report.elementary_schema, "main_elementary");

  const auto json = incidents::to_json(report);
  EXPECT_EQ(json["elementary"]["enriched"], 1);
  const auto& failure_json = json["incidents"][0]["failures"][0];
  EXPECT_EQ(failure_json["unique_id"], s_workspace->room_type_test());
  EXPECT_NE(failure_json["elementary"]["samples"].dump().find("Entire place"), std::string::npos);
}

TEST_F(ElementaryWorkspace, FailuresOnlyInElementaryWhenThereIsNoRunResults) {
  const dbt::ArtifactSet artifacts = load(s_workspace->dir() / "target", dbt::Need::skip);
  IncidentReport report = incidents::build_incidents(artifacts);
  EXPECT_TRUE(report.incidents.empty());

  incidents::merge_elementary(report, read_workspace(s_workspace->dir()), artifacts);
  ASSERT_EQ(report.incidents.size(), 1u);
  const incidents::Incident& incident = report.incidents[0];
  ASSERT_EQ(incident.failures.size(), 1u);
  const incidents::Failure& failure = incident.failures[0];
  EXPECT_EQ(failure.unique_id, s_workspace->room_type_test());
  EXPECT_EQ(failure.origin, "elementary");
  EXPECT_EQ(failure.status, dbt::RunStatus::fail);
  EXPECT_EQ(failure.subject, k_listings_model);  // from the manifest: grouped like any test failure
  EXPECT_EQ(failure.column, "room_type");
  EXPECT_NE(incident.title.find("accepted_values failed on dim_listings_cleansed.room_type"), std::string::npos)
      << incident.title;
  EXPECT_FALSE(incident.impact.downstream_models.empty());
  EXPECT_EQ(report.elementary_added, 1u);
  EXPECT_FALSE(report.generated_at.empty());

  // The same incident as the artifacts give: the id does not depend on where the failure was read.
  const dbt::ArtifactSet with_results = load(s_workspace->dir() / "target");
  const IncidentReport from_artifacts = incidents::build_incidents(with_results);
  const incidents::Incident& same = *failures_of(from_artifacts, s_workspace->room_type_test()).at(0).first;
  EXPECT_EQ(same.id, incident.id);
  EXPECT_EQ(same.severity, incident.severity);
  EXPECT_EQ(same.title, incident.title);
}

TEST_F(ElementaryWorkspace, FailuresNewerThanTheArtifactsAreAdded) {
  // run_results.json of the green build before the fault; Elementary saw the failure after it.
  const dbt::ArtifactSet artifacts =
      load(s_workspace->dir() / "target", dbt::Need::required, s_workspace->green_run_results());
  IncidentReport report = incidents::build_incidents(artifacts);
  ASSERT_TRUE(report.incidents.empty());
  const ElementaryResults results = read_workspace(s_workspace->dir());
  incidents::merge_elementary(report, results, artifacts);
  ASSERT_EQ(report.incidents.size(), 1u);
  EXPECT_EQ(report.incidents[0].failures.at(0).origin, "elementary");
  EXPECT_TRUE(incidents::executed_nodes(artifacts, &results).contains(s_workspace->room_type_test()));
}

TEST_F(ElementaryWorkspace, OlderElementaryResultsDoNotOverrideTheArtifacts) {
  // Artifacts of a later run in which the test passes: Elementary's failure is history, not an incident.
  const fs::path dir = s_workspace->copy("older");
  const ElementaryResults results = read_workspace(dir);
  auto restore = cowork({"demo", "restore", "--no-build"}, dir);
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  auto build = cowork({"build"}, dir);
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  const dbt::ArtifactSet artifacts = load(dir / "target");
  IncidentReport report = incidents::build_incidents(artifacts);
  incidents::merge_elementary(report, results, artifacts);
  EXPECT_TRUE(report.incidents.empty());
  EXPECT_EQ(report.elementary_added, 0u);
}

TEST(ElementarySource, AMissingSchemaIsNotPresentAndNotAnError) {
  TempDir dir;
  auto warehouse = open_duckdb(dir.path() / "empty.duckdb", warehouse::AccessMode::read_write);
  auto read = incidents::read_elementary(*warehouse, "main_elementary");
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_FALSE(read->present);
  EXPECT_TRUE(read->tests.empty());

  // Merging nothing changes nothing.
  IncidentReport report;
  incidents::merge_elementary(report, *read, dbt::ArtifactSet{});
  EXPECT_TRUE(report.incidents.empty());
  EXPECT_EQ(report.elementary_schema, "");
}

TEST(ElementarySource, ATableWithoutAColumnIsAnErrorNamingIt) {
  TempDir dir;
  auto warehouse = open_duckdb(dir.path() / "old.duckdb", warehouse::AccessMode::read_write);
  ASSERT_TRUE(
      warehouse->execute("create schema main_elementary; create table main_elementary.elementary_test_results "
                         "(id varchar, test_unique_id varchar, detected_at timestamp, status varchar)"));
  auto read = incidents::read_elementary(*warehouse, "main_elementary");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(read.error().message.find("main_elementary.elementary_test_results"), std::string::npos)
      << read.error().message;
  EXPECT_NE(read.error().message.find("'model_unique_id'"), std::string::npos) << read.error().message;
}

// Hand-made results: history over several invocations, and an older package version without test_result_rows.
class HandMadeTables : public ::testing::Test {
 protected:
  void SetUp() override {
    m_warehouse = open_duckdb(m_dir.path() / "elementary.duckdb", warehouse::AccessMode::read_write);
    ASSERT_TRUE(m_warehouse->execute(
        "create schema analytics_elementary; create table analytics_elementary.elementary_test_results (id varchar, "
        "test_unique_id varchar, model_unique_id varchar, invocation_id varchar, detected_at timestamp, column_name "
        "varchar, test_type varchar, test_sub_type varchar, test_short_name varchar, severity varchar, status "
        "varchar, test_results_description varchar, test_results_query varchar, failures bigint, result_rows "
        "varchar)"));
  }

  void add(const std::string& test, const std::string& at, const std::string& status, const std::string& rows = "") {
    const std::string id = test + "@" + at;
    ASSERT_TRUE(m_warehouse->execute(fmt::format(
        "insert into analytics_elementary.elementary_test_results values ('{}', '{}', 'model.shop.orders', 'inv-{}', "
        "timestamp '{}', 'amount', 'dbt_test', 'generic', 'not_null', 'ERROR', '{}', null, 'select 1', {}, {})",
        id, test, at, at, status, status == "pass" ? 0 : 3, rows.empty() ? "null" : "'" + rows + "'")));
  }

  ElementaryResults read() {
    auto read = incidents::read_elementary(*m_warehouse, "analytics_elementary", {.sample_limit = 2});
    if (!read) throw std::runtime_error(read.error().message);
    return std::move(*read);
  }

  TempDir m_dir;
  std::unique_ptr<warehouse::Warehouse> m_warehouse;
};

TEST_F(HandMadeTables, HistoryCountsTheFailingStreakSinceTheLastPass) {
  const std::string flaky = "test.shop.not_null_orders_amount";
  add(flaky, "2026-01-01 08:00:00", "fail");
  add(flaky, "2026-01-02 08:00:00", "pass");
  add(flaky, "2026-01-03 08:00:00", "fail");
  add(flaky, "2026-01-04 08:00:00", "error");
  add(flaky, "2026-01-05 08:00:00", "fail");
  const std::string never_passed = "test.shop.unique_orders_id";
  add(never_passed, "2026-01-03 09:30:00.25", "warn");
  add(never_passed, "2026-01-04 09:30:00", "warn");
  const std::string recovered = "test.shop.accepted_values_orders_status";
  add(recovered, "2026-01-01 08:00:00", "fail");
  add(recovered, "2026-01-02 08:00:00", "pass");

  const ElementaryResults results = read();
  ASSERT_TRUE(results.present);
  ASSERT_EQ(results.tests.size(), 3u);
  EXPECT_EQ(results.latest_detected_at, "2026-01-05T08:00:00.000000Z");

  const ElementaryTest* test = results.find(flaky);
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->status, "fail");
  EXPECT_EQ(test->detected_at, "2026-01-05T08:00:00.000000Z");
  EXPECT_EQ(test->failing_since, "2026-01-03T08:00:00.000000Z");
  EXPECT_EQ(test->failing_runs, 3);
  EXPECT_EQ(test->runs, 5);
  EXPECT_EQ(test->last_passed_at, "2026-01-02T08:00:00.000000Z");

  test = results.find(never_passed);
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->run_status, dbt::RunStatus::warn);
  EXPECT_EQ(test->failing_since, "2026-01-03T09:30:00.250000Z");
  EXPECT_EQ(test->failing_runs, 2);
  EXPECT_EQ(test->last_passed_at, "");

  test = results.find(recovered);
  ASSERT_NE(test, nullptr);
  EXPECT_FALSE(test->failing());
  EXPECT_EQ(test->failing_since, "");
  EXPECT_EQ(test->failing_runs, 0);
}

TEST_F(HandMadeTables, SamplesFromResultRowsWhenThereIsNoTestResultRowsTable) {
  const std::string test = "test.shop.not_null_orders_amount";
  add(test, "2026-01-05 08:00:00", "fail", R"([{"order_id": 1}, {"order_id": 2}, {"order_id": 3}])");
  const ElementaryResults results = read();
  const ElementaryTest* found = results.find(test);
  ASSERT_NE(found, nullptr);
  ASSERT_EQ(found->samples.size(), 2u);  // the sample limit
  EXPECT_EQ(found->samples[0]["order_id"], 1);
  EXPECT_TRUE(results.warnings.empty());

  // Without a manifest the failure describes itself from Elementary's columns.
  IncidentReport report;
  incidents::merge_elementary(report, results, dbt::ArtifactSet{});
  ASSERT_EQ(report.incidents.size(), 1u);
  const auto& failure = report.incidents[0].failures.at(0);
  EXPECT_EQ(failure.subject, "model.shop.orders");
  EXPECT_EQ(failure.column, "amount");
  EXPECT_EQ(failure.test_name, "not_null");
  EXPECT_EQ(failure.failures, 3);
  EXPECT_EQ(report.incidents[0].title, "not_null failed on orders.amount");
}

TEST_F(HandMadeTables, SamplesThatAreNotJsonAreLeftOutWithAWarning) {
  const std::string test = "test.shop.not_null_orders_amount";
  add(test, "2026-01-05 08:00:00", "fail");
  ASSERT_TRUE(m_warehouse->execute(
      "create table analytics_elementary.test_result_rows (elementary_test_results_id varchar, result_row varchar); "
      "insert into analytics_elementary.test_result_rows values ('test.shop.not_null_orders_amount@2026-01-05 "
      "08:00:00', '{\"order_id\": 7}'), ('test.shop.not_null_orders_amount@2026-01-05 08:00:00', 'not json')"));
  const ElementaryResults results = read();
  const ElementaryTest* found = results.find(test);
  ASSERT_NE(found, nullptr);
  ASSERT_EQ(found->samples.size(), 1u);
  EXPECT_EQ(found->samples[0]["order_id"], 7);
  ASSERT_EQ(results.warnings.size(), 1u);
  EXPECT_NE(results.warnings[0].find("not JSON"), std::string::npos);
}

TEST(ElementaryTime, ReadsSqlAndIsoTimestampsAsUtc) {
  EXPECT_EQ(incidents::elementary_time_to_iso("2026-11-28 10:00:00"), "2026-11-28T10:00:00.000000Z");
  EXPECT_EQ(incidents::elementary_time_to_iso("2026-11-28T10:00:00.5Z"), "2026-11-28T10:00:00.500000Z");
  EXPECT_EQ(incidents::elementary_time_to_iso("2026-11-28 10:00:00.123456+02:00"), "2026-11-28T08:00:00.123456Z");
  EXPECT_EQ(incidents::elementary_time_to_iso("2026-11-28 01:30:00-01"), "2026-11-28T02:30:00.000000Z");
  EXPECT_EQ(incidents::elementary_time_to_iso("2026-11-28 10:00"), "2026-11-28T10:00:00.000000Z");
  EXPECT_EQ(incidents::elementary_time_to_iso("yesterday"), "yesterday");
  EXPECT_EQ(incidents::elementary_time_to_iso("2026-02-30 10:00:00"), "2026-02-30 10:00:00");
}

}  // namespace
}  // namespace cowork::testing
