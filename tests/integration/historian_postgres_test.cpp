// The historian's PostgreSQL back end against a real server in a temporary
// directory: round trips, duplicates, queries and aggregates checked against
// values computed here, partition pruning, and an outage.
#include "backend_checks.hpp"
#include "postgres.hpp"

#include <postgres_backend.hpp>

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>

using namespace std::chrono_literals;
using watt::historian::Aggregate;
using watt::historian::BackendError;
using watt::historian::Order;
using watt::historian::Query;
using watt::historian::Record;
using watt::historian::Sample;
using watt::test::PostgresServer;

namespace {

constexpr auto max64 = std::numeric_limits<std::int64_t>::max();
constexpr auto min64 = std::numeric_limits<std::int64_t>::min();

std::unique_ptr<watt::historian::Backend> open(const PostgresServer& pg,
                                               std::int64_t partition_ns = 86'400'000'000'000) {
  return watt::historian::open_postgres_backend({pg.connection(), partition_ns});
}

Record rec(std::int64_t ts, std::string topic, std::optional<double> number, std::optional<std::string> json = {},
           std::optional<std::string> metadata = {}) {
  return Record{ts, std::move(topic), number, std::move(json), std::move(metadata)};
}

std::vector<Sample> all(watt::historian::Backend& b, const std::string& topic, Order order = Order::first_to_last) {
  Query q;
  q.topic = topic;
  q.count = 1'000'000;
  q.order = order;
  return b.query(q);
}

std::int64_t count_rows(const PostgresServer& pg, const std::string& sql) {
  pqxx::connection c(pg.connection());
  pqxx::read_transaction w(c);
  return w.exec1(sql)[0].as<std::int64_t>();
}

}  // namespace

// The checks every back end passes (the SQLite one in the unit tests).
TEST_CASE("postgres back end: the shared back end checks - round trip and metadata") {
  PostgresServer pg;
  watt::test::check_round_trip(*open(pg));
}

TEST_CASE("postgres back end: the shared back end checks - no duplicates") {
  PostgresServer pg;
  watt::test::check_no_duplicates(*open(pg));
}

TEST_CASE("postgres back end: the shared back end checks - queries and aggregates") {
  PostgresServer pg;
  watt::test::check_queries(*open(pg));
}

TEST_CASE("postgres back end: the shared back end checks - prune across daily partitions") {
  PostgresServer pg;
  watt::test::check_prune(*open(pg));
}

TEST_CASE("postgres back end: floats, ints, booleans, strings and JSON objects come back exactly as stored") {
  PostgresServer pg;
  auto b = open(pg, 1000);
  CHECK(b->describe().find("postgresql") != std::string::npos);
  CHECK(b->describe().find("port=" + std::to_string(pg.port())) != std::string::npos);
  CHECK(b->describe().find(pg.password()) == std::string::npos);

  // As record.hpp says: a float only as `number`; an int or a boolean as
  // both; a string or an object only as `json`.
  const std::vector<Record> in = {
      rec(-5, "v", 0.1 + 0.2),  // before the epoch: a partition below zero
      rec(1, "v", 1e-300),
      rec(2, "v", -123456.789),
      rec(3, "v", 9007199254740992.0, "9007199254740993"),  // an int a double cannot hold
      rec(4, "v", 1.0, "true"),
      rec(5, "v", 0.0, "false"),
      rec(6, "v", std::nullopt, R"("on")"),
      rec(7, "v", std::nullopt, R"("quotes \" and \\ and , { } NULL")"),
      rec(8, "v", std::nullopt, "\"NULL\""),
      rec(9, "v", std::nullopt, R"({"a":[1,2,{"b":null}],"unit":"°C"})"),
      rec(10, "v", std::nullopt, "\"\""),
      rec(max64 - 1, "v", 42.0, "42"),  // the last partition is open-ended
  };
  b->store(in);
  const auto out = all(*b, "v");
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    INFO("record " << i);
    CHECK(out[i].ts_ns == in[i].ts_ns);
    CHECK(out[i].number == in[i].number);  // exact: no decimal rounding on the way
    CHECK(out[i].json == in[i].json);
  }
  CHECK(all(*b, "nothing-here").empty());

  // A second back end on the same database (cold caches) reads the same.
  const auto again = all(*open(pg, 1000), "v");
  REQUIRE(again.size() == in.size());
  CHECK(again.back().json == "42");
}

TEST_CASE("postgres back end: metadata is kept, updated when it changes, and topics are sorted by name") {
  PostgresServer pg;
  auto b = open(pg);
  b->store(std::vector<Record>{rec(1, "b", 1.0, {}, R"({"units":"C"})"), rec(1, "a/x", 2.0), rec(1, "B", 3.0)});
  auto t = b->topics();
  REQUIRE(t.size() == 3);
  // Byte order, whatever the database's collation.
  CHECK(t[0].name == "B");
  CHECK(t[1].name == "a/x");
  CHECK(t[2].name == "b");
  CHECK(t[0].metadata == std::nullopt);
  CHECK(t[2].metadata == R"({"units":"C"})");

  // A record without metadata keeps what is stored.
  b->store(std::vector<Record>{rec(2, "b", 1.5)});
  CHECK(b->topics()[2].metadata == R"({"units":"C"})");
  // The latest in a batch wins.
  b->store(std::vector<Record>{rec(3, "b", 1.0, {}, R"({"units":"F"})"), rec(4, "b", 1.0, {}, R"({"units":"K"})")});
  CHECK(b->topics()[2].metadata == R"({"units":"K"})");
  // A topic first seen without metadata gets it later.
  b->store(std::vector<Record>{rec(5, "B", 1.0, {}, R"({"type":"float"})")});
  CHECK(b->topics()[0].metadata == R"({"type":"float"})");

  // Another writer, with caches of its own, changes it; both see the change.
  auto other = open(pg);
  other->store(std::vector<Record>{rec(6, "b", 1.0, {}, R"({"units":"C"})")});
  CHECK(b->topics()[2].metadata == R"({"units":"C"})");
  CHECK(other->topics()[2].metadata == R"({"units":"C"})");
  CHECK(count_rows(pg, "select count(*) from topics") == 3);
}

TEST_CASE("postgres back end: a batch stored twice is stored once") {
  PostgresServer pg;
  auto b = open(pg, 1000);
  std::vector<Record> batch;
  for (int i = 0; i < 3000; ++i) batch.push_back(rec(i * 3, i % 2 == 0 ? "even" : "odd", i));
  b->store(batch);
  b->store(batch);  // a replay after a crash
  batch.push_back(rec(100000, "even", -1.0));
  batch.push_back(rec(100000, "even", -2.0));  // the same key twice in one batch: the first wins
  open(pg, 1000)->store(batch);                // and from a writer with cold caches
  CHECK(count_rows(pg, "select count(*) from data") == 3001);
  const auto even = all(*b, "even");
  REQUIRE(even.size() == 1501);
  CHECK(even.back().ts_ns == 100000);
  CHECK(even.back().number == -1.0);
  CHECK(all(*b, "odd").size() == 1500);
}

TEST_CASE("postgres back end: order, time range and count") {
  PostgresServer pg;
  auto b = open(pg, 50);
  std::vector<Record> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(rec(1000 + i * 10, "t", i));
  b->store(batch);

  Query q;
  q.topic = "t";
  q.start_ns = 1100;  // inclusive
  q.end_ns = 1300;    // exclusive
  auto r = b->query(q);
  REQUIRE(r.size() == 20);
  CHECK(r.front().ts_ns == 1100);
  CHECK(r.back().ts_ns == 1290);

  q.order = Order::last_to_first;
  r = b->query(q);
  REQUIRE(r.size() == 20);
  CHECK(r.front().ts_ns == 1290);
  CHECK(r.back().ts_ns == 1100);

  q.count = 3;  // the newest three, newest first
  r = b->query(q);
  REQUIRE(r.size() == 3);
  CHECK(r[0].number == 29.0);
  CHECK(r[2].number == 27.0);

  q.order = Order::first_to_last;  // the oldest three
  r = b->query(q);
  REQUIRE(r.size() == 3);
  CHECK(r[0].number == 10.0);
  CHECK(r[2].number == 12.0);

  q.count = 0;
  CHECK(b->query(q).empty());
  q.count = 10;
  q.start_ns = q.end_ns = 1100;
  CHECK(b->query(q).empty());
}

namespace {

struct Bucket {
  std::int64_t first = max64;
  std::vector<double> numbers;
  std::int64_t count = 0;
};

std::optional<double> expected(Aggregate agg, const Bucket& b) {
  if (agg == Aggregate::count) return static_cast<double>(b.count);
  if (b.numbers.empty()) return std::nullopt;
  double sum = 0, lo = b.numbers[0], hi = b.numbers[0];
  for (const double v : b.numbers) {
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  switch (agg) {
    case Aggregate::avg: return sum / static_cast<double>(b.numbers.size());
    case Aggregate::min: return lo;
    case Aggregate::max: return hi;
    default: return sum;
  }
}

// The records of [start, end) in buckets of `period` (keyed by their start)
// and in one bucket for the whole range.
void fill_buckets(const std::vector<Record>& batch, std::int64_t start, std::int64_t end, std::int64_t period,
                  std::map<std::int64_t, Bucket>& buckets, Bucket& whole) {
  for (const auto& r : batch) {
    if (r.ts_ns < start || r.ts_ns >= end) continue;
    for (Bucket* bk : {&buckets[r.ts_ns / period * period], &whole}) {
      bk->first = std::min(bk->first, r.ts_ns);
      if (r.number) bk->numbers.push_back(*r.number);
      ++bk->count;
    }
  }
}

}  // namespace

TEST_CASE("postgres back end: every aggregate, with and without a period, matches values computed here") {
  PostgresServer pg;
  auto b = open(pg, 300);
  std::vector<Record> batch;
  for (int i = 0; i < 200; ++i) {
    const std::int64_t ts = 1000 + i * 7;
    if (i % 5 == 0)
      batch.push_back(rec(ts, "agg", std::nullopt, R"("text")"));  // counted, never summed
    else
      batch.push_back(
          rec(ts, "agg", i * 1.25 - 40.0, i % 2 == 0 ? std::optional<std::string>(std::to_string(i)) : std::nullopt));
  }
  for (int i = 0; i < 5; ++i) batch.push_back(rec(5000 + i, "agg", std::nullopt, R"("only text here")"));
  b->store(batch);

  const std::int64_t start = 1101, end = 2250, period = 50;
  for (const auto agg : {Aggregate::avg, Aggregate::min, Aggregate::max, Aggregate::sum, Aggregate::count}) {
    std::map<std::int64_t, Bucket> buckets;
    Bucket whole;
    fill_buckets(batch, start, end, period, buckets, whole);
    INFO("aggregate " << static_cast<int>(agg));
    Query q;
    q.topic = "agg";
    q.start_ns = start;
    q.end_ns = end;
    q.agg = agg;

    // No period: one bucket, stamped with the first sample in the range.
    auto one = b->query(q);
    REQUIRE(one.size() == 1);
    CHECK(one[0].ts_ns == whole.first);
    CHECK(one[0].json == std::nullopt);
    REQUIRE(one[0].number.has_value());
    CHECK(*one[0].number == doctest::Approx(*expected(agg, whole)));

    q.period_ns = period;
    auto got = b->query(q);
    REQUIRE(got.size() == buckets.size());
    auto it = buckets.begin();
    for (const auto& s : got) {
      CHECK(s.ts_ns == it->first);
      const auto want = expected(agg, it->second);
      REQUIRE(s.number.has_value() == want.has_value());
      if (want) CHECK(*s.number == doctest::Approx(*want));
      ++it;
    }

    // Newest buckets first, at most `count` of them.
    q.order = Order::last_to_first;
    q.count = 3;
    got = b->query(q);
    REQUIRE(got.size() == 3);
    CHECK(got[0].ts_ns == std::prev(buckets.end())->first);
    CHECK(got[2].ts_ns == std::prev(buckets.end(), 3)->first);

    // A bucket of text only: null, except for count.
    q.start_ns = 5000;
    q.end_ns = 6000;
    for (const auto p : {std::int64_t{0}, period}) {
      q.period_ns = p;
      got = b->query(q);
      REQUIRE(got.size() == 1);
      CHECK(got[0].ts_ns == 5000);
      if (agg == Aggregate::count)
        CHECK(got[0].number == 5.0);
      else
        CHECK(got[0].number == std::nullopt);
    }

    // An empty range has no bucket at all, with a period or without.
    q.start_ns = 3000;
    q.end_ns = 4000;
    q.period_ns = 0;
    CHECK(b->query(q).empty());
    q.period_ns = period;
    CHECK(b->query(q).empty());
  }
}

TEST_CASE("postgres back end: prune drops whole partitions, deletes the older rest and says how many went") {
  PostgresServer pg;
  auto b = open(pg, 1000);
  std::vector<Record> batch;
  for (std::int64_t ts = 0; ts < 10000; ts += 10) batch.push_back(rec(ts, "p", 1.0));
  for (std::int64_t ts = 0; ts < 10000; ts += 20) batch.push_back(rec(ts, "q", std::nullopt, R"("s")"));
  b->store(batch);
  const auto partitions = "select count(*) from pg_inherits where inhparent = 'data'::regclass";
  REQUIRE(count_rows(pg, partitions) == 10);

  // [0, 3000) as three whole partitions, [3000, 3500) row by row.
  CHECK(b->prune(3500) == 300 + 150 + 50 + 25);
  CHECK(count_rows(pg, partitions) == 7);
  CHECK(count_rows(pg, "select count(*) from data") == 1500 - 525);
  CHECK(all(*b, "p").front().ts_ns == 3500);
  CHECK(all(*b, "q").front().ts_ns == 3500);
  CHECK(b->prune(3500) == 0);
  CHECK(b->prune(min64) == 0);

  // A pruned range takes new records again: its partition comes back.
  b->store(std::vector<Record>{rec(150, "p", 2.0)});
  CHECK(count_rows(pg, partitions) == 8);
  CHECK(all(*b, "p").front().ts_ns == 150);

  // Everything, including the partition just remade.
  CHECK(b->prune(max64) == 1500 - 525 + 1);
  CHECK(count_rows(pg, partitions) == 0);
  CHECK(b->topics().size() == 2);  // the topics stay
}

TEST_CASE("postgres back end: a changed partition width fits around the partitions already there") {
  PostgresServer pg;
  open(pg, 1000)->store(std::vector<Record>{rec(500, "w", 1.0), rec(2500, "w", 2.0)});
  // 1500 wide, [0, 1500) and [1500, 3000) would overlap [0, 1000) and
  // [2000, 3000): the new ones are cut to [1000, 1500) and [1500, 2000).
  auto b = open(pg, 1500);
  b->store(std::vector<Record>{rec(1200, "w", 3.0), rec(1900, "w", 4.0), rec(3100, "w", 5.0)});
  CHECK(all(*b, "w").size() == 5);
  CHECK(count_rows(pg, "select count(*) from pg_inherits where inhparent = 'data'::regclass") == 5);
  CHECK(b->prune(3000) == 4);
}

TEST_CASE("postgres back end: with the server down a call fails, and the next one after a restart works") {
  PostgresServer pg;
  auto b = open(pg);
  b->store(std::vector<Record>{rec(1, "o", 1.0)});

  pg.stop();
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      b->store(std::vector<Record>{rec(2, "o", 2.0)});
      FAIL("store succeeded with the server down");
    } catch (const BackendError& e) {
      MESSAGE("server down: " << std::string(e.what()));
      CHECK(std::string(e.what()).find(pg.password()) == std::string::npos);
    }
  }  // a hang instead would end in ctest's timeout
  CHECK_THROWS_AS(all(*b, "o"), BackendError);
  CHECK_THROWS_AS(b->topics(), BackendError);
  CHECK_THROWS_AS(b->prune(0), BackendError);
  CHECK_THROWS_AS(open(pg), BackendError);

  pg.start();
  b->store(std::vector<Record>{rec(2, "o", 2.0)});  // reconnects by itself
  const auto o = all(*b, "o");
  REQUIRE(o.size() == 2);
  CHECK(o[1].number == 2.0);

  // A restart between two calls: the dead connection is replaced at once,
  // and the call does not fail.
  pg.stop();
  pg.start();
  b->store(std::vector<Record>{rec(3, "o", 3.0)});
  CHECK(all(*b, "o").size() == 3);
}

TEST_CASE("postgres back end: a server that accepts but never answers fails the connect within the default timeout") {
  // A listening socket nobody accepts from: the kernel completes the TCP
  // handshake, then libpq waits for an answer that never comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  auto* any = reinterpret_cast<sockaddr*>(&addr);
  REQUIRE(::bind(fd, any, sizeof addr) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  REQUIRE(::getsockname(fd, any, &len) == 0);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(watt::historian::open_postgres_backend(
                      {"host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) + " dbname=watt user=watt"}),
                  BackendError);
  const auto took = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  // The 5 s connect_timeout the back end adds, not an instant refusal (and
  // without it libpq would wait here until ctest's timeout).
  CHECK(took >= 4s);
}

TEST_CASE("postgres back end: a wrong password or a bad connection string never shows in the error") {
  PostgresServer pg;
  const std::string wrong = "not-the-password-" + pg.password();
  auto conn = pg.connection();
  conn.replace(conn.find(pg.password()), pg.password().size(), wrong);
  try {
    watt::historian::open_postgres_backend({conn});
    FAIL("a wrong password was accepted");
  } catch (const BackendError& e) {
    const std::string what = e.what();
    MESSAGE(what);
    CHECK(what.find("password authentication failed") != std::string::npos);
    CHECK(what.find(wrong) == std::string::npos);
  }
  try {
    watt::historian::open_postgres_backend({"host=127.0.0.1 password 's3cret-value' dbname=watt"});
    FAIL("a malformed connection string was accepted");
  } catch (const BackendError& e) {
    CHECK(std::string(e.what()).find("s3cret-value") == std::string::npos);
  }
}

TEST_CASE("postgres back end: 100,000 records in 10,000-record batches all land") {
  // Large batches, mixed kinds, 50 series (speed is bench_historian's job).
  PostgresServer pg;
  auto b = open(pg);
  constexpr int batches = 10, size = 10000;
  for (int k = 0; k < batches; ++k) {
    std::vector<Record> batch;
    for (int i = 0; i < size; ++i) {
      const std::int64_t ts = 1'700'000'000'000'000'000 + (std::int64_t{k} * size + i) * 1'000'000;
      batch.push_back(i % 4 == 0 ? rec(ts, "perf/" + std::to_string(i % 50), i, std::to_string(i))
                                 : rec(ts, "perf/" + std::to_string(i % 50), i * 0.5));
    }
    b->store(batch);
  }
  CHECK(count_rows(pg, "select count(*) from data") == batches * size);
}
