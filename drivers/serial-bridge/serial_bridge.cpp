// Serial bridge agent: puts every serial node of a lab on the bus. All ports
// run on one Boost.Asio io_context on one worker thread; frames reach the
// agent thread through post(), and bus messages for a node reach the io
// thread through boost::asio::post.
#include "bridge_config.hpp"
#include "node_messages.hpp"
#include "topic_rules.hpp"

#include "link/serial_link.hpp"

#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using watt::serial::LinkState;

// What `status` answers for one port.
struct PortStatus {
  std::string node, role, device, prefix, state, reason;
  std::vector<std::string> subscriptions;         // static and requested, as bus patterns
  std::map<std::string, std::uint64_t> counters;  // the bridge's and the link's
  std::map<std::string, std::uint64_t> refused;   // per kind of bad request
  MSGPACK_DEFINE_MAP(node, role, device, prefix, state, reason, subscriptions, counters, refused)
};

std::map<std::string, std::uint64_t> link_counters(const watt::serial::LinkCounters& c) {
  return {{"rx_frames", c.rx.frames},
          {"rx_bad_cobs", c.rx.bad_cobs},
          {"rx_too_short", c.rx.too_short},
          {"rx_oversize", c.rx.oversize},
          {"rx_bad_crc", c.rx.bad_crc},
          {"rx_bad_type", c.rx.bad_type},
          {"rx_bytes_discarded", c.rx.bytes_discarded},
          {"rx_gaps", c.rx.gaps},
          {"rx_duplicates", c.rx.duplicates},
          {"tx_frames", c.tx_frames},
          {"tx_dropped", c.tx_dropped},
          {"tx_refused", c.tx_refused},
          {"opens", c.opens},
          {"open_failures", c.open_failures},
          {"read_errors", c.read_errors},
          {"write_errors", c.write_errors}};
}

class SerialBridge : public watt::Agent {
public:
  ~SerialBridge() override { teardown(); }

  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (name != "config") return;  // other stored files are not ours to read
    if (action == watt::ConfigAction::remove) {
      log().warn("configuration removed: keeping the ports of the previous one");
      return;
    }
    auto config = watt::serial::parse_bridge_config(value);  // throws watt::Error naming the field
    config_ = std::move(config);
    if (started_) {  // a live change: reopen everything with the new ports
      teardown();
      setup();
    }
  }

  void on_start() override {
    if (!config_) throw watt::Error("no configuration: 'lab' and 'ports' are required");
    started_ = true;
    export_method("status", [this] { return status(); });
    setup();
    // Damaged bytes are counted by the links on the io thread; look at them
    // now and then so that a noisy line shows in the log too.
    every(std::chrono::seconds(2), [this] { check_line_errors(); });
  }

  void on_stop() override { teardown(); }

private:
  struct Port {
    watt::serial::PortConfig config;
    std::unique_ptr<watt::serial::SerialLink> link;  // the io thread's alone while it runs
    // The rest belongs to the agent thread.
    bool active = true;
    LinkState state = LinkState::opening;
    std::string reason;
    std::vector<watt::SubscriptionId> fixed;
    std::map<std::string, watt::SubscriptionId> requested;  // bus pattern → subscription
    std::map<std::string, std::uint64_t> counters;          // frames_in, published, delivered
    std::map<std::string, std::uint64_t> refused;
    std::uint64_t line_errors_seen = 0;
  };
  using PortPtr = std::shared_ptr<Port>;

  void setup() {
    io_ = std::make_unique<boost::asio::io_context>(1);
    work_.emplace(io_->get_executor());
    for (const auto& pc : config_->ports) {
      auto port = std::make_shared<Port>();
      port->config = pc;
      std::weak_ptr<Port> weak = port;
      watt::serial::LinkCallbacks callbacks;
      // Both run on the io thread: copy, and hand over to the agent thread.
      callbacks.on_frame = [this, weak](const watt::serial::Frame& frame) {
        if (auto p = weak.lock()) post([this, p, payload = frame.payload] { on_node_frame(p, payload); });
      };
      callbacks.on_state = [this, weak](LinkState state, const std::string& reason) {
        if (auto p = weak.lock()) post([this, p, state, reason] { on_link_state(p, state, reason); });
      };
      port->link = std::make_unique<watt::serial::SerialLink>(*io_, pc.settings, pc.options, std::move(callbacks));
      for (const auto& pattern : pc.subscribe) port->fixed.push_back(subscribe_for(port, pattern));
      port->link->start();  // opens from the io_context once the thread runs it
      ports_.push_back(std::move(port));
    }
    thread_ = std::thread([this, io = io_.get()] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          // A callback threw: keep the other ports running.
          post([this, what = std::string(e.what())] { log().error("serial io thread: {}", what); });
        }
      }
    });
    log().info("bridging {} ports of lab {}", ports_.size(), config_->lab);
  }

  void teardown() {
    if (!io_) return;
    for (auto& p : ports_) {
      p->active = false;
      for (auto id : p->fixed) unsubscribe(id);
      for (auto& [pattern, id] : p->requested) unsubscribe(id);
      p->fixed.clear();
      p->requested.clear();
    }
    boost::asio::post(*io_, [ports = ports_] {
      for (const auto& p : ports) p->link->stop();
    });
    work_.reset();
    if (thread_.joinable()) thread_.join();
    // Pending agent-thread work may still hold a Port: the links go now,
    // while their io_context exists.
    for (auto& p : ports_) p->link.reset();
    ports_.clear();
    io_.reset();
  }

  static bool is_static(const Port& port, const std::string& pattern) {
    const auto wanted = watt::normalize_pattern(pattern);
    return std::any_of(port.config.subscribe.begin(), port.config.subscribe.end(),
                       [&](const std::string& p) { return watt::normalize_pattern(p) == wanted; });
  }

  watt::SubscriptionId subscribe_for(const PortPtr& port, const std::string& pattern) {
    return subscribe(pattern, [this, port](const watt::Envelope& e) {
      if (!port->active) return;
      send_to_node(port, watt::serial::encode_bus_message(e.topic, e.sender, e.body.bytes()));
      ++port->counters["delivered"];
    });
  }

  void send_to_node(const PortPtr& port, std::string bytes) {
    boost::asio::post(*io_, [port, bytes = std::move(bytes)] {
      if (port->link) port->link->send_data({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    });
  }

  void on_node_frame(const PortPtr& port, const std::vector<std::uint8_t>& payload) {
    if (!port->active) return;
    ++port->counters["frames_in"];
    auto parsed = watt::serial::parse_request(payload);
    if (!parsed.request) return refuse(port, parsed.kind, parsed.detail, payload);
    const auto& r = *parsed.request;
    const bool pattern = r.op != watt::serial::RequestOp::pub;
    const auto name = watt::serial::resolve_name(port->config.prefix, r.name, pattern);
    if (!name.error.empty()) return refuse(port, "bad topic", name.error, payload);
    switch (r.op) {
      case watt::serial::RequestOp::pub:
        if (name.absolute && !watt::serial::covered_by_any(port->config.allow_publish, name.topic))
          return refuse(port, "publish not allowed", "may not publish to '" + name.topic + "'", payload);
        if (watt::serial::reserved_for_bridge(port->config.prefix, name.topic))
          return refuse(port, "reserved topic", "'link' and all below it are the bridge's topics", payload);
        try {
          watt::PublishOptions options;
          if (r.priority) options.priority = *r.priority;
          publish_value(name.topic, watt::Value::from_msgpack_unchecked(std::string(r.body)), options);
        } catch (const watt::Error& e) {
          return refuse(port, "publish failed", e.what(), payload);
        }
        ++port->counters["published"];
        return;
      case watt::serial::RequestOp::sub:
        // Asking again (after a node's restart, say) is fine, and so is asking
        // for a static subscription: either would send each message twice.
        if (port->requested.contains(name.topic) || is_static(*port, name.topic)) return;
        if (name.absolute && !watt::serial::covered_by_any(port->config.allow_subscribe, name.topic))
          return refuse(port, "subscribe not allowed", "may not subscribe to '" + name.topic + "'", payload);
        if (port->requested.size() >= port->config.max_subscriptions)
          return refuse(port, "too many subscriptions",
                        "at most " + std::to_string(port->config.max_subscriptions) + " subscriptions", payload);
        port->requested.emplace(name.topic, subscribe_for(port, name.topic));
        return;
      case watt::serial::RequestOp::unsub:
        if (auto it = port->requested.find(name.topic); it != port->requested.end()) {
          unsubscribe(it->second);
          port->requested.erase(it);
        }
        return;
    }
  }

  // Counted, logged on the 1st, 10th, 100th… time per node and kind, and
  // answered with an error frame; nothing is published.
  void refuse(const PortPtr& port, const std::string& kind, const std::string& detail,
              const std::vector<std::uint8_t>& payload) {
    const auto n = ++port->refused[kind];
    if (limiter_.count(port->config.node + "/" + kind))
      log().warn("node {}: refused ({}): {} [{} so far]", port->config.node, kind, detail, n);
    auto frame = watt::serial::encode_error(detail, payload);
    if (frame.size() > watt::serial::default_max_payload)  // the request itself was near the limit
      frame = watt::serial::encode_error(detail, {});
    send_to_node(port, std::move(frame));
  }

  void on_link_state(const PortPtr& port, LinkState state, const std::string& reason) {
    if (!port->active) return;
    port->state = state;
    port->reason = reason;
    log().info("node {} ({}): {}{}{}", port->config.node, port->config.settings.device, to_string(state),
               reason.empty() ? "" : ": ", reason);
    try {
      publish_value(port->config.prefix + "/link",
                    watt::Value::from_msgpack_unchecked(watt::serial::encode_link_state(to_string(state), reason)));
    } catch (const watt::Error& e) {
      log().error("could not publish the link state of {}: {}", port->config.node, e.what());
    }
    update_health();
  }

  void update_health() {
    std::string down;
    std::size_t up = 0;
    for (const auto& p : ports_) {
      if (p->state == LinkState::up) ++up;
      if (p->state != LinkState::down) continue;
      down += (down.empty() ? "down: " : ", ") + p->config.node + " (" + p->reason + ")";
    }
    if (!down.empty())
      set_health(watt::Health::bad, down);
    else
      set_health(watt::Health::good, std::to_string(up) + " of " + std::to_string(ports_.size()) + " nodes up");
  }

  // The link counters live on the io thread: ask it, and wait (it never
  // waits for this thread, so this cannot deadlock).
  std::optional<std::vector<watt::serial::LinkCounters>> link_snapshot() {
    if (!io_) return std::nullopt;
    auto promise = std::make_shared<std::promise<std::vector<watt::serial::LinkCounters>>>();
    auto future = promise->get_future();
    boost::asio::post(*io_, [promise, ports = ports_] {
      std::vector<watt::serial::LinkCounters> out;
      out.reserve(ports.size());
      for (const auto& p : ports) out.push_back(p->link ? p->link->counters() : watt::serial::LinkCounters{});
      promise->set_value(std::move(out));
    });
    if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

  std::vector<PortStatus> status() {
    const auto links = link_snapshot();
    std::vector<PortStatus> out;
    for (std::size_t i = 0; i < ports_.size(); ++i) {
      const auto& p = *ports_[i];
      PortStatus s{p.config.node,      p.config.role, p.config.settings.device, p.config.prefix,
                   to_string(p.state), p.reason,      p.config.subscribe,       {},
                   p.refused};
      for (const auto& [pattern, id] : p.requested) s.subscriptions.push_back(pattern);
      if (links) s.counters = link_counters((*links)[i]);
      for (const auto& [k, v] : p.counters) s.counters[k] = v;
      out.push_back(std::move(s));
    }
    return out;
  }

  void check_line_errors() {
    const auto links = link_snapshot();
    if (!links) return;
    for (std::size_t i = 0; i < ports_.size(); ++i) {
      auto& p = *ports_[i];
      const auto dropped = (*links)[i].rx.dropped();
      if (dropped == p.line_errors_seen) continue;
      if (limiter_.count(p.config.node + "/damaged frames"))
        log().warn("node {}: damaged frames on the line ({} in all; `status` has them by kind)", p.config.node,
                   dropped);
      p.line_errors_seen = dropped;
    }
  }

  std::optional<watt::serial::BridgeConfig> config_;
  bool started_ = false;
  std::unique_ptr<boost::asio::io_context> io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::vector<PortPtr> ports_;
  watt::LogLimiter limiter_;
};

}  // namespace

WATT_AGENT(SerialBridge)
