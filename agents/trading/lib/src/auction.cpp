#include <watt/trading/auction.hpp>

#include <algorithm>

namespace watt::trading {

BessAuction::BessAuction(BessSettings s) : s_(std::move(s)), percent_(s_.percent_for_sale) {}

double BessAuction::energy_for_sale_kwh() const noexcept { return s_.total_kwh * percent_ / 100.0; }

void BessAuction::record(AuctionEvent e) {
  log_.push_back(std::move(e));
  if (log_.size() > kept_events) log_.pop_front();
}

ResponseMsg BessAuction::respond() const { return {s_.id, s_.total_kwh, percent_}; }

BessStatusMsg BessAuction::status() const { return {s_.id, s_.total_kwh, percent_, s_.voltage}; }

BessAuction::Out BessAuction::bid(const BidMsg& b, Ms now) {
  Out out;
  const auto reject = [&](RejectReason why) {
    record({b.from, b.price_cents, "rejected", std::string(to_string(why))});
    out.rejects.emplace_back(b.from, RejectBidMsg{s_.id, auction_, b.price_cents, std::string(to_string(why))});
  };
  if (percent_ <= 0) {
    reject(RejectReason::sold_out);
  } else if (accepted_) {
    reject(RejectReason::closed);  // waiting for the winner's confirmation
  } else if (b.price_cents < s_.reserve_cents) {
    reject(RejectReason::below_reserve);
  } else {
    gathered_.push_back(b);
    if (!window_end_) window_end_ = now + s_.window;
    return tick(now);
  }
  return out;
}

BessAuction::Out BessAuction::tick(Ms now) {
  Out out;
  if (window_end_ && now >= *window_end_) {
    // The highest bid wins; among equal ones, the earliest.
    const auto best = std::max_element(gathered_.begin(), gathered_.end(),
                                       [](const BidMsg& a, const BidMsg& b) { return a.price_cents < b.price_cents; });
    accepted_ = *best;
    accepted_at_ = now;
    for (auto it = gathered_.begin(); it != gathered_.end(); ++it) {
      if (it == best) continue;
      record({it->from, it->price_cents, "rejected", std::string(to_string(RejectReason::outbid))});
      out.rejects.emplace_back(it->from, RejectBidMsg{s_.id, auction_, it->price_cents, "outbid"});
    }
    record({best->from, best->price_cents, "accepted", {}});
    out.accept.emplace(best->from, AcceptBidMsg{s_.id, auction_, std::min(best->energy_kwh, energy_for_sale_kwh()),
                                                best->price_cents});
    gathered_.clear();
    window_end_.reset();
  } else if (accepted_ && now - accepted_at_ > s_.confirm_timeout) {
    // A winner that never confirms: the auction opens again.
    record({accepted_->from, accepted_->price_cents, "timed out", "no confirmation"});
    out.terminates.emplace_back(accepted_->from, TerminateMsg{s_.id, auction_, "no confirmation"});
    accepted_.reset();
    ++auction_;
  }
  return out;
}

bool BessAuction::confirm(const BidConfirmationMsg& c) {
  if (!accepted_ || c.from != accepted_->from || c.auction != auction_) return false;
  const double sold = std::min(accepted_->energy_kwh, energy_for_sale_kwh());
  percent_ = std::max(0.0, percent_ - (s_.total_kwh > 0 ? 100.0 * sold / s_.total_kwh : percent_));
  sold_to_ = accepted_->from;
  sold_price_ = accepted_->price_cents;
  accepted_.reset();
  ++auction_;
  return true;
}

std::optional<double> AscendingStrategy::price(std::size_t rejected) const {
  const auto at = [&](std::size_t k) {
    double p = start_cents;
    for (std::size_t i = 0; i < k && !increments.empty(); ++i) p += increments[i % increments.size()];
    return std::min(p, max_cents);
  };
  if (rejected > 0 && at(rejected - 1) >= max_cents) return std::nullopt;  // its maximum was refused
  return at(rejected);
}

AggregatorBidder::AggregatorBidder(AggregatorSettings s) : s_(std::move(s)) {}

std::optional<BidMsg> AggregatorBidder::on_response(const ResponseMsg& r, Ms now) {
  if (done_ || waiting_) return std::nullopt;
  const double available = r.total_kwh * r.percent_for_sale / 100.0;
  if (available <= 0) return std::nullopt;
  bess_ = r.from;
  energy_ = std::min(s_.required_kwh, available);
  price_ = *s_.strategy.price(0);
  waiting_ = true;
  last_heard_ = now;
  return BidMsg{s_.id, 0, energy_, price_, static_cast<std::uint32_t>(s_.counterpart_timeout.count())};
}

std::optional<BidMsg> AggregatorBidder::on_reject(const RejectBidMsg& r, Ms now) {
  if (done_ || r.from != bess_) return std::nullopt;
  last_heard_ = now;
  if (r.reason == "sold_out") {
    done_ = true;
    return std::nullopt;
  }
  const auto next = s_.strategy.price(++rejected_);
  if (!next) {
    done_ = true;  // bows out at its maximum
    return std::nullopt;
  }
  price_ = *next;
  return BidMsg{s_.id, r.auction, energy_, price_, static_cast<std::uint32_t>(s_.counterpart_timeout.count())};
}

std::optional<BidConfirmationMsg> AggregatorBidder::on_accept(const AcceptBidMsg& a, Ms now) {
  if (done_ || a.from != bess_) return std::nullopt;
  last_heard_ = now;
  won_ = done_ = true;
  price_ = a.price_cents;
  return BidConfirmationMsg{s_.id, a.auction};
}

bool AggregatorBidder::tick(Ms now) {
  if (!waiting_ || done_ || now - last_heard_ <= s_.counterpart_timeout) return false;
  timed_out_ = done_ = true;
  return true;
}

}  // namespace watt::trading
