// ledger-copy: a participant's verified copy of a market's ledger
// (docs/trading.md, The ledger). It follows market/<name>/ledger, checks each
// entry (its number, the hash it follows, its own hash, its signature, its
// signer on the whitelist) before it keeps it, catches up from the market's
// `entries` RPC when it missed some, and refuses, counts and logs anything
// else: an entry forged on the topic changes nothing.
#include <watt/log_limiter.hpp>
#include <watt/trading/ledger.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <set>

namespace watt::trading {
namespace {

LedgerEntry entry_of(const nlohmann::json& j) {
  return {j.at("seq"), j.at("prev"), j.at("kind"), j.at("body"), j.at("signer"), j.at("signature"), j.at("hash")};
}

}  // namespace

class LedgerCopy : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (auto err = watt::yaml::key_error(c, {"market", "peer", "file", "whitelist"}); !err.empty()) throw Error(err);
    if (!c["market"] || !c["peer"] || !c["whitelist"])
      throw Error("'market' (its name), 'peer' (the market agent) and 'whitelist' (keys, hex) are required");
    market_ = c["market"].as<std::string>();
    peer_ = c["peer"].as<std::string>();
    file_ = c["file"].as<std::string>("");
    whitelist_.clear();
    for (const auto& k : c["whitelist"]) whitelist_.insert(k.as<std::string>());
  }

  void on_start() override {
    if (market_.empty()) throw Error("no configuration: install with --config (docs/trading.md)");
    const auto file = file_.empty() ? std::filesystem::path(watt_home()) / "data" / identity() / "copy.db"
                                    : std::filesystem::path(file_);
    std::filesystem::create_directories(file.parent_path());
    copy_ = std::make_unique<Ledger>(file, whitelist_);
    SubscribeOptions lossless;
    lossless.delivery = Delivery::lossless;
    subscribe(
        "market/" + market_ + "/ledger", [this](const Envelope& e) { take(e); }, lossless);
    export_method("head", [this] { return std::make_tuple(copy_->size(), copy_->head()); });
    export_method("verify", [this] {
      const auto p = copy_->verify();
      return p ? std::make_tuple(false, p->seq, p->what) : std::make_tuple(true, copy_->size(), std::string());
    });
    export_method("counters", [this] { return std::make_tuple(copy_->size(), refused_); });
    catch_up();
  }

private:
  void take(const Envelope& env) {
    try {
      const auto e = entry_of(nlohmann::json::parse(env.body.as<std::string>()));
      if (e.seq <= copy_->size()) return;  // already kept (caught up before it came)
      if (e.seq > copy_->size() + 1) catch_up();
      if (e.seq == copy_->size() + 1) copy_->accept(e);
    } catch (const std::exception& x) {
      refuse(env.sender, x.what());
    }
  }

  // What the copy missed, from the market itself.
  void catch_up() {
    for (;;) {
      auto r = call(peer_, "entries", copy_->size() + 1, std::int64_t{1000}).get_as<std::string>();
      if (!r) {
        log().warn("cannot catch up from '{}': {}", peer_, r.error().what());
        return;
      }
      const auto list = nlohmann::json::parse(r.value());
      if (list.empty()) return;
      for (const auto& j : list) copy_->accept(entry_of(j));
    }
  }

  void refuse(const std::string& sender, const std::string& why) {
    ++refused_;
    if (refusals_.count(sender)) log().error("refused an entry from '{}' ({} so far): {}", sender, refused_, why);
    set_health(Health::bad, "refused an entry: " + why);
  }

  std::string market_, peer_, file_;
  std::set<std::string> whitelist_;
  std::unique_ptr<Ledger> copy_;
  std::uint64_t refused_ = 0;
  LogLimiter refusals_;
};

}  // namespace watt::trading

WATT_AGENT(watt::trading::LedgerCopy)
