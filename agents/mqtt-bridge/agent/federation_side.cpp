#include "federation_side.hpp"

#include <watt/mqtt/payload.hpp>
#include <watt/topic.hpp>

#include <charconv>
#include <random>

namespace watt::mqtt {
namespace {

// Nanoseconds since the epoch, as envelopes' timestamps and deadlines are.
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What is left of a deadline; `fallback` when there is none.
std::chrono::milliseconds remaining(std::int64_t deadline_ns, std::chrono::milliseconds fallback) {
  if (deadline_ns == 0) return fallback;
  return std::chrono::milliseconds((deadline_ns - now_ns()) / 1'000'000);
}

}  // namespace

FederationSide::FederationSide(Federation settings, std::string client_id, Endpoint& bus, Send send, SendNow send_now)
    : fed_(std::move(settings)),
      client_id_(std::move(client_id)),
      bus_(bus),
      send_(std::move(send)),
      send_now_(std::move(send_now)) {
  // A random prefix per instance: an answer meant for a call made before a
  // restart or a change of configuration never completes a newer one, and
  // nobody on the broker can guess the next correlation.
  std::random_device rd;
  instance_ = std::to_string((static_cast<std::uint64_t>(rd()) << 32) | rd()) + "-";
  SubscribeOptions o;
  o.delivery = fed_.qos == 1 ? Delivery::lossless : Delivery::best_effort;
  for (const auto& pattern : fed_.exports)
    exports_.push_back(bus_.subscribe(
        pattern, [this](const Envelope& e) { on_local(e); }, o));
  // The broker sends calls to "<platform>/<agent>" here when config.yml
  // names this bridge its gateway (broker.gateway).
  bus_.serve_remote_calls([this](const RemoteCall& c, Reply r) { call_out(c, std::move(r)); });
}

FederationSide::~FederationSide() {
  for (const auto id : exports_) bus_.unsubscribe(id);
  bus_.serve_remote_calls({});
  for (auto& [id, p] : pending_) {
    bus_.cancel(p.timer);
    p.reply.fail(ErrorCode::shutting_down, "the federation bridge is stopping");
  }
}

void FederationSide::on_local(const Envelope& e) {
  if (e.sender == bus_.identity()) return;  // came from another platform: never back out
  const WireMessage w{
      fed_.platform + "/" + e.sender, e.priority, e.content_type, e.body.bytes(), e.timestamp_ns, e.deadline_ns};
  send_(Outgoing{0, export_topic(fed_, e.topic), pack(w), fed_.qos, false});
  ++counts_.exported;
}

bool FederationSide::take(const std::string& topic, const std::string& payload, const MessageProps& props) {
  const auto t = parse_topic(fed_, topic);
  if (!t) return false;
  const bool mine = t->platform == fed_.platform;
  if (t->kind == FederationTopic::Kind::bus && !mine) on_import(*t, payload);
  if (t->kind == FederationTopic::Kind::call && mine) on_call(*t, payload, props);
  if (t->kind == FederationTopic::Kind::reply && mine && t->rest == client_id_) on_answer(payload, props);
  return true;
}

void FederationSide::on_import(const FederationTopic& t, const std::string& payload) {
  try {
    if (auto err = topic_error(t.rest); !err.empty()) throw PayloadError("not a bus topic: " + err);
    const auto w = unpack<WireMessage>(payload, "message");
    auto body = Value::from_msgpack(w.body);
    PublishOptions o;
    o.priority = w.priority;
    o.content_type = w.content_type;
    if (w.deadline_ns != 0) {
      const auto left = w.deadline_ns - now_ns();
      if (left <= 0) {
        ++counts_.expired;  // as the broker drops what expired in its queues
        return;
      }
      o.max_delay = std::chrono::nanoseconds(left);
    }
    bus_.publish_value(t.rest, body, o);
    ++counts_.imported;
  } catch (const std::exception& e) {
    ++counts_.refused;
    if (limiter_.count("import")) bus_.log().warn("federation: {} from {}: {}", t.rest, t.platform, e.what());
  }
}

void FederationSide::on_call(const FederationTopic& t, const std::string& payload, const MessageProps& props) {
  if (props.response_topic.empty() || props.correlation.empty()) {
    if (limiter_.count("call"))
      bus_.log().warn("federation: a call to {} with no response topic or correlation", t.rest);
    return;
  }
  ++counts_.calls_in;
  WireCall c;
  try {
    c = unpack<WireCall>(payload, "call");
  } catch (const std::exception& e) {
    answer(props, WireAnswer{false, {}, std::string(to_string(ErrorCode::bad_args)), e.what()});
    return;
  }
  if (!serves(fed_, t.rest)) {
    answer(props,
           WireAnswer{false,
                      {},
                      std::string(to_string(ErrorCode::unauthorized)),
                      "platform " + fed_.platform + " serves no calls to '" + t.rest + "' from other platforms"});
    return;
  }
  const auto left = remaining(c.deadline_ns, fed_.call_timeout);
  if (left.count() <= 0) return;  // its caller has given up already
  Value args;
  try {
    args = Value::from_msgpack(c.args);
  } catch (const std::exception& e) {
    answer(props, WireAnswer{false, {}, std::string(to_string(ErrorCode::bad_args)), e.what()});
    return;
  }
  CallOptions o;
  o.timeout = left;
  bus_.call_value(o, t.rest, c.method, args).then([this, props, alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
    if (alive.expired()) return;
    if (r.ok())
      answer(props, WireAnswer{true, r.value().bytes(), {}, {}});
    else
      answer(props, WireAnswer{false, {}, std::string(to_string(r.error().code)), r.error().message});
  });
}

void FederationSide::answer(const MessageProps& to, const WireAnswer& a) {
  MessageProps props;
  props.correlation = to.correlation;
  (void)send_now_(to.response_topic, pack(a), props);  // not connected: the caller's timeout tells it
}

void FederationSide::call_out(const RemoteCall& call, Reply reply) {
  const auto slash = call.target.find('/');
  const auto platform = call.target.substr(0, slash);
  const auto agent = call.target.substr(slash + 1);
  const auto left = remaining(call.deadline_ns, fed_.call_timeout);
  if (platform == fed_.platform) {
    // Not relayed: the call would reach the agent as the bridge's, with the
    // bridge's grants. A local caller calls the agent itself.
    reply.fail(ErrorCode::unknown_peer, "'" + call.target + "' is this platform's own: call '" + agent + "'");
    return;
  }
  const auto id = ++next_id_;
  WireCall c{call.method, call.args.bytes(), fed_.platform + "/" + call.caller, now_ns() + left.count() * 1'000'000};
  MessageProps props;
  props.response_topic = reply_topic(fed_, client_id_);
  props.correlation = instance_ + std::to_string(id);
  props.expiry = std::chrono::seconds(left.count() / 1000 + 1);  // not run long after its caller gave up
  if (!send_now_(call_topic(fed_, platform, agent), pack(c), props)) {
    reply.fail(ErrorCode::disconnected, "no connection to the MQTT broker: no call reaches platform " + platform);
    return;
  }
  ++counts_.calls_out;
  const auto timer = bus_.after(left, [this, id] {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    ++counts_.timeouts;
    it->second.reply.fail(ErrorCode::timeout, "no answer from " + it->second.target + " over MQTT");
    pending_.erase(it);
  });
  pending_.emplace(id, Pending{std::move(reply), timer, call.target});
}

void FederationSide::on_answer(const std::string& payload, const MessageProps& props) {
  // Ours: this instance's random prefix, then the number, and nothing else.
  std::uint64_t id = 0;
  const std::string_view c = props.correlation;
  if (!c.starts_with(instance_)) return;
  const auto* end = c.data() + c.size();
  const auto r = std::from_chars(c.data() + instance_.size(), end, id);
  if (r.ec != std::errc() || r.ptr != end) return;
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // timed out already
  bus_.cancel(it->second.timer);
  auto reply = std::move(it->second.reply);
  pending_.erase(it);
  ++counts_.answers;
  try {
    const auto a = unpack<WireAnswer>(payload, "answer");
    if (a.ok)
      reply.complete(Value::from_msgpack(a.value));
    else
      reply.fail(error_code_from_string(a.code), a.message);
  } catch (const std::exception& e) {
    reply.fail(ErrorCode::internal, std::string("an answer that does not read: ") + e.what());
  }
}

}  // namespace watt::mqtt
