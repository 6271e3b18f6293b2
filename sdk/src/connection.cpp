// The DEALER socket a peer speaks the protocol on.
#include "connection.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>

namespace watt::detail {

zmq::context_t& zmq_context() {
  // Deliberately never destroyed: terminating a context at exit blocks on any
  // socket some static still holds. Shutdown flushing is done by sync().
  static auto* ctx = new zmq::context_t(1);
  return *ctx;
}

Connection::Connection(const std::string& address)
    : address_(address),
      socket_(zmq_context(), zmq::socket_type::dealer),
      monitor_(zmq_context(), zmq::socket_type::pair) {
  static std::atomic<std::uint64_t> monitors{0};
  socket_.set(zmq::sockopt::linger, 2000);
  socket_.set(zmq::sockopt::rcvhwm, 10000);
  socket_.set(zmq::sockopt::sndhwm, 10000);
  // After a lost link ZeroMQ retries every 100 ms, backing off to 2 s.
  socket_.set(zmq::sockopt::reconnect_ivl, 100);
  socket_.set(zmq::sockopt::reconnect_ivl_max, 2000);
  const std::string endpoint = "inproc://watt-monitor-" + std::to_string(monitors++);
  if (zmq_socket_monitor(socket_.handle(), endpoint.c_str(), ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0)
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
  return LinkEvent::none;
}

void Connection::set_linger(int ms) { socket_.set(zmq::sockopt::linger, ms); }

namespace {
// A blocking send interrupted by a signal is simply retried: the message
// must not be lost because someone pressed Ctrl-C.
void send_frame(zmq::socket_t& s, std::string_view data, zmq::send_flags flags) {
  while (true) {
    try {
      s.send(zmq::buffer(data), flags);
      return;
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
}
}  // namespace

void Connection::send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) {
  proto::write_envelope(scratch_, kind, address, {}, header);
  send_frame(socket_, scratch_, zmq::send_flags::sndmore);
  send_frame(socket_, body, zmq::send_flags::none);
}

std::string Frames::parse() {
  proto::EnvelopeView v;
  if (auto err = proto::parse_envelope({envelope.data<char>(), envelope.size()}, v); !err.empty()) return err;
  if (v.kind == 0 || v.kind > proto::max_kind) return "unknown message kind " + std::to_string(v.kind);
  const char* base = envelope.data<char>();
  kind = static_cast<proto::Kind>(v.kind);
  address_at_ = static_cast<std::size_t>(v.address.data() - base);
  address_len_ = v.address.size();
  origin_at_ = static_cast<std::size_t>(v.origin.data() - base);
  origin_len_ = v.origin.size();
  header_at_ = static_cast<std::size_t>(v.header.data() - base);
  return {};
}

bool Connection::try_receive(Frames& out, std::string& error) {
  try {
    if (!socket_.recv(out.envelope, zmq::recv_flags::dontwait)) return false;
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return false;
    throw;
  }
  std::size_t got = 1;
  bool more = out.envelope.more();
  while (more) {
    zmq::message_t extra;
    zmq::message_t& dst = got == 1 ? out.body : extra;
    (void)socket_.recv(dst, zmq::recv_flags::none);  // the rest of a multipart message is already here
    more = dst.more();
    ++got;
  }
  if (got != proto::frames) {
    error = "message from the broker has " + std::to_string(got) + " frames, expected 2";
    return true;
  }
  error = out.parse();
  return true;
}

}  // namespace watt::detail
