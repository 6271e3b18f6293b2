// The centralized optimum every consensus run must reach: the price λ* at
// which the nodes' best replies balance, Σ g_i(φ_i(λ*)) = Σ D_i.
#pragma once

#include <watt/ed/model.hpp>

#include <vector>

namespace watt::ed {

struct Dispatch {
  double lambda = 0;
  std::vector<double> p;  // in node order
  double generation = 0;  // Σ_G P
  double load = 0;        // Σ_C P + Σ D
};

// Bisection brackets λ*, then the exact active set gives it to ~1e-12.
// Throws Error if no price balances the case (demand beyond every
// generator's pmax, say) or a node is invalid.
Dispatch solve_central(const std::vector<NodeParams>& nodes);

}  // namespace watt::ed
