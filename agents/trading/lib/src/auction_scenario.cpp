#include <watt/trading/auction_lines.hpp>
#include <watt/trading/auction_scenario.hpp>

#include <map>

namespace watt::trading {
namespace {

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
      out.lines.push_back(lines::rejected(to, r));
      const auto i = index_of(to);
      send(i, bidders[i].on_reject(r, now), now);
      if (bidders[i].done() && !bidders[i].won()) out.lines.push_back(lines::bows_out(to));
    }
    if (o.accept) {
      const auto& [to, a] = *o.accept;
      out.lines.push_back(lines::accepted(to, a));
      if (auto c = bidders[index_of(to)].on_accept(a, now); c && bess.confirm(*c)) {
        out.lines.push_back(lines::confirmed(to));
        out.lines.push_back(lines::left(bess.percent_left()));
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
  p.out.lines.push_back(lines::bess(s.bess));
  for (std::size_t i = 0; i < p.bidders.size(); ++i) {
    p.out.lines.push_back(lines::query(s.aggregators[i].id));
    p.send(i, p.bidders[i].on_response(response, Ms{0}), Ms{0});
  }
  for (Ms now{0}; now <= s.limit && p.active(); now += s.step) {
    while (!p.in_flight.empty() && p.in_flight.begin()->first <= now) {
      const auto [i, bid] = p.in_flight.begin()->second;
      p.in_flight.erase(p.in_flight.begin());
      p.out.lines.push_back(lines::bid(bid));
      p.handle(p.bess.bid(bid, now), now);
    }
    p.handle(p.bess.tick(now), now);
    for (auto& b : p.bidders) (void)b.tick(now);
  }
  p.out.winner = p.bess.sold_to();
  p.out.price_cents = p.bess.sold_price();
  p.out.left_percent = p.bess.percent_left();
  p.out.bids.assign(p.bess.log().begin(), p.bess.log().end());
  return p.out;
}

}  // namespace watt::trading
