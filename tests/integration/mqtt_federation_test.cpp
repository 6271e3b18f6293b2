// Three platforms federated through one mosquitto on loopback: topics both
// ways with nothing looping, calls from one platform to another's agents
// (`watt rpc c/probe whoami`, and an agent's own call), and restarts of the
// broker and of a platform with QoS-1 messages neither lost nor doubled.
#include "mqtt_fixture.hpp"

#include <watt/client.hpp>

using namespace watt::test;
using namespace std::chrono_literals;

namespace {

std::string federated(const Mosquitto& broker, const std::string& platform) {
  return "broker: {url: '" + broker.url() + "', client_id: bridge-" + platform +
         "}\nreconnect: {first_ms: 50, most_ms: 500}\nfederation:\n  platform: " + platform +
         "\n  export: [shared]\n  import: [{from: '+', topics: 'shared/#'}]\n  serve: [probe, ghost]\n";
}

// Counts the bus messages under `shared` on one platform, by topic.
struct Tap {
  explicit Tap(const Cli& cli) : c(client(cli, "tap")) {
    c.subscribe("shared", [this](const watt::Envelope& e) {
      if (e.topic.starts_with("shared/warmup"))
        ++warm;
      else
        ++seen[e.topic];
    });
    REQUIRE(c.sync());
  }
  std::size_t total() {
    c.spin_for(5ms);
    std::size_t n = 0;
    for (const auto& [t, k] : seen) n += static_cast<std::size_t>(k);
    return n;
  }
  watt::Client c;
  std::map<std::string, int> seen;
  int warm = 0;  // the messages that show the imports are in place
};

void publish_n(const Cli& cli, const std::string& topic, int n) {
  auto c = client(cli, "publisher");
  for (int i = 0; i < n; ++i) c.publish(topic + "/" + std::to_string(i), i);
  REQUIRE(c.sync());
}

struct Three {
  explicit Three(const Mosquitto& broker) {
    for (const auto& [p, id] : {std::pair{&a, "a"}, std::pair{&b, "b"}, std::pair{&c, "c"}}) {
      const auto r = p->install(federated(broker, id));
      REQUIRE_MESSAGE(r.code == 0, r.err);
      REQUIRE_MESSAGE(p->wait_connected(), p->cli.log("mqtt"));
    }
  }
  BridgePlatform a, b, c;
};

}  // namespace

TEST_CASE("federation: topics cross both ways between three platforms, once each, and calls reach other platforms") {
  Mosquitto broker;
  Three p(broker);
  Tap ta(p.a.cli), tb(p.b.cli), tc(p.c.cli);
  // The imports' subscriptions are made once connected; let them settle.
  REQUIRE(eventually([&] {
    publish_n(p.a.cli, "shared/warmup", 1);
    (void)tb.total(), (void)tc.total();
    return tb.warm >= 1 && tc.warm >= 1;
  }));

  publish_n(p.a.cli, "shared/from-a", 20);
  publish_n(p.c.cli, "shared/from-c", 30);
  REQUIRE(eventually([&] { return ta.total() == 50 && tb.total() == 50 && tc.total() == 50; }));
  ta.c.spin_for(300ms);  // anything looping would show now
  CHECK(ta.total() == 50);
  CHECK(tb.total() == 50);
  CHECK(tc.total() == 50);
  for (auto* t : {&ta, &tb, &tc})
    for (const auto& [topic, k] : t->seen) CHECK_MESSAGE(k == 1, topic);

  REQUIRE(p.c.cli.watt({"install", fixture("probe_agent"), "--identity", "probe", "--start"}).code == 0);
  REQUIRE(p.a.cli.watt({"install", fixture("probe_agent"), "--identity", "asker", "--start"}).code == 0);
  const auto who = p.a.cli.watt({"rpc", "c/probe", "whoami"});
  CHECK_MESSAGE(who.out == "\"probe\"\n", who.err, p.a.cli.log("mqtt"));
  // An agent's own call, through the SDK.
  CHECK(p.a.cli.watt({"rpc", "asker", "ask", "\"c/probe\""}).out == "\"probe\"\n");
  // Errors come back as the far side gave them.
  const auto ghost = p.a.cli.watt({"rpc", "c/ghost", "whoami"});
  CHECK(ghost.code != 0);
  CHECK_MESSAGE(ghost.err.find("unknown_peer") != std::string::npos, ghost.err);
  const auto method = p.a.cli.watt({"rpc", "c/probe", "nothing"});
  CHECK(method.err.find("unknown_method") != std::string::npos);
  // Only the agents `serve` names, and never the platform's own services.
  const auto control = p.a.cli.watt({"rpc", "c/platform", "list"});
  CHECK_MESSAGE(control.err.find("unauthorized") != std::string::npos, control.err);
  CHECK(p.a.cli.watt({"rpc", "c/asker", "whoami"}).err.find("unauthorized") != std::string::npos);
  // A platform's own agents are not called through its bridge.
  CHECK(p.a.cli.watt({"rpc", "a/asker", "whoami"}).err.find("unknown_peer") != std::string::npos);
  CHECK(p.c.status()["federation"]["calls_in"] == 6);
}

TEST_CASE("federation: a broker restart and a platform restart lose no QoS-1 message and double none") {
  Mosquitto broker({}, true);  // keeps the bridges' sessions, as a production broker does
  Three p(broker);
  Tap tb(p.b.cli), tc(p.c.cli);
  REQUIRE(eventually([&] {
    publish_n(p.a.cli, "shared/warmup", 1);
    (void)tb.total(), (void)tc.total();
    return tb.warm >= 1 && tc.warm >= 1;
  }));

  broker.stop();
  REQUIRE(eventually([&] { return !p.a.connected(); }));
  publish_n(p.a.cli, "shared/while-the-broker-is-away", 100);
  {
    Paused sender(p.a.cli, "mqtt");
    broker.start();
    REQUIRE(eventually([&] { return p.b.connected() && p.c.connected(); }));
  }
  REQUIRE(eventually([&] { return tb.total() == 100 && tc.total() == 100; }, 30s));

  // Platform b goes away; what a sends meanwhile waits in b's session.
  REQUIRE(p.b.cli.watt({"platform", "stop"}).code == 0);
  publish_n(p.a.cli, "shared/while-b-is-away", 50);
  REQUIRE(eventually([&] { return tc.total() == 150; }));
  REQUIRE(p.b.cli.watt({"platform", "start"}).code == 0);
  Tap tb2(p.b.cli);
  if (!p.b.connected()) REQUIRE(p.b.cli.watt({"start", "mqtt"}).code == 0);
  REQUIRE(eventually([&] { return tb2.total() >= 50; }, 30s));
  tb2.c.spin_for(300ms);
  CHECK(tb2.total() == 50);
  CHECK(tc.total() == 150);
  for (auto* t : {&tc, &tb2})
    for (const auto& [topic, k] : t->seen) CHECK_MESSAGE(k == 1, topic);
}
