// SPDX-License-Identifier: MIT
#include "routes/vscode.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/writer.h"

namespace routes {

namespace {
bool at(std::string_view path, std::string_view name) {
  return path == name || (path.substr(0, 7) == "/vscode" && path.substr(7) == name);
}
}  // namespace

Outcome manifest(void* app_name, Exchange& ex) {
  if (!at(ex.req.path, "/manifest.json")) return Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  std::string_view name = *static_cast<std::string*>(app_name);
  char body[1024];
  base::Writer w(body, sizeof body);
  w.put("{\"name\":\"");
  w.put_json(name);
  w.put("\",\"short_name\":\"");
  w.put_json(name);
  w.put("\",\"start_url\":\".\",\"display\":\"fullscreen\",\"display_override\":[\"window-controls-overlay\"],"
        "\"description\":\"Run Code on a remote server.\",\"icons\":[]}");
  ex.resp.begin(200);
  ex.resp.send("application/manifest+json", w.ok() ? w.view() : "{}");
  return Outcome::Done;
}

Outcome mint_key(void* data_dir, Exchange& ex) {
  if (!at(ex.req.path, "/mint-key")) return Outcome::Next;
  if (ex.req.method != "POST") {
    ex.allow = "POST";
    return fail(ex, 405, "Method Not Allowed");
  }
  std::string path = *static_cast<std::string*>(data_dir) + "/portico-mint-key";
  unsigned char key[32];
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  bool ok = fd >= 0 && read(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key);
  if (fd >= 0) close(fd);
  if (!ok) {
    // First call: make it, and keep it (O_EXCL: a concurrent maker wins).
    ok = getrandom(key, sizeof key, 0) == static_cast<ssize_t>(sizeof key);
    fd = ok ? open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
    ok = fd >= 0 && write(fd, key, sizeof key) == static_cast<ssize_t>(sizeof key) && fsync(fd) == 0;
    if (fd >= 0) close(fd);
  }
  if (!ok) return fail(ex, 500, "the key could not be stored");
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", "no-store");
  ex.resp.send("application/octet-stream", std::string_view(reinterpret_cast<char*>(key), sizeof key));
  return Outcome::Done;
}

Outcome vscode(void* enabled, Exchange& ex) {
  if (!*static_cast<bool*>(enabled)) return Outcome::Next;
  std::string_view path = ex.req.path;
  if (path == "/vscode" || path.substr(0, 8) == "/vscode/") ex.strip = "/vscode";
  ex.divert = kToVsCode;
  return Outcome::Divert;
}

}  // namespace routes
