// A fresh directory under /tmp, removed with everything in it on destruction
// by the process that made it (never by a forked child: the benchmarks fork).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace watt::test {

class TempDir {
public:
  explicit TempDir(const std::string& prefix = "watt-test") : owner_(::getpid()) {
    // Short paths: an ipc socket path must fit in 107 bytes.
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    if (::getpid() != owner_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // A file in it, and an ipc:// endpoint whose socket is a file in it.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string ipc(const std::string& name) const { return "ipc://" + file(name + ".sock"); }

private:
  pid_t owner_;
  std::filesystem::path path_;
};

}  // namespace watt::test
