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
    for (auto* cv : sleeping_helpers_) cv->notify_all();
    if (polling_) polled_->interrupt();
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
      // It may be waiting in help(): that thread alone looks again.
      if (task.helping_.load()) {
        std::lock_guard lock(mutex_);
        if (task.helper_ != nullptr) task.helper_->notify_one();
        if (polling_for_ == &task && !polling_here()) polled_->interrupt();
      }
      return;
    }
    if (task.state_.compare_exchange_weak(s, Task::queued)) break;
  }
  std::lock_guard lock(mutex_);
  ready_.push_back(&task);
  signal_ready();
}

void Scheduler::signal_ready() {
  // The reader runs what it read itself, once it stops reading.
  if (polling_here()) return;
  // An idle worker takes it; failing one, a thread waiting in help() does,
  // or one that sits in poll().
  if (idle_workers_ > 0)
    cv_.notify_one();
  else if (!sleeping_helpers_.empty())
    sleeping_helpers_.back()->notify_one();
  else if (polling_)
    polled_->interrupt();
}

bool Scheduler::polling_here() const { return polling_ && reader_thread_ == std::this_thread::get_id(); }

bool Scheduler::may_read() const {
  return input_ != nullptr && !stop_ &&
         (reader_ == Reader::none || (reader_ == Reader::pool && reader_thread_ == std::this_thread::get_id()));
}

bool Scheduler::offer_input() {
  if (input_ == nullptr || reader_ != Reader::none) return true;
  // First to a thread whose agent waits for an answer: one it reads itself
  // costs no hand-over.
  if (!sleeping_helpers_.empty())
    sleeping_helpers_.back()->notify_one();
  else if (idle_workers_ > 0)
    cv_.notify_one();
  else
    return false;
  return true;
}

void Scheduler::ensure_reader() {
  // Offered to a free pool thread, or else to the outside reader. A pool
  // thread may yet decline (it finds work first): the outside reader looks
  // again after `handover` (outside_reads) while nobody reads.
  if (!offer_input()) input_->call_outside();
}

void Scheduler::want_input_back() {
  if (input_ == nullptr || reader_ != Reader::outside || asked_back_) return;
  asked_back_ = true;
  input_->call_outside();
}

void Scheduler::poll_input(std::unique_lock<std::mutex>& lock, Task* self, Clock::time_point deadline) {
  reader_ = Reader::pool;
  reader_thread_ = std::this_thread::get_id();
  polling_ = true;
  polling_for_ = self;
  if (!timers_.empty()) deadline = std::min(deadline, timers_.top().when);
  Input* input = input_;
  polled_ = input;
  lock.unlock();
  input->poll(deadline);
  lock.lock();
  polling_ = false;
  polling_for_ = nullptr;
  busy_since_ = Clock::now();
  poll_left_.notify_all();
  // Told once it is seen out of poll() (reader_busy()), not before.
  lock.unlock();
  input->left_poll();
  lock.lock();
}

void Scheduler::watch(Input* input) {
  std::unique_lock lock(mutex_);
  Input* old = input_;
  input_ = input;
  if (old != nullptr && polling_) {
    old->interrupt();
    poll_left_.wait(lock, [&] { return !polling_; });
  }
  reader_ = Reader::none;
  offer_input();
}

Scheduler::Outside Scheduler::outside_reads(Clock::duration handover) {
  std::lock_guard lock(mutex_);
  if (input_ == nullptr || reader_ == Reader::outside) return Outside::reads;  // nobody else reads
  if (reader_ == Reader::pool && (polling_ || Clock::now() - busy_since_ < handover)) return Outside::waits;
  // Nobody reads, or the pool's reader is stuck in a turn: a free pool
  // thread takes over; failing one, the outside reader does.
  reader_ = Reader::none;
  if (offer_input()) return Outside::offered;
  reader_ = Reader::outside;
  asked_back_ = false;
  return Outside::reads;
}

bool Scheduler::reader_busy() {
  std::lock_guard lock(mutex_);
  return input_ != nullptr && (reader_ == Reader::none || (reader_ == Reader::pool && !polling_));
}

void Scheduler::outside_read() {
  std::lock_guard lock(mutex_);
  if (reader_ != Reader::outside) return;
  if (idle_workers_ == 0 && sleeping_helpers_.empty()) {
    asked_back_ = false;  // whoever asked is busy again; the next to be free asks anew
    return;
  }
  reader_ = Reader::none;
  offer_input();
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
  if (!ready_.empty()) signal_ready();  // another thread may take the next
  if (input_ != nullptr && reader_ == Reader::none) ensure_reader();
  lock.unlock();
  task.state_.store(Task::running);
  const auto next = task.run();
  finished(task, next);
  lock.lock();
}

void Scheduler::sleep(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Clock::time_point until) {
  if (!timers_.empty()) until = std::min(until, timers_.top().when);
  if (until == Clock::time_point::max())
    cv.wait(lock);
  else
    cv.wait_until(lock, until);
}

void Scheduler::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    fire_timers();
    if (stop_) return;
    // A thread whose agent waits for an answer reads before an idle one.
    if (reader_ == Reader::pool && reader_thread_ == std::this_thread::get_id() && !sleeping_helpers_.empty()) {
      reader_ = Reader::none;
      offer_input();
    }
    if (!ready_.empty()) {
      run_next(lock);
    } else if (may_read() && sleeping_helpers_.empty()) {
      poll_input(lock, nullptr, Clock::time_point::max());
    } else {
      want_input_back();
      ++idle_workers_;
      sleep(cv_, lock, Clock::time_point::max());
      --idle_workers_;
    }
  }
}

void Scheduler::help(Task& self, const std::function<bool()>& done, Clock::time_point deadline) {
  // Turns run nested on this thread's stack, and the waiting task resumes
  // only when the turns above it return: a few levels at most.
  constexpr int max_depth = 8;
  thread_local int depth = 0;
  std::condition_variable cv;  // this thread's own: woken for `self`, or for work nobody idle takes
  std::unique_lock lock(mutex_);
  // Never nested for one task: while it waits here it is running, and no
  // thread gives it another turn.
  self.helper_ = &cv;
  self.helping_.store(true);
  bool read = false;  // this thread just read: it runs what it woke first
  while (!done() && Clock::now() < deadline) {
    fire_timers();
    if (!ready_.empty() && depth < max_depth && !stop_ && (idle_workers_ == 0 || read)) {
      ++depth;
      run_next(lock);  // another agent's turn, on the thread this one would only hold
      --depth;
      read = false;
      continue;
    }
    if (read && !ready_.empty()) signal_ready();  // woken by this thread, for others to run
    read = false;
    if (may_read()) {
      poll_input(lock, &self, deadline);
      read = true;
      continue;
    }
    want_input_back();
    // An idle worker in poll() gives way to this thread, which waits for an answer.
    if (polling_ && polling_for_ == nullptr) polled_->interrupt();
    sleeping_helpers_.push_back(&cv);
    sleep(cv, lock, deadline);
    sleeping_helpers_.erase(std::find(sleeping_helpers_.begin(), sleeping_helpers_.end(), &cv));
  }
  self.helper_ = nullptr;
  self.helping_.store(false);
  // Told of ready work it leaves behind: someone else is. The reading goes
  // to another thread that waits for an answer, if one does.
  if (!ready_.empty()) signal_ready();
  if (reader_ == Reader::pool && reader_thread_ == std::this_thread::get_id() && !sleeping_helpers_.empty())
    reader_ = Reader::none;
  if (input_ != nullptr && reader_ == Reader::none) ensure_reader();
}

void Scheduler::finished(Task& task, Clock::time_point next) {
  std::lock_guard lock(mutex_);
  const bool again = next <= Clock::now();  // work left: straight back in line
  if (!again && next != Clock::time_point::max() && next < task.armed_) {
    const bool earliest = timers_.empty() || next < timers_.top().when;
    task.armed_ = next;
    timers_.push({next, &task});
    // A sleeping thread, or the reader, may need to wake earlier for it.
    if (earliest) {
      if (idle_workers_ > 0)
        cv_.notify_one();
      else
        for (auto* cv : sleeping_helpers_) cv->notify_one();
      if (polling_) polled_->interrupt();
    }
  }
  int s = Task::running;
  if (again || !task.state_.compare_exchange_strong(s, Task::idle)) {
    // Work left, or woken while it ran: another turn. This thread may be a
    // helper about to return, so another is told as well.
    task.state_.store(Task::queued);
    ready_.push_back(&task);
    signal_ready();
  }
}

}  // namespace watt::detail
