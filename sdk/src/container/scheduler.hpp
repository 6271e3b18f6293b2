// The container's threads: a small pool that gives turns to tasks (its
// agents). A task is never run by two threads at once, so an agent's
// callbacks stay one at a time, as in a process of its own; a task woken
// while it runs gets another turn right after. A task says when it next
// wants a turn (its timers, its calls' deadlines) and is woken then.
//
// The pool's threads also read the container's input, one at a time: the
// thread that reads a message for an agent runs that agent's turn itself,
// and keeps the reading for when it is done, so neither a request nor an
// answer is handed from one thread to another (an agent that waits for an
// answer reads it itself). A reader that stays in a turn too long has the
// reading taken from it: by a free pool thread, or, while every pool thread
// is busy, by a reader outside the pool (the container's I/O thread) until
// one is free again.
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

  // What the pool's threads read.
  class Input {
  public:
    virtual ~Input() = default;
    // One thread at a time: waits until something may be read, the
    // deadline, or interrupt(); then takes in what came (which wakes tasks).
    // The input itself tells the outside reader when its reader has been
    // away from poll() for long: it then calls outside_reads().
    virtual void poll(Clock::time_point deadline) = 0;
    virtual void interrupt() noexcept = 0;  // any thread: poll() returns soon
    // The outside reader should look (outside_reads() / outside_read()):
    // nobody may be reading, or a pool thread is free to take the input
    // back from it.
    virtual void call_outside() noexcept = 0;
    // A pool thread came out of poll() to run turns (now seen so).
    virtual void left_poll() noexcept {}
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
  // its thread reads or runs other tasks' turns. So an agent waiting for
  // another of the same container never holds the thread that one needs.
  void help(Task& self, const std::function<bool()>& done, Clock::time_point deadline);
  std::size_t threads() const noexcept { return threads_.size(); }

  // Any thread. Null stops the pool reading, and returns once no pool thread
  // is in the old input's poll().
  void watch(Input* input);
  // The reader outside the pool, whenever it would wait: whether it reads
  // now. It does while no pool thread can: each is in a turn, and the
  // pool's reader has been for `handover` or longer. After its wait it
  // gives the input back if a pool thread is free.
  // `offered`: to a free pool thread, which may yet decline: look again
  // after `handover`.
  enum class Outside { reads, waits, offered };
  Outside outside_reads(Clock::duration handover);
  void outside_read();
  // Whether nobody is in poll(): the pool's reader is in a turn, or the
  // input was offered and not yet taken. The outside reader then looks again
  // after `handover`.
  bool reader_busy();

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

  // All under the lock.
  // This thread takes the reading (if it had it not) and reads until the
  // deadline or what it read.
  void poll_input(std::unique_lock<std::mutex>& lock, Task* self, Clock::time_point deadline);
  bool may_read() const;      // this pool thread, now
  bool polling_here() const;  // this thread is in poll()
  bool offer_input();         // nobody reads: a free pool thread should (false: none is free)
  void ensure_reader();       // nobody reads: a free pool thread, or the outside reader, should
  void want_input_back();     // a pool thread is free while the outside reader has it

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Task*> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  bool stop_ = false;
  int idle_workers_ = 0;                                    // sleeping in work()
  std::vector<std::condition_variable*> sleeping_helpers_;  // sleeping in help()

  enum class Reader { none, pool, outside };
  Input* input_ = nullptr;
  Reader reader_ = Reader::none;
  std::thread::id reader_thread_;  // the pool's reader
  bool polling_ = false;           // it is in poll()
  Input* polled_ = nullptr;        // the input it polls (watch(nullptr) may have let go of it already)
  Task* polling_for_ = nullptr;    // the task whose thread polls (in help()), if any
  Clock::time_point busy_since_;   // it left poll()
  bool asked_back_ = false;        // the outside reader was asked to give the input back
  std::condition_variable poll_left_;
  std::vector<std::thread> threads_;
};

}  // namespace watt::detail
