#include "params.hpp"

#include <watt/der/builtins.hpp>

#include <cmath>
#include <functional>
#include <map>

namespace watt::der {
namespace {

using Maker = std::function<DerModel(Params&, const std::string&, double)>;
using Coefs = std::map<std::string, double>;

// Whole values, field by field (the structs stay aggregates for their readers).
Terms terms(Coefs states, Coefs controls = {}, Coefs switches = {}, Coefs inputs = {}, double constant = 0) {
  Terms t;
  t.states = std::move(states);
  t.controls = std::move(controls);
  t.switches = std::move(switches);
  t.inputs = std::move(inputs);
  t.constant = constant;
  return t;
}
DerModel model(std::string name, std::string kind) {
  DerModel m;
  m.name = std::move(name);
  m.kind = std::move(kind);
  return m;
}
State state(std::string name, double initial, Range range) {
  State s;
  s.name = std::move(name);
  s.initial = initial;
  s.range = std::move(range);
  return s;
}
Switch on_off(std::string name) {
  Switch s;
  s.name = std::move(name);
  return s;
}
Control control(std::string name, double lower, double upper, double cost = 0) {
  Control c;
  c.name = std::move(name);
  c.range = {Limit::of(lower), std::isfinite(upper) ? Limit::of(upper) : Limit{}};
  c.cost = cost;
  return c;
}

Range range(Params& p, const std::string& low, const std::string& high, std::optional<double> lo,
            std::optional<double> hi) {
  return {p.limit(low, lo), p.limit(high, hi)};
}

Output power(Terms t) { return {"power", std::move(t), {}}; }
Output at_most_zero(std::string name, Terms t) { return {std::move(name), std::move(t), {Limit{}, Limit::of(0)}}; }

// Charge and discharge, never both at once ((25)): a battery, the PV
// system's storage (seed 004's (17)-(18), (23)-(25)).
DerModel battery(Params& p, const std::string& name, double v) {
  const double cap = p.required("capacity_kwh", 0, 1e9);
  const double eta = p.num("efficiency", 0.95, 0.01, 1);
  const double pc = p.num("max_charge_kw", cap / 2, 0, 1e9), pd = p.num("max_discharge_kw", cap / 2, 0, 1e9);
  auto m = model(name, "battery");
  auto e = state("energy", p.num("initial_kwh", cap / 2, 0, cap), range(p, "min_kwh", "max_kwh", 0.0, cap));
  e.next.states["energy"] = 1;
  e.next.controls = {{"charge", v * eta}, {"discharge", -v / eta}};
  if (p.node()["threshold_kwh"]) e.threshold = p.num("threshold_kwh", 0, 0, cap);
  m.states = {e};
  m.controls = {control("charge", 0, pc), control("discharge", 0, pd)};
  auto charging = on_off("charging");
  charging.switching_weight = p.num("switching_weight", 0, 0, 1e9);
  m.switches = {charging};
  m.outputs = {power(terms({}, {{"charge", 1}, {"discharge", -1}})),
               at_most_zero("charge_room", terms({}, {{"charge", 1}}, {{"charging", -pc}})),
               at_most_zero("discharge_room", terms({}, {{"discharge", 1}}, {{"charging", pd}}, {}, -pd))};
  return m;
}

// PV output as forecast, used up to it (what is not used is curtailed).
DerModel pv(Params& p, const std::string& name, double) {
  const auto forecast = p.text("forecast", name + "_kw");
  auto m = model(name, "pv");
  m.controls = {control("used", 0, unbounded)};
  m.controls[0].safe_series = forecast;  // the safe schedule uses what it makes
  m.inputs = {forecast};
  m.outputs = {power(terms({}, {{"used", -1}})),
               at_most_zero("available", terms({}, {{"used", 1}}, {}, {{forecast, -1}}))};
  return m;
}

// A room with an AC and a heater, never on together ((4)); its temperature
// drifts toward the outdoor one and is pushed by internal gains ((5)-(7)).
DerModel thermal_zone(Params& p, const std::string& name, double v) {
  const double n = p.num("coupling_per_h", 0.1, 0, 1 / v);
  const auto outdoor = p.text("outdoor", "outdoor_c"), gains = p.text("gains", "");
  auto m = model(name, "thermal_zone");
  auto t = state("temperature", p.num("initial_c", 20, -50, 60), range(p, "min_c", "max_c", 16.0, 24.0));
  t.next.states["temperature"] = 1 - v * n;
  t.next.switches = {{"ac", -v * p.num("ac_cooling_c_per_h", 3, 0, 100)},
                     {"heater", v * p.num("heater_warming_c_per_h", 3, 0, 100)}};
  t.next.inputs[outdoor] = v * n;
  m.inputs = {outdoor};
  if (!gains.empty()) {
    t.next.inputs[gains] = v * p.num("gain_c_per_h_per_kw", 0.5, 0, 100);
    m.inputs.push_back(gains);
  }
  m.states = {t};
  auto ac = on_off("ac"), heater = on_off("heater");
  ac.duty_cycle = heater.duty_cycle = p.duty_cycle();
  ac.exclusive_with = {"heater"};
  ac.switching_weight = heater.switching_weight = p.num("switching_weight", 0, 0, 1e9);
  m.switches = {ac, heater};
  m.outputs = {
      power(terms({}, {}, {{"ac", p.num("ac_kw", 1.5, 0, 1e6)}, {"heater", p.num("heater_kw", 1.5, 0, 1e6)}}))};
  m.thermostats = {{"temperature", "ac", true}, {"temperature", "heater", false}};
  return m;
}

// A store kept in a band by one on/off element: a fridge cools ((1)), a
// water heater warms ((8)); use (an input series) and losses drift it back.
DerModel thermostatic(Params& p, const std::string& name, double v, bool cooling, double lo, double hi, double kw) {
  const auto use = p.text("use", "");
  auto m = model(name, cooling ? "fridge" : "water_heater");
  auto t = state("temperature", p.num("initial_c", (lo + hi) / 2, -50, 120), range(p, "min_c", "max_c", lo, hi));
  const double k = p.num("k_c_per_h", cooling ? 4 : 8, 0, 1000), h = p.num("h_c_per_h", cooling ? 1.5 : 1, -100, 100);
  t.next.states["temperature"] = 1;
  t.next.switches["on"] = cooling ? -v * k : v * k;
  t.next.constant = cooling ? v * h : -v * h;
  if (!use.empty()) {
    const double psi = p.num("psi_c_per_unit", cooling ? 0.5 : 0.05, 0, 1000);
    t.next.inputs[use] = cooling ? v * psi : -v * psi;
    m.inputs = {use};
  }
  m.states = {t};
  auto on = on_off("on");
  on.switching_weight = p.num("switching_weight", 0, 0, 1e9);
  on.duty_cycle = p.duty_cycle();
  m.switches = {on};
  m.outputs = {power(terms({}, {}, {{"on", p.num("power_kw", kw, 0, 1e6)}}))};
  m.thermostats = {{"temperature", "on", cooling}};
  return m;
}

// An appliance that must run so long within a window ((9)-(16)): a washing
// machine, a dishwasher.
DerModel appliance(Params& p, const std::string& name, double) {
  auto m = model(name, "appliance");
  auto on = on_off("on");
  p.switch_rules(on);
  m.switches = {on};
  m.outputs = {power(terms({}, {}, {{"on", p.required("power_kw", 0, 1e6)}}))};
  return m;
}

// An EV charging while plugged in (an input series of 0 and 1), its energy
// at least a series' value where one is given (what it needs by departure).
DerModel ev_charger(Params& p, const std::string& name, double v) {
  const double cap = p.required("capacity_kwh", 0, 1e9), kw = p.num("max_charge_kw", 7.4, 0, 1e6);
  const auto plugged = p.text("plugged", name + "_plugged");
  auto m = model(name, "ev_charger");
  auto e = state("energy", p.num("initial_kwh", 0, 0, cap), {p.limit("min_kwh", 0.0), Limit::of(cap)});
  e.next.states["energy"] = 1;
  e.next.controls["charge"] = v * p.num("efficiency", 0.92, 0.01, 1);
  m.states = {e};
  m.controls = {control("charge", 0, kw)};
  m.inputs = {plugged};
  m.outputs = {power(terms({}, {{"charge", 1}})),
               at_most_zero("plugged_in", terms({}, {{"charge", 1}}, {}, {{plugged, -kw}}))};
  return m;
}

// A dispatchable generator (seed 001's waste-to-energy plant): off, or on
// between its minimum and maximum output, each kWh at its fuel cost.
DerModel generator(Params& p, const std::string& name, double) {
  const double hi = p.required("max_kw", 0, 1e9), lo = p.num("min_kw", 0, 0, hi);
  auto m = model(name, "generator");
  m.controls = {control("output", 0, hi, p.num("fuel_cost_per_kwh", 0, 0, 1e6))};
  auto on = on_off("on");
  p.switch_rules(on);
  m.switches = {on};
  m.outputs = {power(terms({}, {{"output", -1}})),
               at_most_zero("at_most_max", terms({}, {{"output", 1}}, {{"on", -hi}})),
               {"at_least_min", terms({}, {{"output", 1}}, {{"on", -lo}}), {Limit::of(0), Limit{}}}};
  return m;
}

const std::map<std::string, Maker>& makers() {
  static const std::map<std::string, Maker> all{
      {"appliance", appliance},
      {"battery", battery},
      {"ev_charger", ev_charger},
      {"fridge", [](Params& p, const std::string& n, double v) { return thermostatic(p, n, v, true, 3, 8, 0.45); }},
      {"generator", generator},
      {"pv", pv},
      {"thermal_zone", thermal_zone},
      {"water_heater",
       [](Params& p, const std::string& n, double v) { return thermostatic(p, n, v, false, 70, 76, 2.0); }},
  };
  return all;
}

}  // namespace

const std::vector<std::string>& builtin_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> k;
    for (const auto& [name, maker] : makers()) k.push_back(name);
    return k;
  }();
  return kinds;
}

DerModel builtin(const std::string& kind, const std::string& name, const YAML::Node& params, double step_h) {
  const auto it = makers().find(kind);
  if (it == makers().end()) {
    std::string list;
    for (const auto& k : builtin_kinds()) list += (list.empty() ? "" : ", ") + k;
    throw ModelError("model '" + name + "': unknown kind '" + kind + "' (built-in: " + list + ", state_space)");
  }
  Params p(params, name);
  auto m = it->second(p, name, step_h);
  p.finish();
  check(m);
  return m;
}

}  // namespace watt::der
