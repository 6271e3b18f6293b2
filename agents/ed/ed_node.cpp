// ed-node: one or many consensus economic-dispatch nodes as one agent. Each
// node publishes ed/<run>/<node> every iteration and steps only once it has
// iteration k from every neighbour; nodes hosted together hand each other
// their values directly, so a 1,000-node run needs a handful of processes,
// not a thousand. The mathematics is in core/, the bookkeeping in NodeGroup.
#include "agent_support.hpp"
#include "core/error.hpp"
#include "messages.hpp"
#include "node_group.hpp"
#include "run_config.hpp"

#include <watt/detail/log_limiter.hpp>
#include <watt/watt.hpp>

#include <algorithm>
#include <memory>
#include <optional>

namespace {

using watt::ed::ControlMsg;
using watt::ed::NodeGroup;
using watt::ed::StateMsg;

// More remote neighbours than this and one wildcard subscription is cheaper
// than one per neighbour.
constexpr std::size_t max_topic_subscriptions = 64;

class EdNode : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (name != "config") return;
    // Subscriptions and the run are built from it at start: a later change
    // would leave them describing another run.
    if (group_) throw watt::Error("a run's configuration is fixed once the agent has started; restart the agent to change it");
    if (action == watt::ConfigAction::remove) {
      config_.reset();
      return;
    }
    try {
      // Nothing changes until the whole file is accepted.
      YAML::Node run = YAML::Clone(value);
      const auto pace = watt::ed::take_ms(run, "pace_ms").value_or(std::chrono::milliseconds(0));
      config_ = watt::ed::parse_run_config(run);
      pace_ = pace;
    } catch (const watt::ed::Error& e) {
      throw watt::Error(e.what());
    } catch (const YAML::Exception& e) {
      throw watt::Error(std::string("pace_ms: ") + e.what());
    }
  }

  void on_start() override {
    if (!config_) throw watt::Error("no run configuration: install the agent with --config (see docs/ed.md)");
    build_group();
    const auto& run = config_->run;
    watt::SubscribeOptions lossless;
    lossless.delivery = watt::Delivery::lossless;  // a lost iteration would stall the run
    subscribe(watt::ed::control_topic(run), [this](const watt::Envelope& e) { on_control(e); }, lossless);
    const auto remote = group_->remote_neighbours();
    if (remote.size() > max_topic_subscriptions) {
      subscribe(watt::ed::run_prefix(run) + "+", [this](const watt::Envelope& e) { on_state(e); }, lossless);
    } else {
      for (const auto& id : remote)
        subscribe(watt::ed::state_topic(run, id), [this](const watt::Envelope& e) { on_state(e); }, lossless);
    }
    every(config_->neighbour_timeout / 4, [this] { poll(); });
    log().info("run {}: hosting {} node(s), {} remote neighbour(s); waiting for the monitor's start",
               run, group_->hosted().size(), remote.size());
    say_ready();
  }

  void on_stop() override {
    if (group_) group_->stop();
  }

private:
  void build_group() {
    NodeGroup::Output out;
    out.state = [this](const StateMsg& m) { publish(watt::ed::state_topic(config_->run, m.id), m, watt::ed::dispatch_options()); };
    out.control = [this](const ControlMsg& m) {
      log().warn("run {}: {} lost (no iteration {} within {} ms); re-forming without them", config_->run,
                 watt::ed::join_ids(m.nodes), m.k, config_->neighbour_timeout.count());
      publish(watt::ed::control_topic(config_->run), m, watt::ed::dispatch_options());
    };
    group_ = std::make_unique<NodeGroup>(*config_, std::move(out), pace_);
  }


  void say_ready() {
    ControlMsg ready;
    ready.type = "ready";
    ready.nodes = group_->hosted();
    publish(watt::ed::control_topic(config_->run), ready, watt::ed::dispatch_options());
  }

  void on_control(const watt::Envelope& e) {
    ControlMsg msg;
    if (!watt::ed::decode_body(e, msg, bad_, log())) return;
    const auto now = NodeGroup::Clock::now();
    if (msg.type == "roll") {
      if (!started_) say_ready();
    } else if (msg.type == "start") {
      if (started_) return;
      started_ = true;
      log().info("run {}: started by {}", config_->run, e.sender);
      group_->start(now);
      after_step();
    } else if (msg.type == "lost") {
      if (e.sender == identity()) return;  // our own notice, already applied
      const bool news = std::any_of(msg.nodes.begin(), msg.nodes.end(), [&](const auto& id) { return group_->lost().count(id) == 0; });
      if (news && group_->running())
        log().warn("run {}: {} lost (noticed by {}: {}); re-forming without them", config_->run, watt::ed::join_ids(msg.nodes),
                   msg.detected_by, msg.reason);
      group_->on_lost(msg.nodes, now);
      after_step();
    } else if (msg.type == "stop") {
      if (group_->running()) log().info("run {}: stopped by {}: {}", config_->run, e.sender, msg.reason);
      group_->stop();
    }
  }

  void on_state(const watt::Envelope& e) {
    const auto last = watt::ed::last_segment(e.topic);
    if (last == "control" || last == "status" || last == "result") return;  // under the wildcard
    StateMsg msg;
    if (!watt::ed::decode_body(e, msg, bad_, log())) return;
    if (msg.id != last) {
      if (bad_.count("id")) log().warn("{}: state for '{}' published on {} ({} so far); dropped", e.sender, msg.id, e.topic, bad_.total("id"));
      return;
    }
    group_->on_state(msg, NodeGroup::Clock::now());
    after_step();
  }


  void poll() {
    if (group_) after_step();
  }

  // Health follows the run; a paced node asks to be woken for its next step.
  void after_step() {
    if (!group_->error().empty() && !reported_error_) {
      reported_error_ = true;
      log().error("run {}: {}", config_->run, group_->error());
      set_health(watt::Health::bad, group_->error());
    }
    const auto next = group_->poll(NodeGroup::Clock::now());
    if (!next || (wake_ && *wake_ <= *next)) return;
    wake_ = *next;
    after(*next - NodeGroup::Clock::now(), [this] {
      wake_.reset();
      poll();
    });
  }


  std::optional<watt::ed::RunConfig> config_;
  std::chrono::milliseconds pace_{0};
  std::unique_ptr<NodeGroup> group_;
  std::optional<NodeGroup::Clock::time_point> wake_;
  watt::detail::LogLimiter bad_;
  bool started_ = false;
  bool reported_error_ = false;
};

}  // namespace

WATT_AGENT(EdNode)
