#include <watt/mqtt/link.hpp>
#include <watt/mqtt/tls_probe.hpp>

#include <mqtt/async_client.h>

#include <cstdint>
#include <mutex>

namespace watt::mqtt {

// What the Paho threads and the owner's thread share. Once the Link is gone
// (`alive` false), nothing more is posted, and what was posted before does
// nothing when it runs.
struct Link::Shared : std::enable_shared_from_this<Link::Shared> {
  std::mutex m;
  bool alive = true;
  LinkEvents events;
  Post post;
  std::function<std::string()> diagnose;  // why a TLS connect failed, or empty

  bool is_alive() {
    std::lock_guard lock(m);
    return alive;
  }
  // Runs fn on the owner's thread, unless the Link is gone by then.
  void deliver(std::function<void()> fn) {
    std::lock_guard lock(m);
    if (!alive) return;
    post([self = shared_from_this(), fn = std::move(fn)] {
      if (self->is_alive()) fn();
    });
  }
};

namespace {

std::string describe_failure(const ::mqtt::token& tok) {
  // Paho keeps the C library's own words ("TCP/TLS connect failure") where
  // only a completed token's check hands them out.
  try {
    (void)const_cast<::mqtt::token&>(tok).try_wait();
  } catch (const ::mqtt::exception& e) {
    if (!e.get_message().empty()) return e.get_message();
  }
  std::string why = ::mqtt::exception::error_str(tok.get_return_code());
  if (tok.get_reason_code() != ::mqtt::SUCCESS)
    why += " (" + ::mqtt::exception::reason_code_str(tok.get_reason_code()) + ")";
  return why;
}

std::vector<std::string> filters_of(const ::mqtt::token& tok) {
  std::vector<std::string> out;
  if (const auto topics = tok.get_topics())
    for (std::size_t i = 0; i < topics->size(); ++i) out.push_back((*topics)[i]);
  return out;
}

}  // namespace

struct Link::Listener : ::mqtt::iaction_listener {
  enum class Kind { publish, connect, subscribe };
  Listener(std::shared_ptr<Shared> s, Kind k) : sh(std::move(s)), kind(k) {}

  void on_success(const ::mqtt::token& tok) override {
    auto s = sh;
    if (kind == Kind::publish) {
      const auto tag = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(tok.get_user_context()));
      if (tag >= 0) s->deliver([s, tag] { s->events.acknowledged(tag); });
    } else if (kind == Kind::connect) {
      const auto rsp = tok.get_connect_response();
      const bool present = rsp.is_session_present();
      int receive_maximum = 65535;
      if (rsp.get_properties().contains(::mqtt::property::RECEIVE_MAXIMUM))
        receive_maximum = ::mqtt::get<uint16_t>(rsp.get_properties(), ::mqtt::property::RECEIVE_MAXIMUM);
      s->deliver([s, present, receive_maximum] { s->events.connected(present, receive_maximum); });
    } else {
      // MQTT 5 answers each filter with a reason code; 0x80 and up refuse it.
      // (MQTT 3.1.1's 0x80 comes through as a failure instead.)
      const auto codes = tok.get_subscribe_response().get_reason_codes();
      const auto filters = filters_of(tok);
      for (std::size_t i = 0; i < codes.size() && i < filters.size(); ++i) {
        if (codes[i] < 0x80) continue;
        const auto why = ::mqtt::exception::reason_code_str(codes[i]);
        s->deliver([s, f = filters[i], why] { s->events.refused(f, why); });
      }
    }
  }

  void on_failure(const ::mqtt::token& tok) override {
    auto s = sh;
    const auto why = describe_failure(tok);
    if (kind == Kind::publish) {
      const auto tag = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(tok.get_user_context()));
      // Refusals that the same message would meet again: not authorized,
      // a bad topic name, too large, a bad payload format. Others (quota
      // exceeded, the broker's own trouble) are worth another try.
      const auto code = tok.get_reason_code();
      const bool for_good = code == 0x87 || code == 0x90 || code == 0x95 || code == 0x99;
      s->deliver([s, tag, why, for_good] { s->events.failed(tag, why, for_good); });
    } else if (kind == Kind::connect) {
      // On Paho's thread, not the owner's: a handshake takes a moment.
      const auto tls = s->diagnose ? s->diagnose() : std::string();
      s->deliver([s, why = tls.empty() ? why : why + " (TLS: " + tls + ")"] { s->events.down(why); });
    } else {
      for (const auto& f : filters_of(tok)) s->deliver([s, f, why] { s->events.refused(f, why); });
    }
  }

  std::shared_ptr<Shared> sh;
  Kind kind;
};

namespace {

::mqtt::ssl_options tls_options(const Tls& t);

}  // namespace

Link::Link(const BrokerSettings& broker, LinkEvents events, Post post)
    : shared_(std::make_shared<Shared>()), broker_(broker) {
  shared_->events = std::move(events);
  shared_->post = std::move(post);
  if (broker_.tls.enabled)
    shared_->diagnose = [url = broker_.url, tls = broker_.tls, wait = broker_.connect_timeout] {
      return tls_diagnosis(url, tls, wait);
    };
  publish_listener_ = std::make_unique<Listener>(shared_, Listener::Kind::publish);
  connect_listener_ = std::make_unique<Listener>(shared_, Listener::Kind::connect);
  subscribe_listener_ = std::make_unique<Listener>(shared_, Listener::Kind::subscribe);
  // No persistence of Paho's own: the bridge's queue is the one store, and a
  // fresh client per connection holds nothing in flight from an older one.
  // Paho refuses a publish once this many wait to be written, even while
  // connected (its default is 100): QoS-1 traffic is windowed by the Sender,
  // and a burst of QoS 0 should meet the socket's pace, not this count.
  const ::mqtt::create_options create(broker_.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1, 100000);
  client_ = std::make_unique<::mqtt::async_client>(broker_.url, broker_.client_id, create, nullptr);
  auto s = shared_;
  client_->set_connection_lost_handler([s](const std::string& cause) {
    s->deliver([s, cause] { s->events.down("connection lost" + (cause.empty() ? "" : ": " + cause)); });
  });
  client_->set_disconnected_handler([s](const ::mqtt::properties&, ::mqtt::ReasonCode code) {
    const auto why = "the broker disconnected: " + ::mqtt::exception::reason_code_str(code);
    s->deliver([s, why] { s->events.down(why); });
  });
  client_->set_message_callback([s](::mqtt::const_message_ptr msg) {
    s->deliver([s, msg] {
      MessageProps props;
      const auto& p = msg->get_properties();
      if (p.contains(::mqtt::property::RESPONSE_TOPIC))
        props.response_topic = ::mqtt::get<std::string>(p, ::mqtt::property::RESPONSE_TOPIC);
      if (p.contains(::mqtt::property::CORRELATION_DATA))
        props.correlation = ::mqtt::get<std::string>(p, ::mqtt::property::CORRELATION_DATA);
      s->events.message(msg->get_topic(), msg->get_payload_str(), msg->get_qos(), msg->is_retained(), props);
    });
  });
}

Link::~Link() {
  {
    std::lock_guard lock(shared_->m);
    shared_->alive = false;
  }
  try {
    if (client_->is_connected()) client_->disconnect(0)->wait_for(std::chrono::milliseconds(100));
  } catch (const std::exception&) {
    // going anyway
  }
  client_.reset();
}

void Link::connect() {
  ::mqtt::connect_options_builder b;
  b.mqtt_version(broker_.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1)
      .keep_alive_interval(broker_.keepalive)
      .connect_timeout(broker_.connect_timeout)
      .automatic_reconnect(false);  // the bridge reconnects, with a new Link
  if (broker_.mqtt_version == 5) {
    b.clean_start(broker_.session_expiry.count() == 0);
    b.properties({{::mqtt::property::SESSION_EXPIRY_INTERVAL, static_cast<int>(broker_.session_expiry.count())}});
  } else {
    b.clean_session(broker_.session_expiry.count() == 0);
  }
  if (!broker_.will_topic.empty())
    b.will(::mqtt::message(broker_.will_topic, broker_.will_payload.data(), broker_.will_payload.size(), 1,
                           broker_.will_retain));
  if (!broker_.username.empty()) b.user_name(broker_.username);
  if (!broker_.password.empty()) b.password(broker_.password);
  if (broker_.tls.enabled) b.ssl(tls_options(broker_.tls));
  try {
    client_->connect(b.finalize(), nullptr, *connect_listener_);
  } catch (const std::exception& e) {
    auto s = shared_;
    s->deliver([s, why = std::string(e.what())] { s->events.down(why); });
  }
}

void Link::subscribe(const std::vector<Subscription>& subs) {
  // One filter at a time: Paho 1.2 does not pass the options of a
  // several-filter subscribe on (no_local among them).
  for (const auto& sub : subs) {
    try {
      client_->subscribe(sub.filter, sub.qos, nullptr, *subscribe_listener_,
                         ::mqtt::subscribe_options(broker_.mqtt_version == 5 && sub.no_local));
    } catch (const std::exception& e) {
      auto s = shared_;
      s->deliver([s, f = sub.filter, why = std::string(e.what())] { s->events.refused(f, why); });
    }
  }
}

void Link::publish(const std::string& topic, const std::string& payload, int qos, bool retain, std::int64_t tag,
                   const MessageProps& props) {
  try {
    auto msg = ::mqtt::message::create(topic, payload.data(), payload.size(), qos, retain);
    if (broker_.mqtt_version == 5 &&
        (!props.response_topic.empty() || !props.correlation.empty() || props.expiry.count() > 0)) {
      ::mqtt::properties p;
      if (!props.response_topic.empty()) p.add({::mqtt::property::RESPONSE_TOPIC, props.response_topic});
      if (!props.correlation.empty()) p.add({::mqtt::property::CORRELATION_DATA, props.correlation});
      if (props.expiry.count() > 0)
        p.add({::mqtt::property::MESSAGE_EXPIRY_INTERVAL, static_cast<int>(props.expiry.count())});
      msg->set_properties(p);
    }
    client_->publish(msg, reinterpret_cast<void*>(static_cast<std::intptr_t>(tag)), *publish_listener_);
  } catch (const ::mqtt::exception& e) {
    // A topic or QoS the client can never send is refused for good; its
    // buffers full or the connection gone are worth another try.
    const auto rc = e.get_return_code();
    const bool for_good = rc == MQTTASYNC_BAD_UTF8_STRING || rc == MQTTASYNC_NULL_PARAMETER ||
                          rc == MQTTASYNC_TOPICNAME_TRUNCATED || rc == MQTTASYNC_BAD_STRUCTURE ||
                          rc == MQTTASYNC_BAD_QOS;
    auto s = shared_;
    s->deliver([s, tag, why = std::string(e.what()), for_good] { s->events.failed(tag, why, for_good); });
  } catch (const std::exception& e) {
    auto s = shared_;
    s->deliver([s, tag, why = std::string(e.what())] { s->events.failed(tag, why, false); });
  }
}

void Link::disconnect(std::chrono::milliseconds wait) {
  try {
    if (!client_->is_connected()) return;
    // What was published goes out first, then the goodbye. Paho's own wait
    // for outstanding work (a disconnect with a timeout) never completes
    // while a publish is still queued: the goodbye was never sent, and the
    // broker later sent the will too (a second NDEATH, an "offline").
    // A token's wait throws on a PUBACK's reason code such as "no matching
    // subscribers": each is waited for alone, and the goodbye goes anyway.
    const auto end = std::chrono::steady_clock::now() + wait;
    for (const auto& token : client_->get_pending_delivery_tokens()) {
      try {
        token->wait_until(end);
      } catch (const std::exception&) {
        // delivered, or not: either way its wait is over
      }
    }
    client_->disconnect(0)->wait_until(end);
  } catch (const std::exception&) {
    // already gone: the session is the broker's to keep either way
  }
}

namespace {

// No error handler: Paho 1.2 hands it a pointer to the ssl_options it was
// set on, which connect_options copies and leaves behind (a crash on the
// first TLS error). The failed connect's own message says enough.
::mqtt::ssl_options tls_options(const Tls& t) {
  ::mqtt::ssl_options_builder b;
  if (!t.ca.empty())
    b.trust_store(t.ca);
  else
    b.ca_path("/etc/ssl/certs");  // the system's CAs
  if (!t.cert.empty()) b.key_store(t.cert).private_key(t.key);
  if (!t.key_password.empty()) b.private_keypassword(t.key_password);
  b.enable_server_cert_auth(t.verify).verify(t.verify);
  return b.finalize();
}

}  // namespace

}  // namespace watt::mqtt
