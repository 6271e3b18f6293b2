#include "agent_source.hpp"

#include <watt/error.hpp>

#include <algorithm>
#include <set>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

// Where the bundled agents are, seen from the folder of the watt program:
// in a build tree (a CMakeCache.txt above bin/), its lib/; installed, the
// layout's (WATT_AGENTS_FROM_BINDIR: CMake's relative path from bin to
// lib/<arch>/watt/agents), never all of /usr/lib.
std::vector<fs::path> bundle_dirs() {
  std::error_code ec;
  const auto bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return {};
  if (fs::exists(bin.parent_path() / "CMakeCache.txt", ec)) return {bin.parent_path() / "lib"};
  return {(bin / WATT_AGENTS_FROM_BINDIR).lexically_normal()};
}

bool bare_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string bundled_names(const std::vector<fs::path>& dirs) {
  std::set<std::string> names;
  for (const auto& d : dirs) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(d, ec)) {
      const auto f = e.path().filename().string();
      if (f.starts_with("lib") && f.ends_with(".so") && f != "libwatt.so") names.insert(f.substr(3, f.size() - 6));
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none found" : out;
}

}  // namespace

fs::path agent_source(const std::string& name, const fs::path& base) {
  const auto given = (base / name).lexically_normal();
  std::error_code ec;
  if (fs::exists(given, ec) || !bare_name(name)) return fs::absolute(given);
  const auto dirs = bundle_dirs();
  for (const auto& d : dirs)
    if (const auto lib = d / ("lib" + name + ".so"); fs::is_regular_file(lib, ec)) return lib;
  throw Error("no file or folder '" + given.string() + "', and no agent '" + name +
              "' comes with Watt (it has: " + bundled_names(dirs) + ")");
}

}  // namespace watt::cli
