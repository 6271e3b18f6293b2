// The header codec: a flat msgpack map of scalar fields, read in one pass.
#include <watt/proto/header.hpp>
#include <watt/proto/msgpack_reader.hpp>
#include <watt/proto/msgpack_writer.hpp>

#include <type_traits>

namespace watt::proto {
namespace {

using Token = MsgpackToken;
using Read = MsgpackRead;

std::string read_error(Read r) { return r == Read::truncated ? "header is truncated" : "header is not valid msgpack"; }

enum class Key : std::uint8_t {
  none,
  id,
  ts,
  pri,
  dl,
  protocol,
  pid,
  size,
  lossless,
  paused,
  batch,
  hosted,
  ct,
  method,
  code,
  message
};

// Known keys are matched by length, then bytes.
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
      if (k == "hosted") return Key::hosted;
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

Apply apply_number(Header& out, Key key, const Token& v) noexcept {
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

// Applies one top-level value. Integers go to the number fields, strings to
// the string fields, booleans to the flags; a string for a number field is an
// error; anything else is ignored (as unknown keys are).
Apply apply(Header& out, Key key, const Token& v) noexcept {
  switch (v.type) {
    case Token::uint:
    case Token::sint: return apply_number(out, key, v);
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
      if (key == Key::lossless)
        out.lossless = v.u != 0;
      else if (key == Key::paused)
        out.paused = v.u != 0;
      else if (key == Key::batch)
        out.batch = v.u != 0;
      else if (key == Key::hosted)
        out.hosted = v.u != 0;
      return Apply::ok;
    default: return Apply::ok;
  }
}

// The most any header can take: 15 keys and 11 numbers or flags of at most
// 9 bytes each, 4 strings with their heads, the map's head.
std::size_t bound(const Header& h) noexcept {
  return MsgpackWriter::max_head + 15 * MsgpackWriter::max_scalar + 11 * MsgpackWriter::max_scalar +
         4 * MsgpackWriter::max_head + h.ct.size() + h.method.size() + h.code.size() + h.message.size();
}

}  // namespace

std::string decode_header(std::string_view frame, Header& out) {
  if (frame.empty()) return {};
  MsgpackReader in(frame);
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
    if (k.type == Token::str) {
      key = key_of(k.s);
    } else if (k.type == Token::array || k.type == Token::map) {
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
  // Sized once for the worst case, written through a pointer, cut to size.
  out.resize(bound(h));
  char* const start = out.data();
  MsgpackWriter w(start);
  const Header d;
  const auto n = static_cast<std::uint32_t>((h.id != d.id) + (h.ts != d.ts) + (h.pri != d.pri) + (h.dl != d.dl) +
                                            (h.protocol != d.protocol) + (h.pid != d.pid) + (h.size != d.size) +
                                            (h.lossless != d.lossless) + (h.paused != d.paused) + (h.batch != d.batch) +
                                            (h.hosted != d.hosted) + !h.ct.empty() + !h.method.empty() +
                                            !h.code.empty() + !h.message.empty());
  w.map(n);
  const auto number = [&w](std::string_view key, auto value) {
    w.str(key);
    if constexpr (std::is_signed_v<decltype(value)>)
      w.sint(value);
    else
      w.uint(value);
  };
  const auto flag = [&w](std::string_view key, bool value) {
    w.str(key);
    w.boolean(value);
  };
  const auto text = [&w](std::string_view key, std::string_view value) {
    w.str(key);
    w.str(value);
  };
  if (h.id != d.id) number("id", h.id);
  if (h.ts != d.ts) number("ts", h.ts);
  if (h.pri != d.pri) number("pri", std::uint64_t{h.pri});
  if (h.dl != d.dl) number("dl", h.dl);
  if (h.protocol != d.protocol) number("protocol", h.protocol);
  if (h.pid != d.pid) number("pid", h.pid);
  if (h.size != d.size) number("size", h.size);
  if (h.lossless != d.lossless) flag("lossless", h.lossless);
  if (h.paused != d.paused) flag("paused", h.paused);
  if (h.batch != d.batch) flag("batch", h.batch);
  if (h.hosted != d.hosted) flag("hosted", h.hosted);
  if (!h.ct.empty()) text("ct", h.ct);
  if (!h.method.empty()) text("method", h.method);
  if (!h.code.empty()) text("code", h.code);
  if (!h.message.empty()) text("message", h.message);
  out.resize(w.written(start));
}

}  // namespace watt::proto
