// SPDX-License-Identifier: MIT
// http_response — fuzzes what portico does with a backend's response: llhttp
// (HTTP_RESPONSE) driven as proxy::HttpProxy::pump drives it (pause after the
// head and at the message end, the head skipped for HEAD, a buffer chunk that
// must hold the whole head, the body copied as the client has room), then
// proxy::write_response_head re-writing the head for the client.
//
// Invariants: the re-written head stays in its buffer and is cut off, never
// mangled, when short; it is "HTTP/1.1 <llhttp's status>", CRLF lines of
// "name: value", exactly llhttp's fields minus the hop-by-hop ones (a Location
// from the app's root gets the prefix); body bytes go out as they came;
// delivering the bytes whole or split gives the same events.
//
// Input: from the end, the chunk size (64..4096), the client buffer size for
// the head, HEAD or not, the Location prefix; then the reads (see fuzz.h).
//
// fuzz: -max_len=4096 -dict=tests/fuzz/http.dict
#include <llhttp.h>

#include <cstring>
#include <memory>

#include "base/strings.h"
#include "base/writer.h"
#include "fuzz.h"
#include "proxy/head.h"

namespace {

struct Field {
  std::string name, value;
};

class Upstream {
 public:
  Upstream(std::string_view stream, size_t chunk, size_t out_cap, bool head_only, std::string_view prefix,
           const std::vector<size_t>* rooms)
      : stream_(stream), chunk_(new char[chunk]), chunk_size_(chunk), out_cap_(out_cap), head_only_(head_only),
        prefix_(prefix), rooms_(rooms) {
    llhttp_init(&p_, HTTP_RESPONSE, &kSettings);
    p_.data = this;
  }

  void feed(std::string_view bytes) {
    while (!bytes.empty() && !stopped_) {
      size_t k = std::min(bytes.size(), chunk_size_ - len_);
      memcpy(chunk_.get() + len_, bytes.data(), k);
      len_ += k;
      bytes.remove_prefix(k);
      pump();
    }
  }
  // The backend closed: a body delimited by the close ends here.
  void eof() {
    if (stopped_) return;
    if (headers_done_ && !message_done_ && llhttp_message_needs_eof(&p_)) {
      llhttp_finish(&p_);
      return stop("done at close, body " + std::to_string(body_));
    }
    stop("closed early");
  }
  const std::vector<std::string>& events() const { return events_; }

 private:
  static int on_field(llhttp_t* p, const char* at, size_t n) {
    auto* u = static_cast<Upstream*>(p->data);
    if (u->fields_.empty() || u->in_value_) u->fields_.push_back({});
    u->in_value_ = false;
    u->fields_.back().name.append(at, n);
    return 0;
  }
  static int on_value(llhttp_t* p, const char* at, size_t n) {
    auto* u = static_cast<Upstream*>(p->data);
    u->in_value_ = true;
    u->fields_.back().value.append(at, n);
    return 0;
  }
  static int on_headers_complete(llhttp_t* p) {
    auto* u = static_cast<Upstream*>(p->data);
    u->headers_done_ = true;
    return u->head_only_ ? 1 : HPE_PAUSED;
  }
  static int on_message_complete(llhttp_t* p) {
    static_cast<Upstream*>(p->data)->message_done_ = true;
    return HPE_PAUSED;
  }
  static const llhttp_settings_t kSettings;

  void stop(std::string e) {
    events_.push_back(std::move(e));
    stopped_ = true;
  }

  void pump() {
    static const char kNothing[1] = {0};
    for (int guard = 0; guard < (1 << 16) && !message_done_ && !stopped_; guard++) {
      if (len_ == 0 && !head_sent_) return;
      // A head not yet whole stays in the chunk; llhttp is fed only what it
      // has not seen (HttpProxy::pump's head_seen).
      size_t from = head_sent_ ? 0 : head_seen_;
      size_t len = head_sent_ ? std::min(len_, rooms_.next()) : len_ - from;
      const char* in = (len_ > 0 ? chunk_.get() : kNothing) + from;
      llhttp_errno_t err = llhttp_execute(&p_, in, len);
      size_t used = len;
      if (err == HPE_PAUSED) {
        used = static_cast<size_t>(llhttp_get_error_pos(&p_) - in);
        llhttp_resume(&p_);
      } else if (err != HPE_OK) {
        return stop("malformed");
      } else if (len == 0) {
        return;
      }
      FUZZ_CHECK(used <= len);
      if (!head_sent_) {
        if (!headers_done_) {
          if (len_ == chunk_size_) stop("head too large");
          head_seen_ = from + used;
          return;
        }
        used += from;
        in -= from;
        head_seen_ = 0;
        if (!copy_head(used)) return;
      } else {
        body_ += used;
      }
      FUZZ_CHECK(memcmp(in, stream_.data() + at_, used) == 0);
      memmove(chunk_.get(), chunk_.get() + used, len_ - used);
      len_ -= used;
      at_ += used;
    }
    if (message_done_ && !stopped_) stop("done, body " + std::to_string(body_));
  }

  bool copy_head(size_t head_len) {
    int status = llhttp_get_status_code(&p_);
    if (status == 101 || status < 200) return stop("unusable status"), false;
    std::string_view head(chunk_.get(), head_len);
    std::string full, cut;
    // llhttp takes a field with no name and obs-fold; portico refuses the
    // head (502) for either.
    bool refused = head.find("\n ") != std::string_view::npos || head.find("\n\t") != std::string_view::npos;
    for (const Field& f : fields_) refused = refused || f.name.empty();
    if (refused) {
      FUZZ_CHECK(!rewrite(head, 1 << 16, &full));
      return stop("refused head"), false;
    }
    FUZZ_CHECK(rewrite(head, 1 << 16, &full));
    bool fits = rewrite(head, out_cap_, &cut);
    // A head that does not fit is cut short, never changed.
    FUZZ_CHECK(full.compare(0, cut.size(), cut) == 0 && (!fits || cut == full));
    check_head(full, status);
    if (!fits) return stop("head too large for the client"), false;
    head_sent_ = true;
    events_.push_back(full);
    return true;
  }

  // write_response_head into a buffer of exactly `cap` bytes (ASan sees past it).
  bool rewrite(std::string_view head, size_t cap, std::string* out) {
    std::unique_ptr<char[]> buf(new char[cap == 0 ? 1 : cap]);
    base::Writer w(buf.get(), cap);
    bool usable = proxy::write_response_head(w, llhttp_get_status_code(&p_), head, prefix_);
    FUZZ_CHECK(w.size() <= cap);
    *out = std::string(w.view());
    return usable && w.ok();
  }

  // The head says what llhttp parsed, minus what belongs to one hop only.
  void check_head(std::string_view out, int status) {
    std::string want = "HTTP/1.1 " + std::to_string(status);
    FUZZ_CHECK(out.substr(0, want.size()) == want);
    std::string connection;
    for (const Field& f : fields_) {
      if (base::ieq(f.name, "connection")) connection = std::string(base::trim_ows(f.value));
    }
    std::vector<std::string> kept;
    for (const Field& f : fields_) {
      bool framing = base::ieq(f.name, "content-length") || base::ieq(f.name, "transfer-encoding");
      if (!framing && proxy::hop_by_hop(f.name, connection)) continue;
      std::string_view v = base::trim_ows(f.value);
      std::string line = f.name + ": ";
      if (base::ieq(f.name, "location") && v.substr(0, 1) == "/" && v.substr(0, 2) != "//") line += prefix_;
      kept.push_back(line + std::string(v));
    }
    size_t eol = out.find("\r\n");
    FUZZ_CHECK(eol != std::string_view::npos);
    std::vector<std::string> got;
    for (out.remove_prefix(eol + 2); !out.empty(); out.remove_prefix(eol + 2)) {
      eol = out.find("\r\n");
      FUZZ_CHECK(eol != std::string_view::npos);
      std::string_view line = out.substr(0, eol);
      FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos && !line.empty() && line[0] != ' ' && line[0] != '\t');
      got.emplace_back(line);
    }
    fuzz::same_events(kept, got);
  }

  llhttp_t p_;
  std::string_view stream_;
  size_t at_ = 0;  // offset in the stream of chunk_[0]
  std::unique_ptr<char[]> chunk_;
  size_t chunk_size_, len_ = 0, out_cap_, head_seen_ = 0;
  bool head_only_;
  std::string prefix_;
  fuzz::Rooms rooms_;  // the client's output room per body step
  std::vector<Field> fields_;
  bool in_value_ = false, headers_done_ = false, message_done_ = false, head_sent_ = false, stopped_ = false;
  uint64_t body_ = 0;  // body bytes copied to the client
  std::vector<std::string> events_;
};

const llhttp_settings_t Upstream::kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_header_field = on_field;
  s.on_header_value = on_value;
  s.on_headers_complete = on_headers_complete;
  s.on_message_complete = on_message_complete;
  return s;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  size_t chunk = in.ConsumeIntegralInRange<size_t>(64, 4096);
  size_t out_cap = in.ConsumeIntegralInRange<size_t>(0, 4096);
  bool head_only = in.ConsumeBool();
  static const char* const kPrefixes[] = {"", "/proxy/3000", "/absproxy/8080/"};
  std::string_view prefix = kPrefixes[in.ConsumeIntegralInRange<size_t>(0, 2)];
  fuzz::Reads r = fuzz::reads(in, 256);
  if (r.stream.empty()) return 0;
  Upstream whole(r.stream, chunk, out_cap, head_only, prefix, nullptr);
  whole.feed(r.stream);
  whole.eof();
  Upstream split(r.stream, chunk, out_cap, head_only, prefix, &r.sizes);
  fuzz::deliver(r, [&split](std::string_view piece) { split.feed(piece); });
  split.eof();
  fuzz::same_events(whole.events(), split.events());
  return 0;
}
