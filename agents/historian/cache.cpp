#include "cache.hpp"

#include <algorithm>

namespace watt::historian {
namespace {

// The timestamp and the number (8 bytes each) and SQLite's row header and
// rowid: an allowance, so a record of empty strings still weighs something.
constexpr std::int64_t fixed_bytes = 32;

// record_bytes, as SQLite computes it from a stored row; the two must agree
// so that what an append adds and a removal takes away balance exactly.
constexpr const char* row_bytes =
    "(32 + length(CAST(topic AS BLOB)) + coalesce(length(CAST(value_json AS BLOB)), 0)"
    " + coalesce(length(CAST(metadata AS BLOB)), 0))";

sqlite::Database& with_schema(sqlite::Database& db) {
  // A plain rowid key: a new record always gets a larger id than every one
  // still cached, so id order is arrival order.
  db.exec(
      "CREATE TABLE IF NOT EXISTS cache("
      " id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, topic TEXT NOT NULL,"
      " value_number REAL, value_json TEXT, metadata TEXT)");
  return db;
}

std::string sql(const std::string& before, const std::string& after = "") { return before + row_bytes + after; }

// How many records, taken in order from `first` towards `last`, make up at
// least `need`; all of them when even that is not enough.
template <typename It>
std::size_t records_covering(It first, It last, const Room& need) {
  Room taken;
  std::size_t n = 0;
  for (; first != last && !taken.covers(need); ++first, ++n) {
    ++taken.records;
    taken.bytes += record_bytes(*first);
  }
  return n;
}

}  // namespace

std::int64_t record_bytes(const Record& r) noexcept {
  return fixed_bytes + static_cast<std::int64_t>(r.topic.size() + (r.json ? r.json->size() : 0) +
                                                 (r.metadata ? r.metadata->size() : 0));
}

Cache::Cache(CacheOptions options)
    : options_(std::move(options)),
      in_(options_.file, {.create = true, .synchronous = options_.synchronous, .bulk = true}),
      // The forwarder's side only deletes what the back end has committed. A
      // delete lost to a power cut replays that batch, which the back end
      // skips, so this side need not wait for the disk: one fsync less per
      // forwarded batch. Acknowledging appends keep the configured level.
      out_(with_schema(in_).file(), {.create = false, .synchronous = "NORMAL", .bulk = true}),
      insert_(in_, "INSERT INTO cache(ts, topic, value_number, value_json, metadata) VALUES(?,?,?,?,?)"),
      scan_(in_, sql("SELECT id, ", " FROM cache WHERE id>? ORDER BY id")),
      drop_(in_, "DELETE FROM cache WHERE id>? AND id<=?"),
      select_(out_, "SELECT id, ts, topic, value_number, value_json, metadata FROM cache ORDER BY id LIMIT ?"),
      remove_(out_, sql("DELETE FROM cache WHERE id<=? RETURNING ")) {
  sqlite::Statement totals(in_, sql("SELECT count(*), coalesce(sum(", "), 0) FROM cache"));
  totals.step();
  count_ = totals.integer(0);
  bytes_ = totals.integer(1);
}

double Cache::fill() const noexcept {
  return std::max(static_cast<double>(count()) / static_cast<double>(options_.max_records),
                  static_cast<double>(bytes()) / static_cast<double>(options_.max_bytes));
}

AppendResult Cache::append(std::span<const Record> records) {
  AppendResult result;
  if (records.empty()) return result;
  Room incoming{static_cast<std::int64_t>(records.size()), 0};
  for (const auto& r : records) incoming.bytes += record_bytes(r);
  const Room over{count() + incoming.records - options_.max_records, bytes() + incoming.bytes - options_.max_bytes};
  // Held through the commit when old records are dropped, so the forwarder
  // cannot pick them up from a snapshot taken before the delete committed.
  std::unique_lock<std::mutex> handover(handover_, std::defer_lock);
  sqlite::Transaction tx(in_);
  Room dropped;
  std::span<const Record> kept = records;
  if (over.any()) {
    if (options_.policy == FullPolicy::drop_oldest) {
      handover.lock();
      dropped = make_room(over);
      // The batch in flight to the back end cannot be dropped; what still
      // does not fit goes from the oldest end of this batch.
      const Room still{over.records - dropped.records, over.bytes - dropped.bytes};
      kept = records.subspan(still.any() ? records_covering(records.begin(), records.end(), still) : 0);
    } else {
      kept = records.first(records.size() - records_covering(records.rbegin(), records.rend(), over));
    }
  }
  Room stored{static_cast<std::int64_t>(kept.size()), 0};
  for (const Record& r : kept) {
    insert_.bind(1, r.ts_ns).bind(2, std::string_view(r.topic)).bind(3, r.number).bind(4, r.json).bind(5, r.metadata);
    insert_.run();
    stored.bytes += record_bytes(r);
  }
  tx.commit();
  result.stored = stored.records;
  result.dropped = dropped.records + incoming.records - stored.records;
  count_.fetch_add(stored.records - dropped.records, std::memory_order_relaxed);
  bytes_.fetch_add(stored.bytes - dropped.bytes, std::memory_order_relaxed);
  return result;
}

Room Cache::make_room(const Room& wanted) {
  Room freed;
  std::int64_t through = 0;
  scan_.bind(1, in_flight_through_);
  while (!freed.covers(wanted) && scan_.step()) {
    through = scan_.integer(0);
    ++freed.records;
    freed.bytes += scan_.integer(1);
  }
  scan_.reset();
  if (through != 0) drop_.bind(1, in_flight_through_).bind(2, through).run();
  return freed;
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
  Room removed;
  {
    sqlite::Transaction tx(out_);
    remove_.bind(1, last_id);
    while (remove_.step()) {
      ++removed.records;
      removed.bytes += remove_.integer(0);
    }
    remove_.reset();
    tx.commit();
  }
  count_.fetch_sub(removed.records, std::memory_order_relaxed);
  bytes_.fetch_sub(removed.bytes, std::memory_order_relaxed);
}

}  // namespace watt::historian
