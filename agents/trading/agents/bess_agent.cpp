// bess: a battery storage system selling its energy by auction on the bus
// (seed 000; docs/trading.md, The bess agent). It registers with the
// market's group, answers Queries, runs the auction of BessAuction over the
// typed messages of <watt/trading/link.hpp>, sends BESS Status to the
// aggregators it knows at Table III's rate, and Device Failure on a fault
// (RPC fail). RPC state: its auction and its message counts.
#include <watt/trading/agent_state.hpp>
#include <watt/trading/auction_lines.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <chrono>
#include <cmath>
#include <deque>
#include <memory>
#include <optional>
#include <set>

namespace watt::trading {
namespace {

double number(const YAML::Node& c, const char* key, double fallback, double low, double high) {
  return watt::yaml::number<Error>(c[key], key, fallback, low, high);
}

}  // namespace

class BessAgent : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (link_) throw Error("a BESS's settings are fixed once it runs; restart it to change them");
    if (auto err =
            watt::yaml::key_error(c, {"market", "total_kwh", "percent_for_sale", "reserve_cents", "voltage",
                                      "window_ms", "confirm_timeout_ms", "status_period_s", "register_period_s"});
        !err.empty())
      throw Error(err);
    market_ = watt::yaml::text<Error>(c["market"], "market", "lab");
    s_.total_kwh = number(c, "total_kwh", 13.5, 0, 1e9);
    s_.percent_for_sale = number(c, "percent_for_sale", 50, 0, 100);
    s_.reserve_cents = number(c, "reserve_cents", 12.5, 0, 1e6);
    s_.voltage = number(c, "voltage", 400, 0, 1e6);
    s_.window = Ms(static_cast<long>(number(c, "window_ms", 1000, 1, 3.6e6)));
    s_.confirm_timeout = Ms(static_cast<long>(number(c, "confirm_timeout_ms", 2000, 1, 3.6e6)));
    status_period_ = number(c, "status_period_s", spec(MsgType::bess_status).period_s, 0.001, 86400);
    register_period_ = number(c, "register_period_s", spec(MsgType::register_participant).period_s, 0.001, 86400);
  }

  void on_start() override {
    s_.id = identity();
    auction_.emplace(s_);
    link_ = std::make_unique<Link>(*this, market_, identity());
    say(lines::bess(s_));
    link_->on<RegisterMsg>(MsgType::register_participant, [this](const RegisterMsg& r) {
      if (r.role == "aggregator") aggregators_.insert(r.from);
    });
    link_->on<QueryMsg>(MsgType::query, [this](const QueryMsg& q) {
      aggregators_.insert(q.from);
      say(lines::query(q.from));
      if (!failed_) link_->send(q.from, MsgType::response, auction_->respond());
    });
    link_->on<BidMsg>(MsgType::bid, [this](const BidMsg& b) { on_bid(b); });
    link_->on<BidConfirmationMsg>(MsgType::bid_confirmation, [this](const BidConfirmationMsg& c) { on_confirm(c); });
    // A bidder that withdraws: its bids go, and a win it did not confirm.
    link_->on<TerminateMsg>(MsgType::terminate, [this](const TerminateMsg& t) {
      log().info("{} withdrew: {}", t.from, t.reason);
      auction_->withdraw(t.from);
    });
    // Those that leave the bus are told nothing more.
    subscribe("platform/peers/left/+", [this](const Envelope& e) {
      const auto who = e.topic.substr(e.topic.rfind('/') + 1);
      auction_->withdraw(who);
      aggregators_.erase(who);
    });
    const auto registration = [this] {
      link_->multicast(MsgType::register_participant, RegisterMsg{identity(), "bess"});
    };
    registration();
    every(seconds(register_period_), registration);
    every(seconds(status_period_), [this] {
      for (const auto& a : aggregators_) link_->send(a, MsgType::bess_status, auction_->status());
    });
    // The bidding window and the confirmation timeout run on this clock.
    every(std::chrono::milliseconds(10), [this] {
      if (!failed_) handle(auction_->tick(now()));
    });
    export_methods();
  }

private:
  static std::chrono::nanoseconds seconds(double s) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9));
  }
  Ms now() const { return std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - started_); }
  void say(std::string line) {
    log().info("{}", line);
    lines_.push_back(std::move(line));
    if (lines_.size() > kept_lines) lines_.pop_front();  // it may run for months
  }

  void on_bid(const BidMsg& b) {
    aggregators_.insert(b.from);
    say(lines::bid(b));
    if (failed_) {
      link_->send(b.from, MsgType::terminate, TerminateMsg{identity(), b.auction, "device failure"});
      return;
    }
    handle(auction_->bid(b, now()));
  }

  void on_confirm(const BidConfirmationMsg& c) {
    if (failed_) {
      link_->send(c.from, MsgType::terminate, TerminateMsg{identity(), c.auction, "device failure"});
      return;
    }
    if (!auction_->confirm(c)) {
      log().warn("a Bid Confirmation from {} for auction {} that it did not win: ignored", c.from, c.auction);
      return;
    }
    say(lines::confirmed(c.from));
    say(lines::left(auction_->percent_left()));
    link_->send(c.from, MsgType::terminate, TerminateMsg{identity(), c.auction, "completed"});
  }

  void handle(const BessAuction::Out& o) {
    for (const auto& [to, r] : o.rejects) {
      say(lines::rejected(to, r));
      link_->send(to, MsgType::reject_bid, r);
    }
    if (o.accept) {
      say(lines::accepted(o.accept->first, o.accept->second));
      link_->send(o.accept->first, MsgType::accept_bid, o.accept->second);
    }
    for (const auto& [to, t] : o.terminates) {
      say(to + ": " + t.reason + ", auction terminated");
      link_->send(to, MsgType::terminate, t);
    }
  }

  // A fault: every aggregator it knows hears Device Failure at once, and
  // those whose bids it held are told the auction is over; it sells nothing
  // more.
  void fail(const std::string& fault) {
    failed_ = true;
    say("DEVICE FAILURE: " + fault);
    for (const auto& a : aggregators_) link_->send(a, MsgType::device_failure, DeviceFailureMsg{identity(), fault});
    handle(auction_->abort("device failure"));  // those whose bids it held are told the auction is over
    set_health(Health::bad, "device failure: " + fault);
  }

  void export_methods() {
    export_method("fail", [this](const std::string& fault) { fail(fault); });
    export_method("state", [this] {
      BessState st{identity(),
                   s_.total_kwh,
                   auction_->percent_left(),
                   s_.reserve_cents,
                   auction_->sold_to().value_or(""),
                   auction_->sold_price(),
                   failed_,
                   {aggregators_.begin(), aggregators_.end()},
                   {},
                   {lines_.begin(), lines_.end()},
                   link_->stats()};
      for (const auto& e : auction_->log()) st.bids.push_back({e.bidder, e.price_cents, e.outcome, e.reason});
      return st;
    });
  }

  std::string market_ = "lab";
  BessSettings s_;
  double status_period_ = 5, register_period_ = 60;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::optional<BessAuction> auction_;
  std::unique_ptr<Link> link_;
  std::set<std::string> aggregators_;
  static constexpr std::size_t kept_lines = 1000;
  std::deque<std::string> lines_;
  bool failed_ = false;
};

}  // namespace watt::trading

WATT_AGENT(watt::trading::BessAgent)
