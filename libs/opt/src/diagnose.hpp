// Which rows and bounds make an LP infeasible, or which variables let it run
// without bound: read from CLP's rays, so that a model that cannot be solved
// is reported with what is at fault, not as a bare status.
#pragma once

#include <watt/opt/model.hpp>

#include <ClpSimplex.hpp>

#include <string>
#include <vector>

namespace watt::opt::detail {

// After CLP proved `s` infeasible: the rows of a contradictory combination
// (Farkas) and the variable bounds it leans on, as "row 'name'" and "upper
// bound of 'name'". Empty when CLP kept no ray.
std::vector<std::string> infeasible_at(const Model& model, ClpSimplex& s);
// After CLP proved `s` unbounded: the variables along which the objective
// improves forever, as "no upper bound on 'name'".
std::vector<std::string> unbounded_at(const Model& model, ClpSimplex& s);
// "…; at fault: a, b, c and 4 more".
std::string at_fault_text(const std::vector<std::string>& at_fault);

}  // namespace watt::opt::detail
