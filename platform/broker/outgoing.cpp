#include "outgoing.hpp"

namespace watt::broker {

Outgoing control_message(proto::Kind kind, const std::string& header, std::string_view body, std::string_view to) {
  Outgoing out;
  out.frame = zmq::message_t(proto::message_size(to, broker_identity, header, body));
  proto::write_message(out.frame.data<char>(), kind, to, broker_identity, header, body);
  out.priority = 0;
  out.control = true;
  return out;
}

}  // namespace watt::broker
