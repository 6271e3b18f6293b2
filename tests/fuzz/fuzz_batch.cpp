// A batch body as the SDK takes it apart: items are taken off the front until
// the body ends or one is damaged, never reading past the end, and the items
// taken write back to the bytes they came from.
#include "fuzz.hpp"

#include <watt/proto/batch.hpp>
#include <watt/proto/frame.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace proto = watt::proto;
  const auto body = watt::fuzz::text(data, size);
  std::string_view rest = body;
  std::string rewritten;
  while (!rest.empty()) {
    std::string_view message;
    const std::size_t before = rest.size();
    if (!proto::take_batch_item(rest, message).empty()) {
      WATT_FUZZ_CHECK(rest.size() == before);  // a damaged item takes nothing
      break;
    }
    WATT_FUZZ_CHECK(rest.size() + proto::batch_item_prefix + message.size() == before);
    std::string item(proto::batch_item_prefix + message.size(), '\0');
    proto::write_batch_item(item.data(), message);
    rewritten += item;
    proto::MessageView v;
    (void)proto::parse_message(message, v);  // each item is a message of its own, or refused
  }
  WATT_FUZZ_CHECK(rewritten == body.substr(0, body.size() - rest.size()));
  return 0;
}
