// One node's local computation in the consensus dispatch, and nothing else:
// it holds λ_i, y_i and P_i and moves them from iteration k to k+1 given its
// neighbours' iteration-k λ and y (spec steps 1–3). Who sends what to whom is
// the caller's business.
#pragma once

#include <watt/ed/model.hpp>

#include <cstdint>
#include <span>

namespace watt::ed {

struct State {
  std::uint64_t k = 0;
  double lambda = 0;  // price estimate
  double y = 0;       // this node's share of the network mismatch load − generation
  double p = 0;       // own set-point
};

// What a neighbour j contributes: W_ij and its iteration-k values.
struct Incoming {
  double weight = 0;
  double lambda = 0;
  double y = 0;
};

class Node {
public:
  // Throws Error if the parameters are invalid. Starts at k = 0 with
  // λ = initial_lambda, P = φ(λ), y = D − g(P).
  Node(NodeParams params, double self_weight, double epsilon);

  // Computes iteration k+1 from this node's iteration-k values and its
  // neighbours' (every neighbour exactly once).
  const State& step(std::span<const Incoming> neighbours_at_k);

  // The run re-formed without some node: k back to 0, λ kept as a warm start,
  // y = D − g(P). Resetting y is what drops the lost node's injection from
  // the balance, so Σy = load − generation holds over the survivors again.
  void reform(double self_weight, double epsilon);

  const State& state() const { return state_; }
  const NodeParams& params() const { return params_; }
  double epsilon() const { return epsilon_; }
  double self_weight() const { return self_weight_; }

private:
  NodeParams params_;
  double self_weight_;
  double epsilon_;
  State state_;
};

}  // namespace watt::ed
