// An LP solved again and again with changed costs and bounds, each solve
// starting from the last one's basis (a warm start): the iterations of a
// decomposition or a receding horizon. The model's shape (its variables,
// rows and coefficients) is fixed at construction.
#pragma once

#include "solve.hpp"

#include <memory>

namespace watt::opt {

class LpSolver {
public:
  // Throws std::invalid_argument for a model with integer variables.
  explicit LpSolver(const Model& model);
  ~LpSolver();
  LpSolver(const LpSolver&) = delete;
  LpSolver& operator=(const LpSolver&) = delete;

  void set_cost(int var, double cost);
  void set_bounds(int var, double lower, double upper);
  void set_row_bounds(int row, double lower, double upper);
  Solution solve(const SolveOptions& options = {});
  // Simplex iterations of the last solve (a warm start takes few).
  int iterations() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace watt::opt
