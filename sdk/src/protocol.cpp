// Header codec of the wire protocol: a msgpack map of scalar fields.
#include <watt/detail/protocol.hpp>

#include <msgpack.hpp>

#include <array>
#include <cstring>
#include <limits>

namespace watt::proto {
namespace {

constexpr std::array<std::string_view, max_kind + 1> kind_names = {
    "invalid", "hello", "welcome", "bye",   "subscribe", "unsubscribe", "publish", "deliver", "request",
    "response", "error", "ping",   "pong",  "sync",      "ack",         "peers",   "peer_list", "flow"};

// Reads the top-level map; values nested deeper than one level are skipped.
class HeaderVisitor : public msgpack::null_visitor {
public:
  explicit HeaderVisitor(Header& out) : out_(out) {}

  bool start_map(uint32_t) {
    if (depth_ == 0 && !seen_root_) {
      seen_root_ = true;
      is_map_ = true;
    }
    ++depth_;
    return true;
  }
  bool end_map() { --depth_; return true; }
  bool start_array(uint32_t) {
    if (depth_ == 0) seen_root_ = true;
    ++depth_;
    return true;
  }
  bool end_array() { --depth_; return true; }
  bool start_map_key() { in_key_ = depth_ == 1; return true; }
  bool end_map_key() { in_key_ = false; return true; }
  bool end_map_value() { if (depth_ == 1) key_ = {}; return true; }

  bool visit_str(const char* p, uint32_t n) {
    const std::string_view s(p, n);
    if (in_key_) { key_ = s; return true; }
    if (depth_ != 1) return true;
    if (key_ == "ct") out_.ct = s;
    else if (key_ == "method") out_.method = s;
    else if (key_ == "code") out_.code = s;
    else if (key_ == "message") out_.message = s;
    else if (is_known_number()) return type_error();
    return true;
  }
  bool visit_positive_integer(uint64_t v) { return number(v, false); }
  bool visit_negative_integer(int64_t v) { return number(static_cast<uint64_t>(v), true); }
  bool visit_boolean(bool v) {
    if (depth_ != 1 || in_key_) return true;
    if (key_ == "lossless") out_.lossless = v;
    else if (key_ == "paused") out_.paused = v;
    return true;
  }
  void parse_error(size_t, size_t) { error_ = "header is not valid msgpack"; }
  void insufficient_bytes(size_t, size_t) { error_ = "header is truncated"; }

  std::string finish(bool parsed, std::size_t consumed, std::size_t total) {
    if (!error_.empty()) return error_;
    if (!parsed) return "header is not valid msgpack";
    if (!is_map_) return "header is not a msgpack map";
    if (consumed != total) return "header has trailing bytes";
    return {};
  }

private:
  bool is_known_number() const {
    return key_ == "id" || key_ == "ts" || key_ == "pri" || key_ == "dl" || key_ == "protocol" || key_ == "pid" ||
           key_ == "size";
  }
  bool type_error() {
    error_ = "header field '" + std::string(key_) + "' has the wrong type";
    return false;
  }
  bool number(uint64_t v, bool negative) {
    if (depth_ != 1 || in_key_) return true;
    if (key_ == "id") out_.id = v;
    else if (key_ == "ts") out_.ts = static_cast<int64_t>(v);
    else if (key_ == "dl") out_.dl = static_cast<int64_t>(v);
    else if (key_ == "protocol") out_.protocol = v;
    else if (key_ == "pid") out_.pid = v;
    else if (key_ == "size") out_.size = v;
    else if (key_ == "pri") {
      if (negative || v > 100) {
        error_ = "priority must be 0..100";
        return false;
      }
      out_.pri = static_cast<uint8_t>(v);
    }
    return true;
  }

  Header& out_;
  std::string_view key_;
  std::string error_;
  int depth_ = 0;
  bool in_key_ = false;
  bool seen_root_ = false;
  bool is_map_ = false;
};

// msgpack packs into anything with write(); std::string is our frame buffer.
struct StringSink {
  std::string& s;
  void write(const char* p, std::size_t n) { s.append(p, n); }
};

}  // namespace

std::string_view kind_name(Kind kind) noexcept {
  const auto k = static_cast<std::size_t>(kind);
  return k < kind_names.size() ? kind_names[k] : "invalid";
}

namespace {
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

std::string decode_header(std::string_view frame, Header& out) {
  if (frame.empty()) return {};
  HeaderVisitor v(out);
  std::size_t off = 0;
  bool parsed = false;
  try {
    parsed = msgpack::parse(frame.data(), frame.size(), off, v);
  } catch (const std::exception& e) {
    return std::string("header is not valid msgpack: ") + e.what();
  }
  return v.finish(parsed, off, frame.size());
}

std::string encode_header(const Header& h) {
  std::string out;
  encode_header(h, out);
  return out;
}

void encode_header(const Header& h, std::string& out) {
  out.clear();
  StringSink sink{out};
  msgpack::packer<StringSink> pk(sink);
  const Header d;
  const auto n = static_cast<uint32_t>((h.id != d.id) + (h.ts != d.ts) + (h.pri != d.pri) + (h.dl != d.dl) + (h.protocol != d.protocol) +
                     (h.pid != d.pid) + (h.size != d.size) + (h.lossless != d.lossless) + (h.paused != d.paused) +
                     !h.ct.empty() + !h.method.empty() + !h.code.empty() + !h.message.empty());
  pk.pack_map(n);
  auto kv = [&](const char* k, const auto& v) { pk.pack(k); pk.pack(v); };
  if (h.id != d.id) kv("id", h.id);
  if (h.ts != d.ts) kv("ts", h.ts);
  if (h.pri != d.pri) kv("pri", h.pri);
  if (h.dl != d.dl) kv("dl", h.dl);
  if (h.protocol != d.protocol) kv("protocol", h.protocol);
  if (h.pid != d.pid) kv("pid", h.pid);
  if (h.size != d.size) kv("size", h.size);
  if (h.lossless != d.lossless) kv("lossless", h.lossless);
  if (h.paused != d.paused) kv("paused", h.paused);
  if (!h.ct.empty()) kv("ct", h.ct);
  if (!h.method.empty()) kv("method", h.method);
  if (!h.code.empty()) kv("code", h.code);
  if (!h.message.empty()) kv("message", h.message);
}

}  // namespace watt::proto
