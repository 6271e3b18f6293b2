// Batch items: a 4-byte little-endian length, then a whole message.
#include <watt/proto/batch.hpp>

#include <cstdint>
#include <cstring>

namespace watt::proto {

void write_batch_item(char* out, std::string_view message) noexcept {
  const auto n = static_cast<std::uint32_t>(message.size());
  for (std::size_t i = 0; i < batch_item_prefix; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  if (!message.empty()) std::memcpy(out + batch_item_prefix, message.data(), message.size());
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

}  // namespace watt::proto
