// SPDX-License-Identifier: MIT
#include "routes/files.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strings.h"
#include "base/writer.h"
#include "ws/utf8.h"

namespace routes {
namespace {

constexpr int kMaxDepth = 32;

int openat2_beneath(int dir, const char* name) {
#ifdef SYS_openat2
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dir, name, &how, sizeof how));
#else
  (void)dir, (void)name;
  errno = ENOSYS;
  return -1;
#endif
}

// -1: not probed yet; then 0 or 1.
int g_openat2 = -1;

// One component at a time, refusing symbolic links at every step.
int open_by_components(int dir, std::string_view name) {
  int cur = dir;
  for (int depth = 0; depth < kMaxDepth; depth++) {
    size_t slash = name.find('/');
    char seg[256];
    std::string_view part = name.substr(0, slash);
    if (part.size() >= sizeof seg) break;
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

// "<ino>-<size>-<mtime ns>" in hex, quoted: a strong validator for the bytes
// of this file (a sibling is another file, so another tag).
std::string_view etag_of(const struct stat& st, char (&out)[64]) {
  base::Writer w(out, sizeof out);
  w.put('"');
  w.put_hex(static_cast<uint64_t>(st.st_ino));
  w.put('-');
  w.put_hex(static_cast<uint64_t>(st.st_size));
  w.put('-');
  w.put_hex(static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000u + static_cast<uint64_t>(st.st_mtim.tv_nsec));
  w.put('"');
  return w.view();
}

void common_headers(Exchange& ex, const FileAnswer& a, std::string_view etag) {
  if (!a.cache_control.empty()) ex.resp.header("Cache-Control", a.cache_control);
  ex.resp.header("ETag", etag);
  if (a.vary) ex.resp.header("Vary", "Accept-Encoding");
  if (!a.extra_name.empty()) ex.resp.header(a.extra_name, a.extra_value);
}

}  // namespace

// If-None-Match: "*" or a list of entity-tags (a tag may hold commas: it
// is read to its closing quote), compared weakly (RFC 9110 §13.1.2).  A
// list that stops parsing matches nothing further.
bool none_match(std::string_view list, std::string_view tag) {
  if (base::trim_ows(list) == "*") return true;
  size_t i = 0;
  while (i < list.size()) {
    char ch = list[i];
    if (ch == ' ' || ch == '\t' || ch == ',') {
      i++;
      continue;
    }
    if (list.substr(i, 2) == "W/") i += 2;
    if (i >= list.size() || list[i] != '"') return false;
    size_t close = list.find('"', i + 1);
    if (close == std::string_view::npos) return false;
    if (list.substr(i, close + 1 - i) == tag) return true;
    i = close + 1;
  }
  return false;
}

// One range of `size` bytes from "bytes=first-last", "first-" or "-suffix".
// 1: *off and *len set; 0: no range to honour (absent, several, malformed:
// the whole file); -1: unsatisfiable (416).
int byte_range(std::string_view spec, uint64_t size, uint64_t* off, uint64_t* len) {
  if (spec.size() < 6 || !base::ieq(spec.substr(0, 6), "bytes=")) return 0;
  spec = base::trim_ows(spec.substr(6));
  if (spec.find(',') != std::string_view::npos) return 0;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return 0;
  std::string_view a = base::trim_ows(spec.substr(0, dash)), b = base::trim_ows(spec.substr(dash + 1));
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // the last b bytes
    if (!base::parse_u64(b, UINT64_MAX, &last)) return 0;
    if (last == 0 || size == 0) return -1;
    *len = last < size ? last : size;
    *off = size - *len;
    return 1;
  }
  if (!base::parse_u64(a, UINT64_MAX, &first)) return 0;
  if (b.empty()) last = UINT64_MAX;
  else if (!base::parse_u64(b, UINT64_MAX, &last) || last < first) return 0;
  if (first >= size) return -1;
  if (last >= size) last = size - 1;
  *off = first;
  *len = last - first + 1;
  return 1;
}

int file_name(std::string_view raw, char* out, size_t cap, std::string_view* name) {
  // An encoded separator would let one segment act as two after decoding.
  if (base::icontains(raw, "%2f") || base::icontains(raw, "%5c")) return 400;
  size_t n = 0;
  if (!base::percent_decode(raw, out, cap, &n)) return 400;
  std::string_view s(out, n);
  // Names are UTF-8: an overlong "." (%c0%ae) or any other invalid sequence
  // is refused here, not looked up.
  ws::Utf8 utf8;
  if (!utf8.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()) || !utf8.complete()) return 400;
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

// Probed with a real open: a kernel without openat2 says ENOSYS, a seccomp
// filter (containers) often EPERM; anything but success means "absent".
bool beneath_follows_links() {
  if (g_openat2 < 0) {
    int fd = openat2_beneath(AT_FDCWD, ".");
    g_openat2 = fd >= 0 ? 1 : 0;
    if (fd >= 0) close(fd);
  }
  return g_openat2 == 1;
}

Outcome fail_open(Exchange& ex, int err, std::string_view not_found) {
  int status = open_failure_status(err);
  return fail(ex, status, status == 404 ? not_found : status == 403 ? "Forbidden" : "Service Unavailable: no descriptor free");
}

int open_failure_status(int err) {
  switch (err) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return 503;
    case EACCES:
    case EPERM:
      return 403;
    default:
      return 404;
  }
}

int open_beneath(int dir, std::string_view name) {
  if (beneath_follows_links()) {
    char path[1024];
    if (name.size() >= sizeof path) return -1;
    name.copy(path, name.size());
    path[name.size()] = '\0';
    return openat2_beneath(dir, path);
  }
  return open_by_components(dir, name);
}

int open_file(int dir, std::string_view name, struct stat* st) {
  int fd = open_beneath(dir, name);
  if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))) {
    close(fd);
    fd = -1;
    errno = ENOENT;  // a directory or a device is not a file here
  }
  return fd;
}

Outcome answer_file(Exchange& ex, int fd, const struct stat& st, const FileAnswer& a) {
  char tag_buf[64];
  std::string_view etag = etag_of(st, tag_buf);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  std::string_view inm;
  char list[2048];
  if (ex.req.find_list("if-none-match", list, sizeof list, &inm) && none_match(inm, etag)) {
    close(fd);
    ex.resp.begin(304);
    common_headers(ex, a, etag);
    ex.resp.send("", "");
    return Outcome::Done;
  }
  uint64_t off = 0, len = size;
  int range = 0;
  std::string_view spec, if_range;
  // A range of a representation that changed since (If-Range) is the whole
  // of the new one.
  // Two Range lines are no valid Range: the whole file.
  if (ex.req.method == "GET" && ex.req.count("range") == 1 && ex.req.find("range", &spec) &&
      (!ex.req.find("if-range", &if_range) || base::trim_ows(if_range) == etag)) {
    range = byte_range(spec, size, &off, &len);
  }
  if (range < 0) {
    close(fd);
    char cr[48];
    base::Writer w(cr, sizeof cr);
    w.put("bytes */");
    w.put_u64(size);
    ex.resp.begin(416);  // an error: nothing to cache or validate
    ex.resp.header("Content-Range", w.view());
    ex.resp.send("", "");
    return Outcome::Done;
  }
  ex.resp.begin(range > 0 ? 206 : 200);
  common_headers(ex, a, etag);
  ex.resp.header("Accept-Ranges", "bytes");
  if (a.coding == http::Coding::Br) ex.resp.header("Content-Encoding", "br");
  else if (a.coding == http::Coding::Gzip) ex.resp.header("Content-Encoding", "gzip");
  if (range > 0) {
    char cr[80];
    base::Writer w(cr, sizeof cr);
    w.put("bytes ");
    w.put_u64(off);
    w.put('-');
    w.put_u64(off + len - 1);
    w.put('/');
    w.put_u64(size);
    ex.resp.header("Content-Range", w.view());
  }
  ex.resp.send_file(a.content_type, fd, static_cast<size_t>(off), static_cast<size_t>(len));
  return Outcome::Done;
}

Outcome answer_named(Exchange& ex, int dir, std::string_view name, const FileAnswer& a) {
  struct stat st;
  int fd = open_file(dir, name, &st);
  if (fd < 0) return fail_open(ex, errno, "Not Found");
  return answer_file(ex, fd, st, a);
}

}  // namespace routes
