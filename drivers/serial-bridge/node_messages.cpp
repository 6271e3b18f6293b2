// Reading node requests and writing bridge frames in msgpack.
#include "node_messages.hpp"

#include <watt/value.hpp>

#include <msgpack.hpp>

#include <exception>

namespace watt::serial {
namespace {

using StringBuffer = watt::detail::StringWriter;

// Untrusted bytes from a serial line: small containers, shallow nesting.
msgpack::unpack_limit limits() { return {256, 256, 1024, 1024, 1024, 16}; }

// The map header's size in bytes, or 0 when `b` starts no map.
std::size_t map_header_size(const char* b) {
  const auto c = static_cast<unsigned char>(b[0]);
  if ((c & 0xF0) == 0x80) return 1;
  if (c == 0xDE) return 3;
  if (c == 0xDF) return 5;
  return 0;
}

ParsedRequest refuse(std::string kind, std::string detail) {
  ParsedRequest r;
  r.kind = std::move(kind);
  r.detail = std::move(detail);
  return r;
}

}  // namespace

const char* to_string(RequestOp op) {
  switch (op) {
    case RequestOp::pub: return "pub";
    case RequestOp::sub: return "sub";
    case RequestOp::unsub: return "unsub";
  }
  return "?";
}

ParsedRequest parse_request(std::span<const std::uint8_t> payload) {
  const auto* data = reinterpret_cast<const char*>(payload.data());
  const std::size_t size = payload.size();
  if (size == 0) return refuse("not msgpack", "empty payload");
  msgpack::object_handle whole;
  std::size_t end = 0;
  try {
    whole = msgpack::unpack(data, size, end, nullptr, nullptr, limits());
  } catch (const std::exception& e) {
    return refuse("not msgpack", std::string("payload is not msgpack: ") + e.what());
  }
  if (end != size) return refuse("trailing bytes", std::to_string(size - end) + " bytes after the map");
  if (whole.get().type != msgpack::type::MAP) return refuse("not a map", "payload is not a msgpack map");

  // Walk the pairs again by offset, so the body is a view of the payload.
  std::size_t off = map_header_size(data);
  const std::uint32_t pairs = whole.get().via.map.size;
  NodeRequest request;
  int ops = 0;
  bool body_seen = false;
  for (std::uint32_t i = 0; i < pairs; ++i) {
    const auto key = msgpack::unpack(data, size, off, nullptr, nullptr, limits());
    const std::size_t value_at = off;
    const auto value = msgpack::unpack(data, size, off, nullptr, nullptr, limits());
    if (key.get().type != msgpack::type::STR) return refuse("non-string key", "map keys must be strings");
    const auto& k = key.get().via.str;
    const std::string_view name(k.ptr, k.size);
    if (name == "pub" || name == "sub" || name == "unsub") {
      if (++ops > 1) return refuse("two operations", "one of pub, sub, unsub per request");
      if (value.get().type != msgpack::type::STR) return refuse("bad topic", std::string(name) + " must be a string");
      request.op = name == "pub" ? RequestOp::pub : name == "sub" ? RequestOp::sub : RequestOp::unsub;
      request.name.assign(value.get().via.str.ptr, value.get().via.str.size);
    } else if (name == "body") {
      body_seen = true;
      request.body = std::string_view(data + value_at, off - value_at);
    } else if (name == "priority") {
      const auto& v = value.get();
      if (v.type != msgpack::type::POSITIVE_INTEGER || v.via.u64 > 100)
        return refuse("bad priority", "priority must be an integer from 0 to 100");
      request.priority = static_cast<std::uint8_t>(v.via.u64);
    } else {
      return refuse("unknown key", "unknown key '" + std::string(name) + "' (known: pub, body, priority, sub, unsub)");
    }
  }
  if (ops == 0) return refuse("no operation", "the map has none of pub, sub, unsub");
  if (body_seen && request.op != RequestOp::pub) return refuse("body without pub", "only pub takes a body");
  if (request.priority && request.op != RequestOp::pub)
    return refuse("priority without pub", "only pub takes a priority");
  if (!body_seen) request.body = "\xC0";  // nil
  ParsedRequest r;
  r.request = std::move(request);
  return r;
}

std::string encode_bus_message(std::string_view topic, std::string_view sender, std::string_view body) {
  std::string out;
  StringBuffer buffer{&out};
  msgpack::packer<StringBuffer> pk(buffer);
  pk.pack_map(3);
  pk.pack(std::string_view("topic"));
  pk.pack(topic);
  pk.pack(std::string_view("sender"));
  pk.pack(sender);
  pk.pack(std::string_view("body"));
  if (body.empty())
    pk.pack_nil();
  else
    out.append(body);
  return out;
}

std::string encode_error(std::string_view message, std::span<const std::uint8_t> request) {
  std::string out;
  StringBuffer buffer{&out};
  msgpack::packer<StringBuffer> pk(buffer);
  pk.pack_map(2);
  pk.pack(std::string_view("error"));
  pk.pack(message);
  pk.pack(std::string_view("for"));
  const auto* data = reinterpret_cast<const char*>(request.data());
  bool valid = false;
  try {
    std::size_t end = 0;
    msgpack::unpack(data, request.size(), end, nullptr, nullptr, limits());
    valid = end == request.size();
  } catch (const std::exception&) {
  }
  if (valid) {
    out.append(data, request.size());
  } else {
    pk.pack_bin(static_cast<std::uint32_t>(request.size()));
    pk.pack_bin_body(data, static_cast<std::uint32_t>(request.size()));
  }
  return out;
}

std::string encode_link_state(std::string_view state, std::string_view reason) {
  std::string out;
  StringBuffer buffer{&out};
  msgpack::packer<StringBuffer> pk(buffer);
  pk.pack_map(2);
  pk.pack(std::string_view("state"));
  pk.pack(state);
  pk.pack(std::string_view("reason"));
  pk.pack(reason);
  return out;
}

}  // namespace watt::serial
