// SPDX-License-Identifier: MIT
// files — fuzzes what routes/files.h makes of a request before any file is
// opened: the name (file_name), Range (byte_range), If-None-Match
// (none_match), and the type of a VS Code file (vscode_content_type).
//
// Invariants, beyond ASan/UBSan:
//   - a name file_name accepts is inside its buffer, valid UTF-8, without
//     NUL or backslash, and has no empty, ".", ".." or hidden segment: it
//     cannot name anything above the directory or hidden in it;
//   - a range byte_range honours lies inside the file and is not empty; an
//     empty file has none;
//   - "*" and the tag itself always match; a list that does not contain
//     the tag's text never does.
//
// fuzz: -max_len=2048 -dict=tests/fuzz/http.dict
#include "fuzz.h"
#include "base/strings.h"
#include "routes/files.h"
#include "routes/vscode_files.h"
#include "ws/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  uint64_t fsize = in.ConsumeIntegral<uint64_t>() >> in.ConsumeIntegralInRange<int>(0, 63);
  // An entity-tag: etagc is %x21 / %x23-7E (obs-text aside).
  std::string tag = "\"";
  for (char ch : in.ConsumeRandomLengthString(24)) {
    unsigned char u = static_cast<unsigned char>(ch) % 94 + 0x21;
    tag += u == '"' ? '!' : static_cast<char>(u);
  }
  tag += '"';
  std::string spec = in.ConsumeRandomLengthString(128);
  std::string raw = in.ConsumeRemainingBytesAsString();

  char out[512];
  std::string_view name;
  if (routes::file_name(raw, out, sizeof out, &name) == 0) {
    FUZZ_CHECK(fuzz::within(name, out, sizeof out) && !name.empty());
    ws::Utf8 u;
    FUZZ_CHECK(u.feed(reinterpret_cast<const uint8_t*>(name.data()), name.size()) && u.complete());
    FUZZ_CHECK(name.find('\0') == std::string_view::npos && name.find('\\') == std::string_view::npos);
    for (std::string_view rest = name;;) {
      size_t slash = rest.find('/');
      std::string_view seg = rest.substr(0, slash);
      FUZZ_CHECK(!seg.empty() && seg.front() != '.');
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
    FUZZ_CHECK(!routes::vscode_content_type(name).empty());
  }

  uint64_t off = 0, len = 0;
  int r = routes::byte_range(spec, fsize, &off, &len);
  FUZZ_CHECK(r >= -1 && r <= 1);
  if (r == 1) FUZZ_CHECK(len > 0 && off < fsize && len <= fsize - off);
  if (fsize == 0) FUZZ_CHECK(r != 1);

  FUZZ_CHECK(routes::none_match("*", tag) && routes::none_match(tag, tag));
  if (spec.find(tag) == std::string::npos) FUZZ_CHECK(!routes::none_match(spec, tag) || base::trim_ows(spec) == "*");
  return 0;
}
