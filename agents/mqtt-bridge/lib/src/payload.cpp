#include <watt/mqtt/payload.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace watt::mqtt {
namespace {

std::string raw_text(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return {};
    case msgpack::type::BOOLEAN: return o.via.boolean ? "true" : "false";
    case msgpack::type::POSITIVE_INTEGER: return std::to_string(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER: return std::to_string(o.via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: {
      // The shortest text that reads back as the same double.
      char buf[64];
      const auto r = std::to_chars(buf, buf + sizeof buf, o.via.f64);
      return std::string(buf, r.ptr);
    }
    case msgpack::type::STR: return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN: return std::string(o.via.bin.ptr, o.via.bin.size);
    case msgpack::type::ARRAY: throw PayloadError("the raw format takes a scalar, not a list (use json)");
    case msgpack::type::MAP: throw PayloadError("the raw format takes a scalar, not a map (use json)");
    default: throw PayloadError("the raw format takes a scalar, not a msgpack extension");
  }
}

template <class T>
bool whole(std::string_view s, T& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

Value raw_value(std::string_view p) {
  if (p.empty()) return Value::of(msgpack::type::nil_t());
  if (p == "true") return Value::of(true);
  if (p == "false") return Value::of(false);
  std::int64_t i = 0;
  if (whole(p, i)) return Value::of(i);
  double d = 0;
  // from_chars takes "inf" and "nan" too; a sensor's text "nan" stays text.
  if (whole(p, d) && std::isfinite(d)) return Value::of(d);
  return Value::of(std::string(p));
}

}  // namespace

std::string to_payload(const Value& body, Format format) {
  if (format == Format::json) {
    try {
      // Validates the bytes first: to_json() writes a placeholder for bad ones.
      (void)detail::unpack_checked(body.bytes());
    } catch (const std::exception& e) {
      throw PayloadError(std::string("the body is not msgpack: ") + e.what());
    }
    return body.to_json();
  }
  try {
    const auto handle = detail::unpack_checked(body.bytes());
    return raw_text(handle.get());
  } catch (const PayloadError&) {
    throw;
  } catch (const std::exception& e) {
    throw PayloadError(std::string("the body is not msgpack: ") + e.what());
  }
}

Value from_payload(std::string_view payload, Format format) {
  if (format == Format::raw) return raw_value(payload);
  try {
    return Value::from_json(payload);
  } catch (const std::exception& e) {
    throw PayloadError(std::string("not JSON: ") + e.what());
  }
}

}  // namespace watt::mqtt
