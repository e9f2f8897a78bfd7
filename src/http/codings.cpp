// SPDX-License-Identifier: MIT
#include "http/codings.h"

#include "base/strings.h"

namespace http {
namespace {

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
bool parse_q(std::string_view s, uint16_t* q) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return false;
  unsigned v = s[0] == '1' ? 1000u : 0u;
  if (s.size() > 1) {
    if (s[1] != '.' || s.size() > 5) return false;
    unsigned scale = 100;
    for (char ch : s.substr(2)) {
      if (ch < '0' || ch > '9') return false;
      v += static_cast<unsigned>(ch - '0') * scale;
      scale /= 10;
    }
    if (v > 1000) return false;
  }
  *q = static_cast<uint16_t>(v);
  return true;
}

// One member: "coding", or "coding;q=V" with OWS around the ';' and no other
// parameters (the grammar has none).  False when it does not parse.
bool parse_member(std::string_view m, std::string_view* coding, uint16_t* q) {
  size_t semi = m.find(';');
  *coding = base::trim_ows(m.substr(0, semi));
  *q = 1000;
  if (coding->empty()) return false;
  for (char ch : *coding) {
    bool tchar = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '*' || ch == '.' || ch == '_' || ch == '+' || ch == '!';
    if (!tchar) return false;
  }
  if (semi == std::string_view::npos) return true;
  std::string_view p = base::trim_ows(m.substr(semi + 1));
  if (p.size() < 2 || base::ascii_lower(p[0]) != 'q' || p[1] != '=') return false;
  return parse_q(p.substr(2), q);
}

}  // namespace

Accepted parse_accept_encoding(std::string_view value, bool present) {
  Accepted a;
  if (!present) return a;
  // Weights set by name win over "*", whatever the order.
  int br = -1, gzip = -1, identity = -1, star = -1;
  for (size_t i = 0; i < value.size() + 1 && i <= value.size();) {
    size_t comma = value.find(',', i);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view coding;
    uint16_t q;
    if (parse_member(value.substr(i, comma - i), &coding, &q)) {
      if (base::ieq(coding, "br")) br = q;
      else if (base::ieq(coding, "gzip") || base::ieq(coding, "x-gzip")) gzip = q;
      else if (base::ieq(coding, "identity")) identity = q;
      else if (coding == "*") star = q;
    }
    i = comma + 1;
  }
  a.br = static_cast<uint16_t>(br >= 0 ? br : star >= 0 ? star : 0);
  a.gzip = static_cast<uint16_t>(gzip >= 0 ? gzip : star >= 0 ? star : 0);
  // identity unnamed is acceptable but comes last (RFC 9110 §12.5.3 gives it
  // no weight; nginx and Apache rank it so): a thousandth.
  a.identity = static_cast<uint16_t>(identity >= 0 ? identity : star == 0 ? 0 : 1);
  return a;
}

Coding choose_coding(const Accepted& a, bool have_br, bool have_gzip) {
  Coding best = Coding::None;
  uint16_t w = 0;
  if (have_br && a.br > w) best = Coding::Br, w = a.br;
  if (have_gzip && a.gzip > w) best = Coding::Gzip, w = a.gzip;
  if (a.identity > w) best = Coding::Identity;
  return best;
}

}  // namespace http
