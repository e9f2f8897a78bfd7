// SPDX-License-Identifier: MIT
#include "routes/static_files.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "routes/assets.h"

namespace routes {
namespace {

constexpr std::string_view kPrefix = "/_static/";
constexpr int kMaxDepth = 16;

// Opens `name` (already checked by static_name) below `dir`, one component at
// a time, refusing symbolic links at every step.  Returns an fd or -1.
int open_beneath(int dir, std::string_view name) {
  int cur = dir;
  int depth = 0;
  while (true) {
    size_t slash = name.find('/');
    char seg[256];
    std::string_view part = name.substr(0, slash);
    if (part.size() >= sizeof seg || ++depth > kMaxDepth) break;
    part.copy(seg, part.size());
    seg[part.size()] = '\0';
    bool last = slash == std::string_view::npos;
    int flags = O_CLOEXEC | O_NOFOLLOW | (last ? O_RDONLY | O_NONBLOCK : O_PATH | O_DIRECTORY);
    int fd = openat(cur, seg, flags);
    if (cur != dir) close(cur);
    if (fd < 0 || last) return fd;
    cur = fd;
    name.remove_prefix(slash + 1);
  }
  if (cur != dir) close(cur);
  return -1;
}

Outcome serve_embedded(Exchange& ex, std::string_view name, const char* cache) {
  const Asset* a = find_asset(name);
  if (a == nullptr) return fail(ex, 404, "Not Found");
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", cache);
  ex.resp.send(content_type(name), a->data, http::Response::Body::Static);
  return Outcome::Done;
}

Outcome serve_file(Exchange& ex, int dir, std::string_view name) {
  int fd = open_beneath(dir, name);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    return fail(ex, 404, "Not Found");
  }
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", "public, max-age=0");
  ex.resp.send_file(content_type(name), fd, static_cast<size_t>(st.st_size));
  return Outcome::Done;
}

}  // namespace

int static_name(std::string_view raw, char* out, size_t cap, std::string_view* name) {
  // An encoded separator would let one segment act as two after decoding.
  if (base::icontains(raw, "%2f") || base::icontains(raw, "%5c")) return 400;
  size_t n = 0;
  if (!base::percent_decode(raw, out, cap, &n)) return 400;
  std::string_view s(out, n);
  if (s.empty()) return 404;
  for (std::string_view rest = s;;) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg == "." || seg == "..") return 400;
    if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos) return 404;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  *name = s;
  return 0;
}

Outcome static_files(const StaticFiles& files, Exchange& ex) {
  std::string_view path = ex.req.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return path == "/_static" ? fail(ex, 404, "Not Found") : Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  char buf[1024];
  std::string_view name;
  int status = static_name(path.substr(kPrefix.size()), buf, sizeof buf, &name);
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
