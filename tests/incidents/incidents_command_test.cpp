// `cowork incidents` as a user runs it in a dbt project: Elementary's detail in the output, statuses from the state
// store, the lifecycle subcommands end to end, automatic resolution after the fault is fixed, a warehouse that is
// down, and a bare folder of artifacts left as it was.
#include <gtest/gtest.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "incidents/workspace.hpp"
#include "store/timestamp.hpp"
#include "support/artifacts_builder.hpp"
#include "util/files.hpp"

namespace cowork::testing {
namespace {

namespace fs = std::filesystem;

nlohmann::json parse(const ProcessResult& result) {
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << result.out << result.err;
  return json;
}

// The incident holding the room-type test in `cowork incidents --format json` output.
nlohmann::json room_type_incident(const nlohmann::json& report) {
  for (const auto& incident : report["incidents"])
    for (const auto& failure : incident["failures"])
      if (failure["unique_id"].get<std::string>().starts_with(k_room_type_test_prefix)) return incident;
  return nullptr;
}

class IncidentsCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_workspace = new Workspace({"new_room_type"}); }
  static void TearDownTestSuite() {
    delete s_workspace;
    s_workspace = nullptr;
  }
  static Workspace* s_workspace;
};
Workspace* IncidentsCommand::s_workspace = nullptr;

TEST_F(IncidentsCommand, ListsElementaryDetailAndStatusesAndRecordsThem) {
  const fs::path dir = s_workspace->copy("list");
  auto result = cowork({"incidents", "--format", "json"}, dir);
  ASSERT_EQ(result.exit_code, 1) << result.err;
  const auto report = parse(result);
  const auto incident = room_type_incident(report);
  ASSERT_FALSE(incident.is_null()) << result.out;
  EXPECT_EQ(incident["status"], "open");
  EXPECT_TRUE(incident["snoozed_until"].is_null());
  EXPECT_EQ(incident["failures"].size(), 1u);  // not duplicated by Elementary's copy of it
  const auto& elementary = incident["failures"][0]["elementary"];
  EXPECT_NE(elementary["samples"].dump().find("Entire place"), std::string::npos) << elementary.dump();
  EXPECT_EQ(elementary["failing_runs"], 1);
  EXPECT_EQ(report["elementary"]["schema"], "main_elementary");
  EXPECT_EQ(report["resolved"].size(), 0u);
  EXPECT_TRUE(fs::exists(dir / ".cowork" / "state.db"));

  auto text = cowork({"incidents"}, dir);
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("status        open"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("failing since"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Entire place"), std::string::npos) << text.out;

  // --no-warehouse: the artifacts alone, still with statuses.
  auto plain = cowork({"incidents", "--no-warehouse", "--format", "json"}, dir);
  EXPECT_EQ(plain.exit_code, 1);
  const auto plain_report = parse(plain);
  EXPECT_FALSE(plain_report.contains("elementary"));
  EXPECT_FALSE(room_type_incident(plain_report)["failures"][0].contains("elementary"));
  EXPECT_EQ(room_type_incident(plain_report)["status"], "open");
}

TEST_F(IncidentsCommand, ElementaryStandsInForAMissingRunResults) {
  const fs::path dir = s_workspace->copy("no_run_results");
  fs::remove(dir / "target" / "run_results.json");
  auto result = cowork({"incidents", "--format", "json"}, dir);
  ASSERT_EQ(result.exit_code, 1) << result.err;
  const auto incident = room_type_incident(parse(result));
  ASSERT_FALSE(incident.is_null()) << result.out;
  EXPECT_EQ(incident["failures"][0]["origin"], "elementary");

  // Without the warehouse there is nothing to read: the usual error.
  auto without = cowork({"incidents", "--no-warehouse"}, dir);
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.err.find("run_results.json"), std::string::npos) << without.err;
}

TEST_F(IncidentsCommand, LifecycleEndToEnd) {
  const fs::path dir = s_workspace->copy("lifecycle");
  const std::vector<std::string> alice = {"COWORK_USER=alice"};
  auto listed = cowork({"incidents", "--format", "json"}, dir);
  ASSERT_EQ(listed.exit_code, 1) << listed.err;
  const std::string id = room_type_incident(parse(listed))["id"];
  const std::string prefix = id.substr(0, 7);  // "inc_" and three digits

  auto ack = cowork({"incidents", "ack", prefix, "--note", "looking at the export", "--format", "json"}, dir, alice);
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  EXPECT_EQ(parse(ack)["status"], "acknowledged");
  EXPECT_EQ(parse(ack)["id"], id);

  const auto before_snooze = std::chrono::system_clock::now();
  auto snooze = cowork({"incidents", "snooze", id, "--until", "2h", "--format", "json"}, dir, alice);
  ASSERT_EQ(snooze.exit_code, 0) << snooze.err;
  const auto snoozed = parse(snooze);
  EXPECT_EQ(snoozed["status"], "snoozed");
  auto until = store::parse_timestamp(snoozed["snoozed_until"].get<std::string>());
  ASSERT_TRUE(until.has_value());
  EXPECT_GE(*until, before_snooze + std::chrono::minutes(119));
  EXPECT_LE(*until, std::chrono::system_clock::now() + std::chrono::minutes(121));

  // The list shows the snooze and keeps it: the same failure again does not reopen it.
  auto text = cowork({"incidents"}, dir);
  EXPECT_NE(text.out.find("snoozed until " + snoozed["snoozed_until"].get<std::string>()), std::string::npos)
      << text.out;
  auto only_open = cowork({"incidents", "--status", "open", "--format", "json"}, dir);
  EXPECT_EQ(only_open.exit_code, 0) << only_open.err;
  EXPECT_TRUE(room_type_incident(parse(only_open)).is_null());

  auto resolve = cowork({"incidents", "resolve", id, "--note", "export fixed upstream"}, dir, alice);
  ASSERT_EQ(resolve.exit_code, 0) << resolve.err;
  EXPECT_NE(resolve.out.find("resolved"), std::string::npos) << resolve.out;
  // Syncing the same artifacts again keeps a person's "resolved"; the default list hides it.
  auto hidden = cowork({"incidents", "--format", "json"}, dir);
  EXPECT_TRUE(room_type_incident(parse(hidden)).is_null()) << hidden.out;
  auto resolved = cowork({"incidents", "--status", "resolved", "--format", "json"}, dir);
  EXPECT_EQ(room_type_incident(parse(resolved))["status"], "resolved");

  auto snooze_resolved = cowork({"incidents", "snooze", id, "--until", "3d"}, dir, alice);
  EXPECT_EQ(snooze_resolved.exit_code, 2);
  EXPECT_NE(snooze_resolved.err.find("it is resolved (reopen it first)"), std::string::npos) << snooze_resolved.err;

  auto reopen = cowork({"incidents", "reopen", id, "--format", "json"}, dir, {"COWORK_USER=", "USER=bob"});
  ASSERT_EQ(reopen.exit_code, 0) << reopen.err;
  EXPECT_EQ(parse(reopen)["status"], "open");

  auto past = cowork({"incidents", "snooze", id, "--until", "2020-01-01T00:00Z"}, dir, alice);
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_NE(past.err.find("must end in the future"), std::string::npos) << past.err;
  auto vague = cowork({"incidents", "snooze", id, "--until", "soon"}, dir, alice);
  EXPECT_EQ(vague.exit_code, 2);
  EXPECT_NE(vague.err.find("--until 'soon'"), std::string::npos) << vague.err;

  auto history = cowork({"incidents", "history", id, "--format", "json"}, dir);
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const auto events = parse(history)["events"];
  ASSERT_EQ(events.size(), 5u) << events.dump(2);
  EXPECT_EQ(events[0]["actor"], "cowork");
  EXPECT_EQ(events[0]["to"], "open");
  EXPECT_EQ(events[1]["actor"], "alice");
  EXPECT_EQ(events[1]["to"], "acknowledged");
  EXPECT_EQ(events[1]["note"], "looking at the export");
  EXPECT_EQ(events[2]["to"], "snoozed");
  EXPECT_EQ(events[3]["to"], "resolved");
  EXPECT_EQ(events[4]["from"], "resolved");
  EXPECT_EQ(events[4]["to"], "open");
  EXPECT_EQ(events[4]["actor"], "bob");

  auto history_text = cowork({"incidents", "history", prefix}, dir);
  EXPECT_EQ(history_text.exit_code, 0);
  EXPECT_NE(history_text.out.find("acknowledged -> snoozed"), std::string::npos) << history_text.out;

  auto unknown = cowork({"incidents", "ack", "inc_ffffffff"}, dir, alice);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("inc_ffffffff"), std::string::npos) << unknown.err;
  auto bad_status = cowork({"incidents", "--status", "closed"}, dir);
  EXPECT_EQ(bad_status.exit_code, 2);
  EXPECT_NE(bad_status.err.find("--status 'closed'"), std::string::npos) << bad_status.err;
}

TEST_F(IncidentsCommand, ResolvesByItselfOnceTheFaultIsGone) {
  const fs::path dir = s_workspace->copy("autoresolve");
  auto listed = cowork({"incidents", "--format", "json"}, dir);
  ASSERT_EQ(listed.exit_code, 1) << listed.err;
  const std::string id = room_type_incident(parse(listed))["id"];

  auto restore = cowork({"demo", "restore"}, dir);  // rebuilds: every test passes
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  auto after = cowork({"incidents"}, dir);
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_NE(after.out.find("No incidents"), std::string::npos) << after.out;
  const auto resolved_at = after.out.find("Resolved by this run:");
  ASSERT_NE(resolved_at, std::string::npos) << after.out;
  EXPECT_NE(after.out.find(id, resolved_at), std::string::npos) << after.out;

  // Resolved once: the next sync of the same artifacts has nothing more to resolve.
  auto again = cowork({"incidents", "--format", "json"}, dir);
  EXPECT_EQ(again.exit_code, 0);
  const auto report = parse(again);
  EXPECT_TRUE(report["incidents"].empty());
  EXPECT_TRUE(report["resolved"].empty());

  auto history = cowork({"incidents", "history", id, "--format", "json"}, dir);
  const auto history_json = parse(history);
  EXPECT_EQ(history_json["status"], "resolved");
  const auto events = history_json["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["to"], "resolved");
  EXPECT_EQ(events[1]["actor"], "cowork");
  EXPECT_NE(events[1]["note"].get<std::string>().find("resolved automatically"), std::string::npos);
}

TEST(IncidentsCommandWarehouse, ADeadWarehouseIsAWarningNamingIt) {
  TempDir dir;
  dir.write("dbt_project.yml", "name: shop\nversion: '1.0'\nprofile: shop\n");
  dir.write("profiles.yml",
            "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      port: 1\n"
            "      user: nobody\n      dbname: shop\n      schema: analytics\n      connect_timeout: 2\n");
  RunResultsBuilder().result("model.shop.orders", "error", nullptr, "boom").write(dir.path() / "target");
  auto result = cowork({"incidents", "--format", "json"}, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("127.0.0.1:1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("Elementary's tables not read"), std::string::npos) << result.err;
  const auto report = parse(result);
  ASSERT_EQ(report["incidents"].size(), 1u);
  EXPECT_EQ(report["incidents"][0]["status"], "open");

  auto skipped = cowork({"incidents", "--no-warehouse"}, dir.path());
  EXPECT_EQ(skipped.exit_code, 1);
  EXPECT_EQ(skipped.err.find("Elementary"), std::string::npos) << skipped.err;
}

TEST(IncidentsCommandWarehouse, AMissingDuckDbFileIsAWarningNamingThePath) {
  TempDir dir;
  dir.write("dbt_project.yml", "name: shop\nversion: '1.0'\nprofile: shop\n");
  dir.write("profiles.yml",
            "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: gone.duckdb\n"
            "      schema: main\n");
  RunResultsBuilder().result("model.shop.orders", "error", nullptr, "boom").write(dir.path() / "target");
  auto result = cowork({"incidents"}, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("gone.duckdb"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "gone.duckdb"));  // read-only: nothing created
}

TEST(IncidentsCommandBareFolder, AFolderOfArtifactsGetsNoStateAndNoStatusCommands) {
  TempDir dir;
  RunResultsBuilder().result("model.shop.orders", "error", nullptr, "boom").write(dir.path() / "artifacts");
  auto result = cowork({"incidents", "--target-path", "artifacts", "--format", "json"}, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const auto report = parse(result);
  EXPECT_FALSE(report.contains("resolved"));
  EXPECT_EQ(report["incidents"][0]["status"], "open");
  EXPECT_FALSE(report["incidents"][0].contains("snoozed_until"));
  EXPECT_FALSE(fs::exists(dir.path() / ".cowork"));

  auto ack = cowork({"incidents", "ack", report["incidents"][0]["id"]}, dir.path());
  EXPECT_EQ(ack.exit_code, 2);
  EXPECT_NE(ack.err.find("no dbt_project.yml in"), std::string::npos) << ack.err;
}

}  // namespace
}  // namespace cowork::testing
