// information-provider: its organization's only gateway (docs/organizations.md,
// Information provider). It relays what members send out to other
// organizations' inboxes and what arrives in its own inbox to its members,
// copies its members' measurements, decisions and exchanges to
// org/<org>/record/... for the historian, and, as an aggregator's IP,
// carries the aggregator's part of the trading algorithm (AggregatorDesk).
#include <watt/org/desks.hpp>
#include "org_support.hpp"

#include <memory>
#include <optional>

namespace watt::org {

class InformationProvider : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (started_) throw Error("the organization's settings are fixed once it runs; restart the agent to change them");
    known_keys(c, {"org", "record", "aggregator"});
    org_ = key<std::string>(c, "org");
    record_ = key<std::vector<std::string>>(c, "record", {"measure/#", "decision/#", "in/#", "out/#"});
    for (const auto& r : record_)
      if (r.starts_with("record") || r.starts_with("inbox"))
        throw Error("'record': '" + r + "' would copy its own copies, or what is not its members' to read");
    if (const auto a = c["aggregator"]) {
      known_keys(a, {"disco", "users", "price_l2a", "resend_after_ms"});
      disco_ = key<std::string>(a, "disco");
      desk_ = std::make_unique<AggregatorDesk>(key<std::vector<std::string>>(a, "users"),
                                               key<std::vector<double>>(a, "price_l2a"));
      resend_ = std::chrono::milliseconds(key<int>(a, "resend_after_ms", 2000));
    }
  }

  void on_start() override {
    if (org_.empty()) throw Error("no 'org' configured: install with --config (docs/organizations.md)");
    started_ = true;
    SubscribeOptions lossless;
    lossless.delivery = Delivery::lossless;
    subscribe(
        "org/" + org_ + "/out/#", [this](const Envelope& e) { send_out(e); }, lossless);
    subscribe(
        "org/" + org_ + "/inbox/#", [this](const Envelope& e) { take_in(e); }, lossless);
    for (const auto& r : record_)
      subscribe(
          "org/" + org_ + "/" + r, [this](const Envelope& e) { record(e); }, lossless);
    if (desk_) every(resend_ / 4, [this] { resend(); });
    // Relayed out, relayed in, recorded, and rounds asked of an end-user again.
    export_method("counters", [this] { return std::make_tuple(relayed_out_, relayed_in_, recorded_, resent_count_); });
    log().info("information provider of '{}'{}", org_, desk_ ? " (aggregator)" : "");
  }

private:
  // org/<org>/out/<to>/<subject> -> org/<to>/inbox/<org>/<subject>
  void send_out(const Envelope& e) {
    const auto l = levels(e.topic);
    if (l.size() < 5 || l[3] == org_) return;
    publish_value("org/" + l[3] + "/inbox/" + org_ + "/" + rest(l, 4), e.body, trading_options());
    ++relayed_out_;
  }

  // org/<org>/inbox/<from>/<subject> -> org/<org>/in/<from>/<subject>, or
  // the aggregator's own trading.
  void take_in(const Envelope& e) {
    const auto l = levels(e.topic);
    if (l.size() < 5) return;
    const std::string& from = l[3];
    const std::string subject = rest(l, 4);
    if (desk_ && subject == "trade/round") return round(from, e);
    if (desk_ && subject.starts_with("trade/") && subject != "trade/offer") return;  // not its members' business
    if (desk_ && subject == "trade/offer") return offer(from, e);
    publish_value("org/" + org_ + "/in/" + from + "/" + subject, e.body, trading_options());
    ++relayed_in_;
  }

  void record(const Envelope& e) {
    const auto l = levels(e.topic);
    // Under a pattern as wide as #: not its own copies, nor the inbox (what
    // came from outside reaches members as in/, once relayed).
    if (l.size() > 2 && (l[2] == "record" || l[2] == "inbox")) return;
    publish_value("org/" + org_ + "/record/" + rest(l, 2), e.body);
    ++recorded_;
  }

  void round(const std::string& from, const Envelope& e) {
    // Rounds from its DisCo only: another organization's IP may write here,
    // but this region's report is not its to receive.
    if (from != disco_) {
      if (strangers_.count(from))
        log().warn("a trading round from '{}', not from its DisCo '{}': dropped", from, disco_);
      return;
    }
    RoundMsg r;
    if (!decode_body(e, r, bad_, log())) return;
    sent_at_ = std::chrono::steady_clock::now();
    auto start = desk_->start(r);
    for (const auto& [user, msg] : start.sends)
      publish("org/" + user + "/inbox/" + org_ + "/trade/round", msg, trading_options());
    if (start.report) publish("org/" + disco_ + "/inbox/" + org_ + "/trade/report", *start.report, trading_options());
  }

  void offer(const std::string& from, const Envelope& e) {
    OfferMsg o;
    if (!decode_body(e, o, bad_, log())) return;
    if (auto report = desk_->offer(from, o))
      publish("org/" + disco_ + "/inbox/" + org_ + "/trade/report", *report, trading_options());
  }

  // An end-user that has not answered (its DMS restarting, say) is asked
  // again until it does.
  void resend() {
    const auto now = std::chrono::steady_clock::now();
    if (now - sent_at_ < resend_) return;
    sent_at_ = now;
    for (const auto& [user, msg] : desk_->missing()) {
      ++resent_count_;
      if (resent_.count(user)) log().info("asking '{}' again for round {} of run {}", user, msg.round, msg.run);
      publish("org/" + user + "/inbox/" + org_ + "/trade/round", msg, trading_options());
    }
  }

  std::string org_, disco_;
  std::vector<std::string> record_;
  std::unique_ptr<AggregatorDesk> desk_;
  std::chrono::milliseconds resend_{2000};
  std::chrono::steady_clock::time_point sent_at_;
  bool started_ = false;
  std::uint64_t relayed_out_ = 0, relayed_in_ = 0, recorded_ = 0, resent_count_ = 0;
  LogLimiter bad_, resent_, strangers_;
};

}  // namespace watt::org

WATT_AGENT(watt::org::InformationProvider)
