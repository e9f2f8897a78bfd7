// SPDX-License-Identifier: MIT
#include "base/writer.h"

#include <cstring>

namespace base {

void Writer::put(std::string_view s) {
  if (s.empty()) return;  // an empty view may have a null data()
  if (!ok_ || s.size() > static_cast<size_t>(end_ - p_)) {
    ok_ = false;
    return;
  }
  memcpy(p_, s.data(), s.size());
  p_ += s.size();
}

void Writer::put(char c) { put(std::string_view(&c, 1)); }

void Writer::put_u64(uint64_t v) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[sizeof tmp - ++n] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  put(std::string_view(tmp + sizeof tmp - n, n));
}

void Writer::put_hex(uint64_t v) {
  char tmp[16];
  size_t n = 0;
  do {
    tmp[sizeof tmp - ++n] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  put(std::string_view(tmp + sizeof tmp - n, n));
}

void Writer::put_i64(int64_t v) {
  if (v < 0) {
    put('-');
    put_u64(static_cast<uint64_t>(-(v + 1)) + 1);  // -INT64_MIN safely
  } else {
    put_u64(static_cast<uint64_t>(v));
  }
}

void Writer::put_html(std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': put("&amp;"); break;
      case '<': put("&lt;"); break;
      case '>': put("&gt;"); break;
      case '"': put("&quot;"); break;
      case '\'': put("&#39;"); break;
      default: put(c);
    }
  }
}

void Writer::put_json(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      put('\\');
      put(c);
    } else if (u < 0x20 || u == 0x7f) {
      char esc[6] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
      put(std::string_view(esc, 6));
    } else {
      put(c);
    }
  }
}

}  // namespace base
