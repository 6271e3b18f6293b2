// microgrid-operator: seed 001's MGO on the bus (docs/der.md, The microgrid
// market on the bus). It owns its DER models and its day's forecasts
// (watt::der::Microgrid) and follows the market operator's steps: on the
// market data it reports its bilateral contracts (both parties do) and
// offers its day-ahead curve; on the results it takes its contracts (one
// that missed them asks for them); at each
// real-time gate it offers what its re-plan says it will draw off its
// contract; at each epoch it runs its plant, tracking the contract, and
// reports what it drew. Beside it runs the same plant without the market,
// for what the microgrid would have paid on its own.
//
// An epoch it missed (it started late, a message was lost) is run when the
// next one comes, and its reading sent then: the market settles late
// readings.
#include "market_wire.hpp"

#include <watt/der/market_book.hpp>
#include <watt/der/microgrid.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <memory>

namespace watt::der {
namespace {

using nlohmann::json;

double number(const YAML::Node& c, const char* key, double fallback, double low, double high) {
  return watt::yaml::number<Error>(c[key], key, fallback, low, high);
}

MicrogridDay day_of(const YAML::Node& d) {
  if (auto err = watt::yaml::key_error(
          d, {"intervals", "pv_peak_kw", "load_kw", "load_swing", "outdoor_mean_c", "outdoor_swing_c", "ev_arrive",
              "ev_leave", "ev_need_kwh", "seed", "pv_error", "load_error", "epoch_error", "outdoor_error_c"});
      !err.empty())
    throw Error("day: " + err);
  MicrogridDay day;
  day.intervals = static_cast<int>(number(d, "intervals", day.intervals, 1, 10000));
  day.pv_peak_kw = number(d, "pv_peak_kw", 0, 0, 1e7);
  day.load_kw = number(d, "load_kw", day.load_kw, 0, 1e7);
  day.load_swing = number(d, "load_swing", day.load_swing, 0, 1);
  day.outdoor_mean_c = number(d, "outdoor_mean_c", day.outdoor_mean_c, -50, 60);
  day.outdoor_swing_c = number(d, "outdoor_swing_c", day.outdoor_swing_c, 0, 30);
  day.ev_arrive = static_cast<int>(number(d, "ev_arrive", day.ev_arrive, 0, 1e4));
  day.ev_leave = static_cast<int>(number(d, "ev_leave", day.ev_leave, 0, 1e4));
  day.ev_need_kwh = number(d, "ev_need_kwh", 0, 0, 1e7);
  day.seed = static_cast<unsigned>(number(d, "seed", 1, 0, 4e9));
  day.pv_error = number(d, "pv_error", day.pv_error, 0, 1);
  day.load_error = number(d, "load_error", day.load_error, 0, 1);
  day.epoch_error = number(d, "epoch_error", day.epoch_error, 0, 1);
  day.outdoor_error_c = number(d, "outdoor_error_c", day.outdoor_error_c, 0, 20);
  return day;
}

json record_json(const IntervalRecord& r) {
  return {{"interval", r.interval},
          {"contract_kwh", r.contract_kwh},
          {"drawn_kwh", r.drawn_kwh},
          {"alone_kwh", r.alone_kwh},
          {"alone_cost", r.alone_cost},
          {"fuel_cost", r.fuel_cost},
          {"alone_fuel_cost", r.alone_fuel_cost},
          {"safe_epochs", r.safe_epochs}};
}

}  // namespace

class MicrogridOperator : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (mg_) throw Error("the operator's settings are fixed once it runs; restart it to change them");
    if (auto err = watt::yaml::key_error(c, {"market", "models", "day", "tracking_cost", "bilateral"}); !err.empty())
      throw Error(err);
    if (!c["models"]) throw Error("'models': the microgrid's model file is required");
    market_ = watt::yaml::text<Error>(c["market"], "market", "market-operator");
    MicrogridSettings s;
    s.tracking_cost = number(c, "tracking_cost", s.tracking_cost, 0, 1e9);
    bilateral_ = c["bilateral"] ? c["bilateral"] : YAML::Node(YAML::NodeType::Sequence);
    if (!bilateral_.IsSequence()) throw Error("'bilateral': a list of contracts");
    try {
      const auto day = day_of(c["day"] ? c["day"] : YAML::Node(YAML::NodeType::Map));
      mg_ = std::make_unique<Microgrid>(c["models"].as<std::string>(), microgrid_day(day), 4, s);
    } catch (const ModelError& e) {
      throw Error(e.what());
    }
  }

  void on_start() override {
    if (!mg_) throw Error("no configuration: the operator needs at least its 'models'");
    (void)bilaterals();  // refused now, not when the market opens
    const auto prefix = "market/" + market_ + "/";
    const auto on = [this, prefix](const std::string& what, void (MicrogridOperator::*f)(const json&)) {
      subscribe(prefix + what, [this, f](const Envelope& e) {
        try {
          (this->*f)(wire::parse(e.body.as<std::string>(), e.topic.c_str()));
        } catch (const std::exception& err) {
          log().error("{}: {}", e.topic, err.what());
        }
      });
    };
    on("data", &MicrogridOperator::on_data);
    on("day-ahead", &MicrogridOperator::on_day_ahead);
    on("real-time/gate", &MicrogridOperator::on_gate);
    on("real-time/cleared", &MicrogridOperator::on_real_time);
    on("epoch", &MicrogridOperator::on_epoch);
    export_method("status", [this] {
      json r = json::array();
      for (const auto& x : mg_->record()) r.push_back(record_json(x));
      // Where each plant stands: a battery fuller at the day's end is energy
      // bought and not yet used.
      json states = json::object();
      for (const auto* plant : {&mg_->plant(), &mg_->alone()})
        for (const auto& m : plant->models())
          for (const auto& st : m.states)
            states[plant == &mg_->plant() ? "market" : "alone"][m.name + "." + st.name] = st.initial;
      return json{{"offered", offered_}, {"contracted", contracted_}, {"record", r}, {"states", states}}.dump();
    });
  }

private:
  // The market's terms, from its data (or, for an operator that missed
  // the day ahead, from its results).
  void take_terms(const json& d) {
    if (d.at("epochs").get<int>() != 4 || d.at("intervals").get<int>() != mg_->intervals())
      throw Error("the market runs " + d.at("intervals").dump() + " intervals of " + d.at("epochs").dump() +
                  " epochs; this operator's day has " + std::to_string(mg_->intervals()) + " of 4");
    MarketTerms t{d.at("retail_cents").get<std::vector<double>>(), d.at("feed_in_cents").get<std::vector<double>>(),
                  d.at("grid_usage_cents").get<double>(), d.at("penalty").get<double>()};
    mg_->set_terms(t);
    terms_ = std::move(t);
  }

  void on_data(const json& d) {
    if (offered_ || offering_) return;
    take_terms(d);
    std::vector<double> bought(static_cast<std::size_t>(mg_->intervals()), 0);
    for (const auto& b : bilaterals())
      bought[static_cast<std::size_t>(b.interval)] +=
          static_cast<double>(b.seller == identity() ? -b.energy : b.energy) / 1000;
    const auto offers = mg_->day_ahead_offers(identity(), bought);
    // Each party reports its contracts, once (a report again would replace
    // it, not add), before its offers: the day ahead closes on the offers.
    if (!reported_)
      for (const auto& b : bilaterals())
        call(market_, "bilateral", b.seller, b.buyer, b.interval, b.energy, b.price).then(failed("bilateral"));
    reported_ = true;
    json list = json::array();
    for (const auto& o : offers) list.push_back(wire::to_json(o));
    offering_ = true;
    call(market_, "day_ahead", list.dump()).then([this](Result<Value> r) {
      offering_ = false;
      if (r)
        offered_ = true;
      else
        log().warn("day-ahead offers refused: {}; offering again with the next market data", r.error().what());
    });
  }

  // The contracts this operator listed: [{seller, buyer, from, to, kw, price_cents}].
  std::vector<Bilateral> bilaterals() const {
    std::vector<Bilateral> out;
    for (const auto& b : bilateral_) {
      const auto seller = b["seller"].as<std::string>(""), buyer = b["buyer"].as<std::string>("");
      if (seller != identity() && buyer != identity())
        throw Error("bilateral: a contract between '" + seller + "' and '" + buyer + "' is none of this operator's");
      const int from = static_cast<int>(number(b, "from", 0, 0, mg_->intervals() - 1));
      const int to = static_cast<int>(number(b, "to", from, from, mg_->intervals() - 1));
      const double kw = number(b, "kw", 0, 0, 1e7);
      const auto wh = static_cast<Wh>(std::llround(kw * mg_->interval_h() * 1000));
      const auto price = static_cast<PriceCc>(std::llround(number(b, "price_cents", 0, 0, 1e6) * 100));
      for (int t = from; t <= to; ++t) out.push_back({seller, buyer, t, wh, price});
    }
    return out;
  }

  void on_day_ahead(const json& r) {
    if (contracted_) return;
    if (!offered_) {
      log().warn("the day ahead cleared before this operator offered: it runs the day on real time alone");
      take_terms(r.at("market"));
    }
    std::vector<double> kwh, price;
    for (const auto& wh : r.at("contracts").at(identity())) kwh.push_back(wh.get<double>() / 1000);
    for (const auto& cc : r.at("price")) price.push_back(cc.get<double>() / 100);
    // An interval nothing cleared in: its imbalance is priced at retail.
    const auto& cleared = r.at("cleared");
    for (std::size_t t = 0; t < price.size(); ++t)
      if (!cleared.at(t).get<bool>()) price[t] = terms_.retail.at(t);
    mg_->set_contracts(kwh, price);
    price_ = std::move(price);
    contracted_ = true;
  }

  // An interval (and epoch) the market names, checked: a message from
  // elsewhere on the bus must not reach past the day.
  int interval_of(const json& j) const {
    const int t = j.at("interval").get<int>();
    if (t < 0 || t >= mg_->intervals()) throw Error("interval " + std::to_string(t) + " is not in the day");
    return t;
  }

  // An operator that missed the day-ahead results asks for them.
  bool contracted() {
    if (contracted_ || fetching_) return contracted_;
    fetching_ = true;
    call(market_, "results").then([this](Result<Value> r) {
      fetching_ = false;
      try {
        if (r) on_day_ahead(wire::parse(r.value().as<std::string>(), "results"));
      } catch (const std::exception& e) {
        log().error("the day-ahead results: {}", e.what());
      }
    });
    return false;
  }

  void on_gate(const json& g) {
    if (!contracted()) return;
    const int t = interval_of(g);
    const auto i = static_cast<std::size_t>(t);
    const double off = mg_->real_time_position(t) - mg_->record().at(i).contract_kwh;
    const auto wh = static_cast<Wh>(std::llround(off * 1000));
    // Priced at what the imbalance would cost instead, within the grid's offers.
    const double p = price_.at(i);
    Offers o;
    if (wh > 0)
      o.bids.push_back(
          {identity(), wh, cents(std::min(terms_.retail[i] - terms_.grid_usage, p * (1 + terms_.penalty)))});
    if (wh < 0)
      o.asks.push_back(
          {identity(), -wh, cents(std::max(terms_.feed_in[i] + terms_.grid_usage, p * (1 - terms_.penalty)))});
    call(market_, "real_time", t, wire::to_json(o).dump()).then(failed("real-time offer"));
  }

  void on_real_time(const json& r) {
    const auto& awards = r.at("awards");
    if (contracted_ && awards.contains(identity()))
      mg_->add_real_time(interval_of(r), awards.at(identity()).get<double>() / 1000);
  }

  // Runs every epoch up to the announced one, reporting each.
  void on_epoch(const json& e) {
    if (!contracted()) return;
    const int epoch = e.at("epoch").get<int>();
    if (epoch < 0 || epoch >= 4) throw Error("epoch " + std::to_string(epoch) + " is not one of an interval's 4");
    const int target = interval_of(e) * 4 + epoch;
    while (mg_->plant().step() <= target) {
      const int t = mg_->plant().step() / 4, at = mg_->plant().step() % 4;
      if (at == 0) mg_->run_alone(t);
      const double kwh = mg_->run_epoch(t, at);
      call(market_, "meter", t, at, static_cast<Wh>(std::llround(kwh * 1000))).then(failed("meter reading"));
    }
  }

  static PriceCc cents(double c) { return static_cast<PriceCc>(std::llround(std::max(0.0, c) * 100)); }

  std::function<void(Result<Value>)> failed(std::string what) {
    return [this, what = std::move(what)](Result<Value> r) {
      if (!r) log().warn("{} refused: {}", what, r.error().what());
    };
  }

  std::string market_;
  YAML::Node bilateral_;
  std::unique_ptr<Microgrid> mg_;
  MarketTerms terms_;
  std::vector<double> price_;  // per interval: the day-ahead price, cents per kWh
  bool offered_ = false, offering_ = false, contracted_ = false, reported_ = false, fetching_ = false;
};

}  // namespace watt::der

WATT_AGENT(watt::der::MicrogridOperator)
