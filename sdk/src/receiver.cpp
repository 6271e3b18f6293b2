#include "receiver.hpp"

#include <watt/identity.hpp>

#include <iterator>

namespace watt::detail {

bool Receiver::read_available() {
  Incoming f;
  std::string error;
  for (int i = 0; i < 4096; ++i) {
    if (!session_.is_open() || !session_.port().try_receive(f, error)) return false;
    if (!error.empty()) {
      problems_.report("bad_frame", error);
      continue;
    }
    handle(f);
  }
  return true;
}

void Receiver::handle(Incoming& f) {
  if (f.kind == proto::Kind::batch)
    handle_batch(f);
  else
    handle_one(f);
}

void Receiver::handle_batch(Incoming& batch) {
  // Each message shares the batch's bytes (by reference count) and is
  // handled as if it had come alone. A damaged item ends the batch: what
  // follows it cannot be found.
  const char* const base = batch.frame.data<char>();
  std::string_view rest = batch.body_view();
  Incoming one;
  while (!rest.empty()) {
    std::string_view item;
    std::string error = proto::take_batch_item(rest, item);
    if (error.empty()) {
      one.frame.copy(batch.frame);
      error = one.parse(static_cast<std::size_t>(item.data() - base), item.size());
      if (error.empty() && one.kind == proto::Kind::batch) error = "a batch inside a batch";
    }
    if (!error.empty()) {
      problems_.report("bad_frame", "dropped the rest of a batch from the broker: " + error);
      return;
    }
    handle_one(one);
  }
}

void Receiver::handle_one(Incoming& f) {
  proto::Header h;
  if (auto err = proto::decode_header(f.header_view(), h); !err.empty()) {
    problems_.report("bad_header",
                     std::string("dropped a ") + std::string(proto::kind_name(f.kind)) + " from the broker: " + err);
    return;
  }
  switch (f.kind) {
    case proto::Kind::deliver: {
      auto& d = inbox_.emplace_delivery(h.pri);
      d.id = h.id;
      d.ts = h.ts;
      d.dl = h.dl;
      d.pri = h.pri;
      d.ct_at = h.ct.empty() ? 0 : static_cast<std::size_t>(h.ct.data() - f.frame.data<char>());
      d.ct_len = h.ct.size();
      d.in = std::move(f);
      break;
    }
    case proto::Kind::request:
      // The address is kept only when it names another platform's agent
      // (a gateway's call): every other request is for this peer.
      inbox_.push(
          h.pri,
          IncomingRequest{
              std::string(f.origin_view()),
              f.address_view().find('/') == std::string_view::npos ? std::string() : std::string(f.address_view()),
              h.id, std::string(h.method), h.dl, Value::from_msgpack_unchecked(std::string(f.body_view()))});
      break;
    case proto::Kind::response:
    case proto::Kind::peer_list:
      if (answers_a_call(f, h)) calls_.resolve(h.id, Value::from_msgpack_unchecked(std::string(f.body_view())));
      break;
    case proto::Kind::ack:
      if (answers_a_call(f, h)) calls_.resolve(h.id, Value());
      break;
    case proto::Kind::error: {
      RpcError err{error_code_from_string(h.code), std::string(h.message)};
      if (f.origin_view() == broker_identity && session_.on_refused(h.id, err)) break;
      if (h.id != 0 && calls_.contains(h.id)) {
        if (answers_a_call(f, h)) calls_.resolve(h.id, std::move(err));
      } else {
        problems_.report(std::string(h.code), "the broker reported " + err.what());
        if (refusals_.size() == 100) refusals_.pop_front();
        refusals_.push_back(std::move(err));
      }
      break;
    }
    case proto::Kind::welcome:
      // Subscriptions live in the broker: a new one (after a restart) is
      // told them again. Exported methods need nothing: they live here.
      if (session_.on_welcome(h.id)) on_welcome_();
      break;
    case proto::Kind::ping: {
      proto::Header pong;
      pong.id = h.id;
      session_.send(proto::Kind::pong, {}, pong);
      break;
    }
    case proto::Kind::flow: session_.on_flow(h.paused, h.message); break;
    default:
      problems_.report("unexpected_kind",
                       "ignored an unexpected " + std::string(proto::kind_name(f.kind)) + " from the broker");
  }
}

bool Receiver::answers_a_call(const Incoming& f, const proto::Header& h) {
  const std::string_view from = f.origin_view();
  if (calls_.awaits(h.id, from, f.kind == proto::Kind::error)) return true;
  // A late answer to a call already forgotten is no news; one from a peer
  // the call did not go to is.
  if (calls_.contains(h.id))
    problems_.report("unrequested_answer", "dropped a " + std::string(proto::kind_name(f.kind)) + " from '" +
                                               std::string(from) + "' to call #" + std::to_string(h.id) +
                                               ", which went to another peer");
  return false;
}

std::vector<RpcError> Receiver::take_refusals() {
  std::vector<RpcError> out(std::make_move_iterator(refusals_.begin()), std::make_move_iterator(refusals_.end()));
  refusals_.clear();
  return out;
}

}  // namespace watt::detail
