// SPDX-License-Identifier: MIT
// request_path — the request path as a client and an app drive it: the real loop,
// HTTP handler, proxy and tunnel (tests/unit/rig.h), with the fuzzer writing
// both the client's bytes and the app's answers, split into reads where it
// says, with closes and half-closes anywhere between loop turns.
//
// Invariants, beyond ASan/UBSan:
//   - what reaches the app parses as HTTP/1.1 requests (strict llhttp), no
//     more of them than the client sent heads: nothing unparsed is forwarded,
//     no request is smuggled (until a 101 makes the stream a WebSocket's);
//   - once both ends are closed, every Conn is freed within a bounded number
//     of turns: no Conn is kept alive by a lost link.
//
// fuzz: -max_len=8192 -dict=tests/fuzz/http.dict
#include <llhttp.h>

#define RIG_MUST(cond) FUZZ_CHECK(cond)
#include "fuzz.h"
#include "../unit/rig.h"

namespace {

rig::Rig& the_rig() {
  static rig::Rig* r = new rig::Rig;  // one loop and listener for the whole run
  return *r;
}

// Counts the requests in what the app received; false if it is not HTTP.
struct AppSide {
  llhttp_t parser;
  llhttp_settings_t settings;
  int requests = 0;
  bool upgraded = false;
  bool broken = false;
  AppSide() {
    llhttp_settings_init(&settings);
    settings.on_message_complete = [](llhttp_t* p) {
      static_cast<AppSide*>(p->data)->requests++;
      return 0;
    };
    next_connection();
  }
  void next_connection() {  // a new connection from portico starts a new stream
    llhttp_init(&parser, HTTP_REQUEST, &settings);
    parser.data = this;
  }
  void feed(const std::string& bytes) {
    if (upgraded || broken || bytes.empty()) return;
    llhttp_errno_t e = llhttp_execute(&parser, bytes.data(), bytes.size());
    if (e == HPE_PAUSED_UPGRADE) upgraded = true;
    else if (e != HPE_OK) broken = true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  rig::Rig& r = the_rig();
  int client = r.client();
  int app = -1;
  AppSide seen;
  bool answered_101 = false;
  std::string sent;  // all the client sent: its request lines bound what the app may see
  for (int step = 0; step < 64 && in.remaining_bytes() > 0; step++) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
      case 1:
      case 2: {  // the client sends a piece
        std::string piece = in.ConsumeRandomLengthString(4096);
        sent += piece;
        rig::put(client, piece);
        break;
      }
      case 3: {  // the app answers a piece
        std::string piece = in.ConsumeRandomLengthString(4096);
        if (app >= 0) rig::put(app, piece);
        if (piece.find(" 101") != std::string::npos) answered_101 = true;
        break;
      }
      case 4:  // the app hangs up
        if (app >= 0) ::close(app), app = -1;
        break;
      case 5:  // the client half-closes, or leaves
        if (in.ConsumeBool()) shutdown(client, SHUT_WR);
        else ::close(client), client = -1;
        break;
      default:
        break;
    }
    if (client < 0) break;
    for (int t = in.ConsumeIntegralInRange<int>(1, 4); t > 0; t--) r.loop.turn(0);
    if (app < 0 && (app = r.try_accept()) >= 0) seen.next_connection();
    if (app >= 0) {
      bool gone = false;
      seen.feed(rig::take(app, &gone));
      if (gone) ::close(app), app = -1;  // portico ended it: the next one is new
    }
    (void)rig::take(client);
  }
  if (app >= 0) seen.feed(rig::take(app));
  if (!answered_101 && !seen.upgraded) {
    int heads = 0;
    for (size_t at = sent.find("HTTP/1."); at != std::string::npos; at = sent.find("HTTP/1.", at + 1)) heads++;
    FUZZ_CHECK(!seen.broken);
    FUZZ_CHECK(seen.requests <= heads);
  }
  if (client >= 0) ::close(client);
  if (app >= 0) ::close(app);
  for (int fd; (fd = r.try_accept()) >= 0;) ::close(fd);
  FUZZ_CHECK(r.quiesce());
  return 0;
}
