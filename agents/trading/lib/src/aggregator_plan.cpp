#include <watt/trading/aggregator_plan.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace watt::trading {

std::optional<Choice> choice_named(std::string_view name) {
  for (auto c : {Choice::first, Choice::cheapest, Choice::most_energy})
    if (to_string(c) == name) return c;
  return std::nullopt;
}

std::string_view to_string(Choice c) noexcept {
  switch (c) {
    case Choice::first: return "first";
    case Choice::cheapest: return "cheapest";
    case Choice::most_energy: return "most_energy";
  }
  return "first";
}

TradingHistory TradingHistory::parse(std::string_view json) {
  TradingHistory h;
  try {
    const auto doc = nlohmann::json::parse(json);  // held: the loop reads into it
    for (const auto& t : doc.at("trades")) {
      Trade trade{t.at("bess").get<std::string>(), t.at("price_cents").get<double>(), t.at("energy_kwh").get<double>()};
      if (!std::isfinite(trade.price_cents) || !std::isfinite(trade.energy_kwh) || trade.energy_kwh < 0)
        throw HistoryError("a trade with an unusable price or energy");
      h.add(std::move(trade));
    }
  } catch (const nlohmann::json::exception& e) {
    throw HistoryError(std::string("not a trading history: ") + e.what());
  }
  return h;
}

std::string TradingHistory::dump() const {
  nlohmann::json trades = nlohmann::json::array();
  for (const auto& t : trades_)
    trades.push_back({{"bess", t.bess}, {"price_cents", t.price_cents}, {"energy_kwh", t.energy_kwh}});
  return nlohmann::json{{"trades", trades}}.dump(1);
}

std::optional<double> TradingHistory::lowest_price(std::string_view bess) const {
  std::optional<double> low;
  for (const auto& t : trades_)
    if (t.bess == bess && (!low || t.price_cents < *low)) low = t.price_cents;
  return low;
}

double TradingHistory::bought_kwh(std::string_view bess) const {
  double sum = 0;
  for (const auto& t : trades_)
    if (t.bess == bess) sum += t.energy_kwh;
  return sum;
}

std::vector<ResponseMsg> rank(std::vector<ResponseMsg> responses, Choice c, const TradingHistory& h) {
  const auto for_sale = [](const ResponseMsg& r) { return r.total_kwh * r.percent_for_sale / 100.0; };
  std::erase_if(responses, [&](const ResponseMsg& r) { return !(for_sale(r) > 0); });
  if (c == Choice::cheapest) {
    // Known prices first, lowest first; the unknown keep their order.
    std::stable_sort(responses.begin(), responses.end(), [&](const ResponseMsg& a, const ResponseMsg& b) {
      const auto pa = h.lowest_price(a.from), pb = h.lowest_price(b.from);
      if (pa && pb) return *pa < *pb;
      return pa.has_value() && !pb.has_value();
    });
  } else if (c == Choice::most_energy) {
    std::stable_sort(responses.begin(), responses.end(), [&](const ResponseMsg& a, const ResponseMsg& b) {
      if (for_sale(a) != for_sale(b)) return for_sale(a) > for_sale(b);
      return h.bought_kwh(a.from) > h.bought_kwh(b.from);
    });
  }
  return responses;
}

AscendingStrategy opening(const AscendingStrategy& base, Choice c, const TradingHistory& h, std::string_view bess) {
  AscendingStrategy s = base;
  if (c == Choice::cheapest)
    if (const auto paid = h.lowest_price(bess))
      s.start_cents = std::min(std::max(*paid, base.start_cents), base.max_cents);
  return s;
}

}  // namespace watt::trading
