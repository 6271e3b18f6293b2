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
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace watt::broker {

struct Peer;

// Lets a map keyed by std::string be searched with a string_view, without
// building a string per message.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// What flow control knows of a peer, as subscriber and as publisher.
struct FlowState {
  bool congested = false;             // its lossless backlog is over the high-water mark
  bool overflow_reported = false;     // a publisher was told it overran this subscriber
  std::unordered_set<Peer*> holding;  // publishers this congested subscriber holds back
  std::unordered_set<Peer*> holders;  // congested subscribers holding this publisher back
};

// How many of a connection's identities subscribed one pattern, and how
// many of them losslessly: the connection is subscribed while any is.
struct SharedPattern {
  std::size_t count = 0;
  std::size_t lossless = 0;
};

// One identity on the bus. Usually it is a connection of its own; a
// container's connection (protocol 2) also carries hosted identities, each
// a Peer whose `host` is the connection's. An identity owns what is about
// who it is (its grants, subscriptions, owed answers, counters); its
// connection owns what is about the socket (the queue, batches, flow
// control, liveness), and routing always goes to the connection.
struct Peer {
  // The key: its socket's tag ('L' local, 'T' TCP) and its routing id; for
  // a hosted identity, a key of its own that no socket has ('H' ...).
  std::string routing_id;
  std::uint64_t serial = 0;  // unique for the broker's life: what others may remember it by
  std::string identity;
  std::string auth_name;            // the allow-list entry (TCP peers); empty = trusted local peer
  const AuthEntry* auth = nullptr;  // that entry, looked up once (again on reload); null = gone
  std::int64_t connected_ns = 0;
  std::uint64_t pid = 0;
  bool dead = false;           // removed; freed when the peer table reaps
  std::uint64_t protocol = 1;  // what its hello asked for: 2 may host identities

  // Hosted identities: the connection that carries this one (null for a
  // connection's own identity), and a connection's guests by identity.
  Peer* host = nullptr;
  std::unordered_map<std::string, Peer*, StringHash, std::equal_to<>> guests;
  // A connection's patterns with the identities that share them.
  std::unordered_map<std::string, SharedPattern> shared;

  Peer& link() noexcept { return host != nullptr ? *host : *this; }
  const Peer& link() const noexcept { return host != nullptr ? *host : *this; }
  // The identity among this connection's that sent a message with this origin.
  Peer* speaker(std::string_view origin) {
    if (origin == identity) return this;
    if (guests.empty()) return nullptr;
    auto it = guests.find(origin);
    return it == guests.end() ? nullptr : it->second;
  }
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;

  std::unordered_map<std::string, bool> patterns;  // this identity's: normalized pattern -> lossless
  proto::MatchMark match_mark;                     // merges its connection's patterns that match one topic

  // The connection's (unused for a hosted identity).
  PeerQueue queue;
  bool backlogged = false;  // on the outbox's list of peers to flush
  bool batches = false;     // said in its hello that it takes batch messages

  FlowState flow;

  OwedAnswers owed;  // the requests routed to it that it has not answered
};

// Which socket a peer's key belongs to.
inline bool is_tcp_key(const std::string& key) { return !key.empty() && key[0] == 'T'; }

}  // namespace watt::broker
