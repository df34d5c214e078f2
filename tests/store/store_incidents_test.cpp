#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace cowork::store {
namespace {

using incidents::Severity;
using testing::at;
using testing::make_incident;
using testing::make_report;

const std::string k_not_null = "test.shop.not_null_orders_id";
const std::string k_unique = "test.shop.unique_orders_id";
const std::string k_accepted = "test.shop.accepted_values_listings_room_type";

class IncidentStoreTest : public testing::StoreTest {
 protected:
  SyncSummary sync(std::vector<incidents::Incident> incidents, const std::string& generated_at,
                   const std::unordered_set<std::string>& executed) {
    auto summary = store().sync_incidents(make_report(std::move(incidents), generated_at), executed, m_now);
    EXPECT_TRUE(summary) << summary.error().message;
    return summary ? *summary : SyncSummary{};
  }

  IncidentRecord get(std::string_view id) {
    auto incident = store().get_incident(id);
    EXPECT_TRUE(incident) << incident.error().message;
    return incident ? *incident : IncidentRecord{};
  }

  std::vector<IncidentEvent> events(std::string_view id) {
    auto list = store().list_incident_events(id);
    EXPECT_TRUE(list) << list.error().message;
    return list ? *list : std::vector<IncidentEvent>{};
  }
};

TEST_F(IncidentStoreTest, ANewIncidentStartsOpenAndItsCreationIsAnEvent) {
  auto incident = make_incident("inc_11111111", {k_not_null, k_unique}, Severity::high);
  incident.models = {"model.shop.orders"};
  const auto summary = sync({incident}, "2024-05-01T10:00:05Z", {k_not_null, k_unique});
  EXPECT_EQ(summary.opened, std::vector<std::string>{"inc_11111111"});
  EXPECT_GT(summary.run_id, 0);

  const IncidentRecord record = get("inc_11111111");
  EXPECT_EQ(record.status, IncidentStatus::open);
  EXPECT_EQ(record.severity, Severity::high);
  EXPECT_EQ(record.title, incident.title);
  EXPECT_EQ(record.first_seen, "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(record.created_at, "2024-05-01T12:00:00.000Z");
  ASSERT_EQ(record.failures.size(), 2u);
  EXPECT_EQ(record.failures[0].unique_id, k_not_null);
  EXPECT_EQ(record.failures[0].status, "fail");
  EXPECT_EQ(record.failures[0].failures, 3);
  const auto detail = nlohmann::json::parse(record.detail_json);
  EXPECT_EQ(detail["models"], nlohmann::json::array({"model.shop.orders"}));

  const auto history = events("inc_11111111");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].from, std::nullopt);
  EXPECT_EQ(history[0].to, IncidentStatus::open);
  EXPECT_EQ(history[0].actor, "cowork");
  EXPECT_NE(history[0].note.find("first seen"), std::string::npos);
}

TEST_F(IncidentStoreTest, AKnownIncidentKeepsItsStatusAndGetsTheNewDetails) {
  sync({make_incident("inc_11111111", {k_not_null}, Severity::low)}, "2024-05-01T10:00:05Z", {k_not_null});
  ASSERT_TRUE(store().acknowledge("inc_11111111", "ana", "looking"));
  m_now = at("2024-05-02T12:00:00Z");
  auto later = make_incident("inc_11111111", {k_not_null, k_unique}, Severity::critical, "2024-05-02T09:00:00Z");
  later.title = "orders broke harder";
  const auto summary = sync({later}, "2024-05-02T09:00:10Z", {k_not_null, k_unique});
  EXPECT_EQ(summary.updated, std::vector<std::string>{"inc_11111111"});
  EXPECT_TRUE(summary.opened.empty());

  const IncidentRecord record = get("inc_11111111");
  EXPECT_EQ(record.status, IncidentStatus::acknowledged);
  EXPECT_EQ(record.title, "orders broke harder");
  EXPECT_EQ(record.severity, Severity::critical);
  EXPECT_EQ(record.first_seen, "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(record.last_seen, "2024-05-02T09:00:00.000Z");
  EXPECT_EQ(record.failures.size(), 2u);
  EXPECT_EQ(events("inc_11111111").size(), 2u);  // first seen, acknowledged: a sync that keeps the status is no event
}

TEST_F(IncidentStoreTest, AcknowledgeRecordsWhoFromToAndNote) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  m_now = at("2024-05-01T12:30:00Z");
  auto acknowledged = store().acknowledge("inc_11111111", "ana", "on it");
  ASSERT_TRUE(acknowledged) << acknowledged.error().message;
  EXPECT_EQ(acknowledged->status, IncidentStatus::acknowledged);
  const auto history = events("inc_11111111");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].at, "2024-05-01T12:30:00.000Z");
  EXPECT_EQ(history[1].actor, "ana");
  EXPECT_EQ(history[1].from, IncidentStatus::open);
  EXPECT_EQ(history[1].to, IncidentStatus::acknowledged);
  EXPECT_EQ(history[1].note, "on it");

  auto again = store().acknowledge("inc_11111111", "ana");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already acknowledged"), std::string::npos) << again.error().message;
  EXPECT_FALSE(store().acknowledge("inc_11111111", "  "));  // who is required
}

TEST_F(IncidentStoreTest, ASnoozeReadsAsOpenOnceItsTimeHasPassed) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  auto snoozed = store().snooze("inc_11111111", at("2024-05-03T00:00:00Z"), "ana", "waiting for the vendor");
  ASSERT_TRUE(snoozed) << snoozed.error().message;
  EXPECT_EQ(snoozed->status, IncidentStatus::snoozed);
  EXPECT_EQ(snoozed->snoozed_until, "2024-05-03T00:00:00.000Z");
  EXPECT_EQ(events("inc_11111111").back().note, "waiting for the vendor (until 2024-05-03T00:00:00.000Z)");

  IncidentFilter open_only;
  open_only.statuses = {IncidentStatus::open};
  EXPECT_TRUE(store().list_incidents(open_only)->empty());

  m_now = at("2024-05-03T00:00:00.001Z");
  EXPECT_EQ(get("inc_11111111").status, IncidentStatus::open);
  ASSERT_EQ(store().list_incidents(open_only)->size(), 1u);

  // A lapsed snooze may be acknowledged (it is open) or snoozed again.
  auto resnoozed = store().snooze("inc_11111111", at("2024-05-04T00:00:00Z"), "ana");
  ASSERT_TRUE(resnoozed) << resnoozed.error().message;
  EXPECT_EQ(events("inc_11111111").back().from, IncidentStatus::open);
}

TEST_F(IncidentStoreTest, ASnoozeMustEndInTheFutureAndAResolvedIncidentCannotBeSnoozed) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  auto past = store().snooze("inc_11111111", at("2024-05-01T11:00:00Z"), "ana");
  ASSERT_FALSE(past);
  EXPECT_NE(past.error().message.find("future"), std::string::npos) << past.error().message;
  ASSERT_TRUE(store().resolve("inc_11111111", "ana", "fixed upstream"));
  auto resolved = store().snooze("inc_11111111", at("2024-06-01T00:00:00Z"), "ana");
  ASSERT_FALSE(resolved);
  EXPECT_NE(resolved.error().message.find("reopen it first"), std::string::npos) << resolved.error().message;
  auto twice = store().resolve("inc_11111111", "ana");
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("already resolved"), std::string::npos);
}

TEST_F(IncidentStoreTest, ResolvedAutomaticallyWhenItsTestsPassInALaterRun) {
  sync({make_incident("inc_11111111", {k_not_null, k_unique}), make_incident("inc_22222222", {k_accepted})},
       "2024-05-01T10:00:05Z", {k_not_null, k_unique, k_accepted});
  ASSERT_TRUE(store().acknowledge("inc_11111111", "ana"));
  m_now = at("2024-05-02T12:00:00Z");
  // Run 2 executed both of inc_1's tests and they passed; inc_2 still fails.
  const auto summary = sync({make_incident("inc_22222222", {k_accepted}, Severity::medium, "2024-05-02T09:00:00Z")},
                            "2024-05-02T09:00:10Z", {k_not_null, k_unique, k_accepted});
  EXPECT_EQ(summary.resolved, std::vector<std::string>{"inc_11111111"});

  const IncidentRecord resolved = get("inc_11111111");
  EXPECT_EQ(resolved.status, IncidentStatus::resolved);
  EXPECT_EQ(resolved.resolved_at, "2024-05-02T12:00:00.000Z");
  const auto history = events("inc_11111111");
  EXPECT_EQ(history.back().actor, "cowork");
  EXPECT_EQ(history.back().from, IncidentStatus::acknowledged);
  EXPECT_EQ(history.back().to, IncidentStatus::resolved);
  EXPECT_NE(history.back().note.find(k_not_null), std::string::npos) << history.back().note;
  EXPECT_NE(history.back().note.find("2024-05-02T09:00:10"), std::string::npos) << history.back().note;
  EXPECT_EQ(get("inc_22222222").status, IncidentStatus::open);
}

TEST_F(IncidentStoreTest, NotResolvedByARunThatDidNotExecuteAllItsTests) {
  sync({make_incident("inc_11111111", {k_not_null, k_unique})}, "2024-05-01T10:00:05Z", {k_not_null, k_unique});
  // `dbt test --select` of one of the two tests.
  const auto summary = sync({}, "2024-05-02T09:00:10Z", {k_not_null});
  EXPECT_TRUE(summary.resolved.empty());
  EXPECT_EQ(get("inc_11111111").status, IncidentStatus::open);
}

TEST_F(IncidentStoreTest, NotResolvedWhenItsTestNowFailsInAnotherIncident) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  // Regrouped: the same failing test now belongs to an incident rooted upstream.
  const auto summary = sync(
      {make_incident("inc_99999999", {"model.shop.stg_orders", k_not_null}, Severity::high, "2024-05-02T09:00:00Z")},
      "2024-05-02T09:00:10Z", {k_not_null, "model.shop.stg_orders"});
  EXPECT_TRUE(summary.resolved.empty());
  EXPECT_EQ(get("inc_11111111").status, IncidentStatus::open);
}

TEST_F(IncidentStoreTest, NotResolvedByOlderArtifacts) {
  sync({make_incident("inc_11111111", {k_not_null}, Severity::medium, "2024-05-02T09:00:00Z")}, "2024-05-02T09:00:05Z",
       {k_not_null});
  // A run_results.json from before the failure, synced late.
  const auto summary = sync({}, "2024-05-01T08:00:00Z", {k_not_null});
  EXPECT_TRUE(summary.resolved.empty());
  EXPECT_EQ(get("inc_11111111").status, IncidentStatus::open);
}

TEST_F(IncidentStoreTest, SnoozedIncidentsAreResolvedAutomaticallyToo) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  ASSERT_TRUE(store().snooze("inc_11111111", at("2024-06-01T00:00:00Z"), "ana"));
  const auto summary = sync({}, "2024-05-02T09:00:10Z", {k_not_null});
  EXPECT_EQ(summary.resolved, std::vector<std::string>{"inc_11111111"});
  const IncidentRecord record = get("inc_11111111");
  EXPECT_EQ(record.status, IncidentStatus::resolved);
  EXPECT_TRUE(record.snoozed_until.empty());
}

TEST_F(IncidentStoreTest, AResolvedIncidentFailingAgainIsReopened) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  m_now = at("2024-05-02T12:00:00Z");
  sync({}, "2024-05-02T09:00:10Z", {k_not_null});
  ASSERT_EQ(get("inc_11111111").status, IncidentStatus::resolved);

  m_now = at("2024-05-03T12:00:00Z");
  const auto summary = sync({make_incident("inc_11111111", {k_not_null}, Severity::medium, "2024-05-03T09:00:00Z")},
                            "2024-05-03T09:00:10Z", {k_not_null});
  EXPECT_EQ(summary.reopened, std::vector<std::string>{"inc_11111111"});
  const IncidentRecord record = get("inc_11111111");
  EXPECT_EQ(record.status, IncidentStatus::open);
  EXPECT_TRUE(record.resolved_at.empty());
  const auto history = events("inc_11111111");
  ASSERT_EQ(history.size(), 3u);  // opened, resolved, reopened
  EXPECT_EQ(history[2].from, IncidentStatus::resolved);
  EXPECT_EQ(history[2].to, IncidentStatus::open);
  EXPECT_EQ(history[2].actor, "cowork");
  EXPECT_NE(history[2].note.find("failing again"), std::string::npos);
}

TEST_F(IncidentStoreTest, SyncingTheSameArtifactsAgainDoesNotUndoAManualResolve) {
  const auto report = make_incident("inc_11111111", {k_not_null});
  sync({report}, "2024-05-01T10:00:05Z", {k_not_null});
  ASSERT_TRUE(store().resolve("inc_11111111", "ana", "the source was backfilled"));
  m_now = at("2024-05-01T12:05:00Z");
  const auto summary = sync({report}, "2024-05-01T10:00:05Z", {k_not_null});
  EXPECT_TRUE(summary.reopened.empty());
  EXPECT_EQ(get("inc_11111111").status, IncidentStatus::resolved);
}

TEST_F(IncidentStoreTest, ManualReopenAndItsRules) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  auto open = store().reopen("inc_11111111", "ana");
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("already open"), std::string::npos);
  ASSERT_TRUE(store().resolve("inc_11111111", "ana"));
  auto acknowledged = store().acknowledge("inc_11111111", "ana");
  ASSERT_FALSE(acknowledged);
  auto reopened = store().reopen("inc_11111111", "bo", "not fixed after all");
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->status, IncidentStatus::open);
  EXPECT_EQ(events("inc_11111111").back().actor, "bo");
}

TEST_F(IncidentStoreTest, LooksUpByUniquePrefix) {
  sync({make_incident("inc_3fa21111", {k_not_null}), make_incident("inc_3fb22222", {k_unique}),
        make_incident("inc_3fb33333", {k_accepted})},
       "2024-05-01T10:00:05Z", {k_not_null, k_unique, k_accepted});
  EXPECT_EQ(get("inc_3fa2").id, "inc_3fa21111");
  EXPECT_EQ(get("3fa").id, "inc_3fa21111");  // "inc_" may be left out
  EXPECT_EQ(get("inc_3fb22222").id, "inc_3fb22222");

  auto ambiguous = store().get_incident("inc_3fb");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(ambiguous.error().message.find("inc_3fb22222, inc_3fb33333"), std::string::npos)
      << ambiguous.error().message;
  EXPECT_NE(ambiguous.error().message.find(store().path().string()), std::string::npos);

  auto missing = store().get_incident("inc_4");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("inc_4"), std::string::npos);
  EXPECT_NE(missing.error().message.find(store().path().string()), std::string::npos);

  EXPECT_FALSE(store().get_incident(""));
  // "_" and "%" are not wildcards.
  EXPECT_EQ(store().get_incident("inc_3f_2").error().code, ErrorCode::not_found);
  EXPECT_EQ(store().get_incident("inc_3f%").error().code, ErrorCode::not_found);
  // Status changes take prefixes too.
  ASSERT_TRUE(store().acknowledge("3fa", "ana"));
  EXPECT_EQ(get("inc_3fa21111").status, IncidentStatus::acknowledged);
}

TEST_F(IncidentStoreTest, ListsBySeverityAndFilters) {
  sync({make_incident("inc_00000001", {k_not_null}, Severity::low),
        make_incident("inc_00000002", {k_unique}, Severity::critical),
        make_incident("inc_00000003", {k_accepted}, Severity::medium)},
       "2024-05-01T10:00:05Z", {k_not_null, k_unique, k_accepted});
  ASSERT_TRUE(store().acknowledge("inc_00000003", "ana"));

  auto all = store().list_incidents();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "inc_00000002");
  EXPECT_EQ((*all)[1].id, "inc_00000003");
  EXPECT_EQ((*all)[2].id, "inc_00000001");
  EXPECT_EQ((*all)[0].failures.size(), 1u);

  IncidentFilter open;
  open.statuses = {IncidentStatus::open};
  auto open_list = store().list_incidents(open);
  ASSERT_EQ(open_list->size(), 2u);

  IncidentFilter severe;
  severe.min_severity = Severity::medium;
  EXPECT_EQ(store().list_incidents(severe)->size(), 2u);

  IncidentFilter limited;
  limited.limit = 1;
  EXPECT_EQ(store().list_incidents(limited)->size(), 1u);
}

TEST_F(IncidentStoreTest, JsonForSurfaces) {
  sync({make_incident("inc_11111111", {k_not_null})}, "2024-05-01T10:00:05Z", {k_not_null});
  const auto json = to_json(get("inc_11111111"));
  EXPECT_EQ(json["status"], "open");
  EXPECT_EQ(json["severity"], "medium");
  EXPECT_TRUE(json["snoozed_until"].is_null());
  EXPECT_EQ(json["failures"][0]["unique_id"], k_not_null);
  EXPECT_EQ(json["detail"]["id"], "inc_11111111");
  const auto event = to_json(events("inc_11111111").front());
  EXPECT_TRUE(event["from"].is_null());
  EXPECT_EQ(event["to"], "open");
}

}  // namespace
}  // namespace cowork::store
