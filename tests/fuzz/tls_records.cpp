// SPDX-License-Identifier: MIT
// tls_records — fuzzes the TLS engine's glue (src/tls/engine.cpp) with
// BearSSL's own client over a socketpair (tests/unit/tls_rig.h): after a
// real handshake, full or resumed (the client's Finished then held back or
// not), the input says what happens next, step by step: the client writes
// application bytes, the socket gets some of the client's records (cut
// anywhere), the engine takes a turn, the engine answers, the client closes
// (close_notify), or the client asks to renegotiate (refused).  The record
// buffer is handed back to the kernel when the engine first finds nothing
// to read, wherever the cut left it.
//
// Invariants: valid records cut anywhere never make the engine fail; what
// it reads is a prefix of what the client wrote, and all of it once the
// rest is given or the client closes (then a clean end); what the client
// reads back is what the engine took to send; a refused renegotiation
// loses nothing the client wrote before it.
//
// fuzz: -max_len=256
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "fuzz.h"

#define TLS_RIG_MUST(cond) FUZZ_CHECK(cond)
#include "../unit/tls_rig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tls_rig::Pair* pair = new tls_rig::Pair;  // one server and CA for the run
  static br_ssl_session_parameters* session = [] {  // a session to resume, from a first handshake
    tls_rig::Wire k(*pair);
    tls_rig::Client cl(pair->creds->chain()[0], nullptr);
    k.handshake(cl);
    auto* sp = new br_ssl_session_parameters;
    br_ssl_engine_get_session_parameters(&cl.cc.eng, sp);
    return sp;
  }();
  FuzzedDataProvider in(data, size);
  tls_rig::Wire k(*pair);
  tls_rig::Client cl(pair->creds->chain()[0], in.ConsumeBool() ? session : nullptr);
  k.handshake(cl, in.ConsumeBool());
  std::string up, got;
  for (int step = 0; step < 64 && in.remaining_bytes() > 0; step++) {
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0: {  // the client writes
        std::string s = tls_rig::pattern(in.ConsumeIntegralInRange<size_t>(1, 40000));
        cl.write_app(s);
        up += s;
        break;
      }
      case 1:  // the socket gets some of its records
        cl.put(k.c, in.ConsumeIntegralInRange<size_t>(0, 20000));
        break;
      case 2:  // the engine's turn
        got += k.serve();
        FUZZ_CHECK(up.compare(0, got.size(), got) == 0);
        break;
      case 4:  // the client closes (close_notify): the engine reads all it wrote, then the end
        br_ssl_engine_close(&cl.cc.eng);
        k.strict = false;
        for (int i = 0; i < 256 && k.ended == 0; i++) {
          cl.pump(k.c);
          cl.put(k.c);
          got += k.serve();
        }
        FUZZ_CHECK(k.ended == 1 && got == up);
        return 0;
      case 5:  // the client asks to renegotiate: refused (the client then gives up), nothing lost before
        if (!br_ssl_engine_renegotiate(&cl.cc.eng)) break;
        k.strict = false;
        for (int i = 0; i < 256 && k.ended == 0 && !(cl.state() & BR_SSL_CLOSED); i++) {
          cl.pump(k.c);
          cl.put(k.c);
          got += k.serve();
        }
        FUZZ_CHECK(up.compare(0, got.size(), got) == 0 && (cl.state() & BR_SSL_CLOSED));
        return 0;
      default: {  // the engine answers
        std::string s(in.ConsumeIntegralInRange<size_t>(1, 30000), static_cast<char>('A' + step % 26));
        size_t taken;
        FUZZ_CHECK(k.answer(cl, s, &taken) == s.substr(0, taken));
        break;
      }
    }
  }
  for (int i = 0; i < 256 && got.size() < up.size(); i++) {
    cl.put(k.c);
    got += k.serve();
  }
  FUZZ_CHECK(got == up);
  return 0;
}
