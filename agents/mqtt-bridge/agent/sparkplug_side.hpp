// The bridge's Sparkplug B side (docs/mqtt.md, "Sparkplug B"): the platform
// as an edge node on a connection of its own (a clean session, NDEATH as its
// will, as the specification wants), the platform driver's devices as
// Sparkplug devices. On each connection: NBIRTH (bdSeq, Node Control/Rebirth,
// each agent's health), then a DBIRTH per device; then DDATA for what each
// scrape changed, NDATA when an agent's health changes, DDEATH when the
// driver says a device stops answering (DBIRTH when it answers again); NCMD's
// Rebirth publishes the births again, and DCMD writes become set_point
// calls. Runs on the agent's thread.
#pragma once

#include "broker_connection.hpp"
#include "driver_devices.hpp"

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/mqtt/settings.hpp>
#include <watt/mqtt/sparkplug.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace watt::mqtt {

class SparkplugSide {
public:
  // Connects at once, with the bridge's broker, credentials and TLS.
  // `bd_seq_file` keeps the last connection's bdSeq across restarts, so that
  // a late NDEATH of a previous run never matches the new birth.
  SparkplugSide(Sparkplug settings, const BrokerSettings& broker, Backoff reconnect, std::string bd_seq_file,
                Endpoint& bus);
  // Says NDEATH and goes.
  ~SparkplugSide();
  SparkplugSide(const SparkplugSide&) = delete;
  SparkplugSide& operator=(const SparkplugSide&) = delete;

  nlohmann::json status() const;

private:
  struct Counts {
    std::uint64_t births = 0;    // NBIRTH and DBIRTH
    std::uint64_t deaths = 0;    // DDEATH
    std::uint64_t data = 0;      // NDATA and DDATA
    std::uint64_t commands = 0;  // NCMD and DCMD metrics acted on
    std::uint64_t refused = 0;   // commands refused
  };

  void connect();
  void on_up();
  void on_down(const std::string& why);
  void host_state(const std::string& payload);
  bool host_lets_birth() const { return sp_.primary_host.empty() || host_online_; }
  void birth();
  void node_birth(const nlohmann::json& health_rows);
  void device_birth(const std::string& device);
  void scraped(const std::string& device, const nlohmann::json& values);
  void check_devices();
  void device_dead(const std::string& device);
  void goodbye();
  bool shown(const std::string& device) const;
  void on_alert(const Envelope& e);
  void on_message(const std::string& topic, const std::string& payload);
  void node_command(const SpPayload& p);
  void device_command(const std::string& device, const SpPayload& p);
  void refuse(const char* kind, const std::string& what);  // logged once in a while per kind
  void publish(SpMessage m, const std::string& device, const std::vector<SpMetric>& metrics);
  SpMetric bd_seq_metric() const;
  std::string death() const;

  Sparkplug sp_;
  BrokerSettings broker_;
  Endpoint& bus_;
  BrokerConnection connection_;
  DriverDevices driver_;
  SubscriptionId alerts_ = 0;
  // What was last published of each device's points, births' values.
  std::map<std::string, std::map<std::string, SpMetric>> last_;
  std::map<std::string, std::string> device_of_id_;  // Sparkplug device id -> the driver's device
  std::map<std::string, std::string> health_;        // agent -> its health, the node's metrics
  std::set<std::string> dead_;  // devices the driver says do not answer: no births nor data until they do
  std::optional<TimerId> check_timer_;
  bool checking_ = false;                        // a question to the driver is out
  bool recheck_ = false;                         // and news came meanwhile
  std::set<std::string> heard_meanwhile_;        // devices scraped since it went
  bool host_online_ = false;                     // the primary host's last word on this connection
  std::optional<std::uint64_t> host_timestamp_;  // and its time: an older word is ignored
  bool connected_ = false;
  bool born_ = false;
  bool birthing_ = false;  // a birth waits for the agents' health
  std::string bd_seq_file_;
  std::uint64_t bd_seq_ = 0;  // of the current connection (its will's); before the first, the last run's
  std::uint64_t seq_ = 0;     // of the last message sent
  std::string last_error_;
  Counts counts_;
  LogLimiter limiter_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // timers and answers may outlive this side
};

}  // namespace watt::mqtt
