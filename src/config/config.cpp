// SPDX-License-Identifier: MIT
#include "config/config.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
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

// code-server's short flags: whole words, never combined ("-vvv" is one).
struct Short {
  std::string_view letters, name;
};
constexpr Short kShort[] = {{"h", "help"},     {"v", "version"},     {"vvv", "verbose"},  {"e", "ignore-last-opened"},
                            {"r", "reuse-window"}, {"n", "new-window"}, {"w", "welcome-text"}, {"an", "app-name"}};

// Splits argv into (option, value) pairs; applies nothing yet, so --config
// can be found before the file it names is read.  As code-server: several
// folders (the last is opened), "--" ends the options, "--flag=value" and
// "--option value" both work.
bool scan_argv(int argc, char** argv, std::vector<Arg>* out, std::vector<std::string>* warnings, Error* err) {
  bool ended = false;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (!ended && a == "--") {
      ended = true;
      continue;
    }
    if (ended || a.empty() || a.front() != '-') {
      out->push_back({nullptr, a, a});
      continue;
    }
    std::string_view name, value;
    bool inline_value = false;
    if (a.substr(0, 2) == "--") {
      name = a.substr(2);
      size_t eq = name.find('=');
      inline_value = eq != std::string_view::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
    } else {
      for (const Short& s : kShort) {
        if (a.substr(1) == s.letters) name = s.name;
      }
      if (name.empty()) return usage_error(err, "unknown option " + std::string(a) + " (see --help)");
    }
    const Option* o = find_option(name);
    if (o == nullptr) return usage_error(err, "unknown option --" + std::string(name) + " (see --help)");
    if (o->scope == Option::Scope::ConfigFile) {
      // Anyone on the machine can read another process's argv.
      return usage_error(err, "--" + std::string(name) + " is refused on the command line: use the config file or the environment");
    }
    if (o->arg == nullptr && inline_value) {
      // code-server ignores a flag's value (--open=false opens); portico
      // reads true and false, and turns anything else on, saying so.
      if (value == "false") continue;
      if (value != "true") warnings->push_back(std::string(a) + ": a flag takes no value; read as --" + std::string(name));
    } else if (o->arg != nullptr && o->arg[0] == '[' && !inline_value) {
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
  // systemd's socket activation (sd_listen_fds(3)): the first socket passed
  // is fd 3; the variables are for this process alone, not its children.
  const char* pid = getenv("LISTEN_PID");
  const char* fds = getenv("LISTEN_FDS");
  if (pid != nullptr && fds != nullptr && std::to_string(getpid()) == pid && atoi(fds) >= 1) {
    cfg->socket_fd = 3;
    if (atoi(fds) > 1) cfg->warnings.push_back(std::string("LISTEN_FDS=") + fds + ": only the first socket (fd 3) is served");
  }
  for (const char* v : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}) unsetenv(v);
  if (const char* v = getenv("CODE_SERVER_IDLE_TIMEOUT_SECONDS"); v != nullptr && *v &&
      !find_option("idle-timeout-seconds")->set(*cfg, v, &why)) {
    return config_error(err, std::string("CODE_SERVER_IDLE_TIMEOUT_SECONDS=") + v + ": " + why);
  }
  return true;
}

// code-server's switches from the environment: "1" or "true" turns one on,
// after the file and the command line (they can only add).
void apply_env_switches(Config* cfg) {
  for (const char* name : {"CS_DISABLE_PROXY", "CS_DISABLE_FILE_DOWNLOADS", "CS_DISABLE_GETTING_STARTED_OVERRIDE"}) {
    const char* v = getenv(name);
    if (v == nullptr || (strcmp(v, "1") != 0 && strcmp(v, "true") != 0)) continue;
    std::string flag(name + 3);   // DISABLE_PROXY → disable-proxy
    for (char& c : flag) c = c == '_' ? '-' : base::ascii_lower(c);
    std::string why;
    apply_option(*cfg, *find_option(flag), "true", &why);
  }
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
  if (const char* v = getenv("GITHUB_TOKEN"); v != nullptr && *v) {
    std::string why;
    apply_option(*cfg, *find_option("github-auth"), v, &why);
  }
  unsetenv("PASSWORD");
  unsetenv("HASHED_PASSWORD");
  unsetenv("GITHUB_TOKEN");
}

// The address, by code-server's rule (cli.ts bindAddrFromAllSources): from
// 127.0.0.1:8080, a pass over the file's values, then one over the command
// line's; each pass takes its bind-addr whole, then CODE_SERVER_HOST, its
// host:, PORT, its port:, each replacing one part.  So PORT beats the
// file's port: but not the command line's --port.
struct Sources {
  std::string bind, host, port;   // one pass's values, "" when not given
};

bool settle_bind(Config* cfg, const Sources (&passes)[2], Error* err) {
  const char* env_host = getenv("CODE_SERVER_HOST");
  const char* env_port = getenv("PORT");
  uint64_t n;
  if (env_port != nullptr && *env_port && !base::parse_u64(env_port, 65535, &n)) {
    return config_error(err, std::string("PORT=") + env_port + ": expected a port number from 0 to 65535");
  }
  std::string host = "127.0.0.1", port = "8080";
  for (const Sources& s : passes) {
    if (!s.bind.empty()) {
      std::string_view b = s.bind;
      size_t colon = b.rfind(':');
      size_t bracket = b.rfind(']');
      bool has_port = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket) &&
                      (b.front() == '[' || b.find(':') == colon);
      host = std::string(has_port ? b.substr(0, colon) : b);
      port = has_port ? std::string(b.substr(colon + 1)) : "80";
    }
    if (env_host != nullptr && *env_host) host = env_host;
    if (!s.host.empty()) host = s.host;
    if (env_port != nullptr && *env_port) port = env_port;
    if (!s.port.empty()) port = s.port;
  }
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  cfg->bind_addr = (v6 ? "[" + host + "]" : host) + ":" + port;
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

bool hosts_lookup(const char* file, std::string_view name, std::string* addr) {
  FILE* f = fopen(file, "re");
  if (f == nullptr) return false;
  char line[1024];
  bool found = false;
  while (!found && fgets(line, sizeof line, f) != nullptr) {
    std::string_view l = line;
    l = l.substr(0, l.find_first_of("#\n"));
    std::string_view first;
    for (size_t i = 0; !found && i < l.size();) {
      size_t start = l.find_first_not_of(" \t", i);
      if (start == std::string_view::npos) break;
      size_t end = l.find_first_of(" \t", start);
      std::string_view word = l.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (first.empty()) first = word;
      else if (base::ieq(word, name)) found = true;
      i = end == std::string_view::npos ? l.size() : end;
    }
    if (found) *addr = std::string(first);
  }
  fclose(f);
  return found;
}

bool parse_bind(std::string_view s, sockaddr_storage* ss, socklen_t* len, std::string* why, const char* hosts) {
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
  std::string h(host), listed;
  auto numeric = [&](const std::string& a) {
    in_addr a4;
    in6_addr a6;
    return inet_pton(AF_INET, a.c_str(), &a4) == 1 || inet_pton(AF_INET6, a.c_str(), &a6) == 1;
  };
  if (!numeric(h) && hosts != nullptr && hosts_lookup(hosts, h, &listed) && numeric(listed)) h = listed;
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
    return *why = "'" + h + "' is neither a numeric IPv4 or [IPv6] address nor a name in " + (hosts ? hosts : "/etc/hosts") +
                  " (portico asks no DNS server: a server must start without one)", false;
  }
  return true;
}

bool load(int argc, char** argv, Config* cfg, Error* err) {
  std::vector<Arg> args;
  if (!scan_argv(argc, argv, &args, &cfg->warnings, err)) return false;
  for (const Arg& a : args) {
    if (a.opt == nullptr) {
      cfg->folder = std::string(a.value);   // code-server opens the last one
      continue;
    }
    std::string_view name = a.opt->name;
    if (name == "help") cfg->help = true;
    if (name == "version") cfg->version = true;
    if (name == "json") cfg->json = true;
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
  cfg->config_path = path;
  Sources passes[2];
  struct stat st;
  cfg->bind_addr.clear();
  if (!path.empty() && stat(path.c_str(), &st) == 0) {
    if (!read_file(path, cfg, err)) return false;
  } else if (!path.empty() && errno != ENOENT) {
    return config_error(err, "config " + path + ": " + strerror(errno) + home_hint(path));
  } else {
    cfg->config_missing = !path.empty();   // written with code-server's defaults once portico is up
  }
  passes[0] = {cfg->bind_addr, cfg->host_key, cfg->port_key};
  cfg->bind_addr.clear();
  cfg->host_key.clear();
  cfg->port_key.clear();

  for (const Arg& a : args) {
    if (a.opt == nullptr) continue;
    bool first = true;
    for (const Arg& b : args) {
      if (&b == &a) break;
      first = first && b.opt != a.opt;
    }
    if (first) reset_option(*cfg, *a.opt);
  }
  for (const Arg& a : args) {
    std::string why;
    if (a.opt == nullptr) continue;
    if (!apply_option(*cfg, *a.opt, a.value, &why)) {
      return usage_error(err, "--" + std::string(a.opt->name) + " " + std::string(a.value) + ": " + why);
    }
  }
  passes[1] = {cfg->bind_addr, cfg->host_key, cfg->port_key};
  apply_env_switches(cfg);
  take_secrets_from_env(cfg);
  if (cfg->data_dir.empty()) cfg->data_dir = default_data_dir();
  // code-server's folders: its data directory for the VS Code server's
  // settings and extensions, so they carry over both ways.
  if (cfg->user_data_dir.empty()) cfg->user_data_dir = default_data_dir();
  if (cfg->extensions_dir.empty()) cfg->extensions_dir = cfg->user_data_dir + "/extensions";
  return settle_bind(cfg, passes, err) && check(cfg, err);
}

std::string home_hint(const std::string& path) {
  const char* home = getenv("HOME");
  struct stat st;
  if (home == nullptr || *home == '\0' || path.compare(0, strlen(home), home) != 0 || stat(home, &st) != 0 ||
      st.st_uid == geteuid()) {
    return "";
  }
  return std::string(" (HOME is ") + home + ", which belongs to uid " + std::to_string(st.st_uid) +
         ", and portico runs as uid " + std::to_string(geteuid()) +
         ": set HOME for this user, as the EXAMPLES of portico(1) do)";
}

std::string default_data_dir() {
  if (const char* x = getenv("XDG_DATA_HOME"); x != nullptr && *x) return std::string(x) + "/code-server";
  if (const char* h = getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.local/share/code-server";
  return "/var/lib/portico";
}

void print_usage(FILE* out) {
  fputs("usage: portico [options] [folder ...]\n"
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
  fputs("\nshort flags: -h -v -vvv -e -r -n -w TEXT -an NAME (code-server's); -- ends the options\n"
        "environment: PASSWORD, HASHED_PASSWORD, GITHUB_TOKEN, PORT, CODE_SERVER_HOST, LOG_LEVEL,\n"
        "  CODE_SERVER_APP_NAME, CODE_SERVER_COOKIE_SUFFIX, CS_DISABLE_PROXY, CS_DISABLE_FILE_DOWNLOADS,\n"
        "  CODE_SERVER_IDLE_TIMEOUT_SECONDS, CS_DISABLE_GETTING_STARTED_OVERRIDE, PORTICO_CONFIG,\n"
        "  CODE_SERVER_CONFIG\n"
        "see portico(1) for details and exit statuses\n", out);
}

}  // namespace config
