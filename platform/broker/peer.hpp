// One connection the broker knows: who it is, what it may do, and the state
// each part of the broker keeps for it. The parts own their fields: the
// subscription index its patterns, the outbox its queue, flow control its
// flow state; the peer table owns the peer.
#pragma once

#include "owed_answers.hpp"
#include "peer_queue.hpp"

#include <watt/platform/auth_entry.hpp>
#include <watt/proto/topic_index.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace watt::broker {

struct Peer;

// What flow control knows of a peer, as subscriber and as publisher.
struct FlowState {
  bool congested = false;             // its lossless backlog is over the high-water mark
  bool overflow_reported = false;     // a publisher was told it overran this subscriber
  std::unordered_set<Peer*> holding;  // publishers this congested subscriber holds back
  std::unordered_set<Peer*> holders;  // congested subscribers holding this publisher back
};

struct Peer {
  // The key: its socket's tag ('L' local, 'T' TCP) and its routing id.
  std::string routing_id;
  std::uint64_t serial = 0;  // unique for the broker's life: what others may remember it by
  std::string identity;
  std::string auth_name;            // the allow-list entry (TCP peers); empty = trusted local peer
  const AuthEntry* auth = nullptr;  // that entry, looked up once (again on reload); null = gone
  std::int64_t connected_ns = 0;
  std::uint64_t pid = 0;
  bool dead = false;  // removed; freed when the peer table reaps
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;

  std::unordered_map<std::string, bool> patterns;  // normalized pattern -> lossless
  proto::MatchMark match_mark;                     // merges its patterns that match one topic

  PeerQueue queue;
  bool backlogged = false;  // on the outbox's list of peers to flush
  bool batches = false;     // said in its hello that it takes batch messages

  FlowState flow;

  OwedAnswers owed;  // the requests routed to it that it has not answered
};

// Which socket a peer's key belongs to.
inline bool is_tcp_key(const std::string& key) { return !key.empty() && key[0] == 'T'; }

}  // namespace watt::broker
