#include "clp_result.hpp"
#include "coin_problem.hpp"

#include <watt/opt/lp_solver.hpp>

#include <ClpSimplex.hpp>
#include <CoinError.hpp>

#include <stdexcept>

namespace watt::opt {

struct LpSolver::Impl {
  Model model;  // names what is at fault when a solve fails
  ClpSimplex simplex;
  bool solved = false;
  int iterations = 0;
};

LpSolver::LpSolver(const Model& model) : impl_(std::make_unique<Impl>()) {
  if (model.has_integers()) throw std::invalid_argument("LpSolver takes LPs only; this model has integer variables");
  detail::CoinProblem p(model);
  impl_->model = model;
  auto& s = impl_->simplex;
  s.setLogLevel(0);
  s.loadProblem(p.matrix, p.col_lower.data(), p.col_upper.data(), p.cost.data(), p.row_lower.data(),
                p.row_upper.data());
  s.setOptimizationDirection(model.sense() == Sense::maximize ? -1 : 1);
}

LpSolver::~LpSolver() = default;

void LpSolver::set_cost(int var, double cost) { impl_->simplex.setObjectiveCoefficient(var, cost); }

void LpSolver::set_bounds(int var, double lower, double upper) {
  impl_->simplex.setColumnBounds(var, detail::coin_bound(lower), detail::coin_bound(upper));
}

void LpSolver::set_row_bounds(int row, double lower, double upper) {
  impl_->simplex.setRowBounds(row, detail::coin_bound(lower), detail::coin_bound(upper));
}

Solution LpSolver::solve(const SolveOptions& options) {
  auto& s = impl_->simplex;
  try {
    if (options.time_limit.count() > 0) s.setMaximumSeconds(static_cast<double>(options.time_limit.count()) / 1000.0);
    // The first solve from scratch; later ones from the last basis (the
    // dual simplex suits changed costs and bounds alike after CLP's checks).
    if (impl_->solved)
      s.dual(0);
    else
      s.initialSolve();
    impl_->solved = true;
    impl_->iterations = s.numberIterations();
    return detail::clp_result(impl_->model, s);
  } catch (const CoinError& e) {
    Solution out;
    out.detail = "COIN-OR: " + e.message();
    return out;
  }
}

int LpSolver::iterations() const noexcept { return impl_->iterations; }

}  // namespace watt::opt
