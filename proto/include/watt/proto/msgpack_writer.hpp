// A msgpack writer of scalars and map heads, each in its smallest encoding,
// into a buffer the caller sized for the worst case (max_* below): a reused
// buffer never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace watt::proto {

class MsgpackWriter {
public:
  // The most bytes one call can write, besides a string's own bytes.
  static constexpr std::size_t max_head = 5;    // map() or the head of str()
  static constexpr std::size_t max_scalar = 9;  // uint(), sint(), boolean()

  explicit MsgpackWriter(char* out) : p_(out) {}
  std::size_t written(const char* start) const noexcept { return static_cast<std::size_t>(p_ - start); }

  void map(std::uint32_t n) noexcept {
    if (n < 16) {
      byte(0x80 | n);
    } else {
      byte(0xde);
      be(n, 2);
    }
  }
  void str(std::string_view s) noexcept {
    const auto n = s.size();
    if (n < 32) {
      byte(0xa0 | static_cast<unsigned>(n));
    } else if (n < 0x100) {
      byte(0xd9);
      be(n, 1);
    } else if (n < 0x10000) {
      byte(0xda);
      be(n, 2);
    } else {
      byte(0xdb);
      be(n, 4);
    }
    if (n > 0) std::memcpy(p_, s.data(), n);
    p_ += n;
  }
  void uint(std::uint64_t v) noexcept {
    if (v < 0x80) {
      byte(static_cast<unsigned>(v));
    } else if (v < 0x100) {
      byte(0xcc);
      be(v, 1);
    } else if (v < 0x10000) {
      byte(0xcd);
      be(v, 2);
    } else if (v < 0x100000000) {
      byte(0xce);
      be(v, 4);
    } else {
      byte(0xcf);
      be(v, 8);
    }
  }
  void sint(std::int64_t v) noexcept {
    if (v >= 0) return uint(static_cast<std::uint64_t>(v));
    const auto u = static_cast<std::uint64_t>(v);
    if (v >= -32) {
      byte(static_cast<unsigned>(u & 0xff));
    } else if (v >= -128) {
      byte(0xd0);
      be(u, 1);
    } else if (v >= -32768) {
      byte(0xd1);
      be(u, 2);
    } else if (v >= -2147483648LL) {
      byte(0xd2);
      be(u, 4);
    } else {
      byte(0xd3);
      be(u, 8);
    }
  }
  void boolean(bool v) noexcept { byte(v ? 0xc3 : 0xc2); }

private:
  void byte(unsigned b) noexcept { *p_++ = static_cast<char>(b); }
  void be(std::uint64_t v, int bytes) noexcept {
    for (int k = 0; k < bytes; ++k) *p_++ = static_cast<char>((v >> (8 * (bytes - 1 - k))) & 0xff);
  }
  char* p_;
};

}  // namespace watt::proto
