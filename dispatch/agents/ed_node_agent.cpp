// ed-node: one or many consensus economic-dispatch nodes as one agent. Each
// node publishes ed/<run>/<node> every iteration and steps only once it has
// iteration k from every neighbour; nodes hosted together hand each other
// their values directly, so a 1,000-node run needs a handful of processes,
// not a thousand. The mathematics is in core/, the bookkeeping in NodeGroup,
// the run's traffic in NodeRunner; this is only their seat on the bus.
#include "ed_node_agent.hpp"

#include <watt/ed/error.hpp>
#include "agent_support.hpp"

namespace watt::ed {

void EdNodeAgent::on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) {
  take_run_config(name, action, value, runner_ != nullptr, config_, "pace_ms", [this](YAML::Node& run) {
    const auto pace = take_ms(run, "pace_ms").value_or(std::chrono::milliseconds(0));
    config_ = parse_run_config(run);
    pace_ = pace;
  });
}

void EdNodeAgent::on_start() {
  if (!config_) throw watt::Error("no run configuration: install the agent with --config (see docs/ed.md)");
  NodeRunner::Transport transport;
  transport.publish = [this](const std::string& topic, std::string body) {
    publish_value(topic, watt::Value::from_msgpack_unchecked(std::move(body)), dispatch_options());
  };
  transport.log = [this](NodeRunner::Level level, const std::string& line) {
    switch (level) {
      case NodeRunner::Level::info: log().info("{}", line); break;
      case NodeRunner::Level::warn: log().warn("{}", line); break;
      case NodeRunner::Level::error: log().error("{}", line); break;
    }
  };
  try {
    runner_ = std::make_unique<NodeRunner>(*config_, pace_, std::move(transport));
  } catch (const Error& e) {
    throw watt::Error(e.what());
  }
  watt::SubscribeOptions lossless;
  lossless.delivery = watt::Delivery::lossless;  // a lost iteration would stall the run
  const auto topics = runner_->subscriptions();
  for (const auto& topic : topics)
    subscribe(
        topic,
        [this](const watt::Envelope& e) {
          runner_->on_message(e.topic, e.sender, e.body.bytes(), NodeRunner::Clock::now());
          poll();
        },
        lossless);
  every(runner_->poll_period(), [this] { poll(); });
  log().info("run {}: hosting {} node(s) on {} subscription(s); waiting for the monitor's start", config_->run,
             runner_->group().hosted().size(), topics.size());
  runner_->announce();
}

void EdNodeAgent::on_stop() {
  if (runner_) runner_->stop();
}

// Health follows the run; a paced node asks to be woken for its next step.
void EdNodeAgent::poll() {
  const auto next = runner_->poll(NodeRunner::Clock::now());
  if (runner_->finished() && !reported_) {
    reported_ = true;
    if (!runner_->error().empty()) set_health(watt::Health::bad, runner_->error());
    if (stop_when_finished_) stop();
  }
  if (!next || (wake_ && *wake_ <= *next)) return;
  wake_ = *next;
  after(*next - NodeRunner::Clock::now(), [this] {
    wake_.reset();
    poll();
  });
}

}  // namespace watt::ed
