// Checks every historian back end must pass, run against SQLite (unit) and a
// real PostgreSQL server (integration). Each takes a freshly opened, empty back end.
#pragma once

#include "backend.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace watt::test {

inline historian::Record number_record(std::string topic, std::int64_t ts, double v) {
  historian::Record r;
  r.topic = std::move(topic);
  r.ts_ns = ts;
  r.number = v;
  return r;
}

// Values of every kind come back as stored; metadata is kept and updated.
inline void check_round_trip(historian::Backend& b) {
  using namespace historian;
  std::vector<Record> rs;
  rs.push_back(number_record("devices/b1/temp", 1'000, 21.5));
  Record i;
  i.topic = "devices/b1/count";
  i.ts_ns = 1'000;
  i.number = 7;
  i.json = "7";
  i.metadata = R"({"units":"n"})";
  rs.push_back(i);
  Record s;
  s.topic = "record/note";
  s.ts_ns = 2'000;
  s.json = R"("hello")";
  rs.push_back(s);
  b.store(rs);
  auto t = b.query({.topic = "devices/b1/temp"});
  REQUIRE(t.size() == 1);
  CHECK(t[0].ts_ns == 1'000);
  CHECK(*t[0].number == 21.5);
  CHECK_FALSE(t[0].json);
  auto c = b.query({.topic = "devices/b1/count"});
  REQUIRE(c.size() == 1);
  CHECK(*c[0].json == "7");
  auto n = b.query({.topic = "record/note"});
  REQUIRE(n.size() == 1);
  CHECK_FALSE(n[0].number);
  CHECK(*n[0].json == R"("hello")");
  CHECK(b.query({.topic = "no/such/topic"}).empty());

  auto topics = b.topics();
  REQUIRE(topics.size() == 3);
  CHECK(topics[0].name == "devices/b1/count");  // sorted by name
  CHECK(*topics[0].metadata == R"({"units":"n"})");
  CHECK_FALSE(topics[1].metadata);
  i.ts_ns = 3'000;
  i.metadata = R"({"units":"pieces"})";
  b.store(std::vector<Record>{i});
  CHECK(*b.topics()[0].metadata == R"({"units":"pieces"})");
  CHECK(*b.metadata("devices/b1/count") == R"({"units":"pieces"})");
  CHECK_FALSE(b.metadata("devices/b1/temp"));  // stored, without metadata
  CHECK_FALSE(b.metadata("no/such/topic"));
}

// A batch stored twice (a replay after a crash) adds nothing.
inline void check_no_duplicates(historian::Backend& b) {
  using namespace historian;
  std::vector<Record> rs;
  for (int k = 0; k < 100; ++k) rs.push_back(number_record("devices/x/v", k * 10, k));
  b.store(rs);
  b.store(rs);
  std::vector<Record> overlap(rs.begin() + 50, rs.end());
  overlap.push_back(number_record("devices/x/v", 5'000, 500));
  b.store(overlap);
  const auto all = b.query({.topic = "devices/x/v", .count = 1'000});
  REQUIRE(all.size() == 101);
  for (std::size_t k = 1; k < all.size(); ++k) CHECK(all[k - 1].ts_ns < all[k].ts_ns);
}

// Ranges are [start, end); order and count; every aggregate, with and
// without a period, against values computed here.
inline void check_queries(historian::Backend& b) {
  using namespace historian;
  constexpr std::int64_t minute = 60'000'000'000;
  std::vector<Record> rs;
  std::map<std::int64_t, std::vector<double>> buckets;  // 5-minute buckets
  for (int k = 0; k < 600; ++k) {                       // one value every 20 s for 200 minutes
    const std::int64_t ts = 1'700'000'000'000'000'000 + k * 20'000'000'000LL;
    const double v = std::sin(k * 0.1) * 100.0 + k;
    rs.push_back(number_record("devices/q/v", ts, v));
    buckets[ts / (5 * minute) * (5 * minute)].push_back(v);
  }
  b.store(rs);
  const std::int64_t t0 = rs.front().ts_ns;
  const auto first = b.query({.topic = "devices/q/v", .start_ns = t0 + 20'000'000'000, .end_ns = t0 + 100'000'000'000});
  REQUIRE(first.size() == 4);  // 20, 40, 60, 80 s: the end is excluded
  CHECK(first.front().ts_ns == t0 + 20'000'000'000);
  const auto last = b.query({.topic = "devices/q/v", .count = 3, .order = Order::last_to_first});
  REQUIRE(last.size() == 3);
  CHECK(last[0].ts_ns == rs.back().ts_ns);
  CHECK(last[2].ts_ns == rs[597].ts_ns);

  auto reduce = [](const std::vector<double>& vs, Aggregate a) {
    double out = a == Aggregate::min ? vs[0] : a == Aggregate::max ? vs[0] : 0;
    for (double v : vs) {
      if (a == Aggregate::min)
        out = std::min(out, v);
      else if (a == Aggregate::max)
        out = std::max(out, v);
      else
        out += v;
    }
    if (a == Aggregate::avg) out /= static_cast<double>(vs.size());
    if (a == Aggregate::count) out = static_cast<double>(vs.size());
    return out;
  };
  for (auto a : {Aggregate::avg, Aggregate::min, Aggregate::max, Aggregate::sum, Aggregate::count}) {
    CAPTURE(static_cast<int>(a));
    const auto got = b.query({.topic = "devices/q/v", .count = 10'000, .agg = a, .period_ns = 5 * minute});
    REQUIRE(got.size() == buckets.size());
    std::size_t k = 0;
    for (const auto& [start, vs] : buckets) {
      CHECK(got[k].ts_ns == start);
      CHECK(*got[k].number == doctest::Approx(reduce(vs, a)).epsilon(1e-9));
      ++k;
    }
    std::vector<double> all;
    for (const auto& r : rs) all.push_back(*r.number);
    const auto whole = b.query({.topic = "devices/q/v", .agg = a});
    REQUIRE(whole.size() == 1);
    CHECK(whole[0].ts_ns == t0);
    CHECK(*whole[0].number == doctest::Approx(reduce(all, a)).epsilon(1e-9));
  }
  const auto newest_buckets = b.query({.topic = "devices/q/v",
                                       .count = 2,
                                       .order = Order::last_to_first,
                                       .agg = Aggregate::count,
                                       .period_ns = 5 * minute});
  REQUIRE(newest_buckets.size() == 2);
  CHECK(newest_buckets[0].ts_ns == buckets.rbegin()->first);
  CHECK(b.query({.topic = "devices/q/v", .start_ns = 0, .end_ns = 10, .agg = Aggregate::avg}).empty());
}

// Retention removes exactly what is older than the cut, across many days.
inline void check_prune(historian::Backend& b) {
  using namespace historian;
  constexpr std::int64_t day = 86'400'000'000'000;
  const std::int64_t base = 1'700'000'000'000'000'000 / day * day;
  std::vector<Record> rs;
  for (int k = 0; k < 10 * 24; ++k) {  // hourly for ten days, two topics
    rs.push_back(number_record("devices/p/a", base + k * (day / 24), k));
    rs.push_back(number_record("devices/p/b", base + k * (day / 24), k));
  }
  b.store(rs);
  const std::int64_t cut = base + 3 * day + day / 2;  // in the middle of day 4
  CHECK(b.prune(cut) == 2 * (3 * 24 + 12));
  const auto left = b.query({.topic = "devices/p/a", .count = 1'000});
  REQUIRE(left.size() == 10 * 24 - (3 * 24 + 12));
  CHECK(left.front().ts_ns == cut);
  CHECK(b.prune(cut) == 0);
}

}  // namespace watt::test
