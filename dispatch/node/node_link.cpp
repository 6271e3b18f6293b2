// The node's end of the serial link: see node_link.hpp.
#include "node_link.hpp"

#include "framing/hello.hpp"
#include "tty/open_tty.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace watt::node {

using serial::FrameType;
using serial::LinkError;
using std::chrono::milliseconds;

// What the frame layout can carry; what the bridge accepts is checked in send_data.
constexpr std::size_t max_frame_payload = 65535;

void validate(const NodeLinkOptions& o) {
  if (o.heartbeat_period <= milliseconds::zero()) throw LinkError("heartbeat_ms must be positive");
  if (o.silence_timeout <= o.heartbeat_period) throw LinkError("silence_ms must be longer than heartbeat_ms");
  if (o.reopen_min <= milliseconds::zero()) throw LinkError("reopen_min must be positive");
  if (o.reopen_max < o.reopen_min) throw LinkError("reopen_max must be at least reopen_min");
  if (o.max_payload < serial::hello_size || o.max_payload > 65535)
    throw LinkError("max_payload must be 3 to 65535 bytes");
  if (o.tx_queue_limit == 0) throw LinkError("tx_queue_limit must be at least 1");
}

NodeLink::NodeLink(serial::SerialSettings settings, NodeLinkOptions options, NodeLinkEvents events)
    : settings_(std::move(settings)),
      options_(options),
      events_(std::move(events)),
      decoder_(options.max_payload),
      supervisor_(options),
      tx_(options.tx_queue_limit),
      silence_reason_("no frame from the bridge for " + std::to_string(options.silence_timeout.count()) + " ms") {
  serial::validate(settings_);
  validate(options_);
}

NodeLink::~NodeLink() {
  if (fd_ >= 0) ::close(fd_);
}

short NodeLink::events() const { return static_cast<short>(POLLIN | (tx_.empty() ? 0 : POLLOUT)); }

Clock::time_point NodeLink::tick(Clock::time_point now) {
  if (supervisor_.open_due(now)) try_open(now);
  if (fd_ < 0) return supervisor_.next_deadline(now);
  report(supervisor_.check_silence(now, silence_reason_));
  if (tx_.empty() && supervisor_.heartbeat_due(now)) {
    queue(FrameType::heartbeat, {}, now);
    ++counters_.heartbeats_sent;
  }
  return supervisor_.next_deadline(now);  // the heartbeat may have found the port gone
}

void NodeLink::try_open(Clock::time_point now) {
  auto opened = serial::open_tty(settings_);
  if (opened.fd < 0) {
    ++counters_.open_failures;
    report(supervisor_.failed(now, opened.error));  // a failure repeated identically is reported once
    return;
  }
  fd_ = opened.fd;
  ++counters_.opens;
  supervisor_.opened(now);
  // A fresh receiver: a half frame from before is forgotten, not counted.
  rx_before_ += decoder_.counters();
  decoder_ = serial::FrameDecoder(options_.max_payload);
  peer_max_payload_ = serial::default_max_payload;
  send_hello(now, true);
  if (fd_ >= 0 && events_.on_session) events_.on_session();
}

void NodeLink::send_hello(Clock::time_point now, bool opened) {
  // Every hello restarts our numbering. On a port just opened, a 0x00 first
  // ends whatever half frame the bridge holds.
  seq_ = 0;
  queue(FrameType::hello,
        serial::encode_hello(
            serial::Hello{serial::serial_protocol_version, static_cast<std::uint16_t>(options_.max_payload)}),
        now, opened);
}

void NodeLink::lose(const std::string& why, Clock::time_point now) {
  ::close(fd_);
  fd_ = -1;
  counters_.tx_dropped += tx_.clear();
  tx_offset_ = 0;
  report(supervisor_.failed(now, why));
}

void NodeLink::queue(FrameType type, std::span<const std::uint8_t> payload, Clock::time_point now,
                     bool delimiter_first) {
  std::vector<std::uint8_t> bytes;
  if (delimiter_first) bytes.push_back(0);
  const auto encoded =
      serial::encode_frame(serial::Frame{type, seq_++, {payload.begin(), payload.end()}}, max_frame_payload);
  bytes.insert(bytes.end(), encoded.begin(), encoded.end());
  counters_.tx_dropped += tx_.push(serial::QueuedFrame{type, std::move(bytes)}, tx_offset_ > 0);
  write_some(now);
}

void NodeLink::write_some(Clock::time_point now) {
  while (fd_ >= 0 && !tx_.empty()) {
    auto& front = tx_.front();
    const auto n = ::write(fd_, front.bytes.data() + tx_offset_, front.bytes.size() - tx_offset_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      ++counters_.write_errors;
      lose(std::string("write error: ") + std::strerror(errno), now);
      return;
    }
    tx_offset_ += static_cast<std::size_t>(n);
    supervisor_.sent(now);
    if (tx_offset_ < front.bytes.size()) continue;
    ++counters_.tx_frames;
    tx_.pop_front();
    tx_offset_ = 0;
  }
}

void NodeLink::on_ready(short revents, Clock::time_point now) {
  if (fd_ < 0) return;
  if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
    std::array<std::uint8_t, 4096> buffer{};
    for (;;) {
      const auto n = ::read(fd_, buffer.data(), buffer.size());
      if (n > 0) {
        decoder_.feed(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)),
                      [&](const serial::ReceivedFrame& f) { on_frame(f, now); });
        if (fd_ < 0) return;  // a reply found the port gone
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if ((revents & (POLLHUP | POLLERR)) == 0) break;
        ++counters_.read_errors;
        lose("the port hung up", now);
        return;
      }
      ++counters_.read_errors;
      lose(n == 0 ? std::string("end of file: the port closed") : std::string("read error: ") + std::strerror(errno),
           now);
      return;
    }
  }
  if ((revents & POLLOUT) != 0) write_some(now);
}

void NodeLink::on_frame(const serial::ReceivedFrame& received, Clock::time_point now) {
  report(supervisor_.heard(now, "bridge heard"));
  const auto& frame = received.frame;
  switch (frame.type) {
    case FrameType::hello:
      ++counters_.hellos_received;
      if (const auto hello = serial::parse_hello(frame.payload)) peer_max_payload_ = hello->max_payload;
      // Answered every time, so a bridge that (re)opened its end knows us at once.
      send_hello(now, false);
      if (fd_ >= 0 && events_.on_session) events_.on_session();
      break;
    case FrameType::data:
      if (events_.on_data) events_.on_data(frame.payload);
      break;
    case FrameType::heartbeat: break;
  }
}

bool NodeLink::send_data(std::span<const std::uint8_t> payload) {
  if (fd_ < 0 || payload.size() > peer_max_payload_) {
    ++counters_.tx_refused;
    return false;
  }
  queue(FrameType::data, payload, Clock::now());
  return true;
}

void NodeLink::flush(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (fd_ >= 0 && !tx_.empty()) {
    const auto now = Clock::now();
    if (now >= deadline) return;
    pollfd p{fd_, POLLOUT, 0};
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now).count();
    if (::poll(&p, 1, static_cast<int>(left)) > 0) on_ready(p.revents, Clock::now());
  }
}

void NodeLink::report(bool changed) {
  if (changed && events_.on_state) events_.on_state(up(), supervisor_.reason());
}

NodeLinkCounters NodeLink::counters() const {
  auto c = counters_;
  c.rx = rx_before_;
  c.rx += decoder_.counters();
  return c;
}

}  // namespace watt::node
