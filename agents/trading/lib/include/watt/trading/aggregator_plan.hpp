// How an aggregator chooses among the BESSs that answered its Query, and
// where it opens its bidding (seed 000: "the prototype's ascending
// increments, or choosing by price or energy from its trading history";
// docs/trading.md, The aggregator's strategies).
#pragma once

#include <watt/trading/auction.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace watt::trading {

enum class Choice {
  first,        // the prototype: in the order they answered, opening at the start price
  cheapest,     // the BESS it paid least before first (then the unknown, as they answered),
                // opening at the price it paid there (capped at its maximum)
  most_energy,  // the most energy for sale first (ties: the most bought before)
};
std::optional<Choice> choice_named(std::string_view name);
std::string_view to_string(Choice c) noexcept;

// One purchase.
struct Trade {
  std::string bess;
  double price_cents = 0;
  double energy_kwh = 0;
};

// What an aggregator bought before; the agent keeps it across restarts as
// JSON: {"trades": [{"bess", "price_cents", "energy_kwh"}, ...]}.
class TradingHistory {
public:
  TradingHistory() = default;
  // Throws HistoryError saying what is wrong.
  static TradingHistory parse(std::string_view json);
  std::string dump() const;

  // The latest `kept` trades: enough to rank by, bounded for months of them.
  static constexpr std::size_t kept = 10000;
  void add(Trade t) {
    if (trades_.size() == kept) trades_.erase(trades_.begin());
    trades_.push_back(std::move(t));
  }
  const std::vector<Trade>& trades() const noexcept { return trades_; }
  // The lowest price it paid this BESS; nullopt if it never bought there.
  std::optional<double> lowest_price(std::string_view bess) const;
  double bought_kwh(std::string_view bess) const;

private:
  std::vector<Trade> trades_;
};

struct HistoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The BESSs to try, in order; those with nothing for sale are left out.
std::vector<ResponseMsg> rank(std::vector<ResponseMsg> responses, Choice c, const TradingHistory& h);
// The strategy to bid on `bess` with: `base`, or for `cheapest` with a
// history there, opening at the lowest price paid (capped at the maximum).
AscendingStrategy opening(const AscendingStrategy& base, Choice c, const TradingHistory& h, std::string_view bess);

}  // namespace watt::trading
