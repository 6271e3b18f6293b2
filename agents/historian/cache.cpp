#include "cache.hpp"

#include <algorithm>

namespace watt::historian {
namespace {

sqlite::Database& with_schema(sqlite::Database& db) {
  // A plain rowid key: a new record always gets a larger id than every one
  // still cached, so id order is arrival order.
  db.exec(
      "CREATE TABLE IF NOT EXISTS cache("
      " id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, topic TEXT NOT NULL,"
      " value_number REAL, value_json TEXT, metadata TEXT)");
  return db;
}

}  // namespace

Cache::Cache(CacheOptions options)
    : options_(std::move(options)),
      in_(options_.file, {.create = true, .synchronous = options_.synchronous, .bulk = true}),
      // The forwarder's side only deletes what the back end has committed. A
      // delete lost to a power cut replays that batch, which the back end
      // skips, so this side need not wait for the disk: one fsync less per
      // forwarded batch. Acknowledging appends keep the configured level.
      out_(with_schema(in_).file(), {.create = false, .synchronous = "NORMAL", .bulk = true}),
      insert_(in_, "INSERT INTO cache(ts, topic, value_number, value_json, metadata) VALUES(?,?,?,?,?)"),
      drop_(in_, "DELETE FROM cache WHERE id IN (SELECT id FROM cache WHERE id>? ORDER BY id LIMIT ?)"),
      select_(out_, "SELECT id, ts, topic, value_number, value_json, metadata FROM cache ORDER BY id LIMIT ?"),
      remove_(out_, "DELETE FROM cache WHERE id<=?") {
  sqlite::Statement count(in_, "SELECT count(*) FROM cache");
  count.step();
  count_ = count.integer(0);
}

AppendResult Cache::append(std::span<const Record> records) {
  AppendResult result;
  if (records.empty()) return result;
  const auto n = static_cast<std::int64_t>(records.size());
  const std::int64_t over = count() + n - options_.max_records;
  std::size_t skip = 0;  // records of this batch that do not go in
  // Held through the commit when old records are dropped, so the forwarder
  // cannot pick them up from a snapshot taken before the delete committed.
  std::unique_lock<std::mutex> handover(handover_, std::defer_lock);
  sqlite::Transaction tx(in_);
  std::int64_t dropped_cached = 0;
  if (over > 0) {
    if (options_.policy == FullPolicy::drop_oldest) {
      handover.lock();
      dropped_cached = make_room(over);
      // The batch in flight to the back end cannot be dropped; what still
      // does not fit goes from the oldest end of this batch.
      skip = static_cast<std::size_t>(std::min(n, over - dropped_cached));
    } else {
      skip = static_cast<std::size_t>(std::min(n, over));
    }
  }
  const std::size_t first = options_.policy == FullPolicy::drop_oldest ? skip : 0;
  const std::size_t last = options_.policy == FullPolicy::drop_oldest ? records.size() : records.size() - skip;
  for (std::size_t i = first; i < last; ++i) {
    const Record& r = records[i];
    insert_.bind(1, r.ts_ns).bind(2, std::string_view(r.topic)).bind(3, r.number).bind(4, r.json).bind(5, r.metadata);
    insert_.run();
  }
  tx.commit();
  result.stored = static_cast<std::int64_t>(last - first);
  result.dropped = dropped_cached + static_cast<std::int64_t>(skip);
  count_.fetch_add(result.stored - dropped_cached, std::memory_order_relaxed);
  return result;
}

std::int64_t Cache::make_room(std::int64_t wanted) {
  drop_.bind(1, in_flight_through_).bind(2, wanted).run();
  return in_.changes();
}

CachedBatch Cache::oldest(std::size_t limit) {
  CachedBatch batch;
  std::lock_guard<std::mutex> lock(handover_);
  select_.bind(1, static_cast<std::int64_t>(limit));
  while (select_.step()) {
    Record r;
    batch.last_id = select_.integer(0);
    r.ts_ns = select_.integer(1);
    r.topic = select_.text(2);
    r.number = select_.optional_real(3);
    r.json = select_.optional_text(4);
    r.metadata = select_.optional_text(5);
    batch.records.push_back(std::move(r));
  }
  select_.reset();
  in_flight_through_ = batch.last_id;
  return batch;
}

void Cache::remove_through(std::int64_t last_id) {
  std::int64_t removed = 0;
  {
    sqlite::Transaction tx(out_);
    remove_.bind(1, last_id).run();
    removed = out_.changes();
    tx.commit();
  }
  count_.fetch_sub(removed, std::memory_order_relaxed);
}

}  // namespace watt::historian
