// SPDX-License-Identifier: MIT
// form — fuzzes the login flow's small parsers (src/routes/form.h): the
// urlencoded and JSON body lookups, the Cookie lookup, the two URL
// builders that must never be fooled (relative_location, cookie_path), the
// query a redirect keeps (put_query), and the login page's words read from
// a JSON object (routes/login_text.h, --i18n and code-server's locales).
//
// Invariants: outputs stay inside their buffers (exactly sized, so ASan sees
// one byte past), a lookup that fits a small buffer finds what a large one
// does; a value re-encoded (put_percent, Writer::put_json) is found again as
// it was; JSON from valid UTF-8 decodes to valid UTF-8; a cookie value is a
// view of the header; a redirect is "./..."-relative with no "//" or "\", a
// cookie path absolute with no dot segments; a kept query holds no byte
// that could end a header line and none of the pairs it drops; login words
// are replaced all at once or not at all, and stay valid UTF-8.
//
// Input: from the end, the key (one of the login flow's, or a short string),
// the output buffer size and where the text splits into path and target;
// the rest is the text, used whole as a body and a Cookie header.
//
// fuzz: -max_len=1024
#include <memory>

#include "base/writer.h"
#include "fuzz.h"
#include "routes/form.h"
#include "routes/login_text.h"
#include "ws/utf8.h"

namespace {

using Lookup = bool (*)(std::string_view, std::string_view, char*, size_t, size_t*);

// Runs `lookup` with an exactly sized buffer; the value, if found.
bool find(Lookup lookup, std::string_view text, std::string_view key, size_t cap, std::string* value) {
  std::unique_ptr<char[]> out(new char[cap + 1]);
  size_t n = cap + 1;
  bool found = lookup(text, key, out.get() + 1, cap, &n);  // out[0] is never written
  if (found) {
    FUZZ_CHECK(n <= cap);
    *value = std::string(out.get() + 1, n);
  }
  return found;
}

// The same lookup in a small and a large buffer, and the value put back into
// a body of its own (`wrap`) found again.
void check_lookup(Lookup lookup, std::string_view text, std::string_view key, size_t cap,
                  std::string (*wrap)(std::string_view, std::string_view)) {
  std::string small, big;
  bool found_small = find(lookup, text, key, cap, &small);
  bool found_big = find(lookup, text, key, 4096, &big);
  FUZZ_CHECK(found_small == (found_big && big.size() <= cap));
  if (found_small) FUZZ_CHECK(small == big);
  if (!found_big) return;
  FUZZ_CHECK(big.size() <= text.size());
  std::string again;
  FUZZ_CHECK(find(lookup, wrap(key, big), key, 4096, &again) && again == big);
}

std::string form_of(std::string_view key, std::string_view value) {
  std::string s(3 * (key.size() + value.size()) + 1, '\0');
  base::Writer w(&s[0], s.size());
  for (char c : key) routes::put_percent(w, c);
  w.put('=');
  for (char c : value) routes::put_percent(w, c);
  return std::string(w.view());
}

std::string json_of(std::string_view key, std::string_view value) {
  std::string s(6 * (key.size() + value.size()) + 32, '\0');  // 22 bytes of frame
  base::Writer w(&s[0], s.size());
  w.put("{ \"other\": 1, \"");
  w.put_json(key);
  w.put("\" : \"");
  w.put_json(value);
  w.put("\"}");
  return std::string(w.view());
}

bool utf8(std::string_view s) {
  ws::Utf8 u;
  return u.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()) && u.complete();
}

bool url_byte(char c) {
  return std::string_view("-._~!$&'()*+,;=:@/?%").find(c) != std::string_view::npos ||
         (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A builder's result in an exactly sized buffer; empty when it did not fit.
template <typename F>
std::string build(size_t cap, F f) {
  std::unique_ptr<char[]> out(new char[cap == 0 ? 1 : cap]);
  size_t n = f(out.get(), cap);
  FUZZ_CHECK(n <= cap);
  return std::string(out.get(), n);
}

void check_location(std::string_view path, std::string_view to, size_t cap) {
  auto f = [&](char* out, size_t c) { return routes::relative_location(path, to, out, c); };
  std::string big = build(8192, f), small = build(cap, f);
  FUZZ_CHECK(!big.empty() && (small.empty() || small == big));
  FUZZ_CHECK(big[0] == '.' && big.find("//") == std::string::npos && big.find('\\') == std::string::npos);
  for (char c : big) FUZZ_CHECK(url_byte(c));
}

void check_cookie_path(std::string_view base, std::string_view href, size_t cap) {
  auto f = [&](char* out, size_t c) { return routes::cookie_path(base, href, out, c); };
  std::string big = build(8192, f), small = build(cap, f);
  FUZZ_CHECK(!big.empty() && (small.empty() || small == big));
  FUZZ_CHECK(big[0] == '/' && big.find("//") == std::string::npos && big.find_first_of(";?#") == std::string::npos);
  std::string segs = big + "/";
  FUZZ_CHECK(segs.find("/./") == std::string::npos && segs.find("/../") == std::string::npos);
  for (char c : big) FUZZ_CHECK(url_byte(c));
}

void check_query(std::string_view query, std::string_view key) {
  std::string out(query.size() + 2, '\0');
  base::Writer w(&out[0], out.size());
  routes::put_query(w, query, {key, "base"});
  FUZZ_CHECK(w.ok());
  std::string_view kept = w.view();
  FUZZ_CHECK(kept.empty() || kept[0] == '?');
  for (char c : kept) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
  for (std::string_view rest = kept.empty() ? kept : kept.substr(1); !rest.empty();) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    std::string_view name = pair.substr(0, pair.find('='));
    // As the next reader decodes it (put_query compares the same way).
    char dec[256];
    size_t dn;
    if (name.size() <= sizeof dec && routes::form_decode(name, dec, sizeof dec, &dn)) name = std::string_view(dec, dn);
    FUZZ_CHECK(!pair.empty() && name != "base" && (key.empty() || name != key));
    rest = rest.substr(std::min(rest.size(), pair.size() + 1));
  }
}

void check_login_text(std::string_view json) {
  routes::LoginText t;
  const routes::LoginText english;
  std::string why;
  bool ok = t.merge(json, &why);
  FUZZ_CHECK(ok == why.empty());
  for (int k = 0; k < routes::LoginText::kCount; k++) {
    if (!ok) FUZZ_CHECK(t.words[k] == english.words[k]);
    if (utf8(json)) FUZZ_CHECK(utf8(t.words[k]));
    FUZZ_CHECK(t.words[k].size() <= 1024 || t.words[k] == english.words[k]);
  }
  t.settle("{{app}}{{configFile}}", "{{app}}");   // values naming placeholders are put in once
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  static const char* const kKeys[] = {"password", "to", "base", "href", "code-server-session", ""};
  size_t k = in.ConsumeIntegralInRange<size_t>(0, 6);
  std::string key = k < 6 ? kKeys[k] : in.ConsumeRandomLengthString(16);
  size_t cap = in.ConsumeIntegralInRange<size_t>(0, 300);
  size_t cut = in.ConsumeIntegral<uint16_t>();
  std::string text = in.ConsumeRemainingBytesAsString();
  std::string_view t = text;

  check_lookup(routes::form_value, t, key, cap, form_of);
  check_lookup(routes::json_value, t, key, cap, json_of);
  std::string value;
  if (utf8(t) && find(routes::json_value, t, key, 4096, &value)) FUZZ_CHECK(utf8(value));
  std::string_view cookie;
  if (routes::cookie_value(t, key, &cookie)) FUZZ_CHECK(fuzz::within(cookie, t.data(), t.size()));

  std::string_view a = t.substr(0, cut % (t.size() + 1)), b = t.substr(a.size());
  check_location(a, b, cap);
  check_cookie_path(a, b, cap);
  check_query(t, key);
  check_login_text(t);
  return 0;
}
