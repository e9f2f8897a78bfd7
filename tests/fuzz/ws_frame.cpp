// SPDX-License-Identifier: MIT
// ws_frame — fuzzes the WebSocket frame codec (ws::parse_header,
// write_header, unmask) and the incremental UTF-8 check (ws::Utf8) the way
// ws::Endpoint uses them: frames decoded from a buffer that grows read by
// read, each payload unmasked in place piece by piece, text checked as it
// streams.
//
// Invariants: a header is 2 + 0/2/8 + 0/4 bytes as its bits say, parsed the
// same from any longer prefix and not at all from a shorter one; written
// headers parse back; unmasking in pieces equals XOR with the mask; Utf8
// agrees with a code-point decoder; whole and split deliveries agree.
//
// Input: from the end, an opcode and a length for the write_header round
// trip; then the reads (see fuzz.h).
//
// fuzz: -max_len=2048
#include <cstring>

#include "fuzz.h"
#include "ws/frame.h"
#include "ws/utf8.h"

namespace {

// 0: `s` is valid UTF-8; 1: a valid prefix of some; 2: neither.  Decodes
// code points, so it shares nothing with Utf8's byte-range table.
int utf8_reference(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<uint8_t>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0) return 2;
    // An unfinished last sequence is completed with the smallest bytes that
    // could follow; if even those fail, no completion exists.
    std::string seq = s.substr(i, len);
    bool cut = seq.size() < len;
    static const uint8_t kLeast[5][2] = {{0, 0}, {0, 0}, {0, 0}, {0xE0, 0xA0}, {0xF0, 0x90}};
    while (seq.size() < len) seq += static_cast<char>(seq.size() == 1 && b == kLeast[len][0] ? kLeast[len][1] : 0x80);
    uint32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (size_t k = 1; k < len; k++) {
      auto c = static_cast<uint8_t>(seq[k]);
      if ((c & 0xC0) != 0x80) return 2;
      cp = cp << 6 | (c & 0x3F);
    }
    static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 2;
    if (cut) return 1;
    i += len;
  }
  return 0;
}

class Decoder {
 public:
  explicit Decoder(const std::vector<size_t>* rooms) : rooms_(rooms) {}

  void feed(std::string_view bytes) {
    buf_ += bytes;
    for (;;) {
      if (!in_frame_ && !header()) return;
      size_t take = std::min<uint64_t>(f_.length - done_, std::min(buf_.size(), rooms_.next()));
      if (take == 0 && f_.length > done_) return;
      auto* p = reinterpret_cast<uint8_t*>(&buf_[0]);
      std::string raw(buf_, 0, take);
      if (f_.masked) ws::unmask(p, take, f_.mask, done_);
      for (size_t i = 0; i < take; i++) {
        FUZZ_CHECK(static_cast<uint8_t>(buf_[i]) == (static_cast<uint8_t>(raw[i]) ^ (f_.masked ? f_.mask[(done_ + i) % 4] : 0)));
      }
      if (text_ && f_.opcode < 8 && utf8_ok_) {
        utf8_ok_ = utf8_.feed(p, take);
        text_seen_.append(buf_, 0, take);
      }
      payload_.append(buf_, 0, take);
      buf_.erase(0, take);
      done_ += take;
      if (done_ == f_.length) end_frame();
      else if (buf_.empty()) return;
    }
  }
  const std::vector<std::string>& events() const { return events_; }

 private:
  bool header() {
    size_t h = ws::parse_header(reinterpret_cast<const uint8_t*>(buf_.data()), buf_.size(), &f_);
    if (h == 0) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(buf_.data());
    uint8_t len7 = p[1] & 0x7F;
    FUZZ_CHECK(h == 2u + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (f_.masked ? 4 : 0));
    FUZZ_CHECK(len7 >= 126 || f_.length == len7);
    for (size_t k = 0; k < h; k++) {
      ws::FrameHeader g;
      FUZZ_CHECK(ws::parse_header(p, k, &g) == 0);
    }
    ws::FrameHeader g;
    FUZZ_CHECK(ws::parse_header(p, h, &g) == h && g.length == f_.length && g.opcode == f_.opcode);
    FUZZ_CHECK(!f_.masked || memcmp(g.mask, p + h - 4, 4) == 0);
    events_.push_back("frame " + std::to_string(f_.fin) + std::to_string(f_.rsv) + " op " +
                      std::to_string(f_.opcode) + " masked " + std::to_string(f_.masked) + " length " +
                      std::to_string(f_.length));
    buf_.erase(0, h);
    in_frame_ = true;
    done_ = 0;
    payload_.clear();
    if (f_.opcode == ws::kText || f_.opcode == ws::kBinary) {  // a data message starts
      text_ = f_.opcode == ws::kText;
      utf8_.reset();
      utf8_ok_ = true;
      text_seen_.clear();
    }
    return true;
  }

  void end_frame() {
    in_frame_ = false;
    std::string e = "payload " + std::to_string(std::hash<std::string>()(payload_));
    if (text_ && f_.opcode < 8) {
      // Utf8 fails at the first byte that no completion can save; it then
      // stays failed; complete() is for the end of a message.
      int ref = utf8_reference(text_seen_);
      FUZZ_CHECK(utf8_ok_ == (ref != 2));
      if (utf8_ok_) FUZZ_CHECK(utf8_.complete() == (ref == 0));
      e += utf8_ok_ ? (utf8_.complete() ? " utf8 complete" : " utf8 open") : " utf8 bad";
    }
    events_.push_back(e);
  }

  fuzz::Rooms rooms_;  // bytes of payload handled per step
  std::string buf_;
  ws::FrameHeader f_;
  bool in_frame_ = false, text_ = false, utf8_ok_ = true;
  uint64_t done_ = 0;
  std::string payload_, text_seen_;
  ws::Utf8 utf8_;
  std::vector<std::string> events_;
};

// write_header for a final frame parses back as what was written.
void round_trip(uint8_t opcode, uint64_t length) {
  uint8_t out[10];
  size_t n = ws::write_header(out, opcode, length);
  FUZZ_CHECK(n == (length < 126 ? 2u : length <= 0xFFFF ? 4u : 10u));
  ws::FrameHeader h;
  FUZZ_CHECK(ws::parse_header(out, n, &h) == n);
  FUZZ_CHECK(h.fin && h.rsv == 0 && h.opcode == opcode && !h.masked && h.length == length);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  uint8_t opcode = in.ConsumeIntegralInRange<uint8_t>(0, 15);
  uint64_t length = in.ConsumeIntegral<uint64_t>() >> in.ConsumeIntegralInRange<int>(0, 63);
  round_trip(opcode, length);
  fuzz::Reads r = fuzz::reads(in, 64);
  Decoder whole(nullptr);
  whole.feed(r.stream);
  Decoder split(&r.sizes);
  fuzz::deliver(r, [&split](std::string_view piece) { split.feed(piece); });
  fuzz::same_events(whole.events(), split.events());
  return 0;
}
