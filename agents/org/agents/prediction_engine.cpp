// prediction-engine: forecasts its organization's series from the history
// the historian keeps of them (docs/organizations.md, Prediction engine) and
// publishes each on org/<org>/forecast/<series> with its backtest error.
// Forecasts again every `period_s`, and on request (`forecast_now`);
// `latest` answers the last forecast of a series.
#include <watt/org/forecast.hpp>
#include <watt/org/history_blocks.hpp>
#include <watt/org/messages.hpp>
#include "org_support.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

namespace watt::org {

struct SeriesSettings {
  std::string name, topic, method = "auto";
  ForecastOptions options;
  std::size_t history_points = 14 * 24;
};

class PredictionEngine : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    known_keys(c, {"org", "historian", "series", "period_s"});
    std::vector<SeriesSettings> series;
    const std::string org = key<std::string>(c, "org");
    if (!c["series"] || !c["series"].IsSequence()) throw Error("'series': a list of the series to forecast");
    for (const auto& s : c["series"]) {
      known_keys(s, {"name", "topic", "method", "horizon", "backtests", "history_points"});
      SeriesSettings x;
      x.name = key<std::string>(s, "name");
      x.topic = key<std::string>(s, "topic", "org/" + org + "/record/measure/" + x.name);
      x.method = key<std::string>(s, "method", "auto");
      if (x.method != "auto" && !method_named(x.method))
        throw Error("series '" + x.name + "': unknown method '" + x.method +
                    "' (auto, persistence, seasonal-day, seasonal-week, holt-winters)");
      x.options.horizon = key<std::size_t>(s, "horizon", 24);
      x.options.backtests = key<std::size_t>(s, "backtests", 3);
      x.history_points = key<std::size_t>(s, "history_points", 14 * 24);
      if (x.options.horizon == 0 || x.history_points == 0)
        throw Error("series '" + x.name + "': horizon and history_points must be > 0");
      series.push_back(std::move(x));
    }
    if (series.empty()) throw Error("'series': at least one series to forecast");
    org_ = org;
    historian_ = key<std::string>(c, "historian", "historian");
    period_s_ = key<double>(c, "period_s", 3600);
    series_ = std::move(series);
  }

  void on_start() override {
    if (org_.empty()) throw Error("no 'org' configured: install with --config (docs/organizations.md)");
    export_deferred_raw("forecast_now", [this](const Value&, Reply reply) { forecast_all(std::move(reply)); });
    export_method("latest", [this](const std::string& series) {
      const auto it = latest_.find(series);
      if (it == latest_.end()) throw Error("no forecast of '" + series + "' yet");
      return it->second;
    });
    if (period_s_ > 0)
      every(std::chrono::nanoseconds(static_cast<std::int64_t>(period_s_ * 1e9)), [this] { forecast_all({}); });
    forecast_all({});
  }

private:
  // Each series in turn; `reply`, when pending, gets the forecasts made.
  void forecast_all(Reply reply) {
    auto made = std::make_shared<std::vector<ForecastMsg>>();
    auto left = std::make_shared<std::size_t>(series_.size());
    auto shared_reply = std::make_shared<Reply>(std::move(reply));
    for (const auto& s : series_) {
      nlohmann::json q{{"topic", s.topic}, {"count", s.history_points}, {"order", "LAST_TO_FIRST"}};
      CallOptions o;
      o.timeout = std::chrono::seconds(30);
      call_value(o, historian_, "query", Value::from_json(nlohmann::json::array({q}).dump()))
          .then([this, s, made, left, shared_reply](Result<Value> r) {
            if (auto f = forecast_one(s, r)) made->push_back(std::move(*f));
            if (--*left == 0 && shared_reply->pending()) shared_reply->send(*made);
          });
    }
  }

  std::optional<ForecastMsg> forecast_one(const SeriesSettings& s, const Result<Value>& r) {
    try {
      if (!r) throw Error("the historian '" + historian_ + "' did not answer: " + r.error().what());
      std::size_t skipped = 0;
      const std::int64_t now_s = watt::now_ns() / 1'000'000'000;
      const auto h = history_from_blocks(nlohmann::json::parse(r.value().to_json()), s.history_points, now_s, &skipped);
      const auto f = s.method == "auto" ? best_forecast(h, s.options) : forecast(h, *method_named(s.method), s.options);
      ForecastMsg m{s.name, to_string(f.method), f.start_s,       h.step_s, f.values, f.mae,
                    f.mape, f.backtest_points,   h.values.size(), f.notes};
      if (skipped > 0)
        m.notes.push_back("skipped " + std::to_string(skipped) +
                          " records that are not blocks of the series' step, or start in the future");
      publish("org/" + org_ + "/forecast/" + s.name, m);
      latest_[s.name] = m;
      set_health(Health::good);
      return m;
    } catch (const std::exception& e) {
      if (bad_.count(s.name)) log().warn("no forecast of '{}': {}", s.name, e.what());
      set_health(Health::bad, "no forecast of '" + s.name + "': " + e.what());
      return std::nullopt;
    }
  }

  std::string org_, historian_ = "historian";
  double period_s_ = 3600;
  std::vector<SeriesSettings> series_;
  std::map<std::string, ForecastMsg> latest_;
  LogLimiter bad_;
};

}  // namespace watt::org

WATT_AGENT(watt::org::PredictionEngine)
