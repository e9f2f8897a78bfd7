// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "http/request.h"
#include "routes/heart.h"

namespace {
bool exists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}
}  // namespace

TEST_CASE("heart: /healthz does not beat, anything else does; the heartbeat file at most once a minute") {
  char dir[] = "/tmp/portico-heart-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  base::Clock clock;
  routes::Heart heart(&clock);
  heart.file = std::string(dir) + "/heartbeat";
  http::Request health, other;
  health.path = "/healthz";
  other.path = "/robots.txt";
  int64_t started = heart.active_ms();
  heart.beat(health);
  CHECK(heart.last_beat_ms() == 0);
  CHECK(!heart.alive());
  CHECK(!exists(heart.file));
  heart.beat(other);
  CHECK(heart.alive());
  CHECK(heart.active_ms() >= started);
  struct stat st;
  REQUIRE(stat(heart.file.c_str(), &st) == 0);
  CHECK(st.st_size == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Within the minute: no second write, so a removed file stays removed.
  unlink(heart.file.c_str());
  heart.beat(other);
  heart.beat();
  CHECK(!exists(heart.file));
  rmdir(dir);
}

TEST_CASE("heart: a link planted where the file goes is not followed, and the file it names is not emptied") {
  char dir[] = "/tmp/portico-heart-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  std::string victim = std::string(dir) + "/victim", link = std::string(dir) + "/heartbeat";
  int fd = open(victim.c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(write(fd, "keep", 4) == 4);
  close(fd);
  REQUIRE(symlink(victim.c_str(), link.c_str()) == 0);
  base::Clock clock;
  routes::Heart heart(&clock);
  heart.file = link;
  heart.beat();
  CHECK(heart.alive());   // the beat counts; only the file could not be written
  struct stat st;
  REQUIRE(stat(victim.c_str(), &st) == 0);
  CHECK(st.st_size == 4);
  unlink(link.c_str());
  unlink(victim.c_str());
  rmdir(dir);
}
