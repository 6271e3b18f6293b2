// The node's requests to the bridge and its reading of the bridge's frames.
#include "bridge_messages.hpp"

#include <msgpack.hpp>

#include <exception>
#include <sstream>

namespace watt::node {

namespace {

std::vector<std::uint8_t> bytes_of(const msgpack::sbuffer& buffer) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(buffer.data());
  return {data, data + buffer.size()};
}

std::string text_of(const msgpack::object& o) {
  std::ostringstream text;
  text << o;
  auto s = text.str();
  // msgpack-c writes '/' as "\/" (legal JSON); topics read better without.
  for (auto at = s.find("\\/"); at != std::string::npos; at = s.find("\\/", at + 1)) s.erase(at, 1);
  constexpr std::size_t longest = 200;
  if (s.size() > longest) s = s.substr(0, longest) + "…";
  return s;
}

}  // namespace

std::vector<std::uint8_t> publish_request(const std::string& topic, std::string_view body_msgpack,
                                          std::uint8_t priority) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pack(buffer);
  pack.pack_map(3);
  pack.pack("pub");
  pack.pack("/" + topic);
  pack.pack("priority");
  pack.pack(priority);
  pack.pack("body");
  buffer.write(body_msgpack.data(), body_msgpack.size());  // already one msgpack value
  return bytes_of(buffer);
}

std::vector<std::uint8_t> subscribe_request(const std::string& pattern) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pack(buffer);
  pack.pack_map(1);
  pack.pack("sub");
  pack.pack("/" + pattern);
  return bytes_of(buffer);
}

BridgeMessage parse_bridge_message(const std::vector<std::uint8_t>& payload) {
  msgpack::object_handle handle;
  try {
    std::size_t offset = 0;
    // The frame bounds the size (max_payload); the nesting is bounded here.
    handle = msgpack::unpack(reinterpret_cast<const char*>(payload.data()), payload.size(), offset, nullptr, nullptr,
                             msgpack::unpack_limit(1u << 16, 1u << 16, 1u << 16, 1u << 16, 1u << 16, 16));
    if (offset != payload.size()) return Unreadable{"bytes after the map"};
  } catch (const std::exception& e) {
    return Unreadable{std::string("not msgpack: ") + e.what()};
  }
  const auto& root = handle.get();
  if (root.type != msgpack::type::MAP) return Unreadable{"not a map"};
  Delivery delivery;
  Refusal refusal;
  bool has_topic = false, has_error = false;
  msgpack::sbuffer body;
  msgpack::pack(body, msgpack::object());  // nil unless the frame has one
  for (const auto& kv : root.via.map) {
    if (kv.key.type != msgpack::type::STR) return Unreadable{"a key is not a string"};
    const auto key = kv.key.as<std::string>();
    const bool text = kv.val.type == msgpack::type::STR;
    if (key == "topic" && text) {
      delivery.topic = kv.val.as<std::string>();
      has_topic = true;
    } else if (key == "sender" && text) {
      delivery.sender = kv.val.as<std::string>();
    } else if (key == "body") {
      body.clear();
      msgpack::pack(body, kv.val);
    } else if (key == "error" && text) {
      refusal.error = kv.val.as<std::string>();
      has_error = true;
    } else if (key == "for") {
      refusal.request = text_of(kv.val);
    }
  }
  if (has_error) return refusal;
  if (!has_topic) return Unreadable{"neither topic nor error"};
  delivery.body.assign(body.data(), body.size());
  return delivery;
}

}  // namespace watt::node
