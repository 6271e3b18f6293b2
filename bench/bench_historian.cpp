// Historian benchmark (docs/performance.md §5):
//   1. sustained ingestion, points/s, published on the bus and stored by the
//      historian agent (through its cache) into SQLite and into PostgreSQL,
//      each beside the same rows inserted directly with batched prepared
//      statements in the same run (the physical limit);
//   2. query latency for one topic over 1 M rows, raw and 5-minute averaged,
//      over RPC through the bus, beside the same query run directly.
// A real wattd (through the `watt` command line) and a real PostgreSQL
// server (initdb'd into a temporary directory) are started and removed.
#include <watt/sqlite/database.hpp>
#include "numbers.hpp"
#include "postgres.hpp"
#include "postgres_backend.hpp"
#include "process.hpp"
#include "sqlite_backend.hpp"
#include "temp_dir.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace wh = watt::historian;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  long points = 1'000'000;
  int per_message = 10;  // points per devices/…/all message
  long query_rows = 1'000'000;
  int query_runs = 20;
  bool postgres = true;
  std::string sync = "FULL";  // SQLite's synchronous, for the direct inserts and the historian alike
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr std::int64_t base_ts = 1'700'000'000'000'000'000;

// ---- direct inserts: the physical limit --------------------------------------------------

// The same rows as through the bus: `topics` series (100 devices of 10
// points), interleaved as the devices publish them.
constexpr int topics = 1000;

double direct_sqlite(const std::string& file, long points, const std::string& sync) {
  (void)wh::open_sqlite_backend({.file = file, .synchronous = sync});  // the schema the historian uses
  watt::sqlite::Database db(file, {.create = false, .synchronous = std::string(sync), .bulk = true});
  for (int t = 0; t < topics; ++t)
    db.exec("INSERT INTO topics(topic_id, name) VALUES(" + std::to_string(t) + ", 'bench/" + std::to_string(t) + "')");
  watt::sqlite::Statement insert(
      db, "INSERT OR IGNORE INTO data(ts, topic_id, value_number, value_json) VALUES(?,?,?,NULL)");
  const auto t0 = Clock::now();
  for (long done = 0; done < points;) {
    watt::sqlite::Transaction tx(db);
    for (long k = 0; k < 5000 && done < points; ++k, ++done)
      insert.bind(1, base_ts + done / topics)
          .bind(2, static_cast<std::int64_t>(done % topics))
          .bind(3, static_cast<double>(done))
          .run();
    tx.commit();
  }
  return static_cast<double>(points) / seconds_since(t0);
}

double direct_postgres(const std::string& connection, long points) {
  (void)wh::open_postgres_backend({.connection = connection});  // the schema the historian uses
  pqxx::connection c(connection);
  {
    pqxx::work w(c);
    for (int t = 0; t < topics; ++t)
      w.exec("insert into topics(topic_id, name) values (" + std::to_string(1'000'000 + t) + ", 'bench/" +
             std::to_string(t) + "')");
    // The partitions, as the back end makes them before inserting.
    for (long day = 0; day <= points / 1'000'000'000L / 86'400 + 1; ++day) {
      const std::int64_t from = (base_ts / 86'400'000'000'000 + day) * 86'400'000'000'000;
      w.exec("create table if not exists data_bench_" + std::to_string(day) + " partition of data for values from (" +
             std::to_string(from) + ") to (" + std::to_string(from + 86'400'000'000'000) + ")");
    }
    w.commit();
  }
  c.prepare("insert",
            "insert into data(ts, topic_id, value_number, value_json) select t, i, v, null "
            "from unnest($1::bigint[], $2::int[], $3::float8[]) as u(t, i, v) on conflict do nothing");
  const auto t0 = Clock::now();
  for (long done = 0; done < points;) {
    std::string ts = "{", ids = "{", vs = "{";
    for (long k = 0; k < 5000 && done < points; ++k, ++done) {
      ts += (k ? "," : "") + std::to_string(base_ts + done / topics);
      ids += (k ? "," : "") + std::to_string(1'000'000 + done % topics);
      vs += (k ? "," : "") + std::to_string(done);
    }
    pqxx::work w(c);
    w.exec_prepared("insert", ts + "}", ids + "}", vs + "}");
    w.commit();
  }
  return static_cast<double>(points) / seconds_since(t0);
}

// ---- through the bus ---------------------------------------------------------------------

class Platform {
public:
  explicit Platform(const std::string& home) : home_(home) {
    std::filesystem::create_directories(home_);
    ::setenv("WATT_HOME", home_.c_str(), 1);
    ::setenv("WATT_LOG_LEVEL", "error", 0);  // "held back" notices are expected here
    watt({"platform", "start"});
  }
  ~Platform() { (void)watt_exit({"platform", "stop"}); }
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  void watt(std::vector<std::string> args) {
    const auto e = watt_exit(args);
    if (e.code != 0) throw std::runtime_error("watt " + args[0] + " failed: " + e.out + e.err);
  }
  watt::test::Exit watt_exit(std::vector<std::string> args) {
    args.insert(args.begin(), (watt::test::bin_dir() / "watt").string());
    return watt::test::run(args, home_, {{"WATT_HOME", home_}});
  }
  std::string address() const { return "ipc://" + home_ + "/run/watt.sock"; }
  const std::string& home() const { return home_; }

private:
  std::string home_;
};

nlohmann::json call(watt::Client& c, const std::string& method, const std::string& args) {
  watt::CallOptions o;
  o.timeout = std::chrono::seconds(60);
  auto r = c.call_value(o, "historian", method, watt::Value::from_json(args)).get();
  if (!r) throw std::runtime_error(method + ": " + r.error().what());
  return nlohmann::json::parse(r.value().to_json());
}

void install_historian(Platform& p, const std::string& sync, const std::string& backend_yaml) {
  const std::string file = p.home() + "/historian.yml";
  std::ofstream(file) << "batch_size: 5000\nflush_interval: 50ms\ncache:\n  synchronous: " << sync << "\n"
                      << backend_yaml;
  p.watt({"install", (watt::test::lib_dir() / "libhistorian.so").string(), "-i", "historian", "-c", file, "--start"});
}

watt::Client connect(const Platform& p, const std::string& id) {
  watt::ClientOptions o;
  o.identity = id;
  o.address = p.address();
  return watt::Client(o);
}

// Points/s from the first publish until the back end has them all.
double through_bus(Platform& p, const Settings& s) {
  auto c = connect(p, "bench-publisher");
  (void)call(c, "status", "[]");  // the historian is up and subscribed
  const long messages = s.points / s.per_message;
  std::map<std::string, double> body;
  for (int k = 0; k < s.per_message; ++k) body["p" + std::to_string(k)] = 0;
  const auto t0 = Clock::now();
  for (long m = 0; m < messages; ++m) {
    for (auto& [name, v] : body) v = static_cast<double>(m);
    c.publish("devices/bench/d" + std::to_string(m % 100) + "/all", body);
  }
  const long expected = messages * s.per_message;
  // Where the time goes: how far the cache (agent thread) and the back end
  // (forwarder thread) had got when the publisher finished.
  const double published_s = seconds_since(t0);
  const auto at_end = call(c, "status", "[]");
  for (;;) {
    const auto st = call(c, "status", "[]");
    if (st["forwarded"].get<long>() >= expected && st["cache_count"].get<long>() == 0) break;
    if (st["dropped"].get<long>() > 0) throw std::runtime_error("the historian dropped records: " + st.dump());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double total_s = seconds_since(t0);
  std::printf("    (published in %.2f s, then %s acknowledged and %s forwarded; all stored after %.2f s)\n",
              published_s, bench::grouped(at_end["acknowledged"].get<double>()).c_str(),
              bench::grouped(at_end["forwarded"].get<double>()).c_str(), total_s);
  return static_cast<double>(expected) / total_s;
}

// ---- queries -----------------------------------------------------------------------------

struct Latency {
  double p50 = 0, p99 = 0;
};

template <class F>
Latency measure(int runs, F&& once) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    once();
    ms.push_back(seconds_since(t0) * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

void fill(wh::Backend& b, long rows) {
  std::vector<wh::Record> batch;
  for (long k = 0; k < rows; ++k) {
    wh::Record r;
    r.topic = "devices/bench/query/v";
    r.ts_ns = base_ts + k * 1'000'000'000;  // one a second: 11.6 days for 1 M rows
    r.number = static_cast<double>(k % 1000);
    batch.push_back(std::move(r));
    if (batch.size() == 10'000 || k + 1 == rows) {
      b.store(batch);
      batch.clear();
    }
  }
}

void query_latency(Platform& p, wh::Backend& direct, const Settings& s, const std::string& label) {
  auto c = connect(p, "bench-query-" + label);
  const std::string mid = std::to_string((base_ts + s.query_rows / 2 * 1'000'000'000) / 1'000'000'000);
  const std::string raw = R"([{"topic": "devices/bench/query/v", "start": )" + mid + R"(, "count": 1000}])";
  const std::string avg =
      R"([{"topic": "devices/bench/query/v", "agg": "avg", "agg_period": "5m", "count": 10000000}])";
  wh::Query rq{.topic = "devices/bench/query/v", .start_ns = std::stoll(mid) * 1'000'000'000, .count = 1000};
  wh::Query aq{
      .topic = "devices/bench/query/v", .count = 10'000'000, .agg = wh::Aggregate::avg, .period_ns = 300'000'000'000};
  const auto expected = static_cast<std::size_t>(std::min(1000L, s.query_rows - s.query_rows / 2));
  if (call(c, "query", raw)["values"].size() != expected) throw std::runtime_error("raw query: wrong row count");
  const auto buckets = call(c, "query", avg)["values"].size();
  const auto l1 = measure(s.query_runs, [&] { (void)call(c, "query", raw); });
  const auto l2 = measure(s.query_runs, [&] { (void)direct.query(rq); });
  const auto l3 = measure(s.query_runs, [&] { (void)call(c, "query", avg); });
  const auto l4 = measure(s.query_runs, [&] { (void)direct.query(aq); });
  auto row = [](const std::string& what, Latency l) {
    std::printf("  %-58s %9.2f %9.2f\n", what.c_str(), l.p50, l.p99);
  };
  std::printf("\nquery latency, %s, one topic of %s rows (%d runs)      p50 ms    p99 ms\n", label.c_str(),
              bench::grouped(static_cast<double>(s.query_rows)).c_str(), s.query_runs);
  row("raw, 1,000 rows: RPC through the bus", l1);
  row("raw, 1,000 rows: the back end directly (baseline)", l2);
  row("avg per 5 min, " + bench::grouped(static_cast<double>(buckets)) + " buckets: RPC through the bus", l3);
  row("avg per 5 min: the back end directly (baseline)", l4);
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app{"Historian ingestion and query benchmark"};
  app.add_option("--points", s.points, "points to ingest per case")->capture_default_str();
  app.add_option("--per-message", s.per_message, "points per devices/…/all message")->capture_default_str();
  app.add_option("--query-rows", s.query_rows, "rows of the queried topic")->capture_default_str();
  app.add_option("--query-runs", s.query_runs, "timed runs per query")->capture_default_str();
  bool no_pg = false;
  app.add_flag("--no-postgres", no_pg, "skip PostgreSQL");
  app.add_option("--sync", s.sync, "SQLite synchronous for every SQLite file: FULL or NORMAL")
      ->check(CLI::IsMember({"FULL", "NORMAL"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  s.postgres = !no_pg;
  try {
    watt::test::TempDir dir("watt-bench-hist");
    std::printf("ingestion, %s points (%d per message)                         points/s   vs direct\n",
                bench::grouped(static_cast<double>(s.points)).c_str(), s.per_message);
    const double sqlite_direct = direct_sqlite(dir.str() + "/direct.sqlite", s.points, s.sync);
    std::printf("  %-58s %10s\n", "SQLite, direct batched inserts (baseline)", bench::grouped(sqlite_direct).c_str());
    {
      Platform p(dir.str() + "/sqlite-home");
      install_historian(p, s.sync, "backend:\n  synchronous: " + s.sync + "\n");
      const double bus = through_bus(p, s);
      std::printf("  %-58s %10s %10.1f%%\n", "SQLite, through the bus and the historian's cache",
                  bench::grouped(bus).c_str(), 100 * bus / sqlite_direct);
      auto direct = wh::open_sqlite_backend({.file = dir.str() + "/query.sqlite"});
      fill(*direct, s.query_rows);
      std::ofstream(p.home() + "/q.yml") << "backend:\n  file: " << dir.str() << "/query.sqlite\n";
      p.watt({"config", "set", "historian", "config", p.home() + "/q.yml"});
      if (s.postgres) {
        watt::test::PostgresServer pg;
        const double pg_direct = direct_postgres(pg.connection(), s.points);
        std::printf("  %-58s %10s\n", "PostgreSQL, direct batched inserts (baseline)",
                    bench::grouped(pg_direct).c_str());
        Platform pp(dir.str() + "/pg-home");
        install_historian(pp, s.sync, "backend:\n  type: postgresql\n  connection: \"" + pg.connection() + "\"\n");
        const double pg_bus = through_bus(pp, s);
        std::printf("  %-58s %10s %10.1f%%\n", "PostgreSQL, through the bus and the historian's cache",
                    bench::grouped(pg_bus).c_str(), 100 * pg_bus / pg_direct);
        query_latency(p, *direct, s, "SQLite");
        auto pg_backend = wh::open_postgres_backend({.connection = pg.connection()});
        fill(*pg_backend, s.query_rows);
        query_latency(pp, *pg_backend, s, "PostgreSQL");
      } else {
        query_latency(p, *direct, s, "SQLite");
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_historian: %s\n", e.what());
    return 1;
  }
  return 0;
}
