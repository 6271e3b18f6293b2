#include "log_sinks.hpp"

#include <watt/error.hpp>
#include <watt/log_format.hpp>

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace watt::detail {
namespace {

// syslog(3)'s priorities, which the journal's PRIORITY field takes.
char priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return '2';
    case spdlog::level::err: return '3';
    case spdlog::level::warn: return '4';
    case spdlog::level::info: return '6';
    default: return '7';
  }
}

void field(std::string& out, std::string_view key, std::string_view value) {
  out.append(key).append(1, '=').append(value).append(1, '\n');
}

}  // namespace

JournalSink::JournalSink(const std::string& socket_path) {
  if (socket_path.empty() || socket_path.size() >= sizeof address_.sun_path)
    throw Error("the journal socket '" + socket_path + "' is not a usable socket path");
  address_.sun_family = AF_UNIX;
  std::memcpy(address_.sun_path, socket_path.data(), socket_path.size());
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw Error("cannot open a socket for the journal: " + std::string(std::strerror(errno)));
}

JournalSink::~JournalSink() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  datagram_.clear();
  const char p = priority(msg.level);
  field(datagram_, "PRIORITY", {&p, 1});
  const std::string_view name(msg.logger_name.data(), msg.logger_name.size());
  field(datagram_, "SYSLOG_IDENTIFIER", name);
  field(datagram_, "WATT_AGENT", name);
  field(datagram_, "MESSAGE", escape_control({msg.payload.data(), msg.payload.size()}));
  // The sockets API takes a sockaddr*; sockaddr_un is the documented way in.
  (void)::sendto(fd_, datagram_.data(), datagram_.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&address_), sizeof address_);
}

spdlog::sink_ptr log_sinks(const std::string& file, std::size_t max_bytes, std::size_t files) {
  spdlog::sink_ptr main;
  if (!file.empty()) {
    try {
      main = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file, max_bytes, files);
    } catch (const spdlog::spdlog_ex& e) {
      throw Error("cannot open the log file " + file + ": " + e.what());
    }
  }
  // Read while the host is built, before any thread of ours runs.
  const char* journal = std::getenv("WATT_JOURNAL");  // NOLINT(concurrency-mt-unsafe)
  if (journal == nullptr || *journal == '\0') return main;
  if (!main) main = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto both = std::make_shared<spdlog::sinks::dist_sink_mt>();
  both->add_sink(std::move(main));
  both->add_sink(std::make_shared<JournalSink>(journal));
  return both;
}

}  // namespace watt::detail
