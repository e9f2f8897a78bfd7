// SPDX-License-Identifier: MIT
// The config file on first start, as code-server writes it: its defaults and
// a generated password of 24 hex digits, so that the user finds it there.
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

}  // namespace

bool ensure_config(Config* cfg, Error* err) {
  bool need = cfg->auth == Config::Auth::Password && cfg->password.empty() && cfg->hashed_password.empty();
  if (!need && !cfg->config_missing) return true;
  const std::string& path = cfg->config_path;
  if (path.empty()) {
    if (!need) return true;
    err->status = kExitConfig;
    err->message = "no password set, and no config file to write one to (set HOME or --config)";
    return false;
  }
  unsigned char raw[12];
  if (getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw)) return fail(err, "getrandom");
  char pw[25];
  for (size_t i = 0; i < sizeof raw; i++) snprintf(pw + 2 * i, 3, "%02x", raw[i]);
  // code-server's own first file, byte for byte but the password.
  std::string text = cfg->config_missing
                         ? "bind-addr: 127.0.0.1:8080\nauth: password\npassword: " + std::string(pw) + "\ncert: false\n"
                         : "\npassword: " + std::string(pw) + "\n";
  size_t slash = path.rfind('/');
  bool ok = slash == std::string::npos || slash == 0 || base::make_dirs(path.substr(0, slash));
  int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (cfg->config_missing ? O_EXCL : 0);
  int fd = ok ? open(path.c_str(), flags, 0600) : -1;
  ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fchmod(fd, 0600) == 0;
  int saved = errno;
  if (fd >= 0) close(fd);
  errno = saved;
  if (!ok && need) {
    fail(err, "write " + path);
    err->message += home_hint(path);
    return false;
  }
  if (!ok) {
    // Not needed to serve (a password came from elsewhere, or --auth none):
    // a read-only home is no reason to stop.
    cfg->warnings.push_back("config " + path + ": not written (" + std::string(strerror(saved)) + ")");
    return true;
  }
  cfg->config_missing = false;
  if (need) {
    cfg->password = pw;
    cfg->password_source = Config::Source::Generated;
  }
  return true;
}

}  // namespace config
