#include "ws_client.hpp"
#include "json_text.hpp"

#include <watt/identity.hpp>

#include <nlohmann/json.hpp>

namespace watt::web {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using nlohmann::json;

WsClient::WsClient(beast::tcp_stream stream, std::shared_ptr<Context> ctx, Caller caller)
    : ws_(std::move(stream)),
      ctx_(std::move(ctx)),
      caller_(std::move(caller)),
      queue_(ctx_->options.client_queue_bytes) {
  ctx_->live.insert(this);
  ++ctx_->stats.websockets;
}

WsClient::~WsClient() {
  ctx_->live.erase(this);
  --ctx_->stats.websockets;
}

void WsClient::start(Request req) {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(ctx_->options.max_ws_message);
  ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->leave();
    self->open_ = true;
    self->deliver(
        json_text(json{{"type", "hello"}, {"user", self->caller_.user}, {"role", to_string(self->caller_.role)}}));
    self->read();
  });
}

void WsClient::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    // An oversize message fails here (Beast closes with 1009), as does a
    // peer that left or a protocol error: in every case this client goes.
    if (ec || self->left_) return self->leave();  // a read that was on its way when a write failed
    if (!self->ws_.got_text()) {
      self->buffer_.consume(self->buffer_.size());
      self->error("", "binary frames are not understood: send JSON text");
    } else {
      const auto text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->handle(text);
    }
    self->read();
  });
}

// {"op":"subscribe","pattern":P,"rate":R} | {"op":"unsubscribe","pattern":P}
// | {"op":"follow_log","id":I,"container":C,"lines":N} | {"op":"unfollow_log","id":I}
// | {"op":"ping"}
void WsClient::handle(const std::string& text) {
  json m;
  try {
    m = json::parse(text);
  } catch (const json::exception& e) {
    return error("", std::string("not JSON: ") + e.what());
  }
  if (!m.is_object() || !m.contains("op") || !m["op"].is_string()) return error("", R"(expected {"op": …})");
  const auto op = m["op"].get<std::string>();
  try {
    if (op == "subscribe" || op == "unsubscribe") {
      const auto pattern = m.at("pattern").get<std::string>();
      if (op == "unsubscribe") return ctx_->hub.unsubscribe(this, pattern);
      const auto err = ctx_->hub.subscribe(shared_from_this(), pattern, m.value("rate", 10.0));
      if (!err.empty()) error(op, err);
    } else if (op == "follow_log" || op == "unfollow_log") {
      const auto id = m.at("id").get<std::string>();
      const auto container = m.value("container", std::string{});
      if (auto err = identity_error(id); !err.empty()) return error(op, err);
      if (auto err = container.empty() ? "" : identity_error(container); !err.empty()) return error(op, err);
      if (op == "unfollow_log") return ctx_->logs.unfollow(this, id);
      const auto err = ctx_->logs.follow(shared_from_this(), id, log_source(ctx_->options.home, id, container),
                                         m.value("lines", std::size_t{200}));
      if (!err.empty()) error(op, err);
    } else if (op == "ping") {
      deliver(R"({"type":"pong"})");
    } else {
      error(op, "unknown op '" + op + "' (subscribe, unsubscribe, follow_log, unfollow_log, ping)");
    }
  } catch (const json::exception& e) {
    error(op, std::string("bad message: ") + e.what());
  }
}

void WsClient::error(const std::string& op, const std::string& message) {
  deliver(
      json{{"type", "error"}, {"op", op}, {"message", message}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

void WsClient::deliver(std::string frame) {
  if (left_) return;
  if (!queue_.push(std::move(frame))) ++ctx_->stats.dropped;
  if (open_ && !busy_) write_next();
}

void WsClient::write_next() {
  auto next = queue_.pop();
  if (!next) return;
  busy_ = true;
  writing_ = std::move(*next);
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(writing_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->busy_ = false;
    if (ec) return self->leave();
    self->write_next();
  });
}

void WsClient::recheck() {
  if (!ctx_->sessions.alive(caller_.token)) close();
}

void WsClient::close() {
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws_).socket().close(ec);
}

void WsClient::leave() {
  if (left_) return;
  left_ = true;
  ctx_->hub.remove(this);
  ctx_->logs.remove(this);
  close();
}

}  // namespace watt::web
