// The receding horizon on seed 004's hub (examples/energy-hub/hub.yml):
// every comfort bound and the peak limit hold at every applied step, the
// washing machine runs as it must, the record carries each step's plan and
// what came of it, and it costs less than thermostats alone.
#include <watt/der/hub_forecasts.hpp>
#include <watt/der/receding.hpp>

#include <doctest/doctest.h>

using namespace watt::der;

namespace {

ModelSet hub(bool washing_machine) {
  auto set = load_models(std::string(WATT_TEST_SOURCE_DIR) + "/examples/energy-hub/hub.yml");
  if (!washing_machine) std::erase_if(set.models, [](const DerModel& m) { return m.name == "washing_machine"; });
  return set;
}

}  // namespace

TEST_CASE("receding horizon: the hub keeps every band and the peak limit, and the washing machine runs its time") {
  MpcSettings s;
  s.horizon = 24;
  s.peak_kw = Limit::of(4);
  RecedingHorizon mpc(hub(true), s);
  const auto f = hub_forecasts(48 + 24);
  for (int t = 0; t < 48; ++t) mpc.advance(f);
  int washing = 0;
  for (const auto& a : mpc.record()) {
    INFO("step " << a.step << (a.safe ? " (safe schedule: " + a.why + ")" : ""));
    CHECK_FALSE(a.safe);
    CHECK(a.import_kw <= 4 + 1e-6);
    for (const auto& m : a.models) {
      if (m.name == "fridge") CHECK((m.end[0] >= 3 - 1e-6 && m.end[0] <= 8 + 1e-6));
      if (m.name == "room") CHECK((m.end[0] >= 16 - 1e-6 && m.end[0] <= 24 + 1e-6));
      if (m.name == "room") CHECK(m.switches[0] + m.switches[1] <= 1);
      if (m.name == "water_heater") CHECK((m.end[0] >= 70 - 1e-6 && m.end[0] <= 76 + 1e-6));
      if (m.name == "battery") CHECK((m.end[0] >= 0.5 - 1e-6 && m.end[0] <= 5 + 1e-6));
      if (m.name == "washing_machine" && m.switches[0] > 0.5) {
        CHECK(a.step >= 36);
        CHECK(a.step <= 46);
        ++washing;
      }
      // The plant is the model: what happened is what was planned.
      for (std::size_t i = 0; i < m.end.size(); ++i) CHECK(m.end[i] == doctest::Approx(m.planned_end[i]));
    }
  }
  CHECK(washing == 4);
}

TEST_CASE("receding horizon: the hub costs less than thermostats alone, and a plan that cannot be made falls back") {
  MpcSettings s;
  s.horizon = 24;
  s.peak_kw = Limit::of(4);
  const auto f = hub_forecasts(48 + 24);
  RecedingHorizon mpc(hub(false), s), thermostats(hub(false), s);
  for (int t = 0; t < 48; ++t) {
    mpc.advance(f);
    thermostats.advance_safe(f);
  }
  INFO("MPC " << mpc.total_cost() << " c, thermostats " << thermostats.total_cost() << " c");
  CHECK(mpc.total_cost() < thermostats.total_cost());
  // Nothing may be imported, the battery is empty and it is night: the
  // fridge cannot keep cold; no plan, the safe schedule runs and says why.
  s.peak_kw = Limit::of(0);
  auto empty = hub(false);
  for (auto& m : empty.models)
    if (m.name == "battery") m.states[0].initial = 0.5;
  RecedingHorizon starved(empty, s);
  const auto& a = starved.advance(f);
  CHECK(a.safe);
  INFO(a.why);
  CHECK(a.why.find("peak_limit[") != std::string::npos);
}
