// Reads and checks $WATT_HOME/config.yml.
#include "platform_config.hpp"

#include <watt/error.hpp>
#include <watt/yaml_keys.hpp>

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <cstdlib>
#include <set>

namespace watt::platform {
namespace {

template <class T>
T number(const YAML::Node& node, const std::string& where, T min, T max) {
  T v{};
  try {
    v = node.as<T>();
  } catch (const YAML::Exception&) {
    throw Error(where + " must be a number");
  }
  if (v < min || v > max)
    throw Error(where + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

std::string text(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) throw Error(where + " must be a string");
  return node.Scalar();
}

void only_keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& allowed) {
  if (!map.IsMap()) throw Error(where + " must be a map");
  if (auto err = yaml::key_error(map, allowed); !err.empty()) throw Error(where + ": " + err);
}

void parse_broker(const YAML::Node& b, const std::string& w, PlatformConfig& c) {
  only_keys(b, w,
            {"tcp", "max_message_bytes", "queue_limit", "lossless_high_water", "socket_high_water", "batch_messages",
             "liveness_interval_ms", "max_owed_answers", "answer_window_ms", "peer_queue_bytes", "memory_limit",
             "max_local_connections", "max_tcp_connections", "handshake_timeout_ms", "max_hosted", "gateway"});
  if (b["tcp"]) {
    c.tcp = text(b["tcp"], w + ".tcp");
    if (c.tcp.rfind("tcp://", 0) != 0) throw Error(w + ".tcp must look like tcp://HOST:PORT (PORT may be *)");
  }
  auto& bc = c.broker;
  if (b["gateway"]) {
    bc.gateway = text(b["gateway"], w + ".gateway");
    if (auto err = identity_error(bc.gateway); !err.empty()) throw Error(w + ".gateway: " + err);
  }
  auto set = [&](const char* key, auto& out, auto min, auto max) {
    if (b[key]) out = number<std::decay_t<decltype(out)>>(b[key], w + "." + key, min, max);
  };
  auto ms = [&](const char* key, std::chrono::milliseconds& out, int min, int max) {
    if (b[key]) out = std::chrono::milliseconds(number<int>(b[key], w + "." + key, min, max));
  };
  set("max_message_bytes", bc.max_message_bytes, 1024u, 256u << 20);
  set("queue_limit", bc.queue_limit, 0u, 10'000'000u);
  set("lossless_high_water", bc.lossless_high_water, 1u, 10'000'000u);
  set("socket_high_water", bc.socket_high_water, 1, 1'000'000);
  set("batch_messages", bc.batch_messages, 1u, 1024u);
  set("max_owed_answers", bc.max_owed_answers, 1u, 100'000'000u);
  set("max_hosted", bc.max_hosted, 0u, 10'000'000u);
  set("peer_queue_bytes", bc.peer_queue_bytes, std::size_t{64} << 10, std::size_t{1} << 40);
  set("memory_limit", bc.memory_limit, std::size_t{1} << 20, std::size_t{1} << 42);
  ms("liveness_interval_ms", bc.liveness_interval, 10, 600'000);
  ms("answer_window_ms", bc.answer_window, 1000, 86'400'000);
  set("max_local_connections", bc.max_local_connections, 1u, 1'000'000u);
  set("max_tcp_connections", bc.max_tcp_connections, 1u, 1'000'000u);
  ms("handshake_timeout_ms", bc.handshake_timeout, 100, 600'000);
}

}  // namespace

PlatformConfig load_platform_config(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return {};
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw Error(file.string() + ": " + e.what());
  }
  return parse_platform_config(root, file.string());
}

PlatformConfig parse_platform_config(const YAML::Node& root, const std::string& f) {
  PlatformConfig c;
  if (root.IsNull()) return c;
  only_keys(root, f, {"broker", "agents"});
  if (const auto b = root["broker"]) parse_broker(b, f + ": broker", c);
  if (const auto a = root["agents"]) {
    const std::string w = f + ": agents";
    only_keys(a, w,
              {"stop_timeout_ms", "restart_backoff_ms", "restart_backoff_max_ms", "restart_limit", "restart_window_ms",
               "heartbeat_ms", "log_max_bytes", "log_files", "journal"});
    auto ms = [&](const char* key, std::chrono::milliseconds& out, int min, int max) {
      if (a[key]) out = std::chrono::milliseconds(number<int>(a[key], w + "." + key, min, max));
    };
    auto& sv = c.supervisor;
    ms("stop_timeout_ms", sv.stop_timeout, 100, 600'000);
    ms("restart_backoff_ms", sv.backoff_initial, 10, 600'000);
    ms("restart_backoff_max_ms", sv.backoff_max, 10, 3'600'000);
    ms("restart_window_ms", sv.restart_window, 1000, 86'400'000);
    ms("heartbeat_ms", c.heartbeat, 0, 86'400'000);
    if (a["log_max_bytes"])
      c.log_max_bytes = number<std::size_t>(a["log_max_bytes"], w + ".log_max_bytes", 4096, std::size_t{1} << 34);
    if (a["log_files"]) c.log_files = number<std::size_t>(a["log_files"], w + ".log_files", 1, 1000);
    if (a["journal"]) {
      c.journal = text(a["journal"], w + ".journal");
      if (c.journal != "auto" && c.journal != "off" && !c.journal.starts_with('/'))
        throw Error(w + ".journal must be auto, off or the absolute path of a journal socket, not '" + c.journal + "'");
    }
    if (a["restart_limit"]) sv.restart_limit = number<int>(a["restart_limit"], w + ".restart_limit", 0, 1000);
    if (sv.backoff_max < sv.backoff_initial) throw Error(w + ".restart_backoff_max_ms is below restart_backoff_ms");
  }
  return c;
}

std::string journal_socket(const PlatformConfig& config) {
  if (config.journal == "off") return {};
  if (config.journal != "auto") return config.journal;
  // systemd says where a service's output goes in $JOURNAL_STREAM
  // ("device:inode"); it is the journal if that is still our stderr.
  const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe): before any thread
  struct stat st {};
  if (stream == nullptr || ::fstat(2, &st) != 0) return {};
  const std::string ours = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return ours == stream ? "/run/systemd/journal/socket" : std::string();
}

}  // namespace watt::platform
