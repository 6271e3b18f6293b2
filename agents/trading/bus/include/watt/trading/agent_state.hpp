// What the bess and aggregator agents answer their `state` RPC with: the
// run's tools, tests and benchmarks read auctions through these.
#pragma once

#include <watt/trading/link.hpp>

#include <msgpack.hpp>

#include <string>
#include <vector>

namespace watt::trading {

struct BidLine {
  std::string bidder;
  double price_cents = 0;
  std::string outcome;  // accepted, rejected, timed out
  std::string reason;
  MSGPACK_DEFINE_MAP(bidder, price_cents, outcome, reason)
};

struct BessState {
  std::string id;
  double total_kwh = 0, percent_left = 0, reserve_cents = 0;
  std::string sold_to;  // empty: nothing sold yet
  double price_cents = 0;
  bool failed = false;                   // a Device Failure was sent
  std::vector<std::string> aggregators;  // those it knows (Register, Query)
  std::vector<BidLine> bids;             // in the order it saw them
  std::vector<std::string> lines;        // its log, worded as the paper's figures
  std::vector<TypeStats> messages;
  MSGPACK_DEFINE_MAP(id, total_kwh, percent_left, reserve_cents, sold_to, price_cents, failed, aggregators, bids, lines,
                     messages)
};

struct Purchase {
  std::string bess;
  double price_cents = 0, energy_kwh = 0;
  MSGPACK_DEFINE_MAP(bess, price_cents, energy_kwh)
};

struct AggregatorState {
  std::string id;
  double required_kwh = 0, remaining_kwh = 0;
  std::string bidding_with;  // the BESS it bids with now; empty when idle
  double price_cents = 0;    // its latest bid
  bool done = false;         // bought what it needed, or nothing is left to try
  std::vector<Purchase> bought;
  std::vector<std::string> given_up;       // "bess-1: silent for 1000 ms", "bess-2: bowed out at 17"
  std::vector<std::string> bess_failures;  // Device Failures heard: "bess-1: overtemperature"
  std::vector<TypeStats> messages;
  MSGPACK_DEFINE_MAP(id, required_kwh, remaining_kwh, bidding_with, price_cents, done, bought, given_up, bess_failures,
                     messages)
};

}  // namespace watt::trading
