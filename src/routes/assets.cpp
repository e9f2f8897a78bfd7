// SPDX-License-Identifier: MIT
#include "routes/assets.h"

namespace routes {

const Asset* find_asset(std::string_view name) {
  // A handful of entries: a linear scan beats any index on size and speed.
  for (size_t i = 0; i < kAssetCount; i++) {
    if (kAssets[i].name == name) return &kAssets[i];
  }
  return nullptr;
}

std::string_view content_type(std::string_view name) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},  {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},               {".webmanifest", "application/manifest+json"},
  };
  for (const Type& t : kTypes) {
    if (name.size() > t.ext.size() && name.substr(name.size() - t.ext.size()) == t.ext) return t.type;
  }
  return "application/octet-stream";
}

}  // namespace routes
