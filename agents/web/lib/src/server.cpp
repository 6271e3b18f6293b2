#include "context.hpp"
#include "http_connection.hpp"

#include <watt/error.hpp>

namespace watt::web {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Context::Context(std::shared_ptr<asio::io_context> owner, ServerOptions options_, Backend& backend_,
                 std::shared_ptr<spdlog::logger> log_)
    : io_owner(std::move(owner)),
      io(*io_owner),
      options(std::move(options_)),
      backend(backend_),
      log(std::move(log_)),
      hub(io, options.hub, [this](const std::string& pattern, bool on) { backend.bus(pattern, on); }),
      sessions(options.session_idle),
      limiter(LoginLimiter::Limits{options.login_failures, std::chrono::seconds(300), options.login_lockout}),
      address_limiter(
          LoginLimiter::Limits{4 * options.login_failures, std::chrono::seconds(300), options.login_lockout}),
      users(users_file(options.home), log),
      logs(io, std::chrono::milliseconds(250)),
      acceptor(io),
      refresh(io) {}

namespace {

void accept(const std::shared_ptr<Context>& ctx) {
  ctx->acceptor.async_accept([ctx](boost::system::error_code ec, tcp::socket socket) {
    if (ctx->stopped) return;
    if (!ec) {
      if (ctx->live.size() >= ctx->options.max_connections) {
        ++ctx->stats.refused;
        socket.close(ec);
      } else {
        std::make_shared<HttpConnection>(std::move(socket), ctx)->start();
      }
    } else if (ec == asio::error::no_descriptors) {
      ctx->log->warn("web: out of file descriptors, not accepting for now");
    }
    accept(ctx);
  });
}

// Every 2 s: the users file read again if it changed, and the WebSockets
// and streams of ended sessions closed.
void refresh_users(const std::shared_ptr<Context>& ctx) {
  ctx->refresh.expires_after(std::chrono::seconds(2));
  ctx->refresh.async_wait([ctx](boost::system::error_code ec) {
    if (ec || ctx->stopped) return;
    ctx->users.refresh(ctx->sessions);
    ctx->sessions.close_if([](const Session&) { return false; });  // the idle ones go
    for (auto* c : std::set<Connection*>(ctx->live)) c->recheck();
    refresh_users(ctx);
  });
}

}  // namespace

Server::Server(std::shared_ptr<asio::io_context> io, ServerOptions options, Backend& backend,
               std::shared_ptr<spdlog::logger> log)
    : ctx_(std::make_shared<Context>(std::move(io), std::move(options), backend, std::move(log))) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(ctx_->options.address, ec);
  if (ec) throw Error("web: bad listen address '" + ctx_->options.address + "': " + ec.message());
  const tcp::endpoint ep(address, ctx_->options.port);
  auto& a = ctx_->acceptor;
  if (a.open(ep.protocol(), ec); !ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw Error("web: cannot listen on " + ctx_->options.address + ":" + std::to_string(ctx_->options.port) + ": " +
                ec.message());
  ctx_->users.refresh(ctx_->sessions);
  if (ctx_->users.empty())
    ctx_->log->warn("web: no users yet, so nobody can log in: watt web user add NAME --role admin");
  accept(ctx_);
  refresh_users(ctx_);
}

Server::~Server() { ctx_->hasher.join(); }

unsigned short Server::port() const { return ctx_->acceptor.local_endpoint().port(); }

StreamHub& Server::hub() { return ctx_->hub; }

void Server::stop() {
  ctx_->stopped = true;
  boost::system::error_code ec;
  ctx_->acceptor.close(ec);
  ctx_->refresh.cancel();
  for (auto* c : std::set<Connection*>(ctx_->live)) c->close();
}

}  // namespace watt::web
