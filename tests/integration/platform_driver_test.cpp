// The platform driver end to end on a real platform: a fake device publishing
// `all` at its interval, get/set/revert over RPC, bad registries refused with
// their row, and a Modbus device on a real libmodbus server (loopback) killed
// and restarted: health BAD then GOOD, the fake device publishing throughout;
// an RPC waiting on a hung Modbus device holds up no other device; per-point
// (depth-first) topics.
#include "cli.hpp"

#include "testing/modbus_test_server.hpp"

#include <watt/client.hpp>
#include <watt/health.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

using namespace std::chrono_literals;
using nlohmann::json;
using watt::driver::testing::ModbusTestServer;
using watt::test::Cli;
using watt::test::eventually;
using watt::test::lib;

namespace {

void write(const Cli& cli, const std::string& name, const std::string& text) {
  std::ofstream(cli.home().path() / name) << text;
}

watt::test::Exit config_set(const Cli& cli, const std::string& name, const std::string& file) {
  return cli.watt({"config", "set", "platform-driver", name, (cli.home().path() / file).string()});
}

std::string rpc(const Cli& cli, std::vector<std::string> args) {
  args.insert(args.begin(), {"rpc", "platform-driver"});
  const auto r = cli.watt(args);
  return r.code == 0 ? r.out : "error: " + r.err;
}

const char* fake_csv =
    "Point Name,Volttron Point Name,Units,Units Details,Writable,Starting Value,Type,Notes,Waveform\n"
    "SetPoint,setpoint,degC,,TRUE,21.5,float,,\n"
    "Stages,stages,,,TRUE,1,int,,\n"
    "Power,power,kW,,FALSE,,float,,\"sine(60, 10, 100)\"\n";

const char* plc_csv =
    "Point Name,Units,Writable,Starting Value,Point Address,Register Type,Data Type,Scale\n"
    "temperature,degC,TRUE,20,0,holding,int16,0.1\n";

// Starts a platform (heartbeats every 200 ms, so health changes show quickly)
// and the driver agent with `settings` as its config.
void start(const Cli& cli, const std::string& settings) {
  write(cli, "config.yml", "agents:\n  heartbeat_ms: 200\n");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  write(cli, "driver.yml", settings);
  const auto r = cli.watt({"install", lib("platform-driver"), "-i", "platform-driver", "-c",
                           (cli.home().path() / "driver.yml").string(), "--start"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  REQUIRE(eventually([&] { return rpc(cli, {"status"}) == "{}\n"; }));
}

// A loopback port that takes connections and never answers: a hung Modbus
// device. Closing it resets the connections waiting in its queue.
class SilentServer {
public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {  // not kept open by the platform
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { close(); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

private:
  int fd_;
  int port_ = 0;
};

}  // namespace

namespace {

// meter1's RPC: get and set (refused unless Writable and of the point's
// type), each refusal with its code; and the status, numbers as numbers.
void check_refusals_and_status(const Cli& cli) {
  CHECK(rpc(cli, {"get_point", "\"campus/b1/meter1\"", "\"setpoint\""}) == "21.5\n");
  CHECK(rpc(cli, {"set_point", "\"campus/b1/meter1\"", "\"setpoint\"", "25"}) == "25\n");
  CHECK(rpc(cli, {"get_point", "\"devices/campus/b1/meter1\"", "\"setpoint\""}) == "25\n");
  CHECK(rpc(cli, {"set_point", "\"campus/b1/meter1\"", "\"stages\"", "3"}) == "3\n");
  auto refused = rpc(cli, {"set_point", "\"campus/b1/meter1\"", "\"power\"", "5"});
  CHECK(refused.find("unauthorized: campus/b1/meter1 power: not writable (Writable is FALSE in fake.csv)") !=
        std::string::npos);
  refused = rpc(cli, {"set_point", "\"campus/b1/meter1\"", "\"stages\"", "2.5"});
  CHECK(refused.find("bad_args: campus/b1/meter1 stages: an int point takes a whole number") != std::string::npos);
  CHECK(rpc(cli, {"get_point", "\"campus/b1/nothing\"", "\"x\""}).find("bad_args: no device 'campus/b1/nothing'") !=
        std::string::npos);
  CHECK(rpc(cli, {"get_point", "\"campus/b1/meter1\"", "\"x\""}).find("bad_args: campus/b1/meter1 has no point 'x'") !=
        std::string::npos);
  // Its status: numbers as numbers.
  const auto st = json::parse(rpc(cli, {"status"}))["campus/b1/meter1"];
  CHECK(st["interval"] == 0.2);
  CHECK(st["published"].is_number());
  CHECK(st["failures"] == 0);
}

}  // namespace

TEST_CASE("platform driver: a fake device publishes all at its interval, and answers get, set and revert") {
  Cli cli;
  start(cli, "interval: 60\n");
  auto watcher = watt::test::client(cli, "watcher");
  std::vector<json> bodies;
  std::vector<std::chrono::nanoseconds> at;  // when the driver published each
  watcher.subscribe("devices/campus/b1/meter1/all", [&](const watt::Envelope& e) {
    bodies.push_back(json::parse(e.body.to_json()));
    at.emplace_back(e.timestamp_ns);
  });
  REQUIRE(watcher.sync());

  write(cli, "fake.csv", fake_csv);
  write(cli, "meter1.yml", "driver_type: fake\nregistry_config: config://fake.csv\ninterval: 0.2\n");
  // The device first: its registry is not stored yet, so it is refused.
  auto r = config_set(cli, "devices/campus/b1/meter1", "meter1.yml");
  CHECK(r.code != 0);
  CHECK(r.err.find("registry_config 'fake.csv' is not in the config store") != std::string::npos);
  REQUIRE(config_set(cli, "fake.csv", "fake.csv").code == 0);
  r = config_set(cli, "devices/campus/b1/meter1", "meter1.yml");
  REQUIRE_MESSAGE(r.code == 0, r.err);

  REQUIRE(watcher.spin_until([&] { return bodies.size() >= 5; }, 20s));
  const auto& first = bodies.front();
  REQUIRE(first.is_array());
  REQUIRE(first.size() == 2);
  CHECK(first[0]["setpoint"] == 21.5);
  CHECK(first[0]["stages"] == 1);
  CHECK(first[0]["power"].get<double>() >= 90);
  CHECK(first[0]["power"].get<double>() <= 110);
  CHECK(first[1]["setpoint"] == json::parse(R"({"units": "degC", "type": "float", "tz": "UTC"})"));
  CHECK(first[1]["stages"]["type"] == "int");
  // At its interval, not as fast as it can: five messages span four intervals
  // (800 ms); half of that leaves room for scheduling jitter. A lower bound
  // only, on the driver's own time stamps: a slow subscriber (a sanitizer
  // build) may receive them in a burst.
  CHECK(at[4] - at[0] >= 400ms);

  check_refusals_and_status(cli);
  // A later `all` carries the written values.
  REQUIRE(
      watcher.spin_until([&] { return bodies.back()[0]["setpoint"] == 25.0 && bodies.back()[0]["stages"] == 3; }, 10s));
  // Adding a device leaves the running ones alone: meter1 keeps what was written.
  write(cli, "meter4.yml", "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\n");
  REQUIRE(config_set(cli, "devices/campus/b1/meter4", "meter4.yml").code == 0);
  CHECK(rpc(cli, {"get_point", "\"campus/b1/meter1\"", "\"stages\""}) == "3\n");
  CHECK(rpc(cli, {"get_point", "\"campus/b1/meter4\"", "\"stages\""}) == "1\n");
  CHECK(rpc(cli, {"revert_point", "\"campus/b1/meter1\"", "\"setpoint\""}) == "21.5\n");
  CHECK(rpc(cli, {"revert_device", "\"campus/b1/meter1\""}) == "true\n");
  CHECK(rpc(cli, {"get_point", "\"campus/b1/meter1\"", "\"stages\""}) == "1\n");
  const auto scraped = json::parse(rpc(cli, {"scrape_all", "\"campus/b1/meter1\""}));
  CHECK(scraped["setpoint"] == 21.5);

  // Bad registries are refused with their row; the running device keeps going.
  write(cli, "bad.csv", std::string(fake_csv) + "Extra,extra,,,maybe,,float,,\n");
  REQUIRE(config_set(cli, "bad.csv", "bad.csv").code == 0);  // not used by any device yet
  write(cli, "meter2.yml", "driver_type: fake\nregistry_config: bad.csv\n");
  r = config_set(cli, "devices/campus/b1/meter2", "meter2.yml");
  CHECK(r.code != 0);
  CHECK(r.err.find("bad.csv row 5: Writable must be TRUE or FALSE") != std::string::npos);
  r = config_set(cli, "fake.csv", "bad.csv");
  CHECK(r.code != 0);
  CHECK(r.err.find("fake.csv row 5: Writable must be TRUE or FALSE") != std::string::npos);
  write(cli, "meter3.yml", "driver_type: bacnet\nregistry_config: fake.csv\n");
  r = config_set(cli, "devices/campus/b1/meter3", "meter3.yml");
  CHECK(r.err.find("driver_type 'bacnet' is not one of fake, modbus") != std::string::npos);
  bodies.clear();
  REQUIRE(watcher.spin_until([&] { return bodies.size() >= 2; }, 10s));
  CHECK(cli.watt({"health"}).out.find("GOOD") != std::string::npos);
}

TEST_CASE("platform driver: a Modbus device killed and restarted goes BAD then GOOD, the fake device unaffected") {
  ModbusTestServer server;
  server.set_holding(0, 215);  // 21.5 at scale 0.1
  server.start();
  Cli cli;
  start(cli, "retry_interval: 0.1\nretry_interval_max: 0.4\n");
  auto watcher = watt::test::client(cli, "watcher");
  std::vector<json> fake, modbus;
  std::vector<watt::HealthAlert> alerts;
  watcher.subscribe("devices/campus/b1/fake1/all",
                    [&](const watt::Envelope& e) { fake.push_back(json::parse(e.body.to_json())); });
  watcher.subscribe("devices/campus/b1/plc1/all",
                    [&](const watt::Envelope& e) { modbus.push_back(json::parse(e.body.to_json())); });
  watcher.subscribe("alerts/platform-driver",
                    [&](const watt::Envelope& e) { alerts.push_back(e.body.as<watt::HealthAlert>()); });
  REQUIRE(watcher.sync());

  write(cli, "fake.csv", fake_csv);
  write(cli, "plc.csv", std::string(plc_csv) + "relay,,TRUE,,2,coil,,\n");
  write(cli, "fake1.yml", "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\n");
  write(cli, "plc1.yml",
        "driver_type: modbus\nregistry_config: plc.csv\ninterval: 0.2\n"
        "driver_config: {host: 127.0.0.1, port: " +
            std::to_string(server.port()) + ", response_timeout: 0.2}\n");
  for (const auto* f : {"fake.csv", "plc.csv"}) REQUIRE(config_set(cli, f, f).code == 0);
  REQUIRE(config_set(cli, "devices/campus/b1/fake1", "fake1.yml").code == 0);
  auto r = config_set(cli, "devices/campus/b1/plc1", "plc1.yml");
  REQUIRE_MESSAGE(r.code == 0, r.err);

  REQUIRE(watcher.spin_until([&] { return modbus.size() >= 2; }, 20s));
  CHECK(modbus.back()[0]["temperature"] == 21.5);
  CHECK(modbus.back()[0]["relay"] == false);
  CHECK(modbus.back()[1]["temperature"]["type"] == "float");
  CHECK(rpc(cli, {"set_point", "\"campus/b1/plc1\"", "\"temperature\"", "23.4"}) == "23.4\n");
  CHECK(server.holding(0) == 234);
  CHECK(rpc(cli, {"set_point", "\"campus/b1/plc1\"", "\"relay\"", "true"}) == "true\n");
  CHECK(server.coil(2));

  server.stop();
  REQUIRE(watcher.spin_until([&] { return !alerts.empty() && alerts.back().status == "BAD"; }, 20s));
  CHECK(alerts.back().context.find("campus/b1/plc1: not answering") != std::string::npos);
  CHECK(alerts.back().context.find("fake1") == std::string::npos);
  // The fake device keeps publishing while the Modbus one is silent.
  const auto fake_before = fake.size();
  const auto modbus_before = modbus.size();
  REQUIRE(watcher.spin_until([&] { return fake.size() >= fake_before + 5; }, 20s));
  CHECK(modbus.size() <= modbus_before + 1);  // at most one scrape was already on its way
  CHECK(rpc(cli, {"get_point", "\"campus/b1/plc1\"", "\"temperature\""}).find("modbus tcp 127.0.0.1") !=
        std::string::npos);
  CHECK(json::parse(rpc(cli, {"status"}))["campus/b1/plc1"]["state"] == "not answering");

  server.start();
  REQUIRE(watcher.spin_until([&] { return alerts.back().status == "GOOD"; }, 20s));
  CHECK(alerts.back().previous == "BAD");
  const auto after = modbus.size();
  REQUIRE(watcher.spin_until([&] { return modbus.size() >= after + 2; }, 20s));
  CHECK(modbus.back()[0]["temperature"] == 23.4);
  CHECK(rpc(cli, {"revert_point", "\"campus/b1/plc1\"", "\"temperature\""}) == "20\n");
  CHECK(server.holding(0) == 200);
  CHECK(cli.log("platform-driver").find("device campus/b1/plc1 answers again") != std::string::npos);
}

TEST_CASE("platform driver: a get_point waiting on a hung Modbus device holds up no other device's RPC or scrape") {
  ModbusTestServer server;
  server.set_holding(0, 215);
  server.start();
  SilentServer hung;
  Cli cli;
  start(cli, "stagger: false\nrpc_timeout: 120\n");
  auto watcher = watt::test::client(cli, "watcher");
  std::vector<json> fake;
  watcher.subscribe("devices/campus/b1/fake1/all",
                    [&](const watt::Envelope& e) { fake.push_back(json::parse(e.body.to_json())); });
  REQUIRE(watcher.sync());

  write(cli, "fake.csv", fake_csv);
  write(cli, "plc.csv", plc_csv);
  write(cli, "fake1.yml", "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\n");
  auto modbus = [](int port, double response_timeout) {
    return "driver_type: modbus\nregistry_config: plc.csv\ninterval: 60\ndriver_config: {host: 127.0.0.1, port: " +
           std::to_string(port) + ", response_timeout: " + std::to_string(response_timeout) + "}\n";
  };
  write(cli, "plc1.yml", modbus(server.port(), 1));
  // The hung device waits far longer than this test needs for everything else.
  write(cli, "hung1.yml", modbus(hung.port(), 60));
  for (const auto* f : {"fake.csv", "plc.csv"}) REQUIRE(config_set(cli, f, f).code == 0);
  for (const auto* d : {"fake1", "plc1", "hung1"}) {
    auto r = config_set(cli, std::string("devices/campus/b1/") + d, std::string(d) + ".yml");
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }

  // Queued on the hung device's worker behind its first scrape, which waits
  // for an answer that never comes.
  watt::CallOptions patient;
  patient.timeout = 300s;
  std::optional<watt::Result<watt::Value>> stuck, other, fake_point, status;
  watcher.call_with(patient, "platform-driver", "get_point", std::string("campus/b1/hung1"), std::string("temperature"))
      .then([&](watt::Result<watt::Value> r) { stuck = std::move(r); });
  watcher.call_with(patient, "platform-driver", "get_point", std::string("campus/b1/plc1"), std::string("temperature"))
      .then([&](watt::Result<watt::Value> r) { other = std::move(r); });
  watcher.call_with(patient, "platform-driver", "get_point", std::string("campus/b1/fake1"), std::string("setpoint"))
      .then([&](watt::Result<watt::Value> r) { fake_point = std::move(r); });
  watcher.call_with(patient, "platform-driver", "status").then([&](watt::Result<watt::Value> r) {
    status = std::move(r);
  });
  REQUIRE(watcher.spin_until([&] { return (other && fake_point && status) || stuck; }, 120s));
  CHECK_FALSE(stuck.has_value());  // the others were answered while it waits
  REQUIRE((other && fake_point && status));
  CHECK(other->value().as<double>() == 21.5);
  CHECK(fake_point->value().as<double>() == 21.5);
  CHECK(status->ok());
  // And the fake device goes on publishing meanwhile.
  const auto before = fake.size();
  REQUIRE(watcher.spin_until([&] { return fake.size() >= before + 3 || stuck; }, 120s));
  CHECK_FALSE(stuck.has_value());
  CHECK(fake.size() >= before + 3);

  // The hung device goes away: the waiting call gets its error, not a timeout.
  hung.close();
  REQUIRE(watcher.spin_until([&] { return stuck.has_value(); }, 120s));
  REQUIRE_FALSE(stuck->ok());
  INFO(stuck->error().message);
  CHECK(stuck->error().code == watt::ErrorCode::handler_threw);
  CHECK(stuck->error().message.find("campus/b1/hung1: modbus tcp 127.0.0.1") != std::string::npos);
}

TEST_CASE("platform driver: publish_depth_first adds one [value, metadata] message a point, per device or for all") {
  Cli cli;
  start(cli, "publish_depth_first: true\n");
  auto watcher = watt::test::client(cli, "watcher");
  std::map<std::string, std::vector<json>> seen;  // topic → bodies
  std::vector<std::string> meter1;                // meter1's topics' last segments, in order
  watcher.subscribe("devices/campus/b1", [&](const watt::Envelope& e) {
    seen[e.topic].push_back(json::parse(e.body.to_json()));
    if (e.topic.starts_with("devices/campus/b1/meter1/")) meter1.push_back(e.topic.substr(e.topic.rfind('/') + 1));
  });
  REQUIRE(watcher.sync());

  write(cli, "fake.csv", fake_csv);
  write(cli, "meter1.yml", "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\ntimezone: Europe/Paris\n");
  write(cli, "meter2.yml", "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\npublish_depth_first: false\n");
  REQUIRE(config_set(cli, "fake.csv", "fake.csv").code == 0);
  for (const auto* d : {"meter1", "meter2"}) {
    auto r = config_set(cli, std::string("devices/campus/b1/") + d, std::string(d) + ".yml");
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }
  const std::string m1 = "devices/campus/b1/meter1/", m2 = "devices/campus/b1/meter2/";
  REQUIRE(watcher.spin_until([&] { return seen[m1 + "all"].size() >= 2 && seen[m2 + "all"].size() >= 2; }, 20s));
  // meter1 (the agent's setting): every point on its own topic too, as VOLTTRON.
  REQUIRE(!seen[m1 + "setpoint"].empty());
  CHECK(seen[m1 + "setpoint"].front() ==
        json::parse(R"([21.5, {"units": "degC", "type": "float", "tz": "Europe/Paris"}])"));
  CHECK(seen[m1 + "stages"].front() == json::parse(R"([1, {"units": "", "type": "int", "tz": "Europe/Paris"}])"));
  CHECK(seen[m1 + "power"].front()[1]["units"] == "kW");
  // Each scrape publishes its points in registry order, then `all`.
  REQUIRE(meter1.size() >= 8);
  CHECK(std::vector<std::string>(meter1.begin(), meter1.begin() + 8) ==
        std::vector<std::string>{"setpoint", "stages", "power", "all", "setpoint", "stages", "power", "all"});
  CHECK(seen[m1 + "all"].front()[0]["setpoint"] == 21.5);  // `all` keeps its shape
  // meter2 turned it off for itself: `all` only.
  for (const auto* point : {"setpoint", "stages", "power"}) CHECK(seen.count(m2 + point) == 0);

  // Turned off for meter1 by a live change: its points stop, its `all` goes
  // on, and the device is not rebuilt (it keeps a written value).
  CHECK(rpc(cli, {"set_point", "\"campus/b1/meter1\"", "\"setpoint\"", "25"}) == "25\n");
  write(cli, "meter1.yml",
        "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\ntimezone: Europe/Paris\n"
        "publish_depth_first: false\n");
  REQUIRE(config_set(cli, "devices/campus/b1/meter1", "meter1.yml").code == 0);
  const auto only_all = [&] {
    return meter1.size() >= 3 && std::all_of(meter1.end() - 3, meter1.end(), [](const auto& s) { return s == "all"; });
  };
  REQUIRE(watcher.spin_until(only_all, 20s));
  CHECK(rpc(cli, {"get_point", "\"campus/b1/meter1\"", "\"setpoint\""}) == "25\n");
  const auto after = meter1.size();
  REQUIRE(watcher.spin_until([&] { return meter1.size() >= after + 2; }, 20s));
  CHECK(std::all_of(meter1.begin() + static_cast<std::ptrdiff_t>(after), meter1.end(),
                    [](const auto& s) { return s == "all"; }));
}
