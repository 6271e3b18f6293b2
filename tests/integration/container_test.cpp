// Agent containers: watt-container running many agents over one connection
// to a real wattd. Every message reaches the agent it is for; one agent's
// failure restarts it alone, by the platform's rules.
#include "cli.hpp"

#include <watt/client.hpp>
#include <watt/container.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

using namespace std::chrono_literals;
using watt::test::Cli;
using watt::test::client;
using watt::test::eventually;

namespace {

std::string name_of(int i) { return "a" + std::to_string(1000 + i).substr(1); }  // a000 … a999

// A container of `n` probe agents (a000…), started on the Cli's platform.
watt::test::Process start_container(const Cli& cli, const std::string& name, int n, int threads = 2,
                                    int agent_queue = 10'000) {
  const auto file = cli.home().path() / (name + "-agents.yml");
  std::ofstream out(file);
  out << "agents:\n";
  for (int i = 0; i < n; ++i)
    out << "  - {identity: " << name_of(i) << ", library: " << watt::test::fixture("probe_agent") << "}\n";
  out.close();
  return watt::test::Process({(watt::test::bin_dir() / "watt-container").string(), "--name", name, "--connect",
                              watt::test::address(cli), "--agents", file.string(), "--heartbeat-ms", "1000",
                              "--threads", std::to_string(threads), "--agent-queue", std::to_string(agent_queue)},
                             cli.home().path(), cli.env());
}

bool all_joined(watt::Client& c, int n) {
  auto peers = c.peers();
  if (!peers) return false;
  std::set<std::string> ids;
  for (const auto& p : *peers) ids.insert(p.identity);
  for (int i = 0; i < n; ++i)
    if (!ids.contains(name_of(i))) return false;
  return true;
}

// What the container says of one of its agents: [identity, state, restarts, last failure].
nlohmann::json agent_status(watt::Client& c, const std::string& container, const std::string& id) {
  auto r = c.call(watt::container_identity(container), "status").get();
  if (!r) return {};
  for (const auto& a : nlohmann::json::parse(r->to_json()))
    if (a[0] == id) return {{"state", a[1]}, {"restarts", a[2]}, {"last_failure", a[3]}};
  return nlohmann::json::object();
}

// A platform and a container of `n` probe agents, all joined, and a client.
struct Hosting {
  Hosting(const std::string& name, int n, int threads = 2, int agent_queue = 10'000)
      : container(start(name, n, threads, agent_queue)), c(client(cli, "tester")) {
    REQUIRE_MESSAGE(eventually([&] { return all_joined(c, n); }, 30s), container.err());
  }
  watt::test::Process start(const std::string& name, int n, int threads, int agent_queue) {
    REQUIRE(cli.watt({"platform", "start"}).code == 0);
    return start_container(cli, name, n, threads, agent_queue);
  }
  Cli cli;
  watt::test::Process container;
  watt::Client c;
};

}  // namespace

TEST_CASE("container: 100 agents in one process each publish, subscribe and answer, and nothing goes astray") {
  constexpr int n = 100;
  Hosting h("c1", n);
  auto& c = h.c;
  auto& container = h.container;

  // One connection for all of them: every agent shows the container's pid.
  const auto peers = c.peers();
  REQUIRE(peers.ok());
  for (const auto& p : *peers)
    if (p.identity.starts_with("a")) CHECK(p.pid == static_cast<std::uint64_t>(container.pid()));
  for (int i = 0; i < n; ++i) {
    auto r = c.call(name_of(i), "whoami").get();
    REQUIRE(r.ok());
    CHECK(r->as<std::string>() == name_of(i));
  }

  std::map<std::string, std::pair<std::string, int>> echoes;  // topic -> sender, value
  c.subscribe("probe/from/#", [&](const watt::Envelope& e) {
    CHECK(echoes.emplace(e.topic, std::pair{e.sender, e.body.as<int>()}).second);
  });
  REQUIRE(c.sync());
  for (int i = 0; i < n; ++i) c.publish("probe/to/" + name_of(i), i);
  c.publish("probe", 1);
  REQUIRE(c.spin_until([&] { return echoes.size() == n; }, 30s));
  for (int i = 0; i < n; ++i) {
    const auto& [sender, value] = echoes.at("probe/from/" + name_of(i));
    CHECK(sender == name_of(i));
    CHECK(value == i);
  }
  // Each agent subscribes to all of probe/# too: every message above, the
  // echoes included, reached each of them exactly once (one copy down the
  // connection, handed to all 100, once each despite two matching patterns).
  for (int i = 0; i < n; ++i) {
    REQUIRE(eventually([&] {
      const auto r = c.call(name_of(i), "received").get();
      return r && r->as<long>() == 2 * n + 1;
    }));
    CHECK(c.call(name_of(i), "echoed").get()->as<long>() == 1);
  }
  CHECK(container.stop() == 0);
  CHECK(eventually([&] { return c.peers()->size() == 2; }));  // the platform and the tester
}

TEST_CASE("container: an agent whose callback throws is restarted alone, while the others keep answering") {
  constexpr int n = 10;
  Hosting h("c2", n);
  auto& c = h.c;
  REQUIRE(c.call("a003", "crash_soon").get().ok());
  // The others answer throughout; a003 comes back with one restart counted.
  REQUIRE(eventually(
      [&] {
        for (int i = 0; i < n; ++i)
          if (i != 3) REQUIRE(c.call(name_of(i), "whoami").get().ok());
        const auto s = agent_status(c, "c2", "a003");
        return s.value("restarts", 0) == 1 && s.value("state", "") == "running";
      },
      30s));
  CHECK(agent_status(c, "c2", "a003")["last_failure"].get<std::string>().find("crash_soon") != std::string::npos);
  CHECK(c.call("a003", "whoami").get()->as<std::string>() == "a003");
  CHECK(agent_status(c, "c2", "a004")["restarts"] == 0);
  CHECK(h.container.err().find("[a003] stopping after an error: crash_soon: failing on purpose") != std::string::npos);
}

TEST_CASE("container: a stuck lossless agent fills its queue, the container stops reading, and nothing is lost") {
  // One thread: the agent must be given its turns again while its queue
  // still holds what it has not read (nothing new would wake it). A queue of
  // 100: the container stops reading long before the broker's own marks.
  Hosting h("c3", 2, 1, 100);
  auto& c = h.c;
  const auto gate = (h.cli.home().path() / "gate").string();
  std::ofstream(gate) << "closed\n";
  REQUIRE(c.call("a001", "set_gate", gate).get().ok());
  // The agent is stuck on the first message. Once its queue in the container
  // is full the container stops reading: thousands of messages then wait at
  // the broker (watched from another client; a container that went on
  // reading would leave none there), and only then does the gate open.
  std::thread opener([&] {
    auto watcher = client(h.cli, "watcher");
    const auto waiting_at_broker = [&] {
      auto peers = watcher.peers();
      if (!peers) return false;
      for (const auto& p : *peers)
        if (p.identity == watt::container_identity("c3") && p.queued >= 2000) return true;
      return false;
    };
    CHECK(eventually(waiting_at_broker, 60s));
    std::filesystem::remove(gate);
  });
  constexpr long total = 3 * 10'000;
  for (long i = 0; i < total; ++i) c.publish("slowly/a001", i);  // held back by flow control meanwhile
  REQUIRE(c.sync(120s));
  opener.join();
  // The question waits behind the backlog at the broker (a slow machine, or
  // ThreadSanitizer, may take longer than the call's timeout to drain it).
  REQUIRE(eventually(
      [&] {
        const auto r = c.call("a001", "slow_count").get();
        return r && r->as<long>() == total;
      },
      120s));
  CHECK(c.call("a000", "whoami").get().ok());  // and the container reads again
  const auto stats = c.call(watt::container_identity("c3"), "stats").get();
  REQUIRE(stats.ok());
  CHECK(stats->as<std::map<std::string, std::uint64_t>>().at("intake_pauses") >= 1);
}

TEST_CASE("container: with one thread, an agent waiting for another agent of its container gets its answer") {
  Hosting h("c4", 2, 1);
  auto& c = h.c;
  // a000's method (ask) waits for a call to a001: the one thread runs
  // a001's turn meanwhile instead of waiting with it.
  REQUIRE(c.call("a000", "ask", std::string("a001")).get().ok());
  CHECK(c.call("a000", "ask", std::string("a001")).get()->as<std::string>() == "a001");
}

TEST_CASE("container: with its one thread stuck in a callback, the container still answers, and the others wait") {
  Hosting h("c5", 2, 1);
  auto& c = h.c;
  const auto gate = (h.cli.home().path() / "gate").string();
  std::ofstream(gate) << "closed\n";
  REQUIRE(c.call("a000", "set_gate", gate).get().ok());
  c.publish("slowly/a000", 1);
  c.sync();
  // The thread that read the message is in a000's callback: after a moment
  // the container's own thread takes the reading over, so the container
  // still answers for itself.
  REQUIRE(eventually([&] {
    auto r = c.call(watt::container_identity("c5"), "stats").get();
    return r && r->to_json().find("\"agents\":2") != std::string::npos;
  }));
  watt::CallOptions o;
  o.timeout = 30s;
  std::atomic<bool> answered{false};
  std::string who;
  c.call_with(o, "a001", "whoami").then([&](watt::Result<watt::Value> r) {
    if (r) who = r->as<std::string>();
    answered = true;
  });
  // a001 has no thread to answer on until the gate opens.
  CHECK(c.call(watt::container_identity("c5"), "stats").get().ok());
  CHECK_FALSE(answered.load());
  std::filesystem::remove(gate);
  REQUIRE(c.spin_until([&] { return answered.load(); }, 30s));
  CHECK(who == "a001");
  CHECK(c.call("a000", "slow_count").get()->as<long>() == 1);
}
