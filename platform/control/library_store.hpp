// Installed agents' libraries, one file per distinct content:
// $WATT_HOME/agents/.libraries/<hash>-<size>.so, hard-linked into each
// agent's folder as agent.so. A thousand agents of one library so take one
// file on disk, and one mapping in a container that hosts them all (the
// dynamic loader knows a file it has loaded by its inode, whatever the path).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace watt::platform {

class LibraryStore {
public:
  explicit LibraryStore(std::filesystem::path dir);

  // The stored file with this library's content, added if new. Throws
  // watt::Error.
  std::filesystem::path put(const std::filesystem::path& library);
  // Places it at `to`: a hard link, or a copy where links cannot be made.
  static void place(const std::filesystem::path& stored, const std::filesystem::path& to);
  // Drops the files no agent links to any more.
  void prune();

private:
  std::filesystem::path store(const std::filesystem::path& library);

  std::filesystem::path dir_;
  // Libraries stored lately, by source path: found again without reading
  // them while their size and time are unchanged.
  struct Recent {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    std::filesystem::path stored;
  };
  std::map<std::string, Recent> recent_;
};

}  // namespace watt::platform
