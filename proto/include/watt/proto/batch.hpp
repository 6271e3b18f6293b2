// Batch items: the body of a batch message (docs/protocol.md, "Batches").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace watt::proto {

// A batch's body is a run of whole messages, each written as
//   length (4 bytes, little endian) | message frame
// The broker sends batches only to peers that asked for them in their hello,
// and only with what waited for them; a batch never holds another batch.
inline constexpr std::size_t batch_item_prefix = 4;

// Writes one item (prefix and message) at `out`, which has room for
// batch_item_prefix + message.size() bytes.
void write_batch_item(char* out, std::string_view message) noexcept;

// Takes the next item off the front of `rest` (not empty) into `message`;
// returns an error text, empty when well-formed.
std::string take_batch_item(std::string_view& rest, std::string_view& message);

}  // namespace watt::proto
