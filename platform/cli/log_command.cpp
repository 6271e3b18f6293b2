// watt log ID: an agent's log file, or, for an agent in a container, its
// lines of the container's log (each tagged with the agent's identity).
#include "cli_context.hpp"

#include <watt/container.hpp>
#include <watt/platform/control_types.hpp>

#include <fstream>
#include <iostream>
#include <thread>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

struct LogSource {
  fs::path file;
  std::string tag;  // only lines holding it; empty = every line
  bool wanted(const std::string& line) const { return tag.empty() || line.find(tag) != std::string::npos; }
};

// Where the agent logs: the platform says whether it is in a container;
// with the platform down, its own file is all there is to read.
LogSource log_source(const Context& ctx, const std::string& id) {
  LogSource own{ctx.home() / "logs" / (id + ".log"), {}};
  if (fs::exists(own.file) || !fs::exists(ctx.home() / "run" / "watt.sock")) return own;
  auto c = ctx.connect();
  const auto s = ctx.control(*c, "status", args(id)).as<platform::AgentStatus>();
  if (s.container.empty()) return own;
  return {ctx.home() / "logs" / (container_identity(s.container) + ".log"), "[" + id + "]"};
}

void print_last(const LogSource& src, long lines) {
  std::ifstream in(src.file);
  if (!in) throw Failure{"no log for that agent yet (" + src.file.string() + ")"};
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);)
    if (src.wanted(l)) all.push_back(l);
  const std::size_t from =
      lines > 0 && all.size() > static_cast<std::size_t>(lines) ? all.size() - static_cast<std::size_t>(lines) : 0;
  for (std::size_t i = from; i < all.size(); ++i) std::cout << all[i] << "\n";
}

// Prints what was written from `offset` on, whole lines only (a partial last
// line waits in `carry`); a file that got shorter was rotated, and is read
// again from its start. Returns the new offset.
std::uintmax_t print_from(const LogSource& src, std::uintmax_t offset, std::string& carry) {
  std::error_code ec;
  const auto size = fs::file_size(src.file, ec);
  if (ec) return offset;
  if (size < offset) offset = 0;
  if (size == offset) return offset;
  std::ifstream in(src.file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string chunk(static_cast<std::size_t>(size - offset), '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  carry += chunk;
  std::size_t start = 0;
  for (auto nl = carry.find('\n'); nl != std::string::npos; nl = carry.find('\n', start)) {
    const std::string line = carry.substr(start, nl - start);
    if (src.wanted(line)) std::cout << line << "\n";
    start = nl + 1;
  }
  carry.erase(0, start);
  std::cout.flush();
  return offset + chunk.size();
}

}  // namespace

void add_log_command(CLI::App& app, Context& ctx) {
  struct LogArgs {
    std::string id;
    bool follow = false;
    long lines = 50;
  };
  auto l = std::make_shared<LogArgs>();
  auto* log = app.add_subcommand("log", "an agent's log (-f to follow it, like tail -f)");
  log->add_option("identity", l->id)->required();
  log->add_flag("-f,--follow", l->follow, "keep printing what is written");
  log->add_option("-n,--lines", l->lines, "lines from the end to start with (0 = all)");
  log->callback(guarded([&ctx, l] {
    const LogSource src = log_source(ctx, l->id);
    print_last(src, l->lines);
    if (!l->follow) return;
    watch_interrupts();
    std::uintmax_t offset = fs::file_size(src.file);
    std::string carry;
    while (!interrupted()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      offset = print_from(src, offset, carry);
    }
  }));
}

}  // namespace watt::cli
