#include "zap_handler.hpp"

#include <watt/detail/zmq_context.hpp>

#include <zmq_addon.hpp>

#include <array>
#include <iterator>

namespace watt::broker {

ZapHandler::ZapHandler(const AllowList& allow, BrokerStats& stats, std::shared_ptr<spdlog::logger> log)
    : allow_(allow), stats_(stats), log_(std::move(log)) {}

void ZapHandler::start() {
  socket_ = std::make_unique<zmq::socket_t>(detail::zmq_context(), zmq::socket_type::rep);
  socket_->set(zmq::sockopt::linger, 0);
  socket_->bind("inproc://zeromq.zap.01");
}

ZapAnswer ZapHandler::check(const std::vector<zmq::message_t>& req) {
  ZapAnswer a;
  if (req.size() < 7 || req[5].to_string_view() != "CURVE" || req[6].size() != 32) return a;
  char z85[41] = {};
  zmq_z85_encode(z85, req[6].data<std::uint8_t>(), 32);
  if (const auto* e = allow_.by_key(z85)) {
    a.status = "200";
    a.text = "OK";
    a.user = e->name;
    return a;
  }
  a.text = "key not on the allow-list";
  ++stats_.rejected;
  if (problems_.count("unknown_key"))
    log_->warn("refused a TCP connection from {}: its key is not on the allow-list ({} so far)", req[3].to_string(),
               problems_.total("unknown_key"));
  return a;
}

void ZapHandler::serve() {
  std::vector<zmq::message_t> req;
  (void)zmq::recv_multipart(*socket_, std::back_inserter(req));
  const ZapAnswer a = check(req);
  const std::string request_id = req.size() > 1 ? req[1].to_string() : std::string();
  std::array<zmq::const_buffer, 6> reply = {zmq::str_buffer("1.0"), zmq::buffer(request_id), zmq::buffer(a.status),
                                            zmq::buffer(a.text),    zmq::buffer(a.user),     zmq::const_buffer()};
  (void)zmq::send_multipart(*socket_, reply);
}

}  // namespace watt::broker
