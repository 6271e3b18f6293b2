// The container's scheduler: an agent's turns never overlap, a wake-up is
// never lost, a task's own timer brings its next turn, and many tasks share
// a few threads.
#include "container/scheduler.hpp"
#include "process.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

using watt::detail::Scheduler;
using namespace std::chrono_literals;
using watt::test::eventually;

namespace {

struct Counting : Scheduler::Task {
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::atomic<long> runs{0};
  std::atomic<long> wanted{0};    // set before each wake
  std::atomic<long> seen{0};      // what the latest turn saw
  std::atomic<int> again_ms{-1};  // the next turn this long after, or none

  Scheduler::Clock::time_point run() override {
    const int now_inside = ++inside;
    int most = most_inside.load();
    while (now_inside > most && !most_inside.compare_exchange_weak(most, now_inside)) {
    }
    seen = wanted.load();
    ++runs;
    --inside;
    const int ms = again_ms.load();
    return ms < 0 ? Scheduler::Clock::time_point::max() : Scheduler::Clock::now() + std::chrono::milliseconds(ms);
  }
};

}  // namespace

TEST_CASE("container scheduler: one task never runs on two threads at once, and no wake-up is lost") {
  Counting task;  // tasks outlive their scheduler
  Scheduler scheduler(4);
  std::vector<std::thread> wakers;
  for (int t = 0; t < 4; ++t)
    wakers.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        ++task.wanted;
        scheduler.wake(task);
      }
    });
  for (auto& w : wakers) w.join();
  // The last wake-up came after every change: some turn saw all of them.
  CHECK(eventually([&] { return task.seen.load() == 20000; }));
  CHECK(task.most_inside.load() == 1);
  CHECK(task.runs.load() >= 1);
  CHECK(task.runs.load() <= 20000);  // wake-ups while queued are merged
}

TEST_CASE("container scheduler: a task's own next time brings its next turn, and max brings none") {
  Counting timed;
  timed.again_ms = 5;
  Counting once;
  Scheduler scheduler(2);
  scheduler.wake(timed);
  scheduler.wake(once);
  CHECK(eventually([&] { return timed.runs.load() >= 5; }));
  CHECK(once.runs.load() == 1);
  timed.again_ms = -1;
}

TEST_CASE("container scheduler: a thousand tasks share two threads") {
  std::vector<Counting> tasks(1000);
  Scheduler scheduler(2);
  for (auto& t : tasks) scheduler.wake(t);
  CHECK(eventually([&] {
    for (const auto& t : tasks)
      if (t.runs.load() != 1) return false;
    return true;
  }));
}

TEST_CASE("container scheduler: a task that waits in the middle of its turn lends its only thread to the others") {
  struct Answering : Scheduler::Task {
    std::atomic<bool> answered{false};
    std::thread::id ran_on;
    Scheduler::Clock::time_point run() override {
      ran_on = std::this_thread::get_id();
      answered = true;
      return Scheduler::Clock::time_point::max();
    }
  } answering;
  struct Waiting : Scheduler::Task {
    Scheduler* scheduler = nullptr;
    Answering* other = nullptr;
    std::atomic<bool> got_it{false};
    std::thread::id ran_on;
    Scheduler::Clock::time_point run() override {
      ran_on = std::this_thread::get_id();
      scheduler->wake(*other);  // it cannot run but on this very thread
      scheduler->help(
          *this, [this] { return other->answered.load(); }, Scheduler::Clock::now() + 10s);
      got_it = other->answered.load();
      return Scheduler::Clock::time_point::max();
    }
  } waiting;
  Scheduler scheduler(1);
  waiting.scheduler = &scheduler;
  waiting.other = &answering;
  scheduler.wake(waiting);
  CHECK(eventually([&] { return waiting.got_it.load(); }));
  CHECK(answering.ran_on == waiting.ran_on);
}
