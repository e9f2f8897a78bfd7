// SPDX-License-Identifier: MIT
#include "routes/last_opened.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "base/writer.h"
#include "routes/form.h"

namespace routes {
namespace {

constexpr size_t kMaxFile = 64 * 1024;

// The raw "query" member of coder.json, or "".
std::string_view stored_query(std::string_view json) {
  JsonMembers m(json);
  std::string_view key, raw;
  while (m.next(&key, &raw)) {
    if (key == "query") return raw;
  }
  return {};
}

// The query as code-server stores it: an object of its pairs, decoded.
bool query_json(std::string_view query, base::Writer& w) {
  w.put('{');
  bool first = true;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    char key[256], value[4096];
    size_t kn = 0, vn = 0;
    if (!form_decode(pair.substr(0, eq), key, sizeof key, &kn) ||
        !form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), value, sizeof value, &vn)) {
      return false;
    }
    if (!first) w.put(',');
    first = false;
    w.put('"');
    w.put_json(std::string_view(key, kn));
    w.put("\":\"");
    w.put_json(std::string_view(value, vn));
    w.put('"');
  }
  w.put('}');
  return w.ok();
}

// Replaces coder.json's "query", keeping its other members (code-server's
// "update"), when the value differs.
void remember(const LastOpened& l, std::string_view old_text, std::string_view query) {
  char q[8192];
  base::Writer qw(q, sizeof q);
  if (!query_json(query, qw)) return;   // too large or malformed to keep: served, not remembered
  std::string_view stored = stored_query(old_text);
  if (stored == qw.view()) return;
  std::string text = "{\"query\":" + std::string(qw.view());
  JsonMembers m(old_text);
  std::string_view key, raw;
  while (m.next(&key, &raw)) {
    if (key == "query") continue;
    char k[512];
    base::Writer kw(k, sizeof k);
    kw.put_json(key);
    text += ",\"" + std::string(kw.view()) + "\":" + std::string(raw);
  }
  text += "}";
  if (!base::write_secret(l.file, text.data(), text.size()) && l.said.allow(l.clock->now_ms())) {
    base::logf(base::Level::Warn, "last opened: cannot write %s: %s", l.file.c_str(), strerror(errno));
  }
}

// A folder asked for: present and not empty (code-server's !req.query.folder).
bool has(std::string_view query, std::string_view key) {
  char v[4096];
  size_t n = 0;
  return form_value(query, key, v, sizeof v, &n) && n > 0;
}

// To this page with ?KEY=VALUE added to its query (code-server's
// redirect(req, res, self, {folder}) keeps the rest).
Outcome reopen(Exchange& ex, std::string_view key, std::string_view value) {
  char out[8192];
  base::Writer w(out, sizeof out);
  std::string_view p = ex.req.path;
  w.put(p == "/vscode" ? "./vscode" : "./");
  put_query(w, ex.req.query, {key});
  w.put(w.view().find('?') == std::string_view::npos ? '?' : '&');
  w.put(key);
  w.put('=');
  for (char c : value) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("-._~/").find(c) != std::string_view::npos;
    if (plain) w.put(c);
    else put_percent(w, c);
  }
  return w.ok() ? redirect(ex, w.view()) : Outcome::Next;
}

}  // namespace

Outcome last_opened(const LastOpened& l, Exchange& ex) {
  std::string_view p = ex.req.path;
  if (l.file.empty() || (p != "/" && p != "/vscode" && p != "/vscode/") || (ex.req.method != "GET" && ex.req.method != "HEAD")) {
    return Outcome::Next;
  }
  std::string text;
  // None yet: nothing remembered.  One that cannot be read (a link, too
  // large, not a file) is neither used nor replaced: it may hold what
  // code-server keeps there besides.
  bool readable = base::read_small(l.file, kMaxFile, &text) || errno == ENOENT;
  if (!readable && l.said.allow(l.clock->now_ms())) {
    base::logf(base::Level::Warn, "last opened: cannot read %s: %s; not used, not written", l.file.c_str(),
               base::read_error());
  }
  std::string_view q = ex.req.query;
  if (!has(q, "folder") && !has(q, "workspace") && !has(q, "ew")) {
    std::string_view stored = stored_query(text);
    char v[4096];
    size_t n = 0;
    if (!l.ignore && !stored.empty()) {
      for (std::string_view key : {"folder", "workspace"}) {
        if (json_value(stored, key, v, sizeof v, &n) && n > 0) return reopen(ex, key, std::string_view(v, n));
      }
    }
    if (!l.folder.empty()) {
      bool ws = l.folder.size() > 15 && l.folder.compare(l.folder.size() - 15, 15, ".code-workspace") == 0;
      return reopen(ex, ws ? "workspace" : "folder", l.folder);
    }
  }
  if (readable) remember(l, text, q);
  return Outcome::Next;
}

}  // namespace routes
