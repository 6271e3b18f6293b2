// Historian: the store-and-forward cache — arrival order, hand-over to the
// forwarder, and exact counts when it is full.
#include "cache.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace watt::historian;

namespace {

std::vector<Record> records(int first, int n) {
  std::vector<Record> out;
  for (int k = first; k < first + n; ++k) {
    Record r;
    r.topic = "devices/c/v";
    r.ts_ns = k;
    r.number = k;
    out.push_back(r);
  }
  return out;
}

CacheOptions options(const watt::test::TempDir& dir, std::int64_t max, FullPolicy policy = FullPolicy::drop_oldest) {
  return {.file = dir.str() + "/cache.sqlite", .max_records = max, .policy = policy, .synchronous = "NORMAL"};
}

}  // namespace

TEST_CASE("cache hands out the oldest records in arrival order and forgets them only when told") {
  watt::test::TempDir dir;
  Cache cache(options(dir, 1000));
  CHECK(cache.append(records(0, 10)).stored == 10);
  CHECK(cache.append(records(10, 5)).stored == 5);
  CHECK(cache.count() == 15);
  auto batch = cache.oldest(4);
  REQUIRE(batch.records.size() == 4);
  CHECK(batch.records[0].ts_ns == 0);
  CHECK(batch.records[3].ts_ns == 3);
  CHECK(*batch.records[3].number == 3.0);
  CHECK(cache.oldest(4).records[0].ts_ns == 0);  // not removed yet: a failed store retries the same batch
  cache.remove_through(batch.last_id);
  CHECK(cache.count() == 11);
  CHECK(cache.oldest(100).records.front().ts_ns == 4);
}

TEST_CASE("cache keeps its records across a reopen, with the count") {
  watt::test::TempDir dir;
  {
    Cache cache(options(dir, 1000));
    cache.append(records(0, 7));
  }
  Cache again(options(dir, 1000));
  CHECK(again.count() == 7);
  CHECK(again.oldest(10).records.size() == 7);
}

TEST_CASE("a full cache with drop_oldest drops exactly the oldest, never the batch in flight") {
  watt::test::TempDir dir;
  Cache cache(options(dir, 100));
  CHECK(cache.append(records(0, 100)).dropped == 0);
  CHECK(cache.full());
  const auto in_flight = cache.oldest(10);  // 0..9 are on their way to the back end
  const auto r = cache.append(records(100, 25));
  CHECK(r.stored == 25);
  CHECK(r.dropped == 25);
  CHECK(cache.count() == 100);
  const auto all = cache.oldest(1000).records;
  REQUIRE(all.size() == 100);
  for (int k = 0; k < 10; ++k) CHECK(all[static_cast<std::size_t>(k)].ts_ns == k);  // in flight: kept
  CHECK(all[10].ts_ns == 35);                                                       // 10..34 dropped
  CHECK(all.back().ts_ns == 124);
  (void)in_flight;
}

TEST_CASE("drop_oldest with more new records than room drops the oldest of the new ones too") {
  watt::test::TempDir dir;
  Cache cache(options(dir, 10));
  cache.append(records(0, 10));
  (void)cache.oldest(4);  // 0..3 in flight
  const auto r = cache.append(records(10, 20));
  CHECK(r.dropped == 6 + 14);  // 4..9 from the cache, 10..23 of the batch
  CHECK(r.stored == 6);
  CHECK(cache.count() == 10);
  const auto all = cache.oldest(100).records;
  CHECK(all[4].ts_ns == 24);
}

TEST_CASE("a full cache with drop_newest refuses what does not fit, counted") {
  watt::test::TempDir dir;
  Cache cache(options(dir, 10, FullPolicy::drop_newest));
  CHECK(cache.append(records(0, 8)).dropped == 0);
  const auto r = cache.append(records(8, 5));
  CHECK(r.stored == 2);
  CHECK(r.dropped == 3);
  const auto all = cache.oldest(100).records;
  REQUIRE(all.size() == 10);
  CHECK(all.back().ts_ns == 9);
}

TEST_CASE("a record weighs its text and a fixed allowance, and the cache's bytes balance to zero") {
  Record r;
  r.topic = "devices/c/v";
  CHECK(record_bytes(r) == 32 + 11);
  r.json = R"("é")";  // 4 bytes, 3 characters
  r.metadata = "{}";
  CHECK(record_bytes(r) == 32 + 11 + 4 + 2);
  watt::test::TempDir dir;
  Cache cache(options(dir, 1000));
  cache.append(std::vector<Record>{r, r});
  cache.append(records(0, 3));
  CHECK(cache.bytes() == 2 * (32 + 11 + 4 + 2) + 3 * 43);
  cache.remove_through(cache.oldest(2).last_id);
  CHECK(cache.bytes() == 3 * 43);
  cache.remove_through(cache.oldest(10).last_id);
  CHECK(cache.bytes() == 0);
  CHECK(cache.count() == 0);
}

TEST_CASE("the byte limit drops the oldest like the record limit, and the count survives a reopen") {
  watt::test::TempDir dir;
  auto o = options(dir, 1000);
  o.max_bytes = 43 * 10;  // ten records of 43 bytes
  {
    Cache cache(o);
    CHECK(cache.append(records(0, 10)).dropped == 0);
    CHECK(cache.full());
    const auto r = cache.append(records(10, 4));
    CHECK(r.stored == 4);
    CHECK(r.dropped == 4);
    CHECK(cache.bytes() == 430);
    CHECK(cache.oldest(100).records.front().ts_ns == 4);
  }
  Cache again(o);
  CHECK(again.bytes() == 430);
  CHECK(again.count() == 10);
  CHECK(again.fill() == doctest::Approx(1.0));
}

TEST_CASE("the byte limit with drop_newest refuses the newest, and one big record makes room for itself") {
  watt::test::TempDir dir;
  auto o = options(dir, 1000, FullPolicy::drop_newest);
  o.max_bytes = 43 * 10;
  Cache cache(o);
  CHECK(cache.append(records(0, 8)).stored == 8);
  const auto r = cache.append(records(8, 5));
  CHECK(r.stored == 2);
  CHECK(r.dropped == 3);
  CHECK(cache.oldest(100).records.back().ts_ns == 9);

  auto big = options(dir, 1000);
  big.file = dir.file("big.sqlite");
  big.max_bytes = 43 * 10;
  Cache oldest_first(big);
  oldest_first.append(records(0, 10));
  Record wide = records(99, 1)[0];
  wide.json = std::string(43 * 3 - 43, 'x');  // weighs three small ones
  const auto w = oldest_first.append(std::vector<Record>{wide});
  CHECK(w.stored == 1);
  CHECK(w.dropped == 3);
  CHECK(oldest_first.count() == 8);
  CHECK(oldest_first.bytes() == 430);
}
