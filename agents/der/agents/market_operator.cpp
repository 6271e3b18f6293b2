// market-operator: seed 001's transactive platform on the bus (docs/der.md,
// The microgrid market on the bus). It publishes the market data (the
// tariff as price forecasts, the grid-usage price, the penalty), takes the
// microgrid operators' day-ahead offers and bilateral contracts, clears the
// day ahead and reports the bilateral contracts to the DSO; then, interval
// by interval, opens the real-time market, clears it, runs the interval's
// four epochs (each operator reports what it drew) and settles it. Its
// book (watt::der::MarketBook) keeps both settlements to the unit.
//
// It waits for every participant at each step, at most `gate_timeout_ms`;
// then it goes on without the silent ones, saying who they were (their
// readings may come late and are settled then). `pace_ms` is the least
// time an epoch lasts: 0 runs the day as fast as the operators answer,
// 450000 in real time.
#include "market_wire.hpp"

#include <watt/der/market_book.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <chrono>
#include <memory>
#include <set>

namespace watt::der {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::vector<PriceCc> cents_series(const YAML::Node& n, const char* key, int intervals) {
  std::vector<double> cents;
  if (n && n.IsScalar())
    cents.assign(static_cast<std::size_t>(intervals), watt::yaml::number<Error>(n, key, 0, 0, 1e6));
  else if (n && n.IsSequence())
    for (const auto& v : n) cents.push_back(watt::yaml::number<Error>(v, key, 0, 0, 1e6));
  else
    throw Error(std::string("'") + key + "': cents per kWh, a number or one per interval, is required");
  if (cents.size() != static_cast<std::size_t>(intervals))
    throw Error(std::string("'") + key + "' has " + std::to_string(cents.size()) + " prices; the day has " +
                std::to_string(intervals) + " intervals");
  std::vector<PriceCc> out;
  for (double c : cents) out.push_back(static_cast<PriceCc>(std::llround(c * 100)));
  return out;
}

json clearing_json(const Clearing& c) {
  json awards = json::object();
  for (const auto& a : c.awards) awards[a.who] = awards.value(a.who, Wh{0}) + (a.buyer ? a.energy : -a.energy);
  return {{"cleared", c.cleared}, {"price", c.price}, {"energy", c.energy}, {"awards", awards}};
}

}  // namespace

class MarketOperator : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (book_) throw Error("the market's settings are fixed once it runs; restart it to change them");
    if (auto err = watt::yaml::key_error(c, {"participants", "intervals", "retail_cents", "feed_in_cents",
                                             "grid_usage_cents", "penalty", "dso", "gate_timeout_ms", "pace_ms"});
        !err.empty())
      throw Error(err);
    if (!c["participants"] || !c["participants"].IsSequence() || c["participants"].size() == 0)
      throw Error("'participants': the microgrid operators' identities, a list, are required");
    const int intervals = static_cast<int>(watt::yaml::number<Error>(c["intervals"], "intervals", 48, 1, 10000));
    Tariff t{cents_series(c["retail_cents"], "retail_cents", intervals),
             cents_series(c["feed_in_cents"], "feed_in_cents", intervals),
             static_cast<PriceCc>(
                 std::llround(watt::yaml::number<Error>(c["grid_usage_cents"], "grid_usage_cents", 0, 0, 1e4) * 100)),
             watt::yaml::number<Error>(c["penalty"], "penalty", 0.5, 0, 10)};
    gate_timeout_ = std::chrono::milliseconds(
        static_cast<long>(watt::yaml::number<Error>(c["gate_timeout_ms"], "gate_timeout_ms", 60000, 1, 1e9)));
    pace_ = std::chrono::milliseconds(static_cast<long>(watt::yaml::number<Error>(c["pace_ms"], "pace_ms", 0, 0, 1e9)));
    try {
      book_ = std::make_unique<MarketBook>(std::move(t), c["participants"].as<std::vector<std::string>>(),
                                           watt::yaml::text<Error>(c["dso"], "dso", "dso"));
    } catch (const MarketError& e) {
      throw Error(e.what());
    }
  }

  void on_start() override {
    if (!book_) throw Error("no configuration: the market needs its 'participants' and tariff");
    prefix_ = "market/" + identity() + "/";
    export_methods();
    every(std::chrono::milliseconds(200), [this] { tick(); });
    open(Phase::day_ahead);
  }

private:
  enum class Phase { day_ahead, real_time, epoch, done };

  void export_methods() {
    export_method("day_ahead", [this](const std::string& offers) {
      const auto j = wire::parse(offers, "day_ahead");
      if (!j.is_array()) throw Error("day_ahead: a list of offers, one per interval");
      std::vector<Offers> per_interval;
      for (const auto& o : j) per_interval.push_back(wire::offers_from(o, caller()));
      guarded([&] { book_->offer_day_ahead(caller(), std::move(per_interval)); });
      answered(Phase::day_ahead);
    });
    export_method("bilateral",
                  [this](const std::string& seller, const std::string& buyer, int interval, Wh energy, PriceCc price) {
                    guarded([&] { book_->report_bilateral(caller(), {seller, buyer, interval, energy, price}); });
                  });
    export_method("results", [this] {
      if (!book_->day_ahead_cleared()) throw Error("the day-ahead market is not cleared yet");
      return day_ahead_results().dump();
    });
    export_method("real_time", [this](int interval, const std::string& offers) {
      const auto o = wire::offers_from(wire::parse(offers, "real_time"), caller());
      guarded([&] { book_->offer_real_time(caller(), interval, o); });
      if (phase_ == Phase::real_time && interval == interval_) answered(Phase::real_time);
    });
    export_method("meter", [this](int interval, int epoch, Wh drawn) {
      if (epoch < 0 || epoch >= epochs)
        throw Error("epoch " + std::to_string(epoch) + " is not one of an interval's " + std::to_string(epochs));
      // Each epoch's reading once: a repeat would count twice.
      if (metered_.contains({caller(), interval, epoch}))
        throw Error("the reading of interval " + std::to_string(interval) + ", epoch " + std::to_string(epoch) +
                    " is in already");
      guarded([&] { book_->meter(caller(), interval, drawn); });
      metered_.insert({caller(), interval, epoch});
      if (phase_ == Phase::epoch && interval == interval_ && epoch == epoch_) answered(Phase::epoch);
    });
    export_method("status", [this] { return status().dump(); });
    export_method("statements", [this] { return statements().dump(); });
    export_method("lines", [this](const std::string& who) {
      json out = json::array();
      for (const auto& l : book_->lines())
        if (who.empty() || l.who == who)
          out.push_back({l.who, l.interval, to_string(l.settlement), l.what, l.energy, l.money});
      return out.dump();
    });
  }

  // A book that refuses says why, to the caller.
  template <class F>
  void guarded(F&& f) {
    try {
      f();
    } catch (const MarketError& e) {
      throw Error(e.what());
    }
  }

  void answered(Phase p) {
    if (phase_ != p) return;
    answered_.insert(caller());
    try_advance(false);
  }

  void open(Phase p) {
    phase_ = p;
    answered_.clear();
    since_ = Clock::now();
    announce();
  }

  void announce() {
    switch (phase_) {
      case Phase::day_ahead: publish(prefix_ + "data", market_data().dump()); break;
      case Phase::real_time: publish(prefix_ + "real-time/gate", json{{"interval", interval_}}.dump()); break;
      case Phase::epoch: publish(prefix_ + "epoch", json{{"interval", interval_}, {"epoch", epoch_}}.dump()); break;
      case Phase::done: publish(prefix_ + "done", statements().dump()); break;
    }
  }

  void tick() {
    if (phase_ == Phase::done) return;
    // The data again and again, for operators that start after the market.
    if (phase_ == Phase::day_ahead && Clock::now() - last_data_ > std::chrono::seconds(1)) {
      last_data_ = Clock::now();
      announce();
    }
    try_advance(true);
  }

  void try_advance(bool timer) {
    const bool all = answered_.size() == book_->participants().size();
    const bool late = Clock::now() - since_ >= gate_timeout_;
    const bool paced = phase_ != Phase::epoch || Clock::now() - since_ >= pace_;
    if (!(all || (timer && late)) || !paced) return;
    if (!all) {
      std::string silent;
      for (const auto& p : book_->participants())
        if (!answered_.contains(p)) silent += (silent.empty() ? "" : ", ") + p;
      log().warn("{}: no answer from {} in {} ms; going on without", where(), silent, gate_timeout_.count());
    }
    advance();
  }

  std::string where() const {
    switch (phase_) {
      case Phase::day_ahead: return "the day ahead";
      case Phase::real_time: return "interval " + std::to_string(interval_) + ", real time";
      case Phase::epoch: return "interval " + std::to_string(interval_) + ", epoch " + std::to_string(epoch_);
      case Phase::done: break;
    }
    return "the settled day";
  }

  void advance() {
    switch (phase_) {
      case Phase::day_ahead: {
        for (const auto& b : book_->unconfirmed())
          log().warn("the bilateral contract of {} with {} in interval {} was reported by one party only; left out",
                     b.seller, b.buyer, b.interval);
        book_->clear_day_ahead();
        publish(prefix_ + "day-ahead", day_ahead_results().dump());
        json report = json::array();
        for (const auto& b : book_->bilaterals())
          report.push_back({{"seller", b.seller},
                            {"buyer", b.buyer},
                            {"interval", b.interval},
                            {"energy", b.energy},
                            {"price", b.price}});
        publish(prefix_ + "dso/" + book_->dso() + "/bilateral", report.dump());
        open(Phase::real_time);
        break;
      }
      case Phase::real_time: {
        auto r = clearing_json(book_->clear_real_time(interval_));
        r["interval"] = interval_;
        publish(prefix_ + "real-time/cleared", r.dump());
        epoch_ = 0;
        open(Phase::epoch);
        break;
      }
      case Phase::epoch:
        if (++epoch_ < epochs) {
          open(Phase::epoch);
          break;
        }
        settle();
        break;
      case Phase::done: break;
    }
  }

  void settle() {
    const auto unmetered = book_->settle(interval_);
    if (!unmetered.empty())
      log().warn("interval {}: no reading from {} operator(s); settled at their contracts until one comes", interval_,
                 unmetered.size());
    publish(
        prefix_ + "settlement",
        json{{"interval", interval_}, {"imbalance_price", book_->imbalance_price(interval_)}, {"unmetered", unmetered}}
            .dump());
    if (++interval_ < book_->intervals()) {
      open(Phase::real_time);
      return;
    }
    log().info("the day is settled: balance day-ahead {}, real-time {}", book_->balance(Settlement::day_ahead),
               book_->balance(Settlement::real_time));
    open(Phase::done);
  }

  json market_data() const {
    const auto& t = book_->tariff();
    std::vector<double> retail, feed_in;
    for (auto p : t.retail) retail.push_back(static_cast<double>(p) / 100);
    for (auto p : t.feed_in) feed_in.push_back(static_cast<double>(p) / 100);
    return {{"intervals", book_->intervals()},
            {"epochs", epochs},
            {"retail_cents", retail},
            {"feed_in_cents", feed_in},
            {"grid_usage_cents", static_cast<double>(t.grid_usage) / 100},
            {"penalty", t.penalty},
            {"participants", book_->participants()}};
  }

  json day_ahead_results() const {
    json prices = json::array(), cleared = json::array(), contracts = json::object();
    for (int i = 0; i < book_->intervals(); ++i) {
      prices.push_back(book_->day_ahead(i).price);
      cleared.push_back(book_->day_ahead(i).cleared);
    }
    for (const auto& p : book_->participants())
      for (int i = 0; i < book_->intervals(); ++i) contracts[p].push_back(book_->contract(p, i));
    return {{"price", prices}, {"cleared", cleared}, {"contracts", contracts}, {"market", market_data()}};
  }

  json statements() const {
    json out = json::object();
    for (const auto& p : book_->participants())
      out[p] = {{"day_ahead", book_->total(p, Settlement::day_ahead)},
                {"real_time", book_->total(p, Settlement::real_time)}};
    out["balance"] = {{"day_ahead", book_->balance(Settlement::day_ahead)},
                      {"real_time", book_->balance(Settlement::real_time)}};
    return out;
  }

  json status() const {
    static constexpr const char* names[] = {"day-ahead", "real-time", "epoch", "done"};
    json prices = json::array(), real_time = json::array();
    if (book_->day_ahead_cleared())
      for (int i = 0; i < book_->intervals(); ++i) {
        prices.push_back(book_->day_ahead(i).price);
        const auto& rt = book_->real_time(i);
        real_time.push_back(rt ? json(rt->price) : json());
      }
    return {{"phase", names[static_cast<int>(phase_)]},
            {"interval", interval_},
            {"epoch", epoch_},
            {"day_ahead_price", prices},
            {"real_time_price", real_time}};
  }

  std::unique_ptr<MarketBook> book_;
  static constexpr int epochs = 4;  // seed 001: four 7.5-minute epochs a half hour
  std::chrono::milliseconds gate_timeout_{60000}, pace_{0};
  std::string prefix_;
  Phase phase_ = Phase::day_ahead;
  int interval_ = 0, epoch_ = 0;
  std::set<std::string> answered_;
  std::set<std::tuple<std::string, int, int>> metered_;  // who, interval, epoch
  Clock::time_point since_, last_data_;
};

}  // namespace watt::der

WATT_AGENT(watt::der::MarketOperator)
