#include <watt/org/desks.hpp>
#include <watt/org/trading_run.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace watt::org {
namespace {

// One round's messages carried by direct calls: each region's end-users
// answer, the region reports, and the DisCo's step is returned.
// Where the party of this name is in `all` (regions or end-users).
template <class T>
std::size_t index_of(const std::vector<T>& all, const std::string& name) {
  return static_cast<std::size_t>(std::find_if(all.begin(), all.end(), [&name](const T& x) { return x.name == name; }) -
                                  all.begin());
}

DiscoDesk::Step carry(const TradingCase& c, const RoundMsgs& round, DiscoDesk& disco,
                      std::vector<AggregatorDesk>& aggregators, TradingResult& r) {
  const EndUserSettings settings{c.gamma_p, c.gamma_c, c.d2l_cap};
  DiscoDesk::Step last;
  for (const auto& [region, msg] : round) {
    const std::size_t k = index_of(c.regions, region);
    auto start = aggregators.at(k).start(msg);
    std::optional<ReportMsg> report = std::move(start.report);
    for (const auto& [user, to_user] : start.sends) {
      const std::size_t j = index_of(c.users, user);
      r.d2l_used[j] = to_user.d2l.empty() ? Series(c.hours(), 0.0) : to_user.d2l;
      const auto offer = answer_round(settings, to_user, c.users[j].load, &r.users[j]);
      if (auto done = aggregators[k].offer(user, offer)) report = std::move(done);
    }
    auto step = disco.report(region, report.value());  // every end-user answered: a report
    if (step.done || !step.next.empty()) last = std::move(step);
  }
  return last;
}

}  // namespace

TradingResult run_trading(const TradingCase& c, const RunOptions& o) {
  if (c.regions.empty() || c.users.empty()) throw std::invalid_argument("a case needs regions and end-users");
  DiscoSettings ds{
      {}, c.price_market, c.lambda_d2l, c.delta, o.tolerance, static_cast<std::uint64_t>(o.max_rounds), c.case1_price};
  std::vector<AggregatorDesk> aggregators;
  for (std::size_t k = 0; k < c.regions.size(); ++k) {
    ds.regions.push_back(c.regions[k].name);
    std::vector<std::string> users;
    for (const auto& u : c.users)
      if (u.region == k) users.push_back(u.name);
    aggregators.emplace_back(std::move(users), c.regions[k].price_l2a);
  }
  DiscoDesk disco(ds);
  TradingResult r;
  r.users.resize(c.users.size());
  r.d2l_used.assign(c.users.size(), Series(c.hours(), 0.0));
  auto round = disco.begin(o.iterative, o.shiftable);
  DiscoDesk::Step step;
  while (!(step = carry(c, round, disco, aggregators, r)).done) round = std::move(step.next);
  const auto& m = *step.done;
  if (m.market.empty()) throw std::runtime_error(m.stop);
  r.rounds = static_cast<int>(m.rounds);
  r.converged = m.converged;
  r.stop = m.stop;
  r.change = m.change;
  r.ec_e = m.ec_e;
  r.ec_a = m.ec_a;
  r.ec_d = m.ec_d;
  r.disco = disco.last();
  for (std::size_t k = 0; k < c.regions.size(); ++k)
    r.regions.push_back({m.a2d[k], aggregator_cost(m.a2d[k], c.regions[k].price_l2a, m.price_a2d[k])});
  return r;
}

}  // namespace watt::org
