// COBS encoding and decoding, as in Cheshire and Baker (1999).
#include "framing/cobs.hpp"

namespace watt::serial {

void cobs_encode_into(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + cobs_max_encoded_size(in.size()));
  std::size_t code_at = out.size();  // where the current block's code byte goes
  out.push_back(0);
  std::uint8_t code = 1;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == 0) {
      out[code_at] = code;
      code_at = out.size();
      out.push_back(0);
      code = 1;
      continue;
    }
    out.push_back(in[i]);
    ++code;
    // A full block (254 data bytes) has no implied zero; a new block starts
    // only if input remains, so 254 non-zero bytes cost one byte, not two.
    if (code == 0xFF && i + 1 < in.size()) {
      out[code_at] = code;
      code_at = out.size();
      out.push_back(0);
      code = 1;
    }
  }
  out[code_at] = code;
}

std::vector<std::uint8_t> cobs_encode(std::span<const std::uint8_t> in) {
  std::vector<std::uint8_t> out;
  cobs_encode_into(in, out);
  return out;
}

bool cobs_decode_into(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
  out.clear();
  if (in.empty()) return false;  // even empty data encodes to one code byte
  std::size_t i = 0;
  while (i < in.size()) {
    const std::uint8_t code = in[i];
    if (code == 0) return false;
    const std::size_t end = i + code;  // one past the block's last data byte
    if (end > in.size()) return false;
    for (std::size_t j = i + 1; j < end; ++j) {
      if (in[j] == 0) return false;
      out.push_back(in[j]);
    }
    i = end;
    // The implied zero after a short block, except after the last block,
    // whose zero is the delimiter itself.
    if (code != 0xFF && i < in.size()) out.push_back(0);
  }
  return true;
}

std::optional<std::vector<std::uint8_t>> cobs_decode(std::span<const std::uint8_t> in) {
  std::vector<std::uint8_t> out;
  if (!cobs_decode_into(in, out)) return std::nullopt;
  return out;
}

}  // namespace watt::serial
