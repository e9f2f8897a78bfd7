// SPDX-License-Identifier: MIT
#include "http/template.h"

namespace http {

void fill_template(base::Writer& w, std::string_view tpl, const Var* vars, size_t n) {
  while (!tpl.empty()) {
    size_t open = tpl.find("{{");
    w.put(tpl.substr(0, open));
    if (open == std::string_view::npos) return;
    tpl.remove_prefix(open);
    size_t close = tpl.find("}}");
    if (close == std::string_view::npos) {
      w.put(tpl);
      return;
    }
    std::string_view key = tpl.substr(2, close - 2);
    tpl.remove_prefix(close + 2);
    for (size_t i = 0; i < n; i++) {
      if (vars[i].name != key) continue;
      if (vars[i].html) w.put(vars[i].value);
      else w.put_html(vars[i].value);
      break;
    }
  }
}

}  // namespace http
