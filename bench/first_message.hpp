// The subscriber of bench_platform, in a forked child: it reports the arrival
// of each agent's first message on a pipe, so the parent (which never touches
// ZeroMQ) can time "install --start to the first message".
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace bench {

// Series of agents, by identity prefix ("pub3", "pubs3", "direct3"); a report's v[1].
enum Series : std::int64_t { series_install_start = 0, series_install_then_start = 1, series_direct = 2 };

// A watt::Client subscribed to devices/#, in the home of WATT_HOME; for the
// first message of every sender it reports (index, done, {arrival ns,
// series}). Returns when a word (or EOF) arrives on ctrl_fd.
int subscriber(int report_fd, int ctrl_fd);
// The arrival time of `series`/`index`'s first message; throws after the timeout.
std::int64_t wait_first_message(int fd, std::int64_t series, int index, std::chrono::milliseconds timeout);

}  // namespace bench
