// The broker loop: read a batch, check and dispatch each message by kind,
// flush backlogged peers, probe, reap.
#include "broker.hpp"

#include <watt/identity.hpp>
#include <watt/proto/clock.hpp>
#include <watt/proto/handover.hpp>
#include <watt/proto/topic.hpp>

#include <malloc.h>

#include <utility>

namespace watt::broker {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view view(const zmq::message_t& m) { return {m.data<char>(), m.size()}; }

}  // namespace

Broker::Broker(BrokerConfig config, std::shared_ptr<spdlog::logger> log)
    : config_(std::move(config)),
      log_(std::move(log)),
      listeners_(config_, log_),
      zap_(allow_, stats_, log_),
      flow_(config_.lossless_high_water, config_.peer_queue_bytes / 4),
      outbox_(listeners_, flow_, stats_, log_, config_.batch_messages),
      own_methods_(config_, allow_, orgs_, peers_, subscriptions_, stats_) {
  outbox_.on_closed([this](Peer& p) { remove_peer(p, "connection closed"); });
  own_methods_.on_reload([this] { enforce_grants(); });
  outbox_.on_stalled([this](Peer& p) {
    ++stats_.stalled_peers;
    remove_peer(p, "not reading");
  });
  memory_.limit = config_.memory_limit;
}

Broker::~Broker() = default;

// ---- the loop ---------------------------------------------------------------

void Broker::limit_connections() {
  // What the process may open: the connections, and a reserve for the
  // platform's own files, sockets and ZeroMQ's signals.
  constexpr std::size_t reserve = 256;
  const std::size_t limit = raise_descriptor_limit();
  stats_.descriptor_limit = limit;
  if (limit < 2 * reserve)
    throw Error("this process may open only " + std::to_string(limit) +
                " files: too few to serve peers safely (raise it with ulimit -n, or LimitNOFILE= in a systemd unit)");
  auto& local = config_.max_local_connections;
  auto& tcp = config_.max_tcp_connections;
  if (local + tcp + reserve > limit) {
    const std::size_t room = limit - reserve;
    tcp = std::min(tcp, room / 4);
    local = std::min(local, room - tcp);
    log_->warn(
        "this process may open {} files: connections limited to {} local and {} TCP (raise the limit with "
        "ulimit -n, or LimitNOFILE= in a systemd unit)",
        limit, local, tcp);
  }
  local_limit_ = std::make_unique<ConnectionLimit>(listeners_.local(), "local", local, log_);
}

void Broker::start_listening() {
  limit_connections();
  listeners_.bind_local(config_.inproc_endpoints);
  if (!config_.auth_file.empty()) allow_ = AllowList::load(config_.auth_file);
  if (!config_.orgs_file.empty()) orgs_ = platform::OrgAccess(platform::OrgTree::load(config_.orgs_file));
  if (!config_.secure_endpoint.empty()) {
    zap_.start();  // before a CURVE socket accepts anyone
    listeners_.bind_secure(allow_.entries().size());
    tcp_limit_ = std::make_unique<ConnectionLimit>(*listeners_.secure(), "tcp", config_.max_tcp_connections, log_);
  }
  if (config_.first_identity.empty()) {
    listeners_.bind_local(config_.endpoints);
    external_bound_ = true;
    ready_.store(true);
  }
}

void Broker::run() {
  start_listening();
  next_probe_ = Clock::now() + config_.liveness_interval;
  while (!stop_.load()) poll_once();
  log_->info("broker stopped: {} received, {} delivered ({} batches), {} dropped, {} expired, {} rejected",
             stats_.received, stats_.delivered, stats_.batches, stats_.dropped, stats_.expired, stats_.rejected);
}

void Broker::poll_once() {
  zmq::socket_t* const secure = listeners_.secure();
  zmq::socket_t* const zap = zap_.socket();
  zmq::pollitem_t items[7] = {};
  std::size_t nitems = 0;
  items[nitems++] = {listeners_.local().handle(), 0, ZMQ_POLLIN, 0};
  const std::size_t secure_at = nitems;
  if (secure != nullptr) items[nitems++] = {secure->handle(), 0, ZMQ_POLLIN, 0};
  const std::size_t zap_at = nitems;
  if (zap != nullptr) items[nitems++] = {zap->handle(), 0, ZMQ_POLLIN, 0};
  const std::size_t limits_at = nitems;
  items[nitems++] = {local_limit_->events().handle(), 0, ZMQ_POLLIN, 0};
  if (tcp_limit_) items[nitems++] = {tcp_limit_->events().handle(), 0, ZMQ_POLLIN, 0};
  // A backlogged peer's pipe tells its socket when it has room again, by a
  // command through the socket's own descriptor (ZMQ_FD); polling the socket
  // for input sleeps through that, polling the descriptor wakes us for it
  // (and for any other command), so the backlog moves on at once. The
  // millisecond timeout stays as a safety net.
  const bool backlogged = outbox_.backlogged();
  if (backlogged) {
    items[nitems++] = {nullptr, listeners_.local().get(zmq::sockopt::fd), ZMQ_POLLIN, 0};
    if (secure != nullptr) items[nitems++] = {nullptr, secure->get(zmq::sockopt::fd), ZMQ_POLLIN, 0};
  }
  try {
    zmq::poll(items, nitems, std::chrono::milliseconds(backlogged ? 1 : 100));
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return;  // a signal (a handler calling stop(), say): look at stop_ again
  }
  if ((items[limits_at].revents & ZMQ_POLLIN) || (tcp_limit_ && (items[limits_at + 1].revents & ZMQ_POLLIN)))
    count_connections();
  if (items[0].revents & ZMQ_POLLIN) read_batch(listeners_.local(), 'L');
  if (zap != nullptr && (items[zap_at].revents & ZMQ_POLLIN)) zap_.serve();
  if (secure != nullptr && (items[secure_at].revents & ZMQ_POLLIN)) read_batch(*secure, 'T');
  if (outbox_.backlogged()) outbox_.flush();
  if (Clock::now() >= next_probe_) {
    probe_peers();
    next_probe_ = Clock::now() + config_.liveness_interval;
  }
  if (peers_.any_dead()) reap_dead();
  return_memory();
  if (!external_bound_ && peers_.has_identity(config_.first_identity)) {
    listeners_.bind_local(config_.endpoints);
    external_bound_ = true;
    ready_.store(true);
  }
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

void Broker::count_connections() {
  local_limit_->on_events();
  if (tcp_limit_) tcp_limit_->on_events();
  stats_.local_connections = local_limit_->open();
  stats_.tcp_connections = tcp_limit_ ? tcp_limit_->open() : 0;
  stats_.connections_shed = local_limit_->shed() + (tcp_limit_ ? tcp_limit_->shed() : 0);
}

void Broker::return_memory() {
  // Frames freed after a large backlog stay with the process unless handed
  // back: once most of the peak has gone out, give it back to the system.
  constexpr std::size_t worth_it = std::size_t{16} << 20;
  if (memory_.bytes > memory_peak_) {
    memory_peak_ = memory_.bytes;
  } else if (memory_peak_ >= worth_it && memory_.bytes < memory_peak_ / 8) {
    ::malloc_trim(0);
    memory_peak_ = memory_.bytes;
    // ZeroMQ frees the frames still in a gone peer's pipe on its own thread,
    // maybe after this: handed back again at the next probe.
    trim_again_ = true;
  }
}

void Broker::probe_peers() {
  if (std::exchange(trim_again_, false)) ::malloc_trim(0);
  const std::string header = proto::encode_header({});
  const std::int64_t now = proto::now_ns();
  peers_.for_each([&](Peer& p) {
    if (p.dead) return;
    p.owed.expire(now);
    if (p.host != nullptr) return;  // its connection is probed
    if (!p.queue.empty()) return;   // a backlogged peer is probed by its backlog
    Outgoing probe = control_message(proto::Kind::ping, header);
    (void)outbox_.try_send(p, probe);
  });
}

void Broker::remove_peer(Peer& p, const char* reason) {
  if (p.dead) return;
  // A connection takes the identities it hosts with it.
  std::vector<Peer*> guests;
  for (const auto& [identity, guest] : p.guests) guests.push_back(guest);
  for (Peer* guest : guests) remove_peer(*guest, reason);
  peers_.mark_dead(p, reason);  // its leaving is published from reap_dead(): we may be routing now
  subscriptions_.remove(p);
  if (p.host == nullptr)
    for (Peer* publisher : flow_.forget(p)) outbox_.send_flow(*publisher, false, {});
  log_->debug("peer '{}' {}", p.identity, reason);
}

void Broker::reap_dead() {
  outbox_.forget_dead();
  for (const auto& [topic, body] : peers_.reap()) publish_event(topic, body);
}

// ---- checking and dispatching ----------------------------------------------

void Broker::handle(std::array<zmq::message_t, 2>& f, std::size_t nframes, const std::string& key) {
  proto::MessageView v;
  proto::Header h;
  if (!check(f[1], nframes, key, v, h)) return;
  const auto kind = static_cast<proto::Kind>(v.kind);
  if (kind == proto::Kind::hello) {
    on_hello(key, f[1], v, h);
    return;
  }
  Peer* conn = peers_.find_sender(key);
  if (conn == nullptr || conn->dead) {
    reject(key, h.id, ErrorCode::not_registered, "say hello first (did the platform restart?)");
    return;
  }
  // The origin is what receivers trust as the sender: it must be this
  // connection's identity, or one it hosts. Checking it lets the bytes
  // travel on unchanged.
  Peer* p = conn->speaker(v.origin);
  if (p == nullptr) {
    reject(key, h.id, ErrorCode::bad_frame,
           "origin '" + std::string(v.origin) + "' is not this connection's identity '" + conn->identity + "'" +
               (conn->guests.empty() ? "" : " nor one it hosts"));
    return;
  }
  ++p->received;
  dispatch(*p, kind, v, h, f[1]);
}

bool Broker::check(const zmq::message_t& message, std::size_t nframes, const std::string& key, proto::MessageView& v,
                   proto::Header& h) {
  if (nframes != 1 + proto::frames) {
    reject(key, 0, ErrorCode::bad_frame, "expected 1 frame per message, got " + std::to_string(nframes - 1));
    return false;
  }
  if (auto err = proto::parse_message(view(message), v); !err.empty()) {
    const bool other_version = v.version != 0 && v.version != proto::version;
    reject(key, 0, other_version ? ErrorCode::unsupported_version : ErrorCode::bad_frame,
           other_version
               ? "this broker speaks protocol " + std::to_string(proto::version) + ", not " + std::to_string(v.version)
               : err);
    return false;
  }
  if (v.kind == 0 || v.kind > proto::max_kind) {
    reject(key, 0, ErrorCode::unknown_kind, "unknown message kind " + std::to_string(v.kind));
    return false;
  }
  if (auto err = proto::decode_header(v.header, h); !err.empty()) {
    reject(key, 0, ErrorCode::bad_frame, err);
    return false;
  }
  if (message.size() > config_.max_message_bytes) {
    const std::string why =
        std::to_string(message.size()) + " bytes is over the limit of " + std::to_string(config_.max_message_bytes);
    reject(key, h.id, ErrorCode::too_large, why);
    if (v.kind == static_cast<std::uint8_t>(proto::Kind::response)) answer_too_large(key, v, h, why);
    return false;
  }
  return true;
}

void Broker::dispatch(Peer& p, proto::Kind kind, const proto::MessageView& v, const proto::Header& h,
                      zmq::message_t& message) {
  switch (kind) {
    case proto::Kind::bye:
      // Acknowledged, so the peer knows its goodbye arrived before it closes.
      acknowledge(p.routing_id, h.id);
      remove_peer(p, "left");
      break;
    case proto::Kind::subscribe:
    case proto::Kind::unsubscribe: on_subscribe(p, kind, v.address, h); break;
    case proto::Kind::publish: on_publish(p, v.address, h, message); break;
    case proto::Kind::request:
      if (!authorized(p, kind, v.address, h)) break;
      [[fallthrough]];
    case proto::Kind::response:
    case proto::Kind::error: on_routed(p, kind, v.address, h, message); break;
    case proto::Kind::ping: acknowledge(p.routing_id, h.id, proto::Kind::pong); break;
    case proto::Kind::pong: break;
    // In order after everything this peer sent before: all of it is taken.
    case proto::Kind::sync: acknowledge(p.routing_id, h.id); break;
    case proto::Kind::peers: {
      proto::Header list;
      list.id = h.id;
      reply(p.routing_id, proto::Kind::peer_list, list, peers_.list());
      break;
    }
    default:
      reject(p.routing_id, h.id, ErrorCode::unknown_kind,
             "a peer may not send " + std::string(proto::kind_name(kind)) + " messages");
  }
}

void Broker::answer_too_large(const std::string& key, const proto::MessageView& v, const proto::Header& h,
                              const std::string& why) {
  // The caller hears it now, rather than at its timeout: the answer it
  // waits for will never come.
  Peer* conn = peers_.find_sender(key);
  Peer* answerer = conn != nullptr && !conn->dead ? conn->speaker(v.origin) : nullptr;
  if (answerer == nullptr) return;
  Peer* caller = peers_.by_identity(std::string(v.address));
  if (caller == nullptr || !answerer->owed.settle(caller->serial, h.id)) return;
  reject(caller->routing_id, h.id, ErrorCode::too_large, "the answer of '" + answerer->identity + "': " + why);
}

// ---- joining ----------------------------------------------------------------

void Broker::on_hello(const std::string& key, zmq::message_t& message, const proto::MessageView& v,
                      const proto::Header& h) {
  if (!v.origin.empty() && v.origin != v.address) {
    reject(key, h.id, ErrorCode::bad_frame, "a hello's origin must be the identity it claims");
    return;
  }
  if (h.hosted) {
    on_hosted_hello(key, message, v.address, h);
    return;
  }
  const auto entry = hello_entry(key, message, v.address, h.id);
  if (!entry) return;
  if (h.protocol < proto::oldest_protocol || h.protocol > proto::protocol) {
    reject(key, h.id, ErrorCode::unsupported_version,
           "hello asks for protocol " + std::to_string(h.protocol) + "; this broker speaks " +
               std::to_string(proto::oldest_protocol) + " to " + std::to_string(proto::protocol));
    return;
  }
  if (auto err = identity_error(v.address); !err.empty()) {
    reject(key, h.id, ErrorCode::bad_identity, err);
    return;
  }
  if (Peer* same = peers_.find(key); same != nullptr && !same->dead) {
    if (same->identity != v.address)
      reject(key, h.id, ErrorCode::bad_identity, "this connection is already '" + same->identity + "'");
    else
      welcome(key, h.id);
    return;
  }
  if (!identity_free(key, v.address, h)) return;
  Peer& p = peers_.add(key, std::string(v.address), h.pid);
  p.protocol = h.protocol;
  p.queue.set_limits(config_.queue_limit, config_.peer_queue_bytes, &memory_);
  p.batches = h.batch && config_.batch_messages > 1;
  p.auth_name = *entry;
  p.auth = entry->empty() ? nullptr : allow_.by_name(*entry);
  welcome(key, h.id);
  log_->debug("peer '{}' joined (pid {})", p.identity, p.pid);
  const auto [topic, body] = PeerTable::event(p, "joined");
  publish_event(topic, body);
}

std::optional<std::string> Broker::hello_entry(const std::string& key, zmq::message_t& message,
                                               std::string_view identity, std::uint64_t id, std::string_view to) {
  if (is_tcp_key(key)) {
    // Authenticated by ZAP already; the entry also says who it may be.
    const char* user = message.gets("User-Id");
    const AuthEntry* entry = user != nullptr ? allow_.by_name(user) : nullptr;
    if (entry == nullptr || !may_claim(*entry, std::string(identity))) {
      reject(key, id, ErrorCode::unauthorized,
             "key '" + std::string(user != nullptr ? user : "?") + "' may not claim identity '" +
                 std::string(identity) + "'",
             to);
      return std::nullopt;
    }
    return entry->name;
  }
  // An installed agent is held to what its install granted.
  const AuthEntry* entry = allow_.local_for(std::string(identity));
  return entry != nullptr ? entry->name : std::string();
}

bool Broker::identity_free(const std::string& key, std::string_view identity, const proto::Header& h,
                           std::string_view to) {
  Peer* old = peers_.by_identity(std::string(identity));
  if (old == nullptr) return true;
  // A restarted agent may say hello before we noticed its old connection
  // closed: a send to a closed connection fails at once (and removes it).
  Outgoing probe = control_message(proto::Kind::ping, proto::encode_header({}));
  if (outbox_.try_send(*old, probe) == Outbox::SendResult::unreachable) {
    reap_dead();
    return true;
  }
  reject(key, h.id, ErrorCode::identity_taken,
         "identity '" + std::string(identity) + "' is already connected (pid " + std::to_string(old->pid) + ")", to);
  return false;
}

void Broker::welcome(const std::string& key, std::uint64_t hello_id) {
  proto::Header w;
  w.id = hello_id;
  const Peer* p = peers_.find(key);
  w.protocol = p != nullptr ? p->protocol : proto::protocol;  // what it asked for
  w.size = config_.max_message_bytes;
  reply(key, proto::Kind::welcome, w);
}

}  // namespace watt::broker
