// watt-node on a serial line: see serial_node.hpp.
#include "serial_node.hpp"

#include "bridge_messages.hpp"
#include "node_log.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace watt::node {

SerialNode::SerialNode(ed::RunConfig run, std::chrono::milliseconds pace, serial::SerialSettings port,
                       NodeLinkOptions link)
    : link_(std::move(port), link,
            NodeLinkEvents{[this](std::span<const std::uint8_t> p) { on_data(p); }, [this] { on_session(); },
                           [this](bool up, const std::string& why) { on_link(up, why); }}),
      runner_(std::move(run), pace,
              ed::NodeRunner::Transport{
                  // Refused while the port is closed (counted): the run's
                  // repeats and timeouts deal with a node that is away.
                  [this](const std::string& topic, std::string body) { link_.send_data(publish_request(topic, body)); },
                  log_line}) {}

// The port opened or the bridge (re)started its end: the bridge keeps a
// node's subscriptions and ignores repeats, so sending them all again is
// always right; the monitor likewise ignores a second "ready".
void SerialNode::on_session() {
  for (const auto& pattern : runner_.subscriptions()) link_.send_data(subscribe_request(pattern));
  if (!runner_.started()) runner_.announce();
}

void SerialNode::on_data(std::span<const std::uint8_t> payload) {
  const auto message = parse_bridge_message({payload.begin(), payload.end()});
  if (const auto* d = std::get_if<Delivery>(&message)) {
    runner_.on_message(d->topic, d->sender, d->body, Clock::now());
  } else if (const auto* r = std::get_if<Refusal>(&message)) {
    if (complaints_.count("refused: " + r->error))
      log_line(Level::warn, "the bridge refused " + r->request + ": " + r->error + " (" +
                                std::to_string(complaints_.total("refused: " + r->error)) + " so far)");
  } else if (complaints_.count("unreadable")) {
    log_line(Level::warn, "unreadable frame from the bridge: " + std::get<Unreadable>(message).why + " (" +
                              std::to_string(complaints_.total("unreadable")) + " so far; dropped)");
  }
}

void SerialNode::on_link(bool up, const std::string& why) {
  if (up)
    log_line(Level::info, link_.settings().device + ": bridge up");
  else
    log_line(Level::warn, link_.settings().device + ": bridge down: " + why);
}

// While the bridge is unreachable the silence is ours, not the neighbours':
// the nodes neither step nor time anyone out. Down for longer than the run's
// neighbour timeout, they have been declared lost by the others, and leave.
std::optional<Clock::time_point> SerialNode::poll_runner(Clock::time_point now) {
  if (link_.up() || !runner_.started()) {
    down_since_.reset();
    return runner_.poll(now);
  }
  if (!down_since_) down_since_ = now;
  const auto timeout = runner_.config().neighbour_timeout;
  if (now - *down_since_ >= timeout) {
    runner_.leave("cut off from the bridge for more than the neighbour timeout (" + std::to_string(timeout.count()) +
                  " ms): the others go on without this node");
    return std::nullopt;
  }
  return *down_since_ + timeout;
}

int SerialNode::run(int stop_fd) {
  log_line(Level::info, "run " + runner_.config().run + ": hosting " + std::to_string(runner_.group().hosted().size()) +
                            " node(s) on " + link_.settings().device + " at " + std::to_string(link_.settings().baud) +
                            " baud; waiting for the monitor's start");
  bool stopping = false;
  while (!stopping && !runner_.finished()) {
    const auto now = Clock::now();
    auto wake = std::min(link_.tick(now), now + runner_.poll_period());
    if (const auto paced = poll_runner(now)) wake = std::min(wake, *paced);
    std::array<pollfd, 2> fds{pollfd{link_.fd(), link_.events(), 0}, pollfd{stop_fd, POLLIN, 0}};
    // Rounded up, so a wake-up never comes a millisecond early and spins.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count();
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0)));
    if (n < 0 && errno != EINTR) {
      log_line(Level::error, std::string("poll: ") + std::strerror(errno));
      return 1;
    }
    if (n <= 0) continue;
    if (fds[0].revents != 0) link_.on_ready(fds[0].revents, Clock::now());
    if (fds[1].revents != 0) stopping = true;
  }
  runner_.stop();
  link_.flush(std::chrono::seconds(1));  // the last states and the link's own frames
  const auto c = link_.counters();
  log_line(Level::info, "link: " + std::to_string(c.tx_frames) + " frames sent, " + std::to_string(c.rx.frames) +
                            " received, " + std::to_string(c.rx.dropped()) + " damaged, " +
                            std::to_string(c.tx_dropped + c.tx_refused) + " not sent, " + std::to_string(c.opens) +
                            " open(s)");
  if (stopping) {
    log_line(Level::info, "stopped by a signal");
    return 0;
  }
  return runner_.error().empty() ? 0 : 1;
}

}  // namespace watt::node
