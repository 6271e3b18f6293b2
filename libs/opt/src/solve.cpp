#include "clp_result.hpp"
#include "coin_problem.hpp"

#include <watt/opt/solve.hpp>

#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <ClpSimplex.hpp>
#include <CoinError.hpp>
#include <OsiClpSolverInterface.hpp>

#include <algorithm>
#include <locale>
#include <mutex>
#include <sstream>

namespace watt::opt {

const char* to_string(Status s) noexcept {
  switch (s) {
    case Status::optimal: return "optimal";
    case Status::infeasible: return "infeasible";
    case Status::unbounded: return "unbounded";
    case Status::time_limit: return "time limit";
    case Status::error: return "error";
  }
  return "error";
}

namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// A number as CBC's command line reads it, whatever the locale: 1e-06, not 0.000001.
std::string number_text(double v) {
  std::ostringstream o;
  o.imbue(std::locale::classic());
  o << v;
  return o.str();
}

Solution solve_lp(const Model& model, const SolveOptions& o) {
  detail::CoinProblem p(model);
  ClpSimplex s;
  s.setLogLevel(0);
  s.loadProblem(p.matrix, p.col_lower.data(), p.col_upper.data(), p.cost.data(), p.row_lower.data(),
                p.row_upper.data());
  s.setOptimizationDirection(model.sense() == Sense::maximize ? -1 : 1);
  if (o.time_limit.count() > 0) s.setMaximumSeconds(seconds(o.time_limit));
  s.initialSolve();
  return detail::clp_result(model, s);
}

// Why a MILP has no solution: its LP relaxation's contradiction, or, when the
// relaxation is feasible, integrality itself.
std::vector<std::string> relaxed_fault(const Model& model, const SolveOptions& o) {
  Model relaxed = model;
  for (std::size_t j = 0; j < model.vars().size(); ++j) {
    const auto& v = model.vars()[j];
    if (v.type == VarType::binary)  // within [0, 1], and within what the model narrowed it to
      relaxed.set_bounds(static_cast<int>(j), std::max(v.lower, 0.0), std::min(v.upper, 1.0));
  }
  const auto r = solve_lp(relaxed, o);
  if (r.status == Status::infeasible) return r.at_fault;
  if (r.status == Status::optimal) return {"integrality"};
  return {};  // the relaxation says nothing more (unbounded, out of time)
}

Solution solve_mip(const Model& model, const SolveOptions& o) {
  detail::CoinProblem p(model);
  OsiClpSolverInterface osi;
  osi.messageHandler()->setLogLevel(0);
  osi.loadProblem(p.matrix, p.col_lower.data(), p.col_upper.data(), p.cost.data(), p.row_lower.data(),
                  p.row_upper.data());
  osi.setObjSense(model.sense() == Sense::maximize ? -1 : 1);
  for (std::size_t j = 0; j < model.vars().size(); ++j)
    if (model.vars()[j].type != VarType::continuous) osi.setInteger(static_cast<int>(j));
  CbcModel cbc(osi);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  // CBC as its own solver runs it: preprocessing, cut generators and
  // primal heuristics. A bare branchAndBound() has none of them, and finds
  // no feasible point in minutes on a scheduling MILP (docs/der.md) that
  // this solves in milliseconds.
  // CBC's command interpreter keeps state in globals: one solve at a time
  // in a process (the agents of a container share threads).
  static std::mutex cbc_main;
  const std::lock_guard lock(cbc_main);
  CbcMain0(cbc);
  const std::string gap = number_text(o.mip_gap);
  const std::string sec = number_text(o.time_limit.count() > 0 ? seconds(o.time_limit) : 1e9);
  // The time limit is wall-clock time (CBC counts CPU time unless told).
  const char* args[] = {"watt",      "-log",     "0",         "-timeMode", "elapsed", "-ratioGap",
                        gap.c_str(), "-seconds", sec.c_str(), "-solve",    "-quit"};
  CbcMain1(static_cast<int>(std::size(args)), args, cbc);
  Solution out;
  const double* best = cbc.bestSolution();
  if (cbc.isProvenOptimal() && best != nullptr) {
    out.status = Status::optimal;
  } else if (cbc.isProvenInfeasible()) {
    out.status = Status::infeasible;
    out.at_fault = relaxed_fault(model, o);
    out.detail = "no point satisfies every row, bound and integrality" + detail::at_fault_text(out.at_fault);
  } else if (cbc.isContinuousUnbounded() || cbc.isProvenDualInfeasible()) {
    out.status = Status::unbounded;
    out.detail = "the objective improves without bound";
  } else if (cbc.isSecondsLimitReached() || cbc.isNodeLimitReached() || cbc.isSolutionLimitReached()) {
    out.status = Status::time_limit;
    out.detail = best != nullptr ? "stopped at the time limit with a solution that may not be optimal"
                                 : "stopped at the time limit before any solution";
  } else {
    out.status = Status::error;
    out.detail = "CBC ended with status " + std::to_string(cbc.status()) + "." + std::to_string(cbc.secondaryStatus());
  }
  if (best != nullptr) {
    out.x.assign(best, best + model.vars().size());
    out.objective = cbc.getObjValue();
  }
  return out;
}

}  // namespace

Solution solve(const Model& model, const SolveOptions& options) {
  try {
    return model.has_integers() ? solve_mip(model, options) : solve_lp(model, options);
  } catch (const CoinError& e) {
    Solution out;
    out.detail = "COIN-OR: " + e.message() + " (in " + e.className() + "::" + e.methodName() + ")";
    return out;
  } catch (const std::exception& e) {
    Solution out;
    out.detail = e.what();
    return out;
  }
}

}  // namespace watt::opt
