// A host of dispatch nodes on any transport: see node_runner.hpp.
#include <watt/ed/node_runner.hpp>

#include <watt/ed/messages.hpp>

#include <msgpack.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

namespace watt::ed {

namespace {

template <class T>
std::string pack(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  return {buffer.data(), buffer.size()};
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace

NodeRunner::NodeRunner(RunConfig config, std::chrono::milliseconds pace, Transport transport)
    : transport_(std::move(transport)),
      group_(std::move(config),
             NodeGroup::Output{
                 [this](const StateMsg& m) { transport_.publish(state_topic(group_.config().run, m.id), pack(m)); },
                 [this](const ControlMsg& m) {
                   log(Level::warn, "run " + group_.config().run + ": " + join_ids(m.nodes) + " lost (no iteration " +
                                        std::to_string(m.k) + " within " +
                                        std::to_string(group_.config().neighbour_timeout.count()) +
                                        " ms); re-forming without them");
                   transport_.publish(control_topic(group_.config().run), pack(m));
                 }},
             pace) {}

std::vector<std::string> NodeRunner::subscriptions() const {
  const auto& run = config().run;
  std::vector<std::string> topics{control_topic(run)};
  const auto remote = group_.remote_neighbours();
  if (remote.size() + 1 > max_subscriptions) {
    topics.push_back(run_prefix(run) + "+");
  } else {
    for (const auto& id : remote) topics.push_back(state_topic(run, id));
  }
  return topics;
}

void NodeRunner::announce() {
  ControlMsg ready;
  ready.type = "ready";
  ready.nodes = group_.hosted();
  transport_.publish(control_topic(config().run), pack(ready));
}

void NodeRunner::on_message(const std::string& topic, const std::string& sender, std::string_view msgpack,
                            Clock::time_point now) {
  const auto prefix = run_prefix(config().run);
  const auto name = topic.compare(0, prefix.size(), prefix) == 0 ? topic.substr(prefix.size()) : std::string();
  if (name.empty() || name.find('/') != std::string::npos) {
    drop("topic", topic + " from " + sender + ": not a topic of run " + config().run);
  } else if (name == "control") {
    on_control(sender, msgpack, topic, now);
  } else if (name != "status" && name != "result") {  // both arrive under the wildcard
    on_state(name, msgpack, topic, now);
  }
  if (!group_.error().empty() && !finished_) finish(Level::error, group_.error());
}

std::optional<NodeRunner::Clock::time_point> NodeRunner::poll(Clock::time_point now) {
  auto next = group_.poll(now);
  if (!group_.error().empty() && !finished_) finish(Level::error, group_.error());
  return next;
}

void NodeRunner::leave(const std::string& why) {
  group_.stop();
  if (!finished_) finish(Level::error, why);
}

void NodeRunner::on_control(const std::string& sender, std::string_view body, const std::string& topic,
                            Clock::time_point now) {
  ControlMsg msg;
  if (!decode(body, msg, topic, sender)) return;
  const auto& run = config().run;
  if (msg.type == "roll") {
    if (!started_) announce();
  } else if (msg.type == "start") {
    if (started_) return;
    started_ = true;
    log(Level::info, "run " + run + ": started by " + sender);
    group_.start(now);
  } else if (msg.type == "lost") {
    // Our own notice comes back too; on_lost ignores what it already knows.
    const bool news =
        std::any_of(msg.nodes.begin(), msg.nodes.end(), [&](const auto& id) { return group_.lost().count(id) == 0; });
    if (news && group_.running())
      log(Level::warn, "run " + run + ": " + join_ids(msg.nodes) + " lost (noticed by " + msg.detected_by + ": " +
                           msg.reason + "); re-forming without them");
    group_.on_lost(msg.nodes, now);
  } else if (msg.type == "stop") {
    group_.stop();
    if (!finished_) finish(Level::info, "stopped by " + sender + ": " + msg.reason);
  } else if (msg.type != "ready") {
    drop("control type", topic + " from " + sender + ": unknown type '" + msg.type + "'");
  }
}

void NodeRunner::on_state(const std::string& node, std::string_view body, const std::string& topic,
                          Clock::time_point now) {
  StateMsg msg;
  if (!decode(body, msg, topic, "")) return;
  if (msg.id != node) {
    drop("id", topic + ": carries the state of '" + msg.id + "'");
    return;
  }
  group_.on_state(msg, now);
}

// Bodies come from other peers. Their size is bounded by the transport (the
// bus's message limit, a serial frame); the nesting is bounded here, so a
// hostile body costs a counter, not the stack. A start or lost notice lists
// node ids, as many as the run has.
template <class T>
bool NodeRunner::decode(std::string_view body, T& out, const std::string& topic, const std::string& sender) {
  try {
    std::size_t offset = 0;
    const auto handle = msgpack::unpack(body.data(), body.size(), offset, nullptr, nullptr,
                                        msgpack::unpack_limit(1u << 20, 1u << 20, 1u << 20, 1u << 20, 1u << 20, 8));
    if (offset != body.size()) throw std::runtime_error("bytes after the value");
    handle.get().convert(out);
    return true;
  } catch (const std::exception& e) {
    drop("body " + topic, topic + (sender.empty() ? "" : " from " + sender) + ": undecodable body: " + e.what());
    return false;
  }
}

void NodeRunner::drop(const std::string& kind, const std::string& line) {
  ++dropped_;
  if (drops_.count(kind)) log(Level::warn, line + " (" + std::to_string(drops_.total(kind)) + " so far; dropped)");
}

// One line an operator can read the outcome from: where the hosted nodes
// stopped (for many, the first few).
void NodeRunner::finish(Level level, std::string why) {
  finished_ = true;
  stop_reason_ = std::move(why);
  if (level == Level::error) error_ = stop_reason_;
  std::string where;
  const auto hosted = group_.hosted();
  constexpr std::size_t shown = 4;
  for (std::size_t i = 0; i < hosted.size() && i < shown; ++i) {
    const auto& s = group_.state_of(hosted[i]);
    where += (where.empty() ? "" : ", ") + hosted[i] + " P " + fixed(s.p, 1) + " kW, lambda " + fixed(s.lambda, 4);
  }
  if (hosted.size() > shown) where += " and " + std::to_string(hosted.size() - shown) + " more";
  log(level, "run " + config().run + ": " + stop_reason_ + "; " + where);
}

void NodeRunner::log(Level level, const std::string& line) const {
  if (transport_.log) transport_.log(level, line);
}

}  // namespace watt::ed
