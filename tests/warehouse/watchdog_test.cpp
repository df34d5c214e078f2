#include "warehouse/watchdog.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace cowork::warehouse {
namespace {

using namespace std::chrono_literals;

TEST(Watchdog, RunsTheCallbackWhenTheDeadlinePasses) {
  Watchdog watchdog;
  std::atomic<int> calls = 0;
  Watchdog::Scope scope(watchdog, 20ms, [&] { ++calls; });
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(scope.expired());
  EXPECT_EQ(calls, 1);
}

TEST(Watchdog, DisarmedInTimeTheCallbackNeverRuns) {
  Watchdog watchdog;
  std::atomic<int> calls = 0;
  {
    Watchdog::Scope scope(watchdog, 10s, [&] { ++calls; });
    EXPECT_FALSE(scope.expired());
  }
  // The same watchdog serves the next deadline.
  Watchdog::Scope again(watchdog, 10ms, [&] { calls += 10; });
  std::this_thread::sleep_for(150ms);
  EXPECT_TRUE(again.expired());
  EXPECT_EQ(calls, 10);
}

TEST(Watchdog, NoTimeoutNeverExpires) {
  Watchdog watchdog;
  Watchdog::Scope scope(watchdog, 0ms, [] { FAIL() << "a zero timeout must not fire"; });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(scope.expired());
}

TEST(Watchdog, RepeatsUntilDisarmed) {
  Watchdog watchdog;
  std::atomic<int> calls = 0;
  {
    Watchdog::Scope scope(
        watchdog, 10ms, [&] { ++calls; }, 20ms);
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(scope.expired());
  }
  const int after_disarm = calls;
  EXPECT_GE(after_disarm, 3);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls, after_disarm);
}

TEST(Watchdog, DisarmWaitsForARunningCallback) {
  Watchdog watchdog;
  std::atomic<bool> finished = false;
  watchdog.arm(Watchdog::Clock::now(), [&] {
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(watchdog.disarm());
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace cowork::warehouse
