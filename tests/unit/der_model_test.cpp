// DER models: each built-in's dynamics against steps computed by hand, an
// explicit state-space model from YAML, and bad model files refused naming
// the model and the field.
#include <watt/der/model_file.hpp>

#include <doctest/doctest.h>

using namespace watt::der;

namespace {

// One step of model `name` of `yaml` (step 30 minutes).
StepResult one_step(const std::string& yaml, const std::vector<double>& x, const std::vector<double>& c,
                    const std::vector<double>& d, const std::vector<double>& w) {
  const auto set = parse_models("step_minutes: 30\nmodels:\n  - " + yaml + "\n", "test.yml");
  REQUIRE(set.models.size() == 1);
  return step(set.models[0], x, c, d, w);
}

double power(const std::string& yaml, const StepResult& r) {
  const auto m = parse_models("step_minutes: 30\nmodels:\n  - " + yaml + "\n", "test.yml").models[0];
  for (std::size_t i = 0; i < m.outputs.size(); ++i)
    if (m.outputs[i].name == "power") return r.outputs[i];
  FAIL("no power output");
  return 0;
}

}  // namespace

TEST_CASE("der: a fridge cools when on and warms when off, as (1) says") {
  const std::string fridge = "{name: f, kind: fridge, k_c_per_h: 4, h_c_per_h: 1.5, power_kw: 0.45}";
  // 5 + 0.5 (-4 + 1.5) = 3.75 on; 5 + 0.5 * 1.5 = 5.75 off.
  CHECK(one_step(fridge, {5}, {}, {1}, {}).next[0] == doctest::Approx(3.75));
  CHECK(one_step(fridge, {5}, {}, {0}, {}).next[0] == doctest::Approx(5.75));
  CHECK(power(fridge, one_step(fridge, {5}, {}, {1}, {})) == doctest::Approx(0.45));
}

TEST_CASE("der: a thermal zone drifts toward outdoors and its AC and heater push it, never together") {
  const std::string zone = "{name: z, kind: thermal_zone, coupling_per_h: 0.1, ac_cooling_c_per_h: 3, ac_kw: 1.5}";
  // 22 (1 - 0.05) - 0.5 * 3 + 0.05 * 30 = 20.9
  const auto r = one_step(zone, {22}, {}, {1, 0}, {30});
  CHECK(r.next[0] == doctest::Approx(20.9));
  CHECK(power(zone, r) == doctest::Approx(1.5));
  const auto m = parse_models("models:\n  - " + zone + "\n", "t").models[0];
  CHECK(m.switches[0].exclusive_with == std::vector<std::string>{"heater"});
  CHECK(m.thermostats.size() == 2);
}

TEST_CASE("der: a water heater warms when on and cools with use (8)") {
  const std::string wh =
      "{name: w, kind: water_heater, k_c_per_h: 8, h_c_per_h: 1, use: hot_water, psi_c_per_unit: 0.1}";
  // 72 + 0.5 (8 - 1 - 0.1 * 10) = 75
  CHECK(one_step(wh, {72}, {}, {1}, {10}).next[0] == doctest::Approx(75));
}

TEST_CASE("der: a battery stores what it charges at its efficiency, and gives less than it holds (17)") {
  const std::string b = "{name: b, kind: battery, capacity_kwh: 10, efficiency: 0.95}";
  CHECK(one_step(b, {5}, {2, 0}, {1}, {}).next[0] == doctest::Approx(5 + 0.5 * 0.95 * 2));
  CHECK(one_step(b, {5}, {0, 2}, {0}, {}).next[0] == doctest::Approx(5 - 0.5 * 2 / 0.95));
  CHECK(power(b, one_step(b, {5}, {0, 2}, {0}, {})) == doctest::Approx(-2));
}

TEST_CASE("der: PV, an EV charger and a generator as their outputs say") {
  const std::string pv = "{name: pv, kind: pv, forecast: sun}";
  CHECK(power(pv, one_step(pv, {}, {3}, {}, {4})) == doctest::Approx(-3));
  const std::string ev = "{name: ev, kind: ev_charger, capacity_kwh: 40, max_charge_kw: 7, efficiency: 0.9}";
  CHECK(one_step(ev, {10}, {7}, {}, {1}).next[0] == doctest::Approx(10 + 0.5 * 0.9 * 7));
  const std::string gen = "{name: g, kind: generator, max_kw: 100, min_kw: 30, fuel_cost_per_kwh: 0.05}";
  CHECK(power(gen, one_step(gen, {}, {50}, {1}, {})) == doctest::Approx(-50));
}

TEST_CASE("der: an explicit state-space model from YAML steps as its rows say") {
  const std::string cellar = R"({name: cellar, kind: state_space,
      states: {t: {initial: 12, min: 8, max: 16, next: {states: {t: 0.98}, switches: {fan: -0.5}, inputs: {out: 0.02}, constant: 0.1}}},
      switches: {fan: {switching_weight: 0.01}}, inputs: [out],
      outputs: {power: {switches: {fan: 0.2}}}})";
  // 0.98 * 12 - 0.5 + 0.02 * 30 + 0.1 = 11.96
  const auto r = one_step(cellar, {12}, {}, {1}, {30});
  CHECK(r.next[0] == doctest::Approx(11.96));
  CHECK(power(cellar, r) == doctest::Approx(0.2));
}

TEST_CASE("der: bad model files are refused naming the file, the model and the field") {
  const auto refused = [](const std::string& models) {
    try {
      (void)parse_models("models:\n" + models, "hub.yml");
    } catch (const ModelError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("  - {name: f, kind: fridge, colour: red}\n").find("hub.yml: model 'f': unknown key 'colour'") == 0);
  CHECK(refused("  - {name: f, kind: toaster}\n").find("unknown kind 'toaster'") != std::string::npos);
  CHECK(refused("  - {name: b, kind: battery}\n").find("model 'b', 'capacity_kwh': is required") != std::string::npos);
  CHECK(refused("  - {name: b, kind: battery, capacity_kwh: -3}\n").find("'capacity_kwh': must be from 0") !=
        std::string::npos);
  CHECK(refused("  - {name: f, kind: fridge, power_kw: lots}\n").find("'power_kw': is not a number") !=
        std::string::npos);
  CHECK(refused("  - {name: f, kind: fridge}\n  - {name: f, kind: fridge}\n").find("model 'f' twice") !=
        std::string::npos);
  CHECK(refused("  - {name: a, kind: appliance, power_kw: 1, window: [9, 3]}\n").find("switch 'on': its window") !=
        std::string::npos);
  CHECK(refused("  - {name: s, kind: state_space, states: {t: {next: {states: {u: 1}}}}, outputs: {power: {}}}\n")
            .find("model 's', state 't': no state 'u'") != std::string::npos);
  CHECK(refused("  - {name: s, kind: state_space, states: {t: {next: {}}}}\n").find("no output 'power'") !=
        std::string::npos);
  CHECK(refused("  - {name: s, kind: state_space, switches: {a: {exclusive_with: [b]}}, outputs: {power: {}}}\n")
            .find("no switch 'b'") != std::string::npos);
  CHECK(refused("  - [1, 2]\n").find("hub.yml") == 0);
  CHECK_THROWS_AS(load_models("/nonexistent/hub.yml"), ModelError);
}
