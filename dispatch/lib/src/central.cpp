// The centralized dispatch: total injection is non-decreasing in λ, so
// bisection finds the balance; the nodes strictly inside their bounds then
// make it a linear equation in λ, solved exactly.
#include <watt/ed/central.hpp>

#include <watt/ed/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace watt::ed {
namespace {

double total_injection(const std::vector<NodeParams>& nodes, double lambda) {
  double sum = 0;
  for (const auto& p : nodes) sum += injection(p, best_reply(p, lambda));
  return sum;
}

// Which nodes are strictly between their bounds at λ: they move with λ.
std::vector<bool> free_set(const std::vector<NodeParams>& nodes, double lambda) {
  std::vector<bool> out;
  for (const auto& p : nodes) {
    const double x = p.role == Role::generator ? (lambda - p.b) / (2 * p.a) : (p.w - lambda) / (2 * p.s);
    out.push_back(x > 0 && x < upper_bound(p));
  }
  return out;
}

// Solves Σ_free g_i(λ) + Σ_fixed g_i = D for λ; NaN when no node moves.
double linear_solve(const std::vector<NodeParams>& nodes, const std::vector<bool>& free, double lambda, double demand) {
  double slope = 0, constant = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& p = nodes[i];
    if (!free[i]) {
      constant += injection(p, best_reply(p, lambda));
    } else if (p.role == Role::generator) {  // (λ − b)/(2a)
      slope += 1 / (2 * p.a);
      constant -= p.b / (2 * p.a);
    } else {  // −(w − λ)/(2s)
      slope += 1 / (2 * p.s);
      constant -= p.w / (2 * p.s);
    }
  }
  if (slope == 0) return std::numeric_limits<double>::quiet_NaN();
  return (demand - constant) / slope;
}

}  // namespace

Dispatch solve_central(const std::vector<NodeParams>& nodes) {
  if (nodes.empty()) throw Error("central dispatch: no nodes");
  double demand = 0;
  // Below every breakpoint nothing moves any more; same above.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& p : nodes) {
    validate(p);
    demand += p.demand;
    const double base = initial_lambda(p);
    const double far = p.role == Role::generator ? base + 2 * p.a * upper_bound(p) : base - 2 * p.s * upper_bound(p);
    lo = std::min({lo, base, far});
    hi = std::max({hi, base, far});
  }
  lo -= 1;
  hi += 1;
  const double g_lo = total_injection(nodes, lo), g_hi = total_injection(nodes, hi);
  const double scale = std::max({1.0, std::abs(g_lo), std::abs(g_hi), std::abs(demand)});
  if (demand > g_hi + 1e-12 * scale)
    throw Error("central dispatch is infeasible: fixed demand " + number_text(demand) +
                " kW exceeds the most the generators can supply (" + number_text(g_hi) + " kW)");
  if (demand < g_lo - 1e-12 * scale)
    throw Error("central dispatch is infeasible: fixed demand " + number_text(demand) +
                " kW is below what the nodes inject at any price (" + number_text(g_lo) + " kW)");

  for (int i = 0; i < 200 && hi - lo > 1e-13 * std::max(1.0, std::abs(lo) + std::abs(hi)); ++i) {
    const double mid = (lo + hi) / 2;
    (total_injection(nodes, mid) < demand ? lo : hi) = mid;
  }
  double lambda = (lo + hi) / 2;
  const double residual_mid = std::abs(total_injection(nodes, lambda) - demand);
  // The bracket is within rounding of λ*; the active set makes it exact.
  double candidate = lambda;
  for (int round = 0; round < 10; ++round) {
    const auto free = free_set(nodes, candidate);
    const double next = linear_solve(nodes, free, candidate, demand);
    if (!std::isfinite(next)) break;  // a flat stretch: any λ in it balances
    candidate = next;
    if (free_set(nodes, next) == free) break;
  }
  if (std::isfinite(candidate) && std::abs(total_injection(nodes, candidate) - demand) <= residual_mid)
    lambda = candidate;

  Dispatch d;
  d.lambda = lambda;
  d.load = demand;
  for (const auto& p : nodes) {
    const double power = best_reply(p, lambda);
    d.p.push_back(power);
    (p.role == Role::generator ? d.generation : d.load) += power;
  }
  return d;
}

}  // namespace watt::ed
