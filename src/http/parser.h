// SPDX-License-Identifier: MIT
// parser — the only file that talks to llhttp.
//
// llhttp (Debian's 8.1.0, built with LLHTTP_STRICT_MODE=1) does the tokenising;
// this glue records where things are and adds the rules llhttp leaves to the
// application (docs/HTTP-RULES.md §1, §3):
//   - bare CR or bare LF anywhere in the head (8.1.0 accepts a bare LF),
//   - a missing (HTTP/1.1), duplicate or malformed Host,
//   - Transfer-Encoding other than exactly "chunked", or on HTTP/1.0,
//   - limits on the URL, the number of fields and (through the caller's
//     buffer size) the whole head.
//
// Callbacks only record spans and check limits; they never route, allocate or
// do I/O.  Spans are offsets into the caller's input buffer, whose head always
// starts at offset 0: the caller drops each finished message from the front of
// its buffer (Conn::consume) before the next head is parsed.
//
// Pausing: the parser stops after every head (Event::Head) and every message
// end (Event::Done), so exactly one request is in flight per connection.  A
// WebSocket upgrade (Connection: upgrade, Upgrade: websocket, no body) stops
// at the end of its head with Event::Upgrade (llhttp's HPE_PAUSED_UPGRADE);
// the parser is dead from there on, since what follows is not HTTP: a later
// execute() is an Error, never a re-entry into llhttp.  An upgrade to any
// other protocol is parsed as an ordinary request (RFC 9110 §7.8 lets a
// server ignore Upgrade), so whatever follows it is parsed as HTTP too.
//
// Buffer bookkeeping: the header table and the spans index the caller's
// buffer only while a head is parsed and answered.  discard() ends that (the
// table pointer is dropped with it), and trailer fields of a chunked body
// are refused without touching the table, so nothing here ever points into a
// chunk that went back to the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <llhttp.h>

namespace http {

struct Span {
  uint16_t off = 0;
  uint16_t len = 0;
  std::string_view in(const char* base) const { return {base + off, len}; }
};

struct Header {
  Span name;
  Span value;  // without leading whitespace; trailing whitespace is trimmed on lookup
};

struct Limits {
  uint32_t max_head = 16384;   // request line + fields; enforced by the caller's buffer
  uint32_t max_url = 8192;
  uint32_t max_headers = 100;
};

// What one head said.  Spans index the input buffer the head was parsed from.
struct Head {
  Span url;
  uint16_t nheaders = 0;
  int16_t host = -1;          // index into the header table, or -1
  int16_t expect = -1;
  int16_t upgrade_field = -1;  // the Upgrade field, or -1
  uint8_t method = 0;         // llhttp_method_t
  uint8_t major = 0, minor = 0;
  bool keep_alive = false;
  bool upgrade = false;       // a WebSocket upgrade: the head is all there is
  bool chunked = false;
  bool has_body = false;
  uint64_t content_length = 0;
};

class Parser {
 public:
  enum class Event : unsigned char {
    More,     // every byte consumed; feed more
    Head,     // a head is complete: head() and table() describe it
    Done,     // the message (head and body) is complete
    Upgrade,  // an upgrade request's head is complete; pos() is where it ends
              // and the parser is done: what follows is not HTTP
    Error,    // error_status() and error_reason() say why; the parser is dead
  };

  // `table` MUST hold limits->max_headers entries and stay valid while a
  // head is parsed.  Both pointers outlive the Parser.
  void init(const Limits* limits, Header* table);
  void set_table(Header* table) { table_ = table; }

  // Parses buf[pos() .. len).  `buf` is the caller's input buffer; the spans of
  // the head refer to it.  Call again with the same (possibly longer) buffer.
  Event execute(const char* buf, size_t len);

  // Offset into the buffer of the first byte not yet parsed.
  size_t pos() const { return pos_; }
  // The caller dropped the first `n` parsed bytes from its buffer: the head's
  // spans and its table are gone with them (set_table() again before the
  // next head).  MUST NOT be called while a head is being parsed.
  void discard(size_t n) {
    pos_ -= n;
    scan_pos_ = scan_pos_ > n ? scan_pos_ - n : 0;
    table_ = nullptr;
  }

  const Head& head() const { return head_; }
  const Header* table() const { return table_; }
  bool in_head() const { return !head_done_; }
  // Bytes of body seen so far for the current message.
  uint64_t body_seen() const { return body_seen_; }

  int error_status() const { return status_; }
  const char* error_reason() const { return reason_; }

 private:
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t len);
  static int on_header_field(llhttp_t* p, const char* at, size_t len);
  static int on_header_value(llhttp_t* p, const char* at, size_t len);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t len);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t kSettings;

  int fail(int status, const char* reason);
  const char* scan_head(const char* buf, size_t len);  // nullptr, or what is wrong
  int check_field();
  int check_head();

  llhttp_t llhttp_;
  const Limits* limits_ = nullptr;
  Header* table_ = nullptr;
  const char* base_ = nullptr;   // the buffer, valid during execute() only
  size_t pos_ = 0;
  Head head_;
  bool head_done_ = false;
  bool in_value_ = false;        // last data callback was a value (a new name starts a field)
  bool field_open_ = false;      // a field has been started in this head
  bool message_done_ = false;    // the pause came from on_message_complete
  bool te_seen_ = false;
  bool upgraded_ = false;        // Event::Upgrade was returned: never parse again
  uint8_t host_count_ = 0;
  uint64_t body_seen_ = 0;
  uint16_t body_tail_ = 0;       // the last two bytes of a chunked body, across calls
  // Bare CR/LF scan of the head (llhttp 8.1.0 lets a bare LF end the request line).
  size_t scan_pos_ = 0;
  uint32_t scan_line_ = 0;       // bytes in the current line
  bool scan_cr_ = false;         // previous byte was CR
  bool scan_started_ = false;    // the request line has been seen
  bool scan_done_ = false;       // the empty line ending the head was seen
  int status_ = 0;
  const char* reason_ = nullptr;
};

// True when `host` is a valid Host field value: reg-name, IPv4 or [IPv6],
// optional ":port" (1–5 digits); no userinfo, path or whitespace.
bool valid_host(std::string_view host);

}  // namespace http
