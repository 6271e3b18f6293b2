#include <watt/clock.hpp>
#include <watt/trading/link.hpp>

#include <algorithm>

namespace watt::trading {

void LatencySamples::add(double ms) {
  if (ms_.size() < capacity_)
    ms_.push_back(ms);
  else
    ms_[count_ % capacity_] = ms;
  ++count_;
  max_ = std::max(max_, ms);
}

double LatencySamples::percentile(double p) const {
  if (ms_.empty()) return 0;
  auto sorted = ms_;
  const auto at = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at), sorted.end());
  return sorted[at];
}

Link::Link(Endpoint& ep, std::string market, std::string self)
    : ep_(ep), market_(std::move(market)), self_(std::move(self)) {}

// Its handlers hold `this`: they go with it.
Link::~Link() {
  for (const auto id : subscriptions_) ep_.unsubscribe(id);
}

bool Link::send_value(const std::string& topic, MsgType t, const Value& body) {
  const auto& s = spec(t);
  PublishOptions o;
  o.priority = s.priority;
  o.max_delay = s.max_delay;
  try {
    ep_.publish_value(topic, body, o);
  } catch (const Error& e) {
    ++counters_[index(t)].unsent;
    if (bad_.count("unsent"))
      ep_.log().warn("{} not sent ({} so far): {}", spec(t).name, bad_.total("unsent"), e.what());
    return false;
  }
  ++counters_[index(t)].sent;
  return true;
}

void Link::forged(const Envelope& e, MsgType t, const std::string& from) {
  ++counters_[index(t)].forged;
  if (bad_.count("forged:" + e.sender))
    ep_.log().warn("{} from {} claims to be from '{}': dropped ({} so far)", spec(t).name, e.sender, from,
                   bad_.total("forged:" + e.sender));
}

void Link::subscribe(MsgType t, std::function<void(const Envelope&)> handle) {
  const auto topic = spec(t).multicast ? group_topic(market_, t) : unicast_topic(market_, self_, t);
  subscriptions_.push_back(ep_.subscribe(topic, [this, t, h = std::move(handle)](const Envelope& e) {
    if (e.sender == ep_.identity()) return;  // its own multicast
    auto& c = counters_[index(t)];
    ++c.received;
    c.latency.add(static_cast<double>(now_ns() - e.timestamp_ns) / 1e6);
    h(e);
  }));
}

std::vector<TypeStats> Link::stats() const {
  const auto misses = misses_by_type(ep_.missed_deadlines(), market_);
  std::vector<TypeStats> out;
  for (const auto& s : msg_specs()) {
    const auto& c = counters_[index(s.type)];
    out.push_back({std::string(s.name), s.priority, static_cast<double>(s.max_delay.count()), c.sent, c.received,
                   c.undecodable, c.forged, c.unsent, misses[index(s.type)], c.latency.percentile(50),
                   c.latency.percentile(99), c.latency.max()});
  }
  return out;
}

}  // namespace watt::trading
