// Seed 001's transactive platform as a book of account (docs/der.md, The
// microgrid market): the day-ahead market over a day's intervals, the
// bilateral contracts between operators reported to the DSO, a real-time
// market per interval, the meters' readings, and the two settlements. The
// market-operator agent keeps one; the tests check it to the unit.
//
// The DSO stands in both markets as the grid: it sells any amount at the
// retail tariff and buys any amount at the feed-in tariff. Each side of a
// trade on the market, and of a bilateral contract, pays the grid-usage
// price per kWh to the DSO, so the DSO's standing offers are the tariff
// less that price: buying from the grid through the market costs what
// buying from the grid costs, and an operator trades with another only
// where both gain over the grid. What an operator draws other than its
// contract (day-ahead, bilateral and real-time together) is settled at
// the real-time price (the day-ahead one where no real-time trade cleared)
// with the penalty (clearing.hpp, imbalance()).
//
// Money lines say who pays (positive) or is paid (negative); each
// settlement's lines, the DSO's among them, add up to zero.
#pragma once

#include <watt/der/clearing.hpp>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace watt::der {

struct Tariff {
  std::vector<PriceCc> retail, feed_in;  // per interval; the number of intervals
  PriceCc grid_usage = 0;                // each side of a local trade pays this per kWh
  double penalty = 0.5;                  // imbalance: price x (1 + penalty) short, x (1 - penalty) long
};

struct Bilateral {
  std::string seller, buyer;
  int interval = 0;
  Wh energy = 0;
  PriceCc price = 0;
};

enum class Settlement { day_ahead, real_time };
const char* to_string(Settlement s) noexcept;

struct Line {
  std::string who;
  int interval = 0;
  Settlement settlement = Settlement::day_ahead;
  std::string what;  // "energy", "bilateral", "grid usage", "imbalance", "late reading"
  Wh energy = 0;     // drawn (bought) is positive
  Money money = 0;   // paid is positive
};

struct MarketError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Bounds that keep every product and sum in 64 bits: an offer, a contract
// or a reading of at most a GWh, at most $100 a kWh.
inline constexpr Wh max_energy = 1'000'000'000;
inline constexpr PriceCc max_price = 1'000'000;

class MarketBook {
public:
  // Throws MarketError for a tariff whose series differ in length, whose
  // feed-in plus twice the grid-usage price is above retail, or a
  // participant named twice or named as the DSO.
  MarketBook(Tariff tariff, std::vector<std::string> participants, std::string dso = "dso");

  int intervals() const noexcept { return static_cast<int>(tariff_.retail.size()); }
  const Tariff& tariff() const noexcept { return tariff_; }
  const std::vector<std::string>& participants() const noexcept { return participants_; }
  const std::string& dso() const noexcept { return dso_; }

  // Day ahead: one Offers per interval, replacing what `who` offered before.
  void offer_day_ahead(const std::string& who, std::vector<Offers> per_interval);
  bool offered_day_ahead(const std::string& who) const { return day_ahead_offers_.contains(who); }
  // A party's report of a bilateral contract (`who` is its seller or its
  // buyer). It counts once both parties have reported the same terms; a
  // party reporting again replaces its own report, never adds to it; terms
  // that differ from the other party's are refused, naming both.
  void report_bilateral(const std::string& who, const Bilateral& b);
  // The contracts both parties reported, and those only one did (left out).
  const std::vector<Bilateral>& bilaterals() const noexcept { return bilaterals_; }
  std::vector<Bilateral> unconfirmed() const;
  // Clears every interval (once) and settles the day-ahead trades.
  void clear_day_ahead();
  bool day_ahead_cleared() const noexcept { return !day_ahead_.empty(); }
  const Clearing& day_ahead(int interval) const;

  // Real time, interval by interval, after the day ahead, until the
  // interval is settled.
  void offer_real_time(const std::string& who, int interval, const Offers& o);
  bool offered_real_time(const std::string& who, int interval) const;
  const Clearing& clear_real_time(int interval);
  const std::optional<Clearing>& real_time(int interval) const;

  // Net energy bought for `interval`: day ahead, bilateral, real time.
  Wh contract(const std::string& who, int interval) const;
  // What a participant drew in an interval (its epochs add up). A reading
  // after the interval is settled is settled on its own ("late reading").
  void meter(const std::string& who, int interval, Wh drawn);
  // Settles the imbalance of an interval (once); a participant with no
  // reading is taken to have drawn its contract, and is returned.
  std::vector<std::string> settle(int interval);
  bool settled(int interval) const;
  PriceCc imbalance_price(int interval) const;

  const std::vector<Line>& lines() const noexcept { return lines_; }
  Money total(const std::string& who, Settlement s) const;
  Money balance(Settlement s) const;  // zero, unless something is wrong

private:
  void check_party(const std::string& who) const;
  void check_interval(int interval) const;
  void check_offers(const std::string& who, const Offers& o) const;
  void add_awards(const Clearing& c, int interval, Settlement s);
  void add_imbalance(const std::string& who, int interval, Wh drawn, const char* what);
  void line(const std::string& who, int interval, Settlement s, const char* what, Wh energy, Money money);

  Tariff tariff_;
  std::vector<std::string> participants_;
  std::string dso_;
  std::map<std::string, std::vector<Offers>> day_ahead_offers_;
  struct Reported {
    Bilateral terms;
    bool by_seller = false, by_buyer = false;
  };
  std::map<std::tuple<std::string, std::string, int>, Reported> reported_;
  std::vector<Bilateral> bilaterals_;
  std::vector<Clearing> day_ahead_;
  std::vector<std::map<std::string, Offers>> real_time_offers_;
  std::vector<std::optional<Clearing>> real_time_;
  std::map<std::string, std::vector<Wh>> contract_;  // who: per interval
  std::map<std::string, std::vector<std::optional<Wh>>> drawn_;
  std::vector<bool> settled_;
  std::vector<Line> lines_;
};

}  // namespace watt::der
