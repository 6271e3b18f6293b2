// A participant's end of seed 000's messages on the bus (docs/trading.md, On
// the bus): each type sent with Table II's priority and its maximum delay as
// the envelope's deadline, on the type's own topic; received and decoded as
// the type; and for each type the latency from publish to handling (p50,
// p99, maximum) and the deadline misses, to report beside Table II.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/trading/bess_messages.hpp>

#include <msgpack.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace watt::trading {

// One message type's traffic as one participant (or the broker) saw it.
struct TypeStats {
  std::string type;  // Table I's name
  std::uint32_t priority = 0;
  double max_delay_ms = 0;  // Table II
  std::uint64_t sent = 0, received = 0, undecodable = 0;
  std::uint64_t forged = 0;                   // a body whose `from` is not its sender: dropped
  std::uint64_t unsent = 0;                   // to an identity no topic can name: refused here
  std::uint64_t missed = 0;                   // arrived past the deadline: dropped unhandled
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // publish to handling, of those handled
  MSGPACK_DEFINE_MAP(type, priority, max_delay_ms, sent, received, undecodable, forged, unsent, missed, p50_ms, p99_ms,
                     max_ms)
};

// Misses per type among counts by topic (Endpoint::missed_deadlines, the
// broker's expired_topics); other topics are left out.
template <class Map>
std::array<std::uint64_t, msg_types> misses_by_type(const Map& by_topic, std::string_view market) {
  std::array<std::uint64_t, msg_types> out{};
  for (const auto& [topic, n] : by_topic)
    if (const auto t = type_of_topic(market, topic)) out[static_cast<std::size_t>(*t)] += n;
  return out;
}

// Latencies of one type: the most recent `capacity` of them.
class LatencySamples {
public:
  explicit LatencySamples(std::size_t capacity = 1 << 16) : capacity_(capacity) {}
  void add(double ms);
  std::uint64_t count() const noexcept { return count_; }
  double percentile(double p) const;  // 0 with no sample
  double max() const noexcept { return max_; }

private:
  std::size_t capacity_;
  std::vector<double> ms_;
  std::uint64_t count_ = 0;
  double max_ = 0;
};

class Link {
public:
  // As participant `self` of market `market`, on `ep` (an agent, a client).
  Link(Endpoint& ep, std::string market, std::string self);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  const std::string& self() const noexcept { return self_; }
  const std::string& market() const noexcept { return market_; }

  // To one participant (a multicast type goes to the group all the same).
  // False, counted and logged, never thrown, when `to` cannot be a topic
  // level: one bad identity must not stop a loop sending to many.
  template <class M>
  bool send(std::string_view to, MsgType t, const M& body) {
    return send_value(spec(t).multicast ? group_topic(market_, t) : unicast_topic(market_, to, t), t, Value::of(body));
  }
  template <class M>
  bool multicast(MsgType t, const M& body) {
    return send_value(group_topic(market_, t), t, Value::of(body));
  }
  // Handles type t: the group's messages for a multicast type (its own
  // left out), those addressed to this participant otherwise. A body that
  // is not an M, or whose `from` is not the peer that sent it (the broker
  // stamps the sender), is counted and logged, never handled.
  template <class M>
  void on(MsgType t, std::function<void(const M&)> handler) {
    subscribe(t, [this, t, h = std::move(handler)](const Envelope& e) {
      M m;
      if (!decode_body(e, t, m)) {
        ++counters_[index(t)].undecodable;
        return;
      }
      if (m.from != e.sender) {
        forged(e, t, m.from);
        return;
      }
      h(m);
    });
  }

  // Every type's counts, in Table I's order; `missed` from the endpoint's
  // own count of deadline misses.
  std::vector<TypeStats> stats() const;

private:
  struct Counters {
    std::uint64_t sent = 0, received = 0, undecodable = 0, forged = 0, unsent = 0;
    LatencySamples latency;
  };
  static std::size_t index(MsgType t) { return static_cast<std::size_t>(t); }
  bool send_value(const std::string& topic, MsgType t, const Value& body);
  void forged(const Envelope& e, MsgType t, const std::string& from);
  void subscribe(MsgType t, std::function<void(const Envelope&)> handle);
  template <class M>
  bool decode_body(const Envelope& e, MsgType t, M& out);

  Endpoint& ep_;
  std::string market_, self_;
  std::array<Counters, msg_types> counters_;
  std::vector<SubscriptionId> subscriptions_;
  LogLimiter bad_;
};

template <class M>
bool Link::decode_body(const Envelope& e, MsgType t, M& out) {
  try {
    out = e.body.as<M>();
    return true;
  } catch (const Error& err) {
    if (bad_.count(e.topic))
      ep_.log().warn("{} from {}: not a {} ({} so far): {}", e.topic, e.sender, spec(t).name, bad_.total(e.topic),
                     err.what());
    return false;
  }
}

}  // namespace watt::trading
