// One node's iteration: λ by weighted averaging plus ε·y, P as the best reply
// to λ, y by weighted averaging minus the change in its own injection.
#include <watt/ed/node.hpp>

#include <watt/ed/error.hpp>

#include <cmath>
#include <utility>

namespace watt::ed {

Node::Node(NodeParams params, double self_weight, double epsilon)
    : params_(std::move(params)), self_weight_(self_weight), epsilon_(epsilon) {
  validate(params_);
  state_.lambda = initial_lambda(params_);
  reform(self_weight, epsilon);
}

const State& Node::step(std::span<const Incoming> neighbours_at_k) {
  double lambda = self_weight_ * state_.lambda + epsilon_ * state_.y;
  double y = self_weight_ * state_.y;
  for (const auto& in : neighbours_at_k) {
    lambda += in.weight * in.lambda;
    y += in.weight * in.y;
  }
  const double p = best_reply(params_, lambda);
  y -= injection(params_, p) - injection(params_, state_.p);
  state_ = {state_.k + 1, lambda, y, p};
  return state_;
}

void Node::reform(double self_weight, double epsilon) {
  if (!(epsilon > 0) || !std::isfinite(epsilon))
    throw Error("node " + params_.id + ": epsilon must be > 0 (got " + number_text(epsilon) + ")");
  self_weight_ = self_weight;
  epsilon_ = epsilon;
  state_.k = 0;
  state_.p = best_reply(params_, state_.lambda);
  state_.y = params_.demand - injection(params_, state_.p);
}

}  // namespace watt::ed
