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
  // The records' own bytes (record_bytes); the file holds about this much
  // plus SQLite's pages and its write-ahead log.
  std::int64_t max_bytes = 256LL << 20;
  FullPolicy policy = FullPolicy::drop_oldest;
  std::string synchronous = "FULL";
};

// What one record weighs against max_bytes: its text and a fixed allowance
// for the timestamp, the number and SQLite's row header.
std::int64_t record_bytes(const Record& r) noexcept;

// An amount of cache in both units the limits count.
struct Room {
  std::int64_t records = 0;
  std::int64_t bytes = 0;
  bool any() const noexcept { return records > 0 || bytes > 0; }
  bool covers(const Room& need) const noexcept { return records >= need.records && bytes >= need.bytes; }
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

  // Agent thread. One transaction; when the cache would exceed either limit
  // the policy decides what goes, and every record lost is counted in the
  // result. On an error (a full disk) nothing of the batch is stored and the
  // cache is as before.
  AppendResult append(std::span<const Record> records);

  // Forwarder thread. The oldest records, at most `limit`; they stay in the
  // cache (and are never dropped for room) until remove_through or the next
  // call to oldest().
  CachedBatch oldest(std::size_t limit);
  // Forwarder thread, after the back end committed the batch.
  void remove_through(std::int64_t last_id);

  std::int64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  std::int64_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }
  const CacheOptions& options() const noexcept { return options_; }
  // How full, by the nearer of the two limits: 1.0 is full.
  double fill() const noexcept;
  bool full() const noexcept { return fill() >= 1.0; }

private:
  Room make_room(const Room& wanted);

  CacheOptions options_;
  sqlite::Database in_;   // agent thread
  sqlite::Database out_;  // forwarder thread
  sqlite::Statement insert_;
  sqlite::Statement scan_;
  sqlite::Statement drop_;
  sqlite::Statement select_;
  sqlite::Statement remove_;
  // Guards the hand-over between the two sides: the forwarder's choice of a
  // batch and the agent's dropping of old records never interleave, so a
  // record is either forwarded or dropped, never both.
  std::mutex handover_;
  std::int64_t in_flight_through_ = 0;  // guarded by handover_
  std::atomic<std::int64_t> count_{0};
  std::atomic<std::int64_t> bytes_{0};
};

}  // namespace watt::historian
