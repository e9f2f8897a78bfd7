// SPDX-License-Identifier: MIT
#include "routes/code_server.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/writer.h"
#include "routes/assets.h"
#include "routes/files.h"

namespace routes {
namespace {

constexpr std::string_view kMedia = "/_static/src/browser/media/";
constexpr std::string_view kWorker = "/_static/out/browser/serviceWorker.js";

Outcome serve(const CodeServer& cs, Exchange& ex, std::string_view name, bool worker) {
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  FileAnswer a;
  a.content_type = content_type(name);
  a.cache_control = "public, max-age=0";   // code-server's express.static
  if (worker) {
    a.extra_name = "Service-Worker-Allowed";
    a.extra_value = "/";
  }
  return answer_named(ex, cs.package_fd, name, a);
}

}  // namespace

CodeServer::~CodeServer() {
  if (package_fd >= 0) close(package_fd);
}

bool CodeServer::open(const std::string& dir_path, std::string* why) {
  int dir = ::open(dir_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (dir < 0 || fstatat(dir, "src/browser/media", &st, 0) != 0 || !S_ISDIR(st.st_mode)) {
    if (dir >= 0) close(dir);
    return *why = dir_path + ": no src/browser/media (not a code-server package)", false;
  }
  package_fd = dir;
  package = dir_path;
  return true;
}

Outcome code_server_static(const CodeServer& cs, Exchange& ex) {
  std::string_view path = ex.req.path;
  bool worker = path == kWorker;
  if (cs.package_fd < 0 || (!worker && path.substr(0, kMedia.size()) != kMedia)) return Outcome::Next;
  char buf[1024];
  std::string_view name;
  // The tail is decoded and vetted as every file name is; the prefix, fixed,
  // is put back in front (one segment below the package, never above it).
  std::string_view tail = path.substr(sizeof "/_static/" - 1);
  int status = file_name(tail, buf, sizeof buf, &name);
  if (status != 0) return fail(ex, status, status == 400 ? "Bad Request" : "Not Found");
  return serve(cs, ex, name, worker);
}

Outcome manifest(const CodeServer& cs, Exchange& ex) {
  if (!at_root_or_vscode(ex.req.path, "/manifest.json")) return Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  // Icons relative to the manifest, as code-server writes them: from
  // /vscode/manifest.json the root is one level up.
  std::string_view base = ex.req.path.substr(0, 7) == "/vscode" ? "./../" : "./";
  char body[2048];
  base::Writer w(body, sizeof body);
  w.put("{\"name\":\"");
  w.put_json(cs.app_name);
  w.put("\",\"short_name\":\"");
  w.put_json(cs.app_name);
  w.put("\",\"start_url\":\".\",\"display\":\"fullscreen\",\"display_override\":[\"window-controls-overlay\"],"
        "\"description\":\"Run Code on a remote server.\",\"icons\":[");
  if (cs.package_fd >= 0) {
    for (std::string_view size : {"192", "512"}) {
      if (size != "192") w.put(',');
      w.put("{\"src\":\"");
      w.put(base);
      w.put("_static/src/browser/media/pwa-icon-");
      w.put(size);
      w.put(".png\",\"type\":\"image/png\",\"sizes\":\"");
      w.put(size);
      w.put('x');
      w.put(size);
      w.put("\"}");
    }
  }
  w.put("]}");
  ex.resp.begin(200);
  ex.resp.send("application/manifest+json", w.ok() ? w.view() : "{}");
  return Outcome::Done;
}

Outcome update_check(const CodeServer& cs, Exchange& ex) {
  if (!at_root_or_vscode(ex.req.path, "/update/check")) return Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  char body[256];
  base::Writer w(body, sizeof body);
  w.put("{\"checked\":");
  w.put_i64(cs.clock != nullptr ? cs.clock->wall_ms() : 0);
  w.put(",\"latest\":\"unknown\",\"current\":\"");
  w.put_json(cs.version.empty() ? std::string_view("unknown") : cs.version);
  w.put("\",\"isLatest\":true}");
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", "no-store");
  ex.resp.send("application/json", w.ok() ? w.view() : "{}");
  return Outcome::Done;
}

}  // namespace routes
