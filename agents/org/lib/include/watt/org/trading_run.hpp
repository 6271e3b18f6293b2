// The trading algorithm of seed 003 (Fig. 5) run in one process: the
// reference the agents' run over the bus is checked against, and what the
// benchmarks time. Case 1: end-users decide alone (P^D2L = 0) and the DisCo
// prices what reaches it by Problem D. Case 2: E -> D -> E ... until the
// decisions change by at most `tolerance`, or `max_rounds`.
#pragma once

#include <watt/org/desks.hpp>
#include <watt/org/trading.hpp>

#include <string>
#include <vector>

namespace watt::org {

struct Region {
  std::string name;
  Series price_l2a;  // lambda^L2A_kt
};

struct EndUser {
  std::string name;
  std::size_t region = 0;  // index into TradingCase::regions
  Series load;             // L_jt
};

struct TradingCase {
  std::vector<Region> regions;
  std::vector<EndUser> users;
  Series price_market;  // lambda^M_t
  double lambda_d2l = 0.6, delta = 1.1, gamma_p = 0.1, gamma_c = 0.1;
  // P^D2L_jt <= d2l_cap * L_jt, as each end-user declares it: the bound that
  // keeps Problem D bounded (docs/organizations.md, Choices).
  double d2l_cap = 0.1;
  Case1Price case1_price = Case1Price::disco;
  std::size_t hours() const noexcept { return price_market.size(); }
};

struct RunOptions {
  bool iterative = true;   // Case 2; false: Case 1
  bool shiftable = false;  // S2; false: S1
  double tolerance = 1e-6;
  int max_rounds = 50;
};

// Where a run stopped, and its figures.
struct TradingResult {
  int rounds = 0;
  bool converged = false;
  std::string stop;                     // "converged", "max rounds", "one round (case 1)", or the failure
  double change = 0;                    // the last round's largest change
  double ec_e = 0, ec_a = 0, ec_d = 0;  // EC^e, EC^a, EC^d
  std::vector<EndUserDecision> users;
  std::vector<AggregatorResult> regions;
  DiscoDecision disco;
  std::vector<Series> d2l_used;  // the P^D2L each end-user's last Problem E was given
};

// Throws std::invalid_argument for a malformed case, std::runtime_error
// naming the organization whose problem could not be solved.
TradingResult run_trading(const TradingCase& c, const RunOptions& o);

// Whether a result keeps (1), (6) and (8) balanced and (3), (4), (5) within
// bounds at every hour, to `eps`; empty, or the first violation found.
std::string balance_error(const TradingCase& c, const RunOptions& o, const TradingResult& r, double eps = 1e-6);

}  // namespace watt::org
