#include "scheduler.hpp"

#include <algorithm>

namespace watt::detail {

Scheduler::Scheduler(std::size_t threads) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void Scheduler::wake(Task& task) {
  int s = task.state_.load();
  for (;;) {
    if (s == Task::queued) return;
    if (s == Task::running || s == Task::running_woken) {
      if (s == Task::running && !task.state_.compare_exchange_weak(s, Task::running_woken)) continue;
      // It may be waiting in help(): it looks again.
      if (helpers_.load() > 0) {
        std::lock_guard lock(mutex_);
        cv_.notify_all();
      }
      return;
    }
    if (task.state_.compare_exchange_weak(s, Task::queued)) break;
  }
  {
    std::lock_guard lock(mutex_);
    ready_.push_back(&task);
  }
  cv_.notify_one();
}

void Scheduler::enqueue(Task& task) {
  int s = task.state_.load();
  while (s == Task::idle && !task.state_.compare_exchange_weak(s, Task::queued)) {
  }
  if (s == Task::idle) {
    ready_.push_back(&task);
  } else if (s == Task::running) {
    task.state_.compare_exchange_strong(s, Task::running_woken);
  }
}

void Scheduler::fire_timers() {
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.top().when <= now) {
    const Timer t = timers_.top();
    timers_.pop();
    if (t.task->armed_ != t.when) continue;  // superseded by an earlier one
    t.task->armed_ = Clock::time_point::max();
    enqueue(*t.task);
  }
}

void Scheduler::run_next(std::unique_lock<std::mutex>& lock) {
  Task& task = *ready_.front();
  ready_.pop_front();
  if (!ready_.empty()) cv_.notify_one();  // another thread may take the next
  lock.unlock();
  task.state_.store(Task::running);
  const auto next = task.run();
  finished(task, next);
  lock.lock();
}

void Scheduler::sleep(std::unique_lock<std::mutex>& lock, Clock::time_point until) {
  if (!timers_.empty()) until = std::min(until, timers_.top().when);
  if (until == Clock::time_point::max())
    cv_.wait(lock);
  else
    cv_.wait_until(lock, until);
}

void Scheduler::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    fire_timers();
    if (stop_) return;
    if (ready_.empty()) {
      sleep(lock, Clock::time_point::max());
      continue;
    }
    run_next(lock);
  }
}

void Scheduler::help(const std::function<bool()>& done, Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  ++helpers_;
  while (!done() && Clock::now() < deadline && !stop_) {
    fire_timers();
    if (ready_.empty())
      sleep(lock, deadline);
    else
      run_next(lock);  // another agent's turn, on the thread this one would only hold
  }
  --helpers_;
}

void Scheduler::finished(Task& task, Clock::time_point next) {
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    const bool again = next <= Clock::now();  // work left: straight back in line
    if (!again && next != Clock::time_point::max() && next < task.armed_) {
      task.armed_ = next;
      timers_.push({next, &task});
      notify = true;  // a sleeping thread may need to wake earlier
    }
    int s = Task::running;
    if (again || !task.state_.compare_exchange_strong(s, Task::idle)) {
      // Work left, or woken while it ran: another turn.
      task.state_.store(Task::queued);
      ready_.push_back(&task);
      notify = true;
    }
  }
  if (notify) cv_.notify_one();
}

}  // namespace watt::detail
