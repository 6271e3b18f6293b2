#include <watt/org/trading.hpp>

#include <watt/opt/model.hpp>
#include <watt/opt/solve.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace watt::org {
namespace {

using opt::inf;
using opt::Model;

std::string at(const char* what, std::size_t t) { return std::string(what) + "[h" + std::to_string(t + 1) + "]"; }

void check_series(const Series& s, std::size_t hours, const std::string& name) {
  if (s.size() != hours)
    throw std::invalid_argument(name + ": " + std::to_string(s.size()) + " values for " + std::to_string(hours) +
                                " hours");
  for (double v : s)
    if (!std::isfinite(v)) throw std::invalid_argument(name + ": a value is not a finite number");
}

void check(const EndUserProblem& p) {
  const std::size_t n = p.load.size();
  if (n == 0) throw std::invalid_argument("load: no hours");
  check_series(p.price_l2a, n, "price_l2a");
  check_series(p.d2l, n, "d2l");
  check_series(p.load, n, "load");
  if (!(p.gamma_p >= 0) || !(p.gamma_c >= 0)) throw std::invalid_argument("gamma_p and gamma_c must be >= 0");
}

void check(const DiscoProblem& p) {
  const std::size_t n = p.price_market.size();
  if (n == 0) throw std::invalid_argument("price_market: no hours");
  if (p.a2d.size() != p.price_l2a.size())
    throw std::invalid_argument("a2d and price_l2a: " + std::to_string(p.a2d.size()) + " and " +
                                std::to_string(p.price_l2a.size()) + " regions");
  for (std::size_t k = 0; k < p.a2d.size(); ++k) {
    check_series(p.a2d[k], n, "a2d[" + std::to_string(k) + "]");
    check_series(p.price_l2a[k], n, "price_l2a[" + std::to_string(k) + "]");
  }
  for (std::size_t j = 0; j < p.d2l_cap.size(); ++j)
    check_series(p.d2l_cap[j], n, "d2l_cap[" + std::to_string(j) + "]");
}

template <class D>
Outcome<D> failed(const opt::Solution& s, const char* problem) {
  Outcome<D> out;
  out.error = std::string(problem) + " is " + opt::to_string(s.status) + ": " + s.detail;
  return out;
}

// Problem E's model, and where its variables are.
struct EndUserModel {
  Model m;
  std::vector<int> vl, vp, vn, va;
};

EndUserModel build(const EndUserProblem& p) {
  check(p);
  const std::size_t n = p.load.size();
  EndUserModel out{{}, std::vector<int>(n), std::vector<int>(n), std::vector<int>(n), std::vector<int>(n)};
  auto& [m, vl, vp, vn, va] = out;
  std::vector<opt::Term> day;  // (5)
  for (std::size_t t = 0; t < n; ++t) {
    vl[t] = m.add_var(at("L", t), p.load[t], p.load[t]);
    vp[t] = m.add_var(at("P", t), 0, inf);
    vn[t] = m.add_var(at("Lnet", t), -inf, inf);
    va[t] = m.add_var(at("P_L2A", t), -inf, inf, -p.price_l2a[t]);
    m.add_eq(at("(1) balance", t), {{vp[t], 1}, {vl[t], -1}, {va[t], -1}}, -p.d2l[t]);
    m.add_eq(at("(2) net load", t), {{vn[t], 1}, {vl[t], -1}, {vp[t], 1}}, 0);
    m.add_ge(at("(3) producer limit", t), {{vn[t], 1}, {vl[t], p.gamma_p}}, 0);
    m.add_le(at("(3) consumer limit", t), {{vn[t], 1}, {vl[t], -p.gamma_c}}, 0);
    day.push_back({vn[t], 1});
  }
  if (p.shiftable) m.add_eq("(5) shifted load sums to zero", day, 0);
  return out;
}

}  // namespace

opt::Model end_user_model(const EndUserProblem& p) { return build(p).m; }

Outcome<EndUserDecision> solve_end_user(const EndUserProblem& p) {
  const auto [m, vl, vp, vn, va] = build(p);
  const std::size_t n = p.load.size();
  const auto s = opt::solve(m);
  if (!s.ok()) return failed<EndUserDecision>(s, "Problem E");
  Outcome<EndUserDecision> out;
  auto& d = out.decision;
  double bought = 0;
  for (std::size_t t = 0; t < n; ++t) {
    d.load.push_back(s.x[static_cast<std::size_t>(vl[t])]);
    d.production.push_back(s.x[static_cast<std::size_t>(vp[t])]);
    d.net.push_back(s.x[static_cast<std::size_t>(vn[t])]);
    d.l2a.push_back(s.x[static_cast<std::size_t>(va[t])]);
    bought += p.d2l[t];
  }
  d.cost = p.lambda_d2l * bought + s.objective;  // (9): the fixed purchase, and the trade with the aggregator
  return out;
}

Outcome<DiscoDecision> solve_disco(const DiscoProblem& p) {
  check(p);
  const std::size_t n = p.price_market.size(), regions = p.a2d.size(), users = p.d2l_cap.size();
  Model m;
  std::vector<std::vector<int>> vd(users, std::vector<int>(n)), vprice(regions, std::vector<int>(n));
  std::vector<int> vm(n);
  for (std::size_t t = 0; t < n; ++t) {
    vm[t] = m.add_var(at("P_M", t), -inf, inf, p.price_market[t]);
    std::vector<opt::Term> balance{{vm[t], 1}};
    double sold_by_regions = 0;
    for (std::size_t j = 0; j < users; ++j) {
      vd[j][t] = m.add_var(at(("P_D2L[" + std::to_string(j) + "]").c_str(), t), 0, p.d2l_cap[j][t], -p.lambda_d2l);
      balance.push_back({vd[j][t], -1});
    }
    for (std::size_t k = 0; k < regions; ++k) {
      const std::string name = "lambda_A2D[" + std::to_string(k) + "]";
      vprice[k][t] = m.add_var(at(name.c_str(), t), -inf, inf, p.a2d[k][t]);
      m.add_ge(at(("(7) " + name + " >= delta*lambda_L2A").c_str(), t), {{vprice[k][t], 1}},
               p.delta * p.price_l2a[k][t]);
      m.add_le(at(("(7) " + name + " <= lambda_M").c_str(), t), {{vprice[k][t], 1}}, p.price_market[t]);
      sold_by_regions += p.a2d[k][t];
    }
    m.add_eq(at("(8) market balance", t), balance, -sold_by_regions);
  }
  const auto s = opt::solve(m);
  if (!s.ok()) return failed<DiscoDecision>(s, "Problem D");
  Outcome<DiscoDecision> out;
  auto& d = out.decision;
  const auto value = [&](int v) { return s.x[static_cast<std::size_t>(v)]; };
  d.d2l.assign(users, Series(n));
  d.price_a2d.assign(regions, Series(n));
  d.market.resize(n);
  for (std::size_t t = 0; t < n; ++t) {
    d.market[t] = value(vm[t]);
    for (std::size_t j = 0; j < users; ++j) d.d2l[j][t] = value(vd[j][t]);
    for (std::size_t k = 0; k < regions; ++k) d.price_a2d[k][t] = value(vprice[k][t]);
  }
  d.cost = s.objective;
  return out;
}

Series sum_by_hour(const std::vector<Series>& l2a, std::size_t hours) {
  Series a2d(hours, 0.0);
  for (std::size_t j = 0; j < l2a.size(); ++j) {
    check_series(l2a[j], hours, "l2a[" + std::to_string(j) + "]");
    for (std::size_t t = 0; t < hours; ++t) a2d[t] += l2a[j][t];
  }
  return a2d;
}

double aggregator_cost(const Series& a2d, const Series& price_l2a, const Series& price_a2d) {
  const std::size_t n = a2d.size();
  check_series(price_l2a, n, "price_l2a");
  check_series(price_a2d, n, "price_a2d");
  double cost = 0;
  for (std::size_t t = 0; t < n; ++t) cost += (price_l2a[t] - price_a2d[t]) * a2d[t];
  return cost;
}

AggregatorResult aggregate(const std::vector<Series>& l2a, const Series& price_l2a, const Series& price_a2d) {
  auto a2d = sum_by_hour(l2a, price_l2a.size());
  const double cost = aggregator_cost(a2d, price_l2a, price_a2d);
  return {std::move(a2d), cost};
}

double max_change(const std::vector<Series>& a, const std::vector<Series>& b) {
  if (a.size() != b.size()) return inf;
  double most = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return inf;
    for (std::size_t t = 0; t < a[i].size(); ++t) most = std::max(most, std::abs(a[i][t] - b[i][t]));
  }
  return most;
}

}  // namespace watt::org
