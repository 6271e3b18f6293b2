#include "user_book.hpp"

namespace watt::web {

UserBook::UserBook(std::filesystem::path file, std::shared_ptr<spdlog::logger> log)
    : file_(std::move(file)), log_(std::move(log)) {}

void UserBook::refresh(Sessions& sessions) {
  std::error_code ec;
  const auto when = std::filesystem::last_write_time(file_, ec);
  const bool present = !ec;
  if (present == present_ && (!present || when == seen_)) return;
  try {
    users_ = Users::load(file_);
    seen_ = when;
    present_ = present;
    log_->info("{} web users from {}", users_.all().size(), file_.string());
  } catch (const UserError& e) {
    // Keep the users we had: a file caught half-edited by hand must not
    // lock everyone out.
    log_->error("cannot read the web users: {}", e.what());
    return;
  }
  sessions.close_if([this](const Session& s) {
    const auto* u = users_.find(s.user);
    return u == nullptr || u->role != s.role || u->hash != s.credential;
  });
}

std::optional<User> UserBook::find(const std::string& name) const {
  const auto* u = users_.find(name);
  return u != nullptr ? std::optional<User>(*u) : std::nullopt;
}

}  // namespace watt::web
