// bench_mqtt: the MQTT bridge (docs/mqtt.md) beside mosquitto alone.
//  - throughput bus -> MQTT -> bus through two bridges and one mosquitto,
//    beside mosquitto_pub | mosquitto_sub through the same broker (the limit);
//  - RPC latency from one platform to an agent on another, beside the same
//    call on the agent's own platform;
//  - the time from a broker's restart until a message queued meanwhile is
//    acknowledged, with the default backoff and a short one.
#include "cli.hpp"
#include "mosquitto.hpp"
#include "numbers.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <thread>

using namespace watt::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void install(const Cli& cli, const std::string& id, const std::string& yaml) {
  const auto file = cli.home().path() / (id + ".yml");
  std::ofstream(file) << yaml;
  const auto r = cli.watt({"install", lib("mqtt-bridge"), "--identity", id, "--config", file.string(), "--start"});
  if (r.code != 0) throw std::runtime_error("install " + id + ": " + r.err);
  if (!eventually([&] { return cli.watt({"rpc", id, "status"}).out.find("\"connected\":true") != std::string::npos; }))
    throw std::runtime_error(id + " did not connect: " + cli.log(id));
}

// mosquitto_pub -l | mosquitto_sub -C n, both QoS `qos`: messages a second.
double raw_mosquitto(Mosquitto& broker, int n, int qos) {
  TempDir dir("bench-mqtt");
  {
    std::ofstream lines(dir.path() / "lines");
    for (int i = 0; i < n; ++i) lines << i << '\n';
  }
  const auto port = std::to_string(broker.port());
  Process sub({"/usr/bin/mosquitto_sub", "-p", port, "-t", "raw/n", "-q", std::to_string(qos), "-C", std::to_string(n),
               "-i", "bench-sub"},
              dir.path());
  // The broker logs each subscription (log_type subscribe): "bench-sub 1 raw/n".
  const auto subscribed = "bench-sub " + std::to_string(qos) + " raw/n";
  if (!eventually([&] { return broker.log().find(subscribed) != std::string::npos; }))
    throw std::runtime_error("mosquitto_sub did not subscribe: " + broker.log());
  const auto t0 = Clock::now();
  const auto pub = run({"/bin/sh", "-c",
                        "/usr/bin/mosquitto_pub -p " + port + " -t raw/n -q " + std::to_string(qos) + " -l < " +
                            (dir.path() / "lines").string()},
                       dir.path());
  if (!sub.wait(120000ms)) throw std::runtime_error("mosquitto_sub did not get them all");
  return n / seconds_since(t0);
}

// A client publishes n messages on the bus; one bridge takes them out, the
// other brings them back in; the same client counts them. Messages a second
// to the last one back, and how many came back: all of them at QoS 1; at
// QoS 0 the broker may drop some under a burst, as QoS 0 allows.
struct Through {
  double rate = 0;
  int delivered = 0;
};

Through through_bridges(const Cli& cli, int n, int qos) {
  auto c = client(cli, "bench-" + std::to_string(qos));
  int got = 0;
  auto last = Clock::now();
  c.subscribe("back/q" + std::to_string(qos), [&](const watt::Envelope&) {
    ++got;
    last = Clock::now();
  });
  if (!c.sync()) throw std::runtime_error("no sync");
  const auto topic = "out/q" + std::to_string(qos) + "/n";
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    c.publish(topic, i);
    if (i % 256 == 255) c.spin_for(0ms);
  }
  // Done when all came back, or (QoS 0) when nothing more came for 2 s.
  (void)c.spin_until([&] { return got >= n || (qos == 0 && got > 0 && Clock::now() - last > 2s); }, 120s);
  if (qos == 1 && got < n)
    throw std::runtime_error("lost at QoS 1: " + std::to_string(n - got) + "\n" +
                             cli.watt({"rpc", "bridge-out", "status"}).out +
                             cli.watt({"rpc", "bridge-in", "status"}).out);
  return {got / std::chrono::duration<double>(last - t0).count(), got};
}

void throughput(int n) {
  Mosquitto broker;
  Cli cli;
  if (cli.watt({"platform", "start"}).code != 0) throw std::runtime_error("no platform");
  const auto url = broker.url();
  install(cli, "bridge-out",
          "broker: {url: '" + url +
              "'}\nrules:\n  - {direction: out, bus: out/q1/#, mqtt: m/q1/#, qos: 1}\n"
              "  - {direction: out, bus: out/q0/#, mqtt: m/q0/#, qos: 0}\n");
  install(cli, "bridge-in",
          "broker: {url: '" + url +
              "'}\nrules:\n  - {direction: in, bus: back/q1/#, mqtt: m/q1/#, qos: 1}\n"
              "  - {direction: in, bus: back/q0/#, mqtt: m/q0/#, qos: 0}\n");
  std::cout << "| path | QoS | sent | arrived | msg/s |\n|---|---|---|---|---|\n";
  for (int qos : {1, 0}) {
    std::cout << "| mosquitto_pub -l → mosquitto → mosquitto_sub (the limit) | " << qos << " | " << bench::grouped(n)
              << " | " << bench::grouped(n) << " | " << bench::grouped(raw_mosquitto(broker, n, qos)) << " |\n";
    const auto t = through_bridges(cli, n, qos);
    std::cout << "| bus → bridge → mosquitto → bridge → bus | " << qos << " | " << bench::grouped(n) << " | "
              << bench::grouped(t.delivered) << " | " << bench::grouped(t.rate) << " |\n";
  }
}

std::vector<double> call_times(watt::Client& c, const std::string& peer, int n) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    if (!c.call(peer, "whoami").get()) throw std::runtime_error("call to " + peer + " failed");
    us.push_back(seconds_since(t0) * 1e6);
  }
  std::sort(us.begin(), us.end());
  return us;
}

void rpc(int n) {
  Mosquitto broker;
  Cli a, b;
  for (const auto* cli : {&a, &b}) {
    std::ofstream(cli->home().path() / "config.yml") << "broker:\n  gateway: mqtt\n";
    if (cli->watt({"platform", "start"}).code != 0) throw std::runtime_error("no platform");
  }
  for (const auto& [cli, id] : {std::pair{&a, "a"}, std::pair{&b, "b"}})
    install(*cli, "mqtt",
            "broker: {url: '" + broker.url() + "', client_id: bridge-" + id + "}\nfederation: {platform: " + id +
                ", serve: [probe]}\n");
  if (b.watt({"install", fixture("probe_agent"), "--identity", "probe", "--start"}).code != 0)
    throw std::runtime_error("no probe");
  auto local = client(b, "bench-local");
  auto remote = client(a, "bench-remote");
  (void)call_times(remote, "b/probe", 50);  // warm both paths up
  (void)call_times(local, "probe", 50);
  const auto l = call_times(local, "probe", n);
  const auto r = call_times(remote, "b/probe", n);
  std::cout << "\n| call | calls | p50 µs | p99 µs |\n|---|---|---|---|\n";
  std::cout << "| local (client → probe, one platform) | " << n << " | " << bench::fixed(bench::percentile(l, 50), 0)
            << " | " << bench::fixed(bench::percentile(l, 99), 0) << " |\n";
  std::cout << "| across platforms (client on a → b/probe over MQTT 5) | " << n << " | "
            << bench::fixed(bench::percentile(r, 50), 0) << " | " << bench::fixed(bench::percentile(r, 99), 0)
            << " |\n";
}

// Broker down for `down`; then the time from its start until the bridge is
// connected again and the broker has acknowledged the message the bus
// published while it was away (its queue is empty). What a subscriber sees
// after that is the broker's and the subscriber's own reconnecting.
double recovery(const std::string& reconnect, std::chrono::milliseconds down) {
  Mosquitto broker({}, true);
  Cli cli;
  if (cli.watt({"platform", "start"}).code != 0) throw std::runtime_error("no platform");
  install(cli, "mqtt",
          "broker: {url: '" + broker.url() + "'}\n" + reconnect + "rules:\n  - {direction: out, bus: r}\n");
  broker.stop();
  auto c = client(cli, "bench-recovery");
  c.publish("r", 1);
  (void)c.sync();
  const auto waiting = [&](const char* what) {
    return cli.watt({"rpc", "mqtt", "status"}).out.find(what) != std::string::npos;
  };
  if (!eventually([&] { return waiting("\"waiting\":1"); })) throw std::runtime_error("not queued");
  std::this_thread::sleep_for(down);  // the outage itself, not a wait for a condition
  broker.start();
  const auto t0 = Clock::now();
  if (!eventually([&] { return waiting("\"connected\":true") && waiting("\"waiting\":0"); }, 120s))
    throw std::runtime_error("not sent after the restart");
  return seconds_since(t0) * 1000;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_mqtt: the MQTT bridge beside mosquitto alone"};
  int messages = 50000, calls = 2000;
  bool recover = true;
  app.add_option("--messages", messages, "messages per throughput run (0: none)");
  app.add_option("--calls", calls, "calls per latency run (0: none)");
  app.add_flag("!--no-recovery", recover, "skip the broker restarts");
  CLI11_PARSE(app, argc, argv);
  if (messages > 0) throughput(messages);
  if (calls > 0) rpc(calls);
  if (!recover) return 0;
  std::cout << "\n| reconnect | broker down | restart → queued message acknowledged, ms |\n|---|---|---|\n";
  for (const auto& [name, yaml] : {std::pair<std::string, std::string>{"default (0.5 s doubling to 30 s)", ""},
                                   {"first_ms: 50, most_ms: 1000", "reconnect: {first_ms: 50, most_ms: 1000}\n"}})
    for (const auto down : {1000ms, 10000ms})
      std::cout << "| " << name << " | " << down.count() / 1000 << " s | " << bench::fixed(recovery(yaml, down), 0)
                << " |\n";
}
