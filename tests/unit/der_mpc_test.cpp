// Model-predictive control of DER models: the MILP's run, window and
// minimum up and down constraints hold; AC and heater never run together; a
// plan that cannot hold names what binds and the safe schedule keeps the
// bands; a solver time limit is honoured; a missing series is named.
#include <watt/der/model_file.hpp>
#include <watt/der/mpc.hpp>
#include <watt/der/receding.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace watt::der;

namespace {

ModelSet models(const std::string& yaml) { return parse_models("step_minutes: 30\nmodels:\n" + yaml, "test.yml"); }

std::vector<double> column(const ModelPlan& p, std::size_t j, bool switches = true) {
  std::vector<double> out;
  for (const auto& row : switches ? p.switches : p.controls) out.push_back(row.at(j));
  return out;
}

// Runs of ones: (start, length).
std::vector<std::pair<int, int>> runs(const std::vector<double>& on) {
  std::vector<std::pair<int, int>> out;
  for (int t = 0; t < static_cast<int>(on.size()); ++t)
    if (on[static_cast<std::size_t>(t)] > 0.5) {
      if (t == 0 || on[static_cast<std::size_t>(t - 1)] < 0.5) out.push_back({t, 0});
      ++out.back().second;
    }
  return out;
}

}  // namespace

TEST_CASE("mpc: a washing machine runs its required time inside its window, in runs within its limits") {
  const auto set = models(
      "  - {name: wm, kind: appliance, power_kw: 2, window: [4, 13], run_steps: 4, max_run_steps: 2,"
      " min_up_steps: 2, min_down_steps: 2}\n");
  // Cheapest at steps 6-9, so that a single run of 4 would be cheapest: the
  // maximum successive run must split it.
  Forecasts f{{"price", std::vector<double>(16, 30)}};
  for (int t = 6; t <= 9; ++t) f["price"][static_cast<std::size_t>(t)] = 10;
  MpcSettings s;
  s.horizon = 16;
  const auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.ok());
  const auto on = column(p.models[0], 0);
  CHECK(std::accumulate(on.begin(), on.end(), 0.0) == 4);
  const auto r = runs(on);
  INFO("runs at " << r.size());
  for (const auto& [start, len] : r) {
    CHECK(start >= 4);
    CHECK(start + len - 1 <= 13);
    CHECK(len >= 2);  // min up
    CHECK(len <= 2);  // max successive
  }
  for (std::size_t i = 1; i < r.size(); ++i) CHECK(r[i].first - (r[i - 1].first + r[i - 1].second) >= 2);  // min down
  // Two runs of two, two steps apart: only one can sit in the cheap hours.
  CHECK(p.energy_cost == doctest::Approx(2 * 0.5 * (10 * 2 + 30 * 2)));
}

TEST_CASE("mpc: a run under way at the start is carried into the plan") {
  // On for 1 step of a minimum 3: it must stay on for 2 more, then its
  // required time is done.
  const auto set = models(
      "  - {name: wm, kind: appliance, power_kw: 2, run_steps: 3, min_up_steps: 3, initially_on: 1, initial_steps: 1,"
      " steps_run: 1, window: [0, 20]}\n");
  Forecasts f{{"price", std::vector<double>(8, 50)}};
  MpcSettings s;
  s.horizon = 8;
  const auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.ok());
  CHECK(column(p.models[0], 0) == std::vector<double>{1, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("mpc: a run at its maximum when the plan starts stops, and a required run that cannot be done still plans") {
  // On for 2 steps already, at most 2 in a row: off at the first step.
  auto set = models(
      "  - {name: pump, kind: appliance, power_kw: 1, run_steps: 4, window: [0, 20], max_run_steps: 2,"
      " initially_on: 1, initial_steps: 2, steps_run: 2}\n");
  Forecasts f{{"price", std::vector<double>(30, -5)}};  // running pays: it would run on if it could
  MpcSettings s;
  s.horizon = 8;
  auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.ok());
  CHECK(p.models[0].switches[0][0] == 0);
  // Off for a while, its window nearly gone with 2 steps still owed and room
  // for 1: the plan runs what it can rather than failing.
  set.models[0].switches[0].initially_on = false;
  set.models[0].switches[0].initial_steps = 5;
  p = plan(set.models, f, 20, set.step_h, s);
  REQUIRE(p.ok());
  CHECK(p.models[0].switches[0][0] == 1);
  // Past the window, nothing is owed.
  CHECK(plan(set.models, f, 22, set.step_h, s).ok());
}

TEST_CASE("mpc: the AC and the heater are never on together, even when running both would pay") {
  const auto set = models("  - {name: zone, kind: thermal_zone, initial_c: 20, min_c: 16, max_c: 24}\n");
  Forecasts f{{"price", std::vector<double>(8, -10)}, {"outdoor_c", std::vector<double>(8, 20)}};
  MpcSettings s;
  s.horizon = 8;
  const auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.ok());
  for (const auto& d : p.models[0].switches) CHECK(d[0] + d[1] == doctest::Approx(1));  // as much as allowed
}

TEST_CASE("mpc: the AC and the heater are never on together, and the zone stays in its band") {
  const auto set = models("  - {name: zone, kind: thermal_zone, initial_c: 20, min_c: 19, max_c: 21}\n");
  Forecasts f{{"price", std::vector<double>(24, 20)}, {"outdoor_c", std::vector<double>(24, 5)}};
  for (std::size_t t = 12; t < 24; ++t) f["outdoor_c"][t] = 35;
  MpcSettings s;
  s.horizon = 24;
  const auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.ok());
  for (int t = 0; t < 24; ++t) {
    const auto& d = p.models[0].switches[static_cast<std::size_t>(t)];
    CHECK(d[0] + d[1] <= 1);
    const double temp = p.models[0].states[static_cast<std::size_t>(t + 1)][0];
    CHECK(temp >= 19 - 1e-6);
    CHECK(temp <= 21 + 1e-6);
  }
  const auto ac = column(p.models[0], 0), heater = column(p.models[0], 1);
  CHECK(std::accumulate(ac.begin(), ac.end(), 0.0) > 0);          // cooled
  CHECK(std::accumulate(heater.begin(), heater.end(), 0.0) > 0);  // heated
}

TEST_CASE("mpc: a comfort bound that cannot hold under the peak limit is named, and the safe schedule keeps it") {
  const auto set = models("  - {name: fridge, kind: fridge, initial_c: 7.9, power_kw: 0.45}\n");
  Forecasts f{{"price", std::vector<double>(8, 20)}};
  MpcSettings s;
  s.horizon = 8;
  s.peak_kw = Limit::of(0.1);  // less than the fridge needs, even part of each step
  const auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.status == watt::opt::Status::infeasible);
  INFO(p.detail);
  const auto named = [&](const std::string& what) {
    return std::any_of(p.at_fault.begin(), p.at_fault.end(),
                       [&](const std::string& a) { return a.find(what) != std::string::npos; });
  };
  CHECK(named("fridge.temperature.max["));
  CHECK(named("peak_limit["));
  // The safe schedule: past its upper bound the fridge cools, whatever the plan.
  auto warm = set.models;
  warm[0].states[0].initial = 8.5;
  const auto safe = safe_schedule(warm, f, 0);
  CHECK(safe.safe);
  CHECK(safe.models[0].switches[0][0] == 1);
  warm[0].states[0].initial = 2.5;
  CHECK(safe_schedule(warm, f, 0).models[0].switches[0][0] == 0);
}

TEST_CASE(
    "mpc: a battery moves cheap energy to dear hours, within its bounds and never charging and discharging at once") {
  const auto set = models(
      "  - {name: load, kind: appliance, power_kw: 1, run_steps: 8, window: [0, 7]}\n"
      "  - {name: b, kind: battery, capacity_kwh: 4, initial_kwh: 0, max_charge_kw: 2, max_discharge_kw: 2}\n");
  Forecasts f{{"price", {10, 10, 10, 10, 40, 40, 40, 40}}};
  MpcSettings s;
  s.horizon = 8;
  const auto p = plan(set.models, f, 0, set.step_h, s);
  REQUIRE(p.ok());
  const auto& b = p.models[1];
  for (std::size_t t = 0; t < 8; ++t) {
    CHECK(b.states[t + 1][0] >= -1e-6);
    CHECK(b.states[t + 1][0] <= 4 + 1e-6);
    CHECK(std::min(b.controls[t][0], b.controls[t][1]) < 1e-6);
  }
  CHECK(b.controls[5][1] + b.controls[6][1] + b.controls[7][1] + b.controls[4][1] > 0);  // discharged when dear
  CHECK(p.energy_cost < 8 * 0.5 * (10 + 40) / 2 * 1);  // less than running the load with no battery
  // Where using energy pays, charging and discharging at once would burn it
  // in the battery's losses: never both.
  const auto paid = plan(set.models, {{"price", std::vector<double>(8, -20)}}, 0, set.step_h, s);
  REQUIRE(paid.ok());
  for (const auto& c : paid.models[1].controls) CHECK(std::min(c[0], c[1]) < 1e-6);
}

TEST_CASE("mpc: a missing or short forecast series is named, and a time limit is honoured") {
  const auto set = models("  - {name: pv, kind: pv}\n");
  MpcSettings s;
  s.horizon = 4;
  CHECK_THROWS_WITH_AS(plan(set.models, {{"price", {1, 1, 1, 1}}}, 0, set.step_h, s),
                       doctest::Contains("no forecast series 'pv_kw'"), ModelError);
  CHECK_THROWS_WITH_AS(plan(set.models, {{"price", {1, 1}}, {"pv_kw", {1, 1, 1, 1}}}, 0, set.step_h, s),
                       doctest::Contains("'price' has 2 values; the plan needs step 2"), ModelError);
  // Many appliances with run rules over a long horizon, and 1 ms to plan
  // them: the solver stops there and says so (or had finished already).
  std::string many;
  for (int i = 0; i < 12; ++i)
    many += "  - {name: a" + std::to_string(i) + ", kind: appliance, power_kw: " + std::to_string(1 + i % 3) +
            ", run_steps: " + std::to_string(5 + i) +
            ", window: [0, 95], max_run_steps: 3, min_up_steps: 2, min_down_steps: 2}\n";
  const auto big = models(many);
  Forecasts f{{"price", {}}};
  for (int t = 0; t < 96; ++t) f["price"].push_back(20 + 10 * std::sin(t * 0.3) + (t * 7919 % 13));
  s.horizon = 96;
  s.peak_kw = Limit::of(6);
  s.solve.time_limit = std::chrono::milliseconds(1);
  const auto p = plan(big.models, f, 0, big.step_h, s);
  INFO(p.detail);
  CHECK((p.status == watt::opt::Status::time_limit || p.status == watt::opt::Status::optimal));
  // The runner applies the best found, or the safe schedule when there is none.
  RecedingHorizon runner(big, s);
  const auto& a = runner.advance(f);
  CHECK((a.safe || p.ok()));
  CHECK(runner.step() == 1);
}
