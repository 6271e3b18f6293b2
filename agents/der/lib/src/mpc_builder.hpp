// The MILP of a plan (mpc.hpp), built row by row with names that say which
// model and constraint each is ("fridge.temperature.max[3]"), so that an
// infeasible plan is reported in the models' own words.
#pragma once

#include <watt/der/mpc.hpp>
#include <watt/opt/model.hpp>

#include <string>
#include <vector>

namespace watt::der {

class MpcBuilder {
public:
  MpcBuilder(const std::vector<DerModel>& models, const Forecasts& forecasts, int t0, double step_h,
             const MpcSettings& settings);
  const opt::Model& model() const noexcept { return lp_; }
  // The plan a solution makes (its status and x as the solver left them).
  Plan read(const opt::Solution& s) const;

private:
  struct Vars {
    std::vector<std::vector<int>> x;         // [t-1][i]: the state at the start of step t, t = 1..H
    std::vector<std::vector<int>> c, d;      // [t][j]
    std::vector<std::vector<int>> up, down;  // [t][j]: switched on, off at step t (where rules need them)
  };
  struct Linear {
    std::vector<opt::Term> terms;
    double constant = 0;
  };

  double series(const std::string& name, int t) const;
  double bound(const Limit& l, int t, double none) const;
  Linear linear(std::size_t k, const Terms& t, int step) const;
  std::string row_name(std::size_t k, const std::string& what, int t) const;

  void add_variables(std::size_t k);
  void add_dynamics(std::size_t k);
  void add_outputs(std::size_t k);
  void add_switch_rules(std::size_t k, std::size_t j);
  void add_run_limits(std::size_t k, std::size_t j);
  void add_required_run(std::size_t k, std::size_t j);
  static constexpr double big_kw = 1e5;      // more than any home or microgrid draws or makes
  static constexpr double short_cost = 1e6;  // a step of a required run not run: far above any price
  void add_grid();
  void add_contract(const Contract& c);
  void add_target(const StateTarget& t);

  const std::vector<DerModel>& models_;
  const Forecasts& forecasts_;
  int t0_, horizon_;
  double step_h_;
  const MpcSettings& settings_;
  opt::Model lp_;
  std::vector<Vars> vars_;
  std::vector<int> import_, export_;
};

}  // namespace watt::der
