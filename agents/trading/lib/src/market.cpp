#include <watt/trading/market.hpp>

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace watt::trading {
namespace {

constexpr Wh most_wh = Wh{1} << 40;          // a terawatt-hour: past it, an amount is a mistake
constexpr PriceCc most_price = 100'000'000;  // a million euro cents per kWh

// "17.0 kWh", "0.125 kWh": as many decimals as the Wh need, at least one.
std::string kwh(Wh e) {
  std::string frac = std::to_string(1000 + std::abs(e) % 1000).substr(1);
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return (e < 0 ? "-" : "") + std::to_string(std::abs(e) / 1000) + "." + frac + " kWh";
}

}  // namespace

std::optional<LineMode> line_mode_named(const std::string& s) {
  if (s == "none") return LineMode::none;
  if (s == "hard") return LineMode::hard;
  if (s == "penalty") return LineMode::penalty;
  return std::nullopt;
}

Market::Market(MarketRules rules) : rules_(rules) {
  if (rules_.penalty < 0 || rules_.penalty > most_price) throw MarketError("penalty: out of range");
}

void Market::check_name(const std::string& name) const {
  if (name.empty() || name.size() > rules_.max_name_bytes)
    throw MarketError("a participant's name must be 1 to " + std::to_string(rules_.max_name_bytes) + " bytes");
}

Account& Market::existing(const std::string& name, const char* role) {
  const auto it = accounts_.find(name);
  if (it == accounts_.end()) throw MarketError(std::string("unknown ") + role + " '" + name + "'");
  return it->second;
}

const Account& Market::account(const std::string& name) const {
  const auto it = accounts_.find(name);
  if (it == accounts_.end()) throw MarketError("unknown participant '" + name + "'");
  return it->second;
}

void Market::open_account(const std::string& name, Money balance, Wh energy) {
  check_name(name);
  if (accounts_.contains(name)) throw MarketError("participant '" + name + "' has an account already");
  if (balance < 0 || energy < 0 || energy > most_wh)
    throw MarketError("'" + name + "': balance and energy must be >= 0");
  accounts_[name] = {balance, energy};
}

void Market::set_line_limit(const std::string& buyer, const std::string& seller, Wh limit) {
  (void)existing(buyer, "buyer");
  (void)existing(seller, "seller");
  if (limit < 0 || limit > most_wh) throw MarketError("the line limit must be >= 0");
  lines_[{buyer, seller}].limit = limit;
}

void Market::check_post(const std::string& seller, Wh amount, PriceCc price, Wh replaced) {
  const auto& a = existing(seller, "seller");
  if (amount <= 0 || amount > most_wh) throw MarketError("a post's amount must be > 0 (and sane)");
  if (price <= 0 || price > most_price) throw MarketError("a post's price must be > 0 (and sane)");
  const Wh posted = posted_[seller] - replaced + amount;
  if (posted > a.energy)
    throw MarketError("'" + seller + "' posts " + kwh(posted) + " in all but holds " + kwh(a.energy));
}

std::uint64_t Market::post(const std::string& seller, Wh amount, PriceCc price) {
  check_post(seller, amount, price, 0);
  const auto id = next_post_++;
  posts_[id] = {id, seller, amount, price};
  by_price_.insert({price, id});
  posted_[seller] += amount;
  return id;
}

void Market::update_post(std::uint64_t id, Wh amount, PriceCc price) {
  const auto it = posts_.find(id);
  if (it == posts_.end()) throw MarketError("no post " + std::to_string(id));
  auto& p = it->second;
  check_post(p.seller, amount, price, p.amount);
  // It keeps its number, and so its place among posts of its price.
  by_price_.erase({p.price, id});
  by_price_.insert({price, id});
  posted_[p.seller] += amount - p.amount;
  p.amount = amount;
  p.price = price;
}

const Post* Market::find_post(std::uint64_t id) const {
  const auto it = posts_.find(id);
  return it == posts_.end() ? nullptr : &it->second;
}

void Market::delete_post(std::uint64_t id) {
  const auto it = posts_.find(id);
  if (it == posts_.end()) throw MarketError("no post " + std::to_string(id));
  by_price_.erase({it->second.price, id});
  posted_[it->second.seller] -= it->second.amount;
  posts_.erase(it);
}

void Market::transfer(const std::string& from, const std::string& to, Money amount) {
  auto& a = existing(from, "sender");
  auto& b = existing(to, "receiver");
  if (from == to) throw MarketError("a transfer to oneself");
  if (amount <= 0) throw MarketError("a transfer's amount must be > 0");
  if (a.balance < amount)
    throw MarketError("'" + from + "' cannot pay " + std::to_string(amount / money_per_cent) + " cents");
  a.balance -= amount;
  b.balance += amount;
}

std::optional<Market::Step> Market::next_step(const std::string& buyer, PriceCc max_price,
                                              const std::map<std::string, Wh>& carried,
                                              const std::map<std::uint64_t, Wh>& taken) const {
  std::optional<Step> best;
  for (const auto& [price, id] : by_price_) {
    // Posts come cheapest first; a penalty only raises a price, so past the
    // best found nothing is cheaper.
    if (price > max_price || (best && price >= best->price)) break;
    const auto& p = posts_.at(id);
    const auto t = taken.find(id);
    const Wh left = p.amount - (t == taken.end() ? 0 : t->second);
    if (p.seller == buyer || left <= 0) continue;
    const auto l = lines_.find({buyer, p.seller});
    const bool limited = rules_.lines != LineMode::none && l != lines_.end() && l->second.limit;
    const auto c = carried.find(p.seller);
    const Wh room = limited ? *l->second.limit - l->second.used - (c == carried.end() ? 0 : c->second)
                            : std::numeric_limits<Wh>::max();
    if (room > 0) {
      best = Step{id, price, std::min(left, room), false};
    } else if (rules_.lines == LineMode::penalty && price + rules_.penalty <= max_price &&
               (!best || price + rules_.penalty < best->price)) {
      best = Step{id, price + rules_.penalty, left, true};
    }
  }
  return best;
}

BuyResult Market::buy(const std::string& buyer, Wh amount, PriceCc max_price) {
  const auto& b = existing(buyer, "buyer");
  if (amount <= 0 || amount > most_wh) throw MarketError("a buy's amount must be > 0 (and sane)");
  if (max_price <= 0 || max_price > most_price) throw MarketError("a buy's maximum price must be > 0 (and sane)");
  // Planned aside, so that a refused buy changes nothing.
  std::map<std::string, Wh> carried;
  std::map<std::uint64_t, Wh> taken;
  BuyResult r;
  while (r.bought < amount) {
    const auto s = next_step(buyer, max_price, carried, taken);
    if (!s) break;
    const auto& p = posts_.at(s->post);
    const Wh e = std::min(s->amount, amount - r.bought);
    r.fills.push_back({s->post, p.seller, e, s->price, s->over});
    r.bought += e;
    r.paid += cost_of(e, s->price);
    taken[s->post] += e;
    carried[p.seller] += e;
  }
  if (r.bought < amount && rules_.all_or_nothing)
    throw MarketError("'" + buyer + "' asks " + kwh(amount) + " at most " + std::to_string(max_price) +
                      " hundredths of a cent per kWh; the posts hold " + kwh(r.bought) + " at that price");
  if (r.paid > b.balance)
    throw MarketError("'" + buyer + "' cannot pay " + std::to_string(r.paid / money_per_cent) + " cents");
  for (const auto& f : r.fills) {
    auto& seller = accounts_.at(f.seller);
    seller.balance += cost_of(f.amount, f.price);  // the penalty too: the tables credit it to the seller
    seller.energy -= f.amount;
    auto& post = posts_.at(f.post);
    post.amount -= f.amount;
    posted_[f.seller] -= f.amount;
    if (post.amount == 0) delete_post(f.post);
  }
  auto& a = accounts_.at(buyer);
  a.balance -= r.paid;
  a.energy += r.bought;
  for (const auto& [seller, e] : carried) lines_[{buyer, seller}].used += e;
  return r;
}

std::vector<Post> Market::posts() const {
  std::vector<Post> out;
  for (const auto& [price, id] : by_price_) out.push_back(posts_.at(id));
  return out;
}

Wh Market::line_used(const std::string& buyer, const std::string& seller) const {
  const auto it = lines_.find({buyer, seller});
  return it == lines_.end() ? 0 : it->second.used;
}

Money Market::total_money() const {
  Money m = 0;
  for (const auto& [name, a] : accounts_) m += a.balance;
  return m;
}

Wh Market::total_energy() const {
  Wh e = 0;
  for (const auto& [name, a] : accounts_) e += a.energy;
  return e;
}

}  // namespace watt::trading
