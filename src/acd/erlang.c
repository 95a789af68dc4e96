/* acd/erlang.c  Staffing from queueing theory: Erlang C and Erlang A.
 *
 * Definitions, with rate = calls / interval_s and mu = 1 / aht_s:
 *   load       offered load A = rate * aht_s, Erlangs
 *   p_wait     share of arrivals that find all N agents busy
 *   p_abandon  share of arrivals that hang up before an answer
 *   asa_s      mean wait of the answered calls, the zero waits included
 *              (Erlang C: of all calls, since all are answered)
 *   sl         share of ALL arrivals answered within T; calls answered
 *              later and calls abandoned count against it
 *   occupancy  carried load / N; carried load = A * (1 - p_abandon)
 *   scheduled  ceil(N / (1 - shrinkage))
 * Arrivals see the time averages (PASTA), so each share is also a sum over
 * the states an arrival can find.
 *
 * Erlang B by the recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)):
 * every step stays in [0, 1], so it neither overflows nor loses precision
 * for thousands of agents, where A^N / N! would.  O(N).
 *
 * Erlang C (patience_s 0; M/M/N) is stable only for N > A (else ERANGE):
 *   p_wait = C = N B / (N - A (1 - B))
 *   asa_s  = C aht / (N - A)
 *   sl     = 1 - C exp(-(N - A) T / aht)
 *
 * Erlang A (M/M/N+M; Garnett, Mandelbaum and Reiman 2002; Mandelbaum and
 * Zeltyn, "The Erlang-A queue"), theta = 1 / patience_s, stable for any N.
 * A birth-death chain: pi(n) ~ A^n / n! up to N, and above it
 *   pi(N+k) = pi(N) q(k),  q(k) = prod_{j=1..k} rate / (N mu + j theta),
 * as N+k calls leave at N mu + k theta.  Relative to pi(N), the states
 * below N weigh (1 - B) / B.  A caller arriving in state N+k has k callers
 * ahead; callers behind it do not matter (first come, first served), and
 * it moves up at N mu + j theta while j are ahead (an agent frees, or one
 * of them leaves).  Its time to an agent is then
 *   S = sum_{j=0..k} Exp(N mu + j theta),
 * and it is answered if S beats its own patience, Exp(theta):
 *   E[g(S); answered] = E[g(S) exp(-theta S)].
 * Multiplying the density of a sum of exponentials by exp(-theta s) turns
 * each phase Exp(r) into (r / (r + theta)) Exp(r + theta); the factors
 * telescope, and the new sum S' has the rates theta (c + i), i = 1..k+1,
 * with c = N mu / theta.  So, for a caller with k ahead:
 *   P(answered)          = N mu / (N mu + (k+1) theta)
 *   E[S; answered]       = P(answered) * sum_{i=1..k+1} 1 / (N mu + i theta)
 *   P(S <= T; answered)  = P(answered) * P(S' <= T)
 * exp(-theta S') is a product of independent Beta(c+i, 1) variables, that
 * is Beta(c+1, k+1); with x = exp(-theta T) and y = 1 - x,
 *   P(S' <= T) = 1 - sum_{j=0..k} C(c+j, j) x^(c+1) y^j,
 * one minus a negative binomial distribution function: positive terms,
 * each the one before times (N mu + j theta) (y / theta) / j.  Partial
 * fractions of the sum of exponentials would alternate in sign and cancel
 * catastrophically past k ~ 20; these sums do not.
 *
 * One pass over k gathers every sum, with no exp or log in the loop: q and
 * the negative binomial terms are kept scaled (divided by 1e200 when they
 * grow past it, the scale kept as a logarithm), so nothing overflows or
 * underflows.  The pass stops when the rest of the chain, bounded by a
 * geometric series once q decreases, is below 1e-17 of the sums.  With
 * too few agents q first rises, up to k* = (rate - N mu) / theta; when
 * that is far out (patience thousands of times the handle time), the pass
 * starts near the peak, where the states before weigh under exp(-80) of
 * it (chain_start()).  Cost: O(N) for B, plus a few dozen states, or
 * O(sqrt(rate / theta)) around a far peak, plus the negative binomial
 * walk up to that peak, which ends early unless T is many handle times.
 * A walk beyond ERLANG_STEPS (a peak 1e15 states out, or T thousands of
 * handle times with the peak far out) gives ERANGE rather than minutes of
 * work.  Checked against 400-digit partial fractions and a uniformized
 * transient (tests/unit/test_erlang.c), and the skip against the full
 * walk (build with -DERLANG_SKIP_MIN=1e300): the same to 1e-13.
 *
 * erlang_staff() tries N = 1, 2, ... carrying B along (O(1) per N for
 * Erlang C), and skips the N no goal can accept: for Erlang C N <= A; and
 * N < goal.sl A, N < (1 - max_abandon) A, since agents answer at most
 * N mu calls a second, so at most a share N / A of the arrivals.  Where
 * the Erlang A peak is far out, bounds from its start settle most N in
 * O(1) (chain_fails()).
 */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "erlang.h"

/* Most states one Erlang A evaluation walks, each way (about a second);
 * and the farthest the chain's peak may lie (k stays exact in a double). */
enum { ERLANG_STEPS = 100000000 };
static const double KSTAR_MAX = 1e15;

/* The chain's tail is dropped below this share of the sums. */
static const double TAIL_EPS = 1e-17;

/* Scaled sums are divided by this when a term grows past it. */
static const double SCALE = 1e200;

/* Internal: erlang_staff() need not look further at this N. */
enum { ERLANG_UNMET = -1 };

/* Chains whose first SKIP_MIN / 2 states at least are negligible start
 * further on (chain_start()). */
#ifndef ERLANG_SKIP_MIN
#define ERLANG_SKIP_MIN 4096.0
#endif
static const double SKIP_MIN = ERLANG_SKIP_MIN;

struct model {
	double rate;           /* arrivals per second */
	double aht;            /* mean handle time, s */
	double load;           /* A, Erlangs */
	double t;              /* service-level threshold, s */
	double theta;          /* 1 / patience; 0: Erlang C */
};

static bool nonneg(double x)
{
	return isfinite(x) && x >= 0.0;
}

static int model_init(struct model *m, const struct erlang_in *in)
{
	if (!in)
		return EINVAL;
	if (!nonneg(in->calls) || !nonneg(in->sl_target_s) ||
	    !nonneg(in->patience_s))
		return EINVAL;
	if (!nonneg(in->interval_s) || in->interval_s == 0.0 ||
	    !nonneg(in->aht_s) || in->aht_s == 0.0)
		return EINVAL;

	m->rate = in->calls / in->interval_s;
	m->aht = in->aht_s;
	m->load = m->rate * in->aht_s;
	m->t = in->sl_target_s;
	m->theta = in->patience_s > 0.0 ? 1.0 / in->patience_s : 0.0;
	if (!isfinite(m->rate) || !isfinite(m->load) || !isfinite(m->theta))
		return EINVAL;

	return 0;
}

/* B(n) from B(n-1) at load a. */
static double erlang_b_next(double b, double a, unsigned n)
{
	return a * b / (n + a * b);
}

static int eval_c(struct erlang_out *o, const struct model *m, unsigned n,
		  double b)
{
	double c, gap = n - m->load;

	if (!(gap > 0.0))
		return ERANGE;

	c = n * b / (gap + m->load * b);
	o->p_wait = c;
	o->asa_s = c * m->aht / gap;
	o->sl = 1.0 - c * exp(-gap * m->t / m->aht);
	o->p_abandon = 0.0;
	o->occupancy = m->load / n;

	return 0;
}

/* psi(x + d) - psi(x) for x > 0, d >= 0, which for whole d is
 * sum_{i=0..d-1} 1 / (x + i), in O(1).  Below 10 the recurrence
 * psi(x) = psi(x + 1) - 1 / x lifts each argument; above, the asymptotic
 * series is good to 1e-14, and the logarithms are taken as one log1p so
 * they do not cancel. */
static double psi_asym(double x)
{
	double z = 1.0 / (x * x);

	/* psi(x) - ln x */
	return -0.5 / x - z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 -
			       z * (1.0 / 240 - z / 132))));
}

static double psi_diff(double x, double d)
{
	double s = 0.0, y = x + d;

	while (x < 10.0) {
		s += 1.0 / x;
		x += 1.0;
		d -= 1.0;
	}
	while (y < 10.0) {
		s -= 1.0 / y;
		y += 1.0;
		d += 1.0;
	}

	return s + log1p(d / x) + psi_asym(y) - psi_asym(x);
}

/* The negative binomial distribution function behind P(S' <= T): term j
 * is p * exp(lf), the function up to j is f * exp(lf). */
struct negbin {
	double mun;            /* N mu */
	double yth;            /* (1 - exp(-theta T)) / theta */
	double p, f, lf, fs;   /* fs = exp(lf) */
	bool done;             /* 1 - F below TAIL_EPS from here on */
};

static void negbin_init(struct negbin *nb, const struct model *m, double mun)
{
	nb->mun = mun;
	nb->yth = -expm1(-m->theta * m->t) / m->theta;
	nb->p = nb->f = 1.0;
	nb->lf = -(mun + m->theta) * m->t;   /* log x^(c+1) */
	nb->fs = exp(nb->lf);
	nb->done = false;
}

/* Take in term k (called for k = 0, 1, ... in turn); return P(S' <= T)
 * for a caller with k ahead: 1 - F(k). */
static double negbin_next(struct negbin *nb, const struct model *m,
			  uint64_t k)
{
	if (nb->done)
		return 0.0;
	if (k > 0) {
		double g = (nb->mun + k * m->theta) * nb->yth / k;

		nb->p *= g;
		nb->f += nb->p;
		if (nb->p > SCALE) {
			nb->p /= SCALE;
			nb->f /= SCALE;
			nb->lf += log(SCALE);
			nb->fs = exp(nb->lf);
		}
		/* the ratios g shrink with k: a geometric tail bound */
		if (g < 1.0 && nb->p * nb->fs * g / (1.0 - g) < TAIL_EPS) {
			nb->done = true;
			return 0.0;
		}
	}

	return fmax(0.0, 1.0 - nb->f * nb->fs);
}

/* Sums over the states N+k, in units of q(0) = 1, kept scaled. */
struct chain {
	double s0;             /* sum q(k) */
	double ans;            /* sum q(k) P(answered | k) */
	double aban;           /* sum q(k) P(abandons | k) */
	double wait;           /* sum q(k) E[S; answered | k] */
	double sl;             /* sum q(k) P(S <= T; answered | k) */
	double lscale;         /* true sums = these * exp(lscale) */
	bool full;             /* summed from k = 0; else from k0, the
				* states below weighing under exp(-80) */
};

static void chain_rescale(struct chain *c, double *q)
{
	*q /= SCALE;
	c->s0 /= SCALE;
	c->ans /= SCALE;
	c->aban /= SCALE;
	c->wait /= SCALE;
	c->sl /= SCALE;
	c->lscale += log(SCALE);
}

/* First k worth summing.  With too few agents, q(k) rises up to k* =
 * (rate - N mu) / theta; as log(1 / (1 - u)) >= u, q(k*) / q(k*-D) is
 * at least exp(theta D (D - 1) / (2 rate)), so D as below puts q(k*-D),
 * the k*-D states before it and the states below N (at most
 * N / (A - N) times q(0)) all under exp(-80) q(k*).  The skipped sums
 * start again from psi_diff() and a walk of the negative binomial, which
 * stops early unless T is long. */
static uint64_t chain_start(const struct model *m, unsigned n, double kstar)
{
	double big, d;

	if (kstar < SKIP_MIN)
		return 0;
	big = 80.0 + log(kstar + 1.0) + log(m->load / (m->load - n));
	d = ceil(sqrt(2.0 * m->rate / m->theta * big)) + 1.0;
	if (floor(kstar) - d < SKIP_MIN / 2)
		return 0;

	return (uint64_t)(floor(kstar) - d);
}

/* With the peak far out (k0 > 0), every state that counts lies at N+k0 or
 * above, where each figure is worse than for a caller with k0 ahead
 * (P(answered | k) and P(S' <= T) fall with k, the wait and P(abandons |
 * k) rise), and the agents are all busy (occupancy >= P(wait) ~ 1).  So a
 * goal beyond those bounds fails without summing the chain: a search
 * through far too few agents costs O(1) per N.  The bounds hold to 1e-20
 * (the states left out weigh exp(-80)); the 1e-9 margin keeps an N whose
 * computed figures would round onto the goal. */
static bool chain_fails(const struct erlang_goal *g, double pa, double h,
			double pt, bool sl)
{
	const double tight = 1.0 - 1e-9;

	if (sl)
		return g->sl > 0.0 && g->sl * tight > pa * pt + 1e-20;
	if (g->max_asa_s > 0.0 && g->max_asa_s < h * tight)
		return true;
	if (g->max_abandon > 0.0 && g->max_abandon < (1.0 - pa) * tight)
		return true;

	return g->max_occupancy > 0.0 && g->max_occupancy < tight;
}

/* @return 0, ERANGE (too long a walk) or ERLANG_UNMET (the goal g, if
 * given, cannot be met: see chain_fails()) */
static int chain_sum(struct chain *c, const struct model *m, unsigned n,
		     const struct erlang_goal *g)
{
	const double mun = n / m->aht;      /* N mu: all agents busy */
	const double th = m->theta;
	const double kstar = (m->rate - mun) / th;
	struct negbin nb;
	double q = 1.0;        /* q(k), scaled with c->lscale */
	double h = 0.0;        /* sum_{i=1..k+1} 1 / (N mu + i theta) */
	uint64_t k0;

	c->s0 = c->ans = c->aban = c->wait = c->sl = c->lscale = 0.0;
	if (kstar > KSTAR_MAX)
		return ERANGE;

	negbin_init(&nb, m, mun);
	k0 = chain_start(m, n, kstar);
	c->full = k0 == 0;
	if (k0) {
		const double pa = mun / (mun + (k0 + 1.0) * th);
		double pt = 0.0;

		h = psi_diff(mun / th + 1.0, k0) / th;
		if (g && chain_fails(g, pa, h, 0.0, false))
			return ERLANG_UNMET;
		for (uint64_t k = 0; k < k0 && !nb.done; k++) {
			if (k >= ERLANG_STEPS)
				return ERANGE;
			pt = negbin_next(&nb, m, k);
		}
		if (g && chain_fails(g, pa, h, pt, true))
			return ERLANG_UNMET;
	}

	for (uint64_t k = k0;; k++) {
		const double out = mun + (k + 1.0) * th;
		const double pa = mun / out;    /* P(answered | k) */
		const double pt = negbin_next(&nb, m, k);
		double r;                       /* q(k+1) / q(k) */

		h += 1.0 / out;
		c->s0 += q;
		c->ans += q * pa;
		c->aban += q * ((k + 1.0) * th / out);
		c->wait += q * pa * h;
		c->sl += q * pa * pt;

		/* Once r < 1 the later ratios are smaller still: the
		 * tail is below q r^i, and its wait terms below
		 * q pa r^i (h + i / (N mu)). */
		r = m->rate / out;
		if (r < 1.0) {
			double g1 = r / (1.0 - r);
			double g2 = g1 / (1.0 - r) / mun;

			if (q * g1 <= TAIL_EPS * c->s0 &&
			    q * pa * (h * g1 + g2) <= TAIL_EPS * c->wait)
				return 0;
		}
		if (k - k0 >= ERLANG_STEPS)
			return ERANGE;
		q *= r;
		if (q > SCALE)
			chain_rescale(c, &q);
	}
}

static int eval_a(struct erlang_out *o, const struct model *m, unsigned n,
		  double b, const struct erlang_goal *g)
{
	struct chain c;
	double pw, nw, served;
	int err;

	err = chain_sum(&c, m, n, g);
	if (err)
		return err;

	if (!c.full) {
		/* the agents are all busy but for exp(-80) of the time */
		pw = 1.0;
		nw = 0.0;
	}
	else if (b <= 0.0) {
		/* B underflowed: the agents are never all busy */
		pw = 0.0;
		nw = 1.0;
	}
	else {
		/* log of (weight of the states below N) / (of those above) */
		double d = log1p(-b) - log(b) - log(c.s0) - c.lscale;

		pw = 1.0 / (1.0 + exp(d));
		nw = 1.0 / (1.0 + exp(-d));
	}

	served = nw + pw * (c.ans / c.s0);
	o->p_wait = pw;
	o->p_abandon = pw * (c.aban / c.s0);
	o->asa_s = pw * (c.wait / c.s0) / served;
	o->sl = nw + pw * (c.sl / c.s0);
	o->occupancy = fmin(1.0, m->load * served / n);   /* rounding */

	return 0;
}

/* @return 0, ERANGE, or ERLANG_UNMET when g is given and cannot be met */
static int eval_at(struct erlang_out *o, const struct model *m, unsigned n,
		   double b, const struct erlang_goal *g)
{
	o->agents = n;
	o->load = m->load;
	o->scheduled = n;

	return m->theta > 0.0 ? eval_a(o, m, n, b, g) : eval_c(o, m, n, b);
}

/**
 * Evaluate a number of agents on the phones.  out->scheduled is agents
 * (no shrinkage).
 *
 * @return 0; EINVAL for a NULL pointer, agents outside
 * 1..ERLANG_AGENTS_MAX, or a negative, NaN or infinite input (interval
 * and handle time must be above 0); ERANGE for Erlang C with agents <= the
 * load (the queue grows without bound), or an Erlang A chain longer than
 * ERLANG_STEPS
 */
int erlang_eval(struct erlang_out *out, const struct erlang_in *in,
		unsigned agents)
{
	struct erlang_out o;
	struct model m;
	double b = 1.0;
	int err;

	if (!out || agents < 1 || agents > ERLANG_AGENTS_MAX)
		return EINVAL;
	err = model_init(&m, in);
	if (err)
		return err;

	for (unsigned n = 1; n <= agents; n++)
		b = erlang_b_next(b, m.load, n);
	err = eval_at(&o, &m, agents, b, NULL);
	if (err)
		return err;

	*out = o;
	return 0;
}

static int goal_check(const struct erlang_goal *g)
{
	if (!g)
		return EINVAL;
	if (!nonneg(g->sl) || !nonneg(g->max_asa_s) ||
	    !nonneg(g->max_abandon) || !nonneg(g->max_occupancy) ||
	    !nonneg(g->shrinkage))
		return EINVAL;
	if (g->sl > 1.0 || g->max_abandon > 1.0 || g->max_occupancy > 1.0 ||
	    g->shrinkage >= 1.0)
		return EINVAL;

	return 0;
}

static bool goal_met(const struct erlang_out *o, const struct erlang_goal *g)
{
	if (g->sl > 0.0 && o->sl < g->sl)
		return false;
	if (g->max_asa_s > 0.0 && o->asa_s > g->max_asa_s)
		return false;
	if (g->max_abandon > 0.0 && o->p_abandon > g->max_abandon)
		return false;
	if (g->max_occupancy > 0.0 && o->occupancy > g->max_occupancy)
		return false;

	return true;
}

/**
 * Agents to schedule so that @agents are on the phones when a share
 * @shrinkage of paid time is off them: ceil(agents / (1 - shrinkage)).  A
 * quotient a rounding error above a whole number (54 / (1 - 0.55) =
 * 120.00000000000001) counts as that number.
 *
 * @return 0, EINVAL (NULL, shrinkage NaN or outside [0, 1)) or ERANGE (the
 * result does not fit an unsigned)
 */
int erlang_schedule(unsigned *scheduled, unsigned agents, double shrinkage)
{
	double x;

	if (!scheduled || !nonneg(shrinkage) || shrinkage >= 1.0)
		return EINVAL;

	x = agents / (1.0 - shrinkage);
	x = ceil(x - x * 1e-12);
	if (!(x <= UINT_MAX))
		return ERANGE;

	*scheduled = (unsigned)x;
	return 0;
}

/**
 * Find the fewest agents on the phones meeting every nonzero goal, and
 * the agents to schedule for them.
 *
 * @return 0; EINVAL for a NULL pointer or a bad input (see erlang_eval)
 * or goal (negative, NaN, sl, max_abandon or max_occupancy above 1,
 * shrinkage 1 or more); ERANGE if no N up to ERLANG_AGENTS_MAX meets the
 * goals, if the schedule does not fit an unsigned, or if an Erlang A
 * chain is longer than ERLANG_STEPS
 */
int erlang_staff(struct erlang_out *out, const struct erlang_in *in,
		 const struct erlang_goal *goal)
{
	struct erlang_out o;
	struct model m;
	double b = 1.0, lo = 0.0;
	int err;

	if (!out)
		return EINVAL;
	err = model_init(&m, in);
	if (!err)
		err = goal_check(goal);
	if (err)
		return err;

	/* The answered share is at most N / A; the margin keeps an N whose
	 * computed figures round onto the goal. */
	if (goal->sl > 0.0)
		lo = goal->sl * m.load;
	if (goal->max_abandon > 0.0)
		lo = fmax(lo, (1.0 - goal->max_abandon) * m.load);
	lo *= 1.0 - 1e-9;

	for (unsigned n = 1; n <= ERLANG_AGENTS_MAX; n++) {
		b = erlang_b_next(b, m.load, n);
		if (n < lo || (m.theta == 0.0 && !(n > m.load)))
			continue;
		err = eval_at(&o, &m, n, b, goal);
		if (err == ERLANG_UNMET)
			continue;
		if (err)
			return err;
		if (!goal_met(&o, goal))
			continue;
		err = erlang_schedule(&o.scheduled, n, goal->shrinkage);
		if (err)
			return err;
		*out = o;
		return 0;
	}

	return ERANGE;
}
