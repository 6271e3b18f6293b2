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
  std::filesystem::file_time_type seen_{};
  bool present_ = false;
};

}  // namespace watt::web
