#include "user_book.hpp"

#include <sys/stat.h>

namespace watt::web {

UserBook::UserBook(std::filesystem::path file, std::shared_ptr<spdlog::logger> log)
    : file_(std::move(file)), log_(std::move(log)) {}

void UserBook::refresh(Sessions& sessions) {
  Stamp now;
  struct stat st {};
  if (::stat(file_.c_str(), &st) == 0)
    now = {true, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec, static_cast<std::int64_t>(st.st_size),
           static_cast<std::int64_t>(st.st_ino)};
  if (now == seen_) return;
  seen_ = now;  // read once per change, even when it cannot be read
  try {
    users_ = Users::load(file_);
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
