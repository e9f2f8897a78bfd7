// SPDX-License-Identifier: MIT
// The option table: one row per flag, shared by argv, the config file and
// --help, so the three can never disagree.
#include <algorithm>
#include <cstring>
#include <sys/socket.h>

#include "base/strings.h"
#include "config/config.h"

namespace config {
namespace {

bool number(std::string_view v, uint64_t lo, uint64_t hi, uint64_t* out, std::string* why) {
  if (!base::parse_u64(v, hi, out) || *out < lo) {
    *why = "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    return false;
  }
  return true;
}

template <uint32_t Config::*Field, uint64_t Lo, uint64_t Hi>
bool set_u32(Config& c, std::string_view v, std::string* why) {
  uint64_t n;
  if (!number(v, Lo, Hi, &n, why)) return false;
  c.*Field = static_cast<uint32_t>(n);
  return true;
}

template <int Config::*Field>
bool set_fd(Config& c, std::string_view v, std::string* why) {
  uint64_t n;
  if (!number(v, 0, 65535, &n, why)) return false;
  c.*Field = static_cast<int>(n);
  return true;
}

template <std::string Config::*Field>
bool set_string(Config& c, std::string_view v, std::string* why) {
  if (v.empty()) {
    *why = "expected a value";
    return false;
  }
  c.*Field = std::string(v);
  return true;
}

bool set_bind(Config& c, std::string_view v, std::string* why) {
  sockaddr_storage ss;
  socklen_t len;
  if (!parse_bind(v, &ss, &len, why)) return false;
  c.bind_addr = std::string(v);
  return true;
}

bool set_mode(Config& c, std::string_view v, std::string* why) {
  int mode = 0;
  bool octal = !v.empty() && v.size() <= 4 && v.find_first_not_of("01234567") == std::string_view::npos;
  for (size_t i = 0; octal && i < v.size(); i++) mode = mode * 8 + (v[i] - '0');
  if (!octal || mode > 0777) {
    *why = "expected an octal file mode such as 660";
    return false;
  }
  c.socket_mode = mode;
  return true;
}

bool set_log(Config& c, std::string_view v, std::string* why) {
  if (!base::parse_level(v, &c.log_level)) {
    *why = "expected trace, debug, info, warn or error";
    return false;
  }
  return true;
}

bool add_origin(Config& c, std::string_view v, std::string* why) {
  if (v.empty() || v.find_first_of(" \t/") != std::string_view::npos) {
    *why = "expected host[:port], *.domain or *";
    return false;
  }
  c.trusted_origins.emplace_back(v);
  return true;
}
void reset_origins(Config& c) { c.trusted_origins.clear(); }

bool set_ws_max(Config& c, std::string_view v, std::string* why) {
  return number(v, 125, uint64_t{1} << 40, &c.ws_max_message, why);
}

bool set_auth(Config& c, std::string_view v, std::string* why) {
  if (v == "password") c.auth = Config::Auth::Password;
  else if (v == "none") c.auth = Config::Auth::None;
  else return *why = "expected password or none", false;
  return true;
}

// As code-server: anything but letters, digits and '-' becomes '-'.
bool set_suffix(Config& c, std::string_view v, std::string*) {
  c.cookie_suffix.clear();
  for (char ch : v) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
    c.cookie_suffix += ok ? ch : '-';
  }
  return true;
}

bool set_password(Config& c, std::string_view v, std::string* why) {
  if (!set_string<&Config::password>(c, v, why)) return false;
  c.password_source = Config::Source::File;
  return true;
}

bool set_hashed(Config& c, std::string_view v, std::string* why) {
  if (!set_string<&Config::hashed_password>(c, v, why)) return false;
  c.password_source = Config::Source::File;
  return true;
}

bool add_proxy(Config& c, std::string_view v, std::string* why) {
  sockaddr_storage ss;
  socklen_t len;
  std::string probe = std::string(v.front() == '[' || v.find(':') == std::string_view::npos ? v : "[" + std::string(v) + "]") + ":0";
  if (v.empty() || !parse_bind(probe, &ss, &len, why)) return *why = "expected a numeric IPv4 or IPv6 address", false;
  c.trusted_proxies.emplace_back(v);
  return true;
}
void reset_proxies(Config& c) { c.trusted_proxies.clear(); }

bool set_no_splice(Config& c, std::string_view, std::string*) {
  c.splice = false;
  return true;
}

bool add_vscode_option(Config& c, std::string_view v, std::string* why) {
  if (v.empty() || v.front() == '-') return *why = "expected flag or flag=value, without dashes", false;
  c.vscode_options.emplace_back(v);
  return true;
}
void reset_vscode_options(Config& c) { c.vscode_options.clear(); }

// code-server's cert: a path, "false" (no TLS, what its generated config
// says) or "true" (a self-signed certificate).
bool set_cert(Config& c, std::string_view v, std::string* why) {
  c.cert_self_signed = v == "true";
  if (v == "false" || v == "true") {
    c.cert.clear();
    return true;
  }
  return set_string<&Config::cert>(c, v, why);
}

// The name a bare --cert's certificate is for; it also names its files.
bool set_cert_host(Config& c, std::string_view v, std::string* why) {
  bool ok = !v.empty() && v.size() <= 253 && v.front() != '.' && v.front() != '-';
  for (char ch : v) {
    ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                ch == '.' || ch == ':');
  }
  if (!ok) return *why = "expected a DNS name or an IP address", false;
  c.cert_host = v;
  return true;
}

// code-server's templates: "*." dropped; without {{port}}, "{{port}}." in
// front.  Host names are matched lower-cased, so the template is too.
bool add_proxy_domain(Config& c, std::string_view v, std::string* why) {
  if (v.substr(0, 2) == "*.") v.remove_prefix(2);
  std::string t;
  for (char ch : v) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '.' || ch == '{' || ch == '}' || ch == ':';
    if (!ok) return *why = "expected a domain, with {{port}} and {{host}} where they go", false;
    t += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  if (t.empty() || t == "{{port}}") return *why = "expected a domain", false;
  if (t.find("{{port}}") == std::string::npos) t = "{{port}}." + t;
  // Only the two placeholders, each at most once: matching stays linear.
  std::string rest = t;
  for (const char* ph : {"{{port}}", "{{host}}"}) {
    size_t at = rest.find(ph);
    if (at != std::string::npos) rest.replace(at, 8, "x");
  }
  if (rest.find('{') != std::string::npos || rest.find('}') != std::string::npos) {
    return *why = "only one {{port}} and one {{host}} may appear", false;
  }
  c.proxy_domains.push_back(t);
  return true;
}
void reset_proxy_domains(Config& c) { c.proxy_domains.clear(); }

bool set_abs_base(Config& c, std::string_view v, std::string* why) {
  while (!v.empty() && v.back() == '/') v.remove_suffix(1);
  for (char ch : v) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f || ch == '?' || ch == '#' || ch == '%' || ch == '\\') {
      return *why = "expected a URL path", false;
    }
  }
  c.abs_proxy_base_path = v.empty() || v.front() == '/' ? std::string(v) : "/" + std::string(v);
  return true;
}

bool set_disable_proxy(Config& c, std::string_view, std::string*) { return c.disable_proxy = true; }
bool set_skip_preflight(Config& c, std::string_view, std::string*) { return c.skip_auth_preflight = true; }

bool set_port_key(Config& c, std::string_view v, std::string* why) {
  uint64_t n;
  if (!number(v, 0, 65535, &n, why)) return false;
  c.port_key = std::string(v);
  return true;
}

bool set_seconds_passed(Config&, std::string_view v, std::string* why) {
  uint64_t n;
  return number(v, 0, 31536000, &n, why);
}

bool set_ignore_last(Config& c, std::string_view, std::string*) { return c.ignore_last_opened = true; }
bool set_json(Config& c, std::string_view, std::string*) { return c.json = true; }
bool set_extension_cli(Config& c, std::string_view, std::string*) { return c.extension_cli = true; }

bool set_verbose(Config& c, std::string_view, std::string*) {
  c.log_level = base::Level::Trace;
  return true;
}
bool set_help(Config& c, std::string_view, std::string*) { return c.help = true; }
bool set_version(Config& c, std::string_view, std::string*) { return c.version = true; }
bool set_config(Config& c, std::string_view v, std::string* why) {
  return set_string<&Config::config_path>(c, v, why);
}

using Scope = Option::Scope;
using Pass = Option::Pass;

// A code-server flag its VS Code server implements, passed on (Option::Pass);
// `check`, if any, vets or records the value as well.
constexpr Option passed(const char* name, const char* arg, const char* help, Pass pass,
                        bool (*check)(Config&, std::string_view, std::string*) = nullptr) {
  Option o{name, arg, help, check};
  o.pass = pass;
  return o;
}

// A code-server flag portico accepts and cannot honour: why, once, in the log.
constexpr Option unsupported(const char* name, const char* arg, const char* help, const char* why,
                             Scope scope = Scope::Anywhere) {
  Option o{name, arg, help, nullptr, scope};
  o.unsupported = why;
  return o;
}

constexpr Option kOptions[] = {
    {"abs-proxy-base-path", "PATH", "put PATH in front of the path /absproxy/PORT/... passes on",
     set_abs_base},
    {"app-name", "NAME", "name shown in page titles (default portico)", set_string<&Config::app_name>},
    {"auth", "MODE", "password (default) or none", set_auth},
    {"bind-addr", "HOST:PORT", "address to listen on (default 127.0.0.1:8080)", set_bind},
    {"cert", "[FILE]", "serve TLS (and redirect plain HTTP) with this PEM chain; bare: one from this box's own CA; false: no TLS",
     set_cert},
    {"cert-host", "HOST", "the name or address a bare --cert's certificate is for (default localhost)", set_cert_host},
    {"cert-key", "FILE", "the PEM private key (RSA or EC) of --cert", set_string<&Config::cert_key>},
    {"config", "FILE", "config file (default ~/.config/code-server/config.yaml)", set_config, Scope::CommandLine},
    {"cookie-suffix", "SUFFIX", "name the session cookie code-server-session-SUFFIX", set_suffix},
    {"data-dir", "DIR", "session key and revocations (default ~/.local/share/code-server)",
     set_string<&Config::data_dir>},
    {"extensions-dir", "DIR", "the VS Code server's extensions", set_string<&Config::extensions_dir>},
    {"disable-proxy", nullptr, "refuse /proxy/PORT, /absproxy/PORT and --proxy-domain hosts with 403",
     set_disable_proxy},
    {"drain-timeout", "SECONDS", "on SIGTERM, time given to requests in flight (default 10)",
     set_u32<&Config::drain_timeout, 0, 3600>},
    {"header-timeout", "SECONDS", "time allowed for a whole request head (default 10)",
     set_u32<&Config::header_timeout, 1, 3600>},
    {"hashed-password", "HASH", "", set_hashed, Scope::ConfigFile},
    {"help", nullptr, "print this help and exit", set_help, Scope::CommandLine},
    {"i18n", "FILE", "the login page's strings: a JSON object with code-server's keys (WELCOME, SUBMIT, ...)",
     set_string<&Config::i18n>},
    {"idle-timeout-seconds", "SECONDS", "exit (status 0) after this long without a request or an open connection",
     set_u32<&Config::idle_timeout, 1, 315360000>},
    {"io-timeout", "SECONDS", "time without progress on a body or a response (default 60)",
     set_u32<&Config::io_timeout, 1, 86400>},
    {"keepalive-timeout", "SECONDS", "idle time between requests on a connection (default 60)",
     set_u32<&Config::keepalive_timeout, 1, 86400>},
    {"log", "LEVEL", "trace, debug, info, warn or error (default info)", set_log},
    {"max-connections", "N", "connections served at once (default 1024)",
     set_u32<&Config::max_connections, 1, 1000000>},
    {"max-header-size", "BYTES", "largest request head (default 16384)",
     set_u32<&Config::max_header_size, 1024, 65535>},
    {"max-headers", "N", "most header fields in a request (default 100)",
     set_u32<&Config::max_headers, 1, 1000>},
    {"max-url-size", "BYTES", "longest request target (default 8192)",
     set_u32<&Config::max_url_size, 16, 65535>},
    {"no-splice", nullptr, "relay WebSocket tunnels with read and write instead of splice(2)", set_no_splice},
    {"node", "PATH", "the Node that runs a server-main.js given to --vscode-server (default: node on PATH)",
     set_string<&Config::node>},
    {"password", "PASSWORD", "", set_password, Scope::ConfigFile},
    {"proxy-domain", "DOMAIN", "reach port N of this box at N.DOMAIN, or as a {{port}}/{{host}} template (repeatable)",
     add_proxy_domain, Scope::Anywhere, reset_proxy_domains},
    {"ready-fd", "FD", "write \"listening ADDRESS\" and a newline to FD once ready, then close it",
     set_fd<&Config::ready_fd>},
    {"session-lifetime", "SECONDS", "how long a login lasts (default 604800, a week)",
     set_u32<&Config::session_lifetime, 60, 31536000>},
    {"skip-auth-preflight", nullptr, "let OPTIONS requests reach proxied ports without a login",
     set_skip_preflight},
    {"socket", "PATH", "listen on a unix socket instead of --bind-addr", set_string<&Config::socket_path>},
    {"socket-fd", "FD", "listen on an inherited listening socket", set_fd<&Config::socket_fd>},
    {"socket-mode", "MODE", "octal mode of the --socket file", set_mode},
    {"static-dir", "DIR", "serve /_static/ from DIR instead of the built-in files",
     set_string<&Config::static_dir>},
    {"trusted-origins", "ORIGIN", "also accept WebSockets from ORIGIN: host[:port], *.domain or * (repeatable)",
     add_origin, Scope::Anywhere, reset_origins},
    {"trusted-proxies", "ADDRESS", "believe X-Forwarded-For from this proxy address (repeatable)", add_proxy,
     Scope::Anywhere, reset_proxies},
    {"user-data-dir", "DIR", "the VS Code server's user data (settings, state)", set_string<&Config::user_data_dir>},
    {"verbose", nullptr, "log everything (same as --log trace)", set_verbose},
    {"version", nullptr, "print the version and exit", set_version, Scope::CommandLine},
    {"vscode-option", "OPTION", "pass --OPTION (flag or flag=value) to the VS Code server (repeatable)",
     add_vscode_option, Scope::Anywhere, reset_vscode_options},
    {"vscode-server", "PATH", "start and supervise this VS Code server: a launcher, or server-main.js run with node",
     set_string<&Config::vscode_server>},
    {"vscode-idle-timeout", "SECONDS", "stop the VS Code server (all its processes) after this long unused; 0: never "
     "(default)", set_u32<&Config::vscode_idle_timeout, 0, 315360000>},
    {"vscode-addr", "ADDRESS", "a VS Code server already running: unix:PATH or HOST:PORT",
     set_string<&Config::vscode_addr>},
    {"vscode-root", "DIR", "answer the VS Code server's own files from its install DIR (found for --vscode-server)",
     set_string<&Config::vscode_root>},
    {"welcome-text", "TEXT", "heading of the login page", set_string<&Config::welcome_text>},
    {"ws-max-message", "BYTES", "largest WebSocket message portico's own endpoints accept (default 1048576)",
     set_ws_max},

    // code-server's flags: what its VS Code server implements is passed on,
    // as code-server passes it (its routes/vscode.ts hands the server its
    // whole argument object; server-main.js reads these).
    passed("builtin-extensions-dir", "DIR", "the VS Code server's built-in extensions", Pass::One),
    passed("category", "CATEGORY", "with --list-extensions: only this category", Pass::One),
    passed("disable-file-downloads", nullptr, "the workbench offers no file downloads (also CS_DISABLE_FILE_DOWNLOADS)",
           Pass::Flag),
    passed("disable-file-uploads", nullptr, "the workbench offers no file uploads", Pass::Flag),
    passed("disable-getting-started-override", nullptr,
           "VS Code's own Getting Started page (also CS_DISABLE_GETTING_STARTED_OVERRIDE)", Pass::Flag),
    passed("disable-telemetry", nullptr, "the VS Code server sends no telemetry", Pass::Flag),
    passed("disable-update-check", nullptr, "the workbench does not ask /update/check", Pass::Flag),
    passed("disable-workspace-trust", nullptr, "no workspace trust prompts", Pass::Flag),
    passed("enable-proposed-api", "EXTENSION", "let EXTENSION use proposed APIs (repeatable)", Pass::Many),
    passed("force", nullptr, "with --install-extension: update or downgrade without asking", Pass::Flag),
    passed("install-extension", "ID|VSIX", "install an extension into --extensions-dir and exit (repeatable)",
           Pass::Many, set_extension_cli),
    passed("link-protection-trusted-domains", "DOMAIN", "open links to DOMAIN without asking (repeatable)",
           Pass::Many),
    passed("list-extensions", nullptr, "list the installed extensions and exit", Pass::Flag, set_extension_cli),
    passed("locale", "LOCALE", "the workbench's and the login page's language (an installed language pack)",
           Pass::One, set_string<&Config::locale>),
    passed("locate-extension", "ID", "print where extension ID is installed and exit (repeatable)", Pass::Many,
           set_extension_cli),
    passed("reconnection-grace-time", "SECONDS", "how long the VS Code server keeps a lost client's state",
           Pass::One, set_seconds_passed),
    passed("show-versions", nullptr, "with --list-extensions: the versions too", Pass::Flag),
    passed("uninstall-extension", "ID", "remove an installed extension and exit (repeatable)", Pass::Many,
           set_extension_cli),
    {"host", "HOST", "code-server's host: the address part of --bind-addr", set_string<&Config::host_key>},
    {"port", "PORT", "code-server's port: the port part of --bind-addr", set_port_key},
    {"ignore-last-opened", nullptr, "open the folder given, not the one last opened (-e)", set_ignore_last},
    {"json", nullptr, "with --version: print it as JSON", set_json, Scope::CommandLine},
    unsupported("enable", "FEATURE", "code-server's experimental features", "no feature of code-server's to enable"),
    unsupported("github-auth", "TOKEN", "", "not passed on: a token in the VS Code server's arguments would show in ps, "
                "and a built VS Code server ignores it (as under code-server)", Scope::ConfigFile),
    unsupported("new-window", nullptr, "code-server: open in a new window of a running instance (-n)",
                "portico does not hand paths to a running instance; this one serves"),
    unsupported("open", nullptr, "code-server: open a browser once listening",
                "portico does not start a browser (it runs on a box without one); open the address it logs"),
    unsupported("reuse-window", nullptr, "code-server: open in a window of a running instance (-r)",
                "portico does not hand paths to a running instance; this one serves"),
    unsupported("session-socket", "PATH", "code-server's session registry socket",
                "portico keeps no session registry (code-server's -r and -n)"),
};

}  // namespace

const Option* options(size_t* count) {
  *count = sizeof kOptions / sizeof kOptions[0];
  return kOptions;
}

const Option* find_option(std::string_view name) {
  for (const Option& o : kOptions) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

bool apply_option(Config& c, const Option& o, std::string_view v, std::string* why) {
  std::string flag = "--" + std::string(o.name);
  if (o.unsupported != nullptr) {
    std::string w = flag + ": " + o.unsupported + "; ignored";
    if (std::find(c.warnings.begin(), c.warnings.end(), w) == c.warnings.end()) c.warnings.push_back(w);
    return true;
  }
  if (o.set != nullptr && !o.set(c, v, why)) return false;
  std::vector<std::string>& out = c.vscode_passed;
  switch (o.pass) {
    case Pass::No:
      break;
    case Pass::Flag:
      if (std::find(out.begin(), out.end(), flag) == out.end()) out.push_back(flag);
      break;
    case Pass::One:
      reset_option(c, o);
      [[fallthrough]];
    case Pass::Many:
      if (v.empty()) return *why = "expected a value", false;
      out.push_back(flag + "=" + std::string(v));
      break;
  }
  return true;
}

void reset_option(Config& c, const Option& o) {
  if (o.reset != nullptr) o.reset(c);
  if (o.pass != Pass::Many && o.pass != Pass::One) return;
  std::string prefix = "--" + std::string(o.name) + "=";
  auto& v = c.vscode_passed;
  v.erase(std::remove_if(v.begin(), v.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; }), v.end());
}

}  // namespace config
