// Seed 000's auction of a BESS's energy (its Figs. 2 and 6-8;
// docs/trading.md, BESS auctions), free of the bus: the BESS's side runs the
// auction, the aggregator's side bids. The bess and aggregator agents carry
// these over the bus; the tests and examples/bess-auction drive them
// directly, in time of their own.
#pragma once

#include <watt/trading/bess_messages.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace watt::trading {

using Ms = std::chrono::milliseconds;

// One line of an auction's log, as the paper's figures print them.
struct AuctionEvent {
  std::string bidder;
  double price_cents = 0;
  std::string outcome;  // "accepted", "rejected"
  std::string reason;   // why rejected
};

struct BessSettings {
  std::string id;
  double total_kwh = 0;
  double percent_for_sale = 0;
  double reserve_cents = 0;  // the lowest price it sells at
  double voltage = 0;
  Ms window{1000};           // how long it gathers competing bids after the first it could take
  Ms confirm_timeout{2000};  // how long it waits for a bid confirmation
};

// A BESS's auction: bids below the reserve are rejected at once; bids at or
// above it are gathered for `window`, then the highest (ties: the earliest)
// is accepted and the others rejected as outbid; the sale is accounted on
// confirmation. A winner that never confirms is timed out, and the auction
// opens again.
class BessAuction {
public:
  explicit BessAuction(BessSettings s);
  double energy_for_sale_kwh() const noexcept;
  double percent_left() const noexcept { return percent_; }
  ResponseMsg respond() const;
  BessStatusMsg status() const;

  // What to send back: rejections at once, an acceptance when the window
  // closes (tick).
  struct Out {
    std::vector<std::pair<std::string, RejectBidMsg>> rejects;
    std::optional<std::pair<std::string, AcceptBidMsg>> accept;
    std::vector<std::pair<std::string, TerminateMsg>> terminates;
  };
  Out bid(const BidMsg& b, Ms now);
  Out tick(Ms now);
  // The winner's confirmation: the energy is sold. False for anyone else's.
  bool confirm(const BidConfirmationMsg& c);
  // A bidder that withdraws (its Terminate): its gathered bids are dropped,
  // and if it was the winner waiting to confirm, the auction opens again.
  void withdraw(const std::string& bidder);
  // Everything under way is dropped (a device failure); the bidders are told.
  Out abort(const std::string& reason);
  // The latest `kept_events` bids, oldest first: a BESS may run for months.
  const std::deque<AuctionEvent>& log() const noexcept { return log_; }
  static constexpr std::size_t kept_events = 10000;
  std::optional<std::string> sold_to() const { return sold_to_; }
  double sold_price() const noexcept { return sold_price_; }

private:
  BessSettings s_;
  double percent_;
  std::uint64_t auction_ = 1;
  std::vector<BidMsg> gathered_;
  std::optional<Ms> window_end_;
  std::optional<BidMsg> accepted_;
  Ms accepted_at_{0};
  std::optional<std::string> sold_to_;
  double sold_price_ = 0;
  std::deque<AuctionEvent> log_;
  void record(AuctionEvent e);
};

// How an aggregator raises its bid after a rejection.
struct AscendingStrategy {
  double start_cents = 0;
  std::vector<double> increments;  // cycled; the prototype's "seeded" increments
  double max_cents = 0;
  // The price after `rejected` rejections, capped at the maximum; nullopt
  // once the maximum itself was rejected (it bows out).
  std::optional<double> price(std::size_t rejected) const;
};

struct AggregatorSettings {
  std::string id;
  double required_kwh = 0;
  AscendingStrategy strategy;
  Ms counterpart_timeout{3000};  // a BESS silent this long is given up on
};

// An aggregator bidding for one BESS's energy.
class AggregatorBidder {
public:
  explicit AggregatorBidder(AggregatorSettings s);
  // The first bid, after the BESS's response; nullopt when it has nothing
  // for sale.
  std::optional<BidMsg> on_response(const ResponseMsg& r, Ms now);
  // The next bid, or nullopt when it bows out (then `done`). A rejection
  // of anything but the bid in flight is stale and ignored (nullopt, not
  // done). `closed` (the BESS waits for another's confirmation) repeats the
  // same bid: the caller sends it again after a pause.
  std::optional<BidMsg> on_reject(const RejectBidMsg& r, Ms now);
  // The confirmation, for an acceptance of the bid in flight at its price
  // for at most its energy; anything else is ignored.
  std::optional<BidConfirmationMsg> on_accept(const AcceptBidMsg& a, Ms now);
  // A BESS silent past the timeout: given up (then `done`, `timed_out`).
  bool tick(Ms now);
  bool done() const noexcept { return done_; }
  bool won() const noexcept { return won_; }
  bool timed_out() const noexcept { return timed_out_; }
  double price() const noexcept { return price_; }
  const std::string& bess() const noexcept { return bess_; }

private:
  BidMsg current(std::uint64_t auction) const;
  AggregatorSettings s_;
  std::string bess_;
  std::size_t rejected_ = 0;
  double price_ = 0, energy_ = 0;
  Ms last_heard_{0};
  bool waiting_ = false, done_ = false, won_ = false, timed_out_ = false;
};

}  // namespace watt::trading
