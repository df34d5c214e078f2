#include "incidents/incident.hpp"

#include <gtest/gtest.h>

#include "support/artifacts_builder.hpp"
#include "support/temp_dir.hpp"

namespace cowork::incidents {
namespace {

using testing::ManifestBuilder;
using testing::RunResultsBuilder;
using testing::TempDir;

class IncidentTest : public ::testing::Test {
 protected:
  IncidentReport build(const ManifestBuilder* manifest, const RunResultsBuilder& results,
                       const std::string& sources_json = "") {
    if (manifest != nullptr) manifest->write(m_dir.path());
    results.write(m_dir.path());
    if (!sources_json.empty()) m_dir.write("sources.json", sources_json);
    dbt::ArtifactRequest request;
    request.manifest = dbt::Need::optional;
    request.run_results = dbt::Need::required;
    request.freshness = dbt::Need::optional;
    auto artifacts = dbt::load_artifacts(m_dir.path(), request);
    EXPECT_TRUE(artifacts) << artifacts.error().message;
    return build_incidents(*artifacts);
  }

  static std::vector<std::string> failure_ids(const Incident& incident) {
    std::vector<std::string> ids;
    for (const auto& failure : incident.failures) ids.push_back(failure.unique_id);
    return ids;
  }

  TempDir m_dir;
};

// raw (seed) -> stg_listings -> dim_listings -> mart ; dim_listings -> dashboard (exposure)
ManifestBuilder listings() {
  ManifestBuilder builder;
  builder.seed("raw_listings");
  builder.model("stg_listings", {"raw_listings"})
      .model("dim_listings", {"stg_listings"})
      .model("mart", {"dim_listings"});
  builder.test("accepted_values", "stg_listings", "room_type").test("accepted_values", "dim_listings", "room_type");
  builder.test("not_null", "dim_listings", "host_id").test("unique", "dim_listings", "listing_id");
  builder.test("not_null", "mart", "listing_id");
  return builder;
}

std::string test_id(const std::string& test, const std::string& model, const std::string& column) {
  return "test.shop." + ManifestBuilder::test_name(test, model, column);
}

TEST_F(IncidentTest, ModelErrorTakesItsSkippedDescendantsAlong) {
  auto manifest = listings();
  RunResultsBuilder run;
  run.result("seed.shop.raw_listings", "success").result("model.shop.stg_listings", "error", nullptr, "Database Error");
  run.result("model.shop.dim_listings", "skipped").result("model.shop.mart", "skipped");
  run.result(test_id("not_null", "mart", "listing_id"), "skipped");
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 1u);
  const Incident& incident = report.incidents[0];
  EXPECT_EQ(failure_ids(incident), std::vector<std::string>{"model.shop.stg_listings"});
  EXPECT_EQ(incident.skipped, (std::vector<std::string>{"model.shop.dim_listings", "model.shop.mart",
                                                        test_id("not_null", "mart", "listing_id")}));
  EXPECT_EQ(incident.title, "model stg_listings errored");
  EXPECT_EQ(incident.severity, Severity::high);
  EXPECT_TRUE(report.unattributed_skips.empty());
}

TEST_F(IncidentTest, TestOnAModelSkippedBecauseItsParentErroredJoinsTheParentsIncident) {
  auto manifest = listings();
  RunResultsBuilder run;
  run.result("model.shop.stg_listings", "error", nullptr, "Compilation Error");
  run.result("model.shop.dim_listings", "skipped");
  // A later `dbt test` queried the relation that was never built.
  run.result(test_id("unique", "dim_listings", "listing_id"), "error", nullptr, "relation dim_listings does not exist");
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 1u);
  const Incident& incident = report.incidents[0];
  EXPECT_EQ(failure_ids(incident),
            (std::vector<std::string>{"model.shop.stg_listings", test_id("unique", "dim_listings", "listing_id")}));
  EXPECT_EQ(incident.models, (std::vector<std::string>{"model.shop.stg_listings", "model.shop.dim_listings"}));
  EXPECT_EQ(incident.skipped, std::vector<std::string>{"model.shop.dim_listings"});
  EXPECT_EQ(incident.root_candidates.front(), "model.shop.stg_listings");
}

TEST_F(IncidentTest, SameColumnFailingDownstreamIsOneIncidentRootedUpstream) {
  auto manifest = listings();
  RunResultsBuilder run("test");
  run.result(test_id("accepted_values", "dim_listings", "room_type"), "fail", 3, "Got 3 results");
  run.result(test_id("accepted_values", "stg_listings", "room_type"), "fail", 3, "Got 3 results");
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 1u);
  const Incident& incident = report.incidents[0];
  EXPECT_EQ(failure_ids(incident).front(), test_id("accepted_values", "stg_listings", "room_type"));
  EXPECT_EQ(incident.models, (std::vector<std::string>{"model.shop.stg_listings", "model.shop.dim_listings"}));
  EXPECT_EQ(incident.column, "room_type");
  EXPECT_EQ(incident.title, "accepted_values failed on stg_listings.room_type (+1 related failure)");
  EXPECT_EQ(incident.impact.downstream_models, std::vector<std::string>{"model.shop.mart"});
}

TEST_F(IncidentTest, DifferentColumnsOfOneModelAreSeparateIncidents) {
  auto manifest = listings();
  RunResultsBuilder run("test");
  run.result(test_id("not_null", "dim_listings", "host_id"), "fail", 12, "Got 12 results");
  run.result(test_id("unique", "dim_listings", "listing_id"), "fail", 2, "Got 2 results");
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 2u);
  EXPECT_NE(report.incidents[0].id, report.incidents[1].id);
}

TEST_F(IncidentTest, UnrelatedColumnUpstreamIsNotMergedButTheDownstreamColumnFollowsItsOwn) {
  auto manifest = listings();
  RunResultsBuilder run("test");
  run.result(test_id("accepted_values", "stg_listings", "room_type"), "fail", 1);
  run.result(test_id("not_null", "mart", "listing_id"), "fail", 4);
  auto report = build(&manifest, run);
  EXPECT_EQ(report.incidents.size(), 2u);
}

TEST_F(IncidentTest, ErroringTestsOnOneModelShareACause) {
  auto manifest = listings();
  RunResultsBuilder run("test");
  run.result(test_id("not_null", "dim_listings", "host_id"), "error", nullptr, "relation does not exist");
  run.result(test_id("unique", "dim_listings", "listing_id"), "error", nullptr, "relation does not exist");
  run.result(test_id("not_null", "mart", "listing_id"), "error", nullptr, "relation does not exist");
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 1u);
  EXPECT_EQ(report.incidents[0].failures.size(), 3u);
  EXPECT_EQ(report.incidents[0].models.front(), "model.shop.dim_listings");
  EXPECT_EQ(report.incidents[0].title, "test not_null errored on dim_listings (+2 related failures)");
}

TEST_F(IncidentTest, IdsAreStableForTheSameRootAndDifferForOthers) {
  auto manifest = listings();
  RunResultsBuilder first("test");
  first.result(test_id("accepted_values", "stg_listings", "room_type"), "fail", 1);
  const std::string id = build(&manifest, first).incidents.at(0).id;

  RunResultsBuilder second("test");
  second.result(test_id("accepted_values", "stg_listings", "room_type"), "fail", 9);
  second.result(test_id("accepted_values", "dim_listings", "room_type"), "fail", 9);
  auto report = build(&manifest, second);
  ASSERT_EQ(report.incidents.size(), 1u);
  EXPECT_EQ(report.incidents[0].id, id);

  RunResultsBuilder third("test");
  third.result(test_id("not_null", "dim_listings", "host_id"), "fail", 1);
  EXPECT_NE(build(&manifest, third).incidents.at(0).id, id);
}

TEST_F(IncidentTest, SeverityWarnsAreLowAndExposuresAndCriticalityRaiseIt) {
  auto manifest = listings();
  RunResultsBuilder warn_run("test");
  warn_run.result(test_id("not_null", "mart", "listing_id"), "warn", 2);
  auto plain = build(&manifest, warn_run);
  ASSERT_EQ(plain.incidents.size(), 1u);
  EXPECT_EQ(plain.incidents[0].severity, Severity::low);
  EXPECT_EQ(plain.incidents[0].title, "not_null warns on mart.listing_id");

  auto with_exposure = listings();
  with_exposure.exposure("exec_dashboard", {"mart"});
  auto raised = build(&with_exposure, warn_run);
  EXPECT_EQ(raised.incidents[0].severity, Severity::medium);
  EXPECT_EQ(raised.incidents[0].impact.exposures, std::vector<std::string>{"exposure.shop.exec_dashboard"});
  EXPECT_EQ(raised.incidents[0].severity_reasons.back(), "feeds 1 exposure(s): exec_dashboard");

  ManifestBuilder critical;
  critical.model("mart", {}, {{"criticality", "critical"}}).test("not_null", "mart", "listing_id");
  RunResultsBuilder error_run("test");
  error_run.result(test_id("not_null", "mart", "listing_id"), "fail", 2);
  auto top = build(&critical, error_run);
  EXPECT_EQ(top.incidents[0].severity, Severity::critical);
  EXPECT_EQ(top.incidents[0].severity_reasons.back(), "mart has meta.criticality: critical");
}

TEST_F(IncidentTest, WithoutAManifestEachFailureStandsAlone) {
  RunResultsBuilder run;
  run.result("model.shop.a", "error", nullptr, "boom").result("model.shop.b", "error", nullptr, "boom");
  run.result("model.shop.c", "skipped");
  auto report = build(nullptr, run);
  EXPECT_EQ(report.incidents.size(), 2u);
  EXPECT_EQ(report.unattributed_skips, std::vector<std::string>{"model.shop.c"});
}

TEST_F(IncidentTest, ResultsForNodesMissingFromTheManifestWarn) {
  auto manifest = listings();
  RunResultsBuilder run;
  run.result("model.other.ghost", "error", nullptr, "boom");
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 1u);
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_NE(report.warnings.back().find("1 failing result(s) name nodes that manifest.json does not have"),
            std::string::npos);
}

TEST_F(IncidentTest, SingularTestWithSeveralFailingUpstreamCandidatesStandsAloneAndPointsAtThem) {
  ManifestBuilder manifest;
  manifest.model("a").model("b").model("c", {"a", "b"});
  manifest.test("not_null", "a", "x").test("not_null", "b", "y").singular_test("assert_c_balances", {"c"});
  RunResultsBuilder run("test");
  run.result(test_id("not_null", "a", "x"), "fail", 1).result(test_id("not_null", "b", "y"), "fail", 1);
  run.result("test.shop.assert_c_balances", "fail", 5);
  auto report = build(&manifest, run);
  ASSERT_EQ(report.incidents.size(), 3u);
  const Incident* singular = nullptr;
  for (const auto& incident : report.incidents)
    if (incident.failures[0].unique_id == "test.shop.assert_c_balances") singular = &incident;
  ASSERT_NE(singular, nullptr);
  EXPECT_EQ(singular->title, "singular test assert_c_balances failed on c");
  EXPECT_EQ(singular->root_candidates, (std::vector<std::string>{"model.shop.c", "model.shop.a", "model.shop.b"}));
}

TEST_F(IncidentTest, StaleSourcesAreIncidents) {
  ManifestBuilder manifest;
  manifest.source("raw", "orders").model("stg_orders", {"source:raw.orders"});
  RunResultsBuilder run;
  run.result("model.shop.stg_orders", "success");
  auto report = build(&manifest, run, R"({
    "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json"},
    "results": [{"unique_id": "source.shop.raw.orders", "status": "error", "max_loaded_at": "2026-10-01T00:00:00Z",
                 "max_loaded_at_time_ago_in_s": 200000, "criteria": {"error_after": {"count": 1, "period": "day"}}}]})");
  ASSERT_EQ(report.incidents.size(), 1u);
  EXPECT_EQ(report.incidents[0].title, "source raw.orders is stale (freshness error)");
  EXPECT_EQ(report.incidents[0].impact.downstream_models, std::vector<std::string>{"model.shop.stg_orders"});
  EXPECT_EQ(report.incidents[0].failures[0].message,
            "last loaded 2d 7h ago (max_loaded_at 2026-10-01T00:00:00Z); errors after 1 day(s)");
}

TEST_F(IncidentTest, JsonHasTheContractFields) {
  auto manifest = listings();
  RunResultsBuilder run("test");
  run.result(test_id("accepted_values", "stg_listings", "room_type"), "fail", 3, "Got 3 results");
  auto json = to_json(build(&manifest, run));
  ASSERT_EQ(json["incidents"].size(), 1u);
  const auto& incident = json["incidents"][0];
  for (const char* key : {"id", "title", "severity", "status", "failures", "models", "root_candidates", "impact",
                          "first_seen", "last_seen", "skipped"})
    EXPECT_TRUE(incident.contains(key)) << key;
  EXPECT_EQ(incident["status"], "open");
  EXPECT_EQ(incident["first_seen"], "2026-11-01T10:00:01Z");
  const auto& failure = incident["failures"][0];
  EXPECT_EQ(failure["status"], "fail");
  EXPECT_EQ(failure["failures"], 3);
  EXPECT_EQ(failure["message"], "Got 3 results");
  EXPECT_EQ(failure["resource_type"], "test");
  EXPECT_TRUE(incident["impact"].contains("downstream_models"));
  EXPECT_TRUE(incident["impact"].contains("exposures"));
}

}  // namespace
}  // namespace cowork::incidents
