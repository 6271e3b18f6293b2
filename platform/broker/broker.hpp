// The message broker: one ROUTER socket, one thread, every message routed by
// its address frame and header alone (bodies are never decoded).
#pragma once

#include <watt/platform/broker_stats.hpp>
#include "allow_list.hpp"
#include "peer_queue.hpp"

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>
#include <watt/proto/topic_index.hpp>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace watt::broker {

struct BrokerConfig {
  // Bound first, before anything else may connect (in-process services).
  std::vector<std::string> inproc_endpoints;
  // Bound once `first_identity` has registered (when set), so that identity
  // cannot be claimed from outside first.
  std::vector<std::string> endpoints;
  std::string first_identity;
  std::size_t max_message_bytes = 1 << 20;  // larger messages get too_large
  std::size_t queue_limit = 10000;          // best-effort messages waiting per peer
  std::size_t lossless_high_water = 10000;  // lossless backlog that slows publishers
  int socket_high_water = 1000;             // messages in a peer's socket pipe
  // What waits for a peer that asked for batches goes out up to this many
  // small messages to a frame (1 = never batched).
  std::size_t batch_messages = 16;
  std::chrono::milliseconds liveness_interval{1000};
  // TCP, authenticated with CURVE: clients must hold a key on the allow-list
  // (auth_file) and may do only what their entry allows. Empty = no TCP.
  std::string secure_endpoint;          // e.g. tcp://127.0.0.1:22916 (port * = any free one)
  std::string server_secret_key;        // Z85
  std::filesystem::path auth_file;      // $WATT_HOME/auth.yml
  std::filesystem::path endpoint_file;  // where the bound TCP address is written
};

class Broker {
public:
  explicit Broker(BrokerConfig config, std::shared_ptr<spdlog::logger> log);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Runs on the calling thread until stop(); this thread alone owns the
  // socket. Throws watt::Error if an endpoint cannot be bound.
  void run();
  void stop() noexcept { stop_.store(true); }
  // True once every endpoint is bound (for start-up handshakes).
  bool ready() const noexcept { return ready_.load(); }

private:
  struct Peer {
    std::string routing_id;  // the key: socket tag + routing id
    std::string identity;
    std::string auth_name;            // the allow-list entry (TCP peers); empty = trusted local peer
    const AuthEntry* auth = nullptr;  // that entry, looked up once (again on reload); null = gone
    std::int64_t connected_ns = 0;
    std::uint64_t pid = 0;
    std::unordered_map<std::string, bool> patterns;  // normalized pattern -> lossless
    PeerQueue queue;
    bool backlogged = false;
    bool congested = false;          // lossless backlog over the high-water mark
    bool overflow_reported = false;  // a publisher was told it overran this subscriber
    bool dead = false;
    bool batches = false;  // said in its hello that it takes batch messages
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
    proto::MatchMark match_mark;       // merges its patterns that match one topic
    std::unordered_set<Peer*> paused;  // publishers this (congested) subscriber holds back
    int paused_by = 0;                 // congested subscribers holding this publisher back
  };
  enum class SendResult { sent, would_block, unreachable };

  void bind_all(const std::vector<std::string>& endpoints);
  void bind_secure();
  void serve_zap();
  // A peer's key is its socket's tag ('L' local, 'T' TCP) and its routing id.
  void read_batch(zmq::socket_t& socket, char tag);
  zmq::socket_t& socket_of(const std::string& key) { return key[0] == 'T' ? *secure_ : router_; }
  void handle(std::array<zmq::message_t, 2>& f, std::size_t nframes, const std::string& key);

  void on_hello(const std::string& rid, std::string_view identity, const proto::Header& h);
  void welcome(const std::string& rid, std::uint64_t hello_id);
  // What a peer with an allow-list entry may publish or call; rejects (and
  // returns false) what it may not. Local peers without an entry may do all.
  bool authorized(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h);
  void on_subscribe(Peer& p, proto::Kind kind, std::string_view pattern, const proto::Header& h);
  void on_routed(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h, zmq::message_t& message);
  // Requests addressed to the broker itself ("broker"): its own methods.
  void serve_own_method(Peer& caller, const proto::Header& h);
  void publish_event(const std::string& topic, const std::string& body);
  // Delivers a message (kind deliver already) to every matching subscriber.
  void route(std::string_view topic, zmq::message_t& message, std::uint8_t pri, std::int64_t dl, Peer* publisher);

  void deliver(Peer& p, Outgoing&& out);
  SendResult try_send(Peer& p, Outgoing& out);
  // A send in two steps: the routing id (refused when the peer's pipe is
  // full), then the message, which then cannot be refused.
  SendResult open_send(Peer& p);
  void finish_send(Peer& p, zmq::message_t& frame);
  void flush_backlog();
  // Drops what passed its deadline at the front of p's queue; true while a
  // message is left there.
  bool live_front(Peer& p, std::int64_t now);
  // Sends what waits at the front of p's queue (the send is open, the front
  // is not expired): one message, or a batch of them. Returns how many.
  std::size_t send_queued(Peer& p, std::int64_t now);
  void probe_peers();
  void pause_publisher(Peer& subscriber, Peer& publisher);
  void release_publishers(Peer& subscriber);
  void send_flow(Peer& publisher, bool paused, const std::string& reason);
  void remove_peer(Peer& p, const char* reason);
  void reap_dead();

  void reply(const std::string& rid, proto::Kind kind, const proto::Header& h, std::string_view body = {});
  void reject(const std::string& rid, std::uint64_t id, ErrorCode code, const std::string& message);
  // A reply, ping or flow message of the broker's own.
  Outgoing control_message(proto::Kind kind, const std::string& header, std::string_view body);
  std::string peer_list() const;

  BrokerConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  zmq::socket_t router_;
  std::unique_ptr<zmq::socket_t> secure_;  // TCP with CURVE
  std::unique_ptr<zmq::socket_t> zap_;     // answers libzmq's authentication requests
  AllowList allow_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  bool external_bound_ = false;

  std::unordered_map<std::string, std::unique_ptr<Peer>> by_routing_;
  std::unordered_map<std::string, Peer*> by_identity_;
  proto::TopicIndex<Peer*, bool> subscriptions_;  // tag: lossless
  std::vector<Peer*> backlog_;
  std::string key_;            // scratch: the key of the message being handled
  std::string batch_;          // scratch: a batch being written
  Peer* last_peer_ = nullptr;  // the sender of the last message; reset when peers are freed
  bool any_dead_ = false;
  std::size_t reaped_since_trim_ = 0;
  std::vector<std::pair<std::string, std::string>> left_events_;  // topic, body
  std::chrono::steady_clock::time_point next_probe_;

  BrokerStats stats_;
  LogLimiter problems_;
};

}  // namespace watt::broker
