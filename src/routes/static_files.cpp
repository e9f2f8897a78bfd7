// SPDX-License-Identifier: MIT
#include "routes/static_files.h"

#include "base/strings.h"
#include "routes/assets.h"
#include "routes/files.h"

namespace routes {
namespace {

constexpr std::string_view kPrefix = "/_static/";

Outcome serve_embedded(Exchange& ex, std::string_view name, const char* cache) {
  const Asset* a = find_asset(name);
  if (a == nullptr) return fail(ex, 404, "Not Found");
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", cache);
  ex.resp.send(content_type(name), a->data, http::Response::Body::Static);
  return Outcome::Done;
}

Outcome serve_file(Exchange& ex, int dir, std::string_view name) {
  FileAnswer a;
  a.content_type = content_type(name);
  a.cache_control = "public, max-age=0";
  return answer_named(ex, dir, name, a);
}

}  // namespace

Outcome static_files(const StaticFiles& files, Exchange& ex) {
  std::string_view path = ex.req.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return path == "/_static" ? fail(ex, 404, "Not Found") : Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  char buf[1024];
  std::string_view name;
  int status = file_name(path.substr(kPrefix.size()), buf, sizeof buf, &name);
  if (status != 0) return fail(ex, status, status == 400 ? "Bad Request" : "Not Found");
  int dir = files.dir_fd;
  return dir >= 0 ? serve_file(ex, dir, name) : serve_embedded(ex, name, "public, max-age=0");
}

Outcome well_known(const StaticFiles&, Exchange& ex) {
  std::string_view path = ex.req.path;
  std::string_view name;
  if (path == "/robots.txt") name = "robots.txt";
  else if (path == "/security.txt" || path == "/.well-known/security.txt") name = "security.txt";
  else return Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  return serve_embedded(ex, name, "public, max-age=3600");
}

}  // namespace routes
