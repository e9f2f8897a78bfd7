// SPDX-License-Identifier: MIT
// Follows the structure of RFC 9106 §3: H0, the first two blocks of each
// lane, then passes of four slices, each slice a segment per lane.
#include "auth/argon2.h"

#include <cstring>
#include <sys/mman.h>

#include "auth/blake2b.h"
#include "base/strings.h"

namespace auth {
namespace {

constexpr size_t kWords = 128;   // a block is 1024 bytes
constexpr uint32_t kSlices = 4;

struct Block {
  uint64_t v[kWords];
};

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

void update32(Blake2b& b, uint32_t v) {
  uint8_t le[4];
  put32(le, v);
  b.update(le, 4);
}

// H' (RFC 9106 §3.3): a hash of any length built from BLAKE2b-64 links.
void hash_long(uint8_t* out, size_t out_len, const uint8_t* in, size_t in_len) {
  Blake2b b;
  b.init(out_len <= 64 ? out_len : 64);
  update32(b, static_cast<uint32_t>(out_len));
  b.update(in, in_len);
  if (out_len <= 64) {
    b.final(out);
    return;
  }
  uint8_t v[64];
  b.final(v);
  memcpy(out, v, 32);
  size_t done = 32, left = out_len - 32;
  while (left > 64) {
    Blake2b::hash(v, 64, v, 64);
    memcpy(out + done, v, 32);
    done += 32;
    left -= 32;
  }
  Blake2b::hash(out + done, left, v, 64);
}

inline uint64_t rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

// BLAKE2b's G with the multiplications Argon2 adds (RFC 9106 §3.6).
inline void gb(uint64_t& a, uint64_t& b, uint64_t& c, uint64_t& d) {
  auto mul = [](uint64_t x, uint64_t y) { return 2 * (x & 0xFFFFFFFFULL) * (y & 0xFFFFFFFFULL); };
  a = a + b + mul(a, b);
  d = rotr(d ^ a, 32);
  c = c + d + mul(c, d);
  b = rotr(b ^ c, 24);
  a = a + b + mul(a, b);
  d = rotr(d ^ a, 16);
  c = c + d + mul(c, d);
  b = rotr(b ^ c, 63);
}

// P on 16 words given by their indices into z.
inline void permute(uint64_t* z, const size_t (&i)[16]) {
  gb(z[i[0]], z[i[4]], z[i[8]], z[i[12]]);
  gb(z[i[1]], z[i[5]], z[i[9]], z[i[13]]);
  gb(z[i[2]], z[i[6]], z[i[10]], z[i[14]]);
  gb(z[i[3]], z[i[7]], z[i[11]], z[i[15]]);
  gb(z[i[0]], z[i[5]], z[i[10]], z[i[15]]);
  gb(z[i[1]], z[i[6]], z[i[11]], z[i[12]]);
  gb(z[i[2]], z[i[7]], z[i[8]], z[i[13]]);
  gb(z[i[3]], z[i[4]], z[i[9]], z[i[14]]);
}

// The compression G (RFC 9106 §3.5): next = P(x ^ y) ^ x ^ y, with P
// applied to the 8 rows, then the 8 columns, of 16-byte registers; v1.3
// XORs the result into the old block on passes after the first.
void compress(const Block& x, const Block& y, Block& next, bool xor_old) {
  Block r, z;
  for (size_t k = 0; k < kWords; k++) r.v[k] = z.v[k] = x.v[k] ^ y.v[k];
  for (size_t row = 0; row < 8; row++) {
    size_t idx[16];
    for (size_t k = 0; k < 16; k++) idx[k] = 16 * row + k;
    permute(z.v, idx);
  }
  for (size_t col = 0; col < 8; col++) {
    size_t idx[16];
    for (size_t k = 0; k < 8; k++) {
      idx[2 * k] = 2 * col + 16 * k;
      idx[2 * k + 1] = 2 * col + 16 * k + 1;
    }
    permute(z.v, idx);
  }
  for (size_t k = 0; k < kWords; k++) next.v[k] = (xor_old ? next.v[k] : 0) ^ z.v[k] ^ r.v[k];
}

void load_block(Block& b, const uint8_t* p) {
  for (size_t k = 0; k < kWords; k++) {
    uint64_t w = 0;
    for (int j = 7; j >= 0; j--) w = (w << 8) | p[8 * k + static_cast<size_t>(j)];
    b.v[k] = w;
  }
}

struct Instance {
  Block* mem;
  uint32_t lanes, lane_len, seg_len, passes, blocks;
  Argon2Type type;
  uint32_t version;
};

// Which block of the reference lane to use (RFC 9106 §3.4.1.2).
uint32_t ref_index(const Instance& in, uint32_t pass, uint32_t slice, uint32_t i, uint32_t j1, bool same_lane) {
  uint64_t area;
  if (pass == 0) {
    if (slice == 0) area = i - 1;
    else area = same_lane ? uint64_t{slice} * in.seg_len + i - 1 : uint64_t{slice} * in.seg_len - (i == 0);
  } else {
    area = same_lane ? uint64_t{in.lane_len} - in.seg_len + i - 1 : uint64_t{in.lane_len} - in.seg_len - (i == 0);
  }
  uint64_t x = (uint64_t{j1} * j1) >> 32;
  uint64_t rel = area - 1 - ((area * x) >> 32);
  uint64_t start = (pass != 0 && slice != kSlices - 1) ? uint64_t{slice + 1} * in.seg_len : 0;
  return static_cast<uint32_t>((start + rel) % in.lane_len);
}

void fill_segment(const Instance& in, uint32_t pass, uint32_t lane, uint32_t slice) {
  bool independent = in.type == Argon2Type::I || (in.type == Argon2Type::ID && pass == 0 && slice < 2);
  Block zero{}, input{}, addresses{};
  if (independent) {
    input.v[0] = pass;
    input.v[1] = lane;
    input.v[2] = slice;
    input.v[3] = in.blocks;
    input.v[4] = in.passes;
    input.v[5] = static_cast<uint64_t>(in.type);
  }
  auto next_addresses = [&] {
    input.v[6]++;
    compress(zero, input, addresses, false);
    compress(zero, addresses, addresses, false);
  };
  uint32_t first = (pass == 0 && slice == 0) ? 2 : 0;
  if (independent && first != 0) next_addresses();
  uint32_t cur = lane * in.lane_len + slice * in.seg_len + first;
  uint32_t prev = (cur % in.lane_len == 0) ? cur + in.lane_len - 1 : cur - 1;
  for (uint32_t i = first; i < in.seg_len; i++, cur++, prev++) {
    if (cur % in.lane_len == 1) prev = cur - 1;
    uint64_t rnd;
    if (independent) {
      if (i % kWords == 0) next_addresses();
      rnd = addresses.v[i % kWords];
    } else {
      rnd = in.mem[prev].v[0];
    }
    uint32_t ref_lane = (pass == 0 && slice == 0) ? lane : static_cast<uint32_t>((rnd >> 32) % in.lanes);
    uint32_t idx = ref_index(in, pass, slice, i, static_cast<uint32_t>(rnd), ref_lane == lane);
    compress(in.mem[prev], in.mem[uint64_t{ref_lane} * in.lane_len + idx], in.mem[cur],
             pass != 0 && in.version == 0x13);
  }
}

}  // namespace

bool argon2_params_ok(const Argon2Params& p) {
  return p.p >= 1 && p.p <= 64 && p.t >= 1 && p.t <= 64 && p.m_kib >= 8 * p.p && p.m_kib <= (1u << 20) &&
         (p.version == 0x13 || p.version == 0x10) && static_cast<unsigned>(p.type) <= 2;
}

bool argon2_hash(const Argon2Params& params, const void* pwd, size_t pwd_len, const void* salt, size_t salt_len,
                 const void* secret, size_t secret_len, const void* ad, size_t ad_len, uint8_t* out, size_t out_len) {
  if (!argon2_params_ok(params) || out_len < 4 || out_len > 1024 || salt_len < 8) return false;
  Instance in;
  in.lanes = params.p;
  in.blocks = 4 * params.p * (params.m_kib / (4 * params.p));
  in.lane_len = in.blocks / params.p;
  in.seg_len = in.lane_len / kSlices;
  in.passes = params.t;
  in.type = params.type;
  in.version = params.version;
  size_t bytes = size_t{in.blocks} * sizeof(Block);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return false;
  in.mem = static_cast<Block*>(mem);

  uint8_t h0[72];  // H0, then the block and lane numbers for H'
  Blake2b b;
  b.init(64);
  for (uint32_t v : {params.p, static_cast<uint32_t>(out_len), params.m_kib, params.t, params.version,
                     static_cast<uint32_t>(params.type)}) {
    update32(b, v);
  }
  const std::pair<const void*, size_t> inputs[] = {{pwd, pwd_len}, {salt, salt_len}, {secret, secret_len}, {ad, ad_len}};
  for (const auto& [data, len] : inputs) {
    update32(b, static_cast<uint32_t>(len));
    if (len > 0) b.update(data, len);
  }
  b.final(h0);
  uint8_t block[1024];
  for (uint32_t lane = 0; lane < in.lanes; lane++) {
    for (uint32_t j = 0; j < 2; j++) {
      put32(h0 + 64, j);
      put32(h0 + 68, lane);
      hash_long(block, sizeof block, h0, sizeof h0);
      load_block(in.mem[lane * in.lane_len + j], block);
    }
  }
  for (uint32_t pass = 0; pass < in.passes; pass++) {
    for (uint32_t slice = 0; slice < kSlices; slice++) {
      for (uint32_t lane = 0; lane < in.lanes; lane++) fill_segment(in, pass, lane, slice);
    }
  }
  Block c = in.mem[in.lane_len - 1];
  for (uint32_t lane = 1; lane < in.lanes; lane++) {
    for (size_t k = 0; k < kWords; k++) c.v[k] ^= in.mem[lane * in.lane_len + in.lane_len - 1].v[k];
  }
  for (size_t k = 0; k < kWords; k++) {
    for (size_t j = 0; j < 8; j++) block[8 * k + j] = static_cast<uint8_t>(c.v[k] >> (8 * j));
  }
  hash_long(out, out_len, block, sizeof block);
  // The memory held password-derived state: wipe before giving it back.
  memset(mem, 0, bytes);
  munmap(mem, bytes);
  memset(block, 0, sizeof block);
  return true;
}

}  // namespace auth
