// Historian: the agent thread's side of the cache on a disk that fills up.
// The records wait in memory (bounded, by the cache's policy) while the
// writer backs off, and all of them land once space returns.
#include "cache_writer.hpp"
#include "small_disk.hpp"

#include <doctest/doctest.h>

using namespace watt::historian;

namespace {

constexpr std::int64_t ms = 1'000'000;

void add(CacheWriter& writer, int first, int n) {
  for (int k = first; k < first + n; ++k) {
    Record r;
    r.topic = "devices/disk/v";
    r.ts_ns = k;
    r.json = std::string(200, 'v');
    writer.pending().push_back(r);
  }
}

CacheOptions on(const watt::test::SmallDisk& disk, FullPolicy policy = FullPolicy::drop_oldest) {
  return {.file = disk.file("cache.sqlite"), .policy = policy, .synchronous = "NORMAL"};
}

}  // namespace

TEST_CASE("a cache on a full disk: the writer names the disk, holds the records, backs off and recovers") {
  watt::test::SmallDisk disk(1 << 20);
  if (!disk.mounted()) {
    MESSAGE("skipped: " << disk.why_not());
    return;
  }
  Cache cache(on(disk));
  CacheWriter writer(cache,
                     {.batch_size = 100, .max_pending = 1000, .retry_min_ns = 100 * ms, .retry_max_ns = 400 * ms});
  add(writer, 0, 100);
  CHECK(writer.flush(0).appended.stored == 100);
  disk.fill();

  add(writer, 100, 500);  // far more than the pages SQLite may still have free
  auto out = writer.flush(1000 * ms);
  REQUIRE(out.failed);
  CHECK(writer.error().find(disk.file("cache.sqlite")) != std::string::npos);
  CHECK(writer.error().find("full") != std::string::npos);
  CHECK(writer.error().find("bytes free on the file system of " + disk.str()) != std::string::npos);
  CHECK(writer.error().find("next try in 100 ms") != std::string::npos);
  CHECK(writer.pending().size() == 500);
  CHECK(cache.count() == 100);  // the failed batch left nothing behind

  // Inside the backoff no attempt is made; after it, the next one doubles it.
  out = writer.flush(1050 * ms);
  CHECK_FALSE(out.failed);
  CHECK(writer.pending().size() == 500);
  REQUIRE(writer.flush(1100 * ms).failed);
  CHECK(writer.error().find("next try in 200 ms") != std::string::npos);

  disk.release();
  out = writer.flush(1300 * ms);
  CHECK(out.recovered);
  CHECK(out.appended.stored == 500);
  CHECK(writer.error().empty());
  CHECK(cache.count() == 600);
  const auto all = cache.oldest(1000).records;
  for (std::size_t k = 0; k < all.size(); ++k) REQUIRE(all[k].ts_ns == static_cast<std::int64_t>(k));
}

TEST_CASE("records held for an unwritable cache are bounded, the policy choosing which go") {
  watt::test::SmallDisk disk(1 << 20);
  if (!disk.mounted()) {
    MESSAGE("skipped: " << disk.why_not());
    return;
  }
  for (const auto policy : {FullPolicy::drop_oldest, FullPolicy::drop_newest}) {
    CAPTURE(static_cast<int>(policy));
    Cache cache(on(disk, policy));
    CacheWriter writer(cache,
                       {.batch_size = 100, .max_pending = 1000, .retry_min_ns = 100 * ms, .retry_max_ns = 100 * ms});
    disk.fill();
    add(writer, 0, 1000);
    REQUIRE(writer.flush(0).failed);
    CHECK(writer.flush(10 * ms).held == 0);  // at the bound, nothing goes yet
    add(writer, 1000, 1);
    CHECK(writer.flush(20 * ms).held == 101);  // one past it: a batch goes, not one record
    CHECK(writer.pending().size() == 900);
    const auto first = writer.pending().front().ts_ns;
    const auto last = writer.pending().back().ts_ns;
    CHECK(first == (policy == FullPolicy::drop_oldest ? 101 : 0));
    CHECK(last == (policy == FullPolicy::drop_oldest ? 1000 : 899));
    disk.release();
    CHECK(writer.flush(200 * ms).appended.stored == 900);
    std::filesystem::remove(disk.file("cache.sqlite"));
  }
}
