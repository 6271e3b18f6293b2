// What the dispatch integration tests share: watt-ed, planning a run into
// per-node files, installing node agents and the monitor, waiting for the
// result and checking it against the centralized solution.
#pragma once

#include "cli.hpp"

#include <watt/ed/messages.hpp>
#include "../unit/ed_cases.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace watt::test::ed {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

inline Exit watt_ed(const Cli& cli, std::vector<std::string> args) {
  args.insert(args.begin(), (bin_dir() / "watt-ed").string());
  return run(args, cli.home().path(), cli.env());
}

inline fs::path write(const Cli& cli, const std::string& name, const YAML::Node& node) {
  const auto path = cli.home().path() / name;
  std::ofstream(path) << node << '\n';
  return path;
}

// The run's progress as its monitor publishes it on ed/<run>/status, so a
// test can act mid-run.
class Progress {
public:
  Progress(const Cli& cli, const std::string& run) : watcher_(client(cli, "progress-watcher")) {
    watcher_.subscribe(watt::ed::status_topic(run),
                       [this](const watt::Envelope& e) { k_ = e.body.as<watt::ed::StatusMsg>().k; });
    REQUIRE(watcher_.sync());
  }
  void wait_for(std::uint64_t k) {
    REQUIRE(watcher_.spin_until([&] { return k_ >= k; }, 20s));
  }

private:
  watt::Client watcher_;
  std::uint64_t k_ = 0;
};

// `watt-ed plan` into the test's home: the node hosts' identities and files,
// and the monitor's identity (its file is plan/monitor.yml).
struct Plan {
  std::vector<std::pair<std::string, std::string>> hosts;  // identity, file
  std::string monitor;
};

inline Plan plan_run(const Cli& cli, const fs::path& run_file, std::vector<std::string> plan_args = {}) {
  std::vector<std::string> args = {"plan",          run_file.string(),
                                   "--out",         (cli.home().path() / "plan").string(),
                                   "--result-json", (cli.home().path() / "result.json").string(),
                                   "--trace-csv",   (cli.home().path() / "trace.csv").string()};
  args.insert(args.end(), plan_args.begin(), plan_args.end());
  const auto planned = watt_ed(cli, args);
  REQUIRE_MESSAGE(planned.code == 0, planned.err);
  Plan plan;
  std::istringstream lines(planned.out);
  std::string id, file;
  while (lines >> id >> file) {
    const bool is_monitor = id.size() > 8 && id.compare(id.size() - 8, 8, "-monitor") == 0;
    if (is_monitor)
      plan.monitor = id;
    else
      plan.hosts.emplace_back(id, file);
  }
  REQUIRE(!plan.monitor.empty());
  return plan;
}

// In a process of its own, or in the named agent container.
inline void install_node_agent(const Cli& cli, const std::string& id, const std::string& file,
                               const std::string& container = {}) {
  std::vector<std::string> args = {"install", lib("ed-node"), "-i", id, "-c", file, "--start"};
  if (!container.empty()) args.insert(args.end(), {"--container", container});
  const auto r = cli.watt(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
}

// The monitor starts the run once every node has said it is ready.
inline void start_monitor(const Cli& cli, const Plan& plan) {
  const auto r = cli.watt({"install", lib("ed-monitor"), "-i", plan.monitor, "-c",
                           (cli.home().path() / "plan" / "monitor.yml").string(), "--start"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
}

inline void install_nodes(const Cli& cli, const Plan& plan) {
  for (const auto& [id, file] : plan.hosts) install_node_agent(cli, id, file);
}

// Plans the run, installs every node agent and then the monitor (which starts
// the run); returns the monitor's identity.
inline std::string launch(const Cli& cli, const fs::path& run_file, std::vector<std::string> plan_args = {}) {
  const auto plan = plan_run(cli, run_file, std::move(plan_args));
  install_nodes(cli, plan);
  start_monitor(cli, plan);
  return plan.monitor;
}

inline json wait_result(const Cli& cli, const std::string& monitor, std::chrono::milliseconds within = 60s) {
  const auto path = cli.home().path() / "result.json";
  const bool done = eventually([&] { return fs::exists(path); }, within);
  if (!done) FAIL("no result; the monitor's log:\n" << cli.log(monitor));
  std::ifstream in(path);
  return json::parse(in);
}

// |λ − λ*| < 1e-3 everywhere, |mismatch| < 0.1 kW, and every P within 0.1 kW
// of the centralized solution of `nodes`.
inline void check_central(const json& r, const std::vector<watt::ed::NodeParams>& nodes) {
  REQUIRE_MESSAGE(r["status"] == "converged", r.dump());
  const auto d = watt::ed::solve_central(nodes);
  CHECK(std::abs(r["mismatch_kw"].get<double>()) < 0.1);
  CHECK(std::abs(r["lambda"].get<double>() - d.lambda) < 1e-3);
  CHECK(r["central"]["lambda_error"].get<double>() < 1e-3);
  CHECK(r["P"].size() == nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) CHECK(std::abs(r["P"][nodes[i].id].get<double>() - d.p[i]) < 0.1);
}

}  // namespace watt::test::ed
