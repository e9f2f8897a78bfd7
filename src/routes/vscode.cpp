// SPDX-License-Identifier: MIT
#include "routes/vscode.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "base/writer.h"

namespace routes {

Outcome mint_key(const std::string& user_data_dir, Exchange& ex) {
  if (!at_root_or_vscode(ex.req.path, "/mint-key")) return Outcome::Next;
  if (ex.req.method != "POST") {
    ex.allow = "POST";
    return fail(ex, 405, "Method Not Allowed");
  }
  // As code-server: the file's bytes, whatever their number, once it is
  // there; 32 random ones, kept, on the first call.
  std::string path = user_data_dir + "/serve-web-key-half", key;
  bool found = base::read_small(path, 1024, &key);
  bool ok = found && !key.empty();
  if (!found && errno == ENOENT) {
    // First call: make it, and keep it (O_EXCL: a concurrent maker wins).
    key.resize(32);
    ok = getrandom(&key[0], key.size(), 0) == static_cast<ssize_t>(key.size());
    ok = ok && base::make_dirs(user_data_dir);   // with --vscode-addr, nothing may have made it yet
    int fd = ok ? open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
    ok = fd >= 0 && write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
    if (fd >= 0) close(fd);
  }
  if (!ok) {
    base::logf(base::Level::Error, "mint-key: %s: %s", path.c_str(), found ? "empty" : base::read_error());
    return fail(ex, 500, "the key could not be read or stored");
  }
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", "no-store");
  ex.resp.send("application/octet-stream", key);
  return Outcome::Done;
}

bool VsCode::starting() const {
  if (supervisor == nullptr) return false;
  supervisor->want();
  return supervisor->state() != backend::Supervisor::State::Ready;
}

Forward VsCode::forward(const http::Request& req) const {
  Forward f;
  f.target = target;
  f.vscode = this;
  f.rules.session_cookie = session_cookie;
  std::string_view path = req.path;
  if (path == "/vscode" || path.substr(0, 8) == "/vscode/") f.rules.strip_prefix = "/vscode";
  return f;
}

bool VsCode::route(const http::Request& req, Upgrade* up) const {
  if (target == nullptr) return false;
  up->to = Upgrade::To::Backend;
  up->status = 0;
  up->forward = forward(req);
  return true;
}

Outcome vscode(const VsCode& v, Exchange& ex) {
  if (v.target == nullptr && v.missing) {
    return fail(ex, 503, "No VS Code server is installed here. Install code-server (its Debian package, its "
                         "standalone release, or npm install -g code-server), or start portico with "
                         "--vscode-server PATH.");
  }
  if (v.target == nullptr) return Outcome::Next;
  ex.forward = v.forward(ex.req);
  return Outcome::Forward;
}

}  // namespace routes
