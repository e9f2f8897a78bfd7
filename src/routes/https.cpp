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
  char page[2 * sizeof loc + 512];
  base::Writer p(page, sizeof page);
  p.put("<!DOCTYPE html>\n<title>HTTPS</title>\n<p>This server speaks HTTPS: <a href=\"");
  p.put_html(w.view());
  p.put("\">");
  p.put_html(w.view());
  p.put("</a></p>\n<p>If your browser warns about its certificate, first <a href=\"/ca\">trust this box's "
        "certificate authority</a>.</p>\n");
  ex.resp.send("text/html; charset=utf-8", p.view());
  return Outcome::Done;
}

}  // namespace routes
