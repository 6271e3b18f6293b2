#include <watt/org/trading_run.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace watt::org {
namespace {

EndUserProblem problem_of(const TradingCase& c, const EndUser& u, const Series& d2l, bool shiftable) {
  return {u.load, c.regions.at(u.region).price_l2a, d2l, c.lambda_d2l, c.gamma_p, c.gamma_c, shiftable};
}

// Every end-user's Problem E, then each region's sums.
void solve_users(const TradingCase& c, const RunOptions& o, TradingResult& r, const std::vector<Series>& price_a2d) {
  r.users.clear();
  std::vector<std::vector<Series>> by_region(c.regions.size());
  for (std::size_t j = 0; j < c.users.size(); ++j) {
    auto e = solve_end_user(problem_of(c, c.users[j], r.d2l_used[j], o.shiftable));
    if (!e.ok()) throw std::runtime_error("end-user '" + c.users[j].name + "': " + e.error);
    by_region[c.users[j].region].push_back(e.decision.l2a);
    r.users.push_back(std::move(e.decision));
  }
  r.regions.clear();
  for (std::size_t k = 0; k < c.regions.size(); ++k)
    r.regions.push_back(aggregate(by_region[k], c.regions[k].price_l2a, price_a2d[k]));
}

DiscoProblem disco_problem(const TradingCase& c, const TradingResult& r, bool iterative) {
  DiscoProblem p;
  for (const auto& a : r.regions) p.a2d.push_back(a.a2d);
  for (const auto& g : c.regions) p.price_l2a.push_back(g.price_l2a);
  p.price_market = c.price_market;
  p.d2l_cap = d2l_caps(c, iterative);
  p.lambda_d2l = c.lambda_d2l;
  p.delta = c.delta;
  return p;
}

}  // namespace

std::vector<Series> d2l_caps(const TradingCase& c, bool iterative) {
  std::vector<Series> caps;
  for (const auto& u : c.users) {
    Series cap(u.load.size(), 0.0);
    if (iterative)
      for (std::size_t t = 0; t < cap.size(); ++t) cap[t] = c.d2l_cap * u.load[t];
    caps.push_back(std::move(cap));
  }
  return caps;
}

TradingResult run_trading(const TradingCase& c, const RunOptions& o) {
  if (c.regions.empty() || c.users.empty()) throw std::invalid_argument("a case needs regions and end-users");
  TradingResult r;
  r.d2l_used.assign(c.users.size(), Series(c.hours(), 0.0));
  // Before the DisCo has spoken, aggregators are paid the floor of (7).
  std::vector<Series> price(c.regions.size());
  for (std::size_t k = 0; k < c.regions.size(); ++k)
    for (double l : c.regions[k].price_l2a) price[k].push_back(c.delta * l);
  std::vector<Series> last_a2d, last_d2l;
  for (r.rounds = 1;; ++r.rounds) {
    solve_users(c, o, r, price);
    auto d = solve_disco(disco_problem(c, r, o.iterative));
    if (!d.ok()) throw std::runtime_error("the DisCo: " + d.error);
    r.disco = std::move(d.decision);
    std::vector<Series> a2d;
    for (const auto& a : r.regions) a2d.push_back(a.a2d);
    // The aggregators' costs at the prices the DisCo has just set.
    for (std::size_t k = 0; k < c.regions.size(); ++k)
      r.regions[k] = aggregate({a2d[k]}, c.regions[k].price_l2a, r.disco.price_a2d[k]);
    r.change = r.rounds == 1 ? INFINITY
                             : std::max({max_change(a2d, last_a2d), max_change(r.disco.d2l, last_d2l),
                                         max_change(r.disco.price_a2d, price)});
    price = r.disco.price_a2d;
    if (!o.iterative) {
      r.stop = "one round (case 1)";
      break;
    }
    if (r.change <= o.tolerance) {
      r.converged = true;
      r.stop = "converged";
      break;
    }
    if (r.rounds >= o.max_rounds) {
      r.stop = "max rounds";
      break;
    }
    last_a2d = std::move(a2d);
    last_d2l = r.disco.d2l;
    r.d2l_used = r.disco.d2l;
  }
  for (const auto& u : r.users) r.ec_e += u.cost;
  for (const auto& a : r.regions) r.ec_a += a.cost;
  r.ec_d = r.disco.cost;
  return r;
}

}  // namespace watt::org
