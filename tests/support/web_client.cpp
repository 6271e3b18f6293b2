#include "web_client.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <stdexcept>

namespace watt::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

tcp::endpoint loopback(unsigned short port) { return {boost::asio::ip::make_address("127.0.0.1"), port}; }

void set_receive_timeout(tcp::socket& s, std::chrono::milliseconds t) {
  timeval tv{static_cast<time_t>(t.count() / 1000), static_cast<suseconds_t>((t.count() % 1000) * 1000)};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace

HttpReply WebClient::request(const std::string& method, const std::string& target, const std::string& body,
                             const std::map<std::string, std::string>& headers) const {
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect(loopback(port_));
  set_receive_timeout(socket, std::chrono::milliseconds(30000));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  HttpReply out{static_cast<int>(res.result_int()), res.body(), {}};
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  return out;
}

WebLogin WebClient::login(const std::string& user, const std::string& password) const {
  const auto r = request("POST", "/api/login", nlohmann::json{{"user", user}, {"password", password}}.dump(),
                         {{"Content-Type", "application/json"}});
  if (r.status != 200) throw std::runtime_error("login as " + user + ": " + std::to_string(r.status) + " " + r.body);
  const auto& c = r.headers.at("set-cookie");
  return {c.substr(0, c.find(';')), nlohmann::json::parse(r.body).at("csrf").get<std::string>()};
}

HttpReply WebClient::as(const WebLogin& who, const std::string& method, const std::string& target,
                        const std::string& body) const {
  std::map<std::string, std::string> h{{"Cookie", who.cookie}};
  if (method != "GET") h["X-CSRF-Token"] = who.csrf;
  return request(method, target, body, h);
}

WsClient::WsClient(unsigned short port, const std::map<std::string, std::string>& headers, int receive_buffer)
    : ws_(io_) {
  auto& s = ws_.next_layer();
  s.open(tcp::v4());
  if (receive_buffer > 0) s.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
  s.connect(loopback(port));
  ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
}

void WsClient::send(const std::string& text) {
  ws_.text(true);
  ws_.write(boost::asio::buffer(text));
}

void WsClient::send_binary(const std::string& bytes) {
  ws_.binary(true);
  ws_.write(boost::asio::buffer(bytes));
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds timeout) {
  set_receive_timeout(ws_.next_layer(), timeout);
  beast::error_code ec;
  buffer_.clear();
  ws_.read(buffer_, ec);
  if (ec) return std::nullopt;
  return beast::buffers_to_string(buffer_.data());
}

std::optional<std::string> WsClient::read_until(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    auto m = read(std::max(left, std::chrono::milliseconds(1)));
    if (!m) return std::nullopt;
    if (m->find(needle) != std::string::npos) return m;
  }
  return std::nullopt;
}

int ws_refusal(unsigned short port, const std::map<std::string, std::string>& headers) {
  try {
    WsClient c(port, headers);
    return 0;
  } catch (const beast::system_error&) {
    // Beast says only that the upgrade was declined: ask the same over HTTP.
    std::map<std::string, std::string> h = headers;
    h["Connection"] = "Upgrade";
    h["Upgrade"] = "websocket";
    h["Sec-WebSocket-Version"] = "13";
    h["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ==";
    return WebClient(port).request("GET", "/ws", {}, h).status;
  }
}

}  // namespace watt::test
