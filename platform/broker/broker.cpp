// The broker loop: read a batch, route it, flush backlogged peers, probe.
#include "broker.hpp"

#include <watt/detail/zmq_context.hpp>
#include <watt/identity.hpp>
#include <watt/proto/batch.hpp>
#include <watt/proto/clock.hpp>
#include <watt/proto/handover.hpp>
#include <watt/proto/topic.hpp>

#include <msgpack.hpp>

#include <malloc.h>
#include <zmq_addon.hpp>

#include <fstream>

#include <algorithm>
#include <filesystem>

namespace watt::broker {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view broker_identity = "broker";

using proto::now_ns;

std::string_view view(const zmq::message_t& m) { return {m.data<char>(), m.size()}; }

// Batches: messages up to this size, frames up to batch_max.
constexpr std::size_t batch_item_max = 4096, batch_max = std::size_t{64} * 1024;

// A peer's pipe holds frames, and a frame may be a batch: sized so that a full
// pipe of batches holds about socket_high_water messages, so that no more
// than that are ever out of the broker's reach (where priority cannot reorder
// them).
int pipe_frames(const BrokerConfig& c) {
  return std::max(1, c.socket_high_water / static_cast<int>(std::max<std::size_t>(1, c.batch_messages)));
}

}  // namespace

Broker::Broker(BrokerConfig config, std::shared_ptr<spdlog::logger> log)
    : config_(std::move(config)), log_(std::move(log)), router_(detail::zmq_context(), zmq::socket_type::router) {
  router_.set(zmq::sockopt::router_mandatory, 1);
  router_.set(zmq::sockopt::sndhwm, pipe_frames(config_));
  router_.set(zmq::sockopt::rcvhwm, config_.socket_high_water);
  router_.set(zmq::sockopt::linger, 0);
  // A hard guard far above the soft limit: the soft limit earns a clear
  // too_large error, this one stops a hostile peer from exhausting memory.
  router_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(config_.max_message_bytes * 4 + 65536));
}

Broker::~Broker() = default;

void Broker::bind_all(const std::vector<std::string>& endpoints) {
  for (const auto& ep : endpoints) {
    if (ep.rfind("ipc://", 0) == 0) {
      const std::filesystem::path path(ep.substr(6));
      std::filesystem::create_directories(path.parent_path());
      std::error_code ec;
      std::filesystem::remove(path, ec);  // a stale socket from a crashed broker; wattd holds the pid lock
    }
    try {
      router_.bind(ep);
    } catch (const zmq::error_t& e) {
      throw Error("cannot listen on " + ep + ": " + e.what());
    }
    log_->info("listening on {}", ep);
  }
}

void Broker::bind_secure() {
  if (!config_.auth_file.empty()) allow_ = AllowList::load(config_.auth_file);
  if (config_.secure_endpoint.empty()) return;
  // The ZAP handler must be in place before a CURVE socket accepts anyone.
  zap_ = std::make_unique<zmq::socket_t>(detail::zmq_context(), zmq::socket_type::rep);
  zap_->set(zmq::sockopt::linger, 0);
  zap_->bind("inproc://zeromq.zap.01");
  secure_ = std::make_unique<zmq::socket_t>(detail::zmq_context(), zmq::socket_type::router);
  auto& s = *secure_;
  s.set(zmq::sockopt::router_mandatory, 1);
  s.set(zmq::sockopt::sndhwm, pipe_frames(config_));
  s.set(zmq::sockopt::rcvhwm, config_.socket_high_water);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(config_.max_message_bytes * 4 + 65536));
  s.set(zmq::sockopt::curve_server, 1);
  s.set(zmq::sockopt::curve_secretkey, config_.server_secret_key);
  s.set(zmq::sockopt::zap_domain, "watt");
  try {
    s.bind(config_.secure_endpoint);
  } catch (const zmq::error_t& e) {
    throw Error("cannot listen on " + config_.secure_endpoint + ": " + e.what());
  }
  const std::string bound = s.get(zmq::sockopt::last_endpoint);
  if (!config_.endpoint_file.empty()) std::ofstream(config_.endpoint_file) << bound << "\n";
  log_->info("listening on {} (CURVE; {} keys allowed)", bound, allow_.entries().size());
}

void Broker::serve_zap() {
  // ZAP 1.0 (RFC 27): version, request id, domain, address, identity,
  // mechanism, credentials (for CURVE: the client's 32-byte public key).
  std::vector<zmq::message_t> req;
  (void)zmq::recv_multipart(*zap_, std::back_inserter(req));
  std::string status = "400", text = "refused", user;
  if (req.size() >= 7 && req[5].to_string_view() == "CURVE" && req[6].size() == 32) {
    char z85[41] = {};
    zmq_z85_encode(z85, req[6].data<std::uint8_t>(), 32);
    if (const auto* e = allow_.by_key(z85)) {
      status = "200";
      text = "OK";
      user = e->name;
    } else {
      text = "key not on the allow-list";
      ++stats_.rejected;
      if (problems_.count("unknown_key"))
        log_->warn("refused a TCP connection from {}: its key is not on the allow-list ({} so far)", req[3].to_string(),
                   problems_.total("unknown_key"));
    }
  }
  const std::string request_id = req.size() > 1 ? req[1].to_string() : std::string();
  std::array<zmq::const_buffer, 6> reply = {zmq::str_buffer("1.0"), zmq::buffer(request_id), zmq::buffer(status),
                                            zmq::buffer(text),      zmq::buffer(user),       zmq::const_buffer()};
  (void)zmq::send_multipart(*zap_, reply);
}

void Broker::run() {
  bind_all(config_.inproc_endpoints);
  bind_secure();
  if (config_.first_identity.empty()) {
    bind_all(config_.endpoints);
    external_bound_ = true;
    ready_.store(true);
  }
  next_probe_ = Clock::now() + config_.liveness_interval;
  while (!stop_.load()) {
    zmq::pollitem_t items[5] = {};
    std::size_t nitems = 0;
    items[nitems++] = {router_.handle(), 0, ZMQ_POLLIN, 0};
    const std::size_t secure_at = nitems;
    if (secure_) items[nitems++] = {secure_->handle(), 0, ZMQ_POLLIN, 0};
    const std::size_t zap_at = nitems;
    if (zap_) items[nitems++] = {zap_->handle(), 0, ZMQ_POLLIN, 0};
    // A backlogged peer's pipe tells its socket when it has room again, by a
    // command through the socket's own descriptor (ZMQ_FD); polling the
    // socket for input sleeps through that, polling the descriptor wakes us
    // for it (and for any other command), so the backlog moves on at once.
    // The millisecond timeout stays as a safety net.
    if (!backlog_.empty()) {
      items[nitems++] = {nullptr, router_.get(zmq::sockopt::fd), ZMQ_POLLIN, 0};
      if (secure_) items[nitems++] = {nullptr, secure_->get(zmq::sockopt::fd), ZMQ_POLLIN, 0};
    }
    const auto wait = backlog_.empty() ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1);
    try {
      zmq::poll(items, nitems, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal (a handler calling stop(), say): look at stop_ again
    }
    if (items[0].revents & ZMQ_POLLIN) read_batch(router_, 'L');
    if (zap_ && (items[zap_at].revents & ZMQ_POLLIN)) serve_zap();
    if (secure_ && (items[secure_at].revents & ZMQ_POLLIN)) read_batch(*secure_, 'T');
    if (!backlog_.empty()) flush_backlog();
    if (Clock::now() >= next_probe_) {
      probe_peers();
      next_probe_ = Clock::now() + config_.liveness_interval;
    }
    if (any_dead_) reap_dead();
    if (!external_bound_ && by_identity_.contains(config_.first_identity)) {
      bind_all(config_.endpoints);
      external_bound_ = true;
      ready_.store(true);
    }
  }
  log_->info("broker stopped: {} received, {} delivered ({} batches), {} dropped, {} expired, {} rejected",
             stats_.received, stats_.delivered, stats_.batches, stats_.dropped, stats_.expired, stats_.rejected);
}

void Broker::read_batch(zmq::socket_t& socket, char tag) {
  std::array<zmq::message_t, 2> f;  // routing id, message
  // Bounded, so a flood on the socket never starves the backlog.
  for (int i = 0; i < 2048; ++i) {
    try {
      if (!socket.recv(f[0], zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return;
      throw;
    }
    std::size_t n = 1;
    bool more = f[0].more();
    while (more) {
      zmq::message_t extra;
      zmq::message_t& dst = n < f.size() ? f[n] : extra;
      (void)socket.recv(dst, zmq::recv_flags::none);  // the rest of a multipart message is already here
      more = dst.more();
      ++n;
    }
    if (n > 1) proto::taking_over(f[1].data());
    ++stats_.received;
    // The key is rebuilt in one buffer (no allocation for ZeroMQ's 5-byte ids).
    key_.assign(1, tag);
    key_.append(f[0].data<char>(), f[0].size());
    handle(f, n, key_);
  }
}

void Broker::reply(const std::string& rid, proto::Kind kind, const proto::Header& h, std::string_view body) {
  Outgoing out = control_message(kind, proto::encode_header(h), body);
  if (auto it = by_routing_.find(rid); it != by_routing_.end()) {
    deliver(*it->second, std::move(out));
    return;
  }
  // Not a registered peer: answer directly, and never block on it.
  try {
    auto& socket = socket_of(rid);
    if (!socket.send(zmq::buffer(rid.data() + 1, rid.size() - 1), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return;
    proto::handing_over(out.frame.data());
    (void)socket.send(out.frame, zmq::send_flags::none);
  } catch (const zmq::error_t&) {
    // gone already
  }
}

void Broker::reject(const std::string& rid, std::uint64_t id, ErrorCode code, const std::string& message) {
  ++stats_.rejected;
  const std::string kind(to_string(code));
  if (problems_.count(kind)) {
    auto it = by_routing_.find(rid);
    const std::string who = it != by_routing_.end() ? "'" + it->second->identity + "'" : "an unregistered peer";
    log_->warn("rejected a message from {}: {}: {} ({} so far)", who, kind, message, problems_.total(kind));
  }
  proto::Header h;
  h.id = id;
  h.code = kind;
  h.message = message;
  reply(rid, proto::Kind::error, h);
}

void Broker::handle(std::array<zmq::message_t, 2>& f, std::size_t nframes, const std::string& rid) {
  if (nframes != 1 + proto::frames) {
    reject(rid, 0, ErrorCode::bad_frame, "expected 1 frame per message, got " + std::to_string(nframes - 1));
    return;
  }
  proto::MessageView v;
  if (auto err = proto::parse_message(view(f[1]), v); !err.empty()) {
    const bool other_version = v.version != 0 && v.version != proto::version;
    reject(rid, 0, other_version ? ErrorCode::unsupported_version : ErrorCode::bad_frame,
           other_version
               ? "this broker speaks protocol " + std::to_string(proto::version) + ", not " + std::to_string(v.version)
               : err);
    return;
  }
  if (v.kind == 0 || v.kind > proto::max_kind) {
    reject(rid, 0, ErrorCode::unknown_kind, "unknown message kind " + std::to_string(v.kind));
    return;
  }
  const auto kind = static_cast<proto::Kind>(v.kind);
  proto::Header h;
  if (auto err = proto::decode_header(v.header, h); !err.empty()) {
    reject(rid, 0, ErrorCode::bad_frame, err);
    return;
  }
  if (f[1].size() > config_.max_message_bytes) {
    reject(rid, h.id, ErrorCode::too_large,
           std::to_string(f[1].size()) + " bytes is over the limit of " + std::to_string(config_.max_message_bytes));
    return;
  }
  if (kind == proto::Kind::hello) {
    if (!v.origin.empty() && v.origin != v.address) {
      reject(rid, h.id, ErrorCode::bad_frame, "a hello's origin must be the identity it claims");
      return;
    }
    std::string auth_name;
    if (rid[0] == 'T') {
      // Authenticated by ZAP already; the entry also says who it may be.
      const char* user = f[1].gets("User-Id");
      const AuthEntry* entry = user != nullptr ? allow_.by_name(user) : nullptr;
      if (entry == nullptr || !may_claim(*entry, std::string(v.address))) {
        reject(rid, h.id, ErrorCode::unauthorized,
               "key '" + std::string(user != nullptr ? user : "?") + "' may not claim identity '" +
                   std::string(v.address) + "'");
        return;
      }
      auth_name = entry->name;
    } else if (const AuthEntry* entry = allow_.local_for(std::string(v.address))) {
      // An installed agent: held to what its install granted.
      auth_name = entry->name;
    }
    on_hello(rid, v.address, h);
    if (auto it = by_routing_.find(rid); it != by_routing_.end()) {
      it->second->auth_name = auth_name;
      it->second->auth = auth_name.empty() ? nullptr : allow_.by_name(auth_name);
    }
    return;
  }
  // Messages come in runs from one peer: the last one found is tried first.
  if (last_peer_ == nullptr || last_peer_->routing_id != rid) {
    auto it = by_routing_.find(rid);
    last_peer_ = it == by_routing_.end() ? nullptr : it->second.get();
  }
  if (last_peer_ == nullptr || last_peer_->dead) {
    reject(rid, h.id, ErrorCode::not_registered, "say hello first (did the platform restart?)");
    return;
  }
  Peer& p = *last_peer_;
  // The origin is what receivers trust as the sender: it must be this
  // connection's identity. Checking it lets the bytes travel on unchanged.
  if (v.origin != p.identity) {
    reject(rid, h.id, ErrorCode::bad_frame,
           "origin '" + std::string(v.origin) + "' is not this connection's identity '" + p.identity + "'");
    return;
  }
  ++p.received;
  switch (kind) {
    case proto::Kind::bye: {
      // Acknowledged, so the peer knows its goodbye arrived before it closes.
      proto::Header ack;
      ack.id = h.id;
      reply(rid, proto::Kind::ack, ack);
      remove_peer(p, "left");
      any_dead_ = true;
      break;
    }
    case proto::Kind::subscribe:
    case proto::Kind::unsubscribe: on_subscribe(p, kind, v.address, h); break;
    case proto::Kind::publish:
      if (auto err = proto::topic_error(v.address); !err.empty()) {
        reject(p.routing_id, h.id, ErrorCode::bad_topic, err);
        break;
      }
      if (!authorized(p, kind, v.address, h)) break;
      ++stats_.published;
      // Forwarded as received; only the kind byte changes, in place, before
      // the message is shared.
      f[1].data<std::uint8_t>()[proto::kind_offset] = static_cast<std::uint8_t>(proto::Kind::deliver);
      route(v.address, f[1], h.pri, h.dl, &p);
      break;
    case proto::Kind::request:
      if (!authorized(p, kind, v.address, h)) break;
      [[fallthrough]];
    case proto::Kind::response:
    case proto::Kind::error: on_routed(p, kind, v.address, h, f[1]); break;
    case proto::Kind::ping: {
      proto::Header pong;
      pong.id = h.id;
      reply(rid, proto::Kind::pong, pong);
      break;
    }
    case proto::Kind::pong: break;
    case proto::Kind::sync: {
      // In order after everything this peer sent before: all of it is taken.
      proto::Header ack;
      ack.id = h.id;
      reply(rid, proto::Kind::ack, ack);
      break;
    }
    case proto::Kind::peers: {
      proto::Header list;
      list.id = h.id;
      reply(rid, proto::Kind::peer_list, list, peer_list());
      break;
    }
    default:
      reject(rid, h.id, ErrorCode::unknown_kind,
             "a peer may not send " + std::string(proto::kind_name(kind)) + " messages");
  }
}

void Broker::on_hello(const std::string& rid, std::string_view identity, const proto::Header& h) {
  if (h.protocol != proto::version) {
    reject(rid, h.id, ErrorCode::unsupported_version,
           "hello asks for protocol " + std::to_string(h.protocol) + "; this broker speaks " +
               std::to_string(proto::version));
    return;
  }
  if (auto err = identity_error(identity); !err.empty()) {
    reject(rid, h.id, ErrorCode::bad_identity, err);
    return;
  }
  if (auto it = by_routing_.find(rid); it != by_routing_.end() && !it->second->dead) {
    if (it->second->identity != identity) {
      reject(rid, h.id, ErrorCode::bad_identity, "this connection is already '" + it->second->identity + "'");
      return;
    }
    welcome(rid, h.id);
    return;
  }
  if (auto it = by_identity_.find(std::string(identity)); it != by_identity_.end()) {
    Peer& old = *it->second;
    // A restarted agent may say hello before we noticed its old connection
    // closed: a send to a closed connection fails at once.
    Outgoing probe = control_message(proto::Kind::ping, proto::encode_header({}), {});
    if (try_send(old, probe) == SendResult::unreachable) {
      remove_peer(old, "connection closed");
      reap_dead();
    } else {
      reject(rid, h.id, ErrorCode::identity_taken,
             "identity '" + std::string(identity) + "' is already connected (pid " + std::to_string(old.pid) + ")");
      return;
    }
  }
  auto peer = std::make_unique<Peer>();
  peer->routing_id = rid;
  peer->identity = std::string(identity);
  peer->connected_ns = now_ns();
  peer->pid = h.pid;
  peer->queue.set_limit(config_.queue_limit);
  peer->batches = h.batch && config_.batch_messages > 1;
  Peer& p = *peer;
  by_identity_[p.identity] = &p;
  last_peer_ = nullptr;  // the entry replaced below may be the one it points to
  by_routing_[rid] = std::move(peer);
  welcome(rid, h.id);
  log_->debug("peer '{}' joined (pid {})", p.identity, p.pid);
  std::string body;
  detail::StringWriter sink{&body};
  msgpack::pack(sink, PeerEvent{p.identity, p.pid, "joined"});
  publish_event("platform/peers/joined/" + p.identity, body);
}

bool Broker::authorized(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h) {
  if (p.auth_name.empty()) return true;  // a trusted local peer
  const AuthEntry* entry = p.auth;
  if (kind == proto::Kind::publish) {
    const bool own_heartbeat =
        address.size() == 10 + p.identity.size() && address.starts_with("heartbeat/") && address.ends_with(p.identity);
    if (own_heartbeat || (entry != nullptr && may_publish(*entry, address))) return true;
    reject(p.routing_id, h.id, ErrorCode::unauthorized,
           "'" + p.identity + "' may not publish to " + std::string(address));
    return false;
  }
  if (entry != nullptr && may_call(*entry, address, h.method)) return true;
  ++stats_.request_errors;
  reject(p.routing_id, h.id, ErrorCode::unauthorized,
         "'" + p.identity + "' may not call " + std::string(address) + "/" + std::string(h.method));
  return false;
}

void Broker::welcome(const std::string& rid, std::uint64_t hello_id) {
  proto::Header w;
  w.id = hello_id;
  w.protocol = proto::version;
  w.size = config_.max_message_bytes;
  reply(rid, proto::Kind::welcome, w);
}

void Broker::on_subscribe(Peer& p, proto::Kind kind, std::string_view pattern, const proto::Header& h) {
  if (auto err = proto::pattern_error(pattern); !err.empty()) {
    reject(p.routing_id, h.id, ErrorCode::bad_topic, err);
    return;
  }
  const std::string norm(proto::normalize_pattern(pattern));
  if (kind == proto::Kind::subscribe) {
    subscriptions_.insert(norm, &p, h.lossless);
    p.patterns[norm] = h.lossless;
  } else {
    subscriptions_.erase(norm, &p);
    p.patterns.erase(norm);
  }
  proto::Header ack;
  ack.id = h.id;
  reply(p.routing_id, proto::Kind::ack, ack);
}

void Broker::route(std::string_view topic, zmq::message_t& message, std::uint8_t pri, std::int64_t dl,
                   Peer* publisher) {
  // A peer whose patterns overlap gets one copy; lossless if any pattern is.
  // Every subscriber gets the same bytes: copies of a zmq message share them
  // by reference count.
  const auto& matched = subscriptions_.match(topic);
  const std::size_t count = matched.size();
  for (std::size_t i = 0; i < count; ++i) {
    Peer* const sub = matched[i].first;
    const bool lossless = matched[i].second;
    if (sub->dead) continue;
    if (lossless && publisher != nullptr && sub->queue.lossless_size() >= config_.lossless_high_water * 10) {
      // The publisher ignored our request to slow down: the message is not
      // given to this subscriber, counted, and the publisher told once.
      ++sub->dropped;
      ++stats_.dropped;
      if (!sub->overflow_reported) {
        sub->overflow_reported = true;
        reject(publisher->routing_id, 0, ErrorCode::backpressure,
               "lossless subscriber '" + sub->identity + "' is " + std::to_string(sub->queue.lossless_size()) +
                   " messages behind; what you publish to it is refused until it catches up");
      }
      continue;
    }
    Outgoing out;
    // The last subscriber takes the message itself: no reference count
    // at all with a single subscriber.
    if (i + 1 == count)
      out.frame.move(message);
    else
      out.frame.copy(message);
    out.priority = pri;
    out.deadline_ns = dl;
    out.lossless = lossless;
    deliver(*sub, std::move(out));
    if (sub->congested && lossless && publisher != nullptr && publisher != sub) pause_publisher(*sub, *publisher);
  }
}

void Broker::publish_event(const std::string& topic, const std::string& body) {
  proto::Header h;
  h.ts = now_ns();
  h.pri = 30;
  const std::string header = proto::encode_header(h);
  zmq::message_t msg(proto::message_size(topic, broker_identity, header, body));
  proto::write_message(msg.data<char>(), proto::Kind::deliver, topic, broker_identity, header, body);
  route(topic, msg, h.pri, 0, nullptr);
}

void Broker::on_routed(Peer& p, proto::Kind kind, std::string_view address, const proto::Header& h,
                       zmq::message_t& message) {
  const std::string target(address);
  if (kind == proto::Kind::request) ++stats_.requests;
  if (kind == proto::Kind::request && target == broker_identity) {
    serve_own_method(p, h);
    return;
  }
  if (kind == proto::Kind::error) ++stats_.request_errors;
  auto it = by_identity_.find(target);
  if (it == by_identity_.end() || it->second->dead) {
    if (kind == proto::Kind::request) {
      ++stats_.request_errors;
      reject(p.routing_id, h.id, ErrorCode::unknown_peer, "no peer '" + target + "' is connected");
    }
    // A response to a caller that left has no one to go to.
    return;
  }
  Outgoing out;
  out.frame = std::move(message);  // the origin in it is already checked
  out.priority = h.pri;
  out.deadline_ns = h.dl;
  out.lossless = true;  // RPC traffic is never dropped for space; deadlines still apply
  Peer& target_peer = *it->second;
  deliver(target_peer, std::move(out));
  // Its connection turned out to be closed (a goodbye lost on the way): the
  // caller hears so now rather than at its timeout.
  if (kind == proto::Kind::request && target_peer.dead) {
    ++stats_.request_errors;
    reject(p.routing_id, h.id, ErrorCode::unknown_peer, "peer '" + target + "' has gone");
  }
}

void Broker::serve_own_method(Peer& caller, const proto::Header& h) {
  if (h.method == "reload_auth" && caller.auth_name.empty()) {
    // Asked by the control service after `watt auth …` changed the file.
    proto::Header r;
    r.id = h.id;
    try {
      if (!config_.auth_file.empty()) allow_ = AllowList::load(config_.auth_file);
      // The entries moved: every peer's cached one is looked up again (and is
      // null, so nothing is allowed, if its entry was removed).
      for (auto& [key, peer] : by_routing_)
        if (!peer->auth_name.empty()) peer->auth = allow_.by_name(peer->auth_name);
      reply(caller.routing_id, proto::Kind::response, r, Value::of(allow_.entries().size()).bytes());
    } catch (const std::exception& e) {
      r.code = to_string(ErrorCode::handler_threw);
      r.message = e.what();
      reply(caller.routing_id, proto::Kind::error, r);
    }
    return;
  }
  if (h.method != "stats") {
    ++stats_.request_errors;
    proto::Header e;
    e.id = h.id;
    e.code = to_string(ErrorCode::unknown_method);
    e.message = "the broker exports only 'stats' (and 'reload_auth' to local peers)";
    reply(caller.routing_id, proto::Kind::error, e);
    return;
  }
  BrokerStats s = stats_;
  s.peers = by_identity_.size();
  s.subscriptions = subscriptions_.size();
  for (const auto& [rid, p] : by_routing_) s.queued += p->queue.size();
  std::string body;
  detail::StringWriter sink{&body};
  msgpack::pack(sink, s);
  proto::Header r;
  r.id = h.id;
  reply(caller.routing_id, proto::Kind::response, r, body);
}

Outgoing Broker::control_message(proto::Kind kind, const std::string& header, std::string_view body) {
  Outgoing out;
  out.frame = zmq::message_t(proto::message_size({}, broker_identity, header, body));
  proto::write_message(out.frame.data<char>(), kind, {}, broker_identity, header, body);
  out.priority = 0;
  out.control = true;
  return out;
}

// ---- delivery ---------------------------------------------------------------------

Broker::SendResult Broker::try_send(Peer& p, Outgoing& out) {
  const auto r = open_send(p);
  if (r == SendResult::sent) finish_send(p, out.frame);
  return r;
}

Broker::SendResult Broker::open_send(Peer& p) {
  try {
    // With ROUTER_MANDATORY a full pipe refuses the identity frame, before
    // anything of the message is taken.
    if (!socket_of(p.routing_id)
             .send(zmq::buffer(p.routing_id.data() + 1, p.routing_id.size() - 1),
                   zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return SendResult::would_block;
    return SendResult::sent;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) {
      if (!p.dead) remove_peer(p, "connection closed");
      any_dead_ = true;
      return SendResult::unreachable;
    }
    throw;
  }
}

void Broker::finish_send(Peer& p, zmq::message_t& frame) {
  proto::handing_over(frame.data());
  (void)socket_of(p.routing_id).send(frame, zmq::send_flags::none);
}

void Broker::deliver(Peer& p, Outgoing&& out) {
  if (p.dead) return;
  if (p.queue.empty()) {
    switch (try_send(p, out)) {
      case SendResult::sent: ++stats_.delivered; return;
      case SendResult::unreachable: return;
      case SendResult::would_block: break;
    }
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
  if (!p.congested && p.queue.lossless_size() >= config_.lossless_high_water) {
    p.congested = true;
    log_->warn("lossless subscriber '{}' is {} messages behind: holding its publishers back", p.identity,
               p.queue.lossless_size());
  }
}

void Broker::flush_backlog() {
  const auto now = now_ns();
  // By index: a delivery below may append to the backlog.
  for (std::size_t i = 0; i < backlog_.size(); ++i) {
    Peer* p = backlog_[i];
    while (!p->dead && live_front(*p, now)) {
      if (open_send(*p) != SendResult::sent) break;
      stats_.delivered += send_queued(*p, now);
    }
    if (p->congested && p->queue.lossless_size() <= config_.lossless_high_water / 2) {
      p->congested = false;
      p->overflow_reported = false;
      release_publishers(*p);
      log_->info("lossless subscriber '{}' caught up: publishers resumed", p->identity);
    }
    p->backlogged = !p->dead && !p->queue.empty();
  }
  std::erase_if(backlog_, [](Peer* p) { return !p->backlogged; });
}

bool Broker::live_front(Peer& p, std::int64_t now) {
  while (!p.queue.empty()) {
    const auto dl = p.queue.front().deadline_ns;
    if (dl == 0 || dl >= now) return true;
    p.queue.pop_front();
    ++stats_.expired;
  }
  return false;
}

std::size_t Broker::send_queued(Peer& p, std::int64_t now) {
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
  while (n < config_.batch_messages && live_front(p, now)) {
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

void Broker::pause_publisher(Peer& subscriber, Peer& publisher) {
  if (!subscriber.paused.insert(&publisher).second) return;
  if (publisher.paused_by++ == 0)
    send_flow(publisher, true,
              "lossless subscriber '" + subscriber.identity + "' is " +
                  std::to_string(subscriber.queue.lossless_size()) + " messages behind");
}

void Broker::release_publishers(Peer& subscriber) {
  const auto paused = std::move(subscriber.paused);
  subscriber.paused.clear();
  for (Peer* pub : paused) {
    if (--pub->paused_by == 0 && !pub->dead) send_flow(*pub, false, {});
  }
}

void Broker::send_flow(Peer& publisher, bool paused, const std::string& reason) {
  proto::Header h;
  h.paused = paused;
  h.message = reason;
  deliver(publisher, control_message(proto::Kind::flow, proto::encode_header(h), {}));
}

void Broker::probe_peers() {
  const std::string header = proto::encode_header({});
  for (auto& [rid, p] : by_routing_) {
    if (p->dead || !p->queue.empty()) continue;  // a backlogged peer is probed by its backlog
    Outgoing probe = control_message(proto::Kind::ping, header, {});
    (void)try_send(*p, probe);
  }
}

void Broker::remove_peer(Peer& p, const char* reason) {
  if (p.dead) return;
  p.dead = true;
  any_dead_ = true;
  for (const auto& [pattern, lossless] : p.patterns) subscriptions_.erase(pattern, &p);
  release_publishers(p);
  for (auto& [rid, other] : by_routing_) {
    if (other->paused.erase(&p) > 0) --p.paused_by;
  }
  by_identity_.erase(p.identity);
  log_->debug("peer '{}' {}", p.identity, reason);
  // Published from reap_dead(): we may be in the middle of routing now.
  std::string body;
  detail::StringWriter sink{&body};
  msgpack::pack(sink, PeerEvent{p.identity, p.pid, reason});
  left_events_.emplace_back("platform/peers/left/" + p.identity, std::move(body));
}

void Broker::reap_dead() {
  any_dead_ = false;
  std::erase_if(backlog_, [](Peer* p) { return p->dead; });
  last_peer_ = nullptr;
  reaped_since_trim_ += std::erase_if(by_routing_, [](const auto& kv) { return kv.second->dead; });
  // Connections' buffers freed by ZeroMQ stay with the process unless handed
  // back: after many peers leave, give the memory back to the system.
  if (reaped_since_trim_ >= 64) {
    reaped_since_trim_ = 0;
    ::malloc_trim(0);
  }
  auto events = std::move(left_events_);
  left_events_.clear();
  for (const auto& [topic, body] : events) publish_event(topic, body);
}

std::string Broker::peer_list() const {
  std::vector<PeerInfo> list;
  list.reserve(by_identity_.size());
  for (const auto& [identity, p] : by_identity_) {
    list.push_back(
        PeerInfo{p->identity, p->connected_ns, p->pid, p->patterns.size(), p->queue.size(), p->dropped, p->received});
  }
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.identity < b.identity; });
  std::string out;
  detail::StringWriter sink{&out};
  msgpack::pack(sink, list);
  return out;
}

}  // namespace watt::broker
