// MQTT bridge: topics both ways between the bus and an MQTT broker by rules
// (docs/mqtt.md). QoS-1 traffic out waits in a SQLite queue until the broker
// acknowledges it; the connection is remade with backoff after any loss, on
// a new client each time, and the broker subscriptions are made again on
// every connection. Health is BAD while the broker cannot be reached.
#include "broker_connection.hpp"
#include "federation_side.hpp"
#include "home_assistant_side.hpp"
#include "sparkplug_side.hpp"

#include <watt/log_limiter.hpp>
#include <watt/mqtt/outbox.hpp>
#include <watt/mqtt/router.hpp>
#include <watt/mqtt/sender.hpp>
#include <watt/mqtt/settings.hpp>
#include <watt/watt.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wm = watt::mqtt;
using namespace std::chrono_literals;

namespace {

// What came in from the broker, for `status`.
struct InCounts {
  std::uint64_t received = 0;   // messages from the broker
  std::uint64_t published = 0;  // put on the bus
  std::uint64_t unrouted = 0;   // no in rule matched
  std::uint64_t refused = 0;    // a rule matched, but the topic or payload would not do
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class MqttBridge : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (name != "config") return;
    auto fresh =
        wm::parse_settings(action == watt::ConfigAction::remove ? YAML::Node() : value, identity(), data_dir());
    if (!started_) {
      settings_ = std::move(fresh);
      return;
    }
    // A live change: everything starts again with it. The queue keeps what
    // waits (a new file starts empty; the old one is left where it is).
    auto previous = std::move(settings_);
    settings_ = std::move(fresh);
    try {
      close();
      open();
    } catch (const std::exception& e) {
      settings_ = std::move(previous);
      close();
      open();
      throw watt::Error(std::string("cannot use the new configuration: ") + e.what());
    }
  }

  void on_start() override {
    started_ = true;
    if (!settings_) settings_ = wm::parse_settings(YAML::Node(), identity(), data_dir());
    open();
    export_raw("status", [this](const watt::Value&) { return watt::Value::from_json(status().dump()); });
  }

  void on_stop() override { close(); }

private:
  std::string data_dir() const { return (std::filesystem::path(watt::watt_home()) / "data" / identity()).string(); }

  void open() {
    const auto& s = *settings_;
    std::filesystem::create_directories(std::filesystem::path(s.queue.file).parent_path());
    outbox_ = std::make_unique<wm::Outbox>(s.queue.file, s.queue.capacity, s.queue.when_full);
    sender_ = std::make_unique<wm::Sender>(*outbox_, s.queue.in_flight, [this](const wm::Outgoing& m) {
      connection_->link().publish(m.topic, m.payload, m.qos, m.retain, m.id);
    });
    router_ = std::make_unique<wm::Router>(s.rules);
    if (s.home_assistant.enabled)
      home_assistant_ = std::make_unique<wm::HomeAssistantSide>(s.home_assistant, *this,
                                                                [this](wm::Outgoing m) { send(std::move(m)); });
    if (s.federation.enabled)
      federation_ = std::make_unique<wm::FederationSide>(
          s.federation, s.broker.client_id, *this, [this](wm::Outgoing m) { send(std::move(m)); },
          [this](const std::string& topic, const std::string& payload, const wm::MessageProps& props) {
            if (!connected_) return false;
            // QoS 0: a call runs at most once (QoS 1 could run it twice
            // after a reconnect), its timeout covers a loss, and with no
            // PUBACK to write first no answer waits on Nagle's algorithm.
            connection_->link().publish(topic, payload, 0, false, -1, props);
            return true;
          });
    if (s.sparkplug.enabled) {
      std::filesystem::create_directories(data_dir());
      sparkplug_ = std::make_unique<wm::SparkplugSide>(
          s.sparkplug, s.broker, s.reconnect, (std::filesystem::path(data_dir()) / "sparkplug-bdseq").string(), *this);
    }
    for (std::size_t i = 0; i < s.rules.size(); ++i) {
      if (s.rules[i].direction != wm::Direction::out) continue;
      watt::SubscribeOptions o;
      // A QoS-1 rule loses nothing on the bus either: the broker slows the
      // publishers down rather than drop what the bridge has not read.
      o.delivery = s.rules[i].qos == 1 ? watt::Delivery::lossless : watt::Delivery::best_effort;
      bus_subscriptions_.push_back(subscribe(
          s.rules[i].bus, [this, i](const watt::Envelope& e) { outward(i, e); }, o));
    }
    if (outbox_->size() > 0) log().info("{} messages wait in {} from before", outbox_->size(), outbox_->file());
    connection_ = std::make_unique<wm::BrokerConnection>(*this, s.reconnect, "");
    set_health(watt::Health::starting, "connecting to " + s.broker.url);
    connect();
  }

  void close() {
    for (const auto id : bus_subscriptions_) unsubscribe(id);
    bus_subscriptions_.clear();
    if (sender_) flush();  // what was taken is in the queue before we go (flush() logs, never throws)
    if (connection_ && connection_->has_link() && connected_) {
      // A clean goodbye sends no will: say "offline" ourselves.
      if (home_assistant_)
        connection_->link().publish(wm::availability_topic(settings_->home_assistant), "offline", 1, true, -1);
      connection_->link().disconnect(1000ms);
    }
    home_assistant_.reset();
    federation_.reset();
    sparkplug_.reset();
    connection_.reset();
    connected_ = false;
    sender_.reset();
    outbox_.reset();
  }

  // --- the connection --------------------------------------------------------

  void connect() {
    wm::LinkEvents ev;
    ev.connected = [this](bool present, int receive_maximum) { on_up(present, receive_maximum); };
    ev.down = [this](const std::string& why) { on_down(why); };
    ev.message = [this](const std::string& topic, std::string payload, int, bool, const wm::MessageProps& props) {
      inward(topic, payload, props);
    };
    ev.acknowledged = [this](std::int64_t id) {
      sender_->acknowledged(id);
      schedule_flush();
    };
    ev.failed = [this](std::int64_t id, const std::string& why, bool for_good) {
      on_publish_failed(id, why, for_good);
    };
    ev.refused = [this](const std::string& filter, const std::string& why) {
      log().error("the broker refused the subscription to '{}': {}", filter, why);
      refused_filters_[filter] = why;
    };
    connection_->open(settings_->broker, std::move(ev));
  }

  void on_up(bool session_present, int receive_maximum) {
    connected_ = true;
    connected_since_ms_ = now_ms();
    connection_->up();
    last_error_.clear();
    refused_filters_.clear();
    ++connections_;
    // Every time: a broker that restarted without its store has forgotten them.
    auto subs = router_->subscriptions();
    if (home_assistant_) subs.push_back(home_assistant_->subscription());
    if (federation_)
      for (auto& sub : federation_->subscriptions()) subs.push_back(std::move(sub));
    connection_->link().subscribe(subs);
    log().info("connected to {} (session {}); {} messages queued", settings_->broker.url,
               session_present ? "resumed" : "new", sender_->queued());
    set_health(watt::Health::good, "connected to " + settings_->broker.url);
    sender_->up(static_cast<std::size_t>(receive_maximum));
    if (home_assistant_) home_assistant_->connected();
    schedule_flush();
  }

  void on_down(const std::string& why) {
    const bool was_up = connected_;
    connected_ = false;
    sender_->down();
    last_error_ = why;
    set_health(watt::Health::bad, connection_->down(was_up, settings_->broker.url, why, [this] { connect(); }));
  }

  void on_publish_failed(std::int64_t id, const std::string& why, bool for_good) {
    if (id < 0) {
      ++qos0_lost_;
      if (limiter_.count("qos0")) log().warn("a QoS-0 message was not sent ({} so far): {}", qos0_lost_, why);
      return;
    }
    if (!connected_) return;  // gone with the connection; sent again on the next
    if (for_good) {
      // MQTT 5's not authorized, a bad topic…, or a topic the client can never
      // send: the same again would meet the same answer.
      sender_->refused(id);
      if (limiter_.count("refused"))
        log().error("a message was refused for good ({} so far): {}", sender_->counts().refused, why);
    } else {
      sender_->retry(id);
      if (limiter_.count("retry"))
        log().warn("a message was not sent, sending it again ({} so far): {}", sender_->counts().retried, why);
    }
    schedule_flush();
  }

  // --- the messages ----------------------------------------------------------

  void outward(std::size_t rule, const watt::Envelope& e) {
    if (e.sender == identity()) return;  // came in from MQTT: never back out
    std::optional<wm::Outgoing> m;
    try {
      m = router_->outward(rule, e.topic, e.body);
    } catch (const wm::RouteError& err) {
      ++out_refused_;
      if (limiter_.count("out:" + std::to_string(rule))) log().warn("{} ({} so far)", err.what(), out_refused_);
      return;
    }
    if (m) send(std::move(*m));
  }

  void send(wm::Outgoing m) {
    if (m.qos == 0) {
      if (connected_)
        connection_->link().publish(m.topic, m.payload, 0, m.retain, -1);
      else
        ++qos0_lost_;  // QoS 0 is never queued: at most once
      return;
    }
    sender_->take(std::move(m));
    if (sender_->pending() >= 512)
      flush();
    else
      schedule_flush();
  }

  void inward(const std::string& topic, const std::string& payload, const wm::MessageProps& props) {
    ++in_.received;
    if (federation_ && federation_->take(topic, payload, props)) return;
    if (home_assistant_ && home_assistant_->command(topic, payload)) return;
    std::optional<wm::Inward> m;
    try {
      m = router_->inward(topic, payload);
    } catch (const wm::RouteError& err) {
      ++in_.refused;
      if (limiter_.count("in")) log().warn("{} ({} so far)", err.what(), in_.refused);
      return;
    }
    if (!m) {
      ++in_.unrouted;
      return;
    }
    publish_value(m->topic, m->body);
    ++in_.published;
  }

  void schedule_flush() {
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    after(2ms, [this] {
      flush_scheduled_ = false;
      flush();
    });
  }

  void flush() {
    if (!sender_) return;
    try {
      if (const auto dropped = sender_->flush(); dropped > 0 && limiter_.count("full"))
        log().error("the queue {} is full ({} messages): dropped {} so far", outbox_->file(), outbox_->capacity(),
                    sender_->counts().dropped);
    } catch (const std::exception& e) {
      // A full disk, say: what was taken stays in memory until a flush works.
      if (limiter_.count("queue")) log().error("cannot write the queue {}: {}", outbox_->file(), e.what());
      set_health(watt::Health::bad, std::string("cannot write the queue: ") + e.what());
    }
  }

  nlohmann::json status() const {
    const auto& c = sender_->counts();
    nlohmann::json refused = nlohmann::json::object();
    for (const auto& [f, why] : refused_filters_) refused[f] = why;
    return {{"broker", settings_->broker.url},
            {"connected", connected_},
            {"connected_since_ms", connected_ ? connected_since_ms_ : 0},
            {"connections", connections_},
            {"attempts", connection_ ? connection_->attempts() : 0U},
            {"last_error", last_error_},
            {"queue", {{"file", outbox_->file()}, {"waiting", sender_->queued()}, {"in_flight", sender_->in_flight()}}},
            {"out",
             {{"queued", c.queued},
              {"sent", c.sent},
              {"acknowledged", c.acknowledged},
              {"refused_by_broker", c.refused},
              {"dropped_queue_full", c.dropped},
              {"retried", c.retried},
              {"refused_by_rule", out_refused_},
              {"qos0_lost", qos0_lost_}}},
            {"in",
             {{"received", in_.received},
              {"published", in_.published},
              {"unrouted", in_.unrouted},
              {"refused", in_.refused}}},
            {"subscriptions_refused", refused},
            {"federation", federation_json()},
            {"sparkplug", sparkplug_ ? sparkplug_->status() : nlohmann::json(nullptr)},
            {"home_assistant", home_assistant_ ? nlohmann::json{{"devices", home_assistant_->devices()},
                                                                {"commands", home_assistant_->commands()}}
                                               : nlohmann::json(nullptr)}};
  }

  nlohmann::json federation_json() const {
    if (!federation_) return nullptr;
    const auto& c = federation_->counts();
    return {{"platform", settings_->federation.platform},
            {"exported", c.exported},
            {"imported", c.imported},
            {"expired", c.expired},
            {"refused", c.refused},
            {"calls_out", c.calls_out},
            {"calls_in", c.calls_in},
            {"answers", c.answers},
            {"timeouts", c.timeouts},
            {"pending_calls", federation_->pending_calls()}};
  }

  std::optional<wm::BridgeSettings> settings_;
  bool started_ = false;
  std::unique_ptr<wm::Outbox> outbox_;
  std::unique_ptr<wm::Sender> sender_;
  std::unique_ptr<wm::Router> router_;
  std::unique_ptr<wm::BrokerConnection> connection_;
  std::unique_ptr<wm::HomeAssistantSide> home_assistant_;
  std::unique_ptr<wm::FederationSide> federation_;
  std::unique_ptr<wm::SparkplugSide> sparkplug_;
  std::vector<watt::SubscriptionId> bus_subscriptions_;
  bool connected_ = false;
  bool flush_scheduled_ = false;
  std::uint64_t connections_ = 0;
  std::int64_t connected_since_ms_ = 0;
  std::string last_error_;
  std::map<std::string, std::string> refused_filters_;
  std::uint64_t out_refused_ = 0;
  std::uint64_t qos0_lost_ = 0;
  InCounts in_;
  watt::LogLimiter limiter_;
};

WATT_AGENT(MqttBridge)
