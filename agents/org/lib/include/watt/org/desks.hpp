// The bookkeeping of the trading algorithm, free of the bus: what each party
// does with the messages of messages.hpp. The agents carry these over the
// bus; run_trading (trading_run.hpp) calls them directly. One algorithm,
// two transports.
#pragma once

#include <watt/org/messages.hpp>
#include <watt/org/trading.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace watt::org {

// A round's messages, to each aggregator organization.
using RoundMsgs = std::vector<std::pair<std::string, RoundMsg>>;

// An end-user's decision-making system: its parameters, and its answer to
// a round given its load forecast. `decision`, when given, receives the
// full Problem E solution.
struct EndUserSettings {
  double gamma_p = 0.1, gamma_c = 0.1;
  double d2l_cap = 0.1;  // the most it takes from the DisCo, as a share of its load
};
OfferMsg answer_round(const EndUserSettings& s, const UserRoundMsg& round, const Series& load,
                      EndUserDecision* decision = nullptr);

// An aggregator's IP: hands each round to its end-users with its price, and
// reports (6) to the DisCo once all have answered.
class AggregatorDesk {
public:
  AggregatorDesk(std::vector<std::string> users, Series price_l2a);
  // A round from the DisCo: what to send to each end-user, and the report
  // when there is one already (a region without end-users, or the DisCo
  // asking again for a report it lost).
  struct Start {
    std::vector<std::pair<std::string, UserRoundMsg>> sends;
    std::optional<ReportMsg> report;
  };
  Start start(const RoundMsg& round);
  // An end-user's offer. The report, once the round is complete (or an
  // end-user failed); nothing for offers of other rounds or repeated ones.
  std::optional<ReportMsg> offer(const std::string& user, const OfferMsg& offer);
  // The round's messages to end-users that have not answered yet.
  std::vector<std::pair<std::string, UserRoundMsg>> missing() const;
  const std::vector<std::string>& users() const noexcept { return users_; }

private:
  std::vector<std::string> users_;
  Series price_;
  std::optional<RoundMsg> round_;
  ReportMsg complete();  // (6) on the offers in hand, which is the report

  std::vector<std::optional<OfferMsg>> offers_;
  bool reported_ = false;
  std::optional<ReportMsg> last_report_;
};

// How the DisCo prices what reaches it in Case 1, where the paper is silent
// (docs/organizations.md, Choices): by Problem D with no sales to
// end-users, at the floor of (7) (delta lambda^L2A), or at its ceiling
// (lambda^M).
enum class Case1Price { disco, floor, market };
// "disco", "floor", "market"; nullopt for another word.
std::optional<Case1Price> case1_price_named(const std::string& name);
const char* to_string(Case1Price p) noexcept;

struct DiscoSettings {
  std::vector<std::string> regions;  // the aggregator organizations
  Series price_market;
  double lambda_d2l = 0.6, delta = 1.1;
  double tolerance = 1e-6;
  std::uint64_t max_rounds = 50;
  Case1Price case1_price = Case1Price::disco;
};

// The DisCo's DMS: starts a run, collects the aggregators' reports, solves
// Problem D, and decides: another round, or the result.
class DiscoDesk {
public:
  explicit DiscoDesk(DiscoSettings s);
  // A new run (any unfinished one is abandoned): round 1's messages.
  RoundMsgs begin(bool iterative, bool shiftable);
  struct Step {
    RoundMsgs next;                    // the next round's messages
    std::optional<RunResultMsg> done;  // or the run's end
  };
  // An aggregator's report; empty until every region has reported.
  Step report(const std::string& region, const ReportMsg& r);
  // The current round's messages to regions that have not reported.
  RoundMsgs missing() const;
  bool running() const noexcept { return running_; }
  std::uint64_t run() const noexcept { return run_; }
  // The last Problem D solved.
  const DiscoDecision& last() const noexcept { return last_; }

private:
  Step solve_round();
  // `solved`: this round's Problem D was solved, so the figures are its.
  RunResultMsg result(const std::string& stop, bool converged, double change, bool solved) const;
  RoundMsgs messages() const;

  DiscoSettings s_;
  std::uint64_t run_ = 0, round_ = 0;
  bool running_ = false, iterative_ = false, shiftable_ = false;
  std::vector<std::optional<ReportMsg>> reports_;
  std::vector<std::vector<std::string>> region_users_;  // each region's end-users, as its last report listed them
  DiscoDecision last_;
  std::vector<Series> last_a2d_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace watt::org
