// The paper's equations, checked on a result at every hour: what the tests
// and the experiment assert of every run.
#include <watt/org/trading_run.hpp>

#include <cmath>
#include <string>

namespace watt::org {
namespace {

std::string where(const std::string& eq, const std::string& who, std::size_t t, double lhs, double rhs) {
  return eq + " fails for " + who + " at hour " + std::to_string(t + 1) + ": " + std::to_string(lhs) + " vs " +
         std::to_string(rhs);
}

std::string user_error(const TradingCase& c, const RunOptions& o, const TradingResult& r, std::size_t j, double eps) {
  const auto& u = r.users[j];
  const auto& name = c.users[j].name;
  double day = 0;
  for (std::size_t t = 0; t < c.hours(); ++t) {
    const double l = u.load[t], net = u.net[t];
    if (std::abs(u.production[t] - (l + u.l2a[t] - r.d2l_used[j][t])) > eps)
      return where("(1)", name, t, u.production[t], l + u.l2a[t] - r.d2l_used[j][t]);
    if (std::abs(net - (l - u.production[t])) > eps) return where("(2)", name, t, net, l - u.production[t]);
    if (net < -c.gamma_p * l - eps || net > c.gamma_c * l + eps) return where("(3)", name, t, net, c.gamma_c * l);
    day += net;
  }
  if (o.shiftable && std::abs(day) > eps * static_cast<double>(c.hours())) return "(5) fails for " + name;
  return {};
}

}  // namespace

std::string balance_error(const TradingCase& c, const RunOptions& o, const TradingResult& r, double eps) {
  for (std::size_t j = 0; j < c.users.size(); ++j)
    if (auto err = user_error(c, o, r, j, eps); !err.empty()) return err;
  for (std::size_t t = 0; t < c.hours(); ++t) {
    std::vector<double> sum(c.regions.size(), 0.0);
    double sold_to_users = 0;
    for (std::size_t j = 0; j < c.users.size(); ++j) {
      sum[c.users[j].region] += r.users[j].l2a[t];
      if (r.disco.d2l[j][t] < -eps) return where("(4)", c.users[j].name, t, r.disco.d2l[j][t], 0);
      sold_to_users += r.disco.d2l[j][t];
    }
    double from_regions = 0;
    for (std::size_t k = 0; k < c.regions.size(); ++k) {
      if (std::abs(r.regions[k].a2d[t] - sum[k]) > eps)
        return where("(6)", c.regions[k].name, t, r.regions[k].a2d[t], sum[k]);
      const double price = r.disco.price_a2d[k][t];
      if (price < c.delta * c.regions[k].price_l2a[t] - eps || price > c.price_market[t] + eps)
        return where("(7)", c.regions[k].name, t, price, c.price_market[t]);
      from_regions += r.regions[k].a2d[t];
    }
    if (std::abs(r.disco.market[t] - (sold_to_users - from_regions)) > eps)
      return where("(8)", "the DisCo", t, r.disco.market[t], sold_to_users - from_regions);
  }
  return {};
}

}  // namespace watt::org
