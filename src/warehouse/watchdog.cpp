#include "warehouse/watchdog.hpp"

#include <utility>

namespace cowork::warehouse {

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
    m_armed = false;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Watchdog::arm(Clock::time_point deadline, std::function<void()> on_expiry, std::chrono::milliseconds repeat) {
  {
    std::lock_guard lock(m_mutex);
    m_deadline = deadline;
    m_callback = std::move(on_expiry);
    m_repeat = repeat;
    m_armed = true;
    m_fired = false;
    ++m_generation;
    if (!m_thread.joinable()) m_thread = std::thread([this] { run(); });
  }
  m_changed.notify_all();
}

bool Watchdog::disarm() {
  std::unique_lock lock(m_mutex);
  m_armed = false;
  m_callback = nullptr;
  ++m_generation;
  m_changed.notify_all();
  m_changed.wait(lock, [this] { return !m_running_callback; });
  return std::exchange(m_fired, false);
}

void Watchdog::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    if (!m_armed) {
      m_changed.wait(lock);
      continue;
    }
    if (Clock::now() < m_deadline) {
      // Woken early by a new deadline, a disarm or spuriously: the loop re-reads the state either way.
      m_changed.wait_until(lock, m_deadline);
      continue;
    }
    m_armed = false;
    m_fired = true;
    m_running_callback = true;
    const auto generation = m_generation;
    auto callback = std::move(m_callback);
    m_callback = nullptr;
    lock.unlock();
    if (callback) callback();
    lock.lock();
    m_running_callback = false;
    if (generation == m_generation && m_repeat.count() > 0 && !m_stop) {
      m_armed = true;
      m_deadline = Clock::now() + m_repeat;
      m_callback = std::move(callback);
    }
    m_changed.notify_all();
  }
}

Watchdog::Scope::Scope(Watchdog& watchdog, std::chrono::milliseconds timeout, std::function<void()> on_expiry,
                       std::chrono::milliseconds repeat)
    : m_watchdog(&watchdog) {
  if (timeout.count() <= 0) return;
  m_watchdog->arm(Clock::now() + timeout, std::move(on_expiry), repeat);
  m_armed = true;
}

Watchdog::Scope::~Scope() {
  expired();
}

bool Watchdog::Scope::expired() {
  if (m_armed) {
    m_expired = m_watchdog->disarm();
    m_armed = false;
  }
  return m_expired;
}

}  // namespace cowork::warehouse
