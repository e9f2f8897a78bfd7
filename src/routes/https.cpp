// SPDX-License-Identifier: MIT
#include "routes/https.h"

#include "base/writer.h"

namespace routes {

Outcome https_redirect(const Https& h, Exchange& ex) {
  if (!*h.on || ex.req.tls) return Outcome::Next;
  char loc[8192 + 300];
  base::Writer w(loc, sizeof loc);
  w.put("https://");
  w.put(ex.req.host());  // validated by the parser: no way to smuggle a second header
  w.put(ex.req.target.front() == '/' ? ex.req.target : std::string_view("/"));
  if (!w.ok()) return fail(ex, 414, "URI Too Long");
  ex.resp.begin(302);
  ex.resp.header("Location", w.view());
  if (h.ca == nullptr || !h.ca->on()) {
    ex.resp.send("", "");
    return Outcome::Done;
  }
  // A fixed page: nothing of the request in it, so it cannot outgrow its
  // buffer or carry what an attacker put in a link.
  static constexpr std::string_view kPage =
      "<!DOCTYPE html>\n<title>HTTPS</title>\n<p>This address is served over HTTPS: your browser goes there "
      "next.</p>\n<p>If it warns about the certificate, first <a href=\"/ca\">trust this box's certificate "
      "authority</a>.</p>\n";
  ex.resp.send("text/html; charset=utf-8", kPage);
  return Outcome::Done;
}

}  // namespace routes
