// The store-and-forward backup cache: a local SQLite file every record lands
// in first. The agent thread appends (and a record counts as acknowledged
// once that commit returns); the forwarder thread takes the oldest batch,
// hands it to the back end and removes it only after the back end committed.
// Each side has its own connection; WAL lets them work at the same time.
#pragma once

#include <watt/sqlite/database.hpp>
#include "record.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace watt::historian {

enum class FullPolicy {
  drop_oldest,  // make room by deleting the oldest cached records
  drop_newest,  // refuse what does not fit
};

struct CacheOptions {
  std::string file;
  std::int64_t max_records = 1'000'000;
  FullPolicy policy = FullPolicy::drop_oldest;
  std::string synchronous = "FULL";
};

struct AppendResult {
  std::int64_t stored = 0;   // records of this batch now in the cache
  std::int64_t dropped = 0;  // records lost to make room (by the policy), exactly
};

struct CachedBatch {
  std::vector<Record> records;  // oldest first, in the order they arrived
  std::int64_t last_id = 0;     // remove_through(last_id) once forwarded
};

class Cache {
public:
  // Opens or creates the file; what a previous run left in it is forwarded
  // like anything else. Throws sqlite::Error when the file cannot be used.
  explicit Cache(CacheOptions options);
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // Agent thread. One transaction; when the cache would exceed its limit the
  // policy decides what goes, and every record lost is counted in the result.
  AppendResult append(std::span<const Record> records);

  // Forwarder thread. The oldest records, at most `limit`; they stay in the
  // cache (and are never dropped for room) until remove_through or the next
  // call to oldest().
  CachedBatch oldest(std::size_t limit);
  // Forwarder thread, after the back end committed the batch.
  void remove_through(std::int64_t last_id);

  std::int64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  std::int64_t max_records() const noexcept { return options_.max_records; }
  bool full() const noexcept { return count() >= options_.max_records; }

private:
  std::int64_t make_room(std::int64_t wanted);

  CacheOptions options_;
  sqlite::Database in_;   // agent thread
  sqlite::Database out_;  // forwarder thread
  sqlite::Statement insert_;
  sqlite::Statement drop_;
  sqlite::Statement select_;
  sqlite::Statement remove_;
  // Guards the hand-over between the two sides: the forwarder's choice of a
  // batch and the agent's dropping of old records never interleave, so a
  // record is either forwarded or dropped, never both.
  std::mutex handover_;
  std::int64_t in_flight_through_ = 0;  // guarded by handover_
  std::atomic<std::int64_t> count_{0};
};

}  // namespace watt::historian
