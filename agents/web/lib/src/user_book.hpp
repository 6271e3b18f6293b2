// The users file as the server sees it: read again whenever it changes on
// disk (`watt web user …` writes it), and each change ends the sessions it
// no longer allows.
#pragma once

#include <watt/web/sessions.hpp>
#include <watt/web/users.hpp>

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <optional>

namespace watt::web {

class UserBook {
public:
  UserBook(std::filesystem::path file, std::shared_ptr<spdlog::logger> log);

  // Reads the file again if it changed, then ends the sessions of users who
  // are gone or whose role or password changed.
  void refresh(Sessions& sessions);
  std::optional<User> find(const std::string& name) const;
  bool empty() const { return users_.empty(); }

private:
  std::filesystem::path file_;
  std::shared_ptr<spdlog::logger> log_;
  Users users_;
  // What the file was when last read (or found unreadable): a write within
  // one tick of the clock still changes its size or, renamed over it as
  // `watt web user` writes it, its inode.
  struct Stamp {
    bool present = false;
    std::int64_t mtime_ns = 0, size = 0, inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  Stamp seen_;
};

}  // namespace watt::web
