// The message broker: one thread that reads what peers send, checks it and
// routes it by its address frame and header alone (bodies are never
// decoded). The parts it is made of own their state:
//   listeners.hpp           the sockets (local, and TCP with CURVE)
//   zap_handler.hpp         who may connect over TCP
//   peer_table.hpp          who is connected
//   subscription_index.hpp  who subscribed to what
//   outbox.hpp              what goes out, and what waits to
//   flow_control.hpp        slowing publishers for lossless subscribers
//   own_methods.hpp         the broker's own RPC methods
#pragma once

#include "allow_list.hpp"
#include "broker_config.hpp"
#include "connection_limit.hpp"
#include "flow_control.hpp"
#include "listeners.hpp"
#include "outbox.hpp"
#include "own_methods.hpp"
#include "peer_table.hpp"
#include "subscription_index.hpp"
#include "zap_handler.hpp"

#include <watt/error.hpp>
#include <watt/log_limiter.hpp>
#include <watt/platform/broker_stats.hpp>
#include <watt/platform/org_access.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace watt::broker {

class Broker {
public:
  explicit Broker(BrokerConfig config, std::shared_ptr<spdlog::logger> log);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Runs on the calling thread until stop(); this thread alone owns the
  // sockets. Throws watt::Error if an endpoint cannot be bound.
  void run();
  void stop() noexcept { stop_.store(true); }
  // True once every endpoint is bound (for start-up handshakes).
  bool ready() const noexcept { return ready_.load(); }

private:
  // Raises the process's file limit, fits the connection limits in it, and
  // watches the local socket's connections.
  void limit_connections();
  void start_listening();
  void count_connections();
  void poll_once();
  void read_batch(zmq::socket_t& socket, char tag);

  // One message from the peer of this key: checked, then dispatched by kind.
  void handle(std::array<zmq::message_t, 2>& f, std::size_t nframes, const std::string& key);
  // The frame's layout, kind, header and size; rejects (and returns false)
  // what is malformed.
  bool check(const zmq::message_t& message, std::size_t nframes, const std::string& key, proto::MessageView& v,
             proto::Header& h);
  // A response too large to forward: its caller gets the too_large error.
  void answer_too_large(const std::string& key, const proto::MessageView& v, const proto::Header& h,
                        const std::string& why);
  void dispatch(Peer& p, proto::Kind kind, const proto::MessageView& v, const proto::Header& h,
                zmq::message_t& message);

  void on_hello(const std::string& key, zmq::message_t& message, const proto::MessageView& v, const proto::Header& h);
  // Who the hello may claim: the allow-list entry it runs under ("" for a
  // trusted local peer), or rejects it and returns nullopt.
  // Refusals go to `to` when given (a hosted identity not registered yet).
  std::optional<std::string> hello_entry(const std::string& key, zmq::message_t& message, std::string_view identity,
                                         std::uint64_t id, std::string_view to = {});
  // Whether a peer of this identity may join now; replaces a predecessor
  // whose connection turns out closed.
  bool identity_free(const std::string& key, std::string_view identity, const proto::Header& h,
                     std::string_view to = {});
  // A hello with `hosted` (protocol 2): one more identity on a registered
  // connection, held to its own grants (broker_hosting.cpp).
  void on_hosted_hello(const std::string& key, zmq::message_t& message, std::string_view identity,
                       const proto::Header& h);
  void welcome(const std::string& key, std::uint64_t hello_id);
  // What a peer with an allow-list entry may publish or call; rejects (and
  // returns false) what it may not. Local peers without an entry may do all.
  bool authorized(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h);
  // After the allow-list changed: a peer whose entry is gone, or no longer
  // lets it be who it is, is removed; subscriptions it no longer grants are
  // dropped. Each is told (unauthorized) and logged.
  void enforce_grants();
  void on_subscribe(Peer& p, proto::Kind kind, std::string_view pattern, const proto::Header& h);
  void on_publish(Peer& p, std::string_view topic, const proto::Header& h, zmq::message_t& message);
  void on_routed(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h, zmq::message_t& message);
  // A request is routed only if its callee may owe one more answer, and
  // then owes it; an answer only if it is owed.
  bool owe_answer(Peer& caller, Peer& callee, const proto::Header& h);
  bool answer_owed(Peer& answerer, Peer& caller, proto::Kind kind, const proto::Header& h);
  void refuse_lossless(Peer& sub, Peer* publisher, FlowControl::Admission admission);
  void publish_event(const std::string& topic, const std::string& body);
  // Delivers a message (kind deliver already) to every matching subscriber.
  void route(std::string_view topic, zmq::message_t& message, std::uint8_t pri, std::int64_t dl, Peer* publisher);

  void return_memory();
  void probe_peers();
  void remove_peer(Peer& p, const char* reason);
  void reap_dead();

  // The broker's own messages to the peer of this key. To a connection of
  // protocol 2 they carry, as their address, the identity they are for
  // (`to`, or the peer's own), so a container can hand them on.
  void reply(const std::string& key, proto::Kind kind, const proto::Header& h, std::string_view body = {},
             std::string_view to = {});
  void acknowledge(const std::string& key, std::uint64_t id, proto::Kind kind = proto::Kind::ack);
  void reject(const std::string& key, std::uint64_t id, ErrorCode code, const std::string& message,
              std::string_view to = {});

  BrokerConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  bool external_bound_ = false;
  std::chrono::steady_clock::time_point next_probe_;
  std::string key_;  // scratch: the key of the message being handled

  BrokerStats stats_;
  QueueMemory memory_;           // what waits in all peers' queues (they count themselves in)
  std::size_t memory_peak_ = 0;  // since memory was last handed back
  bool trim_again_ = false;      // at the next probe
  LogLimiter problems_;
  AllowList allow_;
  platform::OrgAccess orgs_;  // organizations' private topics, guarded for every peer
  Listeners listeners_;
  ZapHandler zap_;
  std::unique_ptr<ConnectionLimit> local_limit_, tcp_limit_;
  PeerTable peers_;
  SubscriptionIndex subscriptions_;
  FlowControl flow_;
  Outbox outbox_;
  OwnMethods own_methods_;
};

}  // namespace watt::broker
