// watt-org: seed 003's trading experiment (docs/organizations.md). `setup`
// writes the organizations and agents of a case; `run` runs it on a platform
// where they are installed and reports; `solve` runs it by direct calls
// alone, for comparison and timing.
#include "experiment.hpp"

#include <watt/error.hpp>
#include <watt/org/trading_run.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

int main(int argc, char** argv) {
  using namespace watt::org::tool;
  CLI::App app{"watt-org: seed 003's energy trading among organizations of agents"};
  app.require_subcommand(1);
  std::string choices, case_json, dir, lib_dir, out, address;
  std::size_t users = 0, regions = 10, days = 14;
  std::uint64_t seed = 1;
  int timeout_s = 600;
  const auto common = [&](CLI::App* c) {
    c->add_option("--choices", choices, "the settings file (examples/org33/org33.yml)")->required();
    c->add_option("--case", case_json, "the case file (examples/org33/org33_case.json)")->required();
    c->add_option("--users", users, "a generated case of this many end-users (0: the 33-bus case)");
    c->add_option("--regions", regions, "aggregator regions of a generated case")->capture_default_str();
    c->add_option("--seed", seed, "of a generated case")->capture_default_str();
    c->add_option("--days", days, "days of load history each end-user's meter reports")->capture_default_str();
  };
  auto* setup = app.add_subcommand("setup", "write orgs.yml and agents.yml for a case");
  common(setup);
  setup->add_option("--dir", dir, "where to write them")->required();
  setup->add_option("--lib-dir", lib_dir, "where the agent libraries are")->required();
  auto* run = app.add_subcommand("run", "run Case 1 and 2 in S1 and S2 on the platform, and report");
  common(run);
  run->add_option("--out", out, "where result.json and the flows go")->required();
  run->add_option("--connect", address, "the platform's address (default: $WATT_HOME's)");
  run->add_option("--timeout", timeout_s, "seconds each step may take")->capture_default_str();
  auto* solve = app.add_subcommand("solve", "run the four runs by direct calls alone, and time them");
  common(solve);
  CLI11_PARSE(app, argc, argv);
  try {
    const auto e = load_experiment(choices, case_json, users, regions, seed);
    if (setup->parsed()) {
      write_setup(e, dir, lib_dir, days);
      std::cout << "wrote " << dir << "/orgs.yml and " << dir << "/agents.yml: " << e.trading.users.size()
                << " end-users in " << e.trading.regions.size() << " regions\n";
    } else if (run->parsed()) {
      const auto runs = run_experiment(e, {address, days, std::chrono::seconds(timeout_s)});
      return report(e, runs, out, case_json) ? 0 : 1;
    } else {
      for (bool shiftable : {false, true})
        for (bool iterative : {false, true}) {
          const auto t0 = std::chrono::steady_clock::now();
          const auto r =
              watt::org::run_trading(e.trading, {iterative, shiftable, e.tolerance, static_cast<int>(e.max_rounds)});
          const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
          std::cout << fmt::format("S{} case {}: EC^e {:.3f}  EC^a {:.3f}  EC^d {:.3f}  {} rounds, {:.1f} ms ({})\n",
                                   shiftable ? 2 : 1, iterative ? 2 : 1, r.ec_e, r.ec_a, r.ec_d, r.rounds, ms, r.stop);
        }
    }
  } catch (const std::exception& x) {
    std::cerr << "watt-org: " << x.what() << "\n";
    return 1;
  }
  return 0;
}
