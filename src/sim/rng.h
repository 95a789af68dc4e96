/* sim/rng.h  The simulator's random numbers: xoshiro256** seeded by
 * splitmix64.
 *
 * libc's rand() differs between libcs and has a poor low bit; xoshiro256**
 * (Blackman and Vigna) is small, fast (about 1 ns a number) and gives the
 * same sequence everywhere, because it is plain 64-bit integer arithmetic.
 * splitmix64 turns any seed, 0 included, into a well-mixed state, and
 * rng_stream() derives independent streams from one seed and a stream
 * number, so each queue draws from streams of its own.
 *
 * The samplers (exponential, lognormal) call log(), exp(), sqrt(), cos()
 * from libm: identical on one machine, and across machines as far as libm
 * rounds the same way.  Everything is static inline: the simulator draws
 * several numbers per simulated call.
 */

#ifndef SB_SIM_RNG_H
#define SB_SIM_RNG_H

#include <math.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

static inline uint64_t rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Stream `stream` of seed `seed`: different streams never share state. */
static inline void rng_stream(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);

	(void)rng_splitmix(&x);    /* mix the stream number in first */
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&x);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return res;
}

/* Uniform in (0, 1]: never 0, so log() is always finite. */
static inline double rng_unit(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 1.0) * 0x1.0p-53;
}

static inline double rng_exp(struct rng *r, double mean)
{
	return -mean * log(rng_unit(r));
}

/* Standard normal by Box-Muller; one of the pair is dropped, which keeps
 * the stream position independent of history. */
static inline double rng_normal(struct rng *r)
{
	double u1 = rng_unit(r), u2 = rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Lognormal exp(mu + sigma Z); for mean m and standard deviation sd,
 * sigma^2 = log(1 + sd^2 / m^2) and mu = log(m) - sigma^2 / 2 (the caller
 * computes them once). */
static inline double rng_lognormal(struct rng *r, double mu, double sigma)
{
	return exp(mu + sigma * rng_normal(r));
}

#endif
