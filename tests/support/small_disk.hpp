// A small file system of its own: a tmpfs of a given size mounted on a fresh
// directory, for what must happen when a disk fills up. Mounting needs root
// (CI runs as root); elsewhere mounted() is false and why_not() says why, and
// the tests that need one say they were skipped.
#pragma once

#include "temp_dir.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace watt::test {

class SmallDisk {
public:
  explicit SmallDisk(std::int64_t bytes) : dir_("watt-disk") {
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
    if (::mount("tmpfs", dir_.str().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0)
      mounted_ = true;
    else
      why_not_ = std::string("cannot mount a tmpfs (needs root): ") + std::strerror(errno);
  }
  ~SmallDisk() {
    // Lazily, so a file still open in a process being torn down cannot keep
    // the mount (and the directory TempDir removes) alive.
    if (mounted_) ::umount2(dir_.str().c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  std::string str() const { return dir_.str(); }
  std::string file(const std::string& name) const { return dir_.file(name); }

  // Writes a filler file until the disk refuses more: afterwards nothing
  // that needs a new block can be written.
  void fill() {
    std::ofstream out(file("filler"), std::ios::binary | std::ios::app);
    const std::vector<char> block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
    }
  }
  // Space returns.
  void release() { std::filesystem::remove(file("filler")); }
  std::int64_t free_bytes() const { return static_cast<std::int64_t>(std::filesystem::space(dir_.path()).available); }

private:
  TempDir dir_;
  bool mounted_ = false;
  std::string why_not_;
};

}  // namespace watt::test
