#include "decode.hpp"

#include <watt/topic.hpp>
#include <watt/value.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string_view>

namespace watt::historian {
namespace {

using nlohmann::json;

// msgpack → JSON for structured values. A non-finite float inside a
// structure becomes null (JSON has no NaN); a non-string key its JSON text.
json to_json(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return std::isfinite(o.via.f64) ? json(o.via.f64) : json(nullptr);
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: {
      json a = json::array();
      for (std::uint32_t i = 0; i < o.via.bin.size; ++i) a.push_back(static_cast<unsigned char>(o.via.bin.ptr[i]));
      return a;
    }
    case msgpack::type::ARRAY: {
      json a = json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) a.push_back(to_json(o.via.array.ptr[i]));
      return a;
    }
    case msgpack::type::MAP: {
      json m = json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        const std::string key = kv.key.type == msgpack::type::STR ? std::string(kv.key.via.str.ptr, kv.key.via.str.size)
                                                                  : to_json(kv.key).dump();
        m[key] = to_json(kv.val);
      }
      return m;
    }
    case msgpack::type::EXT: break;
  }
  throw std::invalid_argument("msgpack extension types are not stored");
}

// Every back end stores topics as text, and PostgreSQL refuses invalid UTF-8
// (which would then block the cache behind one record forever).
bool valid_utf8(std::string_view s) {
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return true;
  try {
    (void)json(std::string(s)).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// devices/…/<point> (not …/all) with VOLTTRON's per-point body [value, {metadata}].
bool is_depth_first_point(std::string_view topic, const msgpack::object& body) {
  return topic.starts_with("devices/") && !is_all_topic(topic) && body.type == msgpack::type::ARRAY &&
         body.via.array.size == 2 && body.via.array.ptr[1].type == msgpack::type::MAP &&
         body.via.array.ptr[0].type != msgpack::type::MAP && body.via.array.ptr[0].type != msgpack::type::ARRAY;
}

class Decoder {
public:
  Decoder(const Envelope& e, const DecodeLimits& limits, std::vector<Record>& records, std::vector<Rejection>& rejected)
      : e_(e), limits_(limits), records_(records), rejected_(rejected) {}

  void run() {
    if (!e_.content_type.empty() && e_.content_type != "application/msgpack") {
      reject(e_.topic, "content type '" + e_.content_type + "' is not stored (only msgpack bodies)");
      return;
    }
    msgpack::object_handle handle;
    try {
      handle = detail::unpack_checked(e_.body.bytes());
    } catch (const std::exception& ex) {
      reject(e_.topic, std::string("body does not decode: ") + ex.what());
      return;
    }
    const msgpack::object& body = handle.get();
    // A driver's depth-first copy of one point of its `all` message: stored
    // from `all`, as VOLTTRON's historians do, not a second time here.
    if (is_depth_first_point(e_.topic, body)) return;
    if (is_all_topic(e_.topic)) {
      if (body.type == msgpack::type::MAP) return points(body, nullptr);
      if (body.type == msgpack::type::ARRAY && body.via.array.size == 2 &&
          body.via.array.ptr[0].type == msgpack::type::MAP && body.via.array.ptr[1].type == msgpack::type::MAP)
        return points(body.via.array.ptr[0], &body.via.array.ptr[1]);
    }
    value(e_.topic, body, std::nullopt);
  }

private:
  void points(const msgpack::object& values, const msgpack::object* metadata) {
    // devices/campus/b1/ahu1/all → devices/campus/b1/ahu1/
    const std::string_view prefix(e_.topic.data(), e_.topic.size() - 3);
    for (std::uint32_t i = 0; i < values.via.map.size; ++i) {
      const auto& kv = values.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR) {
        reject(e_.topic, "a point name is not a string: " + to_json(kv.key).dump());
        continue;
      }
      const std::string_view point(kv.key.via.str.ptr, kv.key.via.str.size);
      std::string topic;
      topic.reserve(prefix.size() + point.size());
      topic.append(prefix).append(point);
      if (point.find('/') != std::string_view::npos || !topic_error(topic).empty()) {
        reject(topic, "point name '" + std::string(point) + "' is not a topic segment");
        continue;
      }
      value(std::move(topic), kv.val, metadata != nullptr ? metadata_of(*metadata, point) : std::nullopt);
    }
  }

  std::optional<std::string> metadata_of(const msgpack::object& metadata, std::string_view point) {
    for (std::uint32_t i = 0; i < metadata.via.map.size; ++i) {
      const auto& kv = metadata.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR || std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) != point)
        continue;
      if (kv.val.type != msgpack::type::MAP) return std::nullopt;  // not a description: ignored
      try {
        return to_json(kv.val).dump(-1, ' ', false, json::error_handler_t::replace);
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  void value(std::string topic, const msgpack::object& v, std::optional<std::string> metadata) {
    if (!valid_utf8(topic))
      return reject(json(topic).dump(-1, ' ', false, json::error_handler_t::replace), "the topic is not valid UTF-8");
    Record r;
    r.ts_ns = e_.timestamp_ns;
    r.metadata = std::move(metadata);
    try {
      switch (v.type) {
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64:
          if (!std::isfinite(v.via.f64)) return reject(topic, "not a finite number");
          r.number = v.via.f64;
          break;
        case msgpack::type::POSITIVE_INTEGER:
          r.number = static_cast<double>(v.via.u64);
          r.json = std::to_string(v.via.u64);
          break;
        case msgpack::type::NEGATIVE_INTEGER:
          r.number = static_cast<double>(v.via.i64);
          r.json = std::to_string(v.via.i64);
          break;
        case msgpack::type::BOOLEAN:
          r.number = v.via.boolean ? 1.0 : 0.0;
          r.json = v.via.boolean ? "true" : "false";
          break;
        default:
          // Strings, nil, structures: exact JSON; invalid UTF-8 is refused
          // rather than silently altered.
          r.json = to_json(v).dump();
          break;
      }
    } catch (const std::exception& ex) {
      return reject(topic, ex.what());
    }
    if (r.json && r.json->size() > limits_.max_value_bytes)
      return reject(topic, "value of " + std::to_string(r.json->size()) + " bytes is over the limit of " +
                               std::to_string(limits_.max_value_bytes));
    r.topic = std::move(topic);
    records_.push_back(std::move(r));
  }

  void reject(std::string topic, std::string reason) { rejected_.push_back({std::move(topic), std::move(reason)}); }

  const Envelope& e_;
  const DecodeLimits& limits_;
  std::vector<Record>& records_;
  std::vector<Rejection>& rejected_;
};

}  // namespace

bool is_all_topic(std::string_view topic) noexcept { return topic.starts_with("devices/") && topic.ends_with("/all"); }

void decode(const Envelope& message, const DecodeLimits& limits, std::vector<Record>& records,
            std::vector<Rejection>& rejected) {
  Decoder(message, limits, records, rejected).run();
}

}  // namespace watt::historian
