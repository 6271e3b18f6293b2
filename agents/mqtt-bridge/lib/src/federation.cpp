#include <watt/identity.hpp>
#include <watt/mqtt/federation.hpp>
#include <watt/mqtt/payload.hpp>
#include <watt/mqtt/rules.hpp>
#include <watt/mqtt/settings.hpp>
#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

namespace watt::mqtt {
namespace {

std::vector<std::string> text_list(const YAML::Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) return {yaml::text<SettingsError>(n, what, "")};
  if (!n.IsSequence()) throw SettingsError("'" + what + "' must be a list");
  for (std::size_t i = 0; i < n.size(); ++i)
    out.push_back(yaml::text<SettingsError>(n[i], what + "[" + std::to_string(i) + "]", ""));
  return out;
}

std::string platform_error(std::string_view id) {
  if (id.find('/') != std::string_view::npos || id == "+" || id == "#") return "must not hold '/', '+' or '#'";
  return identity_error(id);
}

Import parse_import(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap()) throw SettingsError("'" + where + "' must be a map (from, topics)");
  if (auto err = yaml::key_error(n, {"from", "topics"}, where + "."); !err.empty()) throw SettingsError(err);
  Import i{yaml::text<SettingsError>(n["from"], where + ".from", "+"),
           yaml::text<SettingsError>(n["topics"], where + ".topics", "#")};
  if (i.from != "+")
    if (auto err = platform_error(i.from); !err.empty()) throw SettingsError("'" + where + ".from': " + err);
  if (auto err = filter_error(i.topics); !err.empty()) throw SettingsError("'" + where + ".topics': " + err);
  return i;
}

}  // namespace

Federation parse_federation(const YAML::Node& n) {
  Federation f;
  if (!n || n.IsNull()) return f;
  if (!n.IsMap()) throw SettingsError("'federation' must be a map");
  if (auto err = yaml::key_error(n, {"platform", "root", "export", "import", "qos", "serve", "call_timeout_ms"},
                                 "federation.");
      !err.empty())
    throw SettingsError(err);
  f.enabled = true;
  f.platform = yaml::text<SettingsError>(n["platform"], "federation.platform", "");
  if (f.platform.empty()) throw SettingsError("'federation.platform' is required: this platform's id");
  if (auto err = platform_error(f.platform); !err.empty()) throw SettingsError("'federation.platform': " + err);
  f.root = yaml::text<SettingsError>(n["root"], "federation.root", f.root);
  if (auto err = filter_error(f.root); !err.empty() || f.root.find_first_of("+#") != std::string::npos)
    throw SettingsError("'federation.root' must be an MQTT topic without wildcards");
  f.exports = text_list(n["export"], "federation.export");
  for (std::size_t i = 0; i < f.exports.size(); ++i)
    if (auto err = pattern_error(f.exports[i]); !err.empty())
      throw SettingsError("'federation.export[" + std::to_string(i) + "]': " + err);
  if (n["import"]) {
    if (!n["import"].IsSequence()) throw SettingsError("'federation.import' must be a list");
    for (std::size_t i = 0; i < n["import"].size(); ++i)
      f.imports.push_back(parse_import(n["import"][i], "federation.import[" + std::to_string(i) + "]"));
  }
  f.qos = static_cast<int>(yaml::number<SettingsError>(n["qos"], "federation.qos", 1, 0, 1));
  if (n["serve"]) f.serve = text_list(n["serve"], "federation.serve");
  f.call_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(
      yaml::number<SettingsError>(n["call_timeout_ms"], "federation.call_timeout_ms", 10000, 1, 3.6e6)));
  return f;
}

template <class T>
T unpack(std::string_view bytes, const char* what) {
  try {
    return Value::from_msgpack(std::string(bytes)).as<T>();
  } catch (const std::exception& e) {
    throw PayloadError(std::string("not a federation ") + what + ": " + e.what());
  }
}
template WireMessage unpack<WireMessage>(std::string_view, const char*);
template WireCall unpack<WireCall>(std::string_view, const char*);
template WireAnswer unpack<WireAnswer>(std::string_view, const char*);

std::string export_topic(const Federation& f, std::string_view bus_topic) {
  return f.root + "/" + f.platform + "/bus/" + std::string(bus_topic);
}

std::string call_topic(const Federation& f, std::string_view platform, std::string_view agent) {
  return f.root + "/" + std::string(platform) + "/call/" + std::string(agent);
}

std::string reply_topic(const Federation& f, std::string_view client_id) {
  return f.root + "/" + f.platform + "/reply/" + std::string(client_id);
}

std::optional<FederationTopic> parse_topic(const Federation& f, std::string_view t) {
  const auto prefix = f.root + "/";
  if (!t.starts_with(prefix)) return std::nullopt;
  t.remove_prefix(prefix.size());
  const auto slash = t.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto platform = t.substr(0, slash);
  t.remove_prefix(slash + 1);
  const auto kind_end = t.find('/');
  if (kind_end == std::string_view::npos || kind_end + 1 == t.size()) return std::nullopt;
  const auto kind = t.substr(0, kind_end);
  const std::string rest(t.substr(kind_end + 1));
  if (kind == "bus") return FederationTopic{FederationTopic::Kind::bus, std::string(platform), rest};
  if (kind == "call") return FederationTopic{FederationTopic::Kind::call, std::string(platform), rest};
  if (kind == "reply") return FederationTopic{FederationTopic::Kind::reply, std::string(platform), rest};
  return std::nullopt;
}

std::vector<Subscription> subscriptions(const Federation& f, std::string_view client_id) {
  std::vector<Subscription> out;
  for (const auto& i : f.imports) out.push_back({f.root + "/" + i.from + "/bus/" + i.topics, f.qos, true});
  out.push_back({f.root + "/" + f.platform + "/call/+", 0, true});
  out.push_back({reply_topic(f, client_id), 0, true});
  return out;
}

bool serves(const Federation& f, std::string_view agent) {
  if (agent == "platform" || agent == "broker" || !identity_error(agent).empty()) return false;
  for (const auto& s : f.serve)
    if (s == "*" || s == agent) return true;
  return false;
}

}  // namespace watt::mqtt
