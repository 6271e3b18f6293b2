// The container's reading (Scheduler::Input): one pool thread reads at a
// time, the thread that reads a message runs the turn it woke itself, an
// agent that waits for an answer reads it on its own thread, and a reader
// stuck in a long turn has the reading taken over and given back.
#include "container/scheduler.hpp"
#include "process.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

using watt::detail::Scheduler;
using namespace std::chrono_literals;
using watt::test::eventually;

namespace {

// Messages are callbacks the reader runs, as the mux routes a frame.
class FakeInput final : public Scheduler::Input {
public:
  void poll(Scheduler::Clock::time_point deadline) override {
    std::unique_lock lock(mutex_);
    const int now_inside = ++inside_;
    most_inside = std::max(most_inside.load(), now_inside);
    poller = std::this_thread::get_id();
    cv_.wait_until(lock, deadline, [&] { return !messages_.empty() || interrupted_; });
    interrupted_ = false;
    auto taken = std::move(messages_);
    messages_.clear();
    poller = {};
    --inside_;
    lock.unlock();
    for (auto& m : taken) m();
  }
  void interrupt() noexcept override {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
    cv_.notify_all();
  }
  void call_outside() noexcept override { ++outside_calls; }

  void send(std::function<void()> message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
    cv_.notify_all();
  }
  bool polled_by(std::thread::id id) {
    std::lock_guard lock(mutex_);
    return inside_ == 1 && poller == id;
  }
  int inside() {
    std::lock_guard lock(mutex_);
    return inside_;
  }

  std::atomic<int> most_inside{0};
  std::atomic<int> outside_calls{0};

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> messages_;
  bool interrupted_ = false;
  int inside_ = 0;
  std::thread::id poller;
};

// A task that notes where its turns ran, and may be held in one.
struct Noting : Scheduler::Task {
  std::atomic<int> runs{0};
  std::thread::id ran_on;
  std::atomic<bool> hold{false};
  std::atomic<bool> held{false};
  Scheduler::Clock::time_point run() override {
    ran_on = std::this_thread::get_id();
    held = hold.load();
    while (hold.load()) std::this_thread::yield();
    held = false;
    ++runs;
    return Scheduler::Clock::time_point::max();
  }
};

}  // namespace

TEST_CASE("container reading: the thread that reads a message runs the turn it woke, one reader at a time") {
  FakeInput input;
  Noting task;
  Scheduler scheduler(3);
  scheduler.watch(&input);
  // Another thread may find the turn first (woken for nothing, as a
  // condition variable may be), so most turns, not all, are the reader's;
  // with a reader that only reads there would be none.
  int on_reader = 0;
  for (int i = 0; i < 200; ++i) {
    std::thread::id reader;
    input.send([&] {
      reader = std::this_thread::get_id();
      scheduler.wake(task);
    });
    REQUIRE(eventually([&] { return task.runs.load() == i + 1; }));
    on_reader += task.ran_on == reader ? 1 : 0;
  }
  CHECK(on_reader > 150);
  CHECK(input.most_inside.load() == 1);
  scheduler.watch(nullptr);
  CHECK(input.inside() == 0);  // nobody is in poll() once watch(nullptr) returns
}

TEST_CASE("container reading: an agent that waits for an answer reads it on its own thread") {
  FakeInput input;
  struct Waiting : Scheduler::Task {
    Scheduler* scheduler = nullptr;
    FakeInput* input = nullptr;
    std::atomic<bool> answered{false};
    std::atomic<bool> done{false};
    std::atomic<std::thread::id> ran_on;
    std::thread::id read_on;
    Scheduler::Clock::time_point run() override {
      // The answer's wake gives it a second turn, which waits for nothing.
      if (answered.load()) return Scheduler::Clock::time_point::max();
      ran_on = std::this_thread::get_id();
      scheduler->help(
          *this, [this] { return answered.load(); }, Scheduler::Clock::now() + 10s);
      done = true;
      return Scheduler::Clock::time_point::max();
    }
  } waiting;
  Scheduler scheduler(2);  // the other thread, idle, reads first and gives way
  waiting.scheduler = &scheduler;
  waiting.input = &input;
  scheduler.watch(&input);
  scheduler.wake(waiting);
  REQUIRE(eventually([&] { return waiting.ran_on.load() != std::thread::id{} && input.polled_by(waiting.ran_on); }));
  input.send([&] {
    waiting.read_on = std::this_thread::get_id();
    waiting.answered = true;
    scheduler.wake(waiting);
  });
  REQUIRE(eventually([&] { return waiting.done.load(); }));
  CHECK(waiting.read_on == waiting.ran_on.load());
  scheduler.watch(nullptr);
}

TEST_CASE("container reading: a reader stuck in a long turn is taken over from outside, and gets it back") {
  FakeInput input;
  Noting slow, other;
  Scheduler scheduler(1);
  scheduler.watch(&input);
  slow.hold = true;
  input.send([&] { scheduler.wake(slow); });
  REQUIRE(eventually([&] { return slow.held.load(); }));
  CHECK(scheduler.reader_busy());
  // Not yet stuck by a long measure; stuck by a short one, with no pool
  // thread free: the outside reader reads.
  CHECK(scheduler.outside_reads(1h) == Scheduler::Outside::waits);
  CHECK(scheduler.outside_reads(0ms) == Scheduler::Outside::reads);
  CHECK(scheduler.outside_reads(0ms) == Scheduler::Outside::reads);  // it keeps it
  CHECK_FALSE(scheduler.reader_busy());
  // The pool thread is free again: it asks for the reading back.
  slow.hold = false;
  REQUIRE(eventually([&] { return input.outside_calls.load() > 0; }));
  scheduler.outside_read();
  REQUIRE(eventually([&] { return input.inside() == 1; }));
  CHECK(scheduler.outside_reads(0ms) == Scheduler::Outside::waits);  // a pool thread reads
  std::thread::id reader;
  input.send([&] {
    reader = std::this_thread::get_id();
    scheduler.wake(other);
  });
  REQUIRE(eventually([&] { return other.runs.load() == 1; }));
  CHECK(other.ran_on == reader);
  CHECK(other.ran_on == slow.ran_on);
  scheduler.watch(nullptr);
}

TEST_CASE("container reading: a stuck reader's place goes to a free pool thread") {
  FakeInput input;
  Noting slow, other;
  Scheduler scheduler(2);
  scheduler.watch(&input);
  slow.hold = true;
  input.send([&] { scheduler.wake(slow); });
  REQUIRE(eventually([&] { return slow.held.load(); }));
  // The other pool thread takes it; or, if it was not asleep yet, the
  // outside reader does until that thread asks for it back.
  if (scheduler.outside_reads(0ms) == Scheduler::Outside::reads) {
    REQUIRE(eventually([&] { return input.outside_calls.load() > 0; }));
    scheduler.outside_read();
  }
  REQUIRE(eventually([&] { return input.inside() == 1; }));
  CHECK(scheduler.outside_reads(0ms) == Scheduler::Outside::waits);
  input.send([&] { scheduler.wake(other); });
  REQUIRE(eventually([&] { return other.runs.load() == 1; }));
  CHECK(other.ran_on != slow.ran_on);
  slow.hold = false;
  REQUIRE(eventually([&] { return slow.runs.load() == 1; }));
  scheduler.watch(nullptr);
}
