#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/settings.hpp>
#include <watt/mqtt/sparkplug.hpp>
#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include "sparkplug_b.pb.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace watt::mqtt {
namespace {

namespace pb = org::eclipse::tahu::protobuf;

void check_id(const std::string& v, const char* key) {
  if (v.empty() || v.find_first_of("/+#") != std::string::npos)
    throw SettingsError("'sparkplug." + std::string(key) + "' must be a Sparkplug id: not empty, no '/', '+' or '#'");
}

void add_property(pb::Payload_PropertySet& set, const std::string& key, const std::string* text, const bool* flag) {
  set.add_keys(key);
  auto* v = set.add_values();
  if (text != nullptr) {
    v->set_type(static_cast<std::uint32_t>(SpType::string));
    v->set_string_value(*text);
  } else {
    v->set_type(static_cast<std::uint32_t>(SpType::boolean));
    v->set_boolean_value(*flag);
  }
}

void encode_metric(const SpMetric& m, bool birth, std::uint64_t timestamp, pb::Payload_Metric& out) {
  out.set_name(m.name);
  out.set_timestamp(timestamp);
  out.set_datatype(static_cast<std::uint32_t>(m.type));
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          out.set_is_null(true);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          out.set_long_value(static_cast<std::uint64_t>(v));  // two's complement, as the specification says
        else if constexpr (std::is_same_v<T, std::uint64_t>)
          out.set_long_value(v);
        else if constexpr (std::is_same_v<T, double>)
          out.set_double_value(v);
        else if constexpr (std::is_same_v<T, bool>)
          out.set_boolean_value(v);
        else
          out.set_string_value(v);
      },
      m.value);
  if (!birth) return;
  auto& props = *out.mutable_properties();
  if (!m.units.empty()) add_property(props, "engUnit", &m.units, nullptr);
  const bool read_only = !m.writable;
  add_property(props, "readOnly", nullptr, &read_only);
}

// A signed value of `bits` bits, carried in the low bits of the wire's
// unsigned field.
std::int64_t sign_extend(std::uint64_t raw, unsigned bits) {
  if (bits >= 64) return static_cast<std::int64_t>(raw);
  const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
  const std::uint64_t low = raw & ((std::uint64_t{1} << bits) - 1);
  return static_cast<std::int64_t>((low ^ sign)) - static_cast<std::int64_t>(sign);
}

// A birth's properties of a metric: its units and whether it is read-only.
void decode_properties(const pb::Payload_PropertySet& set, SpMetric& out) {
  for (int i = 0; i < set.keys_size() && i < set.values_size(); ++i) {
    const auto& v = set.values(i);
    if (set.keys(i) == "engUnit" && v.has_string_value()) out.units = v.string_value();
    if (set.keys(i) == "readOnly" && v.has_boolean_value()) out.writable = !v.boolean_value();
  }
}

SpMetric decode_metric(const pb::Payload_Metric& m) {
  SpMetric out;
  if (!m.has_name() || m.name().empty()) throw SparkplugError("a metric has no name (aliases are not used here)");
  out.name = m.name();
  if (m.has_properties()) decode_properties(m.properties(), out);
  const auto type = m.datatype();
  out.type = static_cast<SpType>(type);
  if (m.is_null()) return out;
  switch (m.value_case()) {
    case pb::Payload_Metric::kIntValue:
      if (type >= 1 && type <= 3)
        out.value = sign_extend(m.int_value(), type == 1 ? 8 : type == 2 ? 16 : 32);
      else
        out.value = std::uint64_t{m.int_value()};
      break;
    case pb::Payload_Metric::kLongValue:
      if (type == static_cast<std::uint32_t>(SpType::int64))
        out.value = static_cast<std::int64_t>(m.long_value());
      else
        out.value = m.long_value();
      break;
    case pb::Payload_Metric::kFloatValue: out.value = double{m.float_value()}; break;
    case pb::Payload_Metric::kDoubleValue: out.value = m.double_value(); break;
    case pb::Payload_Metric::kBooleanValue: out.value = m.boolean_value(); break;
    case pb::Payload_Metric::kStringValue: out.value = m.string_value(); break;
    default:
      throw SparkplugError("metric '" + m.name() +
                           "': its value is of a kind not taken here (bytes, a DataSet, a "
                           "Template) or missing");
  }
  return out;
}

// A command's value as an int64 exactly, when it is one.
std::optional<std::int64_t> integer_of(const SpMetric& m) {
  if (const auto* i = std::get_if<std::int64_t>(&m.value)) return *i;
  if (const auto* u = std::get_if<std::uint64_t>(&m.value)) {
    if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(*u);
  }
  if (const auto* d = std::get_if<double>(&m.value)) {
    // Within int64's range (2^63 is exact as a double) and whole.
    if (!std::isfinite(*d) || *d != std::round(*d) || *d < -9.2233720368547758e18 || *d >= 9.2233720368547758e18)
      return std::nullopt;
    return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

std::optional<double> number_of(const SpMetric& m) {
  if (const auto* d = std::get_if<double>(&m.value)) return std::isfinite(*d) ? std::optional(*d) : std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&m.value)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&m.value)) return static_cast<double>(*u);
  return std::nullopt;
}

}  // namespace

Sparkplug parse_sparkplug(const YAML::Node& n, const std::string& client_id) {
  Sparkplug sp;
  sp.edge_node_id = safe_id(client_id);
  sp.client_id = client_id + "-sparkplug";
  if (!n || n.IsNull()) return sp;  // no section: no Sparkplug
  if (!n.IsMap()) throw SettingsError("'sparkplug' must be a map");
  if (auto err = yaml::key_error(
          n,
          {"enabled", "group_id", "edge_node_id", "client_id", "driver", "devices", "device_check_ms", "primary_host"},
          "sparkplug.");
      !err.empty())
    throw SettingsError(err);
  sp.enabled = yaml::flag<SettingsError>(n["enabled"], "sparkplug.enabled", true);
  sp.group_id = yaml::text<SettingsError>(n["group_id"], "sparkplug.group_id", sp.group_id);
  sp.edge_node_id = yaml::text<SettingsError>(n["edge_node_id"], "sparkplug.edge_node_id", sp.edge_node_id);
  sp.client_id = yaml::text<SettingsError>(n["client_id"], "sparkplug.client_id", sp.client_id);
  sp.driver = yaml::text<SettingsError>(n["driver"], "sparkplug.driver", sp.driver);
  sp.devices = yaml::text<SettingsError>(n["devices"], "sparkplug.devices", sp.devices);
  sp.device_check = std::chrono::milliseconds(static_cast<long>(yaml::number<SettingsError>(
      n["device_check_ms"], "sparkplug.device_check_ms", static_cast<double>(sp.device_check.count()), 0, 3.6e6)));
  if (sp.device_check.count() > 0 && sp.device_check.count() < 100)
    throw SettingsError("'sparkplug.device_check_ms' must be 0 (never) or at least 100");
  sp.primary_host = yaml::text<SettingsError>(n["primary_host"], "sparkplug.primary_host", sp.primary_host);
  check_id(sp.group_id, "group_id");
  check_id(sp.edge_node_id, "edge_node_id");
  if (n["primary_host"]) check_id(sp.primary_host, "primary_host");
  if (sp.client_id.empty()) throw SettingsError("'sparkplug.client_id' must not be empty");
  if (sp.client_id == client_id)
    throw SettingsError("'sparkplug.client_id' must differ from the bridge's own client id: it is a second connection");
  if (auto err = pattern_error(sp.devices); !err.empty()) throw SettingsError("'sparkplug.devices': " + err);
  return sp;
}

const char* to_string(SpMessage m) {
  switch (m) {
    case SpMessage::nbirth: return "NBIRTH";
    case SpMessage::ndeath: return "NDEATH";
    case SpMessage::dbirth: return "DBIRTH";
    case SpMessage::ddeath: return "DDEATH";
    case SpMessage::ndata: return "NDATA";
    case SpMessage::ddata: return "DDATA";
    case SpMessage::ncmd: return "NCMD";
    case SpMessage::dcmd: return "DCMD";
  }
  return "?";
}

std::string sparkplug_topic(const Sparkplug& sp, SpMessage m, std::string_view device) {
  std::string t = "spBv1.0/" + sp.group_id + "/" + to_string(m) + "/" + sp.edge_node_id;
  if (!device.empty()) t.append("/").append(device);
  return t;
}

std::string sparkplug_state_topic(const Sparkplug& sp) { return "spBv1.0/STATE/" + sp.primary_host; }

std::optional<HostState> parse_host_state(std::string_view payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("online") || !j["online"].is_boolean() || !j.contains("timestamp") ||
      !j["timestamp"].is_number_unsigned())
    return std::nullopt;
  return HostState{j["online"].get<bool>(), j["timestamp"].get<std::uint64_t>()};
}

std::string sparkplug_device_id(std::string_view device) {
  std::string out(device);
  for (auto& c : out)
    if (c == '/' || c == '+' || c == '#') c = '.';
  return out;
}

std::string encode_sparkplug(const SpPayload& p, bool birth) {
  pb::Payload out;
  out.set_timestamp(p.timestamp_ms);
  if (p.seq) out.set_seq(*p.seq);
  for (const auto& m : p.metrics) encode_metric(m, birth, p.timestamp_ms, *out.add_metrics());
  return out.SerializeAsString();
}

SpPayload decode_sparkplug(std::string_view bytes) {
  pb::Payload in;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !in.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw SparkplugError("not a Sparkplug B payload (" + std::to_string(bytes.size()) +
                         " bytes that protobuf refuses)");
  SpPayload out;
  out.timestamp_ms = in.timestamp();
  if (in.has_seq()) out.seq = in.seq();
  for (const auto& m : in.metrics()) out.metrics.push_back(decode_metric(m));
  return out;
}

std::optional<SpMetric> sparkplug_metric(std::string name, std::string_view point_type, std::string_view json_value) {
  nlohmann::json v;
  try {
    v = nlohmann::json::parse(json_value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  SpMetric m;
  m.name = std::move(name);
  m.type = point_type == "bool" ? SpType::boolean : point_type == "int" ? SpType::int64 : SpType::float64;
  if (v.is_null()) return m;  // a point the driver could not read: a null metric
  if (m.type == SpType::boolean) {
    if (!v.is_boolean() && !v.is_number()) return std::nullopt;
    m.value = v.is_boolean() ? v.get<bool>() : v.get<double>() != 0;
  } else if (m.type == SpType::int64) {
    if (!v.is_number_integer()) return std::nullopt;
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    m.value = v.get<std::int64_t>();
  } else {
    if (!v.is_number()) return std::nullopt;
    m.value = v.get<double>();
  }
  return m;
}

std::optional<std::string> sparkplug_command_value(const SpMetric& m, std::string_view point_type) {
  if (point_type == "bool") {
    if (const auto* b = std::get_if<bool>(&m.value)) return *b ? "true" : "false";
    return std::nullopt;
  }
  if (point_type == "int") {
    const auto i = integer_of(m);
    if (!i) return std::nullopt;
    return nlohmann::json(*i).dump();
  }
  const auto n = number_of(m);
  if (!n) return std::nullopt;
  return nlohmann::json(*n).dump();
}

}  // namespace watt::mqtt
