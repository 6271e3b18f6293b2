// watt publish | subscribe | rpc | peers
#include "cli_context.hpp"
#include "table.hpp"

#include <csignal>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace watt::cli {
namespace {

Value parse_json(const std::string& text, const std::string& what) {
  try {
    return Value::from_json(text);
  } catch (const Error&) {
    // A bare word is the usual slip: the shell ate the quotes.
    const bool bare = !text.empty() && std::string_view("{[\"-0123456789tfn").find(text[0]) == std::string_view::npos;
    throw Failure{what + " is not valid JSON: " + text +
                      (bare ? " (a string needs its quotes: '\"" + text + "\"')" : std::string()),
                  2};
  }
}

std::string seconds(double s) {
  std::ostringstream out;
  out << s << " s";
  return out.str();
}

void add_publish_command(CLI::App& app, Context& ctx) {
  struct Publish {
    std::string topic, json;
    int priority = 50;
  };
  auto pub = std::make_shared<Publish>();
  auto* publish = app.add_subcommand("publish", "publish one message (a JSON value) on the bus");
  publish->add_option("topic", pub->topic, "topic, e.g. devices/campus/b1/temp")->required();
  publish->add_option("json", pub->json, "the body, as JSON")->required();
  publish->add_option("--priority,-p", pub->priority, "0 (most urgent) .. 100")->check(CLI::Range(0, 100));
  publish->callback(guarded([&ctx, pub] {
    const Value body = parse_json(pub->json, "the body");
    auto c = ctx.connect();
    PublishOptions o;
    o.priority = static_cast<std::uint8_t>(pub->priority);
    c->publish_value(pub->topic, body, o);
    if (!c->sync()) throw Failure{"the broker did not confirm the message"};
    if (const auto refused = c->refusals(); !refused.empty())
      throw Failure{"the broker refused the message: " + refused.front().what()};
  }));
}

void add_subscribe_command(CLI::App& app, Context& ctx) {
  struct Subscribe {
    std::string pattern;
    long count = 0;
    double timeout = 0;
    bool lossless = false;
  };
  auto sub = std::make_shared<Subscribe>();
  auto* subscribe = app.add_subcommand("subscribe", "print every matching message as one JSON line, like tail -f");
  subscribe->add_option("pattern", sub->pattern, "pattern: whole segments, + for one, # for the rest")->required();
  subscribe->add_option("--count,-n", sub->count, "exit after this many messages");
  subscribe->add_option("--timeout,-t", sub->timeout, "exit after this many seconds");
  subscribe->add_flag("--lossless", sub->lossless, "ask for lossless delivery (slows publishers if we lag)");
  subscribe->callback(guarded([&ctx, sub] {
    auto c = ctx.connect();
    long seen = 0;
    SubscribeOptions o;
    o.delivery = sub->lossless ? Delivery::lossless : Delivery::best_effort;
    c->subscribe(
        sub->pattern,
        [&](const Envelope& e) {
          std::cout << e.to_json() << std::endl;
          ++seen;
        },
        o);
    if (!c->sync()) throw Failure{"the broker did not confirm the subscription"};
    if (const auto refused = c->refusals(); !refused.empty())
      throw Failure{"the broker refused the subscription: " + refused.front().what()};
    std::cerr << "subscribed to " << sub->pattern << std::endl;
    watch_interrupts();
    const auto limit =
        sub->timeout > 0
            ? std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(sub->timeout))
            : std::chrono::nanoseconds(std::chrono::hours(24 * 365));
    c->spin_until([&] { return interrupted() || (sub->count > 0 && seen >= sub->count); }, limit);
    if (sub->count > 0 && seen < sub->count && !interrupted())
      throw Failure{"only " + std::to_string(seen) + " of " + std::to_string(sub->count) + " messages arrived in " +
                    seconds(sub->timeout)};
  }));
}

void add_rpc_commands(CLI::App& app, Context& ctx) {
  struct Rpc {
    std::string peer, method;
    std::vector<std::string> args;
    int timeout_ms = 10000;
  };
  auto rpc = std::make_shared<Rpc>();
  auto* rpc_cmd = app.add_subcommand("rpc", "call a method of a peer and print the result as JSON");
  rpc_cmd->add_option("peer", rpc->peer, "identity of the peer")->required();
  rpc_cmd->add_option("method", rpc->method, "method name")->required();
  rpc_cmd->add_option("args", rpc->args, "arguments, each a JSON value");
  rpc_cmd->add_option("--timeout", rpc->timeout_ms, "milliseconds to wait for the answer");
  rpc_cmd->callback(guarded([&ctx, rpc] {
    std::string array = "[";
    for (std::size_t i = 0; i < rpc->args.size(); ++i) {
      parse_json(rpc->args[i], "argument " + std::to_string(i + 1));
      array += (i ? "," : "") + rpc->args[i];
    }
    array += "]";
    auto c = ctx.connect();
    CallOptions o;
    o.timeout = std::chrono::milliseconds(rpc->timeout_ms);
    auto r = c->call_value(o, rpc->peer, rpc->method, Value::from_json(array)).get();
    if (!r) throw Failure{r.error().what()};
    std::cout << r.value().to_json() << "\n";
  }));

  app.add_subcommand("peers", "peers connected to the bus")->callback(guarded([&ctx] {
    auto c = ctx.connect();
    auto peers = c->peers();
    if (!peers) throw Failure{peers.error().what()};
    Table t({"IDENTITY", "PID", "SUBS", "QUEUED", "BYTES", "DROPPED", "RECEIVED"});
    for (const auto& p : *peers)
      t.row({p.identity, p.pid ? std::to_string(p.pid) : "-", std::to_string(p.subscriptions), std::to_string(p.queued),
             std::to_string(p.queued_bytes), std::to_string(p.dropped), std::to_string(p.received)});
    t.print(std::cout);
  }));
}

}  // namespace

void add_bus_commands(CLI::App& app, Context& ctx) {
  add_publish_command(app, ctx);
  add_subscribe_command(app, ctx);
  add_rpc_commands(app, ctx);
}

}  // namespace watt::cli
