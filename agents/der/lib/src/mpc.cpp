#include "mpc_builder.hpp"

#include <algorithm>
#include <cmath>

namespace watt::der {

Plan MpcBuilder::read(const opt::Solution& s) const {
  Plan p;
  p.status = s.status;
  p.detail = s.detail;
  p.at_fault = s.at_fault;
  if (s.x.size() != lp_.vars().size()) return p;
  p.objective = s.objective;
  const auto at = [&](int var) { return s.x[static_cast<std::size_t>(var)]; };
  for (int t = 0; t < horizon_; ++t) {
    p.import_kw.push_back(at(import_[static_cast<std::size_t>(t)]));
    p.export_kw.push_back(at(export_[static_cast<std::size_t>(t)]));
    const double feed_in = settings_.feed_in.empty() ? 0 : series(settings_.feed_in, t);
    p.energy_cost += (p.import_kw.back() * series(settings_.price, t) - p.export_kw.back() * feed_in) * step_h_;
  }
  for (std::size_t k = 0; k < models_.size(); ++k) {
    const auto& m = models_[k];
    const auto& v = vars_[k];
    ModelPlan mp{m.name, {}, {}, {}, {}};
    auto& first = mp.states.emplace_back();
    for (const auto& st : m.states) first.push_back(st.initial);
    for (int t = 0; t < horizon_; ++t) {
      const auto i = static_cast<std::size_t>(t);
      auto& x = mp.states.emplace_back();
      for (int var : v.x[i]) x.push_back(at(var));
      auto& c = mp.controls.emplace_back();
      for (int var : v.c[i]) c.push_back(at(var));
      auto& d = mp.switches.emplace_back();
      for (std::size_t j = 0; j < v.d[i].size(); ++j) {
        const double on = std::clamp(at(v.d[i][j]), 0.0, 1.0);
        d.push_back(m.switches[j].duty_cycle ? on : std::round(on));
      }
      const auto r = step(m, mp.states[i], c, d, [&] {
        std::vector<double> w;
        for (const auto& n : m.inputs) w.push_back(series(n, t));
        return w;
      }());
      mp.outputs.push_back(r.outputs);
    }
    p.models.push_back(std::move(mp));
  }
  return p;
}

Plan plan(const std::vector<DerModel>& models, const Forecasts& forecasts, int t0, double step_h,
          const MpcSettings& settings) {
  const MpcBuilder b(models, forecasts, t0, step_h, settings);
  auto p = b.read(opt::solve(b.model(), settings.solve));
  if (!p.at_fault.empty()) {
    // The dynamics only carry a contradiction from step to step; the bands
    // and limits are what binds, and what a user can change: named first.
    // The peak limit first, then the states' bands (comfort, storage), then
    // the rest.
    const auto rank = [&](const std::string& what) {
      if (what.find("peak_limit[") != std::string::npos) return 0;
      for (const auto& m : models)
        for (const auto& st : m.states)
          for (const char* side : {".min[", ".max["})
            if (what.find("'" + m.name + "." + st.name + side) != std::string::npos) return 1;
      return what.find(".dynamics[") != std::string::npos ? 3 : 2;
    };
    std::stable_sort(p.at_fault.begin(), p.at_fault.end(),
                     [&](const std::string& x, const std::string& y) { return rank(x) < rank(y); });
    std::string named;
    for (std::size_t i = 0; i < p.at_fault.size() && i < 6; ++i) named += (i ? ", " : "") + p.at_fault[i];
    if (p.at_fault.size() > 6) named += " and " + std::to_string(p.at_fault.size() - 6) + " more";
    p.detail = "no plan holds every band and limit; what binds: " + named;
  }
  if (!p.ok() && p.detail.empty()) p.detail = opt::to_string(p.status);
  return p;
}

Plan safe_schedule(const std::vector<DerModel>& models, const Forecasts& forecasts, int t0) {
  const auto value = [&](const Limit& l, double none) {
    if (l.none) return none;
    if (l.series.empty()) return l.value;
    const auto it = forecasts.find(l.series);
    if (it == forecasts.end() || static_cast<std::size_t>(t0) >= it->second.size())
      throw ModelError("the safe schedule needs forecast series '" + l.series + "' at step " + std::to_string(t0));
    return it->second[static_cast<std::size_t>(t0)];
  };
  Plan p;
  p.status = opt::Status::optimal;
  p.safe = true;
  for (const auto& m : models) {
    ModelPlan mp{m.name, {{}}, {{}}, {{}}, {}};
    for (const auto& st : m.states) mp.states[0].push_back(st.initial);
    for (const auto& c : m.controls) {
      const double wanted = c.safe_series.empty() ? 0.0 : value(Limit::of_series(c.safe_series), 0);
      mp.controls[0].push_back(std::clamp(wanted, value(c.range.lower, -unbounded), value(c.range.upper, unbounded)));
    }
    mp.switches[0].assign(m.switches.size(), 0);
    for (const auto& th : m.thermostats) {
      const auto i = m.state_index(th.state);
      const auto j = m.switch_index(th.toggle);
      const double x = m.states[i].initial;
      const double lo = value(m.states[i].range.lower, -unbounded), hi = value(m.states[i].range.upper, unbounded);
      // Past the bound it guards: on; past the other: off; between: as it was.
      const bool was = m.switches[j].initially_on;
      const bool on = th.cooling ? (x > hi || (was && x >= lo)) : (x < lo || (was && x <= hi));
      mp.switches[0][j] = on ? 1 : 0;
    }
    p.models.push_back(std::move(mp));
  }
  return p;
}

}  // namespace watt::der
