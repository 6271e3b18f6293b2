// The forwarder thread: moves the cache's oldest batch to the back end and
// removes it from the cache only after the back end committed it. When the
// back end fails it keeps the batch, backs off (doubling up to a maximum)
// and tries again; the cache meanwhile absorbs what arrives. It also prunes
// the back end to the retention limit.
#pragma once

#include "backend.hpp"
#include "cache.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace watt::historian {

struct ForwarderOptions {
  std::size_t batch_size = 5000;
  std::int64_t retry_min_ns = 500'000'000;
  std::int64_t retry_max_ns = 30'000'000'000;
  std::int64_t retention_ns = 0;  // 0 = never prune
};

struct ForwarderState {
  bool backend_ok = false;     // the last attempt to reach the back end worked
  std::string last_error;      // of the last failure, kept after recovery
  std::int64_t forwarded = 0;  // records committed to the back end by this run
  std::int64_t pruned = 0;     // records removed by retention
  std::int64_t failures = 0;   // failed attempts
};

class Forwarder {
public:
  using Opener = std::function<std::unique_ptr<Backend>()>;
  // Called on the forwarder thread whenever the back end goes from working to
  // failing or back (message says which, and why), and after each prune.
  using Notify = std::function<void(const std::string& message)>;

  Forwarder(Cache& cache, Opener open, ForwarderOptions options, Notify notify);
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;
  ~Forwarder();  // stops the thread

  // Something new is in the cache; any thread.
  void wake();
  ForwarderState state() const;

private:
  void run();
  bool forward_one_batch();  // false when the cache was empty or the back end failed
  void prune_if_due(std::int64_t now_ns);
  void failed(const std::string& what);
  void wait_for(std::int64_t ns, bool wake_on_new);

  Cache& cache_;
  Opener open_;
  ForwarderOptions options_;
  Notify notify_;
  std::unique_ptr<Backend> backend_;  // forwarder thread only
  std::int64_t retry_ns_;
  std::int64_t next_prune_ns_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  ForwarderState state_;
  std::thread thread_;
};

}  // namespace watt::historian
