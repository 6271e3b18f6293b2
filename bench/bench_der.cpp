// bench_der: model-predictive control of seed 004's energy hub
// (examples/energy-hub/hub.yml, docs/der.md).
//   replan   one plan of the hub's MILP over 96 half-hour steps (48 h) from
//            each of 20 starting steps: p50 and p99 solve time, beside the
//            same problem with every switch a duty cycle (an LP for CLP, the
//            limit: what the integers cost)
//   horizon  the same over 24, 48, 96 and 192 steps
//   homes    1, 2, 4 and 8 copies of the hub's appliances under one peak
//            limit (a block of homes planned as one)
//   day      48 simulated hours re-planned every step (96 plans) and applied
//   binary   the paper's on/off thermostats instead of duty cycles, 24 steps
#include "numbers.hpp"

#include <watt/der/hub_forecasts.hpp>
#include <watt/der/receding.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

namespace {

using namespace watt::der;
using Clock = std::chrono::steady_clock;

ModelSet hub(int homes, bool duty_cycle_all, bool binary_thermostats) {
  auto base = load_models(WATT_BENCH_HUB_YML);
  ModelSet set{base.step_h, {}};
  for (int h = 0; h < homes; ++h)
    for (auto m : base.models) {
      if (homes > 1) m.name.append("_").append(std::to_string(h));
      for (auto& s : m.switches) {
        if (duty_cycle_all && !s.run_steps) s.duty_cycle = true;
        if (binary_thermostats && !m.thermostats.empty()) s.duty_cycle = false;
      }
      if (duty_cycle_all && m.kind == "appliance") continue;  // run constraints need whole steps
      set.models.push_back(std::move(m));
    }
  return set;
}

struct Times {
  std::vector<double> ms;
  int failed = 0;
};

Times replans(const ModelSet& set, int horizon, double peak) {
  MpcSettings s;
  s.horizon = horizon;
  s.peak_kw = Limit::of(peak);
  const auto f = hub_forecasts(horizon + 40);
  Times t;
  for (int t0 = 0; t0 < 40; t0 += 2) {
    const auto a = Clock::now();
    const auto p = plan(set.models, f, t0, set.step_h, s);
    t.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
    if (p.status != watt::opt::Status::optimal) ++t.failed;
  }
  std::sort(t.ms.begin(), t.ms.end());
  return t;
}

void row(const char* what, const Times& t) {
  std::printf("| %s | %zu | %s | %s | %d |\n", what, t.ms.size(), bench::fixed(bench::percentile(t.ms, 50), 1).c_str(),
              bench::fixed(bench::percentile(t.ms, 99), 1).c_str(), t.failed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_der: MPC of seed 004's energy hub"};
  CLI11_PARSE(app, argc, argv);
  std::printf("| what | plans | p50 ms | p99 ms | not optimal |\n|---|---:|---:|---:|---:|\n");
  row("hub MILP, 96 steps", replans(hub(1, false, false), 96, 4));
  row("same, every switch a duty cycle (LP): the limit", replans(hub(1, true, false), 96, 4));
  char what[64];
  for (int h : {24, 48, 192}) {
    std::snprintf(what, sizeof what, "hub MILP, %d steps", h);
    row(what, replans(hub(1, false, false), h, 4));
  }
  for (int homes : {2, 4, 8}) {
    std::snprintf(what, sizeof what, "%d homes, 96 steps", homes);
    row(what, replans(hub(homes, false, false), 96, 4.0 * homes));
  }
  row("paper's on/off thermostats, 24 steps", replans(hub(1, false, true), 24, 4));
  // 48 simulated hours, re-planned every half hour over 48 hours.
  MpcSettings s;
  s.horizon = 96;
  s.peak_kw = Limit::of(4);
  RecedingHorizon mpc(hub(1, false, false), s);
  const auto f = hub_forecasts(96 + 96);
  const auto a = Clock::now();
  int safe = 0;
  for (int t = 0; t < 96; ++t) safe += mpc.advance(f).safe ? 1 : 0;
  std::printf("\n48 simulated hours, 96 plans of 96 steps: %s s wall, %d safe-schedule steps, cost %s cents\n",
              bench::fixed(std::chrono::duration<double>(Clock::now() - a).count(), 2).c_str(), safe,
              bench::fixed(mpc.total_cost(), 1).c_str());
}
