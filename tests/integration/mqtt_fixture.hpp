// A platform driven through the CLI with an MQTT bridge agent ("mqtt") and a
// mosquitto of its own, for the bridge's integration tests and benchmarks.
#pragma once

#include "cli.hpp"
#include "mosquitto.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

namespace watt::test {

struct BridgePlatform {
  BridgePlatform() {
    // Heartbeats every 100 ms, so that a change of health shows at once;
    // the bridge "mqtt" takes the calls to other platforms.
    std::ofstream(cli.home().path() / "config.yml") << "agents:\n  heartbeat_ms: 100\nbroker:\n  gateway: mqtt\n";
    REQUIRE(cli.watt({"platform", "start"}).code == 0);
  }
  // Installs and starts the bridge with this configuration; the exit of `watt install`.
  Exit install(const std::string& yaml, const std::string& id = "mqtt") const {
    const auto file = cli.home().path() / (id + ".yml");
    std::ofstream(file) << yaml;
    return cli.watt({"install", lib("mqtt-bridge"), "--identity", id, "--config", file.string(), "--start"});
  }
  nlohmann::json status(const std::string& id = "mqtt") const {
    const auto r = cli.watt({"rpc", id, "status"});
    return r.code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }
  bool connected(const std::string& id = "mqtt") const {
    const auto s = status(id);
    return s.is_object() && s["connected"].get<bool>();
  }
  bool wait_connected(const std::string& id = "mqtt") const {
    return eventually([&] { return connected(id); });
  }
  // The health column of `watt health` for `id`, with its context.
  std::string health(const std::string& id = "mqtt") const {
    const auto out = cli.watt({"health"}).out;
    const auto at = out.find(id + " ");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  }

  Cli cli;
};

// Holds an agent's process still (SIGSTOP) until it goes (SIGCONT). A
// mosquitto that restarts from its store queues nothing for a persistent
// session until that client is back (mosquitto issue 769): a test that counts
// what reaches a subscriber across a broker restart holds the sender until
// the subscribers are back.
struct Paused {
  Paused(const Cli& cli, const std::string& id) : pid(static_cast<pid_t>(agent_pid(cli, id))) {
    REQUIRE(pid > 0);
    ::kill(pid, SIGSTOP);
  }
  ~Paused() { ::kill(pid, SIGCONT); }
  Paused(const Paused&) = delete;
  Paused& operator=(const Paused&) = delete;
  pid_t pid;
};

// A fake device of the platform driver: a read-only temperature, a writable
// set point and a relay, scraped every 0.2 s.
inline const char* registry =
    "Point Name,Volttron Point Name,Units,Units Details,Writable,Starting Value,Type,Notes\n"
    "Temp,temp,degC,,FALSE,20.5,float,\n"
    "SetPoint,setpoint,degC,,TRUE,21.5,float,\n"
    "Relay,relay,,,TRUE,0,bool,\n";

inline void driver_with_device(const BridgePlatform& p, const std::string& driver_settings = "{}") {
  const auto home = p.cli.home().path();
  std::ofstream(home / "driver.yml") << driver_settings << "\n";
  std::ofstream(home / "fake.csv") << registry;
  std::ofstream(home / "ahu.yml") << "driver_type: fake\nregistry_config: fake.csv\ninterval: 0.2\n";
  REQUIRE(p.cli
              .watt({"install", lib("platform-driver"), "-i", "platform-driver", "-c", (home / "driver.yml").string(),
                     "--start"})
              .code == 0);
  REQUIRE(p.cli.watt({"config", "set", "platform-driver", "fake.csv", (home / "fake.csv").string()}).code == 0);
  REQUIRE(p.cli.watt({"config", "set", "platform-driver", "devices/campus/b1/ahu", (home / "ahu.yml").string()}).code ==
          0);
}

// The last payload the probe received on `topic`; empty if none.
inline std::string last(MqttProbe& probe, const std::string& topic) {
  std::string out;
  for (const auto& m : probe.received())
    if (m.topic == topic) out = m.payload;
  return out;
}

}  // namespace watt::test
