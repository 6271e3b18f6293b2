// What a broker is told at start: where it listens, its limits, and who may
// connect over TCP.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace watt::broker {

struct BrokerConfig {
  // Bound first, before anything else may connect (in-process services).
  std::vector<std::string> inproc_endpoints;
  // Bound once `first_identity` has registered (when set), so that identity
  // cannot be claimed from outside first.
  std::vector<std::string> endpoints;
  std::string first_identity;
  // The control service, whose self-service methods (an agent's own
  // configurations, its start) every peer may call.
  std::string control_identity = "platform";
  // The one identity that takes the calls to other platforms' agents
  // ("site/agent"): the MQTT bridge the operator names in config.yml
  // (broker.gateway). Empty: such calls are unknown_peer.
  std::string gateway;
  std::size_t max_message_bytes = 1 << 20;  // larger messages get too_large
  std::size_t queue_limit = 10000;          // best-effort messages waiting per peer
  std::size_t lossless_high_water = 10000;  // lossless backlog that slows publishers
  // Bytes that may wait for one peer (a quarter of it in lossless messages
  // slows their publishers), and for all peers together. Beyond them
  // best-effort messages drop, lossless and RPC ones are refused, and a peer
  // that does not even read the broker's own answers is removed.
  std::size_t peer_queue_bytes = std::size_t{64} << 20;
  std::size_t memory_limit = std::size_t{512} << 20;
  int socket_high_water = 1000;  // messages in a peer's socket pipe
  // What waits for a peer that asked for batches goes out up to this many
  // small messages to a frame (1 = never batched).
  std::size_t batch_messages = 16;
  std::chrono::milliseconds liveness_interval{1000};
  // Connections each socket may hold (more are shed, newest first), and how
  // long a new connection has for its handshake. Lowered at start, with a
  // warning, when the process may not open enough files for them.
  std::size_t max_local_connections = 4096;
  std::size_t max_tcp_connections = 1024;
  std::chrono::milliseconds handshake_timeout{3000};
  // A peer owes an answer to each request routed to it, until it answers or
  // the request's deadline passes (at most this long after routing). It may
  // owe this many at once; further requests to it are refused (busy).
  std::chrono::milliseconds answer_window{std::chrono::minutes(10)};
  std::size_t max_owed_answers = 100000;
  // Identities one connection may host (an agent container, protocol 2).
  std::size_t max_hosted = 20000;
  // TCP, authenticated with CURVE: clients must hold a key on the allow-list
  // (auth_file) and may do only what their entry allows. Empty = no TCP.
  std::string secure_endpoint;      // e.g. tcp://127.0.0.1:22916 (port * = any free one)
  std::string server_secret_key;    // Z85
  std::filesystem::path auth_file;  // $WATT_HOME/auth.yml
  // The organizations whose private topics the broker guards
  // ($WATT_HOME/orgs.yml; docs/organizations.md). Empty = none.
  std::filesystem::path orgs_file;
  std::filesystem::path endpoint_file;  // where the bound TCP address is written
};

}  // namespace watt::broker
