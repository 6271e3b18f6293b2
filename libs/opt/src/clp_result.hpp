// What a ClpSimplex says after a solve, as a Solution.
#pragma once

#include "diagnose.hpp"

#include <watt/opt/solve.hpp>

#include <ClpSimplex.hpp>

namespace watt::opt::detail {

// `model` names the rows and variables of what is at fault.
inline Solution clp_result(const Model& model, ClpSimplex& s) {
  Solution out;
  if (s.isProvenOptimal()) {
    out.status = Status::optimal;
  } else if (s.isProvenPrimalInfeasible()) {
    out.status = Status::infeasible;
    out.at_fault = infeasible_at(model, s);
    out.detail = "no point satisfies every row and bound" + at_fault_text(out.at_fault);
  } else if (s.isProvenDualInfeasible()) {
    out.status = Status::unbounded;
    out.at_fault = unbounded_at(model, s);
    out.detail = "the objective improves without bound" + at_fault_text(out.at_fault);
  } else if (s.hitMaximumIterations()) {
    out.status = Status::time_limit;
    out.detail = "stopped at the time or iteration limit";
  } else {
    out.status = Status::error;
    out.detail = "CLP ended with status " + std::to_string(s.status()) + "." + std::to_string(s.secondaryStatus());
  }
  const int n = s.getNumCols(), m = s.getNumRows();
  out.objective = s.objectiveValue();
  out.x.assign(s.primalColumnSolution(), s.primalColumnSolution() + n);
  if (out.status == Status::optimal) out.duals.assign(s.dualRowSolution(), s.dualRowSolution() + m);
  return out;
}

}  // namespace watt::opt::detail
