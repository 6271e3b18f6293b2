// One connection to an MQTT broker (Eclipse Paho's async client), made once:
// a lost connection is not resumed by this object; its owner makes a new
// Link, so that nothing of the old connection's in-flight state survives to
// be sent twice. Events arrive through `post`, which must hand them to the
// owner's thread (an agent's post()); none arrives after the Link is gone.
#pragma once

#include <watt/mqtt/settings.hpp>
#include <watt/mqtt/subscription.hpp>

#include <chrono>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace watt::mqtt {

// MQTT 5's request/response properties of a message, and its expiry.
struct MessageProps {
  std::string response_topic;
  std::string correlation;         // bytes
  std::chrono::seconds expiry{0};  // 0 = none
};

struct LinkEvents {
  // The broker took the connection; whether it still had the session, and
  // how many QoS-1 messages it takes unacknowledged at once (MQTT 5's
  // Receive Maximum; 65,535 when it sets none).
  std::function<void(bool session_present, int receive_maximum)> connected;
  // The connection could not be made, or was lost: why.
  std::function<void(const std::string& why)> down;
  std::function<void(const std::string& topic, std::string payload, int qos, bool retained, const MessageProps& props)>
      message;
  // The broker acknowledged what publish() sent with this tag (QoS 1), or
  // the publish failed: refused for good (by the broker: MQTT 5's not
  // authorized, bad topic name, too large, bad payload format; or by the
  // client: a topic or QoS it can never send), or not sent (the client's own
  // limits, a lost connection, a refusal worth retrying).
  std::function<void(std::int64_t tag)> acknowledged;
  std::function<void(std::int64_t tag, const std::string& why, bool for_good)> failed;
  // A subscription the broker refused: the filter and its reason.
  std::function<void(const std::string& filter, const std::string& why)> refused;
};

class Link {
public:
  using Post = std::function<void(std::function<void()>)>;
  Link(const BrokerSettings& broker, LinkEvents events, Post post);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Starts connecting; connected() or down() follows.
  void connect();
  // Subscribes to all at once; refusals come through refused().
  void subscribe(const std::vector<Subscription>& subs);
  // Sends a message; QoS 1 ends in acknowledged(tag) or failed(tag); QoS 0
  // only in failed() when it could not be sent. Never throws.
  void publish(const std::string& topic, const std::string& payload, int qos, bool retain, std::int64_t tag,
               const MessageProps& props = {});
  // Says goodbye to the broker (the session stays) once what was published
  // is out, waiting at most `wait` in all.
  void disconnect(std::chrono::milliseconds wait);

private:
  struct Listener;
  struct Shared;
  std::shared_ptr<Shared> shared_;  // what the Paho threads reach; outlives them
  std::unique_ptr<Listener> publish_listener_;
  std::unique_ptr<Listener> connect_listener_;
  std::unique_ptr<Listener> subscribe_listener_;
  BrokerSettings broker_;
  std::unique_ptr<::mqtt::async_client> client_;
};

}  // namespace watt::mqtt
