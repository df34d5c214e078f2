// Shared by the store's tests: a store in a temporary project with a clock the test moves, and small incident
// reports built in memory.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <unordered_set>
#include <vector>

#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace cowork::store::testing {

inline Timestamp at(std::string_view text) {
  return *parse_timestamp(text);
}

// An incident whose failures are failing tests with the given unique ids.
inline incidents::Incident make_incident(const std::string& id, const std::vector<std::string>& failing_tests,
                                         incidents::Severity severity = incidents::Severity::medium,
                                         const std::string& seen = "2024-05-01T10:00:00.000000Z") {
  incidents::Incident incident;
  incident.id = id;
  incident.title = "tests fail: " + (failing_tests.empty() ? std::string() : failing_tests.front());
  incident.severity = severity;
  for (const auto& test : failing_tests) {
    incidents::Failure failure;
    failure.unique_id = test;
    failure.resource_type = "test";
    failure.status = dbt::RunStatus::fail;
    failure.failures = 3;
    failure.message = "Got 3 results, configured to fail if != 0";
    failure.started_at = seen;
    failure.completed_at = seen;
    incident.failures.push_back(failure);
  }
  incident.first_seen = seen;
  incident.last_seen = seen;
  return incident;
}

inline incidents::IncidentReport make_report(std::vector<incidents::Incident> incidents,
                                             const std::string& generated_at) {
  incidents::IncidentReport report;
  report.incidents = std::move(incidents);
  report.generated_at = generated_at;
  report.command = "build";
  report.run_results_path = "target/run_results.json";
  return report;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open_store(); }

  void open_store() {
    StoreOptions options;
    options.clock = [this] { return m_now; };
    auto store = Store::open_project(m_dir.path(), options);
    ASSERT_TRUE(store) << store.error().message;
    m_store.emplace(std::move(*store));
  }
  // Before fork(): a child must not inherit an open SQLite connection (SQLite's per-process lock bookkeeping would
  // be wrong in the child), so the test closes its own and the child opens one.
  void close_store() { m_store.reset(); }

  Store& store() { return *m_store; }

  // An incident in the store, for tests about what hangs off incidents.
  std::string add_incident(const std::string& id = "inc_0a0b0c0d") {
    auto synced = store().sync_incidents(
        make_report({make_incident(id, {"test.shop.not_null_orders_id"})}, "2024-05-01T10:00:01Z"),
        {"test.shop.not_null_orders_id"}, m_now);
    EXPECT_TRUE(synced) << synced.error().message;
    return id;
  }

  cowork::testing::TempDir m_dir;
  Timestamp m_now = at("2024-05-01T12:00:00Z");
  std::optional<Store> m_store;
};

}  // namespace cowork::store::testing
