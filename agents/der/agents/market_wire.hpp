// What the market operator and the microgrid operators say to each other
// (docs/der.md, The microgrid market on the bus): offers and awards as
// JSON, energy in Wh and prices in 1/100 cent per kWh, as the book keeps
// them. Shared by the two agents and the report tool; a malformed message
// throws watt::Error naming what is wrong.
#pragma once

#include <watt/der/clearing.hpp>
#include <watt/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace watt::der::wire {

inline nlohmann::json to_json(const Offers& o) {
  nlohmann::json bids = nlohmann::json::array(), asks = nlohmann::json::array();
  for (const auto& b : o.bids) bids.push_back({b.energy, b.price});
  for (const auto& a : o.asks) asks.push_back({a.energy, a.price});
  return {{"bids", bids}, {"asks", asks}};
}

// Offers in the name of `who`: {"bids": [[Wh, cc], ...], "asks": [...]}.
inline Offers offers_from(const nlohmann::json& j, const std::string& who) {
  if (!j.is_object()) throw Error("offers must be an object with bids and asks");
  Offers o;
  for (const char* side : {"bids", "asks"}) {
    if (!j.contains(side)) continue;
    const auto& list = j.at(side);
    if (!list.is_array()) throw Error(std::string("offers: '") + side + "' must be a list of [Wh, price]");
    for (const auto& x : list) {
      if (!x.is_array() || x.size() != 2 || !x[0].is_number_integer() || !x[1].is_number_integer())
        throw Error(std::string("offers: each of '") + side + "' must be [Wh, price], integers");
      (side[0] == 'b' ? o.bids : o.asks).push_back({who, x[0].get<Wh>(), x[1].get<PriceCc>()});
    }
  }
  return o;
}

inline nlohmann::json parse(const std::string& text, const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string(what) + ": not JSON: " + e.what());
  }
}

}  // namespace watt::der::wire
