// The wire protocol: message frames and the header codec (a msgpack map of
// scalar fields).
#include <watt/detail/protocol.hpp>

#include <array>
#include <cstring>
#include <limits>

namespace watt::proto {
namespace {

constexpr std::array<std::string_view, max_kind + 1> kind_names = {
    "invalid", "hello", "welcome", "bye",   "subscribe", "unsubscribe", "publish", "deliver", "request",
    "response", "error", "ping",   "pong",  "sync",      "ack",         "peers",   "peer_list", "flow",
    "batch"};

// The header is a flat msgpack map of scalars. It is read here by hand, in
// one pass and without allocating (on the routing path of every message):
// each token is read once, known keys are matched by length and bytes, and
// values of unknown keys, nested containers included, are skipped without
// recursion, so no header can exhaust the stack.
struct Token {
  enum Type : std::uint8_t { uint, sint, boolean, str, array, map, other };
  Type type = other;
  std::uint64_t u = 0;   // uint value, or the element count of a container
  std::int64_t i = 0;    // sint value (negative)
  std::string_view s;    // str
};

enum class Read : std::uint8_t { ok, truncated, invalid };

class Cursor {
public:
  Cursor(const char* p, const char* end) : p_(reinterpret_cast<const unsigned char*>(p)),
                                           end_(reinterpret_cast<const unsigned char*>(end)) {}
  bool at_end() const noexcept { return p_ == end_; }

  // The encodings a header is made of (short strings, small integers, the
  // 64-bit time stamps) inline; the rest out of line.
  Read next(Token& t) noexcept {
    if (p_ != end_) {
      const unsigned b = *p_;
      if (b <= 0x7f) {
        ++p_;
        return uint(t, b);
      }
      if (b >= 0xa0 && b <= 0xbf) {
        ++p_;
        return str(t, b & 0x1f);
      }
      if (b >= 0xcc && b <= 0xcf) {  // uint 8/16/32/64
        const std::size_t bytes = std::size_t{1} << (b - 0xcc);
        if (left() > bytes) {
          const std::uint64_t n = load_be(p_ + 1, bytes);
          p_ += bytes + 1;
          return uint(t, n);
        }
      }
      if (b == 0xd3 && left() >= 9) {  // int 64
        const std::uint64_t n = load_be(p_ + 1, 8);
        p_ += 9;
        return sint(t, static_cast<std::int64_t>(n));
      }
    }
    return next_any(t);
  }

  [[gnu::noinline]] Read next_any(Token& t) noexcept {  // any encoding
    if (p_ == end_) return Read::truncated;
    const unsigned b = *p_++;
    if (b <= 0x7f) return uint(t, b);
    if (b >= 0xe0) return sint(t, static_cast<std::int8_t>(b));
    if (b <= 0x8f) return container(t, Token::map, b & 0x0f);
    if (b <= 0x9f) return container(t, Token::array, b & 0x0f);
    if (b <= 0xbf) return str(t, b & 0x1f);
    std::uint64_t n = 0;
    switch (b) {
      case 0xc0: t.type = Token::other; return Read::ok;  // nil
      case 0xc2:
      case 0xc3: t.type = Token::boolean; t.u = b & 1; return Read::ok;
      case 0xc4: return be(1, n) ? skip_bytes(t, n) : Read::truncated;  // bin 8/16/32
      case 0xc5: return be(2, n) ? skip_bytes(t, n) : Read::truncated;
      case 0xc6: return be(4, n) ? skip_bytes(t, n) : Read::truncated;
      case 0xc7: return be(1, n) ? skip_bytes(t, n + 1) : Read::truncated;  // ext 8/16/32: + type byte
      case 0xc8: return be(2, n) ? skip_bytes(t, n + 1) : Read::truncated;
      case 0xc9: return be(4, n) ? skip_bytes(t, n + 1) : Read::truncated;
      case 0xca: return skip_bytes(t, 4);  // float 32/64
      case 0xcb: return skip_bytes(t, 8);
      case 0xcc: return be(1, n) ? uint(t, n) : Read::truncated;
      case 0xcd: return be(2, n) ? uint(t, n) : Read::truncated;
      case 0xce: return be(4, n) ? uint(t, n) : Read::truncated;
      case 0xcf: return be(8, n) ? uint(t, n) : Read::truncated;
      case 0xd0: return be(1, n) ? sint(t, static_cast<std::int8_t>(n)) : Read::truncated;
      case 0xd1: return be(2, n) ? sint(t, static_cast<std::int16_t>(n)) : Read::truncated;
      case 0xd2: return be(4, n) ? sint(t, static_cast<std::int32_t>(n)) : Read::truncated;
      case 0xd3: return be(8, n) ? sint(t, static_cast<std::int64_t>(n)) : Read::truncated;
      case 0xd4: return skip_bytes(t, 2);  // fixext 1/2/4/8/16: type byte + data
      case 0xd5: return skip_bytes(t, 3);
      case 0xd6: return skip_bytes(t, 5);
      case 0xd7: return skip_bytes(t, 9);
      case 0xd8: return skip_bytes(t, 17);
      case 0xd9: return be(1, n) ? str(t, n) : Read::truncated;
      case 0xda: return be(2, n) ? str(t, n) : Read::truncated;
      case 0xdb: return be(4, n) ? str(t, n) : Read::truncated;
      case 0xdc: return be(2, n) ? container(t, Token::array, n) : Read::truncated;
      case 0xdd: return be(4, n) ? container(t, Token::array, n) : Read::truncated;
      case 0xde: return be(2, n) ? container(t, Token::map, n) : Read::truncated;
      case 0xdf: return be(4, n) ? container(t, Token::map, n) : Read::truncated;
      default: return Read::invalid;  // 0xc1, never used
    }
  }

  // Skips `pending` whole values (a container counts its elements).
  Read skip(std::uint64_t pending) noexcept {
    Token t;
    while (pending > 0) {
      if (const auto r = next(t); r != Read::ok) return r;
      --pending;
      if (t.type == Token::array) pending += t.u;
      else if (t.type == Token::map) pending += 2 * t.u;
    }
    return Read::ok;
  }

private:
  static std::uint64_t load_be(const unsigned char* p, std::size_t bytes) noexcept {
    switch (bytes) {
      case 1: return p[0];
      case 2: { std::uint16_t v; std::memcpy(&v, p, 2); return __builtin_bswap16(v); }
      case 4: { std::uint32_t v; std::memcpy(&v, p, 4); return __builtin_bswap32(v); }
      default: { std::uint64_t v; std::memcpy(&v, p, 8); return __builtin_bswap64(v); }
    }
  }
  std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  bool be(std::size_t bytes, std::uint64_t& n) noexcept {
    if (left() < bytes) return false;
    n = 0;
    for (std::size_t k = 0; k < bytes; ++k) n = (n << 8) | p_[k];
    p_ += bytes;
    return true;
  }
  static Read uint(Token& t, std::uint64_t v) noexcept {
    t.type = Token::uint;
    t.u = v;
    return Read::ok;
  }
  static Read sint(Token& t, std::int64_t v) noexcept {
    // msgpack-c reads a non-negative signed encoding as a positive integer.
    if (v >= 0) return uint(t, static_cast<std::uint64_t>(v));
    t.type = Token::sint;
    t.i = v;
    return Read::ok;
  }
  static Read container(Token& t, Token::Type type, std::uint64_t n) noexcept {
    t.type = type;
    t.u = n;
    return Read::ok;
  }
  Read str(Token& t, std::uint64_t n) noexcept {
    if (left() < n) return Read::truncated;
    t.type = Token::str;
    t.s = {reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n)};
    p_ += n;
    return Read::ok;
  }
  Read skip_bytes(Token& t, std::uint64_t n) noexcept {
    if (left() < n) return Read::truncated;
    t.type = Token::other;
    p_ += n;
    return Read::ok;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

std::string read_error(Read r) {
  return r == Read::truncated ? "header is truncated" : "header is not valid msgpack";
}

enum class Key : std::uint8_t {
  none, id, ts, pri, dl, protocol, pid, size, lossless, paused, batch, ct, method, code, message
};

Key key_of(std::string_view k) noexcept {
  switch (k.size()) {
    case 2:
      if (k == "id") return Key::id;
      if (k == "ts") return Key::ts;
      if (k == "dl") return Key::dl;
      if (k == "ct") return Key::ct;
      return Key::none;
    case 3:
      if (k == "pri") return Key::pri;
      if (k == "pid") return Key::pid;
      return Key::none;
    case 4:
      if (k == "size") return Key::size;
      if (k == "code") return Key::code;
      return Key::none;
    case 5: return k == "batch" ? Key::batch : Key::none;
    case 6:
      if (k == "method") return Key::method;
      if (k == "paused") return Key::paused;
      return Key::none;
    case 7: return k == "message" ? Key::message : Key::none;
    case 8:
      if (k == "protocol") return Key::protocol;
      if (k == "lossless") return Key::lossless;
      return Key::none;
    default: return Key::none;
  }
}

bool is_number_key(Key k) noexcept {
  return k == Key::id || k == Key::ts || k == Key::pri || k == Key::dl || k == Key::protocol || k == Key::pid ||
         k == Key::size;
}

enum class Apply : std::uint8_t { ok, bad_priority, wrong_type };

// Applies one top-level value. Integers go to the number fields, strings to
// the string fields, booleans to the flags; a string for a number field is an
// error; anything else is ignored (as unknown keys are).
Apply apply(Header& out, Key key, const Token& v) noexcept {
  switch (v.type) {
    case Token::uint:
    case Token::sint: {
      const bool negative = v.type == Token::sint;
      const auto n = negative ? static_cast<std::uint64_t>(v.i) : v.u;
      switch (key) {
        case Key::id: out.id = n; break;
        case Key::ts: out.ts = static_cast<std::int64_t>(n); break;
        case Key::dl: out.dl = static_cast<std::int64_t>(n); break;
        case Key::protocol: out.protocol = n; break;
        case Key::pid: out.pid = n; break;
        case Key::size: out.size = n; break;
        case Key::pri:
          if (negative || n > 100) return Apply::bad_priority;
          out.pri = static_cast<std::uint8_t>(n);
          break;
        default: break;
      }
      return Apply::ok;
    }
    case Token::str:
      switch (key) {
        case Key::ct: out.ct = v.s; break;
        case Key::method: out.method = v.s; break;
        case Key::code: out.code = v.s; break;
        case Key::message: out.message = v.s; break;
        default:
          if (is_number_key(key)) return Apply::wrong_type;
      }
      return Apply::ok;
    case Token::boolean:
      if (key == Key::lossless) out.lossless = v.u != 0;
      else if (key == Key::paused) out.paused = v.u != 0;
      else if (key == Key::batch) out.batch = v.u != 0;
      return Apply::ok;
    default: return Apply::ok;
  }
}

// The header writer: the smallest msgpack encoding of each field, into a
// buffer the caller sized for the worst case.
class Writer {
public:
  explicit Writer(char* out) : p_(out) {}
  std::size_t written(const char* start) const noexcept { return static_cast<std::size_t>(p_ - start); }
  void map(std::uint32_t n) noexcept {
    if (n < 16) byte(0x80 | n);
    else {
      byte(0xde);
      be(n, 2);
    }
  }
  void str(std::string_view s) noexcept {
    const auto n = s.size();
    if (n < 32) byte(0xa0 | static_cast<unsigned>(n));
    else if (n < 0x100) { byte(0xd9); be(n, 1); }
    else if (n < 0x10000) { byte(0xda); be(n, 2); }
    else { byte(0xdb); be(n, 4); }
    if (n > 0) std::memcpy(p_, s.data(), n);
    p_ += n;
  }
  void uint(std::uint64_t v) noexcept {
    if (v < 0x80) byte(static_cast<unsigned>(v));
    else if (v < 0x100) { byte(0xcc); be(v, 1); }
    else if (v < 0x10000) { byte(0xcd); be(v, 2); }
    else if (v < 0x100000000) { byte(0xce); be(v, 4); }
    else { byte(0xcf); be(v, 8); }
  }
  void sint(std::int64_t v) noexcept {
    if (v >= 0) return uint(static_cast<std::uint64_t>(v));
    const auto u = static_cast<std::uint64_t>(v);
    if (v >= -32) byte(static_cast<unsigned>(u & 0xff));
    else if (v >= -128) { byte(0xd0); be(u, 1); }
    else if (v >= -32768) { byte(0xd1); be(u, 2); }
    else if (v >= -2147483648LL) { byte(0xd2); be(u, 4); }
    else { byte(0xd3); be(u, 8); }
  }
  void boolean(bool v) noexcept { byte(v ? 0xc3 : 0xc2); }

  // The most any header can take: 14 keys of at most 9 bytes, 10 numbers and
  // flags of at most 9, 4 strings with their 5-byte heads, the map's 3.
  static std::size_t bound(const Header& h) noexcept {
    return 3 + 14 * 9 + 10 * 9 + 4 * 5 + h.ct.size() + h.method.size() + h.code.size() + h.message.size();
  }

private:
  void byte(unsigned b) noexcept { *p_++ = static_cast<char>(b); }
  void be(std::uint64_t v, int bytes) noexcept {
    for (int k = 0; k < bytes; ++k) *p_++ = static_cast<char>((v >> (8 * (bytes - 1 - k))) & 0xff);
  }
  char* p_;
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

void write_batch_item(char* out, std::string_view message) noexcept {
  const auto n = static_cast<std::uint32_t>(message.size());
  for (std::size_t i = 0; i < batch_item_prefix; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  put(out + batch_item_prefix, message);
}

std::string take_batch_item(std::string_view& rest, std::string_view& message) {
  if (rest.size() < batch_item_prefix) return "batch ends inside an item's length";
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < batch_item_prefix; ++i)
    n |= static_cast<std::uint32_t>(static_cast<unsigned char>(rest[i])) << (8 * i);
  if (n > rest.size() - batch_item_prefix) return "batch item runs past the end of the batch";
  message = rest.substr(batch_item_prefix, n);
  rest.remove_prefix(batch_item_prefix + n);
  return {};
}

std::string decode_header(std::string_view frame, Header& out) {
  if (frame.empty()) return {};
  Cursor in(frame.data(), frame.data() + frame.size());
  Token t;
  if (const auto r = in.next_any(t); r != Read::ok) return read_error(r);
  if (t.type != Token::map) {
    if (const auto r = in.skip(t.type == Token::array ? t.u : 0); r != Read::ok) return read_error(r);
    return "header is not a msgpack map";
  }
  Token k, v;
  for (std::uint64_t n = t.u; n > 0; --n) {
    if (const auto r = in.next(k); r != Read::ok) return read_error(r);
    // A key that is not a string is skipped, and so is its value.
    Key key = Key::none;
    if (k.type == Token::str) key = key_of(k.s);
    else if (k.type == Token::array || k.type == Token::map) {
      if (const auto r = in.skip(k.type == Token::map ? 2 * k.u : k.u); r != Read::ok) return read_error(r);
    }
    if (const auto r = in.next(v); r != Read::ok) return read_error(r);
    if (v.type == Token::array || v.type == Token::map) {
      if (const auto r = in.skip(v.type == Token::map ? 2 * v.u : v.u); r != Read::ok) return read_error(r);
      continue;
    }
    if (key == Key::none) continue;
    switch (apply(out, key, v)) {
      case Apply::ok: break;
      case Apply::bad_priority: return "priority must be 0..100";
      case Apply::wrong_type: return "header field '" + std::string(k.s) + "' has the wrong type";
    }
  }
  if (!in.at_end()) return "header has trailing bytes";
  return {};
}

std::string encode_header(const Header& h) {
  std::string out;
  encode_header(h, out);
  return out;
}

void encode_header(const Header& h, std::string& out) {
  // Sized once for the worst case, written through a pointer, cut to size:
  // a reused buffer never allocates.
  out.resize(Writer::bound(h));
  char* const start = out.data();
  Writer w(start);
  const Header d;
  const auto n = static_cast<std::uint32_t>((h.id != d.id) + (h.ts != d.ts) + (h.pri != d.pri) + (h.dl != d.dl) +
                                            (h.protocol != d.protocol) + (h.pid != d.pid) + (h.size != d.size) +
                                            (h.lossless != d.lossless) + (h.paused != d.paused) + (h.batch != d.batch) +
                                            !h.ct.empty() + !h.method.empty() + !h.code.empty() + !h.message.empty());
  w.map(n);
  if (h.id != d.id) { w.str("id"); w.uint(h.id); }
  if (h.ts != d.ts) { w.str("ts"); w.sint(h.ts); }
  if (h.pri != d.pri) { w.str("pri"); w.uint(h.pri); }
  if (h.dl != d.dl) { w.str("dl"); w.sint(h.dl); }
  if (h.protocol != d.protocol) { w.str("protocol"); w.uint(h.protocol); }
  if (h.pid != d.pid) { w.str("pid"); w.uint(h.pid); }
  if (h.size != d.size) { w.str("size"); w.uint(h.size); }
  if (h.lossless != d.lossless) { w.str("lossless"); w.boolean(h.lossless); }
  if (h.paused != d.paused) { w.str("paused"); w.boolean(h.paused); }
  if (h.batch != d.batch) { w.str("batch"); w.boolean(h.batch); }
  if (!h.ct.empty()) { w.str("ct"); w.str(h.ct); }
  if (!h.method.empty()) { w.str("method"); w.str(h.method); }
  if (!h.code.empty()) { w.str("code"); w.str(h.code); }
  if (!h.message.empty()) { w.str("message"); w.str(h.message); }
  out.resize(w.written(start));
}

}  // namespace watt::proto
