// One node's economics: its parameters, its best reply to a price, its signed
// injection and the curvature the step size is built from (spec: ed_consensus.md).
#pragma once

#include <string>

namespace watt::ed {

enum class Role { generator, consumer };

// Generator: cost a P² + b P + c. Consumer: utility w P − s P², never taking
// more than w/(2s), where its marginal utility reaches zero. Units: kW, $/kWh.
struct NodeParams {
  std::string id;
  Role role = Role::generator;
  double a = 0, b = 0, c = 0;  // generator
  double w = 0, s = 0;         // consumer
  double pmax = 0;
  double demand = 0;  // fixed local load D_i, served whatever the price
};

const char* role_name(Role role);

// The largest P the node will ever take: pmax, and for a consumer also w/(2s).
double upper_bound(const NodeParams& p);

// φ_i(λ): the set-point that maximises the node's surplus at price λ, clipped.
double best_reply(const NodeParams& p, double lambda);

// g_i: +P for a generator, −P for a consumer.
double injection(const NodeParams& p, double power);

// c_i = 1/(2a) or 1/(2s): how much the best reply moves per unit of price.
double curvature(const NodeParams& p);

// λ_i[0]: b or w, the price at which the best reply is zero.
double initial_lambda(const NodeParams& p);

// Generator cost or consumer utility at set-point P.
double cost_or_utility(const NodeParams& p, double power);

// Throws Error naming the node and the field: a, s > 0, pmax ≥ 0, every
// number finite, the id one valid topic segment and not a reserved name.
void validate(const NodeParams& p);

// Empty when `id` can name a node (and its topic ed/<id>), else why not.
std::string id_error(const std::string& id);

}  // namespace watt::ed
