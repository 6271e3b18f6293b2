#include "forwarder.hpp"

#include <algorithm>
#include <chrono>
#include <watt/clock.hpp>

namespace watt::historian {
Forwarder::Forwarder(Cache& cache, Opener open, ForwarderOptions options, Notify notify)
    : cache_(cache),
      open_(std::move(open)),
      options_(options),
      notify_(std::move(notify)),
      retry_ns_(options.retry_min_ns),
      thread_([this] { run(); }) {}

Forwarder::~Forwarder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Forwarder::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

ForwarderState Forwarder::state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_;
}

void Forwarder::run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
    if (!backend_) {
      try {
        backend_ = open_();
      } catch (const std::exception& e) {
        failed(std::string("cannot open the back end: ") + e.what());
        wait_for(retry_ns_, false);
        retry_ns_ = std::min(retry_ns_ * 2, options_.retry_max_ns);
        continue;
      }
    }
    prune_if_due(now_ns());
    if (forward_one_batch()) continue;  // more may be waiting: no sleep between batches
    std::int64_t wait = 1'000'000'000;
    bool ok = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ok = state_.backend_ok;
    }
    if (!ok) {
      wait = retry_ns_;
      retry_ns_ = std::min(retry_ns_ * 2, options_.retry_max_ns);
    }
    // While failing, new records do not cut the backoff short.
    wait_for(wait, ok);
  }
}

bool Forwarder::forward_one_batch() {
  CachedBatch batch;
  try {
    batch = cache_.oldest(options_.batch_size);
  } catch (const std::exception& e) {
    failed(std::string("cannot read the cache: ") + e.what());
    return false;
  }
  if (batch.records.empty()) return false;
  try {
    backend_->store(batch.records);
  } catch (const std::exception& e) {
    failed(e.what());
    return false;
  }
  try {
    // A crash between the back end's commit and this delete replays the
    // batch on restart; the back end skips what it already has.
    cache_.remove_through(batch.last_id);
  } catch (const std::exception& e) {
    failed(std::string("cannot remove forwarded records from the cache: ") + e.what());
    return false;
  }
  bool recovered = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    recovered = !state_.backend_ok;
    state_.backend_ok = true;
    state_.forwarded += static_cast<std::int64_t>(batch.records.size());
  }
  retry_ns_ = options_.retry_min_ns;
  if (recovered) notify_("back end " + backend_->describe() + " is taking records");
  return true;
}

void Forwarder::prune_if_due(std::int64_t now) {
  if (options_.retention_ns <= 0 || now < next_prune_ns_) return;
  // Often enough that the oldest data outlives the limit by a few percent at
  // most, and at least hourly.
  next_prune_ns_ = now + std::clamp<std::int64_t>(options_.retention_ns / 24, 1'000'000'000, 3'600'000'000'000);
  try {
    const auto removed = backend_->prune(now - options_.retention_ns);
    if (removed > 0) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        state_.pruned += removed;
      }
      notify_("retention: removed " + std::to_string(removed) + " records older than the limit");
    }
  } catch (const std::exception& e) {
    failed(std::string("retention: ") + e.what());
  }
}

void Forwarder::failed(const std::string& what) {
  bool was_ok = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    was_ok = state_.backend_ok || state_.failures == 0;
    state_.backend_ok = false;
    state_.last_error = what;
    ++state_.failures;
  }
  // Once per outage, not once per retry.
  if (was_ok) notify_("back end failing, records wait in the cache: " + what);
}

void Forwarder::wait_for(std::int64_t ns, bool wake_on_new) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, std::chrono::nanoseconds(ns), [&] { return stop_ || (wake_on_new && woken_); });
  woken_ = false;
}

}  // namespace watt::historian
