// Message frames: taking one apart and writing one.
#include <watt/proto/frame.hpp>

#include <array>
#include <cstring>

namespace watt::proto {
namespace {

constexpr std::array<std::string_view, max_kind + 1> kind_names = {
    "invalid", "hello", "welcome", "bye",  "subscribe", "unsubscribe", "publish",   "deliver", "request", "response",
    "error",   "ping",  "pong",    "sync", "ack",       "peers",       "peer_list", "flow",    "batch"};

std::size_t u16_at(std::string_view f, std::size_t pos) {
  return static_cast<std::uint8_t>(f[pos]) | (static_cast<std::size_t>(static_cast<std::uint8_t>(f[pos + 1])) << 8);
}
char* put_u16(char* p, std::size_t v) {
  p[0] = static_cast<char>(v & 0xff);
  p[1] = static_cast<char>((v >> 8) & 0xff);
  return p + 2;
}
char* put(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

}  // namespace

std::string_view kind_name(Kind kind) noexcept {
  const auto k = static_cast<std::size_t>(kind);
  return k < kind_names.size() ? kind_names[k] : "invalid";
}

std::string parse_message(std::string_view f, MessageView& out) {
  if (f.empty()) return "empty message";
  out.version = static_cast<std::uint8_t>(f[0]);
  if (out.version != version) return "unsupported protocol version " + std::to_string(out.version);
  if (f.size() < message_min) return "message is shorter than 7 bytes";
  out.kind = static_cast<std::uint8_t>(f[1]);
  std::size_t pos = 2;
  const std::size_t address_len = u16_at(f, pos);
  pos += 2;
  if (f.size() < pos + address_len + 1) return "address runs past the end of the message";
  out.address = f.substr(pos, address_len);
  pos += address_len;
  const std::size_t origin_len = static_cast<std::uint8_t>(f[pos]);
  ++pos;
  if (f.size() < pos + origin_len + 2) return "origin runs past the end of the message";
  out.origin = f.substr(pos, origin_len);
  pos += origin_len;
  const std::size_t header_len = u16_at(f, pos);
  pos += 2;
  if (f.size() < pos + header_len) return "header runs past the end of the message";
  out.header = f.substr(pos, header_len);
  out.body = f.substr(pos + header_len);
  return {};
}

std::size_t message_size(std::string_view address, std::string_view origin, std::string_view header,
                         std::string_view body) noexcept {
  return message_min + address.size() + origin.size() + header.size() + body.size();
}

void write_message(char* out, Kind kind, std::string_view address, std::string_view origin, std::string_view header,
                   std::string_view body) noexcept {
  char* p = out;
  *p++ = static_cast<char>(version);
  *p++ = static_cast<char>(kind);
  p = put(put_u16(p, address.size()), address);
  *p++ = static_cast<char>(origin.size());
  p = put(p, origin);
  p = put(put_u16(p, header.size()), header);
  put(p, body);
}

}  // namespace watt::proto
