// A uniform-price double auction (seed 001's transactive platform, docs/der.md,
// Market clearing): buyers' bids and sellers' asks, each a step of a
// price-quantity curve, cleared where demand meets supply. Matching the
// highest bids with the lowest asks while a bid is at least its ask
// maximizes the welfare (what buyers would pay less what sellers ask); every
// matched unit trades at one price. Integer units, so that what buyers pay
// is what sellers receive to the cent: energy in Wh, prices in hundredths of
// a cent per kWh, money in 1e-5 cent (a Wh at a hundredth of a cent per kWh).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace watt::der {

using Wh = std::int64_t;
using PriceCc = std::int64_t;  // 1/100 cent per kWh
using Money = std::int64_t;    // 1e-5 cent

struct Offer {
  std::string who;
  Wh energy = 0;      // up to this much
  PriceCc price = 0;  // a buyer's most, a seller's least
};

// How the one price is set between the marginal bid and ask.
enum class PriceRule { midpoint, bid, ask };

struct Award {
  std::string who;
  bool buyer = false;
  Wh energy = 0;
  Money money = 0;  // what it pays (a buyer) or receives (a seller)
};

struct Clearing {
  bool cleared = false;  // some energy traded
  PriceCc price = 0;
  Wh energy = 0;
  Money welfare = 0;          // sum over matched units of bid less ask
  std::vector<Award> awards;  // buyers, then sellers, each in the order given
};

struct ClearingError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Clears one interval. Equal prices go to the earlier offer. An offer with
// no energy, a negative energy or a negative price is refused
// (ClearingError naming it). The midpoint is rounded down to a whole 1/100
// cent.
Clearing clear(const std::vector<Offer>& bids, const std::vector<Offer>& asks, PriceRule rule = PriceRule::midpoint);

// A participant's curve, one point per price: at `price` it would draw
// `energy` from the market (negative: deliver that much).
struct CurvePoint {
  PriceCc price = 0;
  Wh energy = 0;
};

struct Offers {
  std::vector<Offer> bids, asks;
};

// The bids and asks that say a curve (docs/der.md, Bids from a plan): at a
// clearing price P the bids at or above P add up to what the curve draws at
// the lowest of its prices at or above P, the asks at or below P to what it
// delivers at the highest of its prices at or below P. A
// curve that draws more at a higher price (a plan is not always monotone)
// is taken at the least it draws at any lower price. Points in any order;
// a price twice, or a negative one, throws ClearingError.
Offers offers_from_curve(const std::string& who, std::vector<CurvePoint> curve);

// Real-time imbalance at a penalty: a party that delivered (or took) other
// than its contract pays the difference at `price` times (1 + penalty) when
// short, and is paid at `price` times (1 - penalty) when long. Positive:
// it pays. `actual` and `contracted` are energy delivered (sellers) or
// taken (buyers, negative).
Money imbalance(Wh contracted, Wh actual, PriceCc price, double penalty);

}  // namespace watt::der
