// SPDX-License-Identifier: MIT
#include "http/parser.h"

#include "base/strings.h"

namespace http {
namespace {

Parser* self(llhttp_t* p) { return static_cast<Parser*>(p->data); }

bool host_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {  // RFC 3986 reg-name: unreserved / pct-encoded / sub-delims
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case ';': case '=': case '%':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool valid_host(std::string_view host) {
  std::string_view name = host, port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1)) {
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest;
  } else {
    size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon);
    }
    if (name.empty()) return false;
    for (char c : name) {
      if (!host_char(c)) return false;
    }
  }
  if (port.empty()) return true;
  uint64_t n;
  return port.size() <= 6 && base::parse_u64(port.substr(1), 65535, &n);
}

const llhttp_settings_t Parser::kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_message_begin = on_message_begin;
  s.on_url = on_url;
  s.on_header_field = on_header_field;
  s.on_header_value = on_header_value;
  s.on_header_value_complete = on_header_value_complete;
  s.on_headers_complete = on_headers_complete;
  s.on_body = on_body;
  s.on_message_complete = on_message_complete;
  return s;
}();

void Parser::init(const Limits* limits, Header* table) {
  limits_ = limits;
  table_ = table;
  llhttp_init(&llhttp_, HTTP_REQUEST, &kSettings);
  llhttp_.data = this;
  pos_ = scan_pos_ = 0;
  head_done_ = false;
}

int Parser::fail(int status, const char* reason) {
  status_ = status;
  reason_ = reason;
  return HPE_USER;
}

// Every line of the head must end in CRLF, CR may appear nowhere else, and no
// field line may start with whitespace (obs-fold, RFC 9112 §5.2: llhttp 8.1.0
// folds it silently).  Runs ahead of llhttp over the same bytes and stops at
// the empty line that ends the head, so body bytes are never judged here.
const char* Parser::scan_head(const char* buf, size_t len) {
  for (; scan_pos_ < len && !scan_done_; scan_pos_++) {
    char c = buf[scan_pos_];
    if (scan_started_ && scan_line_ == 0 && !scan_cr_ && (c == ' ' || c == '\t')) {
      return "field line starts with whitespace (obs-fold)";
    }
    if (scan_cr_) {
      if (c != '\n') return "bare CR in the request head";
      scan_cr_ = false;
      if (scan_line_ == 0 && scan_started_) scan_done_ = true;
      if (scan_line_ > 0) scan_started_ = true;
      scan_line_ = 0;
    } else if (c == '\r') {
      scan_cr_ = true;
    } else if (c == '\n') {
      return "bare LF in the request head";
    } else {
      scan_line_++;
    }
  }
  return nullptr;
}

Parser::Event Parser::execute(const char* buf, size_t len) {
  if (upgraded_ && status_ == 0) fail(500, "request parser used after an upgrade");
  if (status_ != 0) return Event::Error;
  if (const char* bad = scan_head(buf, len)) {
    fail(400, bad);
    return Event::Error;
  }
  base_ = buf;
  size_t from = pos_;
  llhttp_errno_t err = llhttp_execute(&llhttp_, buf + pos_, len - pos_);
  base_ = nullptr;
  if (head_done_ && head_.chunked) {
    size_t to = err == HPE_OK ? len : static_cast<size_t>(llhttp_get_error_pos(&llhttp_) - buf);
    for (size_t i = to - from > 2 ? to - 2 : from; i < to; i++) body_tail_ = static_cast<uint16_t>(body_tail_ << 8 | static_cast<uint8_t>(buf[i]));
  }
  if (err == HPE_OK) {
    pos_ = len;
    return Event::More;
  }
  if (err == HPE_PAUSED_UPGRADE) {
    pos_ = static_cast<size_t>(llhttp_get_error_pos(&llhttp_) - buf);
    upgraded_ = true;
    return Event::Upgrade;
  }
  if (err == HPE_PAUSED) {
    pos_ = static_cast<size_t>(llhttp_get_error_pos(&llhttp_) - buf);
    llhttp_resume(&llhttp_);
    if (!message_done_) return Event::Head;
    message_done_ = false;
    // llhttp 8.1 ends a chunked body's trailer section on a bare LF too; a
    // server behind portico would read those bytes differently.
    if (head_.chunked && body_tail_ != ('\r' << 8 | '\n')) {
      fail(400, "chunked body not ended by CRLF");
      return Event::Error;
    }
    head_ = Head{};  // nothing may read the finished head's spans any more
    // The next head is scanned from where this message ended.
    scan_pos_ = pos_;
    scan_line_ = 0;
    scan_cr_ = scan_started_ = scan_done_ = false;
    head_done_ = false;
    return Event::Done;
  }
  if (status_ == 0) {
    switch (err) {
      case HPE_INVALID_VERSION: fail(505, "unsupported HTTP version"); break;
      case HPE_UNEXPECTED_CONTENT_LENGTH: fail(400, "Content-Length together with Transfer-Encoding"); break;
      case HPE_INVALID_CONTENT_LENGTH: fail(400, "invalid Content-Length"); break;
      case HPE_INVALID_TRANSFER_ENCODING: fail(400, "invalid Transfer-Encoding"); break;
      case HPE_INVALID_CHUNK_SIZE: fail(400, "invalid chunk size"); break;
      case HPE_INVALID_METHOD: fail(400, "invalid method"); break;
      case HPE_INVALID_URL: fail(400, "invalid request target"); break;
      case HPE_INVALID_HEADER_TOKEN: fail(400, "invalid header field"); break;
      default: fail(400, llhttp_get_error_reason(&llhttp_)); break;
    }
  }
  return Event::Error;
}

int Parser::on_message_begin(llhttp_t* p) {
  Parser* s = self(p);
  s->head_ = Head{};
  s->head_done_ = false;
  s->in_value_ = false;
  s->field_open_ = false;
  s->te_seen_ = false;
  s->host_count_ = 0;
  s->body_seen_ = 0;
  s->body_tail_ = 0;
  return 0;
}

int Parser::on_url(llhttp_t* p, const char* at, size_t len) {
  Parser* s = self(p);
  Span& url = s->head_.url;
  if (url.len == 0) url.off = static_cast<uint16_t>(at - s->base_);
  size_t total = url.len + len;
  if (total > s->limits_->max_url) return s->fail(414, "request target too long");
  url.len = static_cast<uint16_t>(total);
  return 0;
}

// A field after the head is a trailer of a chunked body.  portico takes
// none: it would have to re-check and re-frame them before passing them on,
// and browsers never send them.
int Parser::on_header_field(llhttp_t* p, const char* at, size_t len) {
  Parser* s = self(p);
  if (s->head_done_) return s->fail(400, "trailer fields in a request");
  if (s->table_ == nullptr) return s->fail(500, "no header table");  // a caller's bug, never a write
  Head& h = s->head_;
  if (s->in_value_ || !s->field_open_) {  // a new field starts
    if (h.nheaders >= s->limits_->max_headers) return s->fail(431, "too many header fields");
    Header& f = s->table_[h.nheaders++];
    f.name = {static_cast<uint16_t>(at - s->base_), 0};
    f.value = {};
    s->in_value_ = false;
    s->field_open_ = true;
  }
  s->table_[h.nheaders - 1].name.len = static_cast<uint16_t>(s->table_[h.nheaders - 1].name.len + len);
  return 0;
}

int Parser::on_header_value(llhttp_t* p, const char* at, size_t len) {
  Parser* s = self(p);
  if (s->head_done_) return s->fail(400, "trailer fields in a request");
  Span& v = s->table_[s->head_.nheaders - 1].value;
  if (!s->in_value_) v = {static_cast<uint16_t>(at - s->base_), 0};
  v.len = static_cast<uint16_t>(v.len + len);
  s->in_value_ = true;
  return 0;
}

int Parser::on_header_value_complete(llhttp_t* p) {
  Parser* s = self(p);
  if (s->head_done_) return s->fail(400, "trailer fields in a request");
  s->in_value_ = true;  // an empty value gets no data callback
  return s->check_field();
}

int Parser::check_field() {
  int16_t i = static_cast<int16_t>(head_.nheaders - 1);
  std::string_view name = table_[i].name.in(base_);
  std::string_view value = base::trim_ows(table_[i].value.in(base_));
  if (name.empty()) return fail(400, "empty header field name");
  if (base::ieq(name, "host")) {
    host_count_++;
    head_.host = i;
  } else if (base::ieq(name, "transfer-encoding")) {
    if (te_seen_) return fail(400, "more than one Transfer-Encoding field");
    te_seen_ = true;
    if (!base::ieq(value, "chunked")) {
      // RFC 9112 §6.1: an unknown coding is 501; "chunked" mixed with others
      // is a framing ambiguity, so 400 and close.
      return base::has_token(value, "chunked") ? fail(400, "Transfer-Encoding other than chunked")
                                               : fail(501, "unsupported transfer coding");
    }
  } else if (base::ieq(name, "expect")) {
    head_.expect = i;
  } else if (base::ieq(name, "upgrade")) {
    // One, as Host: the route reads the first, llhttp and the proxy any.
    if (head_.upgrade_field >= 0) return fail(400, "more than one Upgrade field");
    head_.upgrade_field = i;
  }
  return 0;
}

int Parser::on_headers_complete(llhttp_t* p) {
  Parser* s = self(p);
  int r = s->check_head();
  if (r != 0) return r;
  s->head_done_ = true;
  // A WebSocket upgrade ends at its head: llhttp stops with
  // HPE_PAUSED_UPGRADE right after it, and what follows belongs to whoever
  // takes the connection over.  Every other head pauses for its answer.
  return s->head_.upgrade ? 2 : HPE_PAUSED;
}

int Parser::check_head() {
  Head& h = head_;
  h.method = llhttp_.method;
  h.major = llhttp_.http_major;
  h.minor = llhttp_.http_minor;
  if (h.major != 1 || h.minor > 1) return fail(505, "unsupported HTTP version");
  if (host_count_ > 1) return fail(400, "more than one Host field");
  if (host_count_ == 0 && h.minor == 1) return fail(400, "missing Host field");
  if (h.host >= 0 && !valid_host(base::trim_ows(table_[h.host].value.in(base_)))) {
    return fail(400, "invalid Host field");
  }
  if (te_seen_ && h.minor == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  h.chunked = (llhttp_.flags & F_CHUNKED) != 0;
  // "chunked" as this glue reads it (OWS-trimmed) but not as llhttp does
  // ("chunked\t"): llhttp would frame the body as absent, a backend as chunked.
  if (te_seen_ && !h.chunked) return fail(400, "Transfer-Encoding not understood as chunked");
  h.keep_alive = llhttp_should_keep_alive(&llhttp_) != 0;
  h.content_length = (llhttp_.flags & F_CONTENT_LENGTH) ? llhttp_.content_length : 0;
  h.has_body = h.chunked || h.content_length > 0;
  if (llhttp_.upgrade != 0 && h.method != HTTP_CONNECT) {
    bool websocket = h.upgrade_field >= 0 &&
                     base::has_token(base::trim_ows(table_[h.upgrade_field].value.in(base_)), "websocket");
    if (websocket && h.has_body) return fail(400, "a WebSocket upgrade with a body");
    h.upgrade = websocket;
    // Not ours to switch to: llhttp goes on as for any request, framing its
    // body and the requests after it.
    if (!websocket) llhttp_.upgrade = 0;
  }
  return 0;
}

int Parser::on_body(llhttp_t* p, const char*, size_t len) {
  self(p)->body_seen_ += len;
  return 0;
}

int Parser::on_message_complete(llhttp_t* p) {
  // An upgrade's message ends at its head; llhttp then stops on its own with
  // HPE_PAUSED_UPGRADE, and the head must still be readable there.
  if (self(p)->head_.upgrade) return 0;
  self(p)->message_done_ = true;
  return HPE_PAUSED;
}

}  // namespace http
