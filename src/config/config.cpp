// SPDX-License-Identifier: MIT
#include "config/config.h"

#include <arpa/inet.h>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"

namespace config {
namespace {

struct Arg {
  const Option* opt;
  std::string_view value;
  std::string_view spelled;   // as typed, for messages
};

bool usage_error(Error* err, std::string msg) {
  err->status = kExitUsage;
  err->message = std::move(msg);
  return false;
}

// Splits argv into (option, value) pairs; applies nothing yet, so --config
// can be found before the file it names is read.
bool scan_argv(int argc, char** argv, std::vector<Arg>* out, Error* err) {
  bool folder_seen = false;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "-h") a = "--help";
    if (a == "-v") a = "--version";
    if (a.substr(0, 2) != "--" || a.size() == 2) {
      // One folder to open, as code-server takes it.
      if (a.empty() || a.front() == '-' || folder_seen) {
        return usage_error(err, "unexpected argument '" + std::string(a) + "' (see --help)");
      }
      folder_seen = true;
      out->push_back({nullptr, a, a});
      continue;
    }
    std::string_view name = a.substr(2), value;
    size_t eq = name.find('=');
    bool inline_value = eq != std::string_view::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Option* o = find_option(name);
    if (o == nullptr) return usage_error(err, "unknown option --" + std::string(name) + " (see --help)");
    if (o->scope == Option::Scope::ConfigFile) {
      // Anyone on the machine can read another process's argv.
      return usage_error(err, "--" + std::string(name) + " is refused on the command line: use the config file or the environment");
    }
    if (o->arg == nullptr && inline_value) return usage_error(err, "--" + std::string(name) + " takes no value");
    if (o->arg != nullptr && o->arg[0] == '[' && !inline_value) {
      // As code-server: the next argument is the value unless it looks like a flag.
      bool has = i + 1 < argc && argv[i + 1][0] != '-';
      value = has ? std::string_view(argv[++i]) : std::string_view("true");
    } else if (o->arg != nullptr && !inline_value) {
      if (i + 1 >= argc) return usage_error(err, "--" + std::string(name) + " needs a value (" + o->arg + ")");
      value = argv[++i];
    }
    out->push_back({o, value, a});
  }
  return true;
}

std::string default_config_path() {
  if (const char* p = getenv("PORTICO_CONFIG"); p != nullptr && *p) return p;
  if (const char* p = getenv("CODE_SERVER_CONFIG"); p != nullptr && *p) return p;
  if (const char* x = getenv("XDG_CONFIG_HOME"); x != nullptr && *x) return std::string(x) + "/code-server/config.yaml";
  if (const char* h = getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.config/code-server/config.yaml";
  return {};
}

bool config_error(Error* err, std::string msg) {
  err->status = kExitConfig;
  err->message = std::move(msg);
  return false;
}

bool apply_env(Config* cfg, Error* err) {
  std::string why;
  if (const char* v = getenv("LOG_LEVEL"); v != nullptr && *v && !base::parse_level(v, &cfg->log_level)) {
    return config_error(err, std::string("LOG_LEVEL=") + v + ": expected trace, debug, info, warn or error");
  }
  if (const char* v = getenv("CODE_SERVER_APP_NAME"); v != nullptr && *v) cfg->app_name = v;
  if (const char* v = getenv("CODE_SERVER_COOKIE_SUFFIX"); v != nullptr && *v) find_option("cookie-suffix")->set(*cfg, v, &why);
  if (const char* v = getenv("CS_DISABLE_PROXY"); v != nullptr && (!strcmp(v, "1") || !strcmp(v, "true"))) {
    cfg->disable_proxy = true;
  }
  return true;
}

// PASSWORD and HASHED_PASSWORD win over the config file, as in code-server,
// and leave the environment at once: every child portico starts (the VS Code
// server, its terminals) would inherit them.
void take_secrets_from_env(Config* cfg) {
  if (const char* v = getenv("PASSWORD"); v != nullptr && *v) {
    cfg->password = v;
    cfg->hashed_password.clear();
    cfg->password_source = Config::Source::Environment;
  }
  if (const char* v = getenv("HASHED_PASSWORD"); v != nullptr && *v) {
    cfg->hashed_password = v;
    cfg->password_source = Config::Source::Environment;
  }
  unsetenv("PASSWORD");
  unsetenv("HASHED_PASSWORD");
}

// PORT replaces the port of whatever bind address the other sources chose.
bool apply_port(Config* cfg, Error* err) {
  const char* p = getenv("PORT");
  if (p == nullptr || *p == '\0') return true;
  uint64_t port;
  if (!base::parse_u64(p, 65535, &port)) return config_error(err, std::string("PORT=") + p + ": expected a port number from 0 to 65535");
  std::string_view b = cfg->bind_addr;
  size_t colon = b.rfind(':');
  size_t bracket = b.rfind(']');
  std::string host(colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket) ? b.substr(0, colon) : b);
  cfg->bind_addr = host + ":" + std::to_string(port);
  return true;
}

bool check(Config* cfg, Error* err) {
  std::string why;
  if (!parse_bind(cfg->bind_addr, &cfg->bind, &cfg->bind_len, &why)) return config_error(err, "bind-addr " + cfg->bind_addr + ": " + why);
  if (cfg->socket_mode >= 0 && cfg->socket_path.empty()) return usage_error(err, "--socket-mode needs --socket");
  if (cfg->max_url_size > cfg->max_header_size) cfg->max_url_size = cfg->max_header_size;
  for (int fd : {cfg->ready_fd, cfg->socket_fd}) {
    if (fd >= 0 && fcntl(fd, F_GETFD) < 0) return usage_error(err, "fd " + std::to_string(fd) + " is not open");
  }
  if (cfg->ready_fd >= 0 && cfg->ready_fd <= 2) return usage_error(err, "--ready-fd must not be 0, 1 or 2");
  return true;
}

}  // namespace

bool parse_bind(std::string_view s, sockaddr_storage* ss, socklen_t* len, std::string* why) {
  std::string_view host = s, port = "80";
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return *why = "unclosed '['", false;
    host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return *why = "expected ':' after ']'", false;
      port = rest.substr(1);
    }
  } else if (size_t colon = s.rfind(':'); colon != std::string_view::npos) {
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  uint64_t p;
  if (!base::parse_u64(port, 65535, &p)) return *why = "expected a port number from 0 to 65535", false;
  if (host == "localhost") host = "127.0.0.1";
  std::string h(host);
  memset(ss, 0, sizeof *ss);
  auto* in = reinterpret_cast<sockaddr_in*>(ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, h.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(p));
    *len = sizeof *in;
  } else if (inet_pton(AF_INET6, h.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(p));
    *len = sizeof *in6;
  } else {
    return *why = "'" + h + "' is not a numeric IPv4 or [IPv6] address (host names are not resolved)", false;
  }
  return true;
}

bool load(int argc, char** argv, Config* cfg, Error* err) {
  std::vector<Arg> args;
  if (!scan_argv(argc, argv, &args, err)) return false;
  for (const Arg& a : args) {
    if (a.opt == nullptr) {
      cfg->folder = std::string(a.value);
      continue;
    }
    std::string_view name = a.opt->name;
    if (name == "help") cfg->help = true;
    if (name == "version") cfg->version = true;
  }
  if (cfg->help || cfg->version) return true;
  if (!apply_env(cfg, err)) return false;

  bool explicit_path = false;
  for (const Arg& a : args) {
    if (a.opt != nullptr && std::string_view(a.opt->name) == "config") {
      cfg->config_path = std::string(a.value);
      explicit_path = true;
    }
  }
  std::string path = explicit_path ? cfg->config_path : default_config_path();
  cfg->config_path.clear();
  struct stat st;
  // The default file is optional; a file named by --config or the environment is not.
  bool named = explicit_path || getenv("PORTICO_CONFIG") != nullptr || getenv("CODE_SERVER_CONFIG") != nullptr;
  if (!path.empty() && (named || stat(path.c_str(), &st) == 0)) {
    if (!read_file(path, cfg, err)) return false;
    cfg->config_path = path;
  }

  for (const Arg& a : args) {
    if (a.opt == nullptr || a.opt->reset == nullptr) continue;
    bool first = true;
    for (const Arg& b : args) {
      if (&b == &a) break;
      first = first && b.opt != a.opt;
    }
    if (first) a.opt->reset(*cfg);
  }
  for (const Arg& a : args) {
    std::string why;
    if (a.opt == nullptr) continue;
    if (!a.opt->set(*cfg, a.value, &why)) return usage_error(err, "--" + std::string(a.opt->name) + " " + std::string(a.value) + ": " + why);
  }
  take_secrets_from_env(cfg);
  if (cfg->data_dir.empty()) cfg->data_dir = default_data_dir();
  return apply_port(cfg, err) && check(cfg, err);
}

std::string default_data_dir() {
  if (const char* x = getenv("XDG_DATA_HOME"); x != nullptr && *x) return std::string(x) + "/code-server";
  if (const char* h = getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.local/share/code-server";
  return "/var/lib/portico";
}

void print_usage(FILE* out) {
  fputs("usage: portico [options] [folder]\n"
        "       portico hash-password [--memory KIB] [--passes N] [--lanes N] < password\n\n"
        "VS Code in the browser for small Linux boxes.\n\n"
        "options:\n", out);
  size_t n;
  const Option* opts = options(&n);
  for (size_t i = 0; i < n; i++) {
    if (opts[i].scope == Option::Scope::ConfigFile) continue;
    std::string left = std::string("--") + opts[i].name + (opts[i].arg ? std::string(" ") + opts[i].arg : "");
    fprintf(out, "  %-28s %s\n", left.c_str(), opts[i].help);
  }
  fputs("\nenvironment: PASSWORD, HASHED_PASSWORD, PORT, LOG_LEVEL, CODE_SERVER_APP_NAME,\n"
        "  CODE_SERVER_COOKIE_SUFFIX, CS_DISABLE_PROXY, PORTICO_CONFIG, CODE_SERVER_CONFIG\n"
        "see portico(1) for details and exit statuses\n", out);
}

}  // namespace config
