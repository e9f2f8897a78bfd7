// SPDX-License-Identifier: MIT
#include "routes/https.h"

#include "base/writer.h"

namespace routes {

Outcome https_redirect(const bool& tls_on, Exchange& ex) {
  if (!tls_on || ex.req.tls) return Outcome::Next;
  char loc[8192 + 300];
  base::Writer w(loc, sizeof loc);
  w.put("https://");
  w.put(ex.req.host());  // validated by the parser: no way to smuggle a second header
  w.put(ex.req.target.front() == '/' ? ex.req.target : std::string_view("/"));
  if (!w.ok()) return fail(ex, 414, "URI Too Long");
  ex.resp.begin(302);
  ex.resp.header("Location", w.view());
  ex.resp.send("", "");
  return Outcome::Done;
}

}  // namespace routes
