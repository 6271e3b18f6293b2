// The consensus economic dispatch end to end on a real platform: ed-node
// agents as their own processes, the ed-monitor, watt-ed; the 16-node case of
// docs/ed.md, a 100-node random run, a node SIGKILLed mid-run and
// configurations that must be refused.
#include "ed_run.hpp"

#include <watt/client.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

using namespace std::chrono_literals;
using namespace watt::test::ed;
using watt::test::agent_pid;
using watt::test::Cli;
using watt::test::eventually;
using watt::test::lib;

namespace {

// The first iterations on the bus equal the formulas of the spec (docs/ed.md),
// computed here from scratch: complete graph, so W = 1/n everywhere.
void check_first_iterations(const std::vector<watt::ed::NodeParams>& nodes,
                            std::map<std::string, std::vector<watt::ed::StateMsg>>& published) {
  const double n = static_cast<double>(nodes.size());
  double c_max = 0;
  for (const auto& p : nodes) c_max = std::max(c_max, 1 / (2 * (p.role == watt::ed::Role::generator ? p.a : p.s)));
  double c_mean = 0;
  for (const auto& p : nodes) c_mean += 1 / (2 * (p.role == watt::ed::Role::generator ? p.a : p.s)) / n;
  const double eps = std::min(1 / (3 * c_max), 1.0 / c_mean);
  std::vector<double> lambda, y, power;
  for (const auto& p : nodes) {
    lambda.push_back(p.role == watt::ed::Role::generator ? p.b : p.w);
    power.push_back(0);
    y.push_back(p.demand);
  }
  for (int k = 0; k <= 3; ++k) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto& msg = published[nodes[i].id][static_cast<std::size_t>(k)];
      CHECK(msg.k == static_cast<std::uint64_t>(k));
      CHECK(msg.lambda == doctest::Approx(lambda[i]).epsilon(1e-12));
      CHECK(msg.y == doctest::Approx(y[i]).epsilon(1e-9));
      CHECK(msg.p == doctest::Approx(power[i]).epsilon(1e-12));
    }
    const double lambda_mean = std::accumulate(lambda.begin(), lambda.end(), 0.0) / n;
    const double y_mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const auto& p = nodes[i];
      lambda[i] = lambda_mean + eps * y[i];
      const double next = p.role == watt::ed::Role::generator
                              ? std::clamp((lambda[i] - p.b) / (2 * p.a), 0.0, p.pmax)
                              : std::clamp((p.w - lambda[i]) / (2 * p.s), 0.0, std::min(p.pmax, p.w / (2 * p.s)));
      const double sign = p.role == watt::ed::Role::generator ? 1.0 : -1.0;
      y[i] = y_mean - sign * (next - power[i]);
      power[i] = next;
    }
  }
}

}  // namespace

TEST_CASE("ed: the 16-node case of docs/ed.md reproduces its reference table over a real platform") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto run_file = fs::path(ed_test::ed16_path());
  const auto nodes = ed_test::ed16();

  // Everything the nodes publish, from before the run starts.
  auto watcher = client(cli, "watcher");
  std::map<std::string, std::vector<watt::ed::StateMsg>> published;
  std::set<std::string> state_keys;
  watt::SubscribeOptions lossless;
  lossless.delivery = watt::Delivery::lossless;
  watcher.subscribe(
      "ed/ed16/+",
      [&](const watt::Envelope& e) {
        const auto last = e.topic.substr(e.topic.rfind('/') + 1);
        if (last == "control" || last == "status" || last == "result") return;
        published[last].push_back(e.body.as<watt::ed::StateMsg>());
        const auto body = json::parse(e.body.to_json());
        for (const auto& [key, value] : body.items()) state_keys.insert(key);
      },
      lossless);
  REQUIRE(watcher.sync());

  const auto monitor = launch(cli, run_file);
  const auto r = wait_result(cli, monitor);
  check_central(r, nodes);
  CHECK(r["iterations"].get<int>() <= 45);

  // round(P, 1) equals Table 1 for every node; DG3, DG5 and L4 at zero.
  const auto table = YAML::LoadFile((run_file.parent_path() / "thesis_table1.yml").string());
  for (const auto& n : nodes) {
    const double p = r["P"][n.id].get<double>();
    CHECK_MESSAGE(std::abs(p - table["P_kW"][n.id].as<double>()) < 0.1, n.id, ": ", p);
  }
  for (const auto* zero : {"DG3", "DG5", "L4"}) CHECK(r["P"][zero].get<double>() < 0.05);
  CHECK(std::abs(r["total_generation"].get<double>() - 421.0) < 0.1);
  CHECK(std::abs(r["lambda"].get<double>() - 7.371) < 1e-3);

  REQUIRE(watcher.spin_until(
      [&] {
        for (const auto& n : nodes)
          if (published[n.id].size() < 4) return false;
        return true;
      },
      10s));
  check_first_iterations(nodes, published);

  // Nothing private on the bus: no a, b, c, w, s or pmax, only the state.
  CHECK(state_keys == std::set<std::string>{"id", "epoch", "k", "lambda", "y", "P"});

  // The trace has a row per iteration and a λ column per node.
  const auto trace = watt::test::read_file(cli.home().path() / "trace.csv");
  CHECK(watt::test::lines(trace) == r["iterations"].get<long>() + 2);  // header, k = 0 … iterations
  CHECK(trace.rfind("epoch,k,iteration,mismatch_kw,lambda_L1,", 0) == 0);

  // watt-ed table prints it beside the centralized solution and the reference table.
  const auto t = watt_ed(cli, {"table", (cli.home().path() / "result.json").string(), "--run", run_file.string(),
                               "--reference", (run_file.parent_path() / "thesis_table1.yml").string()});
  CHECK(t.code == 0);
  CHECK(t.out.find("DG3 (DG)") != std::string::npos);
  CHECK(t.out.find("7.371") != std::string::npos);

  // The monitor answers for its run over RPC, and watt-ed solves the case alone.
  const auto rpc = cli.watt({"rpc", monitor, "result"});
  REQUIRE(rpc.code == 0);
  CHECK(json::parse(rpc.out)["status"] == "converged");
  CHECK(json::parse(cli.watt({"rpc", monitor, "progress"}).out)["k"] == r["iterations"]);
  const auto solved = watt_ed(cli, {"solve", run_file.string()});
  CHECK(solved.code == 0);
  CHECK(solved.out.find("lambda 7.3705") != std::string::npos);
  CHECK(solved.out.find("DG2      generator       124.4") != std::string::npos);
}

namespace {

// The 100-node random case: degree 4, seeds 42 (nodes) and 7 (graph).
watt::ed::RunConfig random100_run(const std::string& name) {
  watt::ed::RunConfig run;
  run.run = name;
  run.nodes = ed_test::random100(42);
  run.members = ed_test::ids_of(run.nodes);
  run.graph.kind = watt::ed::GraphSpec::Kind::random;
  run.graph.degree = 4;
  run.graph.seed = 7;
  run.k_max = 5000;
  return run;
}

}  // namespace

TEST_CASE("ed: a 100-node random run converges with 25 nodes per agent process" * doctest::test_suite("long")) {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto run = random100_run("r100");
  const auto monitor = launch(cli, write(cli, "r100.yml", watt::ed::to_yaml(run)), {"--per-agent", "25"});
  const auto r = wait_result(cli, monitor, 120s);
  check_central(r, run.nodes);
  const auto sim = watt::ed::simulate(run.nodes, run.graph_of_members(), {});
  CHECK(r["iterations"].get<std::uint64_t>() == sim.iterations);
}

TEST_CASE("ed: the 100-node run with every node an agent of its own, in two containers, gives the simulation's result" *
          doctest::test_suite("long")) {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto run = random100_run("c100");
  const auto plan = plan_run(cli, write(cli, "c100.yml", watt::ed::to_yaml(run)), {"--per-agent", "1"});
  REQUIRE(plan.hosts.size() == 100);
  for (std::size_t i = 0; i < plan.hosts.size(); ++i)
    install_node_agent(cli, plan.hosts[i].first, plan.hosts[i].second, i % 2 == 0 ? "ed-a" : "ed-b");
  CHECK(cli.watt({"container", "list"}).out.find("ed-a       running") != std::string::npos);
  start_monitor(cli, plan);
  const auto r = wait_result(cli, plan.monitor, 180s);
  check_central(r, run.nodes);
  const auto sim = watt::ed::simulate(run.nodes, run.graph_of_members(), {});
  CHECK(r["iterations"].get<std::uint64_t>() == sim.iterations);
}

TEST_CASE("ed: a node SIGKILLed mid-run is noticed by its neighbours and the others re-converge without it") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  auto run = watt::ed::load_run_file(ed_test::ed16_path());
  run.neighbour_timeout = 600ms;
  const auto run_file = write(cli, "ed16.yml", watt::ed::to_yaml(run));

  Progress progress(cli, "ed16");
  // Paced, so that the run is still going when the node dies; its pid taken
  // before the run starts, so that the kill follows iteration 5 at once (a
  // `watt list` can take longer than the rest of a run on a loaded machine).
  const auto plan = plan_run(cli, run_file, {"--pace-ms", "40"});
  install_nodes(cli, plan);
  const long pid = agent_pid(cli, "ed16-L7");
  REQUIRE(pid > 0);
  start_monitor(cli, plan);
  progress.wait_for(5);
  REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);

  const auto r = wait_result(cli, plan.monitor);
  // When none is lost, what the run and the killed node said.
  REQUIRE_MESSAGE(r["lost"].size() == 1, r.dump(), cli.log("ed16-L7"));
  CHECK(r["lost"][0]["id"] == "L7");
  CHECK(r["lost"][0]["detected_by"] != "monitor");
  CHECK(r["lost"][0]["iteration"].get<int>() >= 5);
  CHECK(r["epoch"] == 1);
  std::vector<watt::ed::NodeParams> survivors;
  for (const auto& p : run.nodes)
    if (p.id != "L7") survivors.push_back(p);
  check_central(r, survivors);
  CHECK_FALSE(r["P"].contains("L7"));
  // The neighbours said so in their logs.
  CHECK(cli.log("ed16-L1").find("L7 lost") != std::string::npos);
}

TEST_CASE("ed: invalid run configurations are refused with the node and field named") {
  Cli cli;
  const auto base = YAML::LoadFile(ed_test::ed16_path());
  struct Case {
    std::string what;
    std::function<void(YAML::Node&)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"non-positive a", [](YAML::Node& n) { n["nodes"][10]["a"] = -0.02; }, "node DG1: a must be > 0"},
      {"non-positive s", [](YAML::Node& n) { n["nodes"][0]["s"] = 0; }, "node L1: s must be > 0"},
      {"negative pmax", [](YAML::Node& n) { n["nodes"][3]["pmax"] = -1; }, "node L4: pmax must be >= 0"},
      {"duplicate id", [](YAML::Node& n) { n["nodes"][1]["id"] = "L1"; }, "duplicate node id 'L1'"},
      {"missing neighbour",
       [](YAML::Node& n) { n["graph"] = YAML::Load("{type: edges, edges: [[L1, L2], [L2, X9]]}"); }, "X9"},
      {"disconnected graph",
       [](YAML::Node& n) {
         YAML::Node edges = YAML::Load("{type: edges, edges: []}");
         for (int i = 0; i + 1 < 16; ++i)
           if (i != 7)
             edges["edges"].push_back(YAML::Load("[" + n["nodes"][i]["id"].as<std::string>() + ", " +
                                                 n["nodes"][i + 1]["id"].as<std::string>() + "]"));
         n["graph"] = edges;
       },
       "graph is disconnected"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    YAML::Node bad = YAML::Clone(base);
    c.edit(bad);
    const auto file = write(cli, "bad.yml", bad);
    const auto plan = watt_ed(cli, {"plan", file.string(), "--out", (cli.home().path() / "p").string()});
    CHECK(plan.code != 0);
    CHECK_MESSAGE(plan.err.find(c.message) != std::string::npos, plan.err);
  }

  // And by the agents themselves, whoever wrote their files.
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  YAML::Node bad = YAML::Clone(base);
  bad["nodes"][12]["a"] = 0;
  const auto file = write(cli, "bad-node.yml", bad);
  for (const auto* agent : {"ed-node", "ed-monitor"}) {
    CAPTURE(agent);
    const std::string id = std::string("bad-") + agent;
    // The agent refuses the file and exits: `install --start` says so when
    // it sees the exit in time, `watt status` in any case.
    const auto installed =
        cli.watt({"install", lib(agent), "-i", id, "-c", file.string(), "--restart", "never", "--start"});
    if (installed.code != 0)
      CHECK_MESSAGE(installed.err.find("node DG3: a must be > 0") != std::string::npos, installed.err);
    CHECK(eventually([&] {
      return cli.watt({"status", id}).out.find("node DG3: a must be > 0") != std::string::npos;
    }));
  }

  // Once started, an agent keeps the run it was built for.
  const auto good = ed_test::ed16_path();
  REQUIRE(cli.watt({"install", lib("ed-node"), "-i", "all16", "-c", good, "--start"}).code == 0);
  const auto change = cli.watt({"config", "set", "all16", "config", good});
  CHECK(change.code != 0);
  CHECK_MESSAGE(change.err.find("fixed once the agent has started") != std::string::npos, change.err);
}

TEST_CASE("ed: a run whose graph falls apart when a process dies stops with an error naming the cut") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  auto run = watt::ed::load_run_file(ed_test::ed16_path());
  run.graph.kind = watt::ed::GraphSpec::Kind::grid;  // 4 × 4; the second agent holds the whole second row
  run.graph.rows = run.graph.cols = 4;
  run.neighbour_timeout = 600ms;
  const auto run_file = write(cli, "grid.yml", watt::ed::to_yaml(run));

  Progress progress(cli, "ed16");
  const auto plan = plan_run(cli, run_file, {"--per-agent", "4", "--pace-ms", "20"});
  install_nodes(cli, plan);
  const long pid = agent_pid(cli, "ed16-group-1");  // before the run: see the SIGKILL test above
  REQUIRE(pid > 0);
  start_monitor(cli, plan);
  progress.wait_for(5);
  REQUIRE(::kill(static_cast<pid_t>(pid), SIGKILL) == 0);

  const auto r = wait_result(cli, plan.monitor);
  CHECK(r["status"] == "error");
  CHECK_MESSAGE(r["error"].get<std::string>().find("graph is disconnected") != std::string::npos, r.dump());
  std::set<std::string> lost;
  for (const auto& l : r["lost"]) lost.insert(l["id"].get<std::string>());
  CHECK(lost == std::set<std::string>{"L5", "L6", "L7", "L8"});
  CHECK(eventually([&] { return cli.watt({"status", plan.monitor}).out.find("BAD") != std::string::npos; }));
}
