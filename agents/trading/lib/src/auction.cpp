#include <watt/trading/auction.hpp>

#include <algorithm>
#include <cmath>

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
  if (!std::isfinite(b.price_cents) || b.price_cents <= 0 || !std::isfinite(b.energy_kwh) || b.energy_kwh <= 0) {
    reject(RejectReason::invalid);
  } else if (percent_ <= 0) {
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

void BessAuction::withdraw(const std::string& bidder) {
  std::erase_if(gathered_, [&](const BidMsg& b) { return b.from == bidder; });
  if (gathered_.empty()) window_end_.reset();
  if (accepted_ && accepted_->from == bidder) {
    record({bidder, accepted_->price_cents, "withdrawn", "terminated by the bidder"});
    accepted_.reset();
    ++auction_;
  }
}

BessAuction::Out BessAuction::abort(const std::string& reason) {
  Out out;
  for (const auto& b : gathered_) out.terminates.emplace_back(b.from, TerminateMsg{s_.id, auction_, reason});
  if (accepted_) out.terminates.emplace_back(accepted_->from, TerminateMsg{s_.id, auction_, reason});
  gathered_.clear();
  window_end_.reset();
  accepted_.reset();
  ++auction_;
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
  if (!std::isfinite(available) || available <= 0) return std::nullopt;
  bess_ = r.from;
  energy_ = std::min(s_.required_kwh, available);
  price_ = *s_.strategy.price(0);
  waiting_ = true;
  last_heard_ = now;
  return current(0);
}

BidMsg AggregatorBidder::current(std::uint64_t auction) const {
  return BidMsg{s_.id, auction, energy_, price_, static_cast<std::uint32_t>(s_.counterpart_timeout.count())};
}

std::optional<BidMsg> AggregatorBidder::on_reject(const RejectBidMsg& r, Ms now) {
  if (done_ || r.from != bess_ || r.price_cents != price_) return std::nullopt;
  last_heard_ = now;
  if (r.reason == "closed") return current(r.auction);
  if (r.reason == "sold_out" || r.reason == "invalid") {
    done_ = true;
    return std::nullopt;
  }
  const auto next = s_.strategy.price(++rejected_);
  if (!next) {
    done_ = true;  // bows out at its maximum
    return std::nullopt;
  }
  price_ = *next;
  return current(r.auction);
}

std::optional<BidConfirmationMsg> AggregatorBidder::on_accept(const AcceptBidMsg& a, Ms now) {
  if (done_ || a.from != bess_ || a.price_cents != price_ || !std::isfinite(a.energy_kwh) || a.energy_kwh <= 0 ||
      a.energy_kwh > energy_)
    return std::nullopt;
  last_heard_ = now;
  won_ = done_ = true;
  return BidConfirmationMsg{s_.id, a.auction};
}

bool AggregatorBidder::tick(Ms now) {
  if (!waiting_ || done_ || now - last_heard_ <= s_.counterpart_timeout) return false;
  timed_out_ = done_ = true;
  return true;
}

}  // namespace watt::trading
