// Value: msgpack bytes and their JSON view.
#include <watt/envelope.hpp>
#include <watt/value.hpp>

#include <nlohmann/json.hpp>

namespace watt {
namespace detail {

msgpack::object_handle unpack_checked(std::string_view bytes) {
  if (bytes.empty()) throw Error("value is empty");
  // Limits: nesting depth 64 and 1 Mi elements per container keep a hostile
  // body from exhausting the stack or memory.
  const msgpack::unpack_limit limit(1u << 20, 1u << 20, 64u << 20, 64u << 20, 64u << 20, 64);
  std::size_t off = 0;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size(), off, nullptr, nullptr, limit);
  } catch (const std::exception& e) {
    throw Error(std::string("invalid msgpack: ") + e.what());
  }
  if (off != bytes.size()) throw Error("value has trailing bytes after one msgpack object");
  return handle;
}

void throw_conversion(std::string_view bytes, const char* type_name, const char* why) {
  std::string json = msgpack_to_json(bytes);
  if (json.size() > 120) json = json.substr(0, 117) + "...";
  throw Error(std::string("cannot read value ") + json + " as " + type_name + " (" + why + ")");
}

}  // namespace detail

namespace {

nlohmann::json to_json_tree(const msgpack::object& o) {
  using nlohmann::json;
  switch (o.type) {
    case msgpack::type::NIL: return nullptr;
    case msgpack::type::BOOLEAN: return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER: return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER: return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: {
      json a = json::array();
      for (uint32_t i = 0; i < o.via.bin.size; ++i) a.push_back(static_cast<uint8_t>(o.via.bin.ptr[i]));
      return a;
    }
    case msgpack::type::ARRAY: {
      json a = json::array();
      for (uint32_t i = 0; i < o.via.array.size; ++i) a.push_back(to_json_tree(o.via.array.ptr[i]));
      return a;
    }
    case msgpack::type::MAP: {
      json m = json::object();
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        const auto& kv = o.via.map.ptr[i];
        const std::string key = kv.key.type == msgpack::type::STR ? std::string(kv.key.via.str.ptr, kv.key.via.str.size)
                                                                  : to_json_tree(kv.key).dump();
        m[key] = to_json_tree(kv.val);
      }
      return m;
    }
    case msgpack::type::EXT: return json{{"ext_type", o.via.ext.type()}, {"size", o.via.ext.size}};
  }
  return nullptr;
}

}  // namespace

Value Value::from_msgpack(std::string bytes) {
  if (!bytes.empty()) (void)detail::unpack_checked(bytes);
  Value v;
  v.bytes_ = std::move(bytes);
  return v;
}

Value Value::from_json(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // Any of them: a syntax error, or a number out of range (1e400).
    throw Error("invalid JSON '" + std::string(text.substr(0, 80)) + "': " + e.what());
  }
  const auto bytes = nlohmann::json::to_msgpack(j);
  Value v;
  v.bytes_.assign(bytes.begin(), bytes.end());
  return v;
}

std::string Value::to_json() const { return msgpack_to_json(bytes_); }

std::string msgpack_to_json(std::string_view bytes) {
  if (bytes.empty()) return "null";
  try {
    auto handle = detail::unpack_checked(bytes);
    // Replace, don't throw, on invalid UTF-8: this view is for people.
    return to_json_tree(handle.get()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return nlohmann::json("<invalid msgpack: " + std::string(e.what()) + ">").dump();
  }
}

std::string Envelope::to_json() const {
  nlohmann::json j = {
      {"topic", topic}, {"sender", sender}, {"id", id}, {"timestamp_ns", timestamp_ns}, {"priority", priority}};
  if (deadline_ns != 0) j["deadline_ns"] = deadline_ns;
  if (!content_type.empty()) j["content_type"] = content_type;
  j["body"] = nlohmann::json::parse(body.to_json(), nullptr, false);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace watt
