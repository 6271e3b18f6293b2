// market: seed 002's Bit-Energy market on the bus (docs/trading.md, The
// market agent). Participants post, update, delete, buy and transfer by RPC,
// as themselves (the caller is the participant; operators may act for
// anyone); every change is matched by the market library and appended to the
// ledger, signed with the market's key, and each entry is published on
// market/<name>/ledger for the participants' copies.
#include <watt/decode_body.hpp>
#include <watt/trading/ledger.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <set>

namespace watt::trading {
namespace {

// Decimal units from the wire into the market's integers, refused when not a
// finite number or out of range.
std::int64_t scaled(double v, double unit, const char* what) {
  if (!std::isfinite(v) || std::abs(v * unit) > 9e15) throw Error(std::string(what) + ": not a usable number");
  return std::llround(v * unit);
}
Wh wh(double kwh) { return scaled(kwh, 1000, "an amount (kWh)"); }
PriceCc price(double c_per_kwh) { return scaled(c_per_kwh, 100, "a price (cents/kWh)"); }
Money money(double cents) { return scaled(cents, money_per_cent, "an amount of money (cents)"); }
nlohmann::json entry_json(const LedgerEntry& e) {
  return {{"seq", e.seq},       {"prev", e.prev},           {"kind", e.kind}, {"body", e.body},
          {"signer", e.signer}, {"signature", e.signature}, {"hash", e.hash}};
}

double kwh_of(Wh e) { return static_cast<double>(e) / 1000.0; }
double cents_per_kwh(PriceCc p) { return static_cast<double>(p) / 100.0; }

}  // namespace

class MarketAgent : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (market_) throw Error("the market's settings are fixed once it runs; restart it to change them");
    if (auto err = watt::yaml::key_error(c, {"market", "lines", "penalty_cents_per_kwh", "ledger", "durable",
                                             "key_seed", "operators", "all_or_nothing"});
        !err.empty())
      throw Error(err);
    name_ = c["market"].as<std::string>("bit-energy");
    const auto mode = line_mode_named(c["lines"].as<std::string>("none"));
    if (!mode) throw Error("'lines': none, hard or penalty");
    rules_.lines = *mode;
    rules_.penalty = price(c["penalty_cents_per_kwh"].as<double>(0));
    rules_.all_or_nothing = c["all_or_nothing"].as<bool>(true);
    ledger_file_ = c["ledger"].as<std::string>("");
    durable_ = c["durable"].as<bool>(true);
    key_seed_ = c["key_seed"].as<std::string>("");
    for (const auto& o : c["operators"]) operators_.insert(o.as<std::string>());
  }

  void on_start() override {
    key_ = key_seed_.empty() ? SigningKey::generate() : SigningKey::from_seed(key_seed_);
    const auto file = ledger_file_.empty() ? std::filesystem::path(watt_home()) / "data" / identity() / "ledger.db"
                                           : std::filesystem::path(ledger_file_);
    std::filesystem::create_directories(file.parent_path());
    ledger_ = std::make_unique<Ledger>(file, std::set<std::string>{key_.public_hex}, durable_);
    // The market is what its ledger says: replayed at start, once it
    // verifies. One that does not is kept as it is, for `watt ledger verify`
    // and whoever restores it, and the market takes no orders.
    if (const auto p = ledger_->verify()) {
      broken_ = "the ledger does not verify (entry " + std::to_string(p->seq) + ": " + p->what +
                "); the market takes no orders until it is restored";
      log().error("{}: {}", file.string(), broken_);
      set_health(Health::bad, broken_);
      market_ = std::make_unique<Market>(rules_);
    } else {
      market_ = std::make_unique<Market>(replay(ledger_->entries(), rules_));
    }
    log().info("market '{}' with {} entries in {}; its key {}", name_, ledger_->size(), file.string(), key_.public_hex);
    export_methods();
  }

private:
  void export_methods();
  // Checks who may act for `who`, applies, and records.
  template <class F>
  auto act(const std::string& who, const std::string& kind, const nlohmann::json& body, F&& apply) {
    if (!broken_.empty()) throw Error(broken_);
    if (caller() != who && !operators_.contains(caller()))
      throw Error("'" + caller() + "' may not act for '" + who + "'");
    try {
      auto result = apply();
      const auto e = ledger_->append(key_, kind, body.dump());
      publish("market/" + name_ + "/ledger", entry_json(e).dump());
      return result;
    } catch (const MarketError& x) {
      throw Error(x.what());
    }
  }

  // A seller changes its own posts only.
  void own_post(const std::string& seller, std::uint64_t id) const {
    if (const auto* p = market_->find_post(id); p != nullptr && p->seller != seller)
      throw Error("post " + std::to_string(id) + " is not '" + seller + "''s");
  }

  std::string name_ = "bit-energy", ledger_file_, key_seed_;
  std::string broken_;  // why the ledger does not verify; empty when it does
  bool durable_ = true;
  MarketRules rules_;
  std::set<std::string> operators_;
  SigningKey key_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<Market> market_;
};

void MarketAgent::export_methods() {
  export_method("open", [this](const std::string& who, double cents, double kwh) {
    act(who, "open", {{"name", who}, {"balance", money(cents)}, {"energy", wh(kwh)}}, [&] {
      market_->open_account(who, money(cents), wh(kwh));
      return 0;
    });
  });
  export_method("line", [this](const std::string& buyer, const std::string& seller, double kwh) {
    act(buyer, "line", {{"buyer", buyer}, {"seller", seller}, {"limit", wh(kwh)}}, [&] {
      market_->set_line_limit(buyer, seller, wh(kwh));
      return 0;
    });
  });
  export_method("post", [this](const std::string& seller, double kwh, double c) {
    return act(seller, "post", {{"seller", seller}, {"amount", wh(kwh)}, {"price", price(c)}},
               [&] { return market_->post(seller, wh(kwh), price(c)); });
  });
  export_method("update", [this](const std::string& seller, std::uint64_t id, double kwh, double c) {
    own_post(seller, id);
    act(seller, "update", {{"id", id}, {"amount", wh(kwh)}, {"price", price(c)}}, [&] {
      market_->update_post(id, wh(kwh), price(c));
      return 0;
    });
  });
  export_method("delete", [this](const std::string& seller, std::uint64_t id) {
    own_post(seller, id);
    act(seller, "delete", {{"id", id}}, [&] {
      market_->delete_post(id);
      return 0;
    });
  });
  export_method("transfer", [this](const std::string& from, const std::string& to, double cents) {
    act(from, "transfer", {{"from", from}, {"to", to}, {"amount", money(cents)}}, [&] {
      market_->transfer(from, to, money(cents));
      return 0;
    });
  });
  export_method("buy", [this](const std::string& buyer, double kwh, double max_c) {
    const auto r = act(buyer, "buy", {{"buyer", buyer}, {"amount", wh(kwh)}, {"max_price", price(max_c)}},
                       [&] { return market_->buy(buyer, wh(kwh), price(max_c)); });
    std::vector<std::tuple<std::string, double, double>> fills;  // seller, kWh, c/kWh
    for (const auto& f : r.fills) fills.emplace_back(f.seller, kwh_of(f.amount), cents_per_kwh(f.price));
    return fills;
  });
  export_method("accounts", [this] {
    if (!broken_.empty()) throw Error(broken_);            // not an empty market: an unknown one
    std::map<std::string, std::pair<double, double>> out;  // cents, kWh
    for (const auto& [n, a] : market_->accounts())
      out[n] = {static_cast<double>(a.balance) / money_per_cent, kwh_of(a.energy)};
    return out;
  });
  export_method("posts", [this] {
    if (!broken_.empty()) throw Error(broken_);                               // not an empty market: an unknown one
    std::vector<std::tuple<std::uint64_t, std::string, double, double>> out;  // id, seller, kWh, c/kWh
    for (const auto& p : market_->posts()) out.emplace_back(p.id, p.seller, kwh_of(p.amount), cents_per_kwh(p.price));
    return out;
  });
  // The ledger from entry `from` on, at most `max` entries, as JSON (a copy
  // catching up).
  export_method("entries", [this](std::int64_t from, std::int64_t max) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : ledger_->entries())
      if (e.seq >= from && static_cast<std::int64_t>(out.size()) < max) out.push_back(entry_json(e));
    return out.dump();
  });
  export_method("key", [this] { return key_.public_hex; });
  // How long the ledger is and its last hash: copies compare by it (a copy
  // cut short is a valid chain, only shorter).
  export_method("head", [this] { return std::make_tuple(ledger_->size(), ledger_->head()); });
  export_method("verify", [this] {
    const auto p = ledger_->verify();
    return p ? std::make_tuple(false, p->seq, p->what) : std::make_tuple(true, ledger_->size(), std::string());
  });
}

}  // namespace watt::trading

WATT_AGENT(watt::trading::MarketAgent)
