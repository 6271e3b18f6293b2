// The runtime's timer queue.
#include "timer_queue.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace std::chrono_literals;
using watt::detail::TimerQueue;

TEST_CASE("timers fire in due order - one-shots once, periodic ones again") {
  TimerQueue q;
  std::vector<int> fired;
  q.add(0ms, 0ms, [&] { fired.push_back(1); });
  q.add(0ms, 1ms, [&] { fired.push_back(2); });
  q.add(1h, 0ms, [&] { fired.push_back(3); });
  q.run_due();
  CHECK(fired == std::vector<int>{1, 2});
  std::this_thread::sleep_for(3ms);
  q.run_due();
  CHECK(fired == std::vector<int>{1, 2, 2});
}

TEST_CASE("a cancelled timer never fires, even one that cancels itself") {
  TimerQueue q;
  int n = 0;
  const auto a = q.add(0ms, 0ms, [&] { ++n; });
  q.cancel(a);
  std::uint64_t self = 0;
  self = q.add(0ms, 1ms, [&] {
    ++n;
    q.cancel(self);
  });
  q.run_due();
  std::this_thread::sleep_for(3ms);
  q.run_due();
  CHECK(n == 1);
  CHECK(q.next_due() == watt::detail::Clock::time_point::max());
}
