#include <watt/der/market_book.hpp>

#include <algorithm>
#include <numeric>
#include <set>

namespace watt::der {
namespace {

Wh sum_energy(const std::vector<Offer>& offers) {
  return std::accumulate(offers.begin(), offers.end(), Wh{0}, [](Wh s, const Offer& o) { return s + o.energy; });
}

}  // namespace

const char* to_string(Settlement s) noexcept { return s == Settlement::day_ahead ? "day-ahead" : "real-time"; }

MarketBook::MarketBook(Tariff tariff, std::vector<std::string> participants, std::string dso)
    : tariff_(std::move(tariff)), participants_(std::move(participants)), dso_(std::move(dso)) {
  const auto n = tariff_.retail.size();
  if (n == 0 || tariff_.feed_in.size() != n)
    throw MarketError("the tariff needs retail and feed-in prices for the same intervals, at least one");
  if (tariff_.grid_usage < 0 || !(tariff_.penalty >= 0 && tariff_.penalty <= 10))
    throw MarketError("the grid-usage price must be >= 0 and the penalty from 0 to 10");
  for (std::size_t t = 0; t < n; ++t)
    if (tariff_.feed_in[t] < 0 || tariff_.feed_in[t] + 2 * tariff_.grid_usage > tariff_.retail[t])
      throw MarketError("interval " + std::to_string(t) +
                        ": the feed-in price plus twice the grid-usage price is above retail (or negative); the grid "
                        "would buy dearer than it sells");
  std::set<std::string> seen;
  for (const auto& p : participants_)
    if (p.empty() || p == dso_ || !seen.insert(p).second)
      throw MarketError("participant '" + p + "': named twice, empty, or the DSO");
  real_time_offers_.resize(n);
  real_time_.resize(n);
  settled_.assign(n, false);
  for (const auto& p : participants_) {
    contract_[p].assign(n, 0);
    drawn_[p].resize(n);
  }
}

void MarketBook::check_party(const std::string& who) const {
  if (!contract_.contains(who)) throw MarketError("'" + who + "' is not a participant of this market");
}

void MarketBook::check_interval(int interval) const {
  if (interval < 0 || interval >= intervals())
    throw MarketError("interval " + std::to_string(interval) + " is not one of the day's 0.." +
                      std::to_string(intervals() - 1));
}

void MarketBook::check_offers(const std::string& who, const Offers& o) const {
  for (const auto* side : {&o.bids, &o.asks})
    for (const auto& offer : *side) {
      if (offer.who != who) throw MarketError("'" + who + "' offered in the name of '" + offer.who + "'");
      if (offer.energy <= 0 || offer.energy > max_energy || offer.price < 0 || offer.price > max_price)
        throw MarketError("an offer of '" + who +
                          "': energy must be from 1 Wh to 1 GWh and price from 0 to $100 a kWh");
    }
}

void MarketBook::offer_day_ahead(const std::string& who, std::vector<Offers> per_interval) {
  check_party(who);
  if (day_ahead_cleared()) throw MarketError("the day-ahead market is cleared; offers from '" + who + "' come late");
  if (per_interval.size() != static_cast<std::size_t>(intervals()))
    throw MarketError("'" + who + "' offered for " + std::to_string(per_interval.size()) + " intervals; the day has " +
                      std::to_string(intervals()));
  for (const auto& o : per_interval) check_offers(who, o);
  day_ahead_offers_[who] = std::move(per_interval);
}

void MarketBook::report_bilateral(const std::string& who, const Bilateral& b) {
  check_party(b.seller);
  check_party(b.buyer);
  check_interval(b.interval);
  const auto what =
      "the bilateral contract of '" + b.seller + "' with '" + b.buyer + "' in interval " + std::to_string(b.interval);
  if (who != b.seller && who != b.buyer) throw MarketError("'" + who + "' is no party to " + what);
  if (b.seller == b.buyer || b.energy <= 0 || b.energy > max_energy || b.price < 0 || b.price > max_price)
    throw MarketError(what + ": two parties, energy from 1 Wh to 1 GWh, price from 0 to $100 a kWh");
  if (day_ahead_cleared()) throw MarketError(what + ": contracts are reported before the day-ahead clearing");
  auto& r = reported_[{b.seller, b.buyer, b.interval}];
  const bool other = who == b.seller ? r.by_buyer : r.by_seller;
  if (other && (r.terms.energy != b.energy || r.terms.price != b.price))
    throw MarketError(what + ": '" + who + "' reports " + std::to_string(b.energy) + " Wh at " +
                      std::to_string(b.price) + ", the other party " + std::to_string(r.terms.energy) + " Wh at " +
                      std::to_string(r.terms.price) + " (Wh, 1/100 cent per kWh)");
  r.terms = b;
  (who == b.seller ? r.by_seller : r.by_buyer) = true;
  bilaterals_.clear();
  for (const auto& [key, x] : reported_)
    if (x.by_seller && x.by_buyer) bilaterals_.push_back(x.terms);
}

std::vector<Bilateral> MarketBook::unconfirmed() const {
  std::vector<Bilateral> out;
  for (const auto& [key, x] : reported_)
    if (!(x.by_seller && x.by_buyer)) out.push_back(x.terms);
  return out;
}

void MarketBook::line(const std::string& who, int interval, Settlement s, const char* what, Wh energy, Money money) {
  lines_.push_back({who, interval, s, what, energy, money});
}

// Awards become money lines, contracts and the grid-usage fees.
void MarketBook::add_awards(const Clearing& c, int t, Settlement s) {
  Money fees = 0;
  for (const auto& a : c.awards) {
    const Wh drawn = a.buyer ? a.energy : -a.energy;
    line(a.who, t, s, "energy", drawn, a.buyer ? a.money : -a.money);
    if (a.who == dso_) continue;
    contract_.at(a.who)[static_cast<std::size_t>(t)] += drawn;
    line(a.who, t, s, "grid usage", 0, a.energy * tariff_.grid_usage);
    fees += a.energy * tariff_.grid_usage;
  }
  if (fees != 0) line(dso_, t, s, "grid usage", 0, -fees);
}

void MarketBook::clear_day_ahead() {
  if (day_ahead_cleared()) throw MarketError("the day-ahead market is cleared once");
  for (int t = 0; t < intervals(); ++t) {
    const auto i = static_cast<std::size_t>(t);
    std::vector<Offer> bids, asks;
    for (const auto& p : participants_)
      if (const auto it = day_ahead_offers_.find(p); it != day_ahead_offers_.end()) {
        bids.insert(bids.end(), it->second[i].bids.begin(), it->second[i].bids.end());
        asks.insert(asks.end(), it->second[i].asks.begin(), it->second[i].asks.end());
      }
    // The grid, last: at equal prices the operators trade among themselves.
    const Wh want = sum_energy(bids), have = sum_energy(asks);
    if (want > 0) asks.push_back({dso_, want, tariff_.retail[i] - tariff_.grid_usage});
    if (have > 0) bids.push_back({dso_, have, tariff_.feed_in[i] + tariff_.grid_usage});
    day_ahead_.push_back(clear(bids, asks));
    add_awards(day_ahead_.back(), t, Settlement::day_ahead);
  }
  for (const auto& b : bilaterals_) {
    contract_.at(b.buyer)[static_cast<std::size_t>(b.interval)] += b.energy;
    contract_.at(b.seller)[static_cast<std::size_t>(b.interval)] -= b.energy;
    line(b.buyer, b.interval, Settlement::day_ahead, "bilateral", b.energy, b.energy * b.price);
    line(b.seller, b.interval, Settlement::day_ahead, "bilateral", -b.energy, -b.energy * b.price);
    for (const auto* who : {&b.buyer, &b.seller})
      line(*who, b.interval, Settlement::day_ahead, "grid usage", 0, b.energy * tariff_.grid_usage);
    if (tariff_.grid_usage != 0)
      line(dso_, b.interval, Settlement::day_ahead, "grid usage", 0, -2 * b.energy * tariff_.grid_usage);
  }
}

const Clearing& MarketBook::day_ahead(int interval) const {
  check_interval(interval);
  if (!day_ahead_cleared()) throw MarketError("the day-ahead market is not cleared yet");
  return day_ahead_[static_cast<std::size_t>(interval)];
}

void MarketBook::offer_real_time(const std::string& who, int interval, const Offers& o) {
  check_party(who);
  check_interval(interval);
  check_offers(who, o);
  if (!day_ahead_cleared()) throw MarketError("real-time offers come after the day-ahead clearing");
  if (real_time_[static_cast<std::size_t>(interval)] || settled(interval))
    throw MarketError("interval " + std::to_string(interval) + ": the real-time market is cleared");
  real_time_offers_[static_cast<std::size_t>(interval)][who] = o;
}

bool MarketBook::offered_real_time(const std::string& who, int interval) const {
  check_interval(interval);
  return real_time_offers_[static_cast<std::size_t>(interval)].contains(who);
}

const Clearing& MarketBook::clear_real_time(int interval) {
  check_interval(interval);
  const auto i = static_cast<std::size_t>(interval);
  if (!day_ahead_cleared() || real_time_[i] || settled(interval))
    throw MarketError("interval " + std::to_string(interval) +
                      ": real time clears once, after the day ahead and before the settlement");
  std::vector<Offer> bids, asks;
  for (const auto& p : participants_)
    if (const auto it = real_time_offers_[i].find(p); it != real_time_offers_[i].end()) {
      bids.insert(bids.end(), it->second.bids.begin(), it->second.bids.end());
      asks.insert(asks.end(), it->second.asks.begin(), it->second.asks.end());
    }
  const Wh want = sum_energy(bids), have = sum_energy(asks);
  if (want > 0) asks.push_back({dso_, want, tariff_.retail[i] - tariff_.grid_usage});
  if (have > 0) bids.push_back({dso_, have, tariff_.feed_in[i] + tariff_.grid_usage});
  real_time_[i] = clear(bids, asks);
  add_awards(*real_time_[i], interval, Settlement::real_time);
  return *real_time_[i];
}

const std::optional<Clearing>& MarketBook::real_time(int interval) const {
  check_interval(interval);
  return real_time_[static_cast<std::size_t>(interval)];
}

Wh MarketBook::contract(const std::string& who, int interval) const {
  check_party(who);
  check_interval(interval);
  return contract_.at(who)[static_cast<std::size_t>(interval)];
}

PriceCc MarketBook::imbalance_price(int interval) const {
  check_interval(interval);
  const auto i = static_cast<std::size_t>(interval);
  if (real_time_[i] && real_time_[i]->cleared) return real_time_[i]->price;
  if (day_ahead_cleared() && day_ahead_[i].cleared) return day_ahead_[i].price;
  return tariff_.retail[i];
}

// The imbalance of drawing `drawn` against the contract, less what was
// settled for the interval before (a late reading settles the difference).
void MarketBook::add_imbalance(const std::string& who, int t, Wh drawn, const char* what) {
  const Wh c = contract(who, t);
  const auto& before = drawn_.at(who)[static_cast<std::size_t>(t)];
  const Wh settled_as = before ? *before : c;
  // imbalance() speaks of energy delivered: what is drawn, negated.
  const Money owed = imbalance(-c, -drawn, imbalance_price(t), tariff_.penalty) -
                     imbalance(-c, -settled_as, imbalance_price(t), tariff_.penalty);
  if (owed == 0 && drawn == settled_as) return;
  line(who, t, Settlement::real_time, what, drawn - settled_as, owed);
  line(dso_, t, Settlement::real_time, what, settled_as - drawn, -owed);
}

void MarketBook::meter(const std::string& who, int interval, Wh drawn) {
  check_party(who);
  check_interval(interval);
  if (drawn < -max_energy || drawn > max_energy)
    throw MarketError("a reading of '" + who + "': at most a GWh either way");
  auto& reading = drawn_.at(who)[static_cast<std::size_t>(interval)];
  // A first reading after the settlement replaces the contract it was
  // settled as.
  const Wh total = reading.value_or(0) + drawn;
  if (total < -max_energy || total > max_energy)
    throw MarketError("the readings of '" + who + "' for interval " + std::to_string(interval) +
                      " add up to more than a GWh either way");
  if (settled(interval)) add_imbalance(who, interval, total, "late reading");
  reading = total;
}

std::vector<std::string> MarketBook::settle(int interval) {
  check_interval(interval);
  if (settled(interval)) throw MarketError("interval " + std::to_string(interval) + " is settled once");
  if (!day_ahead_cleared()) throw MarketError("nothing to settle before the day-ahead clearing");
  std::vector<std::string> unmetered;
  for (const auto& p : participants_) {
    const auto& reading = drawn_.at(p)[static_cast<std::size_t>(interval)];
    if (!reading) {
      unmetered.push_back(p);
      continue;
    }
    const Wh drawn = *reading;
    drawn_.at(p)[static_cast<std::size_t>(interval)].reset();  // settled against the contract
    add_imbalance(p, interval, drawn, "imbalance");
    drawn_.at(p)[static_cast<std::size_t>(interval)] = drawn;
  }
  settled_[static_cast<std::size_t>(interval)] = true;
  return unmetered;
}

bool MarketBook::settled(int interval) const {
  check_interval(interval);
  return settled_[static_cast<std::size_t>(interval)];
}

Money MarketBook::total(const std::string& who, Settlement s) const {
  Money sum = 0;
  for (const auto& l : lines_)
    if (l.who == who && l.settlement == s) sum += l.money;
  return sum;
}

Money MarketBook::balance(Settlement s) const {
  Money sum = 0;
  for (const auto& l : lines_)
    if (l.settlement == s) sum += l.money;
  return sum;
}

}  // namespace watt::der
