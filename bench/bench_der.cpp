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
//   clearing a day-ahead market of 48 half-hour intervals, 1,000 bids and
//            1,000 asks each (seed 001's uniform-price double auction),
//            beside sorting the same offers (the limit: clearing is a sort
//            and a walk)
#include "numbers.hpp"

#include <watt/der/clearing.hpp>
#include <watt/der/hub_forecasts.hpp>
#include <watt/der/receding.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <random>

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

void clearing_bench() {
  std::mt19937 rng(7);
  std::uniform_int_distribution<Wh> energy(100, 20000);
  std::uniform_int_distribution<PriceCc> price(500, 6000);
  std::vector<std::vector<Offer>> bids(48), asks(48);
  for (int i = 0; i < 48; ++i)
    for (int k = 0; k < 1000; ++k) {
      bids[static_cast<std::size_t>(i)].push_back({std::to_string(k), energy(rng), price(rng)});
      asks[static_cast<std::size_t>(i)].push_back({std::to_string(k), energy(rng), price(rng)});
    }
  Wh traded = 0;
  auto a = Clock::now();
  for (int i = 0; i < 48; ++i)
    traded += clear(bids[static_cast<std::size_t>(i)], asks[static_cast<std::size_t>(i)]).energy;
  const double clear_ms = std::chrono::duration<double, std::milli>(Clock::now() - a).count();
  a = Clock::now();
  std::size_t sorted = 0;
  for (int i = 0; i < 48; ++i) {
    auto b = bids[static_cast<std::size_t>(i)], s = asks[static_cast<std::size_t>(i)];
    std::sort(b.begin(), b.end(), [](const Offer& x, const Offer& y) { return x.price > y.price; });
    std::sort(s.begin(), s.end(), [](const Offer& x, const Offer& y) { return x.price < y.price; });
    sorted += b.size() + s.size();
  }
  const double sort_ms = std::chrono::duration<double, std::milli>(Clock::now() - a).count();
  std::printf(
      "\nday-ahead clearing, 48 intervals of 1,000 bids and 1,000 asks: %s ms (%s ms an interval), "
      "%s MWh traded; sorting the same offers alone: %s ms (%zu offers)\n",
      bench::fixed(clear_ms, 1).c_str(), bench::fixed(clear_ms / 48, 2).c_str(),
      bench::fixed(static_cast<double>(traded) / 1e6, 1).c_str(), bench::fixed(sort_ms, 1).c_str(), sorted);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_der: MPC of seed 004's energy hub"};
  bool clearing_only = false;
  app.add_flag("--clearing", clearing_only, "only the market clearing");
  CLI11_PARSE(app, argc, argv);
  if (clearing_only) {
    clearing_bench();
    return 0;
  }
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
  clearing_bench();
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
