#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace cowork::store {
namespace {

using testing::at;

class EventStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    testing::StoreTest::SetUp();
    m_incident = add_incident();
    auto investigation = store().start_investigation(m_incident, "playbook");
    ASSERT_TRUE(investigation) << investigation.error().message;
    m_investigation = *investigation;
  }

  static Event tool_call(int i) {
    Event event;
    event.agent = "investigator";
    event.kind = EventKind::tool_call;
    event.tool = "column_profile";
    event.args_json = fmt::format(R"({{"model":"stg_orders","column":"id","i":{}}})", i);
    event.summary = fmt::format("profile #{}", i);
    event.duration_ms = i;
    return event;
  }

  std::vector<Event> all_events(const std::string& investigation) {
    auto events = store().list_events(investigation);
    EXPECT_TRUE(events) << events.error().message;
    return events ? *events : std::vector<Event>{};
  }

  // Expects seq 1..n with no gap or repeat.
  static void expect_contiguous(const std::vector<Event>& events) {
    for (std::size_t i = 0; i < events.size(); ++i) ASSERT_EQ(events[i].seq, static_cast<std::int64_t>(i + 1));
  }

  std::string m_incident;
  std::string m_investigation;
};

TEST_F(EventStoreTest, AnInvestigationStartsRunningAndIsTheIncidentsLatest) {
  EXPECT_TRUE(m_investigation.starts_with("inv_")) << m_investigation;
  EXPECT_EQ(m_investigation.size(), 12u);
  auto record = store().get_investigation(m_investigation);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->status, InvestigationStatus::running);
  EXPECT_EQ(record->incident_id, m_incident);
  EXPECT_EQ(record->engine, "playbook");
  EXPECT_EQ(record->started_at, "2024-05-01T12:00:00.000Z");

  m_now += std::chrono::minutes(5);
  auto second = store().start_investigation(m_incident, "llm:openai/gpt-4o");
  ASSERT_TRUE(second);
  auto latest = store().latest_investigation(m_incident);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->id, *second);
  EXPECT_EQ(store().list_investigations(m_incident)->size(), 2u);

  const std::string other = add_incident("inc_0e0e0e0e");
  auto none = store().latest_investigation(other);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(EventStoreTest, AnInvestigationNeedsAKnownIncident) {
  auto investigation = store().start_investigation("inc_deadbeef", "playbook");
  ASSERT_FALSE(investigation);
  EXPECT_EQ(investigation.error().code, ErrorCode::not_found);
  EXPECT_NE(investigation.error().message.find("inc_deadbeef"), std::string::npos);
}

TEST_F(EventStoreTest, EventsAreNumberedInOrderAndListableAfterASequenceNumber) {
  for (int i = 1; i <= 10; ++i) {
    auto seq = store().append_event(m_investigation, tool_call(i));
    ASSERT_TRUE(seq) << seq.error().message;
    EXPECT_EQ(*seq, i);
  }
  const auto events = all_events(m_investigation);
  ASSERT_EQ(events.size(), 10u);
  expect_contiguous(events);
  EXPECT_EQ(events[3].summary, "profile #4");
  EXPECT_EQ(events[3].tool, "column_profile");
  EXPECT_EQ(events[3].kind, EventKind::tool_call);
  EXPECT_EQ(events[3].duration_ms, 4);
  EXPECT_EQ(events[3].at, "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(nlohmann::json::parse(events[3].args_json)["i"], 4);

  auto after = store().list_events(m_investigation, 7);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 3u);
  EXPECT_EQ(after->front().seq, 8);
  auto page = store().list_events(m_investigation, 2, 3);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ(page->front().seq, 3);
  EXPECT_EQ(page->back().seq, 5);
  EXPECT_TRUE(store().list_events(m_investigation, 10)->empty());
  EXPECT_EQ(store().get_investigation(m_investigation)->last_seq, 10);
}

TEST_F(EventStoreTest, EachInvestigationHasItsOwnSequence) {
  auto other = store().start_investigation(m_incident, "playbook");
  ASSERT_TRUE(other);
  EXPECT_EQ(*store().append_event(m_investigation, tool_call(1)), 1);
  EXPECT_EQ(*store().append_event(*other, tool_call(1)), 1);
  EXPECT_EQ(*store().append_event(m_investigation, tool_call(2)), 2);
}

TEST_F(EventStoreTest, EventsKeepTheirTextAndJsonAndRefuseBadJson) {
  Event event;
  event.agent = "diagnostician";
  event.kind = EventKind::token;
  event.summary = "ünïcode, \"quotes\", newlines\nand a NUL-free long text " + std::string(10'000, 'x');
  event.payload_json = R"({"rows":[[1,"a"],[2,null]]})";
  event.at = "2024-05-01T14:00:00.5+02:00";
  ASSERT_TRUE(store().append_event(m_investigation, event));
  const auto events = all_events(m_investigation);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].summary, event.summary);
  EXPECT_EQ(events[0].payload_json, event.payload_json);
  EXPECT_EQ(events[0].at, "2024-05-01T12:00:00.500Z");
  EXPECT_TRUE(events[0].args_json.empty());
  EXPECT_FALSE(events[0].duration_ms);

  Event bad = tool_call(1);
  bad.args_json = "{not json";
  auto refused = store().append_event(m_investigation, bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("args_json"), std::string::npos) << refused.error().message;
  Event bad_time = tool_call(1);
  bad_time.at = "yesterday";
  EXPECT_FALSE(store().append_event(m_investigation, bad_time));
  EXPECT_EQ(all_events(m_investigation).size(), 1u);

  const auto json = to_json(all_events(m_investigation)[0]);
  EXPECT_EQ(json["kind"], "token");
  EXPECT_EQ(json["payload"]["rows"][1][1], nullptr);
  EXPECT_TRUE(json["args"].is_null());
}

TEST_F(EventStoreTest, AFinishedInvestigationTakesNoMoreEvents) {
  ASSERT_TRUE(store().append_event(m_investigation, tool_call(1)));
  auto finished = store().finish_investigation(m_investigation, InvestigationStatus::completed,
                                               R"({"engine":"playbook","fixes":[]})");
  ASSERT_TRUE(finished) << finished.error().message;
  auto record = store().get_investigation(m_investigation);
  EXPECT_EQ(record->status, InvestigationStatus::completed);
  EXPECT_EQ(nlohmann::json::parse(record->report_json)["engine"], "playbook");
  EXPECT_FALSE(record->finished_at.empty());

  auto late = store().append_event(m_investigation, tool_call(2));
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("completed"), std::string::npos) << late.error().message;
  auto again = store().finish_investigation(m_investigation, InvestigationStatus::failed, "");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already finished"), std::string::npos);

  auto unknown = store().append_event("inv_00000000", tool_call(1));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
}

// An investigation that set out with a model and ended on the playbook alone records the engine that did the work.
TEST_F(EventStoreTest, FinishingCanCorrectTheEngine) {
  auto with_model = store().start_investigation(m_incident, "llm:openai/gpt-4o-mini");
  ASSERT_TRUE(with_model) << with_model.error().message;
  ASSERT_TRUE(store().finish_investigation(*with_model, InvestigationStatus::completed, "{}", "playbook"));
  EXPECT_EQ(store().get_investigation(*with_model)->engine, "playbook");
  // Without one, the engine it started with stays.
  ASSERT_TRUE(store().finish_investigation(m_investigation, InvestigationStatus::completed, "{}"));
  EXPECT_EQ(store().get_investigation(m_investigation)->engine, "playbook");
}

TEST_F(EventStoreTest, ABatchIsAppendedWhole) {
  std::vector<Event> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(tool_call(i));
  EXPECT_EQ(*store().append_events(m_investigation, batch), 5);
  batch[3].args_json = "[";  // one bad event: none of the batch is kept
  EXPECT_FALSE(store().append_events(m_investigation, batch));
  EXPECT_EQ(all_events(m_investigation).size(), 5u);
}

// Two connections, as two processes would have, appending to one investigation at full speed.
TEST_F(EventStoreTest, TwoConnectionsWriteConcurrentlyWithoutLockErrors) {
  constexpr int k_per_writer = 400;
  std::atomic<int> failures{0};
  std::string first_error;
  const auto writer = [&](int which) {
    auto store = Store::open_project(m_dir.path());
    if (!store) {
      ++failures;
      return;
    }
    for (int i = 0; i < k_per_writer; ++i) {
      Event event = tool_call(i);
      event.agent = which == 0 ? "investigator" : "diagnostician";
      auto seq = store->append_event(m_investigation, event);
      if (!seq && failures++ == 0) first_error = seq.error().message;
      // The dashboard's view, meanwhile.
      if (i % 50 == 0 && !store->list_events(m_investigation, 0, 10)) ++failures;
    }
  };
  std::thread a(writer, 0);
  std::thread b(writer, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0) << first_error;
  const auto events = all_events(m_investigation);
  ASSERT_EQ(events.size(), 2u * k_per_writer);
  expect_contiguous(events);
  int from_a = 0;
  for (const auto& event : events) from_a += event.agent == "investigator" ? 1 : 0;
  EXPECT_EQ(from_a, k_per_writer);
}

// The same with real processes, and a status change racing the event writers.
TEST_F(EventStoreTest, SeveralProcessesWriteConcurrently) {
  constexpr int k_children = 3;
  constexpr int k_per_child = 200;
  std::vector<pid_t> children;
  close_store();
  for (int c = 0; c < k_children; ++c) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = Store::open_project(m_dir.path());
      if (!store) ::_exit(2);
      for (int i = 0; i < k_per_child; ++i) {
        if (!store->append_event(m_investigation, tool_call(i))) ::_exit(3);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  open_store();
  ASSERT_TRUE(store().acknowledge(m_incident, "ana"));
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit status " << status;
  }
  const auto events = all_events(m_investigation);
  ASSERT_EQ(events.size(), static_cast<std::size_t>(k_children * k_per_child));
  expect_contiguous(events);
}

// A process that dies before finish_investigation (a crash, an OOM kill) keeps every event it appended.
TEST_F(EventStoreTest, EventsSurviveAProcessThatExitsWithoutFinishing) {
  constexpr int k_events = 250;
  close_store();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto store = Store::open_project(m_dir.path());
    if (!store) ::_exit(2);
    for (int i = 0; i < k_events; ++i) {
      if (!store->append_event(m_investigation, tool_call(i))) ::_exit(3);
    }
    ::_exit(0);  // no destructor runs: the connection is never closed, the WAL never checkpointed
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  auto reopened = Store::open_project(m_dir.path());
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto events = reopened->list_events(m_investigation);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), static_cast<std::size_t>(k_events));
  expect_contiguous(*events);
  EXPECT_EQ(reopened->get_investigation(m_investigation)->status, InvestigationStatus::running);
}

TEST_F(EventStoreTest, EventsSurviveAProcessKilledMidWrite) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  close_store();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(ready[0]);
    auto store = Store::open_project(m_dir.path());
    if (!store) ::_exit(2);
    for (int i = 0;; ++i) {
      if (!store->append_event(m_investigation, tool_call(i))) ::_exit(3);
      if (i == 100) (void)!::write(ready[1], "x", 1);
    }
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(ready[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;

  auto reopened = Store::open_project(m_dir.path());
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto events = reopened->list_events(m_investigation);
  ASSERT_TRUE(events);
  EXPECT_GT(events->size(), 100u);
  expect_contiguous(*events);
  auto check = reopened->database().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check);
  ASSERT_TRUE(*check->step());
  EXPECT_EQ(check->get_text(0), "ok");
  // The crashed investigation goes on taking events from whoever picks it up.
  EXPECT_EQ(*reopened->append_event(m_investigation, tool_call(0)), static_cast<std::int64_t>(events->size()) + 1);
}

TEST_F(EventStoreTest, TenThousandEventsAppendedOneByOneAreAllListedInOrder) {
  constexpr int k_events = 10'000;
  for (int i = 0; i < k_events; ++i) {
    auto seq = store().append_event(m_investigation, tool_call(i));
    ASSERT_TRUE(seq) << seq.error().message;
    ASSERT_EQ(*seq, i + 1);
  }
  auto listed = store().list_events(m_investigation);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), static_cast<std::size_t>(k_events));
  EXPECT_EQ(listed->back().seq, k_events);
}

}  // namespace
}  // namespace cowork::store
