// SPDX-License-Identifier: MIT
// template — fills {{NAME}} placeholders of the pages in www/.
//
// Every value is HTML-escaped unless its Var says it is already HTML, so
// text from a request or the config can never become markup.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/writer.h"

namespace http {

struct Var {
  std::string_view name;
  std::string_view value;
  bool html = false;   // value is trusted markup (built by portico itself)
};

// Writes `tpl` with each {{NAME}} replaced; unknown names become nothing.
void fill_template(base::Writer& w, std::string_view tpl, const Var* vars, size_t n);

}  // namespace http
