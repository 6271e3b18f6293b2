// The energy trading model of seed 003 (Section 3; docs/organizations.md):
// each end-user's Problem E, the aggregators' sums (6) and costs (10), and
// the DisCo's Problem D, as LPs on watt::opt. Free of the bus: the
// decision-making agents call these, and so do the tests.
//
// Signs follow the paper: P^L2A > 0 is energy an end-user sells to its
// aggregator, P^A2D > 0 what an aggregator sells to the DisCo, P^M > 0 what
// the DisCo buys from the market, P^D2L >= 0 what it sells to an end-user.
// Costs are positive when paid, negative when earned.
#pragma once

#include <watt/opt/model.hpp>

#include <string>
#include <vector>

namespace watt::org {

using Series = std::vector<double>;  // one value per hour of the horizon

// Problem E for one end-user j of region k: (1)-(3), (5) when shiftable,
// objective (9). P^D2L and the prices are fixed.
struct EndUserProblem {
  Series load;       // L_jt, the desired consumption (kWh per hour), as forecast
  Series price_l2a;  // lambda^L2A_kt of its aggregator
  Series d2l;        // P^D2L_jt, fixed by the DisCo (zeros for none)
  double lambda_d2l = 0.6;
  double gamma_p = 0.1, gamma_c = 0.1;
  bool shiftable = false;  // scenario S2: (5), the day's net load sums to zero
};

struct EndUserDecision {
  Series load, production, net, l2a;  // L, P, L^net, P^L2A
  double cost = 0;                    // OF^e (9)
};

// Problem D for the DisCo: (4), (7), (8), objective (11). P^A2D is fixed.
struct DiscoProblem {
  std::vector<Series> a2d;        // P^A2D_kt, per region
  std::vector<Series> price_l2a;  // lambda^L2A_kt, per region (for (7))
  Series price_market;            // lambda^M_t
  std::vector<Series> d2l_cap;    // the most P^D2L_jt may be, per end-user (see docs)
  double lambda_d2l = 0.6;
  double delta = 1.1;
};

struct DiscoDecision {
  std::vector<Series> d2l;        // P^D2L_jt
  std::vector<Series> price_a2d;  // lambda^A2D_kt
  Series market;                  // P^M_t
  double cost = 0;                // OF^d (11)
};

// The result of a solve: the decision, or why there is none (the solver's
// status and the constraints or bounds at fault), never a silent zero.
template <class D>
struct Outcome {
  D decision;
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

// Throws watt::org::InputError (std::invalid_argument) for inputs of
// mismatched lengths or non-finite values.
Outcome<EndUserDecision> solve_end_user(const EndUserProblem& p);
// The LP solve_end_user solves (for benchmarks and inspection).
opt::Model end_user_model(const EndUserProblem& p);
Outcome<DiscoDecision> solve_disco(const DiscoProblem& p);

// An aggregator's part: (6) the sum of its end-users' P^L2A, and (10) its
// cost at the prices it buys at (lambda^L2A) and sells at (lambda^A2D).
struct AggregatorResult {
  Series a2d;
  double cost = 0;  // OF^a
};
AggregatorResult aggregate(const std::vector<Series>& l2a, const Series& price_l2a, const Series& price_a2d);
// Its two halves: (6) the hourly sum of the end-users' P^L2A, and (10) the
// cost of a P^A2D at those prices.
Series sum_by_hour(const std::vector<Series>& l2a, std::size_t hours);
double aggregator_cost(const Series& a2d, const Series& price_l2a, const Series& price_a2d);

// The largest absolute difference between two equally long lists of series.
double max_change(const std::vector<Series>& a, const std::vector<Series>& b);

}  // namespace watt::org
