// SPDX-License-Identifier: MIT
#include "routes/vscode.h"

namespace routes {

Outcome vscode(void* enabled, Exchange& ex) {
  if (!*static_cast<bool*>(enabled)) return Outcome::Next;
  std::string_view path = ex.req.path;
  if (path == "/vscode" || path.substr(0, 8) == "/vscode/") ex.strip = "/vscode";
  ex.divert = kToVsCode;
  return Outcome::Divert;
}

}  // namespace routes
