// A synchronous in-memory run of every node of a case: the reference the
// distributed agents are checked against, and the tests' workhorse.
#pragma once

#include <watt/ed/graph.hpp>
#include <watt/ed/node.hpp>
#include <watt/ed/weights.hpp>

#include <cstdint>
#include <vector>

namespace watt::ed {

struct SimOptions {
  double epsilon = 0;  // <= 0: automatic, step_size from the nodes and the graph's spectral gap
  std::uint64_t k_max = 1000;
  double mismatch_tol = 0.1;  // kW
  double lambda_tol = 1e-3;
  // oracle: the first k ≥ 1 with |mismatch| < tol and max|λ_i − λ*| < tol.
  // deployed: |mismatch| < tol and max λ − min λ < tol, as a bus monitor
  // that does not know λ* would decide.
  // Unscoped, so both SimOptions::oracle and SimOptions::Stop::oracle read.
  enum Stop { oracle, deployed };
  Stop stop = Stop::deployed;
  bool keep_steps = true;  // record every iteration (off for long runs)
};

struct SimStep {
  std::uint64_t k = 0;
  std::vector<double> lambda, y, p;  // in node order
  double mismatch = 0;               // Σ_G P − Σ_C P − Σ D
};

struct SimTrace {
  double epsilon = 0;
  std::vector<SimStep> steps;    // k = 0, 1, … when keep_steps
  std::uint64_t iterations = 0;  // the k the run stopped at
  bool converged = false;
  std::vector<State> final;  // in node order
};

// Σ_G P − Σ_C P − Σ D over the nodes' current set-points.
double mismatch(const std::vector<Node>& nodes);

// One synchronous iteration of every node: all of them read iteration k,
// then all move to k+1. nodes[i] is graph node i; weights = metropolis(graph).
void step_all(std::vector<Node>& nodes, const std::vector<Neighbourhood>& weights);

// Checks the case (validate_run), builds the nodes on `graph` (whose ids must
// be the nodes' ids, in any order) and iterates until the stop rule holds or
// k_max. Throws Error for a bad case.
SimTrace simulate(const std::vector<NodeParams>& nodes, const Graph& graph, const SimOptions& options);

}  // namespace watt::ed
