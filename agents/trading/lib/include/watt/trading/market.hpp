// The peer-to-peer matching market of seed 002, Chapter 3 ("Bit-Energy";
// docs/trading.md): prosumers post surplus energy at a price, a consumer buys
// an amount up to a maximum price, and the market matches the lowest price
// first under the distribution lines' limits between buyer and seller,
// either hard (a line at its limit carries no more: Case II) or with a
// penalty price beyond it (Case III). Free of the bus and of the ledger: the
// market agent carries it, and the ledger records what it does.
//
// Amounts are integers, so that money and energy are conserved exactly and
// the paper's tables come out to the cent: energy in Wh, prices in
// hundredths of a cent per kWh, money in 1e-5 cent (a Wh at a hundredth of a
// cent per kWh costs exactly one unit).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace watt::trading {

using Wh = std::int64_t;
using PriceCc = std::int64_t;  // hundredths of a cent per kWh: 9.82 c/kWh is 982
using Money = std::int64_t;    // 1e-5 cent: 1 cent is 100,000

inline constexpr Money money_per_cent = 100'000;
inline Money cost_of(Wh energy, PriceCc price) { return energy * price; }

// A bad order or post, refused with what is wrong.
struct MarketError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

enum class LineMode { none, hard, penalty };
// "none", "hard", "penalty"; nullopt otherwise.
std::optional<LineMode> line_mode_named(const std::string& s);

struct Account {
  Money balance = 0;
  Wh energy = 0;  // what it holds (the tables' "Power (kWh)")
};

struct Post {
  std::uint64_t id = 0;
  std::string seller;
  Wh amount = 0;
  PriceCc price = 0;
};

// One match: energy from a seller's post to a buyer at a price (the penalty
// included when the line was past its limit).
struct Fill {
  std::uint64_t post = 0;
  std::string seller;
  Wh amount = 0;
  PriceCc price = 0;
  bool over_limit = false;
};

struct BuyResult {
  std::vector<Fill> fills;  // empty when the order could not be filled
  Wh bought = 0;
  Money paid = 0;
};

struct MarketRules {
  LineMode lines = LineMode::none;
  PriceCc penalty = 0;         // added to the price beyond a line's limit (penalty mode)
  bool all_or_nothing = true;  // a buy is filled whole, or not at all
  std::size_t max_name_bytes = 64;
};

class Market {
public:
  explicit Market(MarketRules rules = {});

  // Each throws MarketError naming what is wrong, and changes nothing then.
  void open_account(const std::string& name, Money balance, Wh energy);
  // The most energy the line between buyer and seller carries in all (Wh).
  void set_line_limit(const std::string& buyer, const std::string& seller, Wh limit);
  std::uint64_t post(const std::string& seller, Wh amount, PriceCc price);
  void update_post(std::uint64_t id, Wh amount, PriceCc price);
  void delete_post(std::uint64_t id);
  void transfer(const std::string& from, const std::string& to, Money amount);
  // Matches lowest effective price first. All or nothing (the rules'
  // default): a buy the posts at or below `max_price` cannot fill whole, or
  // the buyer's balance cannot pay, is refused (MarketError) and changes
  // nothing; otherwise what can be filled is.
  BuyResult buy(const std::string& buyer, Wh amount, PriceCc max_price);

  const std::map<std::string, Account>& accounts() const noexcept { return accounts_; }
  // The posts left, cheapest first (ties: the earlier post first).
  std::vector<Post> posts() const;
  const Post* find_post(std::uint64_t id) const;  // null when there is none
  const Account& account(const std::string& name) const;
  // What a line between them has carried.
  Wh line_used(const std::string& buyer, const std::string& seller) const;
  // The sums over all accounts and posts, which no match changes (energy:
  // held plus posted).
  Money total_money() const;
  Wh total_energy() const;

private:
  struct Line {
    std::optional<Wh> limit;
    Wh used = 0;
  };
  // The cheapest post this buyer may take from next, its price and how much
  // of it at that price; nullopt when none is at or below max_price.
  struct Step {
    std::uint64_t post;
    PriceCc price;
    Wh amount;
    bool over;
  };
  // `carried`: what this buy has put on each line so far (by seller);
  // `taken`: what it has taken from each post.
  std::optional<Step> next_step(const std::string& buyer, PriceCc max_price, const std::map<std::string, Wh>& carried,
                                const std::map<std::uint64_t, Wh>& taken) const;
  Account& existing(const std::string& name, const char* role);
  // Refuses a post of `amount` at `price` by `seller` (in place of one of
  // `replaced` Wh, for an update).
  void check_post(const std::string& seller, Wh amount, PriceCc price, Wh replaced);
  void check_name(const std::string& name) const;

  MarketRules rules_;
  std::map<std::string, Account> accounts_;
  std::map<std::uint64_t, Post> posts_;
  std::set<std::pair<PriceCc, std::uint64_t>> by_price_;
  std::map<std::pair<std::string, std::string>, Line> lines_;  // (buyer, seller)
  std::map<std::string, Wh> posted_;                           // by seller: what its posts hold in all
  std::uint64_t next_post_ = 1;
};

}  // namespace watt::trading
