// SPDX-License-Identifier: MIT
// stream — the two ends of the upgrade-stream benchmark (bench.sh builds it).
//
//   stream serve PORT BYTES   on 127.0.0.1:PORT, answer every request with 101,
//                             then send BYTES bytes and close (BYTES 0: stay idle)
//   stream fetch PORT [N]     send a WebSocket upgrade to 127.0.0.1:PORT, read
//                             the 101 and then everything until EOF; print
//                             "BYTES SECONDS MB/s".  With N: open N upgrades,
//                             hold them until stdin closes.
#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

int listen_on(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 4096) != 0) {
    perror("bind");
    exit(1);
  }
  return s;
}

int connect_to(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    perror("connect");
    exit(1);
  }
  return s;
}

bool read_head(int s) {
  std::string h;
  char c;
  while (h.size() < 65536 && read(s, &c, 1) == 1) {
    h += c;
    if (h.size() >= 4 && h.compare(h.size() - 4, 4, "\r\n\r\n") == 0) return h.compare(0, 12, "HTTP/1.1 101") == 0 || h.compare(0, 3, "GET") == 0;
  }
  return false;
}

void serve_one(int c, long long bytes) {
  if (!read_head(c)) return (void)close(c);
  static const char k101[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  if (write(c, k101, sizeof k101 - 1) < 0) return (void)close(c);
  if (bytes == 0) {  // idle: hold until the peer goes
    char b[64];
    while (read(c, b, sizeof b) > 0) {
    }
    return (void)close(c);
  }
  static std::vector<char> buf(1 << 20, 'x');
  for (long long left = bytes; left > 0;) {
    ssize_t w = write(c, buf.data(), static_cast<size_t>(left < (1 << 20) ? left : (1 << 20)));
    if (w <= 0) break;
    left -= w;
  }
  close(c);
}

const char kUpgrade[] =
    "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
    int l = listen_on(atoi(argv[2]));
    long long bytes = atoll(argv[3]);
    for (;;) {
      int c = accept(l, nullptr, nullptr);
      if (c >= 0) std::thread(serve_one, c, bytes).detach();
    }
  }
  if (argc >= 3 && strcmp(argv[1], "fetch") == 0) {
    int port = atoi(argv[2]);
    if (argc >= 4) {  // hold N idle upgrades
      int n = atoi(argv[3]);
      std::vector<int> socks;
      for (int i = 0; i < n; i++) {
        int s = connect_to(port);
        if (write(s, kUpgrade, sizeof kUpgrade - 1) < 0 || !read_head(s)) {
          fprintf(stderr, "upgrade %d failed\n", i);
          return 1;
        }
        socks.push_back(s);
      }
      printf("held %d\n", n);
      fflush(stdout);
      char b;
      while (read(0, &b, 1) > 0) {
      }
      return 0;
    }
    int s = connect_to(port);
    auto t0 = std::chrono::steady_clock::now();
    if (write(s, kUpgrade, sizeof kUpgrade - 1) < 0 || !read_head(s)) {
      fprintf(stderr, "no 101\n");
      return 1;
    }
    std::vector<char> buf(1 << 20);
    long long total = 0;
    for (ssize_t r; (r = read(s, buf.data(), buf.size())) > 0;) total += r;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("%lld %.3f %.0f\n", total, secs, total / secs / 1e6);
    return 0;
  }
  fprintf(stderr, "usage: stream serve PORT BYTES | stream fetch PORT [N]\n");
  return 100;
}
