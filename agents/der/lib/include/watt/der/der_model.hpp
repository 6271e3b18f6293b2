// A distributed energy resource as a discrete-time linear state-space model
// (seed 001's (1); docs/der.md): with x its states at the start of a step,
// c its continuous controls, d its on/off switches and w its inputs (named
// forecast series: outdoor temperature, PV output, hot-water use),
//
//   x[t+1] = A x[t] + Bc c[t] + Bd d[t] + Bw w[t] + e
//   y[t]   = C x[t] + Dc c[t] + Dd d[t] + Dw w[t] + f
//
// with bounds on x, c and y, each a number or a named series (a comfort band
// that changes over the day). One output, `power`, is what the resource
// draws from the home or microgrid bus in kW (negative when it produces).
// A switch may carry seed 004's run constraints ((9)-(16)): an allowed
// window, a required run time, a maximum successive run, minimum up and down
// times, and switches it is never on together with ((4)).
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace watt::der {

inline constexpr double unbounded = std::numeric_limits<double>::infinity();

// A bound: a number, or a series of the forecasts (one value per step).
struct Limit {
  double value = 0;
  std::string series;  // when not empty, the bound is series[t]
  bool none = true;    // no bound at all
  static Limit of(double v) { return {v, {}, false}; }
  static Limit of_series(std::string name) { return {0, std::move(name), false}; }
};

struct Range {
  Limit lower, upper;
};

// One linear expression of a model's variables: coefficients by name.
struct Terms {
  std::map<std::string, double> states, controls, switches, inputs;
  double constant = 0;
};

struct State {
  std::string name;
  double initial = 0;
  Range range;
  Terms next;  // the state at the next step
  // Below this level each unit costs the storage-threshold weight ((28)).
  std::optional<double> threshold;
};

struct Control {
  std::string name;
  Range range;
  double cost = 0;  // per unit per hour (a generator's fuel), besides the energy it draws
  // Its value in the safe schedule: this series (PV uses what it produces);
  // none, the value of its range nearest 0.
  std::string safe_series;
};

struct Switch {
  std::string name;
  // On for a fraction of each step (0..1), not on or off for all of it: how
  // a thermostat that cycles within minutes runs over a half-hour step. The
  // plan is then a MILP with few integers, which CBC solves in a fraction
  // of a second where the paper's on/off form takes minutes (docs/der.md,
  // Duty cycles). Not with run constraints, which count whole steps.
  bool duty_cycle = false;
  // Run constraints, in steps; window as absolute steps [first, last].
  std::optional<std::pair<int, int>> window;
  std::optional<int> run_steps;              // required total time on (13)
  std::optional<int> max_run_steps;          // maximum successive time on (14)
  int min_up_steps = 1, min_down_steps = 1;  // (15), (16)
  std::vector<std::string> exclusive_with;   // (4)
  double switching_weight = 0;               // each change costs this much ((29))
  // Where it stands when the plan starts: on or off, and for how many steps.
  bool initially_on = false;
  double initial_level = 0;  // a duty cycle's fraction on in the step before
  int initial_steps = 1000;
  int steps_run = 0;  // of run_steps, already run
};

struct Output {
  std::string name;
  Terms terms;
  Range range;
};

// How the safe schedule runs this model when no plan can be made: a
// thermostat on one state and one switch ((30)-(31)); a thermal zone has
// two (its AC cools, its heater heats).
struct Thermostat {
  std::string state, toggle;
  bool cooling = true;  // on above the upper bound (a fridge, an AC); heating: on below the lower
};

struct DerModel {
  std::string name, kind;
  std::vector<State> states;
  std::vector<Control> controls;
  std::vector<Switch> switches;
  std::vector<std::string> inputs;  // the forecast series it reads
  std::vector<Output> outputs;      // one of them named "power"
  std::vector<Thermostat> thermostats;

  const Output& power() const;
  // Index of a named element; throws ModelError naming the model.
  std::size_t state_index(const std::string& n) const;
  std::size_t control_index(const std::string& n) const;
  std::size_t switch_index(const std::string& n) const;
  std::size_t input_index(const std::string& n) const;
};

struct ModelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Checks names, references and numbers; throws ModelError naming the model
// and the field.
void check(const DerModel& m);

// One step of the dynamics and the outputs, for the tests and for a plant
// simulated beside the plan: `inputs` in the model's input order.
struct StepResult {
  std::vector<double> next, outputs;
};
StepResult step(const DerModel& m, const std::vector<double>& x, const std::vector<double>& controls,
                const std::vector<double>& switches, const std::vector<double>& inputs);

}  // namespace watt::der
