// Historian: the forwarder thread moving the cache to a real SQLite back end —
// recovery after a back end that could not open, retention.
#include "cache.hpp"
#include "forwarder.hpp"
#include "sqlite_backend.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <watt/clock.hpp>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

using namespace watt::historian;

namespace {

bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

struct Notes {
  std::mutex m;
  std::vector<std::string> lines;
  Forwarder::Notify sink() {
    return [this](const std::string& s) {
      std::lock_guard<std::mutex> lock(m);
      lines.push_back(s);
    };
  }
  bool saw(const std::string& part) {
    std::lock_guard<std::mutex> lock(m);
    for (const auto& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
};

Record record(std::int64_t ts, const std::string& topic, double v) {
  Record r;
  r.ts_ns = ts;
  r.topic = topic;
  r.number = v;
  return r;
}

}  // namespace

TEST_CASE("forwarder keeps records cached while the back end cannot open, and delivers them all once it can") {
  watt::test::TempDir dir;
  Cache cache({.file = dir.str() + "/cache.sqlite", .synchronous = "NORMAL"});
  const std::string db = dir.str() + "/later/history.sqlite";  // its directory does not exist yet
  Notes notes;
  Forwarder f(
      cache, [&] { return open_sqlite_backend({.file = db, .synchronous = "NORMAL"}); },
      {.batch_size = 100, .retry_min_ns = 10'000'000, .retry_max_ns = 40'000'000}, notes.sink());
  std::vector<Record> rs;
  for (int k = 0; k < 250; ++k) rs.push_back(record(k, "devices/f/v", k));
  cache.append(rs);
  f.wake();
  REQUIRE(eventually([&] { return f.state().failures >= 3; }));
  CHECK_FALSE(f.state().backend_ok);
  CHECK(f.state().last_error.find("later/history.sqlite") != std::string::npos);
  CHECK(cache.count() == 250);
  CHECK(notes.saw("back end failing"));

  std::filesystem::create_directories(dir.path() / "later");
  REQUIRE(eventually([&] { return cache.count() == 0 && f.state().forwarded == 250; }));
  CHECK(f.state().backend_ok);
  CHECK(eventually([&] { return notes.saw("is taking records"); }));
  auto reader = open_sqlite_backend({.file = db});
  const auto stored = reader->query({.topic = "devices/f/v", .count = 1000});
  REQUIRE(stored.size() == 250);
  for (std::size_t k = 0; k < stored.size(); ++k) CHECK(stored[k].ts_ns == static_cast<std::int64_t>(k));
}

TEST_CASE("forwarder prunes what is older than the retention limit, and counts it") {
  watt::test::TempDir dir;
  Cache cache({.file = dir.str() + "/cache.sqlite", .synchronous = "NORMAL"});
  const std::string db = dir.str() + "/history.sqlite";
  constexpr std::int64_t hour = 3'600'000'000'000;
  const std::int64_t now = watt::now_ns();
  std::vector<Record> rs;
  for (int k = 0; k < 48; ++k) rs.push_back(record(now - k * hour - hour / 2, "devices/r/v", k));
  open_sqlite_backend({.file = db})->store(rs);  // two days stored by an earlier run
  Notes notes;
  Forwarder f(
      cache, [&] { return open_sqlite_backend({.file = db, .synchronous = "NORMAL"}); },
      {.batch_size = 1000, .retention_ns = 24 * hour}, notes.sink());
  REQUIRE(eventually([&] { return f.state().pruned == 24; }));
  CHECK(eventually([&] { return notes.saw("retention: removed 24 records"); }));  // told just after counting
  auto reader = open_sqlite_backend({.file = db});
  CHECK(reader->query({.topic = "devices/r/v", .count = 1000}).size() == 24);
}
