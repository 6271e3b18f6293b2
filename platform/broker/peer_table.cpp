#include "peer_table.hpp"

#include <watt/endpoint.hpp>
#include <watt/proto/clock.hpp>
#include <watt/value.hpp>

#include <msgpack.hpp>

#include <malloc.h>

#include <algorithm>

namespace watt::broker {

Peer* PeerTable::find(const std::string& key) {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second.get();
}

Peer* PeerTable::find_sender(const std::string& key) {
  if (last_sender_ == nullptr || last_sender_->routing_id != key) last_sender_ = find(key);
  return last_sender_;
}

Peer* PeerTable::by_identity(const std::string& identity) {
  auto it = by_identity_.find(identity);
  return it == by_identity_.end() ? nullptr : it->second;
}

Peer& PeerTable::add(const std::string& key, std::string identity, std::uint64_t pid) {
  auto peer = std::make_unique<Peer>();
  peer->routing_id = key;
  peer->serial = next_serial_++;
  peer->identity = std::move(identity);
  peer->connected_ns = proto::now_ns();
  peer->pid = pid;
  Peer& p = *peer;
  by_identity_[p.identity] = &p;
  last_sender_ = nullptr;
  auto& slot = by_key_[key];
  if (slot) retired_.push_back(std::move(slot));  // dead (the caller checked): freed by reap()
  slot = std::move(peer);
  return p;
}

Peer& PeerTable::add_guest(Peer& host, std::string identity) {
  // A key no socket has: the guest is found through its host's connection,
  // and what is sent to it goes there.
  const std::string key = "H" + std::to_string(host.serial) + ":" + identity;
  Peer& p = add(key, std::move(identity), host.pid);
  p.host = &host;
  p.protocol = host.protocol;
  host.guests[p.identity] = &p;
  return p;
}

void PeerTable::mark_dead(Peer& p, std::string_view reason) {
  p.dead = true;
  if (p.host != nullptr) p.host->guests.erase(p.identity);
  any_dead_ = true;
  if (auto it = by_identity_.find(p.identity); it != by_identity_.end() && it->second == &p) by_identity_.erase(it);
  left_events_.push_back(event(p, reason));
}

std::vector<PeerEventMessage> PeerTable::reap() {
  any_dead_ = false;
  last_sender_ = nullptr;
  reaped_since_trim_ += retired_.size();
  retired_.clear();
  reaped_since_trim_ += std::erase_if(by_key_, [](const auto& kv) { return kv.second->dead; });
  // Connections' buffers freed by ZeroMQ stay with the process unless handed
  // back: after many peers leave, give the memory back to the system.
  if (reaped_since_trim_ >= 64) {
    reaped_since_trim_ = 0;
    ::malloc_trim(0);
  }
  return std::exchange(left_events_, {});
}

std::string PeerTable::list() const {
  std::vector<PeerInfo> list;
  list.reserve(by_identity_.size());
  for (const auto& [identity, p] : by_identity_) {
    const Peer& link = p->link();  // a hosted identity waits in its container's queue
    list.push_back(PeerInfo{p->identity, p->connected_ns, p->pid, p->patterns.size(), link.queue.size(), p->dropped,
                            p->received, link.queue.bytes()});
  }
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.identity < b.identity; });
  std::string out;
  detail::StringWriter sink{&out};
  msgpack::pack(sink, list);
  return out;
}

PeerEventMessage PeerTable::event(const Peer& p, std::string_view what) {
  const bool joined = what == "joined";
  std::string body;
  detail::StringWriter sink{&body};
  msgpack::pack(sink, PeerEvent{p.identity, p.pid, std::string(what)});
  return {std::string(joined ? "platform/peers/joined/" : "platform/peers/left/") + p.identity, std::move(body)};
}

}  // namespace watt::broker
