// Where an agent process's log lines go: its log file (rotated by size) or
// the console, and the systemd journal as well when wattd runs under it.
#pragma once

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>

#include <sys/un.h>

#include <mutex>
#include <string>

namespace watt::detail {

// One datagram per line to journald's socket, in the journal's native
// protocol (KEY=VALUE lines; systemd documents it as stable for programs to
// speak themselves, as wattd already does for sd_notify). The logger's name,
// the agent's identity, is both SYSLOG_IDENTIFIER (what journalctl prints)
// and WATT_AGENT (to filter on: journalctl -u wattd WATT_AGENT=mqtt). The
// message is escaped as in the log file, so no field spans lines. A line the
// journal does not take (journald restarting, say) is not retried: the log
// file keeps every one.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  // Throws watt::Error naming the path if it cannot be a socket address.
  explicit JournalSink(const std::string& socket_path);
  ~JournalSink() override;
  JournalSink(const JournalSink&) = delete;
  JournalSink& operator=(const JournalSink&) = delete;

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

private:
  int fd_ = -1;
  sockaddr_un address_{};
  std::string datagram_;
};

// The sinks of an agent process: its log file (rotated by size), else the
// console; and the journal too when $WATT_JOURNAL names its socket (wattd
// sets it for the agents it runs, config.yml agents.journal). nullptr when
// the console is all there is. Throws watt::Error naming the file or socket
// it cannot use.
spdlog::sink_ptr log_sinks(const std::string& file, std::size_t max_bytes, std::size_t files);

}  // namespace watt::detail
