// SPDX-License-Identifier: MIT
// A generated password, as code-server makes one on first start: 24 hex
// digits, written to the config file so that the user can find it there.
// Unlike code-server, the file is made 0600 whether it is new or not.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "config/config.h"

namespace config {
namespace {

bool fail(Error* err, const std::string& what) {
  err->status = kExitSystem;
  err->message = what + ": " + strerror(errno);
  return false;
}

std::string default_path() {
  if (const char* x = getenv("XDG_CONFIG_HOME"); x != nullptr && *x) return std::string(x) + "/code-server/config.yaml";
  if (const char* h = getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.config/code-server/config.yaml";
  return {};
}

}  // namespace

bool ensure_password(Config* cfg, Error* err) {
  if (cfg->auth != Config::Auth::Password || !cfg->password.empty() || !cfg->hashed_password.empty()) return true;
  unsigned char raw[12];
  if (getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw)) return fail(err, "getrandom");
  char pw[25];
  for (size_t i = 0; i < sizeof raw; i++) snprintf(pw + 2 * i, 3, "%02x", raw[i]);
  std::string path = cfg->config_path.empty() ? default_path() : cfg->config_path;
  if (path.empty()) {
    err->status = kExitConfig;
    err->message = "no password set, and no config file to write one to (set HOME or --config)";
    return false;
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0 && !base::make_dirs(path.substr(0, slash))) return fail(err, "mkdir for " + path);
  struct stat st;
  bool fresh = stat(path.c_str(), &st) != 0;
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(err, "open " + path);
  std::string text = fresh ? "bind-addr: " + cfg->bind_addr + "\nauth: password\n" : "\n";
  text += "password: " + std::string(pw) + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fchmod(fd, 0600) == 0;
  int saved = errno;
  close(fd);
  errno = saved;
  if (!ok) return fail(err, "write " + path);
  cfg->password = pw;
  cfg->password_source = Config::Source::Generated;
  cfg->config_path = path;
  return true;
}

}  // namespace config
