// Receding-horizon control of DER models (docs/der.md, The MPC runner): at
// each step, plan the horizon from where the models stand, apply the first
// step, carry the models forward by what was applied, and keep the record
// of applied against planned. A step with no plan falls back to the safe
// schedule (mpc.hpp), saying why.
//
// Here the plant is the models themselves, driven by the actual inputs (the
// forecasts, unless the caller gives what really happened): the simulated
// hub and the tests. The energy hub's agent applies the same step to real
// devices and reads their states back.
#pragma once

#include <watt/der/model_file.hpp>
#include <watt/der/mpc.hpp>

#include <string>
#include <vector>

namespace watt::der {

// What one step applied, and what the plan expected of it.
struct AppliedStep {
  int step = 0;
  bool safe = false;                              // the safe schedule ran, not a plan
  std::string why;                                // when safe: why there was no plan
  double import_kw = 0, export_kw = 0, cost = 0;  // what flowed, what it cost (price x energy)
  double solve_ms = 0;
  struct Model {
    std::string name;
    std::vector<double> controls, switches, outputs;
    std::vector<double> start, end;   // its states before and after the step
    std::vector<double> planned_end;  // what the plan expected after it
  };
  std::vector<Model> models;
};

class RecedingHorizon {
public:
  RecedingHorizon(ModelSet set, MpcSettings settings);

  // Plans from the current step, applies its first step (with `actual`
  // inputs, or the forecasts), and moves one step on.
  const AppliedStep& advance(const Forecasts& forecasts, const Forecasts* actual = nullptr);
  // The same, always by the safe schedule (a thermostat-only baseline).
  const AppliedStep& advance_safe(const Forecasts& forecasts, const Forecasts* actual = nullptr);
  // Applies the first step of a plan made elsewhere (over the same models,
  // perhaps at a longer step: a half-hour plan run in 7.5-minute epochs).
  const AppliedStep& advance_by(const Plan& p, const Forecasts& forecasts, const Forecasts* actual = nullptr);

  // What the next plans are made with: a tracker changes its contracts and
  // horizon from step to step.
  MpcSettings& settings() noexcept { return settings_; }

  int step() const noexcept { return step_; }
  double step_h() const noexcept { return set_.step_h; }
  const std::vector<DerModel>& models() const noexcept { return set_.models; }
  std::vector<DerModel>& models() noexcept { return set_.models; }
  const std::vector<AppliedStep>& record() const noexcept { return record_; }
  double total_cost() const noexcept;

private:
  const AppliedStep& apply(const Plan& p, const Forecasts& forecasts, const Forecasts& actual, double solve_ms,
                           std::string why);

  ModelSet set_;
  MpcSettings settings_;
  int step_ = 0;
  std::vector<AppliedStep> record_;
};

}  // namespace watt::der
