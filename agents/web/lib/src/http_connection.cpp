#include "http_connection.hpp"

#include "router.hpp"
#include "sse_client.hpp"
#include "ws_client.hpp"

#include <boost/beast/websocket.hpp>

namespace watt::web {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

HttpConnection::HttpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<Context> ctx)
    : stream_(std::move(socket)), ctx_(std::move(ctx)) {
  ctx_->live.insert(this);
  beast::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? "unknown" : ep.address().to_string();
}

HttpConnection::~HttpConnection() { ctx_->live.erase(this); }

void HttpConnection::start() { read(); }

void HttpConnection::close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

void HttpConnection::read() {
  parser_.emplace();
  parser_->header_limit(16 * 1024);
  parser_->body_limit(ctx_->options.max_body);
  stream_.expires_after(std::chrono::seconds(30));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpConnection::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    Request head;
    head.version(11);
    head.keep_alive(false);
    return answer(error_response(head, http::status::payload_too_large,
                                 ec == http::error::body_limit ? "the body is too large" : "the header is too large"));
  }
  if (ec) return close();  // the peer left, timed out or sent something that is not HTTP
  auto req = parser_->release();
  // Nothing a request holds may end the io thread: whatever escapes is this
  // request's failure alone.
  try {
    const auto path = path_of(target_of(req));
    if (websocket::is_upgrade(req)) return upgrade(std::move(req));
    if (path == "/api/events" && req.method() == http::verb::get) return stream_events(std::move(req));
    route(ctx_, req, remote_, [self = shared_from_this()](Response res) { self->answer(std::move(res)); });
  } catch (const std::exception& e) {
    ctx_->log->error("web: {} {} failed: {}", std::string(req.method_string()),
                     std::string(target_of(req).substr(0, 200)), e.what());
    answer(error_response(req, http::status::internal_server_error, "the server failed to answer; see its log"));
  }
}

void HttpConnection::answer(Response res) {
  if (ctx_->stopped) return;
  auto shared = std::make_shared<Response>(std::move(res));
  stream_.expires_after(std::chrono::seconds(30));
  http::async_write(stream_, *shared, [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
    if (ec || !shared->keep_alive()) return self->close();
    self->read();
  });
}

// The page's one WebSocket: only for a logged-in user, and only from a page
// of this server (a browser always sends its Origin on an upgrade).
void HttpConnection::upgrade(Request req) {
  ++ctx_->stats.requests;
  if (path_of(target_of(req)) != "/ws") return answer(error_response(req, http::status::not_found, "WebSocket: /ws"));
  if (!host_allowed(*ctx_, req) || !origin_allowed(*ctx_, req))
    return answer(error_response(req, http::status::forbidden, "cross-origin WebSocket refused"));
  ctx_->users.refresh(ctx_->sessions);
  auto caller = session_of(*ctx_, req);
  if (!caller) return answer(error_response(req, http::status::unauthorized, "not logged in"));
  stream_.expires_never();
  std::make_shared<WsClient>(std::move(stream_), ctx_, std::move(*caller))->start(std::move(req));
}

// GET /api/events?pattern=P[&pattern=Q…][&rate=R]: the same stream as the
// WebSocket's, as Server-Sent Events, for curl and scripts.
void HttpConnection::stream_events(Request req) {
  ++ctx_->stats.requests;
  if (!host_allowed(*ctx_, req))
    return answer(error_response(req, http::status::misdirected_request, "this server does not answer for that host"));
  ctx_->users.refresh(ctx_->sessions);
  auto caller = session_of(*ctx_, req);
  if (!caller) return answer(error_response(req, http::status::unauthorized, "not logged in"));
  const auto patterns = query_values(target_of(req), "pattern");
  if (patterns.empty())
    return answer(error_response(req, http::status::bad_request, "name at least one pattern: ?pattern=devices/%23"));
  for (const auto& p : patterns)
    if (auto err = pattern_problem(p); !err.empty()) return answer(error_response(req, http::status::bad_request, err));
  double rate = 10;
  try {
    rate = std::stod(query_value(target_of(req), "rate", "10"));
  } catch (const std::exception&) {
    return answer(error_response(req, http::status::bad_request, "rate: frames a second"));
  }
  auto client = std::make_shared<SseClient>(std::move(stream_), ctx_, std::move(*caller));
  client->start(req, patterns, rate);
}

}  // namespace watt::web
