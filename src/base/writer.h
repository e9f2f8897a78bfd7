// SPDX-License-Identifier: MIT
// writer — append text into a caller-owned byte range, never past its end.
//
// Overflow is sticky: once a put() does not fit, the writer stops writing and
// ok() turns false, so a caller checks once at the end instead of after every
// piece.  The escapers are the only way user text reaches HTML or JSON output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace base {

class Writer {
 public:
  Writer(char* begin, size_t cap) : begin_(begin), p_(begin), end_(begin + cap) {}

  void put(std::string_view s);
  void put(char c);
  void put_u64(uint64_t v);
  void put_hex(uint64_t v);  // lower-case, no leading zeros
  void put_i64(int64_t v);
  // HTML text and attribute content: & < > " ' become entities.
  void put_html(std::string_view s);
  // JSON string content (without the quotes): ", \, controls escaped.
  void put_json(std::string_view s);

  bool ok() const { return ok_; }
  size_t size() const { return static_cast<size_t>(p_ - begin_); }
  char* data() const { return begin_; }
  std::string_view view() const { return {begin_, size()}; }

 private:
  char* begin_;
  char* p_;
  char* end_;
  bool ok_ = true;
};

}  // namespace base
