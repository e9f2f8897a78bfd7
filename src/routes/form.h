// SPDX-License-Identifier: MIT
// form — the small parsers the login flow needs, each bounded and pure:
// urlencoded and JSON bodies, query parameters, cookies, and the two URL
// builders that must never be fooled (redirect targets and cookie paths).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

#include "base/writer.h"

namespace routes {

// Decodes one urlencoded key or value ('+' is a space, %XX a byte) into
// out[0..cap).  False when malformed or too long.
bool form_decode(std::string_view in, char* out, size_t cap, size_t* n);

// Decodes the value of `key` from "a=1&b=2" (application/x-www-form-
// urlencoded: '+' is a space) into out[0..cap).  False when absent or
// malformed; an empty value is found (true, *n = 0).
bool form_value(std::string_view form, std::string_view key, char* out, size_t cap, size_t* n);

// The string value of `key` in a flat JSON object ({"password":"x",...}),
// escapes (\uXXXX included) decoded to UTF-8.  False when absent, not a
// string, or the body is not such an object.
bool json_value(std::string_view json, std::string_view key, char* out, size_t cap, size_t* n);

// One JSON string as it stands in the text ("a\u00e9"), decoded to UTF-8.
// False when it is not exactly one string, or does not fit.
bool json_string(std::string_view raw, char* out, size_t cap, size_t* n);

// The members of one JSON object, in order: each key decoded (up to 255
// bytes), its value as it stands in the text (nested values skipped, up to
// 32 deep).  After next() returns false, ok() says whether the whole text
// was that one object.
class JsonMembers {
 public:
  explicit JsonMembers(std::string_view json) : s_(json) {}
  bool next(std::string_view* key, std::string_view* raw);
  bool ok() const { return ok_; }

 private:
  std::string_view s_;
  size_t i_ = 0;
  bool done_ = false, ok_ = false;
  char key_[256];
};

// The value of cookie `name` in a Cookie header, or false.
bool cookie_value(std::string_view header, std::string_view name, std::string_view* value);

// code-server's redirect: the relative root of `path`, then "/" and `to`,
// with '\' taken as '/' and runs of '/' collapsed, so the result always
// starts with "./" or "." and can never name another site; bytes that do
// not belong in a URL are percent-encoded.  Returns the length, 0 if short.
size_t relative_location(std::string_view path, std::string_view to, char* out, size_t cap);

// The pairs of `query` after a Location being written, as code-server's
// redirect keeps them ({...req.query, ...override}): all of them, or all
// but those whose name, decoded as qs decodes it ("%74o" is "to"), is in
// `drop` (which the redirect replaces).  Bytes a Location cannot hold
// become '+'.
void put_query(base::Writer& w, std::string_view query, std::initializer_list<std::string_view> drop);

// One byte as "%XX", for the URL builders.
void put_percent(base::Writer& w, char c);

// The cookie Path for a login posted from `href` whose page said its root
// is `base` (code-server: new URL(base, href).pathname); "/" when either is
// unusable.
size_t cookie_path(std::string_view base, std::string_view href, char* out, size_t cap);

}  // namespace routes
