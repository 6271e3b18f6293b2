// The peers the broker knows, by key and by identity: their arrival, their
// removal, and the reaping of removed ones at a point where nothing points
// at them any more (never in the middle of routing).
#pragma once

#include "peer.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace watt::broker {

// A peer event to publish on platform/peers/...: topic, packed PeerEvent.
using PeerEventMessage = std::pair<std::string, std::string>;

class PeerTable {
public:
  // The peer of this key, dead or alive, or null.
  Peer* find(const std::string& key);
  // As find, for the sender of a message: messages come in runs from one
  // peer, so the last one found is tried first.
  Peer* find_sender(const std::string& key);
  // The live peer holding this identity, or null.
  Peer* by_identity(const std::string& identity);
  bool has_identity(const std::string& identity) const { return by_identity_.contains(identity); }

  // A new peer under this key. A dead peer still under the key is kept
  // until the next reap, since lists elsewhere may still point at it.
  Peer& add(const std::string& key, std::string identity, std::uint64_t pid);
  // An identity hosted on `host`'s connection (protocol 2).
  Peer& add_guest(Peer& host, std::string identity);
  // Removes a peer from the identities at once; its memory waits for reap().
  void mark_dead(Peer& p, std::string_view reason);
  bool any_dead() const noexcept { return !retired_.empty() || any_dead_; }
  // Frees the dead peers; returns the events that announce their leaving.
  std::vector<PeerEventMessage> reap();

  // The live peers (by identity), and every peer (by key, dead ones too).
  std::size_t size() const noexcept { return by_identity_.size(); }
  template <class F>
  void for_each(F&& f) {
    for (auto& [key, p] : by_key_) f(*p);
  }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, p] : by_key_) f(static_cast<const Peer&>(*p));
  }
  // The packed PeerInfo list, sorted by identity (what `watt peers` shows).
  std::string list() const;

  // The event that announces a peer's arrival or leaving.
  static PeerEventMessage event(const Peer& p, std::string_view what);

private:
  std::unordered_map<std::string, std::unique_ptr<Peer>> by_key_;
  std::unordered_map<std::string, Peer*> by_identity_;
  std::vector<std::unique_ptr<Peer>> retired_;  // dead peers a new one replaced under their key
  std::vector<PeerEventMessage> left_events_;
  Peer* last_sender_ = nullptr;  // reset whenever peers are freed or replaced
  std::uint64_t next_serial_ = 1;
  bool any_dead_ = false;
  std::size_t reaped_since_trim_ = 0;
};

}  // namespace watt::broker
