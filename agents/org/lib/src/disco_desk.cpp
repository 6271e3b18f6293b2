// The DisCo's desk: Problem D between rounds, and when to stop.
#include <watt/org/desks.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace watt::org {

std::optional<Case1Price> case1_price_named(const std::string& name) {
  if (name == "disco") return Case1Price::disco;
  if (name == "floor") return Case1Price::floor;
  if (name == "market") return Case1Price::market;
  return std::nullopt;
}

const char* to_string(Case1Price p) noexcept {
  return p == Case1Price::floor ? "floor" : p == Case1Price::market ? "market" : "disco";
}

namespace {

// Case 1 at a fixed rule rather than Problem D's choice: each region's price
// set by the rule, and OF^d (11) again at those prices.
void price_by_rule(DiscoDecision& d, const DiscoProblem& p, Case1Price rule) {
  d.cost = 0;
  for (std::size_t k = 0; k < d.price_a2d.size(); ++k)
    for (std::size_t t = 0; t < p.price_market.size(); ++t) {
      d.price_a2d[k][t] = rule == Case1Price::floor ? p.delta * p.price_l2a[k][t] : p.price_market[t];
      d.cost += d.price_a2d[k][t] * p.a2d[k][t];
    }
  for (std::size_t t = 0; t < p.price_market.size(); ++t) d.cost += p.price_market[t] * d.market[t];
}

}  // namespace

DiscoDesk::DiscoDesk(DiscoSettings s) : s_(std::move(s)) {
  if (s_.regions.empty()) throw std::invalid_argument("the DisCo needs at least one aggregator region");
}

RoundMsgs DiscoDesk::begin(bool iterative, bool shiftable) {
  ++run_;
  round_ = 1;
  running_ = true;
  iterative_ = iterative;
  shiftable_ = shiftable;
  reports_.assign(s_.regions.size(), std::nullopt);
  region_users_.clear();
  last_ = {};
  last_a2d_.clear();
  started_ = std::chrono::steady_clock::now();
  return messages();
}

RoundMsgs DiscoDesk::messages() const {
  RoundMsgs out;
  for (const auto& region : s_.regions) out.emplace_back(region, RoundMsg{run_, round_, shiftable_, s_.lambda_d2l, {}});
  // The P^D2L of the last Problem D, to each end-user through its region.
  std::size_t j = 0;
  for (std::size_t k = 0; k < region_users_.size() && round_ > 1; ++k)
    for (const auto& user : region_users_[k]) out[k].second.d2l[user] = last_.d2l.at(j++);
  return out;
}

RoundMsgs DiscoDesk::missing() const {
  RoundMsgs out;
  if (!running_) return out;
  auto all = messages();
  for (std::size_t k = 0; k < all.size(); ++k)
    if (!reports_[k]) out.push_back(std::move(all[k]));
  return out;
}

DiscoDesk::Step DiscoDesk::report(const std::string& region, const ReportMsg& r) {
  if (!running_ || r.run != run_ || r.round != round_) return {};
  const auto at = std::find(s_.regions.begin(), s_.regions.end(), region);
  if (at == s_.regions.end()) return {};
  auto& slot = reports_[static_cast<std::size_t>(at - s_.regions.begin())];
  if (slot) return {};
  slot = r;
  if (!r.error.empty()) {
    running_ = false;
    return {{}, result("region '" + region + "': " + r.error, false, INFINITY, false)};
  }
  if (std::any_of(reports_.begin(), reports_.end(), [](const auto& x) { return !x; })) return {};
  return solve_round();
}

DiscoDesk::Step DiscoDesk::solve_round() {
  DiscoProblem p;
  p.price_market = s_.price_market;
  p.lambda_d2l = s_.lambda_d2l;
  p.delta = s_.delta;
  std::vector<std::vector<std::string>> users;
  for (const auto& r : reports_) {
    p.a2d.push_back(r->a2d);
    p.price_l2a.push_back(r->price_l2a);
    users.emplace_back();
    for (const auto& u : r->users) {
      users.back().push_back(u.org);
      // Case 1: end-users decide alone, and the DisCo sells them nothing.
      p.d2l_cap.push_back(iterative_ ? u.d2l_limit : Series(u.d2l_limit.size(), 0.0));
    }
  }
  Outcome<DiscoDecision> d;
  try {
    d = solve_disco(p);
  } catch (const std::invalid_argument& e) {
    d.error = std::string("Problem D: ") + e.what();
  }
  if (!d.ok()) {
    running_ = false;
    return {{}, result(d.error, false, INFINITY, false)};
  }
  if (!iterative_ && s_.case1_price != Case1Price::disco) price_by_rule(d.decision, p, s_.case1_price);
  const double change = round_ == 1 || users != region_users_
                            ? INFINITY
                            : std::max({max_change(p.a2d, last_a2d_), max_change(d.decision.d2l, last_.d2l),
                                        max_change(d.decision.price_a2d, last_.price_a2d)});
  last_ = std::move(d.decision);
  last_a2d_ = p.a2d;
  region_users_ = std::move(users);
  Step step;
  if (!iterative_)
    step.done = result("one round (case 1)", false, change, true);
  else if (change <= s_.tolerance)
    step.done = result("converged", true, change, true);
  else if (round_ >= s_.max_rounds)
    step.done = result("max rounds", false, change, true);
  if (step.done) {
    running_ = false;
    return step;
  }
  ++round_;
  for (auto& r : reports_) r.reset();
  step.next = messages();
  return step;
}

RunResultMsg DiscoDesk::result(const std::string& stop, bool converged, double change, bool solved) const {
  RunResultMsg m;
  m.run = run_;
  m.iterative = iterative_;
  m.shiftable = shiftable_;
  m.converged = converged;
  m.rounds = round_;
  m.stop = stop;
  m.change = change;
  m.regions = s_.regions;
  const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_);
  m.round_ms = elapsed.count() / static_cast<double>(round_);
  // A failed round has no figures: they would mix two rounds.
  if (!solved) return m;
  m.ec_d = last_.cost;
  m.market = last_.market;
  m.price_a2d = last_.price_a2d;
  m.d2l_total.assign(m.market.size(), 0.0);
  for (const auto& d : last_.d2l)
    for (std::size_t t = 0; t < d.size(); ++t) m.d2l_total[t] += d[t];
  for (std::size_t k = 0; k < reports_.size(); ++k) {
    if (!reports_[k]) continue;
    const auto& r = *reports_[k];
    m.a2d.push_back(r.a2d);
    for (const auto& u : r.users) m.ec_e += u.cost;
    m.ec_a += aggregator_cost(r.a2d, r.price_l2a, last_.price_a2d[k]);  // (10)
  }
  return m;
}

}  // namespace watt::org
