// The MQTT bridge's configuration (docs/mqtt.md): the broker and how to reach
// it, the reconnect backoff, the outbound queue, and the rules. Every refusal
// names the key: "broker.tls.ca: cannot read /etc/x.pem".
#pragma once

#include <watt/mqtt/federation.hpp>
#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/outbox.hpp>
#include <watt/mqtt/rules.hpp>
#include <watt/mqtt/sparkplug.hpp>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace watt::mqtt {

struct Tls {
  bool enabled = false;  // on for ssl:// and mqtts:// URLs
  std::string ca;        // the CA file the broker's certificate must chain to
  std::string cert;      // a client certificate (PEM), with key
  std::string key;       // its private key (PEM)
  std::string key_password;
  bool verify = true;  // check the broker's certificate and host name
};

struct BrokerSettings {
  std::string url = "tcp://127.0.0.1:1883";
  std::string client_id;  // default: the agent's identity
  std::string username;
  std::string password;
  Tls tls;
  int mqtt_version = 5;  // 5, or 4 for MQTT 3.1.1
  std::chrono::seconds keepalive{30};
  std::chrono::seconds connect_timeout{10};
  // How long the broker keeps the session (subscriptions, QoS-1 messages for
  // the bridge) while it is away; 0 starts clean each time.
  std::chrono::seconds session_expiry{7 * 24 * 3600};
  // What the broker publishes for the bridge when it is gone without a word
  // (QoS 1); no will when the topic is empty. Home Assistant's availability
  // sets it (retained); Sparkplug's NDEATH is the will of its own connection.
  std::string will_topic;
  std::string will_payload;
  bool will_retain = true;
};

struct Backoff {
  std::chrono::milliseconds first{500};
  std::chrono::milliseconds most{30000};
  // The wait before attempt n (from 0): first * 2^n, at most `most`, less a
  // random part of up to a quarter so that many bridges do not come back in
  // step. `unit` in [0, 1) is that random part.
  std::chrono::milliseconds delay(unsigned attempt, double unit) const;
};

struct QueueSettings {
  std::string file;  // default: <agent data dir>/outbox.sqlite
  std::int64_t capacity = 1'000'000;
  WhenFull when_full = WhenFull::drop_oldest;
  std::size_t in_flight = 256;  // QoS-1 messages sent and not yet acknowledged
};

struct BridgeSettings {
  BrokerSettings broker;
  Backoff reconnect;
  QueueSettings queue;
  std::vector<Rule> rules;
  HomeAssistant home_assistant;
  Federation federation;
  Sparkplug sparkplug;
};

struct SettingsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads the agent's configuration. `identity` is the default client id and
// `data_dir` where the queue goes by default. Files named (CA, certificate,
// key, password_file) must be readable now.
BridgeSettings parse_settings(const YAML::Node& config, const std::string& identity, const std::string& data_dir);

}  // namespace watt::mqtt
