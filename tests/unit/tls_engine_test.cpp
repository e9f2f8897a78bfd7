// SPDX-License-Identifier: MIT
// The TLS engine against BearSSL's own client over a socketpair, pumped by
// hand so that every record can be cut where a test wants it.  What is
// under test is the engine's glue: the record buffer handed back to the
// kernel once the handshake is done (Engine::trim) must never lose a byte
// that was in it, whether nothing, a part of a record or a whole one was
// waiting, and the bytes after it must flow both ways as before.
#include "tls_rig.h"

using tls_rig::Client;
using tls_rig::Pair;
using tls_rig::pattern;
using tls_rig::Wire;

TEST_CASE("tls engine: after the buffer is handed back, every byte still flows, both ways") {
  Pair p;
  Wire k(p);
  Client cl(p.creds->chain()[0], nullptr);
  k.handshake(cl);
  cl.pump(k.c);
  cl.put(k.c);
  k.serve();
  CHECK(p.server.buffers_returned() == 1);  // its last read found nothing: the buffer went back to the kernel
  std::string req = pattern(40000);  // three records, the last a short one
  cl.write_app(req);
  cl.put(k.c, 7);  // a header and two bytes of the first, then the rest
  CHECK(k.serve() == "");
  cl.put(k.c);
  std::string got;
  for (int i = 0; i < 20 && got.size() < req.size(); i++) got += k.serve();
  CHECK(got == req);
  std::string down(70000, 'x');
  CHECK(k.answer(cl, down) == down);
  cl.write_app("after");
  cl.put(k.c);
  CHECK(k.serve() == "after");
}

TEST_CASE("tls engine: a resumed handshake whose Finished comes with part of a record keeps that part") {
  Pair p;
  br_ssl_session_parameters sp;
  {
    Wire first(p);
    Client cl(p.creds->chain()[0], nullptr);
    first.handshake(cl);
    br_ssl_engine_get_session_parameters(&cl.cc.eng, &sp);
  }
  Wire k(p);
  Client cl(p.creds->chain()[0], &sp);
  // ClientHello; the server's ServerHello, ChangeCipherSpec and Finished;
  // abbreviated, so the client may send at once, its own Finished held.
  k.handshake(cl, true);
  REQUIRE(!cl.out.empty());
  std::string req = pattern(3000);
  cl.write_app(req);  // its ChangeCipherSpec, Finished and one record of application data
  size_t whole = cl.out.size();
  REQUIRE(whole > 3000);
  uint64_t returned = p.server.buffers_returned();
  cl.put(k.c, whole - 1500);  // the handshake ends with half a record in the buffer
  CHECK(k.serve() == "");
  CHECK(p.server.buffers_returned() == returned);  // not with that half in it
  cl.put(k.c);
  CHECK(k.serve() == req);
  CHECK(p.server.buffers_returned() == returned + 1);
  std::string down = pattern(20000);  // and after the buffer went back (the read above found nothing more)
  CHECK(k.answer(cl, down) == down);
  cl.write_app("bye");
  cl.put(k.c);
  CHECK(k.serve() == "bye");
}
