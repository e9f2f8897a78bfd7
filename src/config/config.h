// SPDX-License-Identifier: MIT
// config — flags, environment and config file, merged into one checked Config.
//
// Sources, weakest first (code-server's order): built-in defaults, the
// environment (LOG_LEVEL, CODE_SERVER_APP_NAME, CODE_SERVER_IDLE_TIMEOUT_SECONDS), the config file, the command
// line; then the host and the port, which follow code-server's own rule (see
// settle_bind in config.cpp: CODE_SERVER_HOST and PORT beat a bind address
// from the file).  The config file uses the same names as the flags
// (code-server's config.yaml: "bind-addr: 127.0.0.1:8080"), and every flag
// of code-server 4.100.3 is accepted: acted on, passed to the VS Code server,
// or ignored with one warning line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

#include "base/log.h"

namespace config {

// Exit statuses, documented in man/portico.1 (skarnet's convention).
enum ExitStatus : int {
  kExitOk = 0,
  kExitUsage = 100,    // bad command line
  kExitBug = 101,      // internal error
  kExitConfig = 102,   // bad config file or environment value
  kExitSystem = 111,   // a system call failed at start (bind, ...)
};

struct Config {
  // Listening: --socket-fd wins over --socket, which wins over --bind-addr.
  std::string bind_addr = "127.0.0.1:8080";
  sockaddr_storage bind{};
  socklen_t bind_len = 0;
  std::string socket_path;
  int socket_mode = -1;            // -1: leave the umask's mode
  int socket_fd = -1;
  int ready_fd = -1;

  std::string config_path;         // the file that was read, if any, or is to be written
  bool config_missing = false;     // config_path does not exist yet: ensure_config writes it
  base::Level log_level = base::Level::Info;
  std::string app_name = "portico";
  std::string static_dir;
  std::vector<std::string> trusted_origins;
  uint64_t ws_max_message = 1 << 20;

  // Authentication.  The secrets come from the environment or the config
  // file only, never from argv (visible to every user through ps).
  enum class Auth : unsigned char { Password, None } auth = Auth::Password;
  std::string password;            // plain text
  std::string hashed_password;     // argon2 PHC string or SHA-256 hex; wins over password
  enum class Source : unsigned char { None, Environment, File, Generated } password_source = Source::None;
  std::string data_dir;            // session key and revocations; default code-server's data dir
  std::string cookie_suffix;       // cookie "code-server-session-<suffix>"
  uint32_t session_lifetime = 7 * 24 * 3600;
  std::vector<std::string> trusted_proxies;
  std::string welcome_text;
  std::string i18n;                // --i18n: a JSON file of the login page's strings (code-server's keys)
  uint32_t idle_timeout = 0;       // --idle-timeout-seconds: exit 0 after this long idle; 0: never
  uint32_t vscode_idle_timeout = 0;  // stop the VS Code server after this long unused; 0: never

  // The VS Code server: one already running, or one portico starts.
  std::string vscode_addr;         // "unix:/path" or "HOST:PORT"
  bool splice = true;              // relay tunnels with splice(2) where it can
  std::string vscode_server;       // a launcher, or a server-main.js run with node
  std::string vscode_root;         // its install, whose files portico answers ("" with --vscode-server: found)
  std::string vscode_package;      // the code-server package it comes from, if any (its /_static/ files)
  bool vscode_missing = false;     // none given, none found: VS Code pages say how to install one
  std::string node = "node";
  std::string cert, cert_key;      // TLS: PEM certificate chain and private key
  bool cert_self_signed = false;   // bare --cert: make (or reuse) one for cert_host
  std::string cert_host = "localhost";
  std::string user_data_dir, extensions_dir;
  std::vector<std::string> vscode_options;  // "flag" or "flag=value", passed as --flag[=value]
  // code-server's flags that its VS Code server implements, in the order
  // given, spelled as the server takes them ("--disable-telemetry",
  // "--locale=de"); see Option::Pass.
  std::vector<std::string> vscode_passed;
  std::string locale;              // --locale: the login page's language, and passed on
  std::string folder;              // the folder (or .code-workspace) to open: the last one named
  bool ignore_last_opened = false;
  bool extension_cli = false;      // --install-extension and the like: run the server's CLI, exit
  std::string host_key, port_key;  // code-server's host: and port: (config.cpp settle_bind)

  // The box's own web apps: /proxy/<port>, /absproxy/<port>, proxy domains.
  std::vector<std::string> proxy_domains;  // templates, as code-server normalises them
  bool disable_proxy = false;
  bool skip_auth_preflight = false;
  std::string abs_proxy_base_path;   // "" or "/a/b": a leading slash, none at the end

  uint32_t max_connections = 1024;
  uint32_t max_header_size = 16384;
  uint32_t max_url_size = 8192;
  uint32_t max_headers = 100;
  uint32_t header_timeout = 10;     // seconds
  uint32_t keepalive_timeout = 60;
  uint32_t io_timeout = 60;
  uint32_t drain_timeout = 10;

  bool help = false;
  bool version = false;
  bool json = false;               // --version --json
  std::vector<std::string> warnings;   // logged once the log level is known
};

struct Error {
  int status = kExitOk;
  std::string message;   // one line, naming the flag, key or variable
};

// Fills `cfg` from argv, the environment and the config file.  False with
// `err` set on any bad input; nothing is half-applied that matters then.
bool load(int argc, char** argv, Config* cfg, Error* err);

// The usage text; its flag list is what the man page is checked against.
void print_usage(FILE* out);

// "HOST:PORT", "[V6]:PORT", or "HOST" (port 80, as code-server).  A numeric
// address, "localhost", or a name in `hosts` (/etc/hosts): a static binary
// has no NSS, and a server must not wait on DNS to start.
bool parse_bind(std::string_view s, sockaddr_storage* ss, socklen_t* len, std::string* why,
                const char* hosts = "/etc/hosts");
// The first address /etc/hosts-format `file` gives `name` (case-insensitive).
bool hosts_lookup(const char* file, std::string_view name, std::string* addr);

// --- shared by the command line and the config file (config/option.cpp)
struct Option {
  const char* name;        // without "--"
  const char* arg;         // metavariable, or nullptr for a flag without value;
                           // "[FILE]": the value may be left out (code-server's
                           // optional strings), and then is "true"
  const char* help;
  bool (*set)(Config& cfg, std::string_view value, std::string* why);
  // Where it may be given: CommandLine, not a config file key; ConfigFile,
  // a config file key only (secrets), refused on the command line.
  enum class Scope : unsigned char { Anywhere, CommandLine, ConfigFile } scope = Scope::Anywhere;
  // Repeatable options collect values; a command line that gives any
  // replaces the file's list (as code-server), so reset() clears it first.
  void (*reset)(Config& cfg) = nullptr;
  // A code-server flag its VS Code server implements goes to the server as
  // --name (Flag) or --name=value; One keeps the last value, Many each one.
  // `set`, if any, runs too (extension commands set Config::extension_cli).
  enum class Pass : unsigned char { No, Flag, One, Many } pass = Pass::No;
  // A code-server flag portico cannot honour: accepted, and this reason
  // logged once as a warning.
  const char* unsupported = nullptr;
};
// Applies one value of `o` (from argv or the config file); false with `why`.
bool apply_option(Config& cfg, const Option& o, std::string_view value, std::string* why);
// Before the command line's first value of a repeatable option: the file's go.
void reset_option(Config& cfg, const Option& o);
const Option* find_option(std::string_view name);
const Option* options(size_t* count);

// Parses the YAML subset of code-server's config.yaml from `path` and applies
// each key through the option table.
bool read_file(const std::string& path, Config* cfg, Error* err);

// A config file that does not exist yet is written with code-server's
// defaults (bind-addr, auth, a generated password, cert: false; mode 0600),
// as code-server does on first start.  With --auth password and no password
// from any source, an existing file gets a generated one appended.  The
// password used is recorded in cfg.  False with `err` when a password had to
// be written and could not be; a default file that is merely not needed and
// cannot be written is a warning.
bool ensure_config(Config* cfg, Error* err);

// code-server's data directory: $XDG_DATA_HOME/code-server, else
// ~/.local/share/code-server.
std::string default_data_dir();

// For an error on `path`: when it lies under a HOME that belongs to another
// user than the one portico runs as (a supervisor changed the user and
// kept root's HOME), " (HOME ... set HOME ...)"; else "".
std::string home_hint(const std::string& path);

}  // namespace config
