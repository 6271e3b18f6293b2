#include "historian_config.hpp"

#include <charconv>

#include "time_spec.hpp"

#include <watt/error.hpp>
#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>

#include <filesystem>
#include <set>

namespace watt::historian {
namespace {

void check_keys(const YAML::Node& node, const std::string& where, const std::set<std::string>& known) {
  if (!node.IsMap()) throw Error(where + " must be a map");
  if (auto err = yaml::key_error(node, known, where); !err.empty()) throw Error(err);
}

template <class T>
T read(const YAML::Node& node, const std::string& name) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw Error("'" + name + "' has the wrong type");
  }
}

std::int64_t duration(const YAML::Node& node, const std::string& name) {
  try {
    const auto ns = parse_duration(read<std::string>(node, name));
    if (ns <= 0) throw Error("'" + name + "' must be longer than zero");
    return ns;
  } catch (const std::invalid_argument& e) {
    throw Error("'" + name + "': " + e.what());
  }
}

std::int64_t positive(const YAML::Node& node, const std::string& name) {
  const auto v = read<std::int64_t>(node, name);
  if (v <= 0) throw Error("'" + name + "' must be above zero");
  return v;
}

std::string under(const std::string& dir, const std::string& file) {
  const std::filesystem::path p(file);
  return p.is_absolute() ? file : (std::filesystem::path(dir) / p).string();
}

// Octal permission bits, written as text ("0640") so that YAML does not read
// them as a decimal number.
unsigned file_mode(const YAML::Node& node) {
  const auto text = read<std::string>(node, "backend.file_mode");
  unsigned mode = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (text.size() < 3 || ec != std::errc() || end != text.data() + text.size() || mode > 0777 || (mode & 0600) != 0600)
    throw Error(
        "'backend.file_mode' must be octal permission bits that let the historian read and write, such as "
        "\"0640\" (in quotes), not '" +
        text + "'");
  return mode;
}

}  // namespace

HistorianConfig parse_historian_config(const YAML::Node& node, const std::string& identity, const std::string& home) {
  HistorianConfig c;
  std::string sqlite_file = "history.sqlite";
  std::string cache_file = "cache.sqlite";
  if (node && !node.IsNull()) {
    check_keys(node, "",
               {"patterns", "data_dir", "backend", "cache", "batch_size", "flush_interval", "retry_interval",
                "retry_interval_max", "retention_days", "backlog_records", "max_value_bytes"});
    if (const auto p = node["patterns"]) {
      if (!p.IsSequence() || p.size() == 0) throw Error("'patterns' must be a non-empty list of patterns");
      c.patterns.clear();
      for (std::size_t i = 0; i < p.size(); ++i) {
        const auto pattern = read<std::string>(p[i], "patterns");
        if (auto err = pattern_error(pattern); !err.empty()) throw Error("patterns[" + std::to_string(i) + "]: " + err);
        c.patterns.push_back(pattern);
      }
    }
    if (node["data_dir"]) c.data_dir = read<std::string>(node["data_dir"], "data_dir");
    if (const auto b = node["backend"]) {
      check_keys(b, "backend.", {"type", "file", "file_mode", "synchronous", "connection", "partition"});
      const auto type = b["type"] ? read<std::string>(b["type"], "backend.type") : "sqlite";
      if (type == "sqlite")
        c.backend = BackendKind::sqlite;
      else if (type == "postgresql")
        c.backend = BackendKind::postgresql;
      else
        throw Error("'backend.type' must be sqlite or postgresql, not '" + type + "'");
      if (b["file"]) sqlite_file = read<std::string>(b["file"], "backend.file");
      if (b["file_mode"]) c.sqlite.file_mode = file_mode(b["file_mode"]);
      if (b["synchronous"]) {
        c.sqlite.synchronous = read<std::string>(b["synchronous"], "backend.synchronous");
        if (c.sqlite.synchronous != "FULL" && c.sqlite.synchronous != "NORMAL")
          throw Error("'backend.synchronous' must be FULL or NORMAL");
      }
      if (b["connection"]) c.postgres.connection = read<std::string>(b["connection"], "backend.connection");
      if (b["partition"]) c.postgres.partition_ns = duration(b["partition"], "backend.partition");
      if (c.backend == BackendKind::postgresql && c.postgres.connection.empty())
        throw Error("'backend.connection' is required for postgresql (a libpq connection string)");
    }
    if (const auto k = node["cache"]) {
      check_keys(k, "cache.", {"file", "max_records", "max_bytes", "full_policy", "synchronous"});
      if (k["file"]) cache_file = read<std::string>(k["file"], "cache.file");
      if (k["max_records"]) c.cache.max_records = positive(k["max_records"], "cache.max_records");
      if (k["max_bytes"]) c.cache.max_bytes = positive(k["max_bytes"], "cache.max_bytes");
      if (k["full_policy"]) {
        const auto policy = read<std::string>(k["full_policy"], "cache.full_policy");
        if (policy == "drop_oldest")
          c.cache.policy = FullPolicy::drop_oldest;
        else if (policy == "drop_newest")
          c.cache.policy = FullPolicy::drop_newest;
        else
          throw Error("'cache.full_policy' must be drop_oldest or drop_newest");
      }
      if (k["synchronous"]) {
        c.cache.synchronous = read<std::string>(k["synchronous"], "cache.synchronous");
        if (c.cache.synchronous != "FULL" && c.cache.synchronous != "NORMAL")
          throw Error("'cache.synchronous' must be FULL or NORMAL");
      }
    }
    if (node["batch_size"]) c.batch_size = static_cast<std::size_t>(positive(node["batch_size"], "batch_size"));
    if (node["flush_interval"]) c.flush_interval_ns = duration(node["flush_interval"], "flush_interval");
    if (node["retry_interval"]) c.retry_min_ns = duration(node["retry_interval"], "retry_interval");
    if (node["retry_interval_max"]) c.retry_max_ns = duration(node["retry_interval_max"], "retry_interval_max");
    if (c.retry_max_ns < c.retry_min_ns) c.retry_max_ns = c.retry_min_ns;
    if (node["retention_days"]) {
      const auto days = read<double>(node["retention_days"], "retention_days");
      if (!(days >= 0) || days > 100'000) throw Error("'retention_days' must be from 0 (keep all) to 100000");
      c.retention_ns = static_cast<std::int64_t>(days * 86'400e9);
    }
    if (node["backlog_records"]) c.backlog_records = positive(node["backlog_records"], "backlog_records");
    if (node["max_value_bytes"])
      c.limits.max_value_bytes = static_cast<std::size_t>(positive(node["max_value_bytes"], "max_value_bytes"));
  }
  if (c.data_dir.empty()) c.data_dir = (std::filesystem::path(home) / "data" / identity).string();
  c.sqlite.file = under(c.data_dir, sqlite_file);
  c.cache.file = under(c.data_dir, cache_file);
  return c;
}

}  // namespace watt::historian
