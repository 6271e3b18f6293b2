// Model-predictive control of DER models (docs/der.md, MPC): the MILP over
// a horizon from the models, the forecasts and the prices, solved by CBC
// (watt::opt); the plan of every step, of which the first is applied; and,
// when no plan can be made, the binding model and constraint named and a
// safe schedule instead.
//
// The objective is seed 004's (26): the energy cost (price times the energy
// imported, less a feed-in price times the energy exported) weighted by
// `energy`, the storage-threshold term (each kWh below a state's threshold,
// each hour) weighted by `storage`, and the switching term (each change of
// a switch, times its switching_weight) weighted by `switching`. The paper's
// (28) and (29) are quadratic; they are linear here (what is below a
// threshold, how often a switch changes), which keeps the problem a MILP
// CBC solves exactly. Fuel and other control costs are added as they are.
#pragma once

#include <watt/der/der_model.hpp>
#include <watt/opt/solve.hpp>

#include <map>
#include <string>
#include <vector>

namespace watt::der {

// Forecast series by name (prices, outdoor temperature, PV, use), one value
// per step from step 0.
using Forecasts = std::map<std::string, std::vector<double>>;

struct Weights {
  double energy = 1, storage = 1, switching = 1;  // lambda_e, lambda_s, lambda_delta of (26)
};

// A contract to keep (seed 001's real-time tracking, docs/der.md,
// Contracts): over `steps` steps from absolute step `first`, what is drawn
// from the grid (imports less exports, kWh) should come to `kwh`, of which
// `done_kwh` was drawn before the plan starts. Each kWh over costs
// `over_cost`, each kWh under costs `under_cost` (negative: it earns that);
// over_cost + under_cost must not be negative.
struct Contract {
  int first = 0, steps = 1;
  double kwh = 0, done_kwh = 0;
  double over_cost = 0, under_cost = 0;
};

// Where a state should stand at the end of the horizon (a terminal target,
// docs/der.md, Contracts): each unit below `value` costs below_cost, each
// unit above it above_cost (either may be negative: a value; their sum may
// not). How a short plan values what it stores for after it: a longer
// plan's state at that step is the target.
struct StateTarget {
  std::string model, state;
  double value = 0, below_cost = 0, above_cost = 0;
};

struct MpcSettings {
  int horizon = 96;             // steps
  std::string price = "price";  // series: per kWh imported
  std::string feed_in;          // series: per kWh exported; empty: exports earn nothing
  Limit peak_kw;                // P_max(t) of (27) on what is imported: a number, a series, or none
  Weights weights;
  opt::SolveOptions solve{std::chrono::milliseconds(10000), 1e-4};
  std::vector<Contract> contracts;  // steps outside the horizon are left out
  std::vector<StateTarget> targets;
};

// One model's plan: per step, its controls, switches and outputs; its states
// at the start of each step and at the end of the last (horizon + 1 rows).
struct ModelPlan {
  std::string name;
  std::vector<std::vector<double>> states, controls, switches, outputs;
};

struct Plan {
  opt::Status status = opt::Status::error;
  bool safe = false;                  // not optimized: the safe schedule, one step long
  std::string detail;                 // why there is no plan, naming what binds
  std::vector<std::string> at_fault;  // "fridge.temperature.max[3]", "peak_limit[3]"
  double objective = 0, energy_cost = 0;
  std::vector<double> import_kw, export_kw;
  std::vector<ModelPlan> models;
  // A plan to apply: optimal, or the best found by the time limit (not a
  // time limit with nothing found).
  bool ok() const noexcept {
    return (status == opt::Status::optimal || status == opt::Status::time_limit) && !models.empty();
  }
};

// Plans `models` (at their initial states and switch positions) from
// absolute step `t0`; step_h is the step length in hours. Throws ModelError
// for a forecast series that is missing or too short, naming it.
Plan plan(const std::vector<DerModel>& models, const Forecasts& forecasts, int t0, double step_h,
          const MpcSettings& settings);

// One step of the safe schedule at absolute step t0 (docs/der.md): each
// thermostat keeps its band (on past the bound it guards, off past the
// other, as it was in between: seed 004's (30)-(31)); every other switch is
// off and every control at the value of its range nearest 0, or at its safe
// series (PV uses what it produces).
Plan safe_schedule(const std::vector<DerModel>& models, const Forecasts& forecasts, int t0);

}  // namespace watt::der
