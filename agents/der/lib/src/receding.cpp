#include <watt/der/receding.hpp>

#include <chrono>

namespace watt::der {
namespace {

double at(const Forecasts& f, const std::string& name, int t) {
  const auto it = f.find(name);
  if (it == f.end() || static_cast<std::size_t>(t) >= it->second.size())
    throw ModelError("forecast series '" + name + "' has no value at step " + std::to_string(t));
  return it->second[static_cast<std::size_t>(t)];
}

// Where a switch stands after a step: on or off, for how long, how much of
// its required run is done.
void carry(Switch& s, double level) {
  const bool on = level > 0.5;
  s.initial_steps = on == s.initially_on ? s.initial_steps + 1 : 1;
  s.initially_on = on;
  s.initial_level = level;
  if (on) ++s.steps_run;
}

}  // namespace

RecedingHorizon::RecedingHorizon(ModelSet set, MpcSettings settings)
    : set_(std::move(set)), settings_(std::move(settings)) {
  for (const auto& m : set_.models) check(m);
}

const AppliedStep& RecedingHorizon::advance(const Forecasts& forecasts, const Forecasts* actual) {
  const auto t0 = std::chrono::steady_clock::now();
  auto p = plan(set_.models, forecasts, step_, set_.step_h, settings_);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (p.ok()) return apply(p, forecasts, actual ? *actual : forecasts, ms, {});
  return apply(safe_schedule(set_.models, forecasts, step_), forecasts, actual ? *actual : forecasts, ms,
               p.detail.empty() ? std::string(opt::to_string(p.status)) : p.detail);
}

const AppliedStep& RecedingHorizon::advance_safe(const Forecasts& forecasts, const Forecasts* actual) {
  return apply(safe_schedule(set_.models, forecasts, step_), forecasts, actual ? *actual : forecasts, 0, "baseline");
}

const AppliedStep& RecedingHorizon::advance_by(const Plan& p, const Forecasts& forecasts, const Forecasts* actual) {
  return apply(p, forecasts, actual ? *actual : forecasts, 0, p.safe ? "safe schedule" : std::string());
}

const AppliedStep& RecedingHorizon::apply(const Plan& p, const Forecasts& forecasts, const Forecasts& actual,
                                          double solve_ms, std::string why) {
  AppliedStep a;
  a.step = step_;
  a.safe = p.safe;
  a.why = std::move(why);
  a.solve_ms = solve_ms;
  double net = 0;
  for (std::size_t k = 0; k < set_.models.size(); ++k) {
    auto& m = set_.models[k];
    const auto& mp = p.models.at(k);
    std::vector<double> x, w;
    for (const auto& s : m.states) x.push_back(s.initial);
    for (const auto& n : m.inputs) w.push_back(at(actual, n, step_));
    const auto r = der::step(m, x, mp.controls.at(0), mp.switches.at(0), w);
    AppliedStep::Model am{
        m.name, mp.controls[0], mp.switches[0], r.outputs, x, r.next, mp.states.size() > 1 ? mp.states[1] : r.next};
    net += r.outputs.at(static_cast<std::size_t>(&m.power() - m.outputs.data()));
    for (std::size_t i = 0; i < m.states.size(); ++i) m.states[i].initial = r.next[i];
    for (std::size_t j = 0; j < m.switches.size(); ++j) carry(m.switches[j], mp.switches[0][j]);
    a.models.push_back(std::move(am));
  }
  // What the models draw in fact, not what the plan's grid variables said.
  a.import_kw = std::max(0.0, net);
  a.export_kw = std::max(0.0, -net);
  const double feed_in = settings_.feed_in.empty() ? 0 : at(forecasts, settings_.feed_in, step_);
  a.cost = (a.import_kw * at(forecasts, settings_.price, step_) - a.export_kw * feed_in) * set_.step_h;
  ++step_;
  record_.push_back(std::move(a));
  return record_.back();
}

double RecedingHorizon::total_cost() const noexcept {
  double sum = 0;
  for (const auto& a : record_) sum += a.cost;
  return sum;
}

}  // namespace watt::der
