// SPDX-License-Identifier: MIT
// server — the composition root: listener → Conn → HTTP → (WebSocket | middleware).
//
// The HTTP handler tells an upgrade from an ordinary request; the WebSocket
// route table decides where an upgrade goes (routes::Upgrade), the
// middleware vector where an ordinary request goes (answered, or a
// routes::Forward); this file only carries those decisions out.  Nothing
// below it knows the other paths exist (docs/ARCHITECTURE.md).
#pragma once

#include <algorithm>

#include "auth/check_queue.h"
#include "auth/limiter.h"
#include "backend/supervisor.h"
#include "auth/origin.h"
#include "auth/password.h"
#include "auth/sessions.h"
#include "config/config.h"
#include "first_byte.h"
#include "http/error_page.h"
#include "http/handler.h"
#include "proxy/http_proxy.h"
#include "proxy/target.h"
#include "proxy/tunnel.h"
#include "reactor/listener.h"
#include "reactor/loop.h"
#include "routes/chain.h"
#include "routes/code_server.h"
#include "routes/heart.h"
#include "routes/https.h"
#include "routes/last_opened.h"
#include "routes/login.h"
#include "routes/port_proxy.h"
#include "routes/static_files.h"
#include "routes/vscode.h"
#include "routes/vscode_files.h"
#include "routes/ws_table.h"
#include "tls/engine.h"
#include "ws/endpoint.h"

class Server final : public reactor::AcceptHandler, public reactor::SignalHandler, public http::Router {
 public:
  explicit Server(const config::Config& cfg);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Sets up the loop and binds the listener.  Returns 0, or the exit status
  // to end with after logging why.
  int bind();
  // Loads the credentials, builds the routes, starts accepting and signals
  // readiness.  Same return as bind().
  int start();
  // Serves until SIGTERM/SIGINT and the drain that follows.  Returns 0.
  int run();

  void on_accept(int fd, std::string_view peer) override;
  void on_signal(int signo) override;
  reactor::Flow on_request(reactor::Conn& c, const http::Request& req, http::Response& resp) override;
  reactor::Flow on_upgrade(reactor::Conn& c, const http::Request& req, size_t head_len) override;
  size_t body_limit(const http::Request& req) override { return chain_.body_limit(req); }

 private:
  int open_listener();
  // --max-connections, or fewer when RLIMIT_NOFILE cannot be raised enough.
  size_t fit_connections();
  int start_auth();
  int start_checks();  // server_checks.cpp
  void collect_checks();
  int load_tls();  // at start: the certificate (made if need be); FirstByte decides per connection
  void log_certificate(const char* what);
  bool issue_certificate();
  void reload_tls();
  int start_vscode();
  int open_vscode_files();
  int load_login_text();
  int build_routes();
  // The backend a decision names: the VS Code server, or the box's port.
  const proxy::Target& target_of(const routes::Forward& f);
  void begin_drain();
  static void drain_expired(void* self);
  // A minute after the last beat: open connections beat; --idle-timeout-seconds.
  static void heart_check(void* self);
  void arm_heart_check();
  int64_t last_activity_ms() const { return std::max(heart_.active_ms(), loop_.last_close_ms()); }

  const config::Config& cfg_;
  http::Options http_opts_;
  http::Site site_;
  reactor::Loop loop_;
  reactor::Listener listener_;
  http::Handler http_;
  routes::Heart heart_;
  routes::StaticFiles static_;
  auth::Password password_;
  auth::Sessions sessions_;
  auth::Limiter limiter_;
  routes::Login login_;
  // Argon2 checks: the worker's queue, and its eventfd in the epoll set.
  class CheckResults final : public reactor::Pollable {
   public:
    void on_event(uint32_t) override { server->collect_checks(); }
    Server* server = nullptr;
  };
  auth::CheckQueue checks_;
  CheckResults check_results_;
  // Set just before a held login runs again, taken by its on_request.
  routes::Verdict replay_verdict_ = routes::Verdict::None;
  proxy::Target vscode_target_;
  routes::VsCode vscode_;
  routes::VsCodeFiles vscode_files_;
  routes::CodeServer code_server_;
  routes::LastOpened last_opened_;
  routes::PortProxy port_proxy_;
  proxy::Ports ports_;
  proxy::HttpProxy proxy_;
  proxy::Tunnel tunnel_;
  backend::Supervisor supervisor_;
  tls::Server tls_;
  bool tls_on_ = false;
  FirstByte first_byte_{tls_, http_};   // with TLS on, every connection's first handler
  std::string tls_cert_, tls_key_;   // what SIGHUP reloads
  std::string_view ca_template_;     // www/ca.html
  routes::CaPage ca_page_;           // a bare --cert's CA, for the browsers to trust
  routes::Https https_{&tls_on_, &ca_page_};
  routes::Chain chain_;
  routes::Health health_{heart_};
  routes::HealthSocket health_socket_{heart_};
  ws::Endpoint health_ws_;
  routes::WsTable ws_routes_;
  reactor::Alarm drain_alarm_;
  reactor::Alarm heart_alarm_;
  bool draining_ = false;
  base::Throttle full_log_{1000};   // at most one "refused" line a second under a flood
  size_t max_conns_ = 0;            // the slots there are: fit_connections()
};
