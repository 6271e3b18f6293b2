#include "sse_client.hpp"
#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace watt::web {

namespace beast = boost::beast;

SseClient::SseClient(beast::tcp_stream stream, std::shared_ptr<Context> ctx, Caller caller)
    : stream_(std::move(stream)),
      ctx_(std::move(ctx)),
      caller_(std::move(caller)),
      queue_(ctx_->options.client_queue_bytes),
      sink_{} {
  ctx_->live.insert(this);
  ++ctx_->stats.streams;
}

SseClient::~SseClient() {
  ctx_->live.erase(this);
  --ctx_->stats.streams;
}

void SseClient::start(const Request& req, const std::vector<std::string>& patterns, double rate) {
  Response head{http::status::ok, req.version()};
  secure_headers(head);
  std::string text = "HTTP/1.1 200 OK\r\n";
  for (const auto& field : head) text += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
  text += "Content-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  queue_.push(std::move(text));
  stream_.expires_never();
  write_next();
  watch();
  for (const auto& p : patterns)
    if (auto err = ctx_->hub.subscribe(shared_from_this(), p, rate); !err.empty())
      deliver(json_text(nlohmann::json{{"type", "error"}, {"op", "subscribe"}, {"message", err}}));
}

// An event stream sends nothing back: a read ends only when the reader leaves.
void SseClient::watch() {
  stream_.async_read_some(boost::asio::buffer(sink_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->leave();
    self->watch();
  });
}

void SseClient::deliver(std::string frame) {
  if (left_) return;
  if (!queue_.push("data: " + frame + "\n\n")) ++ctx_->stats.dropped;
  if (!busy_) write_next();
}

void SseClient::write_next() {
  auto next = queue_.pop();
  if (!next) return;
  busy_ = true;
  // The queue's own notice of drops comes bare: framed here like the rest.
  writing_ =
      next->rfind("data: ", 0) == 0 || next->rfind("HTTP/", 0) == 0 ? std::move(*next) : "data: " + *next + "\n\n";
  boost::asio::async_write(stream_, boost::asio::buffer(writing_),
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->busy_ = false;
                             if (ec) return self->leave();
                             self->write_next();
                           });
}

void SseClient::recheck() {
  if (!ctx_->sessions.alive(caller_.token)) close();
}

void SseClient::close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

void SseClient::leave() {
  if (left_) return;
  left_ = true;
  ctx_->hub.remove(this);
  close();
}

}  // namespace watt::web
