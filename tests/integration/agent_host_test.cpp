// AgentHost: the lifecycle order, and the promise that an agent's callbacks
// never run concurrently, whatever the mix of messages, RPCs, timers and posts.
#include "served.hpp"

#include <watt/host.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using watt::test::Platform;

namespace {

class Recorder : public watt::Agent {
public:
  explicit Recorder(std::vector<std::string>& trace) : trace_(trace) { trace_.push_back("construct"); }
  void on_config(const std::string& name, watt::ConfigAction, const YAML::Node& v) override {
    if (v["reject"]) throw watt::Error("rate must be positive");
    trace_.push_back("config:" + name);
  }
  void on_start() override {
    trace_.push_back("start");
    export_method("ping", [this] {
      enter();
      leave();
      return std::string("pong");
    });
    subscribe("work", [this](const watt::Envelope&) {
      enter();
      ++messages;
      leave();
    });
    every(1ms, [this] {
      enter();
      ++ticks;
      leave();
    });
  }
  void on_stop() override { trace_.push_back("stop"); }

  void enter() {
    if (busy_.exchange(true)) ++overlaps;
    std::this_thread::sleep_for(10us);
  }
  void leave() { busy_ = false; }

  std::atomic<int> overlaps{0}, messages{0}, ticks{0}, posts{0};

private:
  std::vector<std::string>& trace_;
  std::atomic<bool> busy_{false};
};

}  // namespace

TEST_CASE("callbacks of one agent never overlap, and the lifecycle runs in order") {
  Platform p;
  std::vector<std::string> trace;
  watt::HostOptions o;
  o.identity = "recorder";
  o.address = p.address();
  o.configs.emplace_back("config", YAML::Load("rate: 5"));
  watt::AgentHost host(o);
  auto& agent = host.emplace<Recorder>(trace);
  std::thread runner([&] { host.run(); });

  auto caller = p.client("caller");
  REQUIRE(watt::test::eventually([&] { return caller->call("recorder", "ping").get().ok(); }));
  std::atomic<bool> done{false};
  std::thread poster([&] {
    while (!done) {
      agent.post([&] {
        agent.enter();
        ++agent.posts;
        agent.leave();
      });
      std::this_thread::sleep_for(100us);
    }
  });
  for (int i = 0; i < 2000; ++i) {
    caller->publish("work/item", i);
    if (i % 100 == 0) CHECK(caller->call("recorder", "ping").get_as<std::string>().value() == "pong");
  }
  REQUIRE(watt::test::eventually([&] { return agent.messages.load() == 2000; }));
  done = true;
  poster.join();
  host.stop();
  runner.join();

  CHECK(agent.overlaps.load() == 0);
  CHECK(agent.ticks.load() > 0);
  CHECK(agent.posts.load() > 0);
  CHECK(trace == std::vector<std::string>{"construct", "config:config", "start", "stop"});
}

TEST_CASE("a configuration the agent refuses at start is reported, naming the agent and the reason") {
  Platform p;
  std::vector<std::string> trace;
  watt::HostOptions o;
  o.identity = "picky";
  o.address = p.address();
  o.configs.emplace_back("config", YAML::Load("reject: true"));
  watt::AgentHost host(o);
  host.emplace<Recorder>(trace);
  CHECK_THROWS_WITH_AS(host.run(), doctest::Contains("'picky' refused configuration 'config': rate must be positive"),
                       watt::Error);
}

TEST_CASE("a host with no platform to talk to says so instead of hanging") {
  watt::test::TempDir nowhere;
  watt::HostOptions o;
  o.identity = "lonely";
  o.address = "ipc://" + nowhere.str() + "/none.sock";
  o.connect_timeout = 300ms;
  std::vector<std::string> trace;
  watt::AgentHost host(o);
  host.emplace<Recorder>(trace);
  CHECK_THROWS_WITH_AS(host.run(), doctest::Contains("is it running?"), watt::Error);
}
