#include "first_message.hpp"

#include "bench_common.hpp"
#include "timed_command.hpp"

#include <watt/client.hpp>

#include <set>

namespace bench {
namespace {

using namespace std::chrono_literals;

const std::array<std::string, 3> series_prefix = {"pub", "pubs", "direct"};

}  // namespace

// A forked child: a watt::Client subscribed to devices/#; for the first
// message of every sender it reports (index, kind, {arrival ns, series}).
int subscriber(int report_fd, int ctrl_fd) {
  ::setenv("WATT_LOG_LEVEL", "error", 0);
  watt::Client c(client_options("bench-sub", "", 10s));  // "": the home's socket
  std::set<std::string> seen;
  c.subscribe("devices/#", [&](const watt::Envelope& e) {
    const auto t = now_ns();
    if (!seen.insert(e.sender).second) return;
    // The longest prefix followed by digits only.
    for (std::size_t k = series_prefix.size(); k-- > 0;) {
      const auto& prefix = series_prefix[k];
      if (e.sender.size() <= prefix.size() || e.sender.rfind(prefix, 0) != 0) continue;
      const std::string digits = e.sender.substr(prefix.size());
      if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
      report(report_fd, std::stoi(digits), report_done, {t, static_cast<std::int64_t>(k)});
      return;
    }
  });
  if (!c.sync(10s)) throw std::runtime_error("the subscription was not confirmed");
  report(report_fd, 0, report_ready);
  while (true) {
    c.spin_for(20ms);
    pollfd p{ctrl_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 0) break;  // a word from the parent, or the parent is gone
  }
  return 0;
}

// The arrival time of `series`/`index`'s first message.
std::int64_t wait_first_message(int fd, std::int64_t series, int index, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    check_interrupted();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Report r;
    if (left.count() <= 0 || !read_one(fd, r, std::min(left, std::chrono::milliseconds(200)))) {
      if (left.count() <= 0)
        throw std::runtime_error("no message from " + series_prefix[static_cast<std::size_t>(series)] +
                                 std::to_string(index) + " within " + std::to_string(timeout.count()) + " ms");
      continue;
    }
    if (r.kind == report_failed) throw std::runtime_error("the subscriber failed");
    if (r.kind == report_done && r.v[1] == series && r.who == index) return r.v[0];
  }
}

}  // namespace bench
