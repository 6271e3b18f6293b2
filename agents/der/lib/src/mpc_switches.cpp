// A switch's rules in the plan: never on with its exclusive partners ((4)),
// the cost of each change ((29)), and seed 004's run constraints ((9)-(16)):
// minimum up and down times, a maximum successive run, a required run time
// within its window; each carried across re-plans by where the switch
// stands when the plan starts.
#include "mpc_builder.hpp"

#include <algorithm>

namespace watt::der {

void MpcBuilder::add_switch_rules(std::size_t k, std::size_t j) {
  const auto& m = models_[k];
  const auto& s = m.switches[j];
  auto& v = vars_[k];
  const auto d = [&](int t) { return v.d[static_cast<std::size_t>(t)][j]; };
  for (const auto& other : s.exclusive_with) {
    const auto o = m.switch_index(other);
    for (int t = 0; t < horizon_; ++t)
      lp_.add_le(row_name(k, s.name + "+" + other + ".exclusive", t),
                 {{d(t), 1}, {v.d[static_cast<std::size_t>(t)][o], 1}}, 1);
  }
  // A duty cycle changes from the level it ran at, not from on or off.
  const double before = s.duty_cycle ? s.initial_level : (s.initially_on ? 1 : 0);
  const double weight = settings_.weights.switching * s.switching_weight;
  const bool rules = s.min_up_steps > 1 || s.min_down_steps > 1 || s.max_run_steps;
  v.up.resize(static_cast<std::size_t>(horizon_));
  v.down.resize(static_cast<std::size_t>(horizon_));
  for (int t = 0; (weight > 0 || rules) && t < horizon_; ++t) {
    // up - down = d[t] - d[t-1], never both ((9)-(12)); each costs the weight.
    const int up = lp_.add_var(row_name(k, s.name + ".on", t), 0, 1, weight);
    const int down = lp_.add_var(row_name(k, s.name + ".off", t), 0, 1, weight);
    v.up[static_cast<std::size_t>(t)].push_back(up);
    v.down[static_cast<std::size_t>(t)].push_back(down);
    std::vector<opt::Term> change{{up, 1}, {down, -1}, {d(t), -1}};
    if (t > 0) change.push_back({d(t - 1), 1});
    lp_.add_eq(row_name(k, s.name + ".change", t), change, t > 0 ? 0 : -before);
    lp_.add_le(row_name(k, s.name + ".on_or_off", t), {{up, 1}, {down, 1}}, 1);
  }
  if (rules) add_run_limits(k, j);
  if (s.run_steps) add_required_run(k, j);
}

// What is left of the required run (13): at most that within the horizon,
// and at least what the window's steps after the horizon cannot hold. Soft:
// a run that can no longer be completed (a safe-schedule step cut it short,
// the window is nearly gone) costs `short_cost` a step short rather than
// leaving no plan at all, and the plan says so (`.run_short`).
void MpcBuilder::add_required_run(std::size_t k, std::size_t j) {
  const auto& s = models_[k].switches[j];
  const auto d = [&](int t) { return vars_[k].d[static_cast<std::size_t>(t)][j]; };
  const int remaining = std::max(0, *s.run_steps - s.steps_run);
  const int first = s.window->first, last = s.window->second;  // check() requires a window with run_steps
  if (remaining == 0 || t0_ > last) return;
  const int after = std::max(0, last - std::max(first, t0_ + horizon_) + 1);  // window steps past the horizon
  std::vector<opt::Term> all;
  for (int t = 0; t < horizon_; ++t) all.push_back({d(t), 1});
  lp_.add_le(row_name(k, s.name + ".run_steps", 0), all, remaining);
  if (remaining - after <= 0) return;
  const int short_by = lp_.add_var(row_name(k, s.name + ".run_short", 0), 0, remaining - after, short_cost);
  all.push_back({short_by, 1});
  lp_.add_ge(row_name(k, s.name + ".run_due", 0), all, remaining - after);
}

void MpcBuilder::add_run_limits(std::size_t k, std::size_t j) {
  const auto& s = models_[k].switches[j];
  auto& v = vars_[k];
  const auto d = [&](int t) { return v.d[static_cast<std::size_t>(t)][j]; };
  const auto up = [&](int t) { return v.up[static_cast<std::size_t>(t)].back(); };
  const auto down = [&](int t) { return v.down[static_cast<std::size_t>(t)].back(); };
  for (int t = 0; t < horizon_; ++t) {
    // On for at least U steps once started ((15)); off for at least D ((16)).
    std::vector<opt::Term> started{{d(t), -1}}, stopped{{d(t), 1}};
    for (int r = std::max(0, t - s.min_up_steps + 1); r <= t; ++r) started.push_back({up(r), 1});
    for (int r = std::max(0, t - s.min_down_steps + 1); r <= t; ++r) stopped.push_back({down(r), 1});
    if (s.min_up_steps > 1) lp_.add_le(row_name(k, s.name + ".min_up", t), started, 0);
    if (s.min_down_steps > 1) lp_.add_le(row_name(k, s.name + ".min_down", t), stopped, 1);
  }
  // Where it stands at the start binds the first steps.
  const int held = s.initially_on ? s.min_up_steps - s.initial_steps : s.min_down_steps - s.initial_steps;
  for (int t = 0; t < std::min(held, horizon_); ++t)
    lp_.add_eq(row_name(k, s.name + ".held", t), {{d(t), 1}}, s.initially_on ? 1 : 0);
  if (!s.max_run_steps) return;
  // At most Q steps on in any Q + 1 in a row ((14)), counting a run under way.
  const int q = *s.max_run_steps;
  const int streak = s.initially_on ? s.initial_steps : 0;
  for (int t = -std::min(streak, q); t + q < horizon_; ++t) {
    std::vector<opt::Term> run;
    for (int r = std::max(t, 0); r <= t + q; ++r) run.push_back({d(r), 1});
    const int on_before = std::max(0, -t);  // steps of this window before the plan, all on
    lp_.add_le(row_name(k, s.name + ".max_run", std::max(t, 0)), run, q - on_before);
  }
}

}  // namespace watt::der
