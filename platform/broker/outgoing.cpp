#include "outgoing.hpp"

namespace watt::broker {

Outgoing control_message(proto::Kind kind, const std::string& header, std::string_view body) {
  Outgoing out;
  out.frame = zmq::message_t(proto::message_size({}, broker_identity, header, body));
  proto::write_message(out.frame.data<char>(), kind, {}, broker_identity, header, body);
  out.priority = 0;
  out.control = true;
  return out;
}

}  // namespace watt::broker
