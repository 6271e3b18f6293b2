#include "outbox.hpp"

#include <watt/proto/batch.hpp>
#include <watt/proto/clock.hpp>
#include <watt/proto/handover.hpp>
#include <watt/proto/header.hpp>

#include <algorithm>

namespace watt::broker {
namespace {

// Batches: messages up to this size, frames up to batch_max.
constexpr std::size_t batch_item_max = 4096, batch_max = std::size_t{64} * 1024;

std::string_view view(const zmq::message_t& m) { return {m.data<char>(), m.size()}; }

}  // namespace

Outbox::Outbox(Listeners& sockets, FlowControl& flow, BrokerStats& stats, std::shared_ptr<spdlog::logger> log,
               std::size_t batch_messages)
    : sockets_(sockets), flow_(flow), stats_(stats), log_(std::move(log)), batch_messages_(batch_messages) {}

Outbox::SendResult Outbox::try_send(Peer& to, Outgoing& out) {
  Peer& p = to.link();
  const auto r = open_send(p);
  if (r == SendResult::sent) finish_send(p, out.frame);
  return r;
}

Outbox::SendResult Outbox::open_send(Peer& p) {
  try {
    // With ROUTER_MANDATORY a full pipe refuses the identity frame, before
    // anything of the message is taken.
    if (!sockets_.socket_of(p.routing_id)
             .send(zmq::buffer(p.routing_id.data() + 1, p.routing_id.size() - 1),
                   zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return SendResult::would_block;
    return SendResult::sent;
  } catch (const zmq::error_t& e) {
    if (e.num() != EHOSTUNREACH) throw;
    if (!p.dead && on_closed_) on_closed_(p);
    return SendResult::unreachable;
  }
}

void Outbox::finish_send(Peer& p, zmq::message_t& frame) {
  proto::handing_over(frame.data());
  (void)sockets_.socket_of(p.routing_id).send(frame, zmq::send_flags::none);
}

void Outbox::send_unregistered(const std::string& key, Outgoing& out) {
  try {
    auto& socket = sockets_.socket_of(key);
    if (!socket.send(zmq::buffer(key.data() + 1, key.size() - 1), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return;
    proto::handing_over(out.frame.data());
    (void)socket.send(out.frame, zmq::send_flags::none);
  } catch (const zmq::error_t&) {
    // gone already
  }
}

Outbox::Delivery Outbox::deliver(Peer& to, Outgoing&& out) {
  // What is for a hosted identity goes down its container's connection.
  Peer& p = to.link();
  if (to.dead || p.dead) return Delivery::refused;
  if (p.queue.empty()) {
    switch (try_send(p, out)) {
      case SendResult::sent: ++stats_.delivered; return Delivery::sent;
      case SendResult::unreachable: return Delivery::refused;
      case SendResult::would_block: break;
    }
  }
  if ((out.lossless || out.control) && !p.queue.fits(PeerQueue::cost(out))) {
    ++stats_.refused_for_memory;
    if (out.control) {
      log_->warn("'{}' does not read what it is sent: {} bytes wait for it; removing it", p.identity, p.queue.bytes());
      if (on_stalled_) on_stalled_(p);
    }
    return Delivery::refused;
  }
  if (const auto dropped = p.queue.push(std::move(out)); dropped > 0) {
    p.dropped += dropped;
    stats_.dropped += dropped;
    if (problems_.count("dropped:" + p.identity))
      log_->warn("'{}' is not keeping up: dropped {} best-effort messages for it so far (least urgent, oldest first)",
                 p.identity, p.dropped);
  }
  if (!p.backlogged) {
    p.backlogged = true;
    backlog_.push_back(&p);
  }
  if (flow_.queued(p, p.queue.lossless()))
    log_->warn("lossless subscriber '{}' is {} messages ({} bytes) behind: holding its publishers back", p.identity,
               p.queue.lossless_size(), p.queue.lossless_bytes());
  return Delivery::queued;
}

void Outbox::send_flow(Peer& publisher, bool paused, const std::string& reason) {
  proto::Header h;
  h.paused = paused;
  h.message = reason;
  (void)deliver(publisher, control_message(proto::Kind::flow, proto::encode_header(h)));
}

void Outbox::flush() {
  const auto now = proto::now_ns();
  // By index: a delivery below may append to the backlog.
  for (std::size_t i = 0; i < backlog_.size(); ++i) flush_peer(*backlog_[i], now);
  std::erase_if(backlog_, [](Peer* p) { return !p->backlogged; });
}

void Outbox::flush_peer(Peer& p, std::int64_t now) {
  while (!p.dead && live_front(p, now)) {
    if (open_send(p) != SendResult::sent) break;
    stats_.delivered += send_queued(p, now);
  }
  std::vector<Peer*> resume;
  if (flow_.drained(p, p.queue.lossless(), resume)) {
    for (Peer* pub : resume) send_flow(*pub, false, {});
    log_->info("lossless subscriber '{}' caught up: publishers resumed", p.identity);
  }
  p.backlogged = !p.dead && !p.queue.empty();
}

void Outbox::forget_dead() {
  std::erase_if(backlog_, [](Peer* p) { return p->dead; });
}

void Outbox::count_expired(const zmq::message_t& frame) {
  ++stats_.expired;
  proto::MessageView m;
  std::string_view topic = "(unreadable)";
  if (proto::parse_message(view(frame), m).empty())
    topic =
        m.kind == static_cast<std::uint8_t>(proto::Kind::deliver) ? m.address : proto::kind_name(proto::Kind{m.kind});
  TopicTally::add_to(stats_.expired_topics, topic, expired_topics_max);
}

bool Outbox::live_front(Peer& p, std::int64_t now) {
  while (!p.queue.empty()) {
    const auto dl = p.queue.front().deadline_ns;
    if (dl == 0 || dl >= now) return true;
    count_expired(p.queue.front().frame);
    p.queue.pop_front();
  }
  return false;
}

std::size_t Outbox::send_queued(Peer& p, std::int64_t now) {
  // Small messages only (batch_item_max): a large one costs more to copy
  // than to send, and goes out alone, its bytes still shared with the other
  // subscribers.
  if (!p.batches || p.queue.size() < 2 || p.queue.front().frame.size() > batch_item_max) {
    finish_send(p, p.queue.front().frame);
    p.queue.pop_front();
    return 1;
  }
  // The peer is behind, and each ZeroMQ send costs the broker and the peer
  // about as much as a small message itself: several go in one frame.
  batch_.resize(batch_max);  // once: the scratch keeps its size
  proto::write_message(batch_.data(), proto::Kind::batch, {}, broker_identity, {}, {});
  std::size_t at = proto::message_size({}, broker_identity, {}, {});
  std::size_t n = 0;
  while (n < batch_messages_ && live_front(p, now)) {
    const Outgoing& o = p.queue.front();
    const std::size_t size = o.frame.size();
    if (size > batch_item_max || at + proto::batch_item_prefix + size > batch_max) break;
    proto::write_batch_item(batch_.data() + at, view(o.frame));
    at += proto::batch_item_prefix + size;
    ++n;
    p.queue.pop_front();
  }
  zmq::message_t frame(batch_.data(), at);
  finish_send(p, frame);
  ++stats_.batches;
  return n;
}

}  // namespace watt::broker
