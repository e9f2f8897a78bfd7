// SPDX-License-Identifier: MIT
#include "routes/form.h"

#include <algorithm>

#include "base/strings.h"
#include "base/writer.h"
#include "http/request.h"

namespace routes {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = base::ascii_lower(c);
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

void put_utf8(base::Writer& w, uint32_t cp) {
  if (cp < 0x80) {
    w.put(static_cast<char>(cp));
  } else if (cp < 0x800) {
    w.put(static_cast<char>(0xC0 | (cp >> 6)));
    w.put(static_cast<char>(0x80 | (cp & 63)));
  } else if (cp < 0x10000) {
    w.put(static_cast<char>(0xE0 | (cp >> 12)));
    w.put(static_cast<char>(0x80 | ((cp >> 6) & 63)));
    w.put(static_cast<char>(0x80 | (cp & 63)));
  } else {
    w.put(static_cast<char>(0xF0 | (cp >> 18)));
    w.put(static_cast<char>(0x80 | ((cp >> 12) & 63)));
    w.put(static_cast<char>(0x80 | ((cp >> 6) & 63)));
    w.put(static_cast<char>(0x80 | (cp & 63)));
  }
}

// A JSON scanner over one flat object: enough for a login body, and strict.
struct Json {
  std::string_view s;
  size_t i = 0;

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  bool hex4(uint32_t* v) {
    if (i + 4 > s.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; k++) {
      int h = hex(s[i++]);
      if (h < 0) return false;
      *v = *v * 16 + static_cast<uint32_t>(h);
    }
    return true;
  }
  // Reads a string into w (or skips it when w is null).
  bool string(base::Writer* w) {
    if (!eat('"')) return false;
    while (i < s.size()) {
      char c = s[i++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        if (w) w->put(c);
        continue;
      }
      if (i >= s.size()) return false;
      char e = s[i++];
      uint32_t cp = 0;
      switch (e) {
        case '"': case '\\': case '/': cp = static_cast<uint32_t>(e); break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            uint32_t lo;
            if (i + 2 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
            i += 2;
            if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          break;
        }
        default: return false;
      }
      if (w) put_utf8(*w, cp);
    }
    return false;
  }
  bool scalar() {  // numbers, true, false, null: skipped, not interpreted
    ws();
    size_t start = i;
    while (i < s.size() && (std::string_view("+-.0123456789eEtruefalsn").find(s[i]) != std::string_view::npos)) i++;
    return i > start;
  }
  // Skips any value: a string, a scalar, or an object or array holding
  // them, at most `depth` levels deep.
  bool value(int depth = 32) {
    ws();
    if (i < s.size() && s[i] == '"') return string(nullptr);
    char close = i < s.size() && s[i] == '{' ? '}' : i < s.size() && s[i] == '[' ? ']' : 0;
    if (close == 0) return scalar();
    if (depth == 0) return false;
    i++;
    if (eat(close)) return true;
    do {
      if (close == '}' && (!string(nullptr) || !eat(':'))) return false;
      if (!value(depth - 1)) return false;
    } while (eat(','));
    return eat(close);
  }
};

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~!$&'()*+,;=:@/?%").find(c) != std::string_view::npos;
}

}  // namespace

bool form_decode(std::string_view in, char* out, size_t cap, size_t* n) {
  size_t o = 0;
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size() || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0) return false;
      c = static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    }
    if (o == cap) return false;
    out[o++] = c;
  }
  *n = o;
  return true;
}

bool form_value(std::string_view form, std::string_view key, char* out, size_t cap, size_t* n) {
  while (!form.empty()) {
    size_t amp = form.find('&');
    std::string_view pair = form.substr(0, amp);
    size_t eq = pair.find('=');
    char name[64];
    size_t nlen;
    if (form_decode(pair.substr(0, eq), name, sizeof name, &nlen) && std::string_view(name, nlen) == key) {
      return form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), out, cap, n);
    }
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return false;
}

bool json_value(std::string_view json, std::string_view key, char* out, size_t cap, size_t* n) {
  Json j{json};
  if (!j.eat('{')) return false;
  if (j.eat('}')) return false;
  bool found = false;
  do {
    char name[64];
    base::Writer nw(name, sizeof name);
    if (!j.string(&nw) || !nw.ok() || !j.eat(':')) return false;
    j.ws();
    bool wanted = !found && nw.view() == key;
    if (j.i < j.s.size() && j.s[j.i] == '"') {
      base::Writer vw(out, cap);
      if (!j.string(wanted ? &vw : nullptr) || (wanted && !vw.ok())) return false;
      if (wanted) {
        *n = vw.size();
        found = true;
      }
    } else if (wanted || !j.scalar()) {
      return false;  // the wanted value is not a string, or a nested value
    }
  } while (j.eat(','));
  if (!j.eat('}')) return false;
  j.ws();
  return found && j.i == j.s.size();
}

bool json_string(std::string_view raw, char* out, size_t cap, size_t* n) {
  Json j{raw};
  base::Writer w(out, cap);
  if (!j.string(&w) || !w.ok()) return false;
  j.ws();
  *n = w.size();
  return j.i == raw.size();
}

bool JsonMembers::next(std::string_view* key, std::string_view* raw) {
  Json j{s_, i_};
  if (done_) return false;
  if (i_ == 0 && (!j.eat('{') || j.eat('}'))) {
    done_ = true;
    j.ws();
    ok_ = j.i == s_.size() && s_.size() >= 2;
    return false;
  }
  if (i_ != 0 && !j.eat(',')) {
    done_ = true;
    ok_ = j.eat('}') && (j.ws(), j.i == s_.size());
    return false;
  }
  base::Writer kw(key_, sizeof key_);
  if (!j.string(&kw) || !kw.ok() || !j.eat(':')) return done_ = true, false;
  j.ws();
  size_t start = j.i;
  if (!j.value()) return done_ = true, false;
  *key = kw.view();
  *raw = s_.substr(start, j.i - start);
  i_ = j.i;
  return true;
}

bool cookie_value(std::string_view header, std::string_view name, std::string_view* value) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = base::trim_ows(header.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view v = base::trim_ows(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      *value = v;
      return true;
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return false;
}

size_t relative_location(std::string_view path, std::string_view to, char* out, size_t cap) {
  char root_buf[256];
  std::string_view root = http::relative_root(path, root_buf, sizeof root_buf);
  base::Writer w(out, cap);
  w.put(root);
  w.put('/');
  bool slash = true;
  for (char c : to) {
    if (c == '\\') c = '/';
    if (c == '/') {
      if (slash) continue;  // "//evil.example" collapses to "evil.example"
      slash = true;
      w.put('/');
      continue;
    }
    slash = false;
    if (unreserved(c)) w.put(c);
    else put_percent(w, c);
  }
  return w.ok() ? w.size() : 0;
}

namespace {

// A byte a Location can hold: the rest become '+' (a space, once decoded).
char location_byte(char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f ? c : '+'; }

// The name of a pair as the next reader of the URL decodes it, from the
// bytes put_query writes: "%74o" is "to", as code-server's qs reads it.
// A name that does not decode (a stray '%', too long) is compared as it is.
bool dropped(std::string_view name, std::initializer_list<std::string_view> drop) {
  char out[256], dec[256];
  size_t n = 0;
  if (name.size() > sizeof out) return false;
  for (char c : name) out[n++] = location_byte(c);
  size_t dn;
  std::string_view as = form_decode(std::string_view(out, n), dec, sizeof dec, &dn) ? std::string_view(dec, dn)
                                                                                      : std::string_view(out, n);
  return std::find(drop.begin(), drop.end(), as) != drop.end();
}

}  // namespace

void put_query(base::Writer& w, std::string_view query, std::initializer_list<std::string_view> drop) {
  bool first = true;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || dropped(pair.substr(0, pair.find('=')), drop)) continue;
    w.put(first ? '?' : '&');
    first = false;
    for (char c : pair) w.put(location_byte(c));
  }
}

void put_percent(base::Writer& w, char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto u = static_cast<unsigned char>(c);
  char esc[3] = {'%', kHex[u >> 4], kHex[u & 15]};
  w.put(std::string_view(esc, 3));
}

size_t cookie_path(std::string_view base_in, std::string_view href, char* out, size_t cap) {
  base::Writer w(out, cap);
  // The path of href: after "scheme://authority", before '?' or '#'.
  size_t sep = href.find("://");
  std::string_view hpath;
  if (sep != std::string_view::npos) {
    std::string_view rest = href.substr(sep + 3);
    size_t slash = rest.find('/');
    hpath = slash == std::string_view::npos ? "/" : rest.substr(slash);
    hpath = hpath.substr(0, hpath.find_first_of("?#"));
  }
  if (hpath.empty() || base_in.empty() || base_in.size() > 512 || hpath.size() > 1024) {
    w.put('/');
    return w.size();
  }
  // RFC 3986 §5.2: merge, then remove dot segments.
  char merged[1600];
  base::Writer m(merged, sizeof merged);
  if (base_in.front() == '/') {
    m.put(base_in);
  } else {
    m.put(hpath.substr(0, hpath.rfind('/') + 1));
    m.put(base_in);
  }
  std::string_view in = m.view();
  std::string_view segs[64];
  size_t depth = 0;
  bool trailing = false;  // the path ends in a directory ("." or ".." or "/")
  for (std::string_view rest = in.substr(1);;) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    trailing = seg.empty() || seg == "." || seg == "..";
    if (seg == "..") {
      if (depth > 0) depth--;
    } else if (!trailing) {
      if (depth == 64) break;
      for (char c : seg) {
        if (!unreserved(c) || c == ';' || c == '?') depth = 64;  // unusable: fall back to "/"
      }
      if (depth == 64) break;
      segs[depth++] = seg;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (depth == 64) depth = 0, trailing = true;
  w.put('/');
  for (size_t k = 0; k < depth; k++) {
    w.put(segs[k]);
    if (k + 1 < depth || trailing) w.put('/');
  }
  return w.ok() ? w.size() : 0;
}

}  // namespace routes
