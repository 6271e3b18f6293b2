// The container's threads: a small pool that gives turns to tasks (its
// agents). A task is never run by two threads at once, so an agent's
// callbacks stay one at a time, as in a process of its own; a task woken
// while it runs gets another turn right after. A task says when it next
// wants a turn (its timers, its calls' deadlines) and is woken then.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace watt::detail {

class Scheduler {
public:
  using Clock = std::chrono::steady_clock;

  class Task {
  public:
    virtual ~Task() = default;
    // One turn. Returns when the task wants its next turn if nothing wakes
    // it before; time_point::max() for never.
    virtual Clock::time_point run() = 0;

  private:
    friend class Scheduler;
    enum : int { idle, queued, running, running_woken };
    std::atomic<int> state_{idle};
    Clock::time_point armed_ = Clock::time_point::max();  // guarded by the scheduler's lock
    std::condition_variable* helper_ = nullptr;           // while in help(), its thread's; under the lock
    std::atomic<bool> helping_{false};
  };

  explicit Scheduler(std::size_t threads);
  ~Scheduler();  // lets running turns finish, then joins
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Any thread: the task gets a turn soon. Tasks must outlive the scheduler.
  void wake(Task& task);
  // A task that must wait in the middle of its turn (for an answer, say)
  // calls this instead of sleeping: until `done` holds (checked under the
  // scheduler's lock, and again after each wake of a task) or the deadline,
  // its thread runs other tasks' turns. So an agent waiting for another of
  // the same container never holds the thread that one needs.
  void help(Task& self, const std::function<bool()>& done, Clock::time_point deadline);
  std::size_t threads() const noexcept { return threads_.size(); }

private:
  struct Timer {
    Clock::time_point when;
    Task* task;
    bool operator>(const Timer& o) const noexcept { return when > o.when; }
  };

  void work();
  void enqueue(Task& task);  // under the lock
  void fire_timers();        // under the lock
  void run_next(std::unique_lock<std::mutex>& lock);
  void signal_ready();  // under the lock: one thread to take what is ready
  void sleep(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Clock::time_point until);
  void finished(Task& task, Clock::time_point next);

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Task*> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  bool stop_ = false;
  int idle_workers_ = 0;                                    // sleeping in work()
  std::vector<std::condition_variable*> sleeping_helpers_;  // sleeping in help()
  std::vector<std::thread> threads_;
};

}  // namespace watt::detail
