// One BESS auction played out in time of its own, message by message, as
// the paper's prototype ran Figs. 6-8: the reference the agents' run over
// the bus is compared with, and what the tests check.
#pragma once

#include <watt/trading/auction.hpp>

#include <optional>
#include <string>
#include <vector>

namespace watt::trading {

struct AuctionScenario {
  BessSettings bess;
  std::vector<AggregatorSettings> aggregators;
  Ms step{100};      // each message takes this long to arrive
  Ms limit{600000};  // the run gives up here
};

struct AuctionOutcome {
  std::optional<std::string> winner;
  double price_cents = 0;
  double left_percent = 0;
  std::vector<AuctionEvent> bids;  // in the order the BESS saw them
  std::vector<std::string> lines;  // the log, like the figures' lines
};

AuctionOutcome run_auction(const AuctionScenario& s);

}  // namespace watt::trading
