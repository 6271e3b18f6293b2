// The dispatch agents' bookkeeping (NodeGroup, RunMonitor) wired together by
// an in-memory bus: the distributed run matches the synchronous simulation,
// survives a lost node, stops on a disconnected graph, and the monitor
// notices a silent node.
#include "ed_cases.hpp"

#include <watt/ed/error.hpp>
#include <watt/ed/node_group.hpp>
#include <watt/ed/run_monitor.hpp>

#include <deque>
#include <memory>
#include <set>
#include <variant>

namespace {

using namespace ed_test;
using Clock = std::chrono::steady_clock;

// Delivers every message to every group and to the monitor, in publish
// order, as the broker does for one publisher; a killed group (see kill_at)
// hears nothing more and says nothing more, as a SIGKILLed process would.
class Bus {
public:
  Bus(const RunConfig& run, const std::vector<std::vector<std::string>>& layout, std::chrono::milliseconds timeout,
      std::optional<std::chrono::milliseconds> monitor_stall = {}) {
    RunConfig monitor_config = run;
    monitor_config.neighbour_timeout = timeout;
    for (const auto& ids : layout) {
      RunConfig c = monitor_config;
      c.step = run.stats();  // as the planner writes it for files holding some nodes
      c.nodes.clear();
      for (const auto& p : run.nodes)
        if (std::find(ids.begin(), ids.end(), p.id) != ids.end()) c.nodes.push_back(p);
      NodeGroup::Output out;
      out.state = [this](const StateMsg& m) { queue_.emplace_back(m); };
      out.control = [this](const ControlMsg& m) { queue_.emplace_back(m); };
      groups_.push_back(std::make_unique<NodeGroup>(c, out));
    }
    RunMonitor::Output out;
    out.control = [this](const ControlMsg& m) { queue_.emplace_back(m); };
    out.status = [this](const StatusMsg&) { ++statuses; };
    out.trace = [this](const TraceRow& row) { trace.push_back(row); };
    out.result = [this](const ResultMsg& r) { result = r; };
    monitor_ = std::make_unique<RunMonitor>(monitor_config, out, monitor_stall.value_or(timeout * 2));
  }

  void start() {
    monitor_->open();
    for (auto& g : groups_) queue_.emplace_back(ControlMsg{"ready", g->hosted(), {}, 0, 0, {}});
    drain();
  }

  // Delivers until nothing is left, or until `until` says stop.
  void drain(const std::function<bool()>& until = {}) {
    while (!queue_.empty() && !(until && until())) {
      auto msg = std::move(queue_.front());
      queue_.pop_front();
      if (auto* s = std::get_if<StateMsg>(&msg)) {
        if (s->id == kill_at.id && s->k >= kill_at.k) dead_group_ = group_of(s->id);
        if (dead_group_ && *dead_group_ == group_of(s->id)) continue;
        for (std::size_t g = 0; g < groups_.size(); ++g)
          if (g != dead_group_) groups_[g]->on_state(*s, now);
        monitor_->on_state(*s, now);
      } else {
        const auto& c = std::get<ControlMsg>(msg);
        if (c.type == "ready") monitor_->on_ready(c.nodes, now);
        for (std::size_t i = 0; i < groups_.size(); ++i) {
          if (i == dead_group_) continue;
          auto& g = groups_[i];
          if (c.type == "start") g->start(now);
          if (c.type == "lost") g->on_lost(c.nodes, now);
          if (c.type == "stop") g->stop();
        }
        if (c.type == "lost") {
          ++lost_notices;
          monitor_->on_lost(c.nodes, c.detected_by, now);
        }
      }
    }
  }

  // Time passes: every group and the monitor look at their clocks.
  void advance(std::chrono::milliseconds dt) {
    now += dt;
    for (std::size_t g = 0; g < groups_.size(); ++g)
      if (g != dead_group_) groups_[g]->poll(now);
    monitor_->poll(now);
    drain();
  }

  NodeGroup& group(std::size_t i) { return *groups_[i]; }

  // The process hosting node `id` dies as that node publishes iteration k:
  // from then on its group hears nothing and nothing it says is delivered.
  struct Kill {
    std::string id;
    std::uint64_t k = 0;
    std::uint64_t epoch = 0;
  } kill_at;
  Clock::time_point now = Clock::now();
  std::optional<ResultMsg> result;
  std::vector<TraceRow> trace;
  std::size_t statuses = 0, lost_notices = 0;

private:
  std::size_t group_of(const std::string& id) const {
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      const auto h = groups_[g]->hosted();
      if (std::find(h.begin(), h.end(), id) != h.end()) return g;
    }
    return groups_.size();
  }

  std::optional<std::size_t> dead_group_;
  std::deque<std::variant<StateMsg, ControlMsg>> queue_;
  std::vector<std::unique_ptr<NodeGroup>> groups_;
  std::unique_ptr<RunMonitor> monitor_;
};

RunConfig ed16_run() { return load_run_file(ed16_path()); }

std::vector<std::vector<std::string>> split(const std::vector<std::string>& ids, std::size_t parts) {
  std::vector<std::vector<std::string>> out(parts);
  for (std::size_t i = 0; i < ids.size(); ++i) out[i * parts / ids.size()].push_back(ids[i]);
  return out;
}

void check_matches_central(const ResultMsg& r, const std::vector<NodeParams>& survivors) {
  const auto d = solve_central(survivors);
  REQUIRE(r.status == "converged");
  CHECK(std::abs(r.mismatch_kw) < 0.1);
  CHECK(r.lambda_spread < 1e-3);
  CHECK(std::abs(r.lambda - d.lambda) < 1e-3);
  CHECK(r.p.size() == survivors.size());
  for (std::size_t i = 0; i < survivors.size(); ++i) CHECK(std::abs(r.p.at(survivors[i].id) - d.p[i]) < 0.1);
  CHECK(std::abs(r.central.lambda - d.lambda) < 1e-12);
}

}  // namespace

TEST_CASE("ed run: three node groups on a bus reach exactly the synchronous simulation's result") {
  const auto run = ed16_run();
  Bus bus(run, split(run.members, 3), std::chrono::milliseconds(1000));
  bus.start();
  REQUIRE(bus.result);
  const auto& r = *bus.result;

  SimOptions o;
  const auto sim = simulate(run.nodes, run.graph_of_members(), o);
  REQUIRE(sim.converged);
  CHECK(r.iterations == sim.iterations);
  CHECK(r.iterations <= 45);
  for (std::size_t i = 0; i < run.nodes.size(); ++i)
    CHECK(r.p.at(run.nodes[i].id) == doctest::Approx(sim.final[i].p).epsilon(1e-12));
  CHECK(r.lost.empty());
  CHECK(bus.lost_notices == 0);
  CHECK(bus.trace.size() == sim.iterations + 1);  // k = 0 … iterations
  CHECK(bus.statuses == sim.iterations + 1);
  check_matches_central(r, run.nodes);
  // After the monitor's stop nothing steps any more.
  CHECK_FALSE(bus.group(0).running());
}

TEST_CASE("ed run: one node per group on a random graph also matches the simulation") {
  auto run = ed16_run();
  run.graph.kind = GraphSpec::Kind::random;
  run.graph.degree = 3;
  run.graph.seed = 11;
  std::vector<std::vector<std::string>> layout;
  for (const auto& id : run.members) layout.push_back({id});
  Bus bus(run, layout, std::chrono::milliseconds(1000));
  bus.start();
  REQUIRE(bus.result);
  const auto sim = simulate(run.nodes, run.graph_of_members(), SimOptions{});
  CHECK(bus.result->iterations == sim.iterations);
  check_matches_central(*bus.result, run.nodes);
}

// Runs `bus` until its result, letting time pass in steps of `dt` whenever
// it stalls.
void run_to_result(Bus& bus, std::chrono::milliseconds dt, int max_steps = 100) {
  bus.start();
  for (int i = 0; i < max_steps && !bus.result; ++i) bus.advance(dt);
  REQUIRE(bus.result);
}

std::vector<NodeParams> without(const std::vector<NodeParams>& nodes, const std::set<std::string>& gone) {
  std::vector<NodeParams> out;
  for (const auto& p : nodes)
    if (gone.count(p.id) == 0) out.push_back(p);
  return out;
}

// `id` in a group of its own, the others in two more.
std::vector<std::vector<std::string>> alone_and_rest(const RunConfig& run, const std::string& id) {
  std::vector<std::string> rest;
  for (const auto& m : run.members)
    if (m != id) rest.push_back(m);
  auto layout = split(rest, 2);
  layout.insert(layout.begin(), {id});
  return layout;
}

TEST_CASE(
    "ed run: a generator that dies at iteration 10 is noticed by its neighbours and the rest re-converge without it") {
  const auto run = ed16_run();
  auto layout = alone_and_rest(run, "DG2");
  Bus bus(run, layout, std::chrono::milliseconds(500));
  bus.kill_at = {"DG2", 10, 0};
  run_to_result(bus, std::chrono::milliseconds(100));
  const auto& r = *bus.result;
  REQUIRE(r.lost.size() == 1);
  CHECK(r.lost[0].id == "DG2");
  CHECK(r.lost[0].detected_by != "monitor");  // its neighbours noticed first
  CHECK(r.lost[0].iteration == 9);            // the last iteration every node completed
  CHECK(r.epoch == 1);
  CHECK(r.iterations > r.lost[0].iteration);
  check_matches_central(r, without(run.nodes, {"DG2"}));
  CHECK(r.p.count("DG2") == 0);
}

TEST_CASE("ed run: losing two nodes of a ring cuts it in two and the run stops with an error naming the cut") {
  auto run = ed16_run();
  run.graph.kind = GraphSpec::Kind::ring;
  std::vector<std::vector<std::string>> layout = {{"L3", "L9"}};  // one process holding two ring nodes dies
  for (auto& part : split(run.members, 3)) {
    part.erase(std::remove_if(part.begin(), part.end(), [](const auto& id) { return id == "L3" || id == "L9"; }),
               part.end());
    layout.push_back(part);
  }
  Bus bus(run, layout, std::chrono::milliseconds(500));
  bus.kill_at = {"L3", 20, 0};
  run_to_result(bus, std::chrono::milliseconds(100));
  const auto& r = *bus.result;
  CHECK(r.status == "error");
  CHECK(r.error.find("disconnected") != std::string::npos);
  std::set<std::string> lost;
  for (const auto& l : r.lost) lost.insert(l.id);
  CHECK(lost == std::set<std::string>{"L3", "L9"});
}

TEST_CASE("ed run: the monitor declares a node lost when nobody else notices it is silent") {
  const auto run = ed16_run();
  // The neighbours' timeout is longer than the monitor's stall timeout, so
  // the monitor is first to notice.
  auto layout = alone_and_rest(run, "DG6");
  Bus bus(run, layout, std::chrono::milliseconds(500), std::chrono::milliseconds(200));
  bus.kill_at = {"DG6", 5, 0};
  run_to_result(bus, std::chrono::milliseconds(100));
  const auto& r = *bus.result;
  REQUIRE(r.lost.size() == 1);
  CHECK(r.lost[0].detected_by == "monitor");
  CHECK(r.lost[0].id == "DG6");
  check_matches_central(r, without(run.nodes, {"DG6"}));
}

TEST_CASE("ed run: node groups refuse what cannot run") {
  auto run = ed16_run();
  NodeGroup::Output out{[](const StateMsg&) {}, [](const ControlMsg&) {}};
  SUBCASE("no hosted node") {
    auto c = run;
    c.nodes.clear();
    CHECK_THROWS_WITH_AS(NodeGroup(c, out), doctest::Contains("hosts no nodes"), Error);
  }
  SUBCASE("a pace that the neighbour timeout cannot tell from a dead node") {
    CHECK_THROWS_WITH_AS(NodeGroup(run, out, std::chrono::milliseconds(2000)), doctest::Contains("pace_ms"), Error);
  }
  SUBCASE("the monitor needs every node's parameters") {
    auto c = run;
    c.nodes.pop_back();
    RunMonitor::Output mo{[](const ControlMsg&) {}, [](const StatusMsg&) {}, [](const TraceRow&) {},
                          [](const ResultMsg&) {}};
    CHECK_THROWS_WITH_AS(RunMonitor(c, mo, std::chrono::milliseconds(100)), doctest::Contains("node DG6"), Error);
  }
}
