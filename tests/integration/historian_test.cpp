// The historian end to end: a real wattd, the historian agent as its own
// process, publishers on the bus, the `watt history` command line, a real
// PostgreSQL server; crashes, outages, a full cache and bad payloads.
#include <watt/sqlite/database.hpp>
#include "cli.hpp"
#include "historian_cli.hpp"
#include "postgres.hpp"

#include <watt/client.hpp>
#include <watt/health.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using watt::test::agent_pid;
using watt::test::Cli;
using watt::test::client;
using watt::test::eventually;
using watt::test::everything;
using watt::test::install_historian;
using watt::test::lib;
using watt::test::query;
using watt::test::status;

TEST_CASE("historian round trip through the bus: scalars, all messages with metadata, strings, aggregates") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install_historian(cli, "flush_interval: 10ms\n");
  auto pub = client(cli, "meter");
  pub.publish("record/plant/mode", std::string("heating, \"eco\""));
  pub.publish("record/plant/enabled", true);
  pub.publish("analysis/plant/summary", std::map<std::string, int>{{"a", 1}, {"b", 2}});
  const auto all = watt::Value::from_json(R"([{"temp": 21.5, "count": 3}, {"temp": {"units": "degC", "tz": "UTC"}}])");
  pub.publish_value("devices/campus/b1/ahu1/all", all);
  std::vector<double> values;
  for (int k = 0; k < 200; ++k) {
    values.push_back(std::sin(k) * 10 + 50);
    pub.publish("devices/campus/b1/meter/power", values.back());
    std::this_thread::sleep_for(1ms);  // distinct timestamps, spread over time
  }
  REQUIRE(pub.sync());
  REQUIRE(eventually([&] {
    return query(cli, {"devices/campus/b1/meter/power", "--count", "1000"})["values"].size() == 200;
  }));

  const auto temp = query(cli, {"devices/campus/b1/ahu1/temp"});
  REQUIRE(temp["values"].size() == 1);
  CHECK(temp["values"][0][1] == 21.5);
  CHECK(temp["metadata"] == json::parse(R"({"units": "degC", "tz": "UTC"})"));
  CHECK(query(cli, {"devices/campus/b1/ahu1/count"})["values"][0][1] == 3);
  CHECK(query(cli, {"record/plant/mode"})["values"][0][1] == "heating, \"eco\"");
  CHECK(query(cli, {"record/plant/enabled"})["values"][0][1] == true);
  CHECK(query(cli, {"analysis/plant/summary"})["values"][0][1] == json::parse(R"({"a": 1, "b": 2})"));

  // Aggregates over the whole range, against what the test computes.
  double sum = 0, lo = values[0], hi = values[0];
  for (double v : values) {
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const std::string power = "devices/campus/b1/meter/power";
  CHECK(query(cli, {power, "--agg", "avg"})["values"][0][1].get<double>() == doctest::Approx(sum / 200));
  CHECK(query(cli, {power, "--agg", "min"})["values"][0][1].get<double>() == doctest::Approx(lo));
  CHECK(query(cli, {power, "--agg", "max"})["values"][0][1].get<double>() == doctest::Approx(hi));
  CHECK(query(cli, {power, "--agg", "sum"})["values"][0][1].get<double>() == doctest::Approx(sum));
  CHECK(query(cli, {power, "--agg", "count"})["values"][0][1] == 200);
  // Per 50 ms bucket: the counts and sums add up to the whole.
  const auto buckets = query(cli, {power, "--agg", "count:50ms", "--count", "10000"})["values"];
  const auto sums = query(cli, {power, "--agg", "sum:50ms", "--count", "10000"})["values"];
  CHECK(buckets.size() > 1);
  long counted = 0;
  double summed = 0;
  for (const auto& b : buckets) counted += b[1].get<long>();
  for (const auto& b : sums) summed += b[1].get<double>();
  CHECK(counted == 200);
  CHECK(summed == doctest::Approx(sum));

  // Order, count, relative times, CSV.
  const auto newest = query(cli, {power, "--order", "LAST_TO_FIRST", "--count", "1"})["values"];
  CHECK(newest[0][1].get<double>() == doctest::Approx(values.back()));
  CHECK(query(cli, {power, "--start", "now-1h", "--count", "1000"})["values"].size() == 200);
  CHECK(query(cli, {power, "--start", "now+1h"})["values"].empty());
  const auto csv = cli.watt({"history", "query", "record/plant/mode", "--format", "csv"}).out;
  CHECK(csv.starts_with("time,record/plant/mode\n"));
  CHECK(csv.find(",\"heating, \"\"eco\"\"\"\n") != std::string::npos);

  const auto topics = cli.watt({"history", "topics", "devices/campus/b1/ahu1"}).out;
  CHECK(topics == "devices/campus/b1/ahu1/count\ndevices/campus/b1/ahu1/temp\n");
  const auto meta = json::parse(cli.watt({"history", "metadata", "devices/#"}).out);
  CHECK(meta["devices/campus/b1/ahu1/temp"]["units"] == "degC");
  CHECK(meta["devices/campus/b1/ahu1/count"].is_null());

  // Bad requests get clear errors.
  auto bad = cli.watt({"history", "query", power, "--start", "yesterday"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("'start'") != std::string::npos);
  bad = cli.watt({"history", "query", power, "--agg", "median"});
  CHECK(bad.err.find("unknown aggregate 'median'") != std::string::npos);
  bad = cli.watt({"history", "--historian", "nobody", "topics"});
  CHECK(bad.err.find("no historian 'nobody'") != std::string::npos);
  CHECK(cli.watt({"rpc", "historian", "query", "{\"topic\": \"x\", \"colour\": 1}"}).err.find("unknown key 'colour'") !=
        std::string::npos);
}

TEST_CASE("historian stores or refuses bad payloads one by one, and the stream goes on") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install_historian(cli, "flush_interval: 10ms\nmax_value_bytes: 1000\n");
  auto pub = client(cli, "bad-meter");
  pub.publish("devices/b/all", std::map<std::string, double>{{"nan", std::nan("")}, {"ok", 1.0}});
  pub.publish("record/b/huge", std::string(5000, 'x'));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += '\x91';
  deep += '\x01';
  pub.publish_value("record/b/deep", watt::Value::from_msgpack_unchecked(deep));
  pub.publish_value("record/b/garbage", watt::Value::from_msgpack_unchecked("\xc1\xc1"));
  pub.publish_value("devices/b/all",
                    watt::Value::from_json(R"({"list": [1, 2], "map": {"x": 1}, "a/b": 1, "str": "s"})"));
  pub.publish_value("devices/b/all", watt::Value::from_json(R"([1, 2, 3])"));  // not points: one JSON value
  pub.publish("record/b/after", 42);
  REQUIRE(pub.sync());
  REQUIRE(eventually([&] { return query(cli, {"record/b/after"})["values"].size() == 1; }));
  CHECK(query(cli, {"devices/b/ok"})["values"][0][1] == 1.0);
  CHECK(query(cli, {"devices/b/list"})["values"][0][1] == json::parse("[1, 2]"));
  CHECK(query(cli, {"devices/b/map"})["values"][0][1] == json::parse(R"({"x": 1})"));
  CHECK(query(cli, {"devices/b/str"})["values"][0][1] == "s");
  CHECK(query(cli, {"devices/b/all"})["values"][0][1] == json::parse("[1, 2, 3]"));
  CHECK(query(cli, {"devices/b/nan"})["values"].empty());
  CHECK(query(cli, {"record/b/huge"})["values"].empty());
  CHECK(query(cli, {"record/b/deep"})["values"].empty());
  CHECK(status(cli)["rejected"] == 5);  // nan, huge, deep, garbage, a/b
  REQUIRE(eventually([&] { return cli.log("historian").find("over the limit of 1000") != std::string::npos; }));
  const auto log = cli.log("historian");
  CHECK(log.find("not stored: devices/b/nan from bad-meter: not a finite number") != std::string::npos);
  CHECK(log.find("record/b/deep from bad-meter: body does not decode") != std::string::npos);
  CHECK(log.find("'a/b' is not a topic segment") != std::string::npos);
}

TEST_CASE("historian killed with SIGKILL while 100000 points stream: nothing acknowledged is lost, nothing doubled") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install_historian(cli, "flush_interval: 20ms\nbatch_size: 2000\n", "never");
  constexpr int total = 100'000;
  std::atomic<int> sent{0};
  std::atomic<bool> restarted{false};
  std::thread publisher([&] {
    auto pub = client(cli, "streamer");
    for (int seq = 0; seq < total; ++seq) {
      // The last points wait for the restarted historian (a slow start, as
      // under ASan, would otherwise miss them all): the stream's end is
      // stored, whatever the machine's speed.
      if (seq == total - 500) eventually([&] { return restarted.load(); }, 60s);
      pub.publish("record/kill/seq", seq);
      sent = seq + 1;
      if (seq % 500 == 499) std::this_thread::sleep_for(10ms);
    }
    (void)pub.sync();
  });
  REQUIRE(eventually([&] { return status(cli).value("acknowledged", 0) > 20'000; }, 60s));
  const long pid = agent_pid(cli, "historian");
  REQUIRE(pid > 0);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  REQUIRE(eventually([&] { return agent_pid(cli, "historian") == 0; }));
  const int sent_at_kill = sent;

  // What was acknowledged: everything in the cache or in the back end now.
  // The cache first: a record moves from it only after the back end has it.
  std::set<long> acknowledged;
  const auto data = cli.home().path() / "data" / "historian";
  {
    watt::sqlite::Database cache((data / "cache.sqlite").string(), {.create = false});
    watt::sqlite::Statement s(cache, "SELECT value_number FROM cache WHERE topic='record/kill/seq'");
    while (s.step()) acknowledged.insert(static_cast<long>(s.real(0)));
    watt::sqlite::Database history((data / "history.sqlite").string(), {.create = false});
    watt::sqlite::Statement h(history, "SELECT value_number FROM data");
    while (h.step()) acknowledged.insert(static_cast<long>(h.real(0)));
  }
  CHECK(acknowledged.size() > 20'000);
  CHECK(acknowledged.size() < static_cast<std::size_t>(total));

  const bool started = cli.watt({"start", "historian"}).code == 0 && eventually([&] { return !status(cli).is_null(); });
  restarted = true;
  publisher.join();
  REQUIRE(started);
  REQUIRE(eventually(
      [&] {
        const auto s = status(cli);
        return !s.is_null() && s["cache_count"] == 0;
      },
      60s));
  const auto rows = everything(cli, "record/kill/seq");
  std::vector<long> seqs;
  for (const auto& [ts, v] : rows) seqs.push_back(v.get<long>());
  std::set<long> stored(seqs.begin(), seqs.end());
  CHECK(stored.size() == seqs.size());              // no duplicates
  CHECK(std::is_sorted(seqs.begin(), seqs.end()));  // time order is publish order
  CHECK(std::includes(stored.begin(), stored.end(), acknowledged.begin(), acknowledged.end()));
  // The only gap: what was in flight to, or published while, the historian was dead.
  std::vector<long> missing;
  for (long k = 0; k < total; ++k)
    if (!stored.contains(k)) missing.push_back(k);
  INFO("missing " << missing.size() << " from " << (missing.empty() ? -1 : missing.front()) << " to "
                  << (missing.empty() ? -1 : missing.back()) << ", sent at kill " << sent_at_kill);
  if (!missing.empty()) CHECK(missing.back() - missing.front() + 1 == static_cast<long>(missing.size()));
  CHECK(stored.contains(total - 1));
}

TEST_CASE("historian reconfigured six times while a lossless stream flows: every point is stored, once") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install_historian(cli, "flush_interval: 20ms\nbatch_size: 2000\n");
  constexpr int total = 30'000;
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    auto pub = client(cli, "streamer");
    for (int seq = 0; seq < total; ++seq) {
      pub.publish("record/reconf/seq", seq);
      if (seq % 500 == 499) std::this_thread::sleep_for(10ms);
    }
    (void)pub.sync();
    done = true;
  });
  const auto file = cli.home().path() / "change.yml";
  for (int change = 0; change < 6; ++change) {
    REQUIRE(eventually([&] { return status(cli).value("acknowledged", 0) > 2'000 * (change + 1); }, 60s));
    std::ofstream(file) << "flush_interval: " << 10 + change * 10 << "ms\nbatch_size: " << 1000 + change * 500 << "\n";
    const auto r = cli.watt({"config", "set", "historian", "config", file.string()});
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }
  publisher.join();
  REQUIRE(done.load());
  REQUIRE(eventually(
      [&] {
        const auto s = status(cli);
        return !s.is_null() && s["cache_count"] == 0 && s.value("acknowledged", 0) >= total;
      },
      60s));
  const auto rows = everything(cli, "record/reconf/seq");
  std::set<long> stored;
  for (const auto& [ts, v] : rows) stored.insert(v.get<long>());
  CHECK(rows.size() == static_cast<std::size_t>(total));
  CHECK(stored.size() == static_cast<std::size_t>(total));
}

TEST_CASE("historian cache full with drop_oldest: exact count dropped and reported, the newest forwarded later") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  // A back end that cannot open: everything waits in the cache.
  install_historian(cli,
                    "flush_interval: 10ms\nbatch_size: 100\nretry_interval: 50ms\nretry_interval_max: 100ms\n"
                    "backend:\n  file: /nonexistent/dir/history.sqlite\ncache:\n  max_records: 1000\n");
  auto watcher = client(cli, "watcher");
  std::vector<json> alerts;
  watcher.subscribe("alerts/historian/cache",
                    [&](const watt::Envelope& e) { alerts.push_back(json::parse(e.body.to_json())); });
  REQUIRE(watcher.sync());
  auto pub = client(cli, "filler");
  for (int seq = 0; seq < 1500; ++seq) pub.publish("record/full/seq", seq);
  REQUIRE(pub.sync());
  REQUIRE(eventually([&] { return status(cli).value("acknowledged", 0) == 1500; }));
  const auto s = status(cli);
  CHECK(s["dropped"] == 500);
  CHECK(s["cache_count"] == 1000);
  CHECK(s["cache_full"] == true);
  CHECK(s["backlogged"] == true);
  CHECK(s["last_error"].get<std::string>().find("/nonexistent/dir/history.sqlite") != std::string::npos);
  REQUIRE(watcher.spin_until([&] { return !alerts.empty(); }, 5s));
  CHECK(alerts[0]["alert"] == "cache 90% full");
  REQUIRE(eventually([&] { return cli.watt({"status", "historian"}).out.find("BAD") != std::string::npos; }));
  CHECK(cli.log("historian").find("cache full (1000 records, ") != std::string::npos);

  // The back end comes good (a live configuration change): the 1000 newest arrive.
  std::ofstream(cli.home().path() / "fixed.yml")
      << "flush_interval: 10ms\nbatch_size: 100\ncache:\n  max_records: 1000\n";
  REQUIRE(cli.watt({"config", "set", "historian", "config", (cli.home().path() / "fixed.yml").string()}).code == 0);
  REQUIRE(eventually([&] { return status(cli).value("cache_count", -1) == 0; }));
  const auto rows = everything(cli, "record/full/seq");
  REQUIRE(rows.size() == 1000);
  CHECK(rows.front().second == 500);
  CHECK(rows.back().second == 1499);
  REQUIRE(watcher.spin_until([&] { return alerts.size() >= 2; }, 5s));
  CHECK(alerts[1]["alert"] == "cache below 80%");
}

TEST_CASE("historian on PostgreSQL: stopped for a while mid-stream, every point arrives once, in order") {
  watt::test::PostgresServer pg;
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install_historian(cli,
                    "flush_interval: 10ms\nbatch_size: 500\nretry_interval: 100ms\nretry_interval_max: 500ms\n"
                    "backend:\n  type: postgresql\n  connection: \"" +
                        pg.connection() + "\"\n");
  auto watcher = client(cli, "watcher");
  std::vector<std::string> health;
  watcher.subscribe("alerts/historian",
                    [&](const watt::Envelope& e) { health.push_back(e.body.as<watt::HealthAlert>().status); });
  REQUIRE(watcher.sync());

  constexpr int total = 20'000;
  std::thread publisher([&] {
    auto pub = client(cli, "pg-streamer");
    for (int seq = 0; seq < total; ++seq) {
      pub.publish("devices/pg/meter/all", std::map<std::string, int>{{"seq", seq}});
      if (seq % 200 == 199) std::this_thread::sleep_for(10ms);
    }
    (void)pub.sync();
  });
  REQUIRE(eventually([&] { return status(cli).value("forwarded", 0) > 2'000; }, 30s));
  pg.stop();
  REQUIRE(eventually(
      [&] {
        const auto s = status(cli);
        return s.value("backend_ok", true) == false && s.value("backlogged", false) == true &&
               s.value("cache_count", 0) > 0;
      },
      30s));
  REQUIRE(watcher.spin_until([&] { return std::find(health.begin(), health.end(), "BAD") != health.end(); }, 15s));
  CHECK(cli.watt({"history", "query", "devices/pg/meter/seq"}).err.find("cannot answer") != std::string::npos);
  std::this_thread::sleep_for(1s);  // the cache grows meanwhile
  pg.start();
  publisher.join();
  REQUIRE(eventually(
      [&] {
        const auto s = status(cli);
        return s.value("cache_count", -1) == 0 && s.value("acknowledged", 0) == total;
      },
      60s));
  REQUIRE(watcher.spin_until([&] { return !health.empty() && health.back() == "GOOD"; }, 15s));
  const auto rows = everything(cli, "devices/pg/meter/seq");
  REQUIRE(rows.size() == static_cast<std::size_t>(total));
  for (int k = 0; k < total; ++k) {
    if (rows[static_cast<std::size_t>(k)].second != k) {
      FAIL_CHECK("row " << k << " holds " << rows[static_cast<std::size_t>(k)].second);
      break;
    }
  }
  CHECK(status(cli)["dropped"] == 0);
}
