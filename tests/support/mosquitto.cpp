// Mosquitto as a child process (never daemonized), killed with the test; the
// probe on Paho's async client with its own reconnecting.
#include "mosquitto.hpp"

#include <mqtt/async_client.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace watt::test {

using namespace std::chrono_literals;

Mosquitto::Mosquitto(std::string extra, bool persistent)
    : dir_("watt-mosquitto"), extra_(std::move(extra)), persistent_(persistent) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    if (launch()) return;
  }
  throw std::runtime_error("mosquitto did not start:\n" + log());
}

Mosquitto::~Mosquitto() {
  try {
    stop();
  } catch (...) {
    // Process's own destructor kills what is left.
  }
}

bool Mosquitto::launch() {
  const auto conf = dir_.path() / "mosquitto.conf";
  {
    std::ofstream out(conf);
    // As root it would change to the mosquitto user, who cannot read our
    // temporary files; it stays who it is.
    if (::geteuid() == 0) out << "user root\n";
    out << "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\nlog_type "
           "subscribe\n";
    if (persistent_)
      out << "persistence true\npersistence_location " << dir_.str() << "/\n";
    else
      out << "persistence false\n";
    out << "per_listener_settings false\nallow_anonymous true\nmax_queued_messages 1000000\nset_tcp_nodelay true\n"
        << "listener " << port_ << " 127.0.0.1\n"
        << extra_ << "\n";
  }
  server_ =
      std::make_unique<Process>(std::vector<std::string>{"/usr/sbin/mosquitto", "-c", conf.string()}, dir_.path());
  const bool up = eventually(
      [&] {
        if (!server_->running()) return true;
        return server_->err().find("Opening ipv4 listen socket on port " + std::to_string(port_)) !=
                   std::string::npos &&
               server_->err().find("running") != std::string::npos;
      },
      10s);
  if (up && server_->running()) return true;
  last_log_ += server_->err();
  server_.reset();
  return false;
}

void Mosquitto::stop() {
  if (!server_) return;
  server_->stop();
  last_log_ += server_->err();
  server_.reset();
}

void Mosquitto::start() {
  if (running()) return;
  if (!launch())
    throw std::runtime_error("mosquitto did not start again on port " + std::to_string(port_) + ":\n" + log());
}

bool Mosquitto::running() { return server_ && server_->running(); }

std::string Mosquitto::log() const { return last_log_ + (server_ ? server_->err() : std::string()); }

struct MqttProbe::State : ::mqtt::iaction_listener {
  std::mutex m;
  std::vector<Received> got;
  std::atomic<bool> subscribed{false};
  // The subscription's answer.
  void on_success(const ::mqtt::token&) override { subscribed = true; }
  void on_failure(const ::mqtt::token&) override {}
};

MqttProbe::MqttProbe(const std::string& url, const std::string& client_id, std::vector<std::string> filters, int qos,
                     bool persistent)
    : state_(std::make_shared<State>()) {
  client_ = std::make_unique<::mqtt::async_client>(url, client_id, ::mqtt::create_options(MQTTVERSION_5), nullptr);
  auto st = state_;
  auto* c = client_.get();
  client_->set_connected_handler([st, c, filters, qos](const std::string&) {
    if (filters.empty()) {
      st->subscribed = true;
      return;
    }
    auto coll = std::make_shared<::mqtt::string_collection>(filters);
    ::mqtt::iasync_client::qos_collection q(filters.size(), qos);
    try {
      c->subscribe(coll, q, nullptr, *st);
    } catch (const std::exception&) {
      // reconnects and tries again
    }
  });
  client_->set_connection_lost_handler([st](const std::string&) { st->subscribed = false; });
  client_->set_message_callback([st](::mqtt::const_message_ptr msg) {
    std::lock_guard lock(st->m);
    st->got.push_back(Received{msg->get_topic(), msg->get_payload_str(), msg->get_qos(), msg->is_retained()});
  });
  auto opts = ::mqtt::connect_options_builder()
                  .mqtt_version(MQTTVERSION_5)
                  .clean_start(!persistent)
                  .properties({{::mqtt::property::SESSION_EXPIRY_INTERVAL, persistent ? 3600 : 0}})
                  .automatic_reconnect(std::chrono::milliseconds(50), std::chrono::milliseconds(500))
                  .finalize();
  client_->connect(opts);
}

MqttProbe::~MqttProbe() {
  try {
    if (client_->is_connected()) client_->disconnect(0)->wait_for(200ms);
  } catch (const std::exception&) {
    // gone anyway
  }
}

bool MqttProbe::ready() {
  return eventually([&] { return client_->is_connected() && state_->subscribed.load(); }, 10s);
}

void MqttProbe::publish(const std::string& topic, const std::string& payload, int qos, bool retain) {
  client_->publish(topic, payload.data(), payload.size(), qos, retain)->wait_for(5s);
}

std::vector<Received> MqttProbe::received() {
  std::lock_guard lock(state_->m);
  return state_->got;
}

std::size_t MqttProbe::count() {
  std::lock_guard lock(state_->m);
  return state_->got.size();
}

void MqttProbe::clear() {
  std::lock_guard lock(state_->m);
  state_->got.clear();
}

}  // namespace watt::test
