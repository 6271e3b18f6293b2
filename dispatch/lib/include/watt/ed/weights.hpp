// Consensus weights and the step size: Metropolis–Hastings weights on the
// graph, the spectral gap of the weight matrix and ε = min(1/(3 c_max), gap/c̄).
#pragma once

#include <watt/ed/graph.hpp>
#include <watt/ed/model.hpp>

#include <cstddef>
#include <utility>
#include <vector>

namespace watt::ed {

// Row i of W: W_ii and the W_ij of i's neighbours (in neighbour order).
struct Neighbourhood {
  double self_weight = 1;
  std::vector<std::pair<std::size_t, double>> neighbours;
};

// W_ij = 1/(1 + max(d_i, d_j)) on an edge, W_ii = 1 − Σ_j W_ij: symmetric and
// doubly stochastic, each row computable from the degrees of i and its
// neighbours alone.
std::vector<Neighbourhood> metropolis(const Graph& g);

// 1 − |μ₂(W)|: W's largest |eigenvalue| once the ones vector's eigenvalue 1 is
// taken out (the spectral radius of W − 11ᵀ/n). 1 for a complete graph and
// for a single node; 0 for a disconnected graph.
double spectral_gap(const Graph& g);

struct StepStats {
  double c_max = 0;
  double c_mean = 0;
};

// c_max and c̄ over the nodes' curvatures. Throws Error on an empty list.
StepStats step_stats(const std::vector<NodeParams>& nodes);

// ε = min(1/(3 c_max), gap/c̄).
double step_size(double c_max, double c_mean, double gap);

}  // namespace watt::ed
