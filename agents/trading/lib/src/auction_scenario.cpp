#include <watt/trading/auction_scenario.hpp>

#include <map>
#include <sstream>

namespace watt::trading {
namespace {

std::string cents(double c) {
  std::ostringstream o;
  o << c;
  return o.str();
}

struct Play {
  const AuctionScenario& s;
  BessAuction bess;
  std::vector<AggregatorBidder> bidders;
  std::multimap<Ms, std::pair<std::size_t, BidMsg>> in_flight;  // bids on their way, by arrival
  AuctionOutcome out;

  explicit Play(const AuctionScenario& sc) : s(sc), bess(sc.bess) {
    for (const auto& a : sc.aggregators) bidders.emplace_back(a);
  }

  std::size_t index_of(const std::string& id) const {
    for (std::size_t i = 0; i < s.aggregators.size(); ++i)
      if (s.aggregators[i].id == id) return i;
    return s.aggregators.size();
  }

  void send(std::size_t i, const std::optional<BidMsg>& b, Ms now) {
    if (b) in_flight.emplace(now + s.step, std::make_pair(i, *b));
  }

  void handle(const BessAuction::Out& o, Ms now) {
    for (const auto& [to, r] : o.rejects) {
      out.lines.push_back("Bid too low, REJECTED: " + cents(r.price_cents) + " cents/kWh (" + r.reason + ", " + to +
                          ")");
      const auto i = index_of(to);
      send(i, bidders[i].on_reject(r, now), now);
      if (bidders[i].done() && !bidders[i].won()) out.lines.push_back("aggregator " + to + " bows out");
    }
    if (o.accept) {
      const auto& [to, a] = *o.accept;
      out.lines.push_back("Bid ACCEPTED: " + cents(a.price_cents) + " cents/kWh. Highest bidder ID: " + to);
      if (auto c = bidders[index_of(to)].on_accept(a, now); c && bess.confirm(*c)) {
        out.lines.push_back("received BID CONFIRMED message from " + to);
        out.lines.push_back("Percentage for sale left = " + cents(bess.percent_left()));
      }
    }
  }

  bool active() const {
    for (const auto& b : bidders)
      if (!b.done()) return true;
    return !in_flight.empty();
  }
};

}  // namespace

AuctionOutcome run_auction(const AuctionScenario& s) {
  Play p(s);
  const auto response = p.bess.respond();
  p.out.lines.push_back("BESS ID: " + s.bess.id + " Total Energy: " + cents(s.bess.total_kwh) + " kWh " +
                        cents(s.bess.percent_for_sale) +
                        " % is for sale, reserve price: " + cents(s.bess.reserve_cents) + " cents/kWh");
  for (std::size_t i = 0; i < p.bidders.size(); ++i) {
    p.out.lines.push_back("received QUERY message from " + s.aggregators[i].id);
    p.send(i, p.bidders[i].on_response(response, Ms{0}), Ms{0});
  }
  for (Ms now{0}; now <= s.limit && p.active(); now += s.step) {
    while (!p.in_flight.empty() && p.in_flight.begin()->first <= now) {
      const auto [i, bid] = p.in_flight.begin()->second;
      p.in_flight.erase(p.in_flight.begin());
      p.out.lines.push_back("received BID message from " + bid.from + ": " + cents(bid.price_cents) + " cents/kWh");
      p.handle(p.bess.bid(bid, now), now);
    }
    p.handle(p.bess.tick(now), now);
    for (auto& b : p.bidders) (void)b.tick(now);
  }
  p.out.winner = p.bess.sold_to();
  p.out.price_cents = p.bess.sold_price();
  p.out.left_percent = p.bess.percent_left();
  p.out.bids = p.bess.log();
  return p.out;
}

}  // namespace watt::trading
