// The MQTT bridge against a real mosquitto on loopback: rules both ways, the
// QoS-1 queue across a broker restart and a bridge restart with exact counts,
// subscriptions back after a reconnect, TLS, and bad input.
#include "mqtt_fixture.hpp"

#include <watt/client.hpp>

#include <set>
#include <thread>

using namespace watt::test;
using namespace std::chrono_literals;

namespace {

std::string config(const Mosquitto& broker, const std::string& rules, const std::string& more = {}) {
  return "broker:\n  url: " + broker.url() + "\nreconnect: {first_ms: 50, most_ms: 500}\n" + more + "rules:\n" + rules;
}

int taps = 0;

// Bus messages matching `pattern`, as (topic, body as JSON).
struct BusTap {
  BusTap(const Cli& cli, const std::string& pattern) : c(client(cli, "tap-" + std::to_string(++taps))) {
    c.subscribe(pattern, [this](const watt::Envelope& e) { got.emplace_back(e.topic, e.body.to_json()); });
    REQUIRE(c.sync());
  }
  bool wait_for(std::size_t n) {
    return eventually([&] {
      c.spin_for(5ms);
      return got.size() >= n;
    });
  }
  watt::Client c;
  std::vector<std::pair<std::string, std::string>> got;
};

// The numbers carried by the probe's messages, and how many of those from
// `from` on came twice.
std::pair<std::set<int>, int> numbers(MqttProbe& probe, int from = 0) {
  std::set<int> seen;
  int twice = 0;
  for (const auto& m : probe.received()) {
    const int n = std::stoi(m.payload);
    if (!seen.insert(n).second && n >= from) ++twice;
  }
  return {seen, twice};
}

void publish_numbers(const Cli& cli, const std::string& topic, int from, int to) {
  auto c = client(cli, "numbers");
  for (int i = from; i < to; ++i) c.publish(topic, i);
  REQUIRE(c.sync());
}

}  // namespace

TEST_CASE("mqtt: rules map topics both ways, with wildcards, QoS, retain and formats") {
  Mosquitto broker;
  BridgePlatform p;
  MqttProbe probe(broker.url(), "probe", {"site1/#"});
  REQUIRE(probe.ready());
  const auto r = p.install(config(broker,
                                  "  - {direction: out, bus: devices/+/temp, mqtt: site1/+/temperature, format: raw}\n"
                                  "  - {direction: out, bus: devices/#, mqtt: site1/devices/#, qos: 0, retain: true}\n"
                                  "  - {direction: in, bus: commands/+/set, mqtt: site1/cmd/+, format: raw}\n"
                                  "  - {direction: in, bus: inbox/#, mqtt: site1/json/#}\n"));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));

  BusTap tap(p.cli, "commands");
  BusTap json_tap(p.cli, "inbox");
  {
    auto c = client(p.cli, "device");
    c.publish("devices/b1/temp", 21.5);
    c.publish("devices/b1/info", std::map<std::string, int>{{"floor", 3}});
    REQUIRE(c.sync());
  }
  REQUIRE(eventually([&] { return probe.count() >= 3; }));
  std::map<std::string, Received> by_topic;
  for (const auto& m : probe.received()) by_topic[m.topic] = m;
  CHECK(by_topic["site1/b1/temperature"].payload == "21.5");
  CHECK(by_topic["site1/b1/temperature"].qos == 1);
  CHECK(by_topic["site1/devices/b1/temp"].payload == "21.5");
  CHECK(by_topic["site1/devices/b1/info"].payload == R"({"floor":3})");
  CHECK(by_topic["site1/devices/b1/info"].qos == 0);
  // Retained: a client that comes later still gets the last value.
  MqttProbe late(broker.url(), "late", {"site1/devices/b1/info"});
  REQUIRE(late.ready());
  REQUIRE(eventually([&] { return late.count() == 1; }));
  CHECK(late.received()[0].retained);

  probe.publish("site1/cmd/fan", "42");
  probe.publish("site1/cmd/mode", "eco");
  probe.publish("site1/json/a/b", R"({"x":[1,2]})");
  REQUIRE(tap.wait_for(2));
  REQUIRE(json_tap.wait_for(1));
  CHECK(tap.got[0] == std::pair<std::string, std::string>{"commands/fan/set", "42"});
  CHECK(tap.got[1] == std::pair<std::string, std::string>{"commands/mode/set", "\"eco\""});
  CHECK(json_tap.got[0] == std::pair<std::string, std::string>{"inbox/a/b", R"({"x":[1,2]})"});
  const auto s = p.status();
  CHECK(s["in"]["published"] == 3);
  CHECK(s["out"]["acknowledged"] == 1);
}

TEST_CASE("mqtt: a topic both out and in does not loop") {
  Mosquitto broker;
  BridgePlatform p;
  MqttProbe probe(broker.url(), "probe", {"shared/#"});
  REQUIRE(probe.ready());
  REQUIRE(p.install(config(broker, "  - {direction: out, bus: shared/#}\n  - {direction: in, bus: shared/#}\n")).code ==
          0);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));
  BusTap tap(p.cli, "shared");
  {
    auto c = client(p.cli, "local");
    c.publish("shared/from-bus", 1);
    REQUIRE(c.sync());
  }
  probe.publish("shared/from-mqtt", "2");
  REQUIRE(eventually([&] { return probe.count() >= 2; }));  // its own, and the bus's
  REQUIRE(tap.wait_for(2));                                 // the bus's own, and the probe's
  // Let any echo arrive (the status counts are the bridge's own): none does.
  REQUIRE(eventually([&] { return p.status()["out"]["acknowledged"] == 1; }));
  tap.c.spin_for(300ms);
  CHECK(tap.got.size() == 2);
  CHECK(probe.count() == 2);
  CHECK(p.status()["in"]["received"] == 1);
}

TEST_CASE("mqtt: QoS-1 messages wait out a broker restart and arrive once each") {
  Mosquitto broker({}, true);
  BridgePlatform p;
  MqttProbe probe(broker.url(), "probe", {"site/n"}, 1, true);
  REQUIRE(probe.ready());
  REQUIRE(
      p.install(config(broker,
                       "  - {direction: out, bus: n, mqtt: site/n}\n  - {direction: in, bus: back, mqtt: site/back}\n"))
          .code == 0);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));

  publish_numbers(p.cli, "n", 0, 200);
  REQUIRE_MESSAGE(eventually([&] { return probe.count() == 200; }), probe.count(), p.status().dump(),
                  p.cli.log("mqtt"));
  REQUIRE(eventually([&] { return p.status()["queue"]["waiting"] == 0; }));

  broker.stop();
  REQUIRE(eventually([&] { return p.health().find("BAD") != std::string::npos; }));
  CHECK(p.health().find(broker.url()) != std::string::npos);
  publish_numbers(p.cli, "n", 200, 1200);
  REQUIRE(eventually([&] { return p.status()["queue"]["waiting"] == 1000; }));
  CHECK_FALSE(p.connected());

  {
    Paused sender(p.cli, "mqtt");
    broker.start();
    REQUIRE(probe.ready());
  }
  // The probe's own QoS-1 session may get again what it had before the stop
  // (its PUBACK not saved by the broker in time): that is the broker's and
  // the probe's, so the wait is for the distinct numbers (a count reached
  // 1,200 on those again before the last six had come). What the bridge
  // queued meanwhile comes once.
  REQUIRE_MESSAGE(eventually([&] { return numbers(probe, 200).first.size() >= 1200; }, 30s), probe.count(),
                  p.status().dump(), p.cli.log("mqtt"), broker.log());
  const auto [seen, twice] = numbers(probe, 200);
  CHECK(seen.size() == 1200);
  CHECK(twice == 0);  // nothing of the bridge's was in flight when the broker went
  CHECK(*seen.rbegin() == 1199);
  REQUIRE(eventually([&] { return p.health().find("GOOD") != std::string::npos; }));
  CHECK(p.status()["queue"]["waiting"] == 0);
  CHECK(p.status()["connections"] == 2);
}

TEST_CASE("mqtt: subscriptions come back after a broker that forgot them restarts") {
  Mosquitto broker;  // not persistent: the bridge's session is gone with it
  BridgePlatform p;
  REQUIRE(p.install(config(broker, "  - {direction: in, bus: back, mqtt: site/back}\n")).code == 0);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));
  broker.stop();
  REQUIRE(eventually([&] { return !p.connected(); }));
  broker.start();
  REQUIRE(eventually([&] { return p.connected(); }));
  BusTap tap(p.cli, "back");
  MqttProbe probe(broker.url(), "probe");
  REQUIRE(probe.ready());
  // The bridge's subscription may be a moment behind its connection.
  CHECK(eventually([&] {
    probe.publish("site/back", "1");
    return tap.wait_for(1);
  }));
  CHECK(p.status()["connections"] == 2);
}

TEST_CASE("mqtt: the queue outlives the bridge: stopped while the broker is away, nothing lost") {
  Mosquitto broker;  // the bridge starts again only once the probe is back
  BridgePlatform p;
  MqttProbe probe(broker.url(), "probe", {"site/n"});
  REQUIRE(probe.ready());
  REQUIRE(p.install(config(broker, "  - {direction: out, bus: n, mqtt: site/n}\n")).code == 0);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));
  broker.stop();
  REQUIRE(eventually([&] { return !p.connected(); }));
  publish_numbers(p.cli, "n", 0, 500);
  REQUIRE(eventually([&] { return p.status()["queue"]["waiting"] == 500; }));
  REQUIRE(p.cli.watt({"stop", "mqtt"}).code == 0);
  broker.start();
  REQUIRE(probe.ready());
  REQUIRE(p.cli.watt({"start", "mqtt"}).code == 0);
  REQUIRE(eventually([&] { return probe.count() >= 500; }, 30s));
  const auto [seen, twice] = numbers(probe);
  CHECK(seen.size() == 500);
  CHECK(twice == 0);
  CHECK(p.cli.log("mqtt").find("500 messages wait in") != std::string::npos);
}

TEST_CASE("mqtt: a full queue drops its oldest and says so") {
  Mosquitto broker({}, true);
  BridgePlatform p;
  MqttProbe probe(broker.url(), "probe", {"site/n"}, 1, true);
  REQUIRE(probe.ready());
  REQUIRE(p.install(config(broker, "  - {direction: out, bus: n, mqtt: site/n}\n", "queue: {capacity: 100}\n")).code ==
          0);
  REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));
  broker.stop();
  REQUIRE(eventually([&] { return !p.connected(); }));
  publish_numbers(p.cli, "n", 0, 150);
  REQUIRE(eventually([&] { return p.status()["out"]["queued"] == 150; }));
  CHECK(eventually([&] { return p.status()["out"]["dropped_queue_full"] == 50; }));
  {
    Paused sender(p.cli, "mqtt");
    broker.start();
    REQUIRE(probe.ready());
  }
  REQUIRE_MESSAGE(eventually([&] { return probe.count() >= 100; }, 30s), probe.count(), p.status().dump(),
                  p.cli.log("mqtt"), broker.log());
  const auto [seen, twice] = numbers(probe);
  CHECK(seen.size() == 100);
  CHECK(*seen.begin() == 50);  // the newest kept
  CHECK(p.cli.log("mqtt").find("is full (100 messages)") != std::string::npos);
}

TEST_CASE("mqtt: bad input is refused by name and the rest flows") {
  SUBCASE("a bad rule") {
    BridgePlatform p;
    const auto r = p.install("rules:\n  - {direction: out, bus: a/+, mqtt: b, qos: 2}\n");
    CHECK(r.code != 0);
    CHECK(p.cli.log("mqtt").find("rules[0].qos") != std::string::npos);
    const auto r2 = p.install("rules:\n  - {direction: out, bus: a/+, mqtt: b}\n", "mqtt2");
    CHECK(r2.code != 0);
    CHECK(p.cli.log("mqtt2").find("rules[0]: the bus side has 1 '+'") != std::string::npos);
  }
  SUBCASE("an unreachable broker: BAD, saying why; the bus goes on") {
    BridgePlatform p;
    const int port = free_port();  // nobody listens here
    REQUIRE(p.install("broker: {url: 'tcp://127.0.0.1:" + std::to_string(port) +
                      "'}\nreconnect: {first_ms: 50, most_ms: 200}\nrules:\n  - {direction: out, bus: x}\n")
                .code == 0);
    REQUIRE(eventually([&] { return p.health().find("BAD") != std::string::npos; }));
    CHECK(p.health().find("cannot reach tcp://127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(p.status()["last_error"].get<std::string>().find("connect") != std::string::npos);
    BusTap tap(p.cli, "other");
    auto c = client(p.cli, "other-publisher");
    c.publish("x", 1);
    c.publish("other/y", 2);
    REQUIRE(c.sync());
    CHECK(tap.wait_for(1));
  }
  SUBCASE("payloads that are not JSON, topics that are not bus topics") {
    Mosquitto broker;
    BridgePlatform p;
    MqttProbe probe(broker.url(), "probe");
    REQUIRE(probe.ready());
    REQUIRE(p.install(config(broker, "  - {direction: in, bus: in/#, mqtt: json/#}\n")).code == 0);
    REQUIRE_MESSAGE(p.wait_connected(), p.cli.log("mqtt"));
    BusTap tap(p.cli, "in");
    probe.publish("json/bad", "{not json");
    probe.publish("json/a//b", "1");
    probe.publish("json/good", R"({"ok":true})");
    REQUIRE(tap.wait_for(1));
    CHECK(tap.got[0].first == "in/good");
    REQUIRE(eventually([&] { return p.status()["in"]["refused"] == 2; }));
    const auto log = p.cli.log("mqtt");
    CHECK(log.find("rules[0]: MQTT topic 'json/bad': not JSON") != std::string::npos);
  }
}
