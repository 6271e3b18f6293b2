// The agent thread's side of the cache: the records decoded but not yet
// committed, and what happens when the cache cannot take them. A full disk
// (or any write error) does not stop the agent: the records wait in memory,
// up to a bound, while the writer backs off (doubling, like the forwarder)
// and tries again; it recovers by itself on the first commit that works.
#pragma once

#include "cache.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace watt::historian {

struct WriterOptions {
  std::size_t batch_size = 5000;  // pending records that make a commit due
  // Records held in memory while the cache cannot be written; past it the
  // cache's full policy decides which go, a batch at a time.
  std::size_t max_pending = 50'000;
  std::int64_t retry_min_ns = 500'000'000;
  std::int64_t retry_max_ns = 30'000'000'000;
};

struct FlushOutcome {
  AppendResult appended;   // what the cache took and dropped by its policy
  std::int64_t held = 0;   // records lost from memory, the cache unwritable and the hold full
  bool failed = false;     // this attempt failed: error() says why
  bool recovered = false;  // the first commit that worked after a failure
};

class CacheWriter {
public:
  CacheWriter(Cache& cache, WriterOptions options);

  // Decoded records go here; flush() commits them.
  std::vector<Record>& pending() noexcept { return pending_; }
  bool due() const noexcept { return pending_.size() >= options_.batch_size; }

  // Commits what is pending, unless a failure's backoff has not run out.
  FlushOutcome flush(std::int64_t now_ns);

  // Empty while the cache takes records; otherwise the last failure, naming
  // the file, the free space where it lives, and when the next try is.
  const std::string& error() const noexcept { return error_; }

private:
  std::int64_t trim();
  void failed(const std::exception& e, std::int64_t now_ns);

  Cache& cache_;
  WriterOptions options_;
  std::vector<Record> pending_;
  std::string error_;
  std::int64_t retry_ns_;
  std::int64_t retry_at_ns_ = 0;
};

// "N bytes free on the file system of DIR": for error messages and status.
std::string free_space_note(const std::string& file);
std::int64_t free_bytes(const std::string& file);

}  // namespace watt::historian
