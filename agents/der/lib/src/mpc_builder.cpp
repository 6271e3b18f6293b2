#include "mpc_builder.hpp"

#include <algorithm>
#include <cmath>

namespace watt::der {

MpcBuilder::MpcBuilder(const std::vector<DerModel>& models, const Forecasts& forecasts, int t0, double step_h,
                       const MpcSettings& settings)
    : models_(models),
      forecasts_(forecasts),
      t0_(t0),
      horizon_(settings.horizon),
      step_h_(step_h),
      settings_(settings),
      vars_(models.size()) {
  if (horizon_ < 1) throw ModelError("the horizon must be at least one step");
  for (std::size_t k = 0; k < models_.size(); ++k) add_variables(k);
  for (std::size_t k = 0; k < models_.size(); ++k) {
    add_dynamics(k);
    add_outputs(k);
    for (std::size_t j = 0; j < models_[k].switches.size(); ++j) add_switch_rules(k, j);
  }
  add_grid();
  for (const auto& c : settings_.contracts) add_contract(c);
  for (const auto& t : settings_.targets) add_target(t);
}

double MpcBuilder::series(const std::string& name, int t) const {
  const auto it = forecasts_.find(name);
  if (it == forecasts_.end()) throw ModelError("no forecast series '" + name + "'");
  const auto at = static_cast<std::size_t>(t0_ + t);
  if (at >= it->second.size())
    throw ModelError("forecast series '" + name + "' has " + std::to_string(it->second.size()) +
                     " values; the plan needs step " + std::to_string(at));
  const double v = it->second[at];
  if (!std::isfinite(v))
    throw ModelError("forecast series '" + name + "', step " + std::to_string(at) + ": not a number");
  return v;
}

double MpcBuilder::bound(const Limit& l, int t, double none) const {
  if (l.none) return none;
  return l.series.empty() ? l.value : series(l.series, t);
}

std::string MpcBuilder::row_name(std::size_t k, const std::string& what, int t) const {
  return models_[k].name + "." + what + "[" + std::to_string(t0_ + t) + "]";
}

MpcBuilder::Linear MpcBuilder::linear(std::size_t k, const Terms& terms, int t) const {
  const auto& m = models_[k];
  const auto& v = vars_[k];
  Linear out{{}, terms.constant};
  for (const auto& [n, coef] : terms.states) {
    const auto i = m.state_index(n);
    if (t == 0)
      out.constant += coef * m.states[i].initial;
    else
      out.terms.push_back({v.x[static_cast<std::size_t>(t - 1)][i], coef});
  }
  for (const auto& [n, coef] : terms.controls)
    out.terms.push_back({v.c[static_cast<std::size_t>(t)][m.control_index(n)], coef});
  for (const auto& [n, coef] : terms.switches)
    out.terms.push_back({v.d[static_cast<std::size_t>(t)][m.switch_index(n)], coef});
  for (const auto& [n, coef] : terms.inputs) out.constant += coef * series(n, t);
  return out;
}

void MpcBuilder::add_variables(std::size_t k) {
  const auto& m = models_[k];
  auto& v = vars_[k];
  for (int t = 0; t < horizon_; ++t) {
    auto& c = v.c.emplace_back();
    for (const auto& ctl : m.controls)
      c.push_back(lp_.add_var(row_name(k, ctl.name, t), bound(ctl.range.lower, t, -opt::inf),
                              bound(ctl.range.upper, t, opt::inf), ctl.cost * step_h_));
    auto& d = v.d.emplace_back();
    for (const auto& s : m.switches) {
      const int at = t0_ + t;
      const bool allowed = !s.window || (at >= s.window->first && at <= s.window->second);
      d.push_back(lp_.add_var(row_name(k, s.name, t), 0, allowed ? 1 : 0, 0,
                              s.duty_cycle ? opt::VarType::continuous : opt::VarType::binary));
    }
    auto& x = v.x.emplace_back();
    for (const auto& st : m.states) {
      // Below a threshold costs, through a slack the state may lean on.
      x.push_back(lp_.add_var(row_name(k, st.name, t + 1), -opt::inf, opt::inf));
      if (st.threshold) {
        const int slack = lp_.add_var(row_name(k, st.name + ".below_threshold", t + 1), 0, opt::inf,
                                      settings_.weights.storage * step_h_);
        lp_.add_ge(row_name(k, st.name + ".threshold", t + 1), {{x.back(), 1}, {slack, 1}}, *st.threshold);
      }
    }
  }
}

void MpcBuilder::add_dynamics(std::size_t k) {
  const auto& m = models_[k];
  for (int t = 0; t < horizon_; ++t)
    for (std::size_t i = 0; i < m.states.size(); ++i) {
      const auto& st = m.states[i];
      auto next = linear(k, st.next, t);
      // x[t+1] - (A x[t] + B u[t]) = e + Bw w[t]
      for (auto& term : next.terms) term.coef = -term.coef;
      next.terms.push_back({vars_[k].x[static_cast<std::size_t>(t)][i], 1});
      lp_.add_eq(row_name(k, st.name + ".dynamics", t), next.terms, next.constant);
      // The state's band holds at the end of each step (where the plan can
      // still act on it), named by the side that binds.
      const int x = vars_[k].x[static_cast<std::size_t>(t)][i];
      if (!st.range.lower.none)
        lp_.add_ge(row_name(k, st.name + ".min", t + 1), {{x, 1}}, bound(st.range.lower, t + 1, 0));
      if (!st.range.upper.none)
        lp_.add_le(row_name(k, st.name + ".max", t + 1), {{x, 1}}, bound(st.range.upper, t + 1, 0));
    }
}

void MpcBuilder::add_outputs(std::size_t k) {
  const auto& m = models_[k];
  for (int t = 0; t < horizon_; ++t)
    for (const auto& o : m.outputs) {
      if (o.range.lower.none && o.range.upper.none) continue;
      const auto y = linear(k, o.terms, t);
      if (!o.range.lower.none)
        lp_.add_ge(row_name(k, o.name + ".min", t), y.terms, bound(o.range.lower, t, 0) - y.constant);
      if (!o.range.upper.none)
        lp_.add_le(row_name(k, o.name + ".max", t), y.terms, bound(o.range.upper, t, 0) - y.constant);
    }
}

void MpcBuilder::add_grid() {
  for (int t = 0; t < horizon_; ++t) {
    const double price = series(settings_.price, t);
    const double feed_in = settings_.feed_in.empty() ? 0 : series(settings_.feed_in, t);
    import_.push_back(lp_.add_var("grid.import[" + std::to_string(t0_ + t) + "]", 0, opt::inf,
                                  settings_.weights.energy * price * step_h_));
    export_.push_back(lp_.add_var("grid.export[" + std::to_string(t0_ + t) + "]", 0, opt::inf,
                                  -settings_.weights.energy * feed_in * step_h_));
    // What every model draws is what comes from the grid, less what goes to it.
    std::vector<opt::Term> balance{{import_.back(), -1}, {export_.back(), 1}};
    double constant = 0;
    for (std::size_t k = 0; k < models_.size(); ++k) {
      const auto p = linear(k, models_[k].power().terms, t);
      balance.insert(balance.end(), p.terms.begin(), p.terms.end());
      constant += p.constant;
    }
    lp_.add_eq("balance[" + std::to_string(t0_ + t) + "]", balance, -constant);
    // Where importing costs less than exporting earns (a negative price, a
    // generous feed-in), both at once would pay without end: one or the other.
    if (price < feed_in) {
      const int importing =
          lp_.add_var("grid.importing[" + std::to_string(t0_ + t) + "]", 0, 1, 0, opt::VarType::binary);
      lp_.add_le("grid.import_or_export[" + std::to_string(t0_ + t) + "]", {{import_.back(), 1}, {importing, -big_kw}},
                 0);
      lp_.add_le("grid.export_or_import[" + std::to_string(t0_ + t) + "]", {{export_.back(), 1}, {importing, big_kw}},
                 big_kw);
    }
    if (!settings_.peak_kw.none)
      lp_.add_le("peak_limit[" + std::to_string(t0_ + t) + "]", {{import_.back(), 1}}, bound(settings_.peak_kw, t, 0));
  }
}

void MpcBuilder::add_contract(const Contract& c) {
  if (c.steps < 1 || c.over_cost + c.under_cost < 0 || !std::isfinite(c.kwh) || !std::isfinite(c.done_kwh))
    throw ModelError("contract from step " + std::to_string(c.first) +
                     ": needs at least one step, finite energy and over_cost + under_cost >= 0");
  std::vector<opt::Term> drawn;
  for (int at = std::max(c.first, t0_); at < std::min(c.first + c.steps, t0_ + horizon_); ++at) {
    const auto t = static_cast<std::size_t>(at - t0_);
    drawn.push_back({import_[t], step_h_});
    drawn.push_back({export_[t], -step_h_});
  }
  if (drawn.empty()) return;
  // drawn - over + under = kwh - done: what is over or under costs.
  const auto name = "contract[" + std::to_string(c.first) + "]";
  drawn.push_back({lp_.add_var(name + ".over", 0, opt::inf, c.over_cost), -1});
  drawn.push_back({lp_.add_var(name + ".under", 0, opt::inf, c.under_cost), 1});
  lp_.add_eq(name, drawn, c.kwh - c.done_kwh);
}

void MpcBuilder::add_target(const StateTarget& t) {
  std::size_t k = 0;
  while (k < models_.size() && models_[k].name != t.model) ++k;
  if (k == models_.size()) throw ModelError("target: no model '" + t.model + "'");
  const auto i = models_[k].state_index(t.state);
  if (t.below_cost + t.above_cost < 0 || !std::isfinite(t.value))
    throw ModelError("target of " + t.model + "." + t.state + ": a finite value and below_cost + above_cost >= 0");
  // x[H] + below - above = value.
  const auto name = row_name(k, t.state + ".target", horizon_);
  lp_.add_eq(name,
             {{vars_[k].x.back()[i], 1},
              {lp_.add_var(name + ".below", 0, opt::inf, t.below_cost), 1},
              {lp_.add_var(name + ".above", 0, opt::inf, t.above_cost), -1}},
             t.value);
}

}  // namespace watt::der
