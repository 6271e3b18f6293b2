// Solving a Model: the status is a value, never an exception (a model that
// cannot be solved says why in `detail`).
#pragma once

#include "model.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace watt::opt {

enum class Status { optimal, infeasible, unbounded, time_limit, error };
const char* to_string(Status s) noexcept;

struct SolveOptions {
  std::chrono::milliseconds time_limit{0};  // 0 = none
  double mip_gap = 1e-6;                    // relative, for MILPs
};

struct Solution {
  Status status = Status::error;
  double objective = 0;
  std::vector<double> x;      // one per variable (best found, for time_limit with a solution)
  std::vector<double> duals;  // one per row, for LPs solved to optimality
  std::string detail;         // what went wrong, or the solver's word on it
  // Infeasible: the rows ("row 'balance[3]'") and bounds ("upper bound of
  // 'x'") of a contradiction; unbounded: the variables without a bound
  // along which the objective improves ("no upper bound on 'x'"). In `detail`
  // too. A MILP whose relaxation is feasible names "integrality".
  std::vector<std::string> at_fault;
  bool ok() const noexcept { return status == Status::optimal; }
};

// CLP for a model without integer variables, CBC otherwise.
Solution solve(const Model& model, const SolveOptions& options = {});

}  // namespace watt::opt
