// SPDX-License-Identifier: MIT
#include "routes/ca.h"

#include <algorithm>
#include <bearssl.h>

#include "base/base64.h"
#include "base/log.h"
#include "base/writer.h"
#include "http/template.h"

namespace routes {
namespace {

constexpr size_t kPageMax = 32768;
constexpr size_t kMaxVars = 32;  // how many {{...}} www/ca.html may hold

// A UUID made of 16 bytes of the CA's hash: the profile is the same for
// the same CA, so installing it again replaces it instead of adding one.
std::string uuid(const unsigned char* b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (int i = 0; i < 16; i++) {
    unsigned char x = b[i];
    if (i == 6) x = static_cast<unsigned char>((x & 0x0F) | 0x40);  // version 4 ("random")
    if (i == 8) x = static_cast<unsigned char>((x & 0x3F) | 0x80);  // RFC 4122 variant
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += {kHex[x >> 4], kHex[x & 15]};
  }
  return s;
}

std::string xml_text(std::string_view s) {
  std::string out(s.size() * 6, '\0');
  base::Writer w(&out[0], out.size());
  w.put_html(s);
  out.resize(w.size());
  return out;
}

bool is(std::string_view path, std::string_view name) { return path == name; }

}  // namespace

void CaPage::build(std::string_view page, std::string_view ca_der, std::string_view fp, std::string_view app,
                   std::string_view host, std::string_view names) {
  der.assign(ca_der);
  unsigned char h[32];
  br_sha256_context c;
  br_sha256_init(&c);
  br_sha256_update(&c, der.data(), der.size());
  br_sha256_out(&c, h);
  file = "portico-ca-" + std::string(host);
  for (char& ch : file) ch = ch == ':' ? '_' : ch;

  // Room for every {{...}} of the page to be the longest of them, escaped.
  size_t longest = std::max({app.size(), host.size(), names.size(), file.size(), fp.size()});
  tpl.assign(page.size() + kMaxVars * (6 * longest + 16), '\0');
  base::Writer w(&tpl[0], tpl.size());
  const http::Var vars[] = {{"APP", app},   {"HOST", host},         {"NAMES", names},
                            {"FILE", file}, {"FINGERPRINT", fp},    {"HTTPS", "{{HTTPS}}", true}};
  http::fill_template(w, page, vars, sizeof vars / sizeof vars[0]);
  if (!w.ok()) base::logf(base::Level::Error, "the CA page does not fit in %zu bytes: /ca is empty", tpl.size());
  tpl.resize(w.ok() ? w.size() : 0);
  tpl.shrink_to_fit();

  std::string b64((der.size() + 2) / 3 * 4, '\0');
  b64.resize(base::b64_encode(reinterpret_cast<const uint8_t*>(der.data()), der.size(), &b64[0],
                              base::B64::Standard, true));
  std::string display = xml_text(std::string(app) + " CA for " + std::string(host));
  profile =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
      "<plist version=\"1.0\">\n<dict>\n"
      "<key>PayloadContent</key>\n<array>\n<dict>\n"
      "<key>PayloadCertificateFileName</key><string>" + xml_text(file) + ".crt</string>\n"
      "<key>PayloadContent</key><data>" + b64 + "</data>\n"
      "<key>PayloadDisplayName</key><string>" + display + "</string>\n"
      "<key>PayloadIdentifier</key><string>portico.ca." + uuid(h) + ".root</string>\n"
      "<key>PayloadType</key><string>com.apple.security.root</string>\n"
      "<key>PayloadUUID</key><string>" + uuid(h) + "</string>\n"
      "<key>PayloadVersion</key><integer>1</integer>\n"
      "</dict>\n</array>\n"
      "<key>PayloadDisplayName</key><string>" + display + "</string>\n"
      "<key>PayloadIdentifier</key><string>portico.ca." + uuid(h + 16) + "</string>\n"
      "<key>PayloadRemovalDisallowed</key><false/>\n"
      "<key>PayloadType</key><string>Configuration</string>\n"
      "<key>PayloadUUID</key><string>" + uuid(h + 16) + "</string>\n"
      "<key>PayloadVersion</key><integer>1</integer>\n"
      "</dict>\n</plist>\n";
}

Outcome ca_page(const CaPage& p, Exchange& ex) {
  std::string_view path = ex.req.path;
  if (!p.on() || !(is(path, "/ca") || is(path, "/ca/") || is(path, "/ca.crt") || is(path, "/ca.mobileconfig"))) {
    return Outcome::Next;
  }
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  if (is(path, "/ca/")) {
    // The page's links are relative (a proxy may put it under a prefix),
    // so they work from /ca only.
    ex.resp.begin(302);
    ex.resp.header("Location", "../ca");
    ex.resp.send("", "");
    return Outcome::Done;
  }
  ex.resp.begin(200);
  ex.resp.header("X-Content-Type-Options", "nosniff");
  if (is(path, "/ca.crt")) {
    ex.resp.send("application/x-x509-ca-cert", p.der);  // copied: SIGHUP may build the page again
  } else if (is(path, "/ca.mobileconfig")) {
    ex.resp.send("application/x-apple-aspen-config", p.profile);
  } else {
    // The one part that depends on the request: where https is, by the
    // name the browser used (validated by the parser).
    char https[300 + 256];
    base::Writer u(https, sizeof https);
    u.put("https://");
    u.put(ex.req.host());
    u.put("/");
    if (!u.ok()) return fail(ex, 431, "Host too long");
    char body[kPageMax];
    base::Writer w(body, sizeof body);
    const http::Var vars[] = {{"HTTPS", u.view()}};
    http::fill_template(w, p.tpl, vars, 1);
    if (!w.ok()) return fail(ex, 500, "page too large");
    ex.resp.header("Cache-Control", "no-store");
    ex.resp.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    ex.resp.send("text/html; charset=utf-8", w.view());
  }
  return Outcome::Done;
}

}  // namespace routes
