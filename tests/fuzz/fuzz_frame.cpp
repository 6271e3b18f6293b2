// Frames and headers as the broker and the SDK read them off the socket: any
// bytes are refused with a reason or taken apart; what is taken apart writes
// back to the very same bytes, and a header re-encodes to the same fields.
#include "fuzz.hpp"

#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <string>

namespace {

bool same_fields(const watt::proto::Header& a, const watt::proto::Header& b) {
  return a.id == b.id && a.ts == b.ts && a.pri == b.pri && a.dl == b.dl && a.protocol == b.protocol && a.pid == b.pid &&
         a.size == b.size && a.lossless == b.lossless && a.paused == b.paused && a.batch == b.batch && a.ct == b.ct &&
         a.method == b.method && a.code == b.code && a.message == b.message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace proto = watt::proto;
  const auto frame = watt::fuzz::text(data, size);
  proto::MessageView v;
  if (const auto err = proto::parse_message(frame, v); !err.empty()) return 0;
  WATT_FUZZ_CHECK(proto::message_size(v.address, v.origin, v.header, v.body) == frame.size());
  std::string rewritten(frame.size(), '\0');
  proto::write_message(rewritten.data(), static_cast<proto::Kind>(v.kind), v.address, v.origin, v.header, v.body);
  WATT_FUZZ_CHECK(rewritten == frame);

  proto::Header h;
  if (const auto err = proto::decode_header(v.header, h); !err.empty()) return 0;
  WATT_FUZZ_CHECK(h.pri <= 100);
  const std::string encoded = proto::encode_header(h);
  proto::Header again;
  WATT_FUZZ_CHECK(proto::decode_header(encoded, again).empty());
  WATT_FUZZ_CHECK(same_fields(h, again));
  return 0;
}
