#include "library_store.hpp"

#include <watt/error.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

namespace watt::platform {

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error("cannot read " + p.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// FNV-1a: a name for the content, not a proof of it (put() compares the
// bytes of a file found under the same name).
std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

LibraryStore::LibraryStore(fs::path dir) : dir_(std::move(dir)) {}

fs::path LibraryStore::put(const fs::path& library) {
  // The same file again (a bulk install of one library): not read again.
  std::error_code ec;
  const auto size = fs::file_size(library, ec);
  const auto mtime = fs::last_write_time(library, ec);
  const std::string key = fs::absolute(library).string();
  if (auto it = recent_.find(key); !ec && it != recent_.end() && it->second.size == size && it->second.mtime == mtime &&
                                   fs::exists(it->second.stored))
    return it->second.stored;
  const fs::path stored = store(library);
  if (!ec) recent_[key] = Recent{size, mtime, stored};
  return stored;
}

fs::path LibraryStore::store(const fs::path& library) {
  const std::string content = read_all(library);
  std::ostringstream name;
  name << std::hex << fnv1a(content) << std::dec << "-" << content.size();
  try {
    fs::create_directories(dir_);
    // Another content under the same name (a hash collision) gets a suffix.
    for (int n = 0;; ++n) {
      std::string file = name.str();
      if (n > 0) file.append(".").append(std::to_string(n));
      file.append(".so");
      const fs::path stored = dir_ / file;
      if (fs::exists(stored)) {
        if (read_all(stored) == content) return stored;
        continue;
      }
      // Written aside and renamed: a stored file is always whole.
      const fs::path part = dir_ / (".part-" + stored.filename().string());
      {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out.flush()) throw Error("cannot write " + part.string());
      }
      fs::permissions(part, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                fs::perms::others_read | fs::perms::owner_exec | fs::perms::group_exec |
                                fs::perms::others_exec);
      fs::rename(part, stored);
      return stored;
    }
  } catch (const fs::filesystem_error& e) {
    throw Error(std::string("cannot store the library: ") + e.what());
  }
}

void LibraryStore::place(const fs::path& stored, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(stored, to, ec);
  if (ec) fs::copy_file(stored, to, fs::copy_options::overwrite_existing);
}

void LibraryStore::prune() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::error_code ignored;
    if (e.path().extension() == ".so" && fs::hard_link_count(e.path(), ignored) == 1) fs::remove(e.path(), ignored);
  }
}

}  // namespace watt::platform
