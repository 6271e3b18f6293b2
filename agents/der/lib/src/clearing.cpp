#include <watt/der/clearing.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace watt::der {
namespace {

void check(const std::vector<Offer>& offers, const char* side) {
  for (const auto& o : offers)
    if (o.energy <= 0 || o.price < 0)
      throw ClearingError(std::string(side) + " of '" + o.who + "': energy must be > 0 and price >= 0");
}

// Offer indices, best first (highest bid, lowest ask; ties: the earlier).
std::vector<std::size_t> order(const std::vector<Offer>& offers, bool highest_first) {
  std::vector<std::size_t> idx(offers.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return highest_first ? offers[a].price > offers[b].price : offers[a].price < offers[b].price;
  });
  return idx;
}

}  // namespace

Clearing clear(const std::vector<Offer>& bids, const std::vector<Offer>& asks, PriceRule rule) {
  check(bids, "the bid");
  check(asks, "the ask");
  const auto b = order(bids, true), a = order(asks, false);
  std::vector<Wh> bought(bids.size(), 0), sold(asks.size(), 0);
  Clearing out;
  std::size_t i = 0, j = 0;
  Wh bid_left = b.empty() ? 0 : bids[b[0]].energy, ask_left = a.empty() ? 0 : asks[a[0]].energy;
  PriceCc last_bid = 0, last_ask = 0;
  while (i < b.size() && j < a.size() && bids[b[i]].price >= asks[a[j]].price) {
    const Wh q = std::min(bid_left, ask_left);
    bought[b[i]] += q;
    sold[a[j]] += q;
    out.energy += q;
    out.welfare += q * (bids[b[i]].price - asks[a[j]].price);
    last_bid = bids[b[i]].price;
    last_ask = asks[a[j]].price;
    bid_left -= q;
    ask_left -= q;
    if (bid_left == 0 && ++i < b.size()) bid_left = bids[b[i]].energy;
    if (ask_left == 0 && ++j < a.size()) ask_left = asks[a[j]].energy;
  }
  out.cleared = out.energy > 0;
  if (!out.cleared) return out;
  out.price = rule == PriceRule::bid ? last_bid : rule == PriceRule::ask ? last_ask : (last_bid + last_ask) / 2;
  for (std::size_t k = 0; k < bids.size(); ++k)
    if (bought[k] > 0) out.awards.push_back({bids[k].who, true, bought[k], bought[k] * out.price});
  for (std::size_t k = 0; k < asks.size(); ++k)
    if (sold[k] > 0) out.awards.push_back({asks[k].who, false, sold[k], sold[k] * out.price});
  return out;
}

Offers offers_from_curve(const std::string& who, std::vector<CurvePoint> curve) {
  std::sort(curve.begin(), curve.end(), [](const CurvePoint& a, const CurvePoint& b) { return a.price < b.price; });
  for (std::size_t k = 0; k < curve.size(); ++k)
    if (curve[k].price < 0 || (k > 0 && curve[k].price == curve[k - 1].price))
      throw ClearingError("the curve of '" + who + "': each price once, none negative");
  for (std::size_t k = 1; k < curve.size(); ++k) curve[k].energy = std::min(curve[k].energy, curve[k - 1].energy);
  Offers out;
  // Demand falls with the price: what is drawn at p_k and not at p_k+1 is
  // bid at p_k. Supply rises: what is delivered at p_k and not at p_k-1 is
  // asked at p_k.
  for (std::size_t k = 0; k < curve.size(); ++k) {
    const Wh demand = std::max<Wh>(curve[k].energy, 0);
    const Wh next_demand = k + 1 < curve.size() ? std::max<Wh>(curve[k + 1].energy, 0) : 0;
    if (demand > next_demand) out.bids.push_back({who, demand - next_demand, curve[k].price});
    const Wh supply = std::max<Wh>(-curve[k].energy, 0);
    const Wh last_supply = k > 0 ? std::max<Wh>(-curve[k - 1].energy, 0) : 0;
    if (supply > last_supply) out.asks.push_back({who, supply - last_supply, curve[k].price});
  }
  return out;
}

Money imbalance(Wh contracted, Wh actual, PriceCc price, double penalty) {
  const Wh short_by = contracted - actual;  // > 0: delivered less than promised
  const double rate = short_by > 0 ? 1 + penalty : 1 - penalty;
  return static_cast<Money>(std::llround(static_cast<double>(short_by * price) * rate));
}

}  // namespace watt::der
