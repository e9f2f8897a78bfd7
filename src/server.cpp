// SPDX-License-Identifier: MIT
#include "server.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "routes/assets.h"
#include "routes/code_server.h"
#include "routes/files.h"

#include "routes/port_proxy.h"
#include "routes/vscode.h"
#include "sys/addresses.h"
#include "sys/fd_limit.h"
#include "sys/readiness.h"

using base::Level;
using base::logf;

namespace {
// What a client gets when every connection slot is taken.  Sent with one
// non-blocking send() on a socket the loop never adopts.
constexpr char kFull[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 37\r\n"
    "Connection: close\r\nRetry-After: 1\r\n\r\n{\"error\":\"too many open connections\"}";

// Descriptors portico may hold beside its connection slots and those already
// open when it counts: epoll and signalfd (2), the listener (1), the client
// being told kFull (1), the VS Code server's output pipe and the pair made at
// a restart (3), one short-lived file or probe socket (sessions, certificate,
// the server's readiness probe) and a spare (2).  The precompressed
// siblings looked at beside a file need none of their own: one that cannot
// be opened is not sent, and the file itself goes out.
constexpr size_t kFdsBeside = 2 + 1 + 1 + 3 + 2;
}  // namespace

Server::Server(const config::Config& cfg)
    : cfg_(cfg),
      http_(http_opts_, site_, this),
      heart_(&loop_.clock()),
      proxy_(http_, site_),
      tunnel_(http_, cfg.splice),
      chain_(&site_),
      health_ws_(cfg.ws_max_message, health_socket_) {
  http_opts_.limits.max_head = cfg.max_header_size;
  http_opts_.limits.max_url = cfg.max_url_size;
  http_opts_.limits.max_headers = cfg.max_headers;
  site_.app_name = cfg.app_name;
  code_server_.app_name = cfg.app_name;
  code_server_.clock = &loop_.clock();
  if (const routes::Asset* a = routes::find_asset("error.html")) site_.error_template = a->data;
  drain_alarm_.fire = drain_expired;
  drain_alarm_.arg = this;
  heart_alarm_.fire = heart_check;
  heart_alarm_.arg = this;
}

Server::~Server() {
  if (static_.dir_fd >= 0) close(static_.dir_fd);
}

int Server::open_listener() {
  char err[256];
  bool ok;
  if (cfg_.socket_fd >= 0) ok = listener_.adopt(cfg_.socket_fd, err, sizeof err);
  else if (!cfg_.socket_path.empty()) ok = listener_.open_unix(cfg_.socket_path.c_str(), cfg_.socket_mode, err, sizeof err);
  else ok = listener_.open_tcp(reinterpret_cast<const sockaddr*>(&cfg_.bind), cfg_.bind_len, err, sizeof err);
  if (!ok) {
    logf(Level::Fatal, "%s", err);
    return config::kExitSystem;
  }
  return 0;
}

int Server::start_auth() {
  login_.enabled = cfg_.auth == config::Config::Auth::Password;
  login_.cookie = cfg_.cookie_suffix.empty() ? "code-server-session" : "code-server-session-" + cfg_.cookie_suffix;
  login_.app_name = cfg_.app_name;
  if (cfg_.password_source == config::Config::Source::Environment) {
    login_.hint = cfg_.hashed_password.empty() ? routes::LoginText::FromEnv : routes::LoginText::FromHashedEnv;
  }
  if (const routes::Asset* a = routes::find_asset("login.html")) login_.page = a->data;
  login_.trusted_proxies = &cfg_.trusted_proxies;
  login_.password = &password_;
  login_.sessions = &sessions_;
  login_.limiter = &limiter_;
  login_.clock = &loop_.clock();
  if (!login_.enabled) return 0;
  std::string err;
  if (!password_.init(cfg_.password, cfg_.hashed_password, &err)) {
    logf(Level::Fatal, "%s", err.c_str());
    return config::kExitConfig;
  }
  if (cfg_.password_source == config::Config::Source::Environment) {
    logf(Level::Info, "login: password from $%s", cfg_.hashed_password.empty() ? "PASSWORD" : "HASHED_PASSWORD");
  } else {
    logf(Level::Info, "login: password in %s", cfg_.config_path.c_str());
  }
  if (!sessions_.open(cfg_.data_dir, password_.fingerprint(), cfg_.session_lifetime, &err)) {
    logf(Level::Fatal, "sessions: %s", err.c_str());
    return config::kExitSystem;
  }
  return start_checks();
}

// A slot holds one socket, a client's or one to a backend (itself a slot),
// and a spliced tunnel two pipes for each of its two slots, or a client the
// file it is being sent (found by an adversarial review).
size_t Server::fit_connections() {
  sys::FdNeed need{cfg_.max_connections, cfg_.splice ? 3u : 2u, sys::open_fds(8) + kFdsBeside};
  sys::FdFit fit = sys::fit_fds(need);
  if (fit.soft > fit.was) {
    logf(Level::Debug, "RLIMIT_NOFILE raised from %llu to %llu", static_cast<unsigned long long>(fit.was),
         static_cast<unsigned long long>(fit.soft));
  }
  if (fit.slots < cfg_.max_connections) {
    logf(Level::Warn, "max-connections %u lowered to %zu: RLIMIT_NOFILE allows %llu descriptors (hard limit %llu), "
         "each connection may take %zu, and %zu are kept for the rest", cfg_.max_connections, fit.slots,
         static_cast<unsigned long long>(fit.soft), static_cast<unsigned long long>(fit.hard), need.per_slot,
         need.besides);
  }
  return fit.slots;
}

int Server::bind() {
  if (!cfg_.static_dir.empty()) {
    static_.dir_fd = open(cfg_.static_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (static_.dir_fd < 0) {
      logf(Level::Fatal, "static-dir %s: %s", cfg_.static_dir.c_str(), strerror(errno));
      return config::kExitConfig;
    }
  }
  max_conns_ = fit_connections();
  reactor::LoopLimits lim;
  lim.max_conns = max_conns_;
  lim.proto_size = std::max({http::Handler::proto_size(), ws::Endpoint::proto_size(), proxy::HttpProxy::proto_size(),
                             proxy::Tunnel::proto_size()});
  lim.chunk_size = http_.chunk_size();
  auto ms = [](uint32_t s) { return static_cast<int64_t>(s) * 1000; };
  lim.timeout_ms[static_cast<int>(reactor::Timer::Head)] = ms(cfg_.header_timeout);
  lim.timeout_ms[static_cast<int>(reactor::Timer::KeepAlive)] = ms(cfg_.keepalive_timeout);
  lim.timeout_ms[static_cast<int>(reactor::Timer::Io)] = ms(cfg_.io_timeout);
  lim.timeout_ms[static_cast<int>(reactor::Timer::Linger)] = 2000;
  // Below Node's 5 s keep-alive timeout, so a pooled connection to the VS Code
  // server is dropped by portico before the server drops it mid-reuse.
  lim.timeout_ms[static_cast<int>(reactor::Timer::Pool)] = 2000;
  // VS Code's own keep-alive pings every few seconds and gives up after 20:
  // a tunnel silent for a minute is dead.
  lim.timeout_ms[static_cast<int>(reactor::Timer::Tunnel)] = std::max<int64_t>(ms(cfg_.io_timeout), 60000);
  if (!loop_.init(lim, this)) {
    size_t need = reactor::Loop::reservation(lim);
    logf(Level::Fatal, "cannot set up the event loop: %s (%zu connection slots reserve %zu KiB of address space, "
         "%zu KiB each; under a limit such as RLIMIT_AS, lower --max-connections)", strerror(errno), max_conns_,
         need >> 10, (need / std::max<size_t>(1, max_conns_)) >> 10);
    return config::kExitSystem;
  }
  return open_listener();
}

// The backend: one already running (--vscode-addr), or one portico starts
// on first use (--vscode-server) with the user's options passed through.
int Server::start_vscode() {
  std::string why;
  if (!cfg_.vscode_addr.empty()) {
    if (!vscode_target_.parse(cfg_.vscode_addr, &why)) {
      logf(Level::Fatal, "vscode-addr %s: %s", cfg_.vscode_addr.c_str(), why.c_str());
      return config::kExitConfig;
    }
    vscode_.target = &vscode_target_;
    return open_vscode_files();
  }
  if (cfg_.vscode_server.empty()) {
    if (!cfg_.vscode_root.empty()) logf(Level::Warn, "vscode-root: ignored without --vscode-addr or --vscode-server");
    return 0;
  }
  // As code-server: the Ports panel links to the first proxy domain (the
  // child inherits it); without one, code-server's VS Code uses ./proxy/.
  const auto& d = cfg_.proxy_domains;
  if (!d.empty() && d[0].find("{{host}}") == std::string::npos) setenv("VSCODE_PROXY_URI", ("//" + d[0]).c_str(), 0);
  backend::Launch launch;
  launch.idle_ms = static_cast<int64_t>(cfg_.vscode_idle_timeout) * 1000;
  std::string_view path = cfg_.vscode_server;
  if (path.size() > 3 && path.substr(path.size() - 3) == ".js") launch.argv.push_back(cfg_.node);
  launch.argv.push_back(cfg_.vscode_server);
  for (const char* a : {"--without-connection-token", "--accept-server-license-terms"}) launch.argv.push_back(a);
  launch.argv.push_back("--user-data-dir=" + cfg_.user_data_dir);
  launch.argv.push_back("--extensions-dir=" + cfg_.extensions_dir);
  // As code-server: "auth" makes its workbench offer "Sign out".
  if (cfg_.auth == config::Config::Auth::Password) launch.argv.push_back("--auth=password");
  launch.argv.insert(launch.argv.end(), cfg_.vscode_passed.begin(), cfg_.vscode_passed.end());
  for (const std::string& o : cfg_.vscode_options) launch.argv.push_back("--" + o);
  // The folder is not passed (--default-folder): as under code-server, a
  // bare load is sent to ?folder= (routes/last_opened.h), and the page the
  // server embeds its settings in is the same as code-server's.
  if (!supervisor_.init(&loop_, std::move(launch), &why)) {
    logf(Level::Fatal, "vscode-server: %s", why.c_str());
    return config::kExitSystem;
  }
  if (!vscode_target_.parse("unix:" + supervisor_.socket_path(), &why)) {
    logf(Level::Fatal, "vscode-server socket: %s", why.c_str());
    return config::kExitSystem;
  }
  vscode_.target = &vscode_target_;
  vscode_.supervisor = &supervisor_;
  vscode_target_.use = &supervisor_.use;
  ports_.use = &supervisor_.use;
  health_.vscode = &supervisor_;
  health_.login = &login_;
  return open_vscode_files();
}

// --vscode-root, or the install of --vscode-server: its files are answered
// here.  A root given and wrong is an error; one not found only means the
// server answers them itself, as before.
int Server::open_vscode_files() {
  std::string root = cfg_.vscode_root.empty() && !cfg_.vscode_server.empty() ? routes::vscode_root_of(cfg_.vscode_server)
                                                                              : cfg_.vscode_root;
  std::string why;
  if (root.empty()) {
    if (!cfg_.vscode_server.empty()) logf(Level::Info, "vscode: no install found above %s; it serves its own files",
                                          cfg_.vscode_server.c_str());
    return 0;
  }
  if (!vscode_files_.open(root, &why)) {
    if (!cfg_.vscode_root.empty()) {
      logf(Level::Fatal, "vscode-root %s", why.c_str());
      return config::kExitConfig;
    }
    logf(Level::Warn, "vscode: %s; it serves its own files", why.c_str());
    return 0;
  }
  logf(Level::Info, "vscode: its files (%s/static/) from %s%s", vscode_files_.versioned.c_str(), root.c_str(),
       routes::beneath_follows_links() ? "" : " (no openat2: no symbolic link is followed)");
  // code-server's VS Code lives in <package>/lib/vscode and calls the
  // package's own endpoints (routes/code_server.h).
  std::string package = cfg_.vscode_package;
  constexpr std::string_view kLib = "/lib/vscode";
  if (package.empty() && root.size() > kLib.size() && root.compare(root.size() - kLib.size(), kLib.size(), kLib) == 0) {
    package = root.substr(0, root.size() - kLib.size());
  }
  code_server_.version = vscode_files_.code_server_version;
  if (!package.empty() && !vscode_files_.code_server_version.empty() && code_server_.open(package, &why)) {
    logf(Level::Info, "vscode: code-server %s's own files from %s", vscode_files_.code_server_version.c_str(),
         package.c_str());
  }
  return 0;
}

// The login page's words: English; then, as code-server, the --locale's
// from its package (a language, "de-AT", falls back to "de", then English);
// then --i18n's over them; --welcome-text wins over all.
int Server::load_login_text() {
  std::string why, locale;
  for (char c : cfg_.locale) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') break;
    locale.push_back(base::ascii_lower(c));
  }
  if (!locale.empty() && locale.size() == cfg_.locale.size() && !code_server_.package.empty()) {
    std::string dir = code_server_.package + "/out/node/i18n/locales/";
    for (std::string name : {locale, locale.substr(0, locale.find('-'))}) {
      if (access((dir + name + ".json").c_str(), R_OK) != 0) continue;
      if (!login_.text.merge_file(dir + name + ".json", &why)) logf(Level::Warn, "locale %s", why.c_str());
      else logf(Level::Debug, "login page: %s%s.json", dir.c_str(), name.c_str());
      break;
    }
  }
  if (!cfg_.i18n.empty() && !login_.text.merge_file(cfg_.i18n, &why)) {
    logf(Level::Fatal, "i18n %s", why.c_str());
    return config::kExitConfig;
  }
  login_.text.settle(cfg_.app_name, cfg_.config_path);
  if (!cfg_.welcome_text.empty()) login_.text.words[routes::LoginText::Welcome] = cfg_.welcome_text;
  size_t need, room;
  if (!login_.page_fits(&need, &room)) {
    logf(Level::Fatal, "the login page's words (--welcome-text, --i18n, --app-name) are too long: the page could need "
         "%zu bytes, and has %zu", need, room);
    return config::kExitConfig;
  }
  return 0;
}

// The middleware vector, in the order of docs/ARCHITECTURE.md, and the
// WebSocket route table.  Every context is typed; the vector reads them,
// never writes them.
int Server::build_routes() {
  port_proxy_.enabled = !cfg_.disable_proxy;
  port_proxy_.skip_preflight = cfg_.skip_auth_preflight;
  port_proxy_.abs_base = cfg_.abs_proxy_base_path;
  port_proxy_.domains = &cfg_.proxy_domains;
  port_proxy_.login = &login_;
  login_.proxy_domains = &cfg_.proxy_domains;
  port_proxy_.self_port = sys::loopback_port(listener_.fd());
  vscode_.session_cookie = login_.cookie;
  vscode_.missing = cfg_.vscode_missing;
  if (vscode_.target != nullptr) {
    last_opened_.file = cfg_.user_data_dir + "/coder.json";
    char abs[4096];
    if (!cfg_.folder.empty()) last_opened_.folder = realpath(cfg_.folder.c_str(), abs) ? abs : cfg_.folder;
    last_opened_.ignore = cfg_.ignore_last_opened;
    last_opened_.clock = &loop_.clock();
  }

  // The CA page answers over plain HTTP too, before the redirect to https.
  bool ok = chain_.use<routes::ca_page>("ca", ca_page_) && chain_.use<routes::https_redirect>("https", https_) &&
            chain_.use<routes::well_known>("well-known", static_) &&
            chain_.use<routes::port_proxy>("port-proxy", port_proxy_) &&
            chain_.use<routes::code_server_static>("code-server-static", code_server_) &&
            chain_.use<routes::static_files>("static", static_) &&
            chain_.use<routes::health>("healthz", health_) &&
            chain_.use<routes::manifest>("manifest", code_server_) &&
            chain_.use<routes::login, routes::login_body_limit>("login", login_) &&
            chain_.use<routes::logout>("logout", login_) &&
            chain_.use<routes::guard>("guard", login_) &&
            chain_.use<routes::update_check>("update-check", code_server_) &&
            chain_.use<routes::last_opened>("last-opened", last_opened_) &&
            chain_.use<routes::vscode_files>("vscode-files", vscode_files_) &&
            chain_.use<routes::mint_key>("mint-key", cfg_.user_data_dir) &&
            chain_.use<routes::vscode>("vscode", vscode_);
  // A proxy domain takes every path of its hosts, so the port proxies come
  // first, as in code-server.  /healthz has no policy: it reveals nothing
  // and monitors connect from anywhere.  Every other upgrade belongs to the
  // VS Code server, for a logged-in browser on this site only.
  routes::Policy browser{&cfg_.trusted_origins, &login_};
  ok = ok && ws_routes_.add("port-proxy", port_proxy_, browser);
  ok = ok && ws_routes_.add("healthz", health_socket_, routes::Policy{});
  ok = ok && ws_routes_.add("vscode", vscode_, browser);
  if (!ok || site_.error_template.empty() || login_.page.empty()) {
    logf(Level::Fatal, "routes could not be built");
    return config::kExitBug;
  }
  return 0;
}

int Server::start() {
  // The data directory holds the session key and a bare --cert's pair;
  // without either (--auth none, a read-only root) it is not needed, and
  // only the heartbeat file is given up.
  bool data = true;
  if (!base::make_dirs(cfg_.data_dir)) {
    bool needed = cfg_.auth == config::Config::Auth::Password || cfg_.cert_self_signed;
    logf(needed ? Level::Fatal : Level::Warn, "data-dir %s: %s%s%s", cfg_.data_dir.c_str(), strerror(errno),
         config::home_hint(cfg_.data_dir).c_str(), needed ? "" : "; not needed with --auth none, no heartbeat file");
    if (needed) return config::kExitSystem;
    data = false;
  }
  if (int rc = start_auth(); rc != 0) return rc;
  if (int rc = start_vscode(); rc != 0) return rc;
  if (int rc = load_tls(); rc != 0) return rc;
  if (int rc = load_login_text(); rc != 0) return rc;
  if (int rc = build_routes(); rc != 0) return rc;
  if (data) heart_.file = cfg_.data_dir + "/heartbeat";
  arm_heart_check();

  if (!listener_.start(&loop_, this)) {
    logf(Level::Fatal, "epoll_ctl for %.*s: %s", static_cast<int>(listener_.address().size()),
         listener_.address().data(), strerror(errno));
    return config::kExitSystem;
  }
  std::string_view addr = listener_.address();
  logf(Level::Info, "listening on %s%.*s", addr.substr(0, 5) == "unix:" ? "" : tls_on_ ? "https://" : "http://",
       static_cast<int>(addr.size()), addr.data());
  if (cfg_.ready_fd >= 0 && !sys::notify_ready(cfg_.ready_fd, addr)) {
    logf(Level::Warn, "ready-fd %d: %s", cfg_.ready_fd, strerror(errno));
  }
  return 0;
}

int Server::run() {
  loop_.run();
  checks_.stop();
  listener_.close();
  if (vscode_.supervisor != nullptr) supervisor_.stop(5000);
  logf(Level::Info, "stopped");
  return config::kExitOk;
}

void Server::on_accept(int fd, std::string_view peer) {
  reactor::Conn* c = loop_.open(fd);
  if (c == nullptr) {
    ssize_t w = send(fd, kFull, sizeof kFull - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w;
    close(fd);
    if (full_log_.allow(loop_.clock().now_ms())) {
      logf(Level::Warn, "%.*s: refused: all %zu connections in use", static_cast<int>(peer.size()), peer.data(),
           max_conns_);
    }
    return;
  }
  c->set_peer(peer);
  if (c->closed()) return;
  if (tls_on_) first_byte_.adopt(*c);
  else http_.adopt(*c);
}

reactor::Flow Server::on_request(reactor::Conn& c, const http::Request& req, http::Response& resp) {
  heart_.beat(req);
  // A verdict is for the held request alone, the first one replay() runs:
  // the requests pipelined after it on the same connection come with none.
  routes::Exchange ex(req, resp, c.id(), replay_verdict_);
  replay_verdict_ = routes::Verdict::None;
  if (chain_.run(ex) != routes::Outcome::Forward) return reactor::Flow::Keep;
  const routes::Forward& f = ex.forward;
  if (f.vscode != nullptr && f.vscode->starting()) {
    http::render_error(&req, resp, site_, 503, "VS Code is starting; this page tries again by itself.", "", 1);
  } else {
    (void)proxy_.start(c, req, resp, target_of(f), f.rules);  // on false, resp holds the error page
  }
  return reactor::Flow::Keep;
}

reactor::Flow Server::on_upgrade(reactor::Conn& c, const http::Request& req, size_t head_len) {
  heart_.beat(req);
  routes::Upgrade up = ws_routes_.decide(req);
  if (up.to == routes::Upgrade::To::Refused) return http_.reject(c, up.status);
  ws::Handshake hs;
  if (int status = ws::validate(req, &hs)) {
    return http_.reject(c, status, status == 426 ? "Sec-WebSocket-Version: 13" : "");
  }
  if (up.to == routes::Upgrade::To::Health) {
    // The head is done with; the bytes after it are handed to the endpoint,
    // which may find a first frame among them.
    c.consume(head_len);
    http_.release(c);
    return health_ws_.adopt(c, hs);
  }
  const routes::Forward& f = up.forward;
  if (f.vscode != nullptr && f.vscode->starting()) return http_.reject(c, 503);
  return tunnel_.start(c, req, head_len, target_of(f), f.rules);
}

const proxy::Target& Server::target_of(const routes::Forward& f) {
  return f.target != nullptr ? *f.target : *ports_.get(f.port);
}

void Server::on_signal(int signo) {
  if (signo == SIGCHLD) {
    supervisor_.reap();
    return;
  }
  if (signo == SIGHUP) {
    reload_tls();
    return;
  }
  if (draining_) {
    logf(Level::Info, "%s again: closing %zu connections now", strsignal(signo), loop_.conns());
    loop_.for_each_conn([](reactor::Conn& c) { c.close("forced shutdown"); });
    return;
  }
  logf(Level::Info, "%s: draining %zu connections", strsignal(signo), loop_.conns());
  begin_drain();
}

void Server::begin_drain() {
  draining_ = true;
  listener_.close();
  loop_.for_each_conn([](reactor::Conn& c) { c.handler()->on_drain(c); });
  loop_.arm(&drain_alarm_, loop_.clock().now_ms() + static_cast<int64_t>(cfg_.drain_timeout) * 1000);
  loop_.stop_when_empty();
}

// code-server's rule: a connection still open when the minute is up is
// activity (a tab left open keeps its WebSocket); with none, the idle time
// runs from the last beat or the last connection's close, whichever came
// later, and --idle-timeout-seconds after it portico ends as on SIGTERM,
// with status 0.  Unlike code-server's, the timeout counts from the last
// activity, not from the next minute's check after it (found by an
// adversarial review: counted from the check alone, a connection closed
// just before it left almost no time).
void Server::heart_check(void* self) {
  auto* s = static_cast<Server*>(self);
  if (s->draining_) return;
  if (s->loop_.conns() > 0) s->heart_.beat();
  int64_t idle = s->loop_.clock().now_ms() - s->last_activity_ms();
  if (s->cfg_.idle_timeout != 0 && idle >= static_cast<int64_t>(s->cfg_.idle_timeout) * 1000) {
    logf(Level::Info, "idle timeout of %u seconds exceeded: stopping", s->cfg_.idle_timeout);
    s->begin_drain();
    return;
  }
  s->arm_heart_check();
}

// Next look: a minute after the last beat (a beat since the last look
// moved it on), each minute once that has passed, and at the idle deadline
// if that comes first.
void Server::arm_heart_check() {
  int64_t now = loop_.clock().now_ms(), active = last_activity_ms();
  int64_t at = active + routes::Heart::kAliveMs;
  if (at <= now) at = now + routes::Heart::kAliveMs;
  if (cfg_.idle_timeout != 0) at = std::min(at, active + static_cast<int64_t>(cfg_.idle_timeout) * 1000);
  loop_.arm(&heart_alarm_, std::max(at, now + 1));
}

void Server::drain_expired(void* self) {
  auto* s = static_cast<Server*>(self);
  logf(Level::Warn, "drain timeout: closing %zu connections", s->loop_.conns());
  s->loop_.for_each_conn([](reactor::Conn& c) { c.close("drain timeout"); });
}
