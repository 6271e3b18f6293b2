// A real mosquitto broker for integration tests and benchmarks, on a free
// loopback port, stopped with the test, pass or fail; and a probe: an MQTT
// client (Paho) that records what it receives and publishes on demand.
#pragma once

#include "process.hpp"
#include "temp_dir.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace watt::test {

class Mosquitto {
public:
  // `extra` is appended to the listener's configuration (TLS files, say).
  // A persistent broker keeps its sessions (subscriptions, queued QoS-1
  // messages) across stop() and start(), as a production one does; one that
  // is not forgets them. Throws std::runtime_error with the broker's log
  // when it does not start.
  explicit Mosquitto(std::string extra = {}, bool persistent = false);
  ~Mosquitto();
  Mosquitto(const Mosquitto&) = delete;
  Mosquitto& operator=(const Mosquitto&) = delete;

  int port() const { return port_; }
  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // Stops the broker (SIGTERM: a persistent one saves its sessions).
  void stop();
  // Starts it again on the same port; returns once it accepts connections.
  void start();
  bool running();
  std::string log() const;
  const TempDir& dir() const { return dir_; }

private:
  bool launch();

  TempDir dir_;
  std::string extra_;
  bool persistent_;
  int port_ = 0;
  std::unique_ptr<Process> server_;
  std::string last_log_;
};

struct Received {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
};

// An MQTT 5 client that reconnects by itself and subscribes again each time
// (a broker that is not persistent forgets sessions when it restarts). A
// persistent probe keeps its session for an hour, so that a persistent
// broker queues what comes for it while it is away.
class MqttProbe {
public:
  MqttProbe(const std::string& url, const std::string& client_id, std::vector<std::string> filters = {}, int qos = 1,
            bool persistent = false);
  ~MqttProbe();
  MqttProbe(const MqttProbe&) = delete;
  MqttProbe& operator=(const MqttProbe&) = delete;

  // Waits (at most 10 s) until connected and subscribed; false if not.
  bool ready();
  void publish(const std::string& topic, const std::string& payload, int qos = 1, bool retain = false);
  std::vector<Received> received();
  std::size_t count();
  void clear();

private:
  struct State;
  std::shared_ptr<State> state_;
  std::unique_ptr<::mqtt::async_client> client_;
};

}  // namespace watt::test
