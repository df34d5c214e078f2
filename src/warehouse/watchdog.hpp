// A timer that runs a callback when a deadline passes unless it is disarmed first. The warehouse adapters use it to
// cancel a running query from outside the thread that is blocked in the database library (duckdb_interrupt), so a
// timeout really stops the work instead of only abandoning it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace cowork::warehouse {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  Watchdog() = default;
  // Stops the background thread; a callback that is running is waited for.
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Runs `on_expiry` on the watchdog's thread at `deadline` unless disarm() is called first, and then again every
  // `repeat` (when positive) until disarmed: a cancel that lands in a gap where there is nothing to cancel (between
  // two statements, say) is tried again. One deadline at a time: arming again replaces the previous one. The thread
  // starts on the first call.
  void arm(Clock::time_point deadline, std::function<void()> on_expiry,
           std::chrono::milliseconds repeat = std::chrono::milliseconds(0));

  // Cancels the deadline. Returns whether the callback ran (or was running: disarm waits for it to finish, so once
  // disarm returns the callback is not running and will not run).
  bool disarm();

  // Arms for `timeout` from now (a timeout of zero or less never expires) and disarms when the scope ends.
  class Scope {
   public:
    Scope(Watchdog& watchdog, std::chrono::milliseconds timeout, std::function<void()> on_expiry,
          std::chrono::milliseconds repeat = std::chrono::milliseconds(0));
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    // Disarms now; whether the deadline passed and the callback ran. Later calls return the same answer.
    bool expired();

   private:
    Watchdog* m_watchdog;
    bool m_armed = false;
    bool m_expired = false;
  };

 private:
  void run();

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::thread m_thread;
  bool m_stop = false;
  bool m_armed = false;
  bool m_fired = false;
  bool m_running_callback = false;
  std::uint64_t m_generation = 0;  // changes with every arm and disarm, so a repeat never outlives its arming
  Clock::time_point m_deadline;
  std::chrono::milliseconds m_repeat{0};
  std::function<void()> m_callback;
};

}  // namespace cowork::warehouse
