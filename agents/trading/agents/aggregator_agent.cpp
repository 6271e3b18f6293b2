// aggregator: buys energy from BESSs by auction on the bus (seed 000;
// docs/trading.md, The aggregator agent). It registers, discovers BESSs by
// Query and Response, ranks them by its strategy (the prototype's order, or
// by price or energy from its trading history), and bids with each in turn
// until it has its required energy: the next BESS when one rejects its
// maximum, sells out, fails, leaves the bus or falls silent. What it bought
// is kept in its data directory (history.json) for the next runs.
#include <watt/paths.hpp>
#include <watt/trading/agent_state.hpp>
#include <watt/trading/aggregator_plan.hpp>
#include <watt/trading/auction_lines.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

namespace watt::trading {
namespace {

std::chrono::nanoseconds seconds(double s) { return std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9)); }

}  // namespace

class AggregatorAgent : public Agent {
public:
  void on_config(const std::string& name, ConfigAction action, const YAML::Node& c) override {
    if (name != "config" || action == ConfigAction::remove) return;
    if (link_) throw Error("an aggregator's settings are fixed once it runs; restart it to change them");
    if (auto err = watt::yaml::key_error(
            c, {"market", "required_kwh", "start_cents", "increments", "max_cents", "choice", "counterpart_timeout_ms",
                "discovery_ms", "query_period_s", "register_period_s", "start"});
        !err.empty())
      throw Error(err);
    market_ = watt::yaml::text<Error>(c["market"], "market", "lab");
    s_.required_kwh = watt::yaml::number<Error>(c["required_kwh"], "required_kwh", 6.75, 0, 1e9);
    s_.strategy.start_cents = watt::yaml::number<Error>(c["start_cents"], "start_cents", 5, 0, 1e6);
    s_.strategy.max_cents = watt::yaml::number<Error>(c["max_cents"], "max_cents", 20, s_.strategy.start_cents, 1e6);
    s_.strategy.increments.clear();
    if (c["increments"] && !c["increments"].IsSequence()) throw Error("'increments' must be a list of numbers");
    for (const auto& i : c["increments"])
      s_.strategy.increments.push_back(watt::yaml::number<Error>(i, "increments", 0, 1e-9, 1e6));
    if (s_.strategy.increments.empty()) s_.strategy.increments = {1};
    const auto choice = choice_named(watt::yaml::text<Error>(c["choice"], "choice", "first"));
    if (!choice) throw Error("'choice': first, cheapest or most_energy");
    choice_ = *choice;
    s_.counterpart_timeout = Ms(static_cast<long>(
        watt::yaml::number<Error>(c["counterpart_timeout_ms"], "counterpart_timeout_ms", 3000, 1, 3.6e6)));
    discovery_ = Ms(static_cast<long>(watt::yaml::number<Error>(c["discovery_ms"], "discovery_ms", 500, 1, 3.6e6)));
    query_period_ =
        watt::yaml::number<Error>(c["query_period_s"], "query_period_s", spec(MsgType::query).period_s, 0.001, 86400);
    register_period_ = watt::yaml::number<Error>(c["register_period_s"], "register_period_s",
                                                 spec(MsgType::register_participant).period_s, 0.001, 86400);
    start_ = watt::yaml::flag<Error>(c["start"], "start", true);
    // Read with the settings: a history it cannot read refuses the start.
    history_file_ = std::filesystem::path(watt_home()) / "data" / identity() / "history.json";
    load_history();
  }

  void on_start() override {
    s_.id = identity();
    remaining_ = s_.required_kwh;
    if (history_file_.empty()) {  // installed without settings: all defaults
      history_file_ = std::filesystem::path(watt_home()) / "data" / identity() / "history.json";
      load_history();
    }
    link_ = std::make_unique<Link>(*this, market_, identity());
    listen();
    const auto registration = [this] {
      link_->multicast(MsgType::register_participant, RegisterMsg{identity(), "aggregator"});
    };
    registration();
    every(seconds(register_period_), registration);
    every(seconds(query_period_), [this] {
      if (!bidder_ && remaining_ > 0) query();
    });
    every(std::chrono::milliseconds(10), [this] { tick(); });
    export_method("query", [this] { query(); });
    export_method("state", [this] { return state(); });
    if (start_) query();
  }

private:
  Ms now() const { return std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - started_); }

  void load_history() {
    std::ifstream in(history_file_);
    if (!in) return;
    std::stringstream text;
    text << in.rdbuf();
    try {
      history_ = TradingHistory::parse(text.str());
    } catch (const HistoryError& e) {
      throw Error(history_file_.string() + ": " + e.what() + " (move it aside to start afresh)");
    }
  }

  void listen() {
    link_->on<ResponseMsg>(MsgType::response, [this](const ResponseMsg& r) { on_response(r); });
    link_->on<RejectBidMsg>(MsgType::reject_bid, [this](const RejectBidMsg& r) { on_reject(r); });
    link_->on<AcceptBidMsg>(MsgType::accept_bid, [this](const AcceptBidMsg& a) { on_accept(a); });
    // The BESS closes a sale it accounted with Terminate "completed": only
    // then is the energy bought.
    link_->on<TerminateMsg>(MsgType::terminate, [this](const TerminateMsg& t) {
      if (t.from != bidding_with()) return;
      if (t.reason == "completed" && confirming_)
        bought(*confirming_);
      else if (t.reason != "completed")
        give_up("terminated: " + t.reason, false);
    });
    link_->on<DeviceFailureMsg>(MsgType::device_failure, [this](const DeviceFailureMsg& f) {
      keep(failures_, f.from + ": " + f.fault);
      log().warn("DEVICE FAILURE at {}: {}", f.from, f.fault);
      if (f.from == bidding_with()) give_up("device failure: " + f.fault, false);
    });
    link_->on<BessStatusMsg>(MsgType::bess_status, [](const BessStatusMsg&) {});  // counted by the link
    link_->on<RegisterMsg>(MsgType::register_participant, [](const RegisterMsg&) {});
    // A BESS whose connection closes is given up at once, not at the timeout.
    subscribe("platform/peers/left/+", [this](const Envelope& e) {
      const auto who = e.topic.substr(e.topic.rfind('/') + 1);
      if (who == bidding_with()) give_up("left the bus", false);
    });
  }

  // A round: ask every BESS, then choose among those that answer in time.
  void query() {
    if (remaining_ <= 0 || round_open_) return;
    round_open_ = true;
    responses_.clear();
    link_->multicast(MsgType::query, QueryMsg{identity(), remaining_});
    after(discovery_, [this] {
      round_open_ = false;
      candidates_ = rank(responses_, choice_, history_);
      if (!bidder_) next();
    });
  }

  void on_response(const ResponseMsg& r) {
    if (closed_.contains(r.from)) return;
    if (round_open_) {
      responses_.push_back(r);
    } else if (!bidder_ && remaining_ > 0 && r.total_kwh * r.percent_for_sale > 0) {
      candidates_.push_back(r);  // answered late: still worth a try
      next();
    }
  }

  // Bids with the next BESS in line, if any is left.
  void next() {
    bidder_.reset();
    confirming_.reset();
    ++generation_;
    while (!candidates_.empty() && remaining_ > 0) {
      const auto r = candidates_.front();
      candidates_.erase(candidates_.begin());
      if (closed_.contains(r.from)) continue;
      AggregatorSettings s = s_;
      s.required_kwh = remaining_;
      s.strategy = opening(s_.strategy, choice_, history_, r.from);
      bidder_.emplace(s);
      if (auto b = bidder_->on_response(r, now())) {
        send_bid(*b);
        return;
      }
      bidder_.reset();
    }
  }

  void send_bid(const BidMsg& b) {
    log().info("BID to {}: {} cents/kWh for {} kWh", bess(), b.price_cents, b.energy_kwh);
    link_->send(bess(), MsgType::bid, b);
  }

  void on_reject(const RejectBidMsg& r) {
    if (!bidder_ || r.from != bess()) return;
    log().info("REJECTED by {}: {} cents/kWh ({})", r.from, r.price_cents, r.reason);
    if (auto b = bidder_->on_reject(r, now())) {
      if (r.reason != "closed") return send_bid(*b);
      // The BESS waits for another's confirmation: the same bid, in a while.
      after(closed_retry, [this, bid = *b, g = generation_] {
        if (g == generation_ && bidder_ && !bidder_->done()) send_bid(bid);
      });
    } else if (!bidder_->done()) {
      return;  // stale: a reply to an earlier bid
    } else if (r.reason == "sold_out" || r.reason == "invalid") {
      closed_.insert(bess());
      give_up(r.reason == "invalid" ? "it finds the bid invalid" : "sold out", false);
    } else {
      closed_.insert(bess());  // its maximum was refused: nothing to gain there
      give_up("bowed out at " + lines::number(bidder_->price()), false);
    }
  }

  void on_accept(const AcceptBidMsg& a) {
    if (!bidder_ || a.from != bess()) return;
    const auto c = bidder_->on_accept(a, now());
    if (!c) return;
    link_->send(bess(), MsgType::bid_confirmation, *c);
    log().info("ACCEPTED by {}: {} kWh at {} cents/kWh; confirmed", a.from, a.energy_kwh, a.price_cents);
    confirming_ = Purchase{a.from, a.price_cents, a.energy_kwh};
    confirmed_at_ = now();
  }

  void bought(const Purchase& p) {
    if (bought_.size() == kept) bought_.erase(bought_.begin());
    bought_.push_back(p);
    remaining_ = std::max(0.0, remaining_ - p.energy_kwh);
    history_.add({p.bess, p.price_cents, p.energy_kwh});
    try {
      std::filesystem::create_directories(history_file_.parent_path());
      write_file_atomically(history_file_, history_.dump());
    } catch (const std::exception& e) {
      // It goes on buying; the history is kept in memory and written next time.
      log().error("{}: {}", history_file_.string(), e.what());
      set_health(Health::bad, "cannot write its trading history: " + std::string(e.what()));
    }
    next();
  }

  // Gives the BESS up and goes on to the next; `withdraw` tells the BESS to
  // drop its bid (it is alive, only slow or silent).
  void give_up(const std::string& why, bool withdraw) {
    log().info("{}: {}; moving on", bess(), why);
    if (withdraw) link_->send(bess(), MsgType::terminate, TerminateMsg{identity(), 0, "withdrawn"});
    keep(given_up_, bess() + ": " + why);
    next();
  }

  void tick() {
    const auto timeout = std::to_string(s_.counterpart_timeout.count()) + " ms";
    if (confirming_ && now() - confirmed_at_ > s_.counterpart_timeout)
      give_up("no word in " + timeout + " that the sale was accounted", true);
    else if (!confirming_ && bidder_ && bidder_->tick(now()))
      give_up("silent for " + timeout, true);
  }

  // The latest `kept` of a list the state shows: it may run for months.
  static constexpr std::size_t kept = 100;
  static void keep(std::vector<std::string>& list, std::string item) {
    if (list.size() == kept) list.erase(list.begin());
    list.push_back(std::move(item));
  }

  // The BESS it bids with now (only while bidding).
  const std::string& bess() const { return bidder_->bess(); }

  const std::string& bidding_with() const {
    static const std::string none;
    return bidder_ ? bidder_->bess() : none;
  }

  AggregatorState state() const {
    return {identity(),
            s_.required_kwh,
            remaining_,
            bidding_with(),
            bidder_ ? bidder_->price() : 0.0,
            remaining_ <= 0 || (!bidder_ && !round_open_),
            bought_,
            given_up_,
            failures_,
            link_->stats()};
  }

  std::string market_ = "lab";
  AggregatorSettings s_;
  Choice choice_ = Choice::first;
  Ms discovery_{500};
  double query_period_ = 10, register_period_ = 60;
  bool start_ = true;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::filesystem::path history_file_;
  TradingHistory history_;
  std::unique_ptr<Link> link_;
  double remaining_ = 0;
  bool round_open_ = false;
  std::vector<ResponseMsg> responses_, candidates_;
  std::set<std::string> closed_;  // BESSs it bowed out of or that sold out
  std::optional<AggregatorBidder> bidder_;
  std::optional<Purchase> confirming_;  // accepted and confirmed, not yet accounted by the BESS
  Ms confirmed_at_{0};
  std::uint64_t generation_ = 0;  // one per BESS bid with: a delayed resend checks it is still current
  static constexpr Ms closed_retry{250};
  std::vector<Purchase> bought_;
  std::vector<std::string> given_up_, failures_;
};

}  // namespace watt::trading

WATT_AGENT(watt::trading::AggregatorAgent)
