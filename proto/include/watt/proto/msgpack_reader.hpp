// A msgpack reader for flat maps of scalars, as headers are: one token at a
// time, without allocating, and without recursion, so no input can exhaust
// the stack. Containers are reported with their element count and skipped on
// request; everything else the protocol does not read is skipped whole.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace watt::proto {

struct MsgpackToken {
  enum Type : std::uint8_t { uint, sint, boolean, str, array, map, other };
  Type type = other;
  std::uint64_t u = 0;  // uint value, or the element count of a container
  std::int64_t i = 0;   // sint value (negative)
  std::string_view s;   // str
};

enum class MsgpackRead : std::uint8_t { ok, truncated, invalid };

class MsgpackReader {
public:
  using Token = MsgpackToken;
  using Read = MsgpackRead;

  explicit MsgpackReader(std::string_view in)
      : p_(reinterpret_cast<const unsigned char*>(in.data())),
        end_(reinterpret_cast<const unsigned char*>(in.data() + in.size())) {}
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

  // Any encoding.
  [[gnu::noinline]] Read next_any(Token& t) noexcept {
    if (p_ == end_) return Read::truncated;
    const unsigned b = *p_++;
    if (b <= 0x7f) return uint(t, b);
    if (b >= 0xe0) return sint(t, static_cast<std::int8_t>(b));
    if (b <= 0x8f) return container(t, Token::map, b & 0x0f);
    if (b <= 0x9f) return container(t, Token::array, b & 0x0f);
    if (b <= 0xbf) return str(t, b & 0x1f);
    return next_prefixed(t, b);
  }

  // Skips `pending` whole values (a container counts its elements).
  Read skip(std::uint64_t pending) noexcept {
    Token t;
    while (pending > 0) {
      if (const auto r = next(t); r != Read::ok) return r;
      --pending;
      if (t.type == Token::array)
        pending += t.u;
      else if (t.type == Token::map)
        pending += 2 * t.u;
    }
    return Read::ok;
  }

private:
  // The encodings that start with a type byte of 0xc0..0xdf.
  Read next_prefixed(Token& t, unsigned b) noexcept {
    std::uint64_t n = 0;
    switch (b) {
      case 0xc0: t.type = Token::other; return Read::ok;  // nil
      case 0xc2:
      case 0xc3:
        t.type = Token::boolean;
        t.u = b & 1;
        return Read::ok;
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

  static std::uint64_t load_be(const unsigned char* p, std::size_t bytes) noexcept {
    switch (bytes) {
      case 1: return p[0];
      case 2: {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        return __builtin_bswap16(v);
      }
      case 4: {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return __builtin_bswap32(v);
      }
      default: {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return __builtin_bswap64(v);
      }
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

}  // namespace watt::proto
