// SPDX-License-Identifier: MIT
#include "routes/vscode_files.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "http/codings.h"
#include "routes/files.h"

namespace routes {
namespace {

constexpr std::string_view kStatic = "/static/";
constexpr std::string_view kCache = "public, max-age=31536000";

// The string value of a top-level "key" in product.json, when it is a
// short run of [0-9a-z.-] (a commit, a quality, a version); "" when absent.
std::string product_value(std::string_view json, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = json.find(quoted);
  if (at == std::string_view::npos) return "";
  std::string_view rest = json.substr(at + quoted.size());
  size_t i = 0;
  auto expect = [&](char want) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '\n' || rest[i] == '\r')) i++;
    return i < rest.size() && rest[i++] == want;
  };
  if (!expect(':') || !expect('"')) return "";
  size_t end = rest.find('"', i);
  if (end == std::string_view::npos || end == i || end - i > 64) return "";
  std::string_view v = rest.substr(i, end - i);
  for (char ch : v) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || ch == '-' || ch == '.')) return "";
  }
  return std::string(v);
}

// A sibling no older than the file it stands for, or -1.  To the second:
// brotli gives its output the input's mtime in whole seconds, gzip to the
// nanosecond.
int sibling(int root, std::string_view name, std::string_view ext, const struct stat& of, struct stat* st) {
  char path[1100];
  if (name.size() + ext.size() >= sizeof path) return -1;
  name.copy(path, name.size());
  ext.copy(path + name.size(), ext.size());
  int fd = open_file(root, std::string_view(path, name.size() + ext.size()), st);
  if (fd >= 0 && st->st_mtim.tv_sec < of.st_mtim.tv_sec) {
    close(fd);
    return -1;
  }
  return fd;
}

// The part after "/static/", or false when `path` is none of the forms.
bool static_tail(const VsCodeFiles& f, std::string_view path, std::string_view* rel) {
  if (path.substr(0, 8) == "/vscode/") path.remove_prefix(7);
  const std::string& v = f.versioned;
  if (path.size() > v.size() && path.substr(0, v.size()) == v && path[v.size()] == '/') path.remove_prefix(v.size());
  if (path.substr(0, kStatic.size()) != kStatic) return false;
  *rel = path.substr(kStatic.size());
  return true;
}

}  // namespace

VsCodeFiles::~VsCodeFiles() {
  if (root_fd >= 0) close(root_fd);
}

bool VsCodeFiles::open(const std::string& root, std::string* why) {
  int dir = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return *why = root + ": not a directory that can be opened", false;
  std::string json;
  int fd = openat(dir, "product.json", O_RDONLY | O_CLOEXEC);
  char buf[16384];
  for (ssize_t n; fd >= 0 && json.size() < (1u << 20) && (n = read(fd, buf, sizeof buf)) > 0;) {
    json.append(buf, static_cast<size_t>(n));
  }
  if (fd >= 0) close(fd);
  std::string commit = product_value(json, "commit");
  if (fd < 0 || commit.empty()) {
    close(dir);
    return *why = root + "/product.json: no commit (is this a VS Code server's install?)", false;
  }
  std::string quality = product_value(json, "quality");
  versioned = "/" + (quality.empty() ? std::string("oss") : quality) + "-" + commit;
  code_server_version = product_value(json, "codeServerVersion");
  root_fd = dir;
  return true;
}

std::string vscode_root_of(const std::string& server) {
  char real[PATH_MAX];
  if (realpath(server.c_str(), real) == nullptr) return "";
  std::string p(real);
  for (int up = 0; up < 2; up++) {
    size_t slash = p.rfind('/');
    if (slash == std::string::npos || slash == 0) return "";
    p.resize(slash);
  }
  struct stat st;
  return stat((p + "/product.json").c_str(), &st) == 0 && S_ISREG(st.st_mode) ? p : "";
}

std::string_view vscode_content_type(std::string_view name) {
  struct Type {
    std::string_view ext, type;
  };
  // The server's own table (its mime.js and five fixed types), where it is
  // right; corrected where it says text/plain for fonts, WebAssembly,
  // modules and source maps, or image/jpg.
  static constexpr Type kTypes[] = {
      {".js", "text/javascript"},    {".css", "text/css"},         {".html", "text/html"},
      {".json", "application/json"}, {".svg", "image/svg+xml"},    {".png", "image/png"},
      {".ttf", "font/ttf"},          {".woff2", "font/woff2"},     {".woff", "application/font-woff"},
      {".wasm", "application/wasm"}, {".mjs", "text/javascript"},  {".map", "application/json"},
      {".ico", "image/x-icon"},      {".gif", "image/gif"},        {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},       {".jpe", "image/jpeg"},       {".webp", "image/webp"},
      {".bmp", "image/bmp"},         {".tif", "image/tiff"},       {".tiff", "image/tiff"},
      {".mp3", "audio/mpeg"},        {".mp4", "video/mp4"},        {".webm", "video/webm"},
      {".wav", "audio/x-wav"},       {".ogg", "audio/ogg"},        {".oga", "audio/ogg"},
      {".ogv", "video/ogg"},         {".opus", "audio/opus"},      {".mov", "video/quicktime"},
  };
  size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string_view::npos && dot > 0) {
    std::string_view ext = base.substr(dot);
    for (const Type& t : kTypes) {
      if (base::ieq(ext, t.ext)) return t.type;
    }
  }
  return "text/plain";
}

Outcome vscode_files(const VsCodeFiles& f, Exchange& ex) {
  std::string_view rel;
  if (!f.on() || !static_tail(f, ex.req.path, &rel)) return Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  char buf[1024];
  std::string_view name;
  if (int status = file_name(rel, buf, sizeof buf, &name)) {
    return fail(ex, status, status == 400 ? "Bad request: a malformed or forbidden path" : "Not found");
  }
  struct stat st;
  int fd = open_file(f.root_fd, name, &st);
  if (fd < 0) return fail_open(ex, errno, "Not found");
  FileAnswer a;
  a.content_type = vscode_content_type(name);
  a.cache_control = kCache;
  std::string_view ae;
  char list[2048];
  bool asked = ex.req.find_list("accept-encoding", list, sizeof list, &ae);
  http::Accepted acc = http::parse_accept_encoding(ae, asked);
  // A range is of the file itself: a client that asks for one (media,
  // resumed downloads) gets it from the identity bytes when it takes them.
  if (ex.req.count("range") > 0 && acc.identity > 0) acc.br = acc.gzip = 0;
  struct stat br_st, gz_st;
  int br = acc.br > 0 ? sibling(f.root_fd, name, ".br", st, &br_st) : -1;
  int gz = acc.gzip > 0 ? sibling(f.root_fd, name, ".gz", st, &gz_st) : -1;
  http::Coding c = http::choose_coding(acc, br >= 0, gz >= 0);
  a.vary = true;  // whichever was sent, another client may get another
  int use = c == http::Coding::Br ? br : c == http::Coding::Gzip ? gz : c == http::Coding::Identity ? fd : -1;
  for (int other : {fd, br, gz}) {
    if (other >= 0 && other != use) close(other);
  }
  if (use < 0) return fail(ex, 406, "Not Acceptable: no encoding the client takes");
  a.coding = c;
  return answer_file(ex, use, c == http::Coding::Br ? br_st : c == http::Coding::Gzip ? gz_st : st, a);
}

}  // namespace routes
