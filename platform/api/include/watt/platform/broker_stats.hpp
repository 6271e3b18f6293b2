// The broker's counters, as `watt stats` shows them (RPC broker.stats).
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace watt::broker {

struct BrokerStats {
  std::uint64_t received = 0;  // messages taken from peers
  std::uint64_t published = 0;
  std::uint64_t delivered = 0;  // messages handed to peers' sockets
  std::uint64_t batches = 0;    // frames that carried several of them to a peer that fell behind
  std::uint64_t dropped = 0;    // best-effort queue overflow
  std::uint64_t expired = 0;    // deadline passed while queued
  std::uint64_t requests = 0;
  std::uint64_t request_errors = 0;
  std::uint64_t rejected = 0;             // bad input answered with an error or dropped
  std::uint64_t unrequested_answers = 0;  // responses and errors no routed call was waiting for: dropped
  std::uint64_t peers = 0;
  std::uint64_t subscriptions = 0;
  std::uint64_t queued = 0;              // messages waiting in the broker, all peers
  std::uint64_t queued_bytes = 0;        // what they weigh (frames and bookkeeping)
  std::uint64_t memory_limit = 0;        // the most they may weigh together (broker.memory_limit)
  std::uint64_t refused_for_memory = 0;  // lossless, RPC and control messages that did not fit: refused
  std::uint64_t stalled_peers = 0;       // peers removed for not reading what the broker answered them
  std::uint64_t local_connections = 0;   // open now over ipc (inproc ones hold no descriptor)
  std::uint64_t tcp_connections = 0;     // open now over TCP (handshakes under way too)
  std::uint64_t connections_shed = 0;    // closed for being over broker.max_*_connections
  std::uint64_t descriptor_limit = 0;    // files the broker's process may open
  // `expired` by topic (a request's by "request"): at most 1,000 topics, the
  // rest together under "(other topics)" (watt/topic_tally.hpp).
  std::map<std::string, std::uint64_t, std::less<>> expired_topics;
  MSGPACK_DEFINE_MAP(received, published, delivered, batches, dropped, expired, requests, request_errors, rejected,
                     unrequested_answers, peers, subscriptions, queued, queued_bytes, memory_limit, refused_for_memory,
                     stalled_peers, local_connections, tcp_connections, connections_shed, descriptor_limit,
                     expired_topics)
};

}  // namespace watt::broker
