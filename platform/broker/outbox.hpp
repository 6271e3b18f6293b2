// Everything on its way out to peers. A message goes straight to a peer's
// socket while its pipe has room; otherwise it waits in the peer's queue, and
// the peer joins the backlog, which flush() moves on as pipes drain: deadlines
// are dropped there, and a peer that takes batches gets several small
// messages to a frame. Sends happen in two steps (the routing id, which a
// full pipe refuses, then the message, which then cannot be), so nothing is
// lost to a full pipe.
#pragma once

#include "flow_control.hpp"
#include "listeners.hpp"
#include "outgoing.hpp"
#include "peer.hpp"

#include <watt/log_limiter.hpp>
#include <watt/platform/broker_stats.hpp>
#include <watt/topic_tally.hpp>

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace watt::broker {

class Outbox {
public:
  enum class SendResult { sent, would_block, unreachable };
  enum class Delivery { sent, queued, refused };

  Outbox(Listeners& sockets, FlowControl& flow, BrokerStats& stats, std::shared_ptr<spdlog::logger> log,
         std::size_t batch_messages);

  // Called when a send finds a peer's connection closed (it is still marked
  // alive): the broker removes the peer.
  void on_closed(std::function<void(Peer&)> handler) { on_closed_ = std::move(handler); }
  // Called when the broker's own reply to a peer does not fit in its queue:
  // it sends without reading what it is answered (the broker removes it).
  void on_stalled(std::function<void(Peer&)> handler) { on_stalled_ = std::move(handler); }

  // Sends now, or queues behind what waits already. A best-effort message
  // that does not fit drops by the queue's policy (queued is returned all
  // the same); anything else that would take the peer's queue, or all
  // queues, past their bytes is refused, and the caller tells whom it
  // concerns. Nothing goes to a dead peer (refused). A hosted identity's
  // messages go to its connection (Peer::link).
  Delivery deliver(Peer& p, Outgoing&& out);
  // Sends now or not at all (a probe).
  SendResult try_send(Peer& p, Outgoing& out);
  // To a connection that is not a registered peer: now, or not at all.
  void send_unregistered(const std::string& key, Outgoing& out);
  // Tells a publisher to pause (or resume) for a lossless subscriber.
  void send_flow(Peer& publisher, bool paused, const std::string& reason);

  bool backlogged() const noexcept { return !backlog_.empty(); }
  // Moves every backlogged peer's queue on as far as its pipe takes.
  void flush();
  // Forgets dead peers before they are freed.
  void forget_dead();

private:
  SendResult open_send(Peer& p);
  void finish_send(Peer& p, zmq::message_t& frame);
  // Drops what passed its deadline at the front of p's queue; true while a
  // message is left there.
  bool live_front(Peer& p, std::int64_t now);
  void count_expired(const zmq::message_t& frame);
  static constexpr std::size_t expired_topics_max = 1000;
  // Sends what waits at the front of p's queue (the send is open, the front
  // is not expired): one message, or a batch of them. Returns how many.
  std::size_t send_queued(Peer& p, std::int64_t now);
  void flush_peer(Peer& p, std::int64_t now);

  Listeners& sockets_;
  FlowControl& flow_;
  BrokerStats& stats_;
  std::shared_ptr<spdlog::logger> log_;
  std::size_t batch_messages_;
  std::function<void(Peer&)> on_closed_;
  std::function<void(Peer&)> on_stalled_;
  std::vector<Peer*> backlog_;
  std::string batch_;  // scratch: a batch being written
  LogLimiter problems_;
};

}  // namespace watt::broker
