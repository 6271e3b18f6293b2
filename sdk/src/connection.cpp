// The DEALER socket a peer speaks the protocol on.
#include "connection.hpp"

#include <watt/error.hpp>
#include <watt/proto/handover.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace watt::detail {

zmq::context_t& zmq_context() {
  // Deliberately never destroyed: terminating a context at exit blocks on any
  // socket some static still holds. Shutdown flushing is done by sync().
  static auto* ctx = [] {
    auto* c = new zmq::context_t(1);
    // Each Client holds three sockets (its DEALER and a monitor pair): the
    // default cap of 1,023 would stop a process at ~340 clients.
    c->set(zmq::ctxopt::max_sockets, 16384);
    return c;
  }();
  return *ctx;
}

Connection::Connection(const std::string& address, std::string origin, const CurveKeys* curve)
    : address_(address),
      origin_(std::move(origin)),
      socket_(zmq_context(), zmq::socket_type::dealer),
      monitor_(zmq_context(), zmq::socket_type::pair) {
  static std::atomic<std::uint64_t> monitors{0};
  socket_.set(zmq::sockopt::linger, 2000);
  // Frames, some of them batches of up to 16 messages. Kept short: what sits
  // here is first in, first out, while the runtime's own inbox (read ahead
  // up to 10,000 messages) hands out the most urgent first.
  socket_.set(zmq::sockopt::rcvhwm, 1000);
  socket_.set(zmq::sockopt::sndhwm, 10000);
  // After a lost link ZeroMQ retries every 100 ms, backing off to 2 s.
  socket_.set(zmq::sockopt::reconnect_ivl, 100);
  socket_.set(zmq::sockopt::reconnect_ivl_max, 2000);
  if (curve != nullptr) {
    socket_.set(zmq::sockopt::curve_serverkey, curve->server_public);
    socket_.set(zmq::sockopt::curve_publickey, curve->public_key);
    socket_.set(zmq::sockopt::curve_secretkey, curve->secret_key);
  }
  const std::string endpoint = "inproc://watt-monitor-" + std::to_string(monitors++);
  if (zmq_socket_monitor(socket_.handle(), endpoint.c_str(),
                         ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0)
    throw zmq::error_t();
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(endpoint);
  socket_.connect(address);
}

Connection::~Connection() { zmq_socket_monitor(socket_.handle(), nullptr, 0); }

LinkEvent Connection::next_event() {
  // Two frames: 6 bytes (uint16 event, uint32 value), then the endpoint.
  zmq::message_t event, endpoint;
  if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return LinkEvent::none;
  if (event.more()) (void)monitor_.recv(endpoint, zmq::recv_flags::none);
  if (event.size() < 2) return LinkEvent::none;
  std::uint16_t id = 0;
  std::memcpy(&id, event.data(), sizeof id);
  if (id == ZMQ_EVENT_CONNECTED) return LinkEvent::connected;
  if (id == ZMQ_EVENT_DISCONNECTED) return LinkEvent::disconnected;
  if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) return LinkEvent::auth_failed;
  return LinkEvent::none;
}

void Connection::set_linger(int ms) { socket_.set(zmq::sockopt::linger, ms); }

bool Connection::send_as(std::string_view origin, proto::Kind kind, std::string_view address, std::string_view header,
                         std::string_view body, bool wait) {
  if (address.size() > proto::max_address || header.size() > proto::max_header)
    throw Error("message address or header too long for the protocol");
  // Written straight into the message ZeroMQ will send: one copy of the body.
  zmq::message_t msg(proto::message_size(address, origin, header, body));
  proto::write_message(msg.data<char>(), kind, address, origin, header, body);
  proto::handing_over(msg.data());
  while (true) {
    try {
      return socket_.send(msg, wait ? zmq::send_flags::none : zmq::send_flags::dontwait).has_value();
    } catch (const zmq::error_t& e) {
      // Interrupted by a signal: retried, the message must not be lost
      // because someone pressed Ctrl-C.
      if (e.num() != EINTR) throw;
    }
  }
}

std::string Incoming::parse(std::size_t at, std::size_t len) {
  proto::MessageView v;
  if (auto err = proto::parse_message({frame.data<char>() + at, len}, v); !err.empty()) return err;
  if (v.kind == 0 || v.kind > proto::max_kind) return "unknown message kind " + std::to_string(v.kind);
  const char* base = frame.data<char>();
  kind = static_cast<proto::Kind>(v.kind);
  address_at_ = static_cast<std::size_t>(v.address.data() - base);
  address_len_ = v.address.size();
  origin_at_ = static_cast<std::size_t>(v.origin.data() - base);
  origin_len_ = v.origin.size();
  header_at_ = static_cast<std::size_t>(v.header.data() - base);
  header_len_ = v.header.size();
  body_at_ = static_cast<std::size_t>(v.body.data() - base);
  end_ = at + len;
  return {};
}

bool Connection::try_receive(Incoming& out, std::string& error) {
  try {
    if (!socket_.recv(out.frame, zmq::recv_flags::dontwait)) return false;
    proto::taking_over(out.frame.data());
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
  std::size_t got = 1;
  for (bool more = out.frame.more(); more; ++got) {
    zmq::message_t extra;
    (void)socket_.recv(extra, zmq::recv_flags::none);  // the rest of a multipart message is already here
    more = extra.more();
  }
  if (got != proto::frames) {
    error = "message from the broker has " + std::to_string(got) + " frames, expected 1";
    return true;
  }
  error = out.parse();
  return true;
}

}  // namespace watt::detail
