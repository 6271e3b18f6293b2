// The timers of one runtime: a min-heap of due times; cancelled timers are
// skipped lazily when they come up.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace watt::detail {

using Clock = std::chrono::steady_clock;

class TimerQueue {
public:
  std::uint64_t add(Clock::duration first, Clock::duration period, std::function<void()> fn) {
    const auto id = ++next_id_;
    timers_.emplace(id, Timer{period, std::move(fn)});
    heap_.push({Clock::now() + first, id});
    return id;
  }
  void cancel(std::uint64_t id) { timers_.erase(id); }

  // When the next live timer is due, or Clock::time_point::max().
  Clock::time_point next_due() {
    while (!heap_.empty() && !timers_.contains(heap_.top().id)) heap_.pop();
    return heap_.empty() ? Clock::time_point::max() : heap_.top().when;
  }

  // Runs every timer due by now; a periodic timer is re-armed before it runs,
  // so it may cancel itself.
  void run_due() {
    const auto now = Clock::now();
    while (next_due() <= now) {
      const Entry e = heap_.top();
      heap_.pop();
      auto it = timers_.find(e.id);
      std::function<void()> fn = it->second.fn;
      if (it->second.period.count() > 0) {
        // Drift-free; after a stall the missed periods are skipped, not
        // fired in a burst.
        auto next = e.when + it->second.period;
        if (next <= now) next = now + it->second.period;
        heap_.push({next, e.id});
      } else {
        timers_.erase(it);
      }
      fn();
    }
  }

private:
  struct Timer {
    Clock::duration period;
    std::function<void()> fn;
  };
  struct Entry {
    Clock::time_point when;
    std::uint64_t id;
    bool operator>(const Entry& o) const { return when > o.when; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::unordered_map<std::uint64_t, Timer> timers_;
  std::uint64_t next_id_ = 0;
};

}  // namespace watt::detail
