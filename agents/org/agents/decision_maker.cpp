// decision-maker: its organization's optimal decisions (docs/organizations.md,
// Decision-making system). An end-user's answers each trading round with its
// Problem E, on its prediction engine's load forecast; the DisCo's runs the
// algorithm: it starts runs (`run`), solves Problem D as the aggregators
// report, and publishes each run's result on org/<org>/trade/result. Both
// speak to other organizations only through their IP (org/<org>/out/...).
#include <watt/org/desks.hpp>
#include "org_support.hpp"

#include <memory>
#include <optional>

namespace watt::org {

class EndUserDms {
public:
  EndUserDms(Agent& a, const YAML::Node& c) : a_(a) {
    known_keys(c, {"kind", "org", "aggregator", "pe", "series", "gamma_p", "gamma_c", "d2l_cap"});
    org_ = key<std::string>(c, "org");
    aggregator_ = key<std::string>(c, "aggregator");
    pe_ = key<std::string>(c, "pe", "");
    series_ = key<std::string>(c, "series", "load");
    s_.gamma_p = key<double>(c, "gamma_p", 0.1);
    s_.gamma_c = key<double>(c, "gamma_c", 0.1);
    s_.d2l_cap = key<double>(c, "d2l_cap", 0.1);
    if (s_.gamma_p < 0 || s_.gamma_c < 0 || s_.d2l_cap < 0) throw Error("gamma_p, gamma_c and d2l_cap must be >= 0");
  }

  void start() {
    SubscribeOptions lossless;
    lossless.delivery = Delivery::lossless;
    a_.subscribe(
        "org/" + org_ + "/forecast/" + series_,
        [this](const Envelope& e) {
          ForecastMsg f;
          if (decode_body(e, f, bad_, a_.log())) take(std::move(f));
        },
        lossless);
    // Rounds from its own aggregator only: another organization's IP may
    // write to this one's inbox, but is not who it trades with.
    a_.subscribe(
        "org/" + org_ + "/in/" + aggregator_ + "/trade/round",
        [this](const Envelope& e) {
          UserRoundMsg r;
          if (!decode_body(e, r, bad_, a_.log())) return;
          pending_ = r;
          if (forecast_) answer();
        },
        lossless);
    // After a restart: the forecast in hand, not the next one an hour on.
    if (!pe_.empty())
      a_.call(pe_, "latest", series_).then([this](Result<Value> r) {
        if (r && !forecast_) take(r.value().as<ForecastMsg>());
      });
  }

private:
  void take(ForecastMsg f) {
    forecast_ = std::move(f);
    if (pending_) answer();
  }

  // The load of the round's day: a forecast of whole hours from a midnight
  // (UTC), as the day-ahead rounds are priced.
  std::string load_of(std::size_t hours, Series& load) const {
    const auto& f = *forecast_;
    if (f.step_s != 3600 || f.start_s % 86400 != 0 || f.values.size() < hours)
      return "its forecast of '" + series_ + "' must give " + std::to_string(hours) +
             " hourly values from a midnight (UTC); it gives " + std::to_string(f.values.size()) + " every " +
             std::to_string(f.step_s) + " s from " + std::to_string(f.start_s % 86400 / 3600) + ":00";
    load.assign(f.values.begin(), f.values.begin() + static_cast<std::ptrdiff_t>(hours));
    return {};
  }

  void answer() {
    auto round = std::move(*pending_);
    pending_.reset();
    Series load;
    EndUserDecision d;
    OfferMsg offer{round.run, round.round, {}, {}, 0, load_of(round.price_l2a.size(), load)};
    if (offer.error.empty()) offer = answer_round(s_, round, load, &d);
    if (!offer.error.empty()) a_.log().error("round {} of run {}: {}", round.round, round.run, offer.error);
    a_.publish("org/" + org_ + "/out/" + aggregator_ + "/trade/offer", offer, trading_options());
    if (offer.error.empty())
      a_.publish("org/" + org_ + "/decision/schedule",
                 std::map<std::string, Series>{
                     {"load", d.load}, {"production", d.production}, {"net", d.net}, {"l2a", d.l2a}});
  }

  Agent& a_;
  std::string org_, aggregator_, pe_, series_;
  EndUserSettings s_;
  std::optional<ForecastMsg> forecast_;
  std::optional<UserRoundMsg> pending_;
  LogLimiter bad_;
};

class DiscoDms {
public:
  DiscoDms(Agent& a, const YAML::Node& c) : a_(a) {
    known_keys(c, {"kind", "org", "regions", "price_market", "lambda_d2l", "delta", "tolerance", "max_rounds",
                   "case1_price", "resend_after_ms"});
    org_ = key<std::string>(c, "org");
    DiscoSettings s{key<std::vector<std::string>>(c, "regions"), key<Series>(c, "price_market"),
                    key<double>(c, "lambda_d2l", 0.6),           key<double>(c, "delta", 1.1),
                    key<double>(c, "tolerance", 1e-6),           key<std::uint64_t>(c, "max_rounds", 50)};
    const auto rule = key<std::string>(c, "case1_price", "disco");
    if (auto p = case1_price_named(rule))
      s.case1_price = *p;
    else
      throw Error("'case1_price': '" + rule + "' is none of disco, floor, market");
    desk_ = std::make_unique<DiscoDesk>(std::move(s));
    resend_ = std::chrono::milliseconds(key<int>(c, "resend_after_ms", 2000));
  }

  void start() {
    SubscribeOptions lossless;
    lossless.delivery = Delivery::lossless;
    // From any organization: the desk takes reports from its regions only.
    a_.subscribe(
        "org/" + org_ + "/in/+/trade/report",
        [this](const Envelope& e) {
          ReportMsg r;
          if (!decode_body(e, r, bad_, a_.log())) return;
          auto step = desk_->report(levels(e.topic)[3], r);
          if (!step.next.empty()) send(step.next);
          if (step.done) finish(*step.done);
        },
        lossless);
    a_.export_method("run", [this](bool iterative, bool shiftable) {
      if (desk_->running()) a_.log().warn("run {} abandoned for a new one", desk_->run());
      send(desk_->begin(iterative, shiftable));
      return desk_->run();
    });
    a_.every(resend_ / 4, [this] { resend(); });
  }

private:
  void send(const RoundMsgs& round) {
    sent_at_ = std::chrono::steady_clock::now();
    for (const auto& [region, msg] : round)
      a_.publish("org/" + org_ + "/out/" + region + "/trade/round", msg, trading_options());
  }

  // An aggregator that has not reported is asked again.
  void resend() {
    if (!desk_->running() || std::chrono::steady_clock::now() - sent_at_ < resend_) return;
    send(desk_->missing());
  }

  void finish(const RunResultMsg& m) {
    a_.log().info("run {}: {} after {} rounds; EC^e {:.3f}, EC^a {:.3f}, EC^d {:.3f}", m.run, m.stop, m.rounds, m.ec_e,
                  m.ec_a, m.ec_d);
    a_.publish("org/" + org_ + "/trade/result", m, trading_options());
  }

  Agent& a_;
  std::string org_;
  std::unique_ptr<DiscoDesk> desk_;
  std::chrono::milliseconds resend_{2000};
  std::chrono::steady_clock::time_point sent_at_;
  LogLimiter bad_;
};

class DecisionMaker : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (started_) throw Error("the organization's settings are fixed once it runs; restart the agent to change them");
    const auto kind = key<std::string>(c, "kind");
    if (kind == "end-user") {
      disco_.reset();
      end_user_ = std::make_unique<EndUserDms>(*this, c);
    } else if (kind == "disco") {
      end_user_.reset();
      disco_ = std::make_unique<DiscoDms>(*this, c);
    } else {
      throw Error("'kind': '" + kind + "' has no decision-making system here (end-user or disco)");
    }
  }

  void on_start() override {
    if (!end_user_ && !disco_) throw Error("no configuration: install with --config (docs/organizations.md)");
    started_ = true;
    if (end_user_) end_user_->start();
    if (disco_) disco_->start();
  }

private:
  bool started_ = false;
  std::unique_ptr<EndUserDms> end_user_;
  std::unique_ptr<DiscoDms> disco_;
};

}  // namespace watt::org

WATT_AGENT(watt::org::DecisionMaker)
