// bench_sparkplug: the MQTT bridge's Sparkplug B side (docs/mqtt.md).
//  - the payload codec: a DDATA of 20 metrics encoded and decoded, beside the
//    same values as a JSON object (nlohmann) encoded and parsed, in bytes and
//    messages a second;
//  - a SCADA write: DCMD from a host through mosquitto to the driver's
//    set_point and back as DDATA, beside the same set_point called directly
//    on the bus.
#include "cli.hpp"
#include "mosquitto.hpp"
#include "numbers.hpp"

#include <watt/client.hpp>
#include <watt/mqtt/sparkplug.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

using namespace watt::test;
using namespace watt::mqtt;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Runs `fn` for about a second; calls a second.
template <class F>
double rate(F&& fn) {
  std::size_t n = 0;
  const auto t0 = Clock::now();
  while (seconds_since(t0) < 1.0)
    for (int i = 0; i < 100; ++i, ++n) fn();
  return static_cast<double>(n) / seconds_since(t0);
}

void codec() {
  SpPayload p{1700000000000, 7, {}};
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < 20; ++i) {
    SpMetric m;
    m.name = "point" + std::to_string(i);
    m.value = 20.0 + i * 0.25;
    p.metrics.push_back(m);
    j[m.name] = 20.0 + i * 0.25;
  }
  std::size_t sink = 0;
  const auto sp_bytes = encode_sparkplug(p, false);
  const auto js_bytes = j.dump();
  const double sp = rate([&] { sink += decode_sparkplug(encode_sparkplug(p, false)).metrics.size(); });
  const double js = rate([&] { sink += nlohmann::json::parse(j.dump()).size(); });
  std::cout << "| payload, 20 metrics | bytes | encoded and decoded a second |\n|---|---|---|\n"
            << "| Sparkplug B (protobuf) | " << sp_bytes.size() << " | " << bench::grouped(sp) << " |\n"
            << "| JSON object (nlohmann), the baseline | " << js_bytes.size() << " | " << bench::grouped(js) << " |\n";
  if (sink == 0) throw std::runtime_error("nothing was decoded");  // and the results are used, not optimized away
}

std::string dcmd(double value) {
  SpMetric m;
  m.name = "setpoint";
  m.value = value;
  return encode_sparkplug(SpPayload{1, std::nullopt, {m}}, false);
}

bool ddata_with(MqttProbe& host, const std::string& topic, double value) {
  for (const auto& m : host.received())
    if (m.topic == topic)
      for (const auto& metric : decode_sparkplug(m.payload).metrics)
        if (metric.name == "setpoint" && std::get_if<double>(&metric.value) != nullptr &&
            std::get<double>(metric.value) == value)
          return true;
  return false;
}

void writes(int n) {
  Mosquitto broker;
  Cli cli;
  if (cli.watt({"platform", "start"}).code != 0) throw std::runtime_error("no platform");
  const auto home = cli.home().path();
  std::ofstream(home / "fake.csv") << "Point Name,Units,Writable,Starting Value,Type\nsetpoint,degC,TRUE,21.5,float\n";
  std::ofstream(home / "ahu.yml") << "driver_type: fake\nregistry_config: fake.csv\ninterval: 1\n";
  std::ofstream(home / "mqtt.yml") << "broker: {url: '" << broker.url()
                                   << "'}\nsparkplug: {group_id: bench, edge_node_id: n}\n";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"install", lib("platform-driver"), "-i", "platform-driver", "--start"},
           {"config", "set", "platform-driver", "fake.csv", (home / "fake.csv").string()},
           {"config", "set", "platform-driver", "devices/c/b/ahu", (home / "ahu.yml").string()},
           {"install", lib("mqtt-bridge"), "-i", "mqtt", "-c", (home / "mqtt.yml").string(), "--start"}})
    if (cli.watt(args).code != 0) throw std::runtime_error("cannot " + args[0] + ": " + cli.log("mqtt"));
  MqttProbe host(broker.url(), "bench-host", {"spBv1.0/#"}, 0);
  const std::string birth = "spBv1.0/bench/DBIRTH/n/c.b.ahu", data = "spBv1.0/bench/DDATA/n/c.b.ahu";
  if (!host.ready() || !eventually([&] {
        for (const auto& m : host.received())
          if (m.topic == birth) return true;
        return false;
      }))
    throw std::runtime_error("no DBIRTH: " + cli.log("mqtt"));
  std::vector<double> over_mqtt, direct;
  for (int i = 0; i < n; ++i) {
    const double v = 30.0 + i;
    host.clear();
    const auto t0 = Clock::now();
    host.publish("spBv1.0/bench/DCMD/n/c.b.ahu", dcmd(v), 0);
    if (!eventually([&] { return ddata_with(host, data, v); }, 10s))
      throw std::runtime_error("write " + std::to_string(i) + " got no DDATA: " + cli.log("mqtt"));
    over_mqtt.push_back(seconds_since(t0) * 1e6);
  }
  auto c = client(cli, "bench-direct");
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    if (!c.call("platform-driver", "set_point", std::string("c/b/ahu"), std::string("setpoint"), 10.0 + i).get().ok())
      throw std::runtime_error("set_point failed");
    direct.push_back(seconds_since(t0) * 1e6);
  }
  std::sort(over_mqtt.begin(), over_mqtt.end());
  std::sort(direct.begin(), direct.end());
  std::cout << "\n| write | writes | p50 µs | p99 µs |\n|---|---|---|---|\n";
  std::cout << "| set_point on the bus (client → driver), the baseline | " << n << " | "
            << bench::fixed(bench::percentile(direct, 50), 0) << " | " << bench::fixed(bench::percentile(direct, 99), 0)
            << " |\n";
  std::cout << "| DCMD → mosquitto → bridge → set_point → DDATA at the host | " << n << " | "
            << bench::fixed(bench::percentile(over_mqtt, 50), 0) << " | "
            << bench::fixed(bench::percentile(over_mqtt, 99), 0) << " |\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_sparkplug: the MQTT bridge's Sparkplug B side"};
  int n = 200;
  app.add_option("--writes", n, "writes per latency run (0: none)");
  CLI11_PARSE(app, argc, argv);
  codec();
  if (n > 0) writes(n);
}
