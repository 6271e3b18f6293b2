// The bridge's federation side (docs/mqtt.md): exports chosen bus topics to
// the other platforms, imports theirs, serves their calls to local agents,
// and carries local calls to "<platform>/<agent>" as MQTT 5 requests, the
// broker having routed them here (the gateway). Runs on the agent's thread.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/mqtt/federation.hpp>
#include <watt/mqtt/link.hpp>
#include <watt/mqtt/outbox.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace watt::mqtt {

struct FederationCounts {
  std::uint64_t exported = 0, imported = 0, expired = 0, refused = 0;
  std::uint64_t calls_out = 0, calls_in = 0, answers = 0, timeouts = 0;
};

class FederationSide {
public:
  using Send = std::function<void(Outgoing)>;
  // Publishes at once, not queued (a call's answer, a request): QoS 0 with
  // MQTT 5 properties; false when the broker is not connected.
  using SendNow = std::function<bool(const std::string& topic, const std::string& payload, const MessageProps&)>;
  FederationSide(Federation settings, std::string client_id, Endpoint& bus, Send send, SendNow send_now);
  ~FederationSide();
  FederationSide(const FederationSide&) = delete;
  FederationSide& operator=(const FederationSide&) = delete;

  std::vector<Subscription> subscriptions() const { return mqtt::subscriptions(fed_, client_id_); }
  // A message from the broker: true when it was the federation's (taken).
  bool take(const std::string& topic, const std::string& payload, const MessageProps& props);
  const FederationCounts& counts() const { return counts_; }
  std::size_t pending_calls() const { return pending_.size(); }

private:
  void on_local(const Envelope& e);
  void on_import(const FederationTopic& t, const std::string& payload);
  void on_call(const FederationTopic& t, const std::string& payload, const MessageProps& props);
  void on_answer(const std::string& payload, const MessageProps& props);
  void call_out(const RemoteCall& call, Reply reply);
  void answer(const MessageProps& to, const WireAnswer& a);

  struct Pending {
    Reply reply;
    TimerId timer = 0;
    std::string target;
  };

  Federation fed_;
  std::string client_id_;
  Endpoint& bus_;
  Send send_;
  SendNow send_now_;
  std::vector<SubscriptionId> exports_;
  std::map<std::uint64_t, Pending> pending_;  // by correlation
  std::uint64_t next_id_ = 0;
  std::string instance_;  // the correlations' random prefix
  FederationCounts counts_;
  LogLimiter limiter_;
  // Answers to calls made on the bus may come after this side is gone (a
  // configuration change): they check this first.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace watt::mqtt
