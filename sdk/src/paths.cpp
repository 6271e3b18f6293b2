// Default locations: $WATT_HOME (or ~/.watt) and the broker's ipc socket; and
// replacing a file whole.
#include <watt/error.hpp>
#include <watt/paths.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace watt {

std::string watt_home() {
  if (const char* h = std::getenv("WATT_HOME"); h != nullptr && *h != '\0') return h;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/tmp") + "/.watt";
}

std::string default_address() { return "ipc://" + watt_home() + "/run/watt.sock"; }

void write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode) {
  const auto tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw Error("cannot write " + tmp + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) throw Error("cannot write " + tmp + ": " + std::strerror(err));
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw Error("cannot replace " + file.string() + ": " + ec.message());
  // The rename itself survives a power loss only once the folder is synced.
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace watt
