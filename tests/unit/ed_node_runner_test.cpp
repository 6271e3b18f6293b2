// NodeRunner, what every host of dispatch nodes does with the run's traffic
// (the ed-node agent, watt-node): its subscriptions, the answer to the
// monitor's roll, start and stop, and bodies that are not what they claim.
#include "ed_cases.hpp"

#include <watt/ed/messages.hpp>
#include <watt/ed/node_runner.hpp>

#include <msgpack.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace ed_test;
using Clock = NodeRunner::Clock;

template <class T>
std::string packed(const T& value) {
  msgpack::sbuffer b;
  msgpack::pack(b, value);
  return {b.data(), b.size()};
}

struct Host {
  std::vector<std::pair<std::string, std::string>> sent;  // topic, body
  std::vector<std::pair<NodeRunner::Level, std::string>> lines;
  std::unique_ptr<NodeRunner> runner;

  explicit Host(RunConfig run) {
    NodeRunner::Transport t;
    t.publish = [this](const std::string& topic, std::string body) { sent.emplace_back(topic, std::move(body)); };
    t.log = [this](NodeRunner::Level level, const std::string& line) { lines.emplace_back(level, line); };
    runner = std::make_unique<NodeRunner>(std::move(run), std::chrono::milliseconds(0), t);
  }
  void control(const std::string& type, const std::string& from = "ed16-monitor") {
    ControlMsg c;
    c.type = type;
    c.reason = "converged";
    runner->on_message("ed/ed16/control", from, packed(c), Clock::now());
  }
  std::size_t sent_of(const std::string& topic) const {
    return static_cast<std::size_t>(
        std::count_if(sent.begin(), sent.end(), [&](const auto& m) { return m.first == topic; }));
  }
};

// The ed16 run file as `watt-ed plan` writes node L1's: only L1's parameters.
RunConfig l1_only() {
  auto run = load_run_file(ed16_path());
  run.step = run.stats();
  const auto l1 = run.nodes.front();
  run.nodes = {l1};
  return run;
}

}  // namespace

TEST_CASE("ed node runner: one topic per remote neighbour, or one wildcard when they are too many") {
  Host h(l1_only());
  const auto subs = h.runner->subscriptions();
  REQUIRE(subs.size() == 16);  // control and the 15 others of a complete graph
  CHECK(subs.front() == "ed/ed16/control");
  CHECK(std::find(subs.begin(), subs.end(), "ed/ed16/DG6") != subs.end());
  CHECK(std::find(subs.begin(), subs.end(), "ed/ed16/L1") == subs.end());

  RunConfig big;
  big.run = "big";
  big.nodes = random100(3);
  big.members = ids_of(big.nodes);
  big.graph.kind = GraphSpec::Kind::complete;
  big.step = big.stats();
  big.nodes.resize(1);
  Host many(big);
  CHECK(many.runner->subscriptions() == std::vector<std::string>{"ed/big/control", "ed/big/+"});

  // The monitor's start lists every member: all 100 of them must decode.
  ControlMsg start;
  start.type = "start";
  start.nodes = big.members;
  many.runner->on_message("ed/big/control", "big-monitor", packed(start), Clock::now());
  CHECK(many.runner->started());
  CHECK(many.runner->dropped() == 0);
}

TEST_CASE("ed node runner: answers the roll until started, runs on start, finishes on stop") {
  Host h(l1_only());
  h.runner->announce();
  CHECK(h.sent_of("ed/ed16/control") == 1);
  h.control("roll");
  CHECK(h.sent_of("ed/ed16/control") == 2);
  const auto ready = h.sent.back().second;
  const auto decoded = msgpack::unpack(ready.data(), ready.size())->as<ControlMsg>();
  CHECK(decoded.type == "ready");
  CHECK(decoded.nodes == std::vector<std::string>{"L1"});

  h.control("start");
  CHECK(h.runner->started());
  CHECK(h.sent_of("ed/ed16/L1") == 1);  // iteration 0
  h.control("roll");
  CHECK(h.sent_of("ed/ed16/control") == 2);  // no ready once started
  h.control("ready", "someone");             // another host's: nothing to do
  CHECK(h.runner->dropped() == 0);

  h.control("stop");
  CHECK(h.runner->finished());
  CHECK(h.runner->error().empty());
  CHECK(h.runner->stop_reason() == "stopped by ed16-monitor: converged");
  REQUIRE(!h.lines.empty());
  CHECK(h.lines.back().second.find("L1 P ") != std::string::npos);  // where the node stopped
}

TEST_CASE("ed node runner: undecodable bodies, another node's state and unknown controls are dropped and counted") {
  Host h(l1_only());
  h.control("start");
  const auto before = h.sent.size();
  for (int i = 0; i < 10; ++i) h.runner->on_message("ed/ed16/DG1", "x", "\xc1", Clock::now());  // never valid msgpack
  h.runner->on_message("ed/ed16/DG1", "x", packed(StateMsg{"DG2", 0, 0, 1.0, 1.0, 1.0}), Clock::now());
  h.runner->on_message("ed/ed16/DG1", "x", packed(std::string("a string")), Clock::now());
  h.runner->on_message("ed/ed16/DG1", "x", std::string(packed(1)) + "junk", Clock::now());
  h.control("dance");
  h.runner->on_message("ed/other/DG1", "x", packed(1), Clock::now());
  CHECK(h.runner->dropped() == 15);
  std::size_t warnings = 0;
  for (const auto& [level, line] : h.lines) warnings += level == NodeRunner::Level::warn ? 1 : 0;
  CHECK(warnings == 5);            // the 1st and 10th of the same kind; once each for the others
  CHECK(h.sent.size() == before);  // nothing of it moved the node
  CHECK(h.runner->group().state_of("L1").k == 0);

  // A deep or huge body costs a counter, not memory.
  std::string deep(100, '\x91');
  deep += '\x01';
  h.runner->on_message("ed/ed16/DG1", "x", deep, Clock::now());
  CHECK(h.runner->dropped() == 16);
}

TEST_CASE("ed node runner: a graph that falls apart finishes the run with the error") {
  auto run = l1_only();
  run.graph.kind = GraphSpec::Kind::ring;
  Host h(run);
  h.control("start");
  ControlMsg lost;
  lost.type = "lost";
  lost.nodes = {"L2", "L10"};  // two nodes of the ring cut it in two
  lost.detected_by = "monitor";
  h.runner->on_message("ed/ed16/control", "ed16-monitor", packed(lost), Clock::now());
  CHECK(h.runner->finished());
  CHECK(h.runner->error().find("disconnected") != std::string::npos);
  CHECK(h.lines.back().first == NodeRunner::Level::error);
}
