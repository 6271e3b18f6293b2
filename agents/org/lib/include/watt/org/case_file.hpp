// The cases the trading experiment runs: the 33-bus case of seed 003 (its
// loads and Table 1 prices, from org33_case.json) with the choices the paper
// leaves open (docs/organizations.md, Choices), and generated cases of any
// size for the scale run.
#pragma once

#include <watt/org/trading_run.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace watt::org {

// What the paper does not give, from the experiment's settings file.
struct CaseChoices {
  std::vector<std::pair<std::string, std::vector<int>>> regions;  // aggregator name -> its buses, in Table 1's order
  Series profile;                                                 // each hour's load as a share of the bus's peak
  double d2l_cap = 1.0;                                           // P^D2L_jt <= d2l_cap * L_jt
  Case1Price case1_price = Case1Price::disco;
};

// Reads the settings file (YAML): regions, profile, d2l_cap, case1_price. Throws
// std::invalid_argument naming the file and key.
CaseChoices read_choices(const std::string& yaml, const std::string& source);

// The 33-bus case: one end-user per load bus ("eu<bus>"), in the region whose
// list holds its bus. Throws std::invalid_argument for a bus in no region or
// in two, or a case file without what it needs.
TradingCase org33_case(const std::string& case_json, const CaseChoices& choices);

// A generated case: `users` end-users spread over `regions` regions, with
// peaks drawn from the 33-bus loads and each region's prices Table 1's
// regions' prices in turn, scaled by a factor drawn in [0.9, 1.1];
// deterministic for a seed.
TradingCase generated_case(const std::string& case_json, const CaseChoices& choices, std::size_t users,
                           std::size_t regions, std::uint64_t seed);

}  // namespace watt::org
