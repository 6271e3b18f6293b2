// COBS (Consistent Overhead Byte Stuffing): the byte stuffing that leaves 0x00
// free to mark the end of every frame on the serial line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace watt::serial {

// The most bytes cobs_encode can produce for n input bytes (no delimiter):
// one code byte per started block of 254, and one even for empty input.
constexpr std::size_t cobs_max_encoded_size(std::size_t n) { return n + 1 + n / 254; }

// Appends the encoding of `in` to `out`. The result contains no 0x00 and no
// delimiter; the caller appends the 0x00.
void cobs_encode_into(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out);
std::vector<std::uint8_t> cobs_encode(std::span<const std::uint8_t> in);

// Replaces `out` with the decoding of `in` (the bytes between two delimiters,
// without them). Malformed input — a 0x00, or a code byte that runs past the
// end — is an expected event on a noisy line, so it is a false return, not an
// exception; `out` is then unspecified.
bool cobs_decode_into(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out);
std::optional<std::vector<std::uint8_t>> cobs_decode(std::span<const std::uint8_t> in);

}  // namespace watt::serial
