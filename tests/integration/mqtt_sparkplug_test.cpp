// Sparkplug B end to end: the platform driver's fake device, the bridge as an
// edge node and a real mosquitto; a probe in a SCADA host's place reads the
// births and data, sends a rebirth and writes, and sees NDEATH when the
// bridge dies.
#include "mqtt_fixture.hpp"

#include "testing/modbus_test_server.hpp"

#include <watt/mqtt/sparkplug.hpp>

#include <csignal>

using namespace watt::test;
using namespace watt::mqtt;
using namespace std::chrono_literals;

namespace {

const std::string node = "spBv1.0/plant/";
const std::string device = "campus.b1.ahu";

// Every payload the probe got on `topic`, decoded.
std::vector<SpPayload> on(MqttProbe& probe, const std::string& topic) {
  std::vector<SpPayload> out;
  for (const auto& m : probe.received())
    if (m.topic == topic) out.push_back(decode_sparkplug(m.payload));
  return out;
}

const SpMetric* metric(const SpPayload& p, const std::string& name) {
  for (const auto& m : p.metrics)
    if (m.name == name) return &m;
  return nullptr;
}

std::string command(const std::string& name, SpType type, decltype(SpMetric::value) value) {
  SpMetric m;
  m.name = name;
  m.type = type;
  m.value = std::move(value);
  return encode_sparkplug(SpPayload{1, std::nullopt, {m}}, false);
}

// A Modbus device campus/b1/<name> of the driver, served by a test server on `port`.
void add_plc(const BridgePlatform& p, const std::string& name, int port) {
  const auto home = p.cli.home().path();
  std::ofstream(home / "plc.csv") << "Point Name,Units,Writable,Starting Value,Point Address,Register Type,Data "
                                     "Type,Scale\ntemperature,degC,TRUE,20,0,holding,int16,0.1\n";
  std::ofstream(home / (name + ".yml")) << "driver_type: modbus\nregistry_config: plc.csv\ninterval: 0.2\n"
                                           "driver_config: {host: 127.0.0.1, port: "
                                        << port << ", response_timeout: 0.2}\n";
  REQUIRE(p.cli.watt({"config", "set", "platform-driver", "plc.csv", (home / "plc.csv").string()}).code == 0);
  const auto r =
      p.cli.watt({"config", "set", "platform-driver", "devices/campus/b1/" + name, (home / (name + ".yml")).string()});
  REQUIRE_MESSAGE(r.code == 0, r.err);
}

// A platform with the driver's fake device and a bridge as edge node b1 of
// group plant, and a probe in a SCADA host's place, once the device is born.
struct Site {
  Site() {
    driver_with_device(p);
    REQUIRE(host.ready());
    REQUIRE(p.install("broker: {url: '" + broker.url() +
                      "'}\nreconnect: {first_ms: 50, most_ms: 500}\nsparkplug: {group_id: plant, edge_node_id: b1}\n")
                .code == 0);
    REQUIRE_MESSAGE(eventually([&] { return !on(host, node + "DBIRTH/b1/" + device).empty(); }), p.cli.log("mqtt"));
  }
  std::uint64_t bd_seq(std::size_t birth) {
    return static_cast<std::uint64_t>(
        std::get<std::int64_t>(metric(on(host, node + "NBIRTH/b1").at(birth), "bdSeq")->value));
  }

  Mosquitto broker;
  BridgePlatform p;
  MqttProbe host{broker.url(), "scada-host", {"spBv1.0/#"}, 0};
};

}  // namespace

TEST_CASE("mqtt sparkplug: births with each metric's type, units and writability, data by exception, writes") {
  Site site;
  auto& host = site.host;
  // NBIRTH: seq 0, bdSeq, the rebirth control and each agent's health; then
  // the device's DBIRTH with its points.
  const auto births = on(host, node + "NBIRTH/b1");
  REQUIRE(births.size() == 1);
  CHECK(births[0].seq == 0);
  CHECK(metric(births[0], "bdSeq")->type == SpType::int64);
  CHECK(metric(births[0], "Node Control/Rebirth")->type == SpType::boolean);
  REQUIRE(metric(births[0], "Agents/platform-driver/Health") != nullptr);
  CHECK(std::get<std::string>(metric(births[0], "Agents/platform-driver/Health")->value) == "GOOD");
  const auto dbirth = on(host, node + "DBIRTH/b1/" + device)[0];
  CHECK(dbirth.seq == 1);
  REQUIRE(metric(dbirth, "setpoint") != nullptr);
  CHECK(metric(dbirth, "setpoint")->type == SpType::float64);
  CHECK(metric(dbirth, "relay")->type == SpType::boolean);
  CHECK(metric(dbirth, "temp")->units == "degC");
  CHECK_FALSE(metric(dbirth, "temp")->writable);
  CHECK(metric(dbirth, "setpoint")->writable);

  // The fake device's values are steady: data come as they first arrive, and
  // then only what changes. A write through DCMD lands on the device and
  // comes back as DDATA.
  REQUIRE(eventually([&] { return !on(host, node + "DDATA/b1/" + device).empty(); }));
  host.publish(node + "DCMD/b1/" + device, command("setpoint", SpType::float64, 23.5), 0);
  host.publish(node + "DCMD/b1/" + device, command("relay", SpType::boolean, true), 0);
  CHECK(eventually([&] {
    return site.p.cli.watt({"rpc", "platform-driver", "get_point", "\"campus/b1/ahu\"", "\"setpoint\""}).out ==
           "23.5\n";
  }));
  CHECK(eventually([&] {
    for (const auto& d : on(host, node + "DDATA/b1/" + device))
      if (const auto* m = metric(d, "relay"); m != nullptr && std::get<bool>(m->value)) return true;
    return false;
  }));
  // seq: 0 on NBIRTH and there only, then one more on each message, whatever it is.
  std::uint64_t previous = 0;
  for (const auto& msg : host.received()) {
    if (msg.topic.find("CMD/") != std::string::npos) continue;
    const auto s = decode_sparkplug(msg.payload).seq;
    REQUIRE(s.has_value());
    CHECK((*s == 0) == (msg.topic.find("/NBIRTH/") != std::string::npos));
    if (*s != 0) CHECK(*s == previous + 1);
    previous = *s;
  }
}

TEST_CASE("mqtt sparkplug: bad commands refused by name, a rebirth on request, NDEATH with the birth's bdSeq") {
  Site site;
  auto& host = site.host;
  // Refused by name: a write to a read-only point, of the wrong kind, to no
  // device, and bytes that are not Sparkplug.
  host.publish(node + "DCMD/b1/" + device, command("temp", SpType::float64, 99.0), 0);
  host.publish(node + "DCMD/b1/" + device, command("setpoint", SpType::string, std::string("warm")), 0);
  host.publish(node + "DCMD/b1/nowhere", command("x", SpType::boolean, true), 0);
  host.publish(node + "NCMD/b1", "not protobuf", 0);
  CHECK(eventually([&] { return site.p.status()["sparkplug"]["refused"] == 4; }));
  const auto log = site.p.cli.log("mqtt");
  CHECK(log.find("no writable point 'temp'") != std::string::npos);
  CHECK(log.find("metric 'setpoint' is not a float value") != std::string::npos);
  CHECK(log.find("DCMD for device 'nowhere'") != std::string::npos);
  CHECK(log.find("not a Sparkplug B payload") != std::string::npos);

  // A host's rebirth request: the births again, on the same bdSeq.
  host.publish(node + "NCMD/b1", command("Node Control/Rebirth", SpType::boolean, true), 0);
  REQUIRE(eventually([&] { return on(host, node + "NBIRTH/b1").size() == 2; }));
  CHECK(on(host, node + "NBIRTH/b1")[1].seq == 0);
  CHECK(site.bd_seq(1) == site.bd_seq(0));
  CHECK(eventually([&] { return on(host, node + "DBIRTH/b1/" + device).size() == 2; }));

  // Killed: the broker says NDEATH with the birth's bdSeq; restarted by the
  // platform, it is born again on the next bdSeq.
  ::kill(static_cast<pid_t>(agent_pid(site.p.cli, "mqtt")), SIGKILL);
  REQUIRE(eventually([&] { return !on(host, node + "NDEATH/b1").empty(); }));
  const auto death = on(host, node + "NDEATH/b1")[0];
  CHECK(static_cast<std::uint64_t>(std::get<std::int64_t>(metric(death, "bdSeq")->value)) == site.bd_seq(0));
  CHECK_FALSE(death.seq.has_value());
  REQUIRE_MESSAGE(eventually([&] { return on(host, node + "NBIRTH/b1").size() == 3; }, 30s), site.p.cli.log("mqtt"));
  CHECK(site.bd_seq(2) == (site.bd_seq(0) + 1) % 256);

  // Stopped: it says NDEATH itself, then leaves cleanly (the broker sends
  // no will after a DISCONNECT).
  REQUIRE(site.p.cli.watt({"stop", "mqtt"}).code == 0);
  CHECK(eventually([&] { return on(host, node + "NDEATH/b1").size() == 2; }));
  CHECK(eventually([&] { return site.broker.log().find("Client mqtt-sparkplug disconnected.") != std::string::npos; }));
}

TEST_CASE("mqtt sparkplug: the agents' health as node metrics: a new agent brings a rebirth, a change an NDATA") {
  Site site;
  auto& host = site.host;
  // An agent the last NBIRTH did not name: the births again, naming it.
  REQUIRE(site.p.cli.watt({"install", lib("listener"), "--identity", "heard", "--start"}).code == 0);
  REQUIRE(eventually([&] { return on(host, node + "NBIRTH/b1").size() == 2; }));
  const auto rebirth = on(host, node + "NBIRTH/b1")[1];
  const auto* heard = metric(rebirth, "Agents/heard/Health");
  REQUIRE(heard != nullptr);
  CHECK(heard->type == SpType::string);
  // Held still, it misses its heartbeats: the platform says so, and the node
  // tells the host in NDATA; let go, it is well again.
  const auto health_in_ndata = [&](const std::string& status) {
    for (const auto& d : on(host, node + "NDATA/b1"))
      if (const auto* m = metric(d, "Agents/heard/Health"); m != nullptr && std::get<std::string>(m->value) == status)
        return true;
    return false;
  };
  {
    Paused still(site.p.cli, "heard");
    REQUIRE_MESSAGE(eventually([&] { return health_in_ndata("BAD"); }), site.p.cli.log("mqtt"));
  }
  CHECK(eventually([&] { return health_in_ndata("GOOD"); }));
  CHECK(on(host, node + "NBIRTH/b1").size() == 2);  // a change of a known agent is data, not a birth
}

TEST_CASE("mqtt sparkplug: a device that stops answering gets DDEATH, and DBIRTH with its values when it is back") {
  watt::driver::testing::ModbusTestServer plc;
  plc.set_holding(0, 215);  // 21.5 at scale 0.1
  plc.start();
  Mosquitto broker;
  BridgePlatform p;
  // The driver retries a silent device every 0.1 to 0.4 s, so it is seen back at once.
  driver_with_device(p, "{retry_interval: 0.1, retry_interval_max: 0.4}");
  add_plc(p, "plc1", plc.port());
  MqttProbe host{broker.url(), "scada-host", {"spBv1.0/#"}, 0};
  REQUIRE(host.ready());
  REQUIRE(p.install("broker: {url: '" + broker.url() +
                    "'}\nsparkplug: {group_id: plant, edge_node_id: b1, device_check_ms: 60000}\n")
              .code == 0);
  const std::string plc1 = "campus.b1.plc1";
  REQUIRE_MESSAGE(eventually([&] { return !on(host, node + "DBIRTH/b1/" + plc1).empty(); }), p.cli.log("mqtt"));

  // Unplugged: the driver's health turns BAD, the node asks it which device
  // fails (no need to wait for the minute's check) and says DDEATH for that
  // one only. Asked for a rebirth meanwhile, it births the others, not it.
  plc.stop();
  REQUIRE_MESSAGE(eventually([&] { return on(host, node + "DDEATH/b1/" + plc1).size() == 1; }), p.cli.log("mqtt"));
  CHECK(on(host, node + "DDEATH/b1/" + device).empty());
  CHECK(on(host, node + "DDEATH/b1/" + plc1)[0].metrics.empty());
  CHECK(p.status()["sparkplug"]["dead_devices"] == nlohmann::json::array({"campus/b1/plc1"}));
  // The births are counted as they are published, all in one go: NBIRTH and
  // the fake device's DBIRTH, and had there been one for plc1, it too.
  const auto births = [&] { return p.status()["sparkplug"]["births"].get<int>(); };
  const auto before = births();
  host.publish(node + "NCMD/b1", command("Node Control/Rebirth", SpType::boolean, true), 0);
  REQUIRE(eventually([&] { return births() >= before + 2; }));
  CHECK(births() == before + 2);
  CHECK(on(host, node + "DBIRTH/b1/" + plc1).size() == 1);

  // Plugged back: a birth again, with the value it has now, then data as usual.
  plc.set_holding(0, 230);
  plc.start();
  REQUIRE_MESSAGE(eventually([&] { return on(host, node + "DBIRTH/b1/" + plc1).size() == 2; }), p.cli.log("mqtt"));
  const auto reborn = on(host, node + "DBIRTH/b1/" + plc1)[1];
  REQUIRE(metric(reborn, "temperature") != nullptr);
  CHECK(std::get<double>(metric(reborn, "temperature")->value) == doctest::Approx(23.0));
  const auto s = p.status()["sparkplug"];
  CHECK(s["dead_devices"].empty());
  CHECK(s["deaths"] == 1);
  // A death is a message of the node like any other: seq counts on through it.
  std::uint64_t previous = 0;
  for (const auto& msg : host.received()) {
    if (msg.topic.find("CMD/") != std::string::npos) continue;
    const auto seq = decode_sparkplug(msg.payload).seq;
    REQUIRE(seq.has_value());
    if (*seq != 0) CHECK(*seq == (previous + 1) % 256);
    previous = *seq;
  }
}

TEST_CASE(
    "mqtt sparkplug: with a primary host, births wait for its STATE online, and its going offline sends the node "
    "away") {
  Mosquitto broker;
  BridgePlatform p;
  driver_with_device(p);
  MqttProbe host{broker.url(), "scada-1", {"spBv1.0/plant/#"}, 1};
  REQUIRE(host.ready());
  const std::string state = "spBv1.0/STATE/scada-1";
  const auto say = [&](bool online, std::uint64_t timestamp) {
    host.publish(state, nlohmann::json{{"online", online}, {"timestamp", timestamp}}.dump(), 1, true);
  };
  REQUIRE(p.install("broker: {url: '" + broker.url() +
                    "'}\nreconnect: {first_ms: 50, most_ms: 500}\n"
                    "sparkplug: {group_id: plant, edge_node_id: b1, primary_host: scada-1}\n")
              .code == 0);
  const auto sparkplug = [&] { return p.status()["sparkplug"]; };
  // A command the node must refuse: once it has, it has had time to birth,
  // had it not waited (a birth needs one local call). Sent until refused, as
  // the node's subscription may not be in place yet.
  const auto round_trip = [&] {
    const auto before = sparkplug()["refused"].get<int>();
    REQUIRE(eventually([&] {
      host.publish(node + "NCMD/b1", "not a payload", 1);
      return sparkplug()["refused"].get<int>() > before;
    }));
  };
  // Connected, and silent: the host has not said it is there.
  REQUIRE(eventually([&] { return sparkplug().value("connected", false); }));
  round_trip();
  CHECK(sparkplug()["primary_host"] == nlohmann::json{{"id", "scada-1"}, {"online", false}});
  CHECK(sparkplug()["births"] == 0);
  CHECK(on(host, node + "NBIRTH/b1").empty());

  say(true, 2000);
  REQUIRE_MESSAGE(eventually([&] { return on(host, node + "NBIRTH/b1").size() == 1; }), p.cli.log("mqtt"));
  REQUIRE(eventually([&] { return !on(host, node + "DBIRTH/b1/" + device).empty(); }));
  // An older word of the host is ignored: a rebirth asked after it still
  // comes, on the same connection (same bdSeq), and no NDEATH.
  say(false, 1000);
  host.publish(node + "NCMD/b1", command("Node Control/Rebirth", SpType::boolean, true), 1);
  REQUIRE(eventually([&] { return on(host, node + "NBIRTH/b1").size() == 2; }));
  CHECK(on(host, node + "NDEATH/b1").empty());
  const auto bd_seq = [&](std::size_t birth) {
    return std::get<std::int64_t>(metric(on(host, node + "NBIRTH/b1").at(birth), "bdSeq")->value);
  };
  CHECK(bd_seq(1) == bd_seq(0));

  // Offline: NDEATH with the birth's bdSeq, and no birth until it is back;
  // then one on a new connection, with the next bdSeq.
  say(false, 3000);
  REQUIRE_MESSAGE(eventually([&] { return on(host, node + "NDEATH/b1").size() == 1; }), p.cli.log("mqtt"));
  CHECK(std::get<std::int64_t>(metric(on(host, node + "NDEATH/b1")[0], "bdSeq")->value) == bd_seq(1));
  REQUIRE(eventually([&] {
    const auto s = sparkplug();
    return s.value("connected", false) && s["primary_host"]["online"] == false;
  }));
  round_trip();
  CHECK(on(host, node + "NBIRTH/b1").size() == 2);
  // It said goodbye before it came back: no session taken over, no will.
  CHECK(broker.log().find("mqtt-sparkplug already connected") == std::string::npos);
  say(true, 4000);
  REQUIRE(eventually([&] { return on(host, node + "NBIRTH/b1").size() == 3; }));
  CHECK(bd_seq(2) == (bd_seq(1) + 1) % 256);

  // Sparkplug 2.2's bare word is not a STATE of 3.0: refused by name.
  host.publish(state, "OFFLINE", 1, true);
  REQUIRE(eventually([&] {
    return p.cli.log("mqtt").find("spBv1.0/STATE/scada-1: not a STATE of Sparkplug 3.0") != std::string::npos;
  }));
  // One NDEATH: the node said goodbye after it, so the broker sent no will.
  CHECK_MESSAGE(on(host, node + "NDEATH/b1").size() == 1, broker.log());
  CHECK(broker.log().find("Client mqtt-sparkplug disconnected.") != std::string::npos);
}

TEST_CASE("mqtt sparkplug: a device taken out of the driver changes no health, and the periodic check finds it gone") {
  watt::driver::testing::ModbusTestServer plc;
  plc.start();
  Mosquitto broker;
  BridgePlatform p;
  driver_with_device(p);
  add_plc(p, "plc1", plc.port());
  MqttProbe host{broker.url(), "scada-host", {"spBv1.0/#"}, 0};
  REQUIRE(host.ready());
  REQUIRE(p.install("broker: {url: '" + broker.url() +
                    "'}\nsparkplug: {group_id: plant, edge_node_id: b1, device_check_ms: 300}\n")
              .code == 0);
  REQUIRE_MESSAGE(eventually([&] { return !on(host, node + "DBIRTH/b1/campus.b1.plc1").empty(); }), p.cli.log("mqtt"));
  // Removed, the device is no longer the driver's: its health stays GOOD, so
  // no alert comes; only the check finds it gone.
  REQUIRE(p.cli.watt({"config", "delete", "platform-driver", "devices/campus/b1/plc1"}).code == 0);
  REQUIRE_MESSAGE(eventually([&] { return on(host, node + "DDEATH/b1/campus.b1.plc1").size() == 1; }),
                  p.cli.log("mqtt"));
  CHECK(p.cli.watt({"status", "platform-driver"}).out.find("GOOD") != std::string::npos);
  CHECK(on(host, node + "DDEATH/b1/" + device).empty());
}
