// The session's lines are built here and logged as they are: a format call
// would put another copy of fmt's formatting code into libwatt for this file.
#include "session.hpp"

#include <unistd.h>

#include <string>

namespace watt::detail {

Session::Session(std::string identity, std::string address, Port& port, spdlog::logger& log)
    : identity_(std::move(identity)), address_(std::move(address)), log_(log), port_(port) {}

void Session::open() {
  port_.open(address_, identity_, curve_ ? &*curve_ : nullptr);
  send_hello();
}

void Session::close(int linger_ms) {
  if (!port_.is_open()) return;
  port_.close(linger_ms);
  welcomed_ = false;
}

void Session::send(proto::Kind kind, std::string_view address, const proto::Header& h, std::string_view body) {
  proto::encode_header(h, header_buf_);
  port_.send(kind, address, header_buf_, body);
}

void Session::send_hello() {
  proto::Header h;
  h.id = hello_id_ = next_id();
  h.protocol = proto::protocol;
  h.pid = static_cast<std::uint64_t>(::getpid());
  h.batch = true;  // what waits for us at the broker may come several to a frame
  h.hosted = port_.hosted();
  send(proto::Kind::hello, identity_, h);
}

void Session::on_link(LinkEvent event) {
  if (event == LinkEvent::disconnected && welcomed_) {
    welcomed_ = false;
    rejoining_ = true;
    paused_ = false;  // a new broker knows nothing of the old one's flow control
    log_.warn("lost the platform at " + address_ + "; reconnecting");
  } else if (event == LinkEvent::connected && rejoining_) {
    send_hello();
  } else if (event == LinkEvent::auth_failed && !welcomed_ && !hello_error_) {
    hello_error_ = RpcError{ErrorCode::unauthorized, "the platform does not know this key (is it on its allow-list?)"};
  }
}

bool Session::on_welcome(std::uint64_t id) {
  if (id != hello_id_) return false;
  welcomed_ = true;
  if (rejoining_) {
    rejoining_ = false;
    log_.info("reconnected to the platform");
  }
  return true;
}

bool Session::on_refused(std::uint64_t id, const RpcError& error) {
  if (id == 0 || id != hello_id_ || welcomed_) return false;
  if (rejoining_) log_.error("the platform refused us after reconnecting: " + error.what());
  hello_error_ = error;
  return true;
}

void Session::on_flow(bool paused, std::string_view reason) {
  if (paused && !paused_) log_.warn("publishing held back: " + std::string(reason));
  if (!paused && paused_) log_.info("publishing resumed");
  paused_ = paused;
  pause_reason_.assign(reason);
}

}  // namespace watt::detail
