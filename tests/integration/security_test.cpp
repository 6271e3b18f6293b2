// TCP with CurveZMQ: unknown keys refused at connection time, and a known
// key held to what its allow-list entry lets it claim, publish and call.
#include "platform.hpp"
#include "tcp_platform.hpp"

#include <watt/keys.hpp>
#include <watt/platform/broker_stats.hpp>

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using watt::test::Platform;
using watt::test::TcpPlatform;

TEST_CASE("a TCP client whose key is not on the allow-list is refused at connection time, saying why") {
  TcpPlatform t;
  const auto [file, pub] = t.make_key("stranger");
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH_AS(t.remote("node1", file), doctest::Contains("does not know this key"), watt::Error);
  // Refused by the handshake, not by a timeout.
  CHECK(std::chrono::steady_clock::now() - started < 4s);
}

TEST_CASE("a known key may claim only its identities, publish only to its topics, call only its methods") {
  TcpPlatform t;
  const auto [file, pub] = t.make_key("node1");
  auto add = t.p.cli({"auth", "add", "node1", "--key", pub, "--identity", "node1", "--publish", "devices/lab/#",
                      "--call", "platform/list"});
  REQUIRE_MESSAGE(add.code == 0, add.err);

  CHECK_THROWS_WITH_AS(t.remote("someone-else", file), doctest::Contains("may not claim identity"), watt::Error);

  auto local = t.p.client("local-watcher");
  std::vector<std::string> seen;
  local->subscribe("devices", [&](const watt::Envelope& e) { seen.push_back(e.topic + " from " + e.sender); });
  REQUIRE(local->sync());

  auto node = t.remote("node1", file);
  node->publish("devices/plant/breaker", std::string("open"));  // protected: not this key's
  node->publish("devices/lab/temp", 21.5);                      // allowed
  REQUIRE(node->sync());
  REQUIRE(local->spin_until([&] { return !seen.empty(); }, 10s));
  local->spin_for(200ms);
  CHECK(seen == std::vector<std::string>{"devices/lab/temp from node1"});

  auto listed = node->call("platform", "list").get();
  CHECK(listed.ok());
  auto refused = node->call("platform", "shutdown").get();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == watt::ErrorCode::unauthorized);
  CHECK(refused.error().message.find("platform/shutdown") != std::string::npos);

  auto stats = local->call("broker", "stats").get();
  REQUIRE(stats.ok());
  CHECK(stats->to_json().find("\"rejected\":3") != std::string::npos);  // the identity, the publish, the call

  // Local peers stay trusted: the same publish from ipc goes through.
  local->publish("devices/plant/breaker", std::string("closed"));
  REQUIRE(local->spin_until([&] { return seen.size() == 2; }, 10s));
}

TEST_CASE("a TCP key subscribes only within its grants, and narrowing or removing them reaches its live connection") {
  TcpPlatform t;
  const auto [file, pub] = t.make_key("node3");
  REQUIRE(t.p.cli({"auth", "add", "node3", "--key", pub, "--identity", "node3", "--publish", "x", "--subscribe",
                   "devices/lab"})
              .code == 0);
  auto node = t.remote("node3", file);
  std::vector<std::string> seen;
  auto record = [&](const watt::Envelope& e) { seen.push_back(e.topic); };
  const auto everything = node->subscribe("#", record);
  const auto heartbeats = node->subscribe("heartbeat", record);
  // A TCP key's own heartbeat is not granted either (an installed agent's is).
  node->publish("heartbeat/node3", std::string("GOOD"));
  REQUIRE(node->sync());
  // Refused at the broker, and gone here too: callbacks run for each pattern
  // that matches whatever arrives.
  node->unsubscribe(everything);
  node->unsubscribe(heartbeats);
  node->subscribe("devices/lab", record);
  node->subscribe("devices/lab/a", record);
  REQUIRE(node->sync());
  auto local = t.p.client("local-publisher");
  auto stats = local->call("broker", "stats").get();
  REQUIRE(stats.ok());
  CHECK(stats->to_json().find("\"rejected\":3") != std::string::npos);  // "#", "heartbeat", the heartbeat

  local->publish("devices/plant/breaker", std::string("open"));
  local->publish("devices/lab/y", 1);
  local->publish("devices/lab/a/z", 2);
  REQUIRE(node->spin_until([&] { return seen.size() == 3; }, 10s));
  CHECK(seen == std::vector<std::string>{"devices/lab/y", "devices/lab/a/z", "devices/lab/a/z"});

  // Narrowed: "devices/lab" goes at once, "devices/lab/a" stays. What it no
  // longer gets would have come before what it still does (one publisher).
  REQUIRE(
      t.p.cli({"auth", "update", "node3", "--key", pub, "--identity", "node3", "--subscribe", "devices/lab/a"}).code ==
      0);
  seen.clear();
  local->publish("devices/lab/y", 3);
  local->publish("devices/lab/a/z", 4);
  REQUIRE(node->spin_until([&] { return !seen.empty(); }, 10s));
  node->spin_for(100ms);
  CHECK(seen == std::vector<std::string>{"devices/lab/a/z", "devices/lab/a/z"});

  // Removed: the live connection is off the bus.
  REQUIRE(t.p.cli({"auth", "remove", "node3"}).code == 0);
  CHECK(watt::test::eventually([&] { return t.p.cli({"peers"}).out.find("node3") == std::string::npos; }));
  seen.clear();
  local->publish("devices/lab/a/z", 5);
  REQUIRE(local->sync());
  node->spin_for(300ms);
  CHECK(seen.empty());
}

TEST_CASE("the command line over TCP claims the identity it is given, which a prefix grant allows") {
  TcpPlatform t;
  const auto [file, pub] = t.make_key("ops");
  REQUIRE(t.p.cli({"auth", "add", "ops", "--key", pub, "--identity", "watt-cli-*", "--call", "platform/list", "--call",
                   "platform/platform_status", "--publish", "ops"})
              .code == 0);
  auto remote = [&](const std::string& identity) {
    return t.p.cli(
        {"list", "--connect", t.endpoint, "--server-key", t.server_key, "--key-file", file, "--identity", identity});
  };
  const auto ok = remote("watt-cli-ops");
  CHECK_MESSAGE(ok.code == 0, ok.err);
  const auto refused = remote("operator");
  CHECK(refused.code != 0);
  CHECK_MESSAGE(refused.err.find("may not claim identity 'operator'") != std::string::npos, refused.err);
  // Its status is the remote platform's, not the local home's (there is none).
  const auto status = t.p.cli({"platform", "status", "--connect", t.endpoint, "--server-key", t.server_key,
                               "--key-file", file, "--home", "/nonexistent"});
  CHECK(status.code == 0);
  CHECK_MESSAGE(status.out.find("platform running at " + t.endpoint) != std::string::npos, (status.out + status.err));
  CHECK(status.out.find("home     " + t.p.home()) != std::string::npos);
  // What the broker refuses over TCP fails the command.
  auto publish = [&](const std::string& topic) {
    return t.p.cli({"publish", topic, "1", "--connect", t.endpoint, "--server-key", t.server_key, "--key-file", file});
  };
  CHECK(publish("ops/x").code == 0);
  const auto denied = publish("devices/x");
  CHECK(denied.code != 0);
  CHECK_MESSAGE(denied.err.find("refused the message") != std::string::npos, denied.err);
  CHECK(denied.err.find("may not publish to devices/x") != std::string::npos);
  const auto sub = t.p.cli(
      {"subscribe", "#", "--timeout", "1", "--connect", t.endpoint, "--server-key", t.server_key, "--key-file", file});
  CHECK(sub.code != 0);
  CHECK_MESSAGE(sub.err.find("refused the subscription") != std::string::npos, sub.err);
}

TEST_CASE("a removed key is refused from then on, and no secret key is ever logged or listed") {
  TcpPlatform t;
  const auto [file, pub] = t.make_key("node2");
  REQUIRE(t.p.cli({"auth", "add", "node2", "--key", pub, "--identity", "*", "--publish", "x"}).code == 0);
  { auto ok = t.remote("any-name", file); }
  REQUIRE(t.p.cli({"auth", "remove", "node2"}).code == 0);
  CHECK_THROWS_WITH_AS(t.remote("any-name", file), doctest::Contains("does not know this key"), watt::Error);

  const auto server_secret = watt::read_key_file(std::filesystem::path(t.p.home()) / "keys" / "server.key").secret_key;
  const auto client_secret = watt::read_key_file(file).secret_key;
  std::string everything = t.p.process().out() + t.p.process().err();
  for (const auto& args : std::vector<std::vector<std::string>>{{"auth", "list"}, {"list"}, {"keys"}, {"peers"}}) {
    const auto r = t.p.cli(args);
    everything += r.out + r.err;
  }
  CHECK(everything.find(server_secret) == std::string::npos);
  CHECK(everything.find(client_secret) == std::string::npos);
  CHECK(everything.find(t.server_key) != std::string::npos);  // the public half may be shown
}

TEST_CASE(
    "an installed agent is held to the grants of its install, and may always publish its heartbeat and fetch "
    "its configuration") {
  Platform p("agents:\n  heartbeat_ms: 200\n");
  std::ofstream(std::filesystem::path(p.home()) / "meter.yml") << "device: plant/m1\nperiod_ms: 50\n";
  auto local = p.client("watcher");
  int devices = 0;
  local->subscribe("devices", [&](const watt::Envelope&) { ++devices; });
  REQUIRE(local->sync());
  auto installed =
      p.cli({"install", (watt::test::lib_dir() / "libpublisher.so").string(), "-i", "m1", "-c", p.home() + "/meter.yml",
             "--publish", "devices/lab/#", "--call", "platform/list", "--subscribe", "devices/lab", "--start"});
  REQUIRE_MESSAGE(installed.code == 0, installed.err);
  const auto list = p.cli({"auth", "list"}).out;
  CHECK(list.find("(installed agent, ipc)") != std::string::npos);
  CHECK(list.find("devices/lab/#") != std::string::npos);
  // Its heartbeats arrive (GOOD), its devices/plant/... messages do not.
  REQUIRE(watt::test::eventually([&] { return p.cli({"health"}).out.find("GOOD") != std::string::npos; }));
  local->spin_for(500ms);
  CHECK(devices == 0);
  // `watt auth update` is for TCP keys: it refuses to turn the grant into a keyless key entry.
  auto update = p.cli({"auth", "update", "m1", "--key", "", "--identity", "m1", "--publish", "devices/#"});
  CHECK(update.code != 0);
  CHECK(update.err.find("40-character") != std::string::npos);
  REQUIRE(p.cli({"remove", "m1"}).code == 0);
  CHECK(p.cli({"auth", "list"}).out.find("m1") == std::string::npos);  // the grant goes with the agent
}

TEST_CASE("an agent's configuration can only be changed through the platform, not by calling the agent") {
  Platform p;
  auto installed =
      p.cli({"install", (watt::test::fixture_dir() / "libfixture_probe_agent.so").string(), "-i", "probe", "--start"});
  REQUIRE_MESSAGE(installed.code == 0, installed.err);
  auto around = p.cli({"rpc", "probe", "watt.config", "\"config\"", "\"create\"", "\"rate: 9\""});
  CHECK(around.code != 0);
  CHECK(around.err.find("changed through the platform") != std::string::npos);
  CHECK(p.cli({"rpc", "probe", "events"}).out == "[\"start\"]\n");
}

TEST_CASE("an agent fetches its own configurations one by one without a grant, and no one else's") {
  Platform p;
  const auto probe = (watt::test::fixture_dir() / "libfixture_probe_agent.so").string();
  std::ofstream(std::filesystem::path(p.home()) / "probe.yml") << "rate: 3\n";
  auto installed = p.cli(
      {"install", probe, "-i", "probe", "-c", p.home() + "/probe.yml", "--publish", "x", "--call", "platform/list"});
  REQUIRE_MESSAGE(installed.code == 0, installed.err);
  REQUIRE(p.cli({"install", probe, "-i", "vault"}).code == 0);
  auto admin = p.client("admin");
  auto stored = [&](const std::string& id, const std::string& name, const std::string& text) {
    REQUIRE(admin->call("platform", "config_set", id, name, text).get().ok());
  };
  stored("vault", "db", "password: hunter2");
  // Two configurations of 600 kB each: more than one message together.
  const std::string big(600'000, 'x');
  stored("probe", "big1", big);
  stored("probe", "big2", big);
  const auto started = p.cli({"start", "probe"});
  REQUIRE_MESSAGE(started.code == 0, started.err);
  CHECK(admin->call("probe", "config", std::string("config")).get_as<std::string>().value() == "rate: 3");
  CHECK(admin->call("probe", "config", std::string("big2")).get_as<std::string>().value().size() == big.size());
  REQUIRE(p.cli({"stop", "probe"}).code == 0);

  // Held to probe's entry, a peer of that identity reads its own and nothing else.
  auto as_probe = p.client("probe");
  auto names = as_probe->call("platform", "own_config_names").get_as<std::vector<std::string>>();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"big1", "big2", "config"});
  auto other = as_probe->call("platform", "agent_configs", std::string("vault")).get();
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == watt::ErrorCode::unauthorized);
  auto missing = as_probe->call("platform", "own_config", std::string("db")).get();
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("'probe' has no configuration 'db'") != std::string::npos);
}

TEST_CASE("connections that never finish a handshake cannot use up the platform's descriptors") {
  // The default handshake timeout (3 s) outlasts the 300 connections'
  // making: the shedding is all that keeps them to 16 meanwhile.
  TcpPlatform t("  max_tcp_connections: 16\n");
  const auto colon = t.endpoint.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(t.endpoint.substr(colon + 1))));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> silent;
  for (int i = 0; i < 300; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      silent.push_back(fd);
    else
      ::close(fd);
  }
  auto local = t.p.client("watcher");
  auto broker_stats = [&] { return local->call("broker", "stats").get_as<watt::broker::BrokerStats>().value(); };
  // Shed past the limit, the rest closed at their handshake timeout; the
  // platform answers all along.
  CHECK(watt::test::eventually([&] { return broker_stats().connections_shed >= silent.size() - 16; }));
  CHECK(watt::test::eventually([&] { return broker_stats().tcp_connections == 0; }));
  for (const int fd : silent) ::close(fd);
  const auto [file, pub] = t.make_key("after");
  REQUIRE(t.p.cli({"auth", "add", "after", "--key", pub, "--identity", "after"}).code == 0);
  auto remote = t.remote("after", file);
  CHECK(remote->sync());
  CHECK(t.p.process().running());
}
