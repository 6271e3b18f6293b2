#include <watt/mqtt/settings.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace watt::mqtt {
namespace {

using yaml::flag;
using yaml::key_error;

std::string text(const YAML::Node& n, const std::string& what, const std::string& fallback) {
  return yaml::text<SettingsError>(n, what, fallback);
}

double number(const YAML::Node& n, const std::string& what, double fallback, double low, double high) {
  return yaml::number<SettingsError>(n, what, fallback, low, high);
}

// A section that is absent reads as an empty one: every key its default.
YAML::Node or_empty(const YAML::Node& n) { return n ? n : YAML::Node(YAML::NodeType::Map); }

void refuse_unknown(const YAML::Node& n, const std::string& what, const std::set<std::string>& known) {
  if (!n) return;
  if (!n.IsMap()) throw SettingsError("'" + what + "' must be a map");
  if (auto err = key_error(n, known, what + "."); !err.empty()) throw SettingsError(err);
}

std::string readable(const YAML::Node& n, const std::string& what) {
  const auto path = text(n, what, "");
  if (!path.empty() && !std::ifstream(path)) throw SettingsError("'" + what + "': cannot read " + path);
  return path;
}

// A password from the file named, so that it need not sit in the
// configuration store: its first line.
std::string password_of(const YAML::Node& broker) {
  if (broker["password"] && broker["password_file"])
    throw SettingsError("'broker.password' and 'broker.password_file': give one");
  if (!broker["password_file"]) return text(broker["password"], "broker.password", "");
  const auto path = readable(broker["password_file"], "broker.password_file");
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

Tls parse_tls(const YAML::Node& n, bool url_wants_tls) {
  refuse_unknown(n, "broker.tls", {"ca", "cert", "key", "key_password", "verify"});
  Tls t;
  t.enabled = url_wants_tls;
  if (!n) return t;
  if (!url_wants_tls) throw SettingsError("'broker.tls' needs an ssl:// or mqtts:// broker.url");
  t.ca = readable(n["ca"], "broker.tls.ca");
  t.cert = readable(n["cert"], "broker.tls.cert");
  t.key = readable(n["key"], "broker.tls.key");
  t.key_password = text(n["key_password"], "broker.tls.key_password", "");
  t.verify = flag<SettingsError>(n["verify"], "broker.tls.verify", true);
  if (t.cert.empty() != t.key.empty()) throw SettingsError("'broker.tls.cert' and 'broker.tls.key' go together");
  return t;
}

BrokerSettings parse_broker(const YAML::Node& section, const std::string& identity) {
  const auto n = or_empty(section);
  refuse_unknown(n, "broker",
                 {"url", "client_id", "username", "password", "password_file", "tls", "mqtt_version", "keepalive_s",
                  "connect_timeout_s", "session_expiry_s"});
  BrokerSettings b;
  b.url = text(n["url"], "broker.url", b.url);
  const auto scheme = b.url.substr(0, b.url.find("://"));
  if (b.url.find("://") == std::string::npos ||
      (scheme != "tcp" && scheme != "mqtt" && scheme != "ssl" && scheme != "mqtts"))
    throw SettingsError("'broker.url' must be tcp://host:port, mqtt://, ssl:// or mqtts://, not '" + b.url + "'");
  b.client_id = text(n["client_id"], "broker.client_id", identity);
  b.username = text(n["username"], "broker.username", "");
  b.password = password_of(n);
  b.tls = parse_tls(n["tls"], scheme == "ssl" || scheme == "mqtts");
  b.mqtt_version = static_cast<int>(number(n["mqtt_version"], "broker.mqtt_version", 5, 4, 5));
  b.keepalive = std::chrono::seconds(static_cast<int>(number(n["keepalive_s"], "broker.keepalive_s", 30, 1, 65535)));
  b.connect_timeout =
      std::chrono::seconds(static_cast<int>(number(n["connect_timeout_s"], "broker.connect_timeout_s", 10, 1, 600)));
  b.session_expiry = std::chrono::seconds(
      static_cast<std::int64_t>(number(n["session_expiry_s"], "broker.session_expiry_s", 604800, 0, 4294967295.0)));
  return b;
}

Backoff parse_backoff(const YAML::Node& section) {
  const auto n = or_empty(section);
  refuse_unknown(n, "reconnect", {"first_ms", "most_ms"});
  Backoff b;
  b.first = std::chrono::milliseconds(static_cast<int>(number(n["first_ms"], "reconnect.first_ms", 500, 10, 3.6e6)));
  b.most = std::chrono::milliseconds(
      static_cast<int>(number(n["most_ms"], "reconnect.most_ms", 30000, static_cast<double>(b.first.count()), 3.6e6)));
  return b;
}

QueueSettings parse_queue(const YAML::Node& section, const std::string& data_dir) {
  const auto n = or_empty(section);
  refuse_unknown(n, "queue", {"file", "capacity", "when_full", "in_flight"});
  QueueSettings q;
  q.file = text(n["file"], "queue.file", data_dir + "/outbox.sqlite");
  q.capacity = static_cast<std::int64_t>(number(n["capacity"], "queue.capacity", 1e6, 1, 1e12));
  const auto when_full = text(n["when_full"], "queue.when_full", "drop_oldest");
  if (when_full == "drop_oldest")
    q.when_full = WhenFull::drop_oldest;
  else if (when_full == "drop_newest")
    q.when_full = WhenFull::drop_newest;
  else
    throw SettingsError("'queue.when_full' must be drop_oldest or drop_newest, not '" + when_full + "'");
  q.in_flight = static_cast<std::size_t>(number(n["in_flight"], "queue.in_flight", 256, 1, 65535));
  return q;
}

}  // namespace

std::chrono::milliseconds Backoff::delay(unsigned attempt, double unit) const {
  const double base = static_cast<double>(first.count()) * std::pow(2.0, std::min(attempt, 30u));
  const double capped = std::min(base, static_cast<double>(most.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped * (1.0 - 0.25 * std::clamp(unit, 0.0, 1.0))));
}

BridgeSettings parse_settings(const YAML::Node& config, const std::string& identity, const std::string& data_dir) {
  if (config && !config.IsMap() && !config.IsNull()) throw SettingsError("the configuration must be a map");
  if (auto err =
          key_error(config, {"broker", "reconnect", "queue", "rules", "home_assistant", "federation", "sparkplug"});
      !err.empty())
    throw SettingsError(err);
  BridgeSettings s;
  s.broker = parse_broker(config["broker"], identity);
  s.reconnect = parse_backoff(config["reconnect"]);
  s.queue = parse_queue(config["queue"], data_dir);
  s.home_assistant = parse_home_assistant(config["home_assistant"], s.broker.client_id);
  s.federation = parse_federation(config["federation"]);
  s.sparkplug = parse_sparkplug(config["sparkplug"], s.broker.client_id);
  if (s.federation.enabled && s.broker.mqtt_version != 5)
    throw SettingsError("'federation' needs 'broker.mqtt_version' 5 (its calls are MQTT 5 requests)");
  if (s.home_assistant.enabled) {
    s.broker.will_topic = availability_topic(s.home_assistant);
    s.broker.will_payload = "offline";
  }
  try {
    s.rules = parse_rules(config["rules"]);
  } catch (const RuleError& e) {
    throw SettingsError(e.what());
  }
  return s;
}

}  // namespace watt::mqtt
