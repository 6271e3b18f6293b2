// watt-node end to end: the 16-node case of docs/ed.md with the mathematics
// on 16 watt-node processes, each on its own serial line (a socat
// pseudo-terminal pair, as in examples/ed16-serial) to the serial bridge
// agent of a real platform, gives the bus-only run's result; a watt-node
// over TCP takes part as a remote agent; bad files and options are refused.
#include "ed_run.hpp"

#include <watt/ed/simulate.hpp>

#include <watt/keys.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace watt::test::ed;
using watt::test::Cli;
using watt::test::eventually;
using watt::test::lib;
using watt::test::Process;

namespace {

// socat from $PATH (Process execs a path, not a name).
std::string socat_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (fs::exists(fs::path(dir) / "socat")) return (fs::path(dir) / "socat").string();
  FAIL("socat is not installed (deploy/install-deps.sh installs it)");
  return {};
}

// A null-modem cable in software: two pseudo-terminals joined by socat, raw
// and without echo; the bridge opens <dir>/<node>.bridge, the node <dir>/<node>.node.
struct Line {
  std::string bridge_end, node_end;
  std::unique_ptr<Process> socat;
  Line(const fs::path& dir, const std::string& node)
      : bridge_end((dir / (node + ".bridge")).string()), node_end((dir / (node + ".node")).string()) {}
  void connect(const fs::path& scratch) {
    socat = std::make_unique<Process>(
        std::vector<std::string>{socat_path(), "pty,rawer,link=" + bridge_end, "pty,rawer,link=" + node_end}, scratch);
    REQUIRE(eventually([&] { return fs::exists(bridge_end) && fs::exists(node_end); }));
  }
};

std::unique_ptr<Process> watt_node(const Cli& cli, std::vector<std::string> args) {
  args.insert(args.begin(), (watt::test::bin_dir() / "watt-node").string());
  return std::make_unique<Process>(args, cli.home().path());
}

// The virtual lab of examples/ed16-serial: a line per node, the bridge (as
// lab.yml has it) on their bridge ends, a watt-node on each node end.
struct SerialLab {
  const Cli& cli;
  Plan plan;
  std::map<std::string, Line> lines;
  std::map<std::string, std::string> files;
  std::map<std::string, std::unique_ptr<Process>> nodes;

  SerialLab(const Cli& c, const fs::path& run_file, std::vector<std::string> plan_args = {})
      : cli(c), plan(plan_run(c, run_file, std::move(plan_args))) {
    for (const auto& [id, file] : plan.hosts) {
      const auto node = id.substr(id.find('-') + 1);
      lines.emplace(node, Line(cli.home().path(), node));
      files[node] = file;
    }
  }
  void connect_lines() {
    for (auto& [node, line] : lines)
      if (!line.socat) line.connect(cli.home().path());
  }
  void start_node(const std::string& node) {
    nodes[node] = watt_node(cli, {"--config", files.at(node), "--device", lines.at(node).node_end});
  }
  void install_bridge() {
    YAML::Node config;
    config["lab"] = "ed16";
    config["prefix"] = "Data/{role}/{node}";
    for (const auto& [node, line] : lines) {
      YAML::Node port;
      port["device"] = line.bridge_end;
      port["node"] = node;
      port["role"] = node.rfind("DG", 0) == 0 ? "generator" : "consumer";
      port["allow_publish"].push_back("ed/ed16/#");
      config["ports"].push_back(port);
    }
    const auto file = write(cli, "lab.yml", config);
    const auto r = cli.watt({"install", lib("serial-bridge"), "-i", "lab-bridge", "-c", file.string(), "--start"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }
  // Every line, the bridge, every node not started yet, then the monitor.
  void run() {
    connect_lines();
    install_bridge();
    for (const auto& [node, line] : lines)
      if (!nodes.count(node)) start_node(node);
    start_monitor(cli, plan);
  }
};

// Iteration for iteration what the synchronous simulation of the same case
// gives: the count, and every node's set-point.
void check_equals_simulation(const json& r) {
  const auto run = watt::ed::load_run_file(ed_test::ed16_path());
  const auto sim = watt::ed::simulate(run.nodes, run.graph_of_members(), {});
  REQUIRE(sim.converged);
  CHECK(r["iterations"].get<std::uint64_t>() == sim.iterations);
  for (std::size_t i = 0; i < run.nodes.size(); ++i)
    CHECK(r["P"][run.nodes[i].id].get<double>() == doctest::Approx(sim.final[i].p).epsilon(1e-9));
}

}  // namespace

TEST_CASE("ed serial: 16 watt-nodes on serial lines through the bridge give the bus-only run's result") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  SerialLab lab(cli, ed_test::ed16_path());
  // DG6 starts before its line exists, like a board whose adapter is not
  // plugged in yet: it keeps trying, quietly, and joins once it is.
  lab.start_node("DG6");
  REQUIRE(eventually([&] { return lab.nodes["DG6"]->err().find("No such file or directory") != std::string::npos; }));
  lab.run();

  const auto r = wait_result(cli, lab.plan.monitor);
  check_central(r, ed_test::ed16());
  check_equals_simulation(r);
  CHECK(r["lost"].empty());

  // Every node leaves once the monitor stops the run, and says where it stopped.
  for (auto& [node, process] : lab.nodes) {
    const auto code = process->wait(20s);
    REQUIRE_MESSAGE(code, node, " did not exit:\n", process->err());
    CHECK_MESSAGE(*code == 0, node, ":\n", process->err());
    CHECK(process->err().find("stopped by " + lab.plan.monitor) != std::string::npos);
    CHECK(process->err().find(node + " P ") != std::string::npos);
  }
  const auto& dg6 = lab.nodes["DG6"]->err();
  CHECK(dg6.find("No such file or directory") == dg6.rfind("No such file or directory"));  // said once

  // The bridge carried it all and refused nothing.
  const auto status = json::parse(cli.watt({"rpc", "lab-bridge", "status"}).out);
  REQUIRE(status.size() == 16);
  for (const auto& port : status) {
    CHECK_MESSAGE(port["refused"].empty(), port.dump());
    CHECK(port["counters"]["published"].get<long>() >= r["iterations"].get<long>());
    CHECK(port["counters"]["rx_bad_crc"] == 0);
  }
}

TEST_CASE(
    "ed serial: a node whose line is cut mid-run leaves the run, the rest re-converge without it, the bridge recovers "
    "when it is replugged") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  auto run = watt::ed::load_run_file(ed_test::ed16_path());
  // Long enough that no node on a loaded machine looks lost but the one cut.
  run.neighbour_timeout = 2000ms;
  const auto run_file = write(cli, "ed16.yml", watt::ed::to_yaml(run));
  Progress progress(cli, "ed16");

  // Paced, so that the run is still going when the cable is pulled.
  SerialLab lab(cli, run_file, {"--pace-ms", "50"});
  lab.run();
  progress.wait_for(5);
  lab.lines.at("L7").socat->stop();  // both ends hang up, and the device names go

  const auto r = wait_result(cli, lab.plan.monitor);
  REQUIRE(r["lost"].size() == 1);
  CHECK(r["lost"][0]["id"] == "L7");
  auto survivors = run.nodes;
  survivors.erase(std::find_if(survivors.begin(), survivors.end(), [](const auto& n) { return n.id == "L7"; }));
  check_central(r, survivors);
  // L7 blames its line, not its neighbours, and leaves the run.
  auto& l7 = *lab.nodes.at("L7");
  const auto code = l7.wait(20s);
  REQUIRE_MESSAGE(code, l7.err());
  CHECK(*code == 1);
  CHECK(l7.err().find("bridge down") != std::string::npos);
  CHECK(l7.err().find("cut off from the bridge") != std::string::npos);
  CHECK(l7.err().find("lost") == std::string::npos);
  // The bridge's health names the node and why (health travels with the
  // heartbeats, so it shows a little later). The others, their run over,
  // have left too, so their lines fall silent.
  const auto bridge_status = [&] { return cli.watt({"status", "lab-bridge"}).out; };
  REQUIRE_MESSAGE(eventually([&] { return bridge_status().find("L7 (cannot open") != std::string::npos; }, 20s),
                  bridge_status());
  // Replugged, the bridge's end of the line comes back by itself.
  const auto l7_state = [&] {
    for (const auto& port : json::parse(cli.watt({"rpc", "lab-bridge", "status"}).out))
      if (port["node"] == "L7") return port["state"].get<std::string>();
    return std::string();
  };
  lab.lines.at("L7").connect(cli.home().path());
  lab.start_node("L7");
  REQUIRE(eventually([&] { return l7_state() == "up"; }, 20s));
}

TEST_CASE("ed serial: a watt-node over TCP takes part in a run as a remote agent with its own key") {
  Cli cli;
  { std::ofstream(cli.home().path() / "config.yml") << "broker:\n  tcp: tcp://127.0.0.1:*\n"; }
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  auto endpoint = watt::test::read_file(cli.home().path() / "run" / "tcp.endpoint");
  while (!endpoint.empty() && endpoint.back() == '\n') endpoint.pop_back();
  const auto server_key = watt::read_key_file(cli.home().path() / "keys" / "server.key").public_key;
  const auto key_file = cli.home().path() / "dg2.key";
  const auto pair = watt::make_key_pair();
  watt::write_key_file(key_file, pair);
  const auto add = cli.watt({"auth", "add", "board-dg2", "--key", pair.public_key, "--identity", "ed16-DG2",
                             "--publish", "ed/ed16/#", "--subscribe", "ed/ed16"});
  REQUIRE_MESSAGE(add.code == 0, add.err);

  const auto plan = plan_run(cli, ed_test::ed16_path());
  std::unique_ptr<Process> board;
  for (const auto& [id, file] : plan.hosts) {
    if (id == "ed16-DG2")
      board = watt_node(
          cli, {"--config", file, "--connect", endpoint, "--server-key", server_key, "--key-file", key_file.string()});
    else
      install_node_agent(cli, id, file);
  }
  REQUIRE(board);
  start_monitor(cli, plan);
  const auto r = wait_result(cli, plan.monitor);
  check_central(r, ed_test::ed16());
  check_equals_simulation(r);
  const auto code = board->wait(20s);
  REQUIRE_MESSAGE(code, board->err());
  CHECK_MESSAGE(*code == 0, board->err());
}

TEST_CASE("ed serial: watt-node refuses a bad run file, bad options and an unknown key, saying why") {
  Cli cli;
  auto run = YAML::LoadFile(ed_test::ed16_path());
  run["nodes"][10]["a"] = -0.02;
  const auto bad = write(cli, "bad.yml", run);
  auto check_refused = [&](std::vector<std::string> args, const std::string& why) {
    auto p = watt_node(cli, std::move(args));
    const auto code = p->wait(10s);
    REQUIRE(code);
    CHECK(*code != 0);
    CHECK_MESSAGE(p->err().find(why) != std::string::npos, p->err());
  };
  check_refused({"--config", bad.string(), "--device", "/dev/null"}, "node DG1: a must be > 0");
  check_refused({"--config", (cli.home().path() / "missing.yml").string(), "--device", "/dev/null"}, "missing.yml");
  check_refused({"--config", ed_test::ed16_path()}, "--device");
  check_refused({"--config", ed_test::ed16_path(), "--device", "/dev/null", "--baud", "12345"}, "baud 12345");
  check_refused({"--config", ed_test::ed16_path(), "--device", "/dev/null", "--parity", "mark"}, "--parity");
  check_refused({"--config", ed_test::ed16_path(), "--device", "/dev/null", "--connect", "tcp://127.0.0.1:1"},
                "excludes");
  // Several nodes over TCP need an identity to claim.
  check_refused({"--config", ed_test::ed16_path(), "--connect", "tcp://127.0.0.1:1"}, "--identity");
}
