// The end-user's answer to a round, and the aggregator's desk.
#include <watt/org/desks.hpp>

#include <stdexcept>

namespace watt::org {

OfferMsg answer_round(const EndUserSettings& s, const UserRoundMsg& round, const Series& load,
                      EndUserDecision* decision) {
  OfferMsg o;
  o.run = round.run;
  o.round = round.round;
  try {
    const Series d2l = round.d2l.empty() ? Series(load.size(), 0.0) : round.d2l;
    auto e = solve_end_user({load, round.price_l2a, d2l, round.lambda_d2l, s.gamma_p, s.gamma_c, round.shiftable});
    if (!e.ok()) {
      o.error = e.error;
      return o;
    }
    o.l2a = e.decision.l2a;
    o.cost = e.decision.cost;
    for (double l : load) o.d2l_limit.push_back(s.d2l_cap * l);
    if (decision != nullptr) *decision = std::move(e.decision);
  } catch (const std::invalid_argument& e) {
    o.error = std::string("Problem E: ") + e.what();
  }
  return o;
}

AggregatorDesk::AggregatorDesk(std::vector<std::string> users, Series price_l2a)
    : users_(std::move(users)), price_(std::move(price_l2a)) {}

AggregatorDesk::Start AggregatorDesk::start(const RoundMsg& round) {
  Start out;
  if (round_ && round_->run == round.run && round_->round == round.round) {
    // The DisCo asking again: its report was lost, or some end-user is late.
    if (reported_) out.report = last_report_;
    out.sends = missing();
    return out;
  }
  round_ = round;
  offers_.assign(users_.size(), std::nullopt);
  reported_ = false;
  // A region without end-users has nothing to wait for.
  if (users_.empty()) out.report = complete();
  out.sends = missing();
  return out;
}

std::vector<std::pair<std::string, UserRoundMsg>> AggregatorDesk::missing() const {
  std::vector<std::pair<std::string, UserRoundMsg>> out;
  if (!round_ || reported_) return out;
  for (std::size_t j = 0; j < users_.size(); ++j) {
    if (offers_[j]) continue;
    UserRoundMsg m{round_->run, round_->round, round_->shiftable, round_->lambda_d2l, {}, price_};
    if (const auto it = round_->d2l.find(users_[j]); it != round_->d2l.end()) m.d2l = it->second;
    out.emplace_back(users_[j], std::move(m));
  }
  return out;
}

std::optional<ReportMsg> AggregatorDesk::offer(const std::string& user, const OfferMsg& offer) {
  if (!round_ || reported_ || offer.run != round_->run || offer.round != round_->round) return std::nullopt;
  std::size_t j = 0;
  while (j < users_.size() && users_[j] != user) ++j;
  if (j == users_.size() || offers_[j]) return std::nullopt;
  offers_[j] = offer;
  if (!offer.error.empty()) {
    ReportMsg r{offer.run, offer.round, {}, {}, {}, "end-user '" + user + "': " + offer.error};
    reported_ = true;
    last_report_ = r;
    return r;
  }
  for (const auto& o : offers_)
    if (!o) return std::nullopt;
  return complete();
}

ReportMsg AggregatorDesk::complete() {
  ReportMsg r;
  r.run = round_->run;
  r.round = round_->round;
  std::vector<Series> l2a;
  for (std::size_t i = 0; i < users_.size(); ++i) {
    l2a.push_back(offers_[i]->l2a);
    r.users.push_back({users_[i], offers_[i]->cost, offers_[i]->d2l_limit});
  }
  try {
    r.a2d = sum_by_hour(l2a, price_.size());  // (6)
  } catch (const std::invalid_argument& e) {
    r.error = std::string("(6): ") + e.what();
  }
  r.price_l2a = price_;
  reported_ = true;
  last_report_ = r;
  return r;
}

}  // namespace watt::org
