// The historian on a disk that fills up: a real wattd, the historian's data
// (cache and SQLite back end) on a small tmpfs of its own. While the disk is
// full the agent keeps answering and beating, says BAD naming the disk, and
// holds what arrives; once space returns it recovers by itself, losing
// nothing.
#include "cli.hpp"
#include "historian_cli.hpp"
#include "small_disk.hpp"

#include <watt/client.hpp>
#include <watt/health.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace std::chrono_literals;
using nlohmann::json;
using watt::test::Cli;
using watt::test::client;
using watt::test::eventually;
using watt::test::status;

TEST_CASE("historian on a full disk: BAD naming the disk, still answering, and whole again when space returns") {
  watt::test::SmallDisk disk(4 << 20);
  if (!disk.mounted()) {
    MESSAGE("skipped: " << disk.why_not());
    return;
  }
  Cli cli;
  std::ofstream(cli.home().path() / "config.yml") << "agents:\n  heartbeat_ms: 200\n";  // beats show quickly
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  watt::test::install_historian(cli, "data_dir: " + disk.str() +
                                         "\nflush_interval: 10ms\nbatch_size: 100\n"
                                         "retry_interval: 50ms\nretry_interval_max: 200ms\n");
  auto watcher = client(cli, "watcher");
  std::vector<watt::HealthAlert> health;
  int beats = 0;
  watcher.subscribe("alerts/historian",
                    [&](const watt::Envelope& e) { health.push_back(e.body.as<watt::HealthAlert>()); });
  watcher.subscribe("heartbeat/historian", [&](const watt::Envelope&) { ++beats; });
  REQUIRE(watcher.sync());
  auto pub = client(cli, "meter");
  const auto publish = [&](int from, int to) {
    for (int seq = from; seq < to; ++seq) pub.publish("record/disk/seq", seq);
    REQUIRE(pub.sync());
  };
  publish(0, 200);
  REQUIRE(eventually([&] { return status(cli).value("forwarded", 0) == 200; }));

  disk.fill();
  publish(200, 500);
  REQUIRE(eventually([&] { return status(cli).value("cache_ok", true) == false; }));
  const auto s = status(cli);
  const auto error = s["last_error"].get<std::string>();
  CHECK(error.find(disk.file("cache.sqlite")) != std::string::npos);
  CHECK(error.find("bytes free on the file system of " + disk.str()) != std::string::npos);
  CHECK(s["disk_free_bytes"].get<std::int64_t>() < 4096);
  REQUIRE(watcher.spin_until([&] { return !health.empty() && health.back().status == "BAD"; }, 15s));
  CHECK(health.back().context.find(disk.str()) != std::string::npos);
  CHECK(cli.watt({"status", "historian"}).out.find("BAD") != std::string::npos);
  // Still answering: a query of what was stored before, and its heartbeats.
  CHECK(watt::test::query(cli, {"record/disk/seq", "--count", "1000"})["values"].size() == 200);
  const int beats_when_full = beats;
  REQUIRE(watcher.spin_until([&] { return beats >= beats_when_full + 3; }, 15s));
  CHECK(cli.log("historian").find("cannot write the cache") != std::string::npos);

  disk.release();
  REQUIRE(eventually(
      [&] {
        const auto now = status(cli);
        return now.value("cache_ok", false) && now.value("backend_ok", false) && now.value("cache_count", -1) == 0 &&
               now.value("acknowledged", 0) == 500;
      },
      30s));
  REQUIRE(watcher.spin_until([&] { return health.back().status == "GOOD"; }, 15s));
  publish(500, 600);
  REQUIRE(eventually([&] { return status(cli).value("forwarded", 0) == 600; }));
  const auto rows = watt::test::everything(cli, "record/disk/seq");
  REQUIRE(rows.size() == 600);
  for (int k = 0; k < 600; ++k) REQUIRE(rows[static_cast<std::size_t>(k)].second == k);
  CHECK(status(cli)["dropped"] == 0);
  CHECK(cli.log("historian").find("the cache takes records again") != std::string::npos);
}
