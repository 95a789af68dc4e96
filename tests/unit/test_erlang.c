/* tests/unit/test_erlang.c  The staffing calculator (src/acd/erlang.c).
 *
 * The reference figures from the issue tracker (360 calls per 1800 s, AHT
 * 240 s, so A = 48), each to the digits it was given in.  Erlang C against
 * the textbook formula with factorials in long double.  Erlang A against
 * two methods that share nothing with the code under test: figures
 * computed with 400-digit partial fractions of the sum of exponentials
 * (mpmath), and, in this file, the birth-death chain in long double with
 * each waiting caller's fate found by uniformization (a discrete chain
 * jumping at the times of a Poisson process).  Then the staffing search,
 * shrinkage, limits and bad input.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include "acd/erlang.h"

/* 360 calls per 1800 s, AHT 240 s, T = 15 s: A = 48. */
static const struct erlang_in ref_c = { 360, 1800, 240, 15, 0 };
static const struct erlang_in ref_a = { 360, 1800, 240, 15, 120 };

static void near(const char *what, unsigned n, double got, double want,
		 double tol)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s, %u agents: got %.12g, want %.12g +- %g", what, n,
			 got, want, tol);
}

static void eval_ok(struct erlang_out *o, const struct erlang_in *in,
		    unsigned n)
{
	int err = erlang_eval(o, in, n);

	if (err)
		fail_msg("erlang_eval(%u agents): %s", n, strerror(err));
	assert_int_equal(n, o->agents);
	assert_int_equal(n, o->scheduled);
}

/* Every figure finite and in range; sl counts only answered calls. */
static void sane(const struct erlang_out *o)
{
	const double v[] = { o->load, o->p_wait, o->asa_s, o->sl,
			     o->p_abandon, o->occupancy };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isfinite(v[i]) || v[i] < 0)
			fail_msg("%u agents: figure %zu is %g", o->agents, i,
				 v[i]);
	if (o->p_wait > 1 || o->p_abandon > 1 || o->occupancy > 1 ||
	    o->sl > 1 - o->p_abandon + 1e-12)
		fail_msg("%u agents: p_wait %g, p_abandon %g, sl %g, "
			 "occupancy %g out of range", o->agents, o->p_wait,
			 o->p_abandon, o->sl, o->occupancy);
}

static void test_erlang_c_reference_figures(void **state)
{
	struct erlang_out o;
	(void)state;

	eval_ok(&o, &ref_c, 55);
	near("load", 55, o.load, 48, 1e-12);
	near("p_wait", 55, o.p_wait, 0.2387, 0.00005);
	near("asa", 55, o.asa_s, 8.18, 0.005);
	near("sl(15 s)", 55, o.sl, 0.846, 0.0005);
	near("p_abandon", 55, o.p_abandon, 0, 0);
	near("occupancy", 55, o.occupancy, 48.0 / 55, 1e-15);
}

/* The textbook Erlang C: A^N / N! N / (N - A) over the same plus the sum
 * of A^n / n! for n < N, straight from powl and tgammal. */
static void erlang_c_factorials(unsigned n, long double a, long double aht,
				long double t, long double *pw,
				long double *asa, long double *sl)
{
	long double sum = 0, top;

	for (unsigned i = 0; i < n; i++)
		sum += powl(a, i) / tgammal(i + 1.0L);
	top = powl(a, n) / tgammal(n + 1.0L) * n / (n - a);
	*pw = top / (sum + top);
	*asa = *pw * aht / (n - a);
	*sl = 1 - *pw * expl(-(n - a) * t / aht);
}

static void test_erlang_c_matches_factorials(void **state)
{
	(void)state;

	for (unsigned n = 49; n <= 120; n++) {
		struct erlang_out o;
		long double pw, asa, sl;

		eval_ok(&o, &ref_c, n);
		sane(&o);
		erlang_c_factorials(n, 48, 240, 15, &pw, &asa, &sl);
		near("p_wait", n, o.p_wait, (double)pw, 1e-12 * (double)pw);
		near("asa", n, o.asa_s, (double)asa, 1e-12 * (double)asa);
		near("sl(15 s)", n, o.sl, (double)sl, 1e-12);
	}
}

static void test_erlang_a_reference_figures(void **state)
{
	struct erlang_out o;
	(void)state;

	eval_ok(&o, &ref_a, 55);
	near("p_abandon", 55, o.p_abandon, 0.0170, 0.00005);
	near("p_wait", 55, o.p_wait, 0.150, 0.0005);
}

/* Patience 120 s, computed with mpmath at 400 digits: the chain up to
 * N+400, and for each k the sum of exponentials by partial fractions
 * (P(answered), its distribution function at T, E[S exp(-theta S)]). */
static void test_erlang_a_matches_400_digits(void **state)
{
	static const struct {
		unsigned n;
		double t, pat, pw, asa, sl, pab;
	} ref[] = {
		{ 54, 15, 120, 0.181680576995, 2.356226417597, 0.917193215146,
		  0.021402009962 },
		{ 55, 15, 120, 0.150120993740, 1.866888839904, 0.934610157073,
		  0.016968244043 },
		{ 56, 15, 120, 0.122368675086, 1.461391944083, 0.949085151843,
		  0.013283691622 },
		{ 1, 15, 120, 0.999999999996, 376.987662766974,
		  0.000000000070, 0.979166666667 },
		{ 40, 15, 120, 0.791751890091, 22.022445790131,
		  0.379530506126, 0.182165693146 },
		{ 48, 15, 120, 0.437131689388, 7.554691977813, 0.742070500266,
		  0.067293701206 },
		{ 50, 300, 120, 0.342308803423, 5.338367173845,
		  0.951978225767, 0.048021774233 },
		{ 45, 15, 30, 0.393223700265, 3.067644789575, 0.816007618517,
		  0.122577404726 },
		{ 50, 60, 600, 0.487010614801, 16.616033496386,
		  0.888923053158, 0.028288987896 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
		struct erlang_in in = ref_a;
		struct erlang_out o;
		unsigned n = ref[i].n;

		in.sl_target_s = ref[i].t;
		in.patience_s = ref[i].pat;
		eval_ok(&o, &in, n);
		sane(&o);
		near("p_wait", n, o.p_wait, ref[i].pw, 1e-11);
		near("asa", n, o.asa_s, ref[i].asa, 1e-11 * ref[i].asa);
		near("sl", n, o.sl, ref[i].sl, 1e-11);
		near("p_abandon", n, o.p_abandon, ref[i].pab, 1e-11);
	}
}

/* Erlang A by another road.  The chain's stationary law in long double;
 * for a caller with k ahead, the discrete chain on j = k..0 callers
 * ahead, uniformized at rate L = N mu + (k+1) theta: each jump moves up
 * with probability (N mu + j theta) / L, abandons with theta / L, else
 * stays.  Jumps come as a Poisson process of rate L, so
 *   P(answered by T) = sum_s Poisson(L T)(s) P(answered within s jumps)
 *   E[W; answered]   = sum_s P(answered at jump s) s / L
 * and P(abandon) is also theta E[queue] / rate (the rates out of the
 * queue balance). */
struct erl_ref {
	long double pw, asa, sl, pab, pab_little;
};

enum { UNI_K = 200, UNI_JUMPS = 4000 };

static void uniformized(long double mun, long double th, long double t,
			unsigned k, long double *by_t, long double *ans,
			long double *wait)
{
	long double v[UNI_K + 1], l = mun + (k + 1) * th, pois, cum = 0;

	memset(v, 0, sizeof(v));
	v[k] = 1;                  /* callers ahead */
	pois = expl(-l * t);       /* Poisson(L T)(0) */
	*by_t = *ans = *wait = 0;
	for (unsigned s = 1; s <= UNI_JUMPS; s++) {
		long double done = v[0] * mun / l, left = 0;

		/* ascending j: v[j-1] already holds what stays there */
		for (unsigned j = 0; j <= k; j++) {
			long double up = (mun + j * th) / l;

			if (j > 0)
				v[j - 1] += v[j] * up;
			v[j] *= 1 - up - th / l;
		}
		for (unsigned j = 0; j <= k; j++)
			left += v[j];
		*ans += done;
		*wait += done * s / l;
		/* answered within s jumps counts if at least s came */
		cum += pois;
		pois *= l * t / s;
		*by_t += done * (1 - cum);
		if (left < 1e-22L && s > l * t + 100)
			return;
	}
	fail_msg("uniformization did not converge (k %u)", k);
}

static void erlang_a_uniformized(struct erl_ref *r, unsigned n,
				 long double a, long double aht,
				 long double t, long double pat)
{
	long double q[UNI_K + 1], below = 0, z, sq = 0, eq = 0, rate;
	long double mun = n / aht, th = 1 / pat, sl = 0, ans = 0, w = 0;
	unsigned kmax = 0;

	rate = a / aht;
	for (unsigned i = 0; i < n; i++)
		below += powl(a, i) / tgammal(i + 1.0L);
	q[0] = powl(a, n) / tgammal(n + 1.0L);
	for (unsigned k = 1; k <= UNI_K; k++) {
		q[k] = q[k - 1] * rate / (mun + k * th);
		kmax = k;
		if (q[k] < 1e-30L * q[0] && rate < mun + k * th)
			break;
	}
	assert_true(kmax < UNI_K);
	for (unsigned k = 0; k <= kmax; k++) {
		sq += q[k];
		eq += k * q[k];
	}
	z = below + sq;
	for (unsigned k = 0; k <= kmax; k++) {
		long double by_t, pa, wk;

		uniformized(mun, th, t, k, &by_t, &pa, &wk);
		sl += q[k] / z * by_t;
		ans += q[k] / z * pa;
		w += q[k] / z * wk;
	}
	r->pw = sq / z;
	r->pab = r->pw - ans;
	r->pab_little = th * eq / z / rate;
	r->sl = below / z + sl;
	r->asa = w / (below / z + ans);
}

static void test_erlang_a_matches_uniformization(void **state)
{
	static const struct {
		unsigned n;
		double t, pat;
	} cases[] = {
		{ 54, 15, 120 }, { 55, 15, 120 }, { 56, 15, 120 },
		{ 44, 20, 120 }, { 52, 0, 60 }, { 60, 60, 300 },
		{ 48, 30, 30 }, { 50, 5, 600 }, { 58, 120, 45 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct erlang_in in = ref_a;
		struct erlang_out o;
		struct erl_ref r;
		unsigned n = cases[i].n;

		in.sl_target_s = cases[i].t;
		in.patience_s = cases[i].pat;
		eval_ok(&o, &in, n);
		sane(&o);
		erlang_a_uniformized(&r, n, 48, 240, cases[i].t,
				     cases[i].pat);
		near("uniformized vs Little", n, (double)r.pab,
		     (double)r.pab_little, 1e-12);
		near("p_wait", n, o.p_wait, (double)r.pw, 1e-12);
		near("p_abandon", n, o.p_abandon, (double)r.pab, 1e-12);
		near("sl", n, o.sl, (double)r.sl, 1e-12);
		near("asa", n, o.asa_s, (double)r.asa, 1e-10 * o.asa_s);
		near("occupancy", n, o.occupancy,
		     48.0 * (1 - (double)r.pab) / n, 1e-12);
	}
}

/* Largest relative gap between Erlang A and C over 49..70 agents. */
static double gap_to_c(double patience)
{
	struct erlang_in patient = ref_a;
	double gap = 0;

	patient.patience_s = patience;
	for (unsigned n = 49; n <= 70; n++) {
		struct erlang_out a, c;

		eval_ok(&a, &patient, n);
		eval_ok(&c, &ref_c, n);
		gap = fmax(gap, fabs(a.p_wait - c.p_wait) / c.p_wait);
		gap = fmax(gap, fabs(a.asa_s - c.asa_s) / c.asa_s);
		gap = fmax(gap, fabs(a.sl - c.sl) / c.sl);
		gap = fmax(gap, fabs(a.occupancy - c.occupancy) /
			   c.occupancy);
		gap = fmax(gap, a.p_abandon);
	}

	return gap;
}

/* The gap shrinks like 1 / patience: 0.17 at 1e5 s, 2.5e-3 at 1e7 s (the
 * ASA of 49 agents, 200 s), 2.5e-5 at 1e9 s. */
static void test_erlang_a_tends_to_c(void **state)
{
	struct erlang_in patient = ref_a;
	struct erlang_goal goal = { .sl = 0.8 };
	struct erlang_out a, c;
	double gap = gap_to_c(1e5);
	(void)state;

	for (double p = 1e6; p <= 1e9; p *= 10) {
		double next = gap_to_c(p);

		if (!(next < gap / 5))
			fail_msg("patience %g: gap %g, at a tenth of it %g", p,
				 next, gap);
		gap = next;
	}
	assert_true(gap < 5e-5);

	patient.patience_s = 1e7;
	assert_int_equal(0, erlang_staff(&a, &patient, &goal));
	assert_int_equal(0, erlang_staff(&c, &ref_c, &goal));
	assert_int_equal(c.agents, a.agents);
}

/* erlang_staff() gives N, N meets the goal and N-1 does not. */
static unsigned staff_edge(const struct erlang_in *in,
			   const struct erlang_goal *g)
{
	struct erlang_out o, e;
	int err;

	err = erlang_staff(&o, in, g);
	if (err)
		fail_msg("erlang_staff: %s", strerror(err));
	sane(&o);
	eval_ok(&e, in, o.agents);
	assert_memory_equal(&e.p_wait, &o.p_wait, sizeof(double));
	assert_memory_equal(&e.sl, &o.sl, sizeof(double));
	if (g->sl > 0)
		assert_true(o.sl >= g->sl);
	if (g->max_asa_s > 0)
		assert_true(o.asa_s <= g->max_asa_s);
	if (g->max_abandon > 0)
		assert_true(o.p_abandon <= g->max_abandon);
	if (g->max_occupancy > 0)
		assert_true(o.occupancy <= g->max_occupancy);
	if (o.agents > 1 &&
	    erlang_eval(&e, in, o.agents - 1) == 0 &&
	    (!g->sl || e.sl >= g->sl) &&
	    (!g->max_asa_s || e.asa_s <= g->max_asa_s) &&
	    (!g->max_abandon || e.p_abandon <= g->max_abandon) &&
	    (!g->max_occupancy || e.occupancy <= g->max_occupancy))
		fail_msg("%u agents meet the goals too", o.agents - 1);

	return o.agents;
}

static void test_erlang_staff_80_20(void **state)
{
	struct erlang_in in = ref_c, ina = ref_a;
	struct erlang_goal g = { .sl = 0.8 };
	(void)state;

	in.sl_target_s = 20;
	ina.sl_target_s = 20;
	assert_int_equal(54, staff_edge(&in, &g));
	assert_int_equal(49, staff_edge(&ina, &g));
	in.sl_target_s = 15;
	assert_int_equal(55, staff_edge(&in, &g));
}

static void test_erlang_staff_other_goals(void **state)
{
	struct erlang_goal asa = { .max_asa_s = 10 };
	struct erlang_goal aban = { .max_abandon = 0.02 };
	struct erlang_goal both = { .sl = 0.9, .max_abandon = 0.02 };
	struct erlang_goal none = { 0 };
	(void)state;

	assert_int_equal(55, staff_edge(&ref_c, &asa));   /* 54: 12.05 s */
	assert_int_equal(55, staff_edge(&ref_a, &aban));  /* 54: 2.14% */
	assert_int_equal(55, staff_edge(&ref_a, &both));
	/* no goals: the fewest stable agents */
	assert_int_equal(49, staff_edge(&ref_c, &none));
	assert_int_equal(1, staff_edge(&ref_a, &none));
}

static void test_erlang_staff_shrinkage_rounding(void **state)
{
	static const struct {
		double shrinkage;
		unsigned scheduled;
	} cases[] = {
		{ 0, 54 }, { 0.1, 60 }, { 0.25, 72 }, { 0.3, 78 },
		{ 0.55, 120 },          /* 54 / 0.45 = 120.00000000000001 */
		{ 0.8, 270 },           /* 270.00000000000006 */
		{ 0.35, 84 },           /* 83.08 */
	};
	struct erlang_in in = ref_c;
	(void)state;

	in.sl_target_s = 20;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct erlang_goal g = { .sl = 0.8 };
		struct erlang_out o;

		g.shrinkage = cases[i].shrinkage;
		assert_int_equal(0, erlang_staff(&o, &in, &g));
		assert_int_equal(54, o.agents);
		if (o.scheduled != cases[i].scheduled)
			fail_msg("shrinkage %g: scheduled %u, want %u",
				 cases[i].shrinkage, o.scheduled,
				 cases[i].scheduled);
	}
}

static void test_erlang_schedule(void **state)
{
	unsigned s = 7;
	(void)state;

	assert_int_equal(0, erlang_schedule(&s, 54, 0.55));
	assert_int_equal(120, s);
	assert_int_equal(0, erlang_schedule(&s, 1, 0.5));
	assert_int_equal(2, s);
	assert_int_equal(0, erlang_schedule(&s, 1, 0.51));
	assert_int_equal(3, s);
	assert_int_equal(0, erlang_schedule(&s, 0, 0.3));
	assert_int_equal(0, s);
	s = 7;
	assert_int_equal(EINVAL, erlang_schedule(NULL, 54, 0.3));
	assert_int_equal(EINVAL, erlang_schedule(&s, 54, 1));
	assert_int_equal(EINVAL, erlang_schedule(&s, 54, -0.1));
	assert_int_equal(EINVAL, erlang_schedule(&s, 54, NAN));
	assert_int_equal(ERANGE, erlang_schedule(&s, 54, 1 - 1e-12));
	assert_int_equal(7, s);
}

static void test_erlang_staff_occupancy_cap(void **state)
{
	struct erlang_goal g = { .sl = 0.8, .max_occupancy = 0.85 };
	struct erlang_in in = ref_c;
	struct erlang_out o;
	(void)state;

	in.sl_target_s = 20;
	/* 48 / 56 = 0.857 is above the cap, 48 / 57 = 0.842 */
	assert_int_equal(57, staff_edge(&in, &g));
	assert_int_equal(0, erlang_staff(&o, &in, &g));
	near("occupancy", 57, o.occupancy, 48.0 / 57, 1e-15);
	g.max_occupancy = 0.95;           /* the SL goal binds again */
	assert_int_equal(54, staff_edge(&in, &g));
	g.max_occupancy = 0.85;        /* fewer calls carried: 0.846 */
	assert_int_equal(56, staff_edge(&ref_a, &g));
}

static void test_erlang_bad_input_einval(void **state)
{
	const double nan = NAN, inf = INFINITY;
	struct erlang_out o, keep;
	struct erlang_goal g = { .sl = 0.8 };
	struct erlang_in in;
	(void)state;

	memset(&keep, 0x5a, sizeof(keep));
	o = keep;
	assert_int_equal(EINVAL, erlang_eval(NULL, &ref_c, 55));
	assert_int_equal(EINVAL, erlang_eval(&o, NULL, 55));
	assert_int_equal(EINVAL, erlang_eval(&o, &ref_c, 0));
	assert_int_equal(EINVAL,
			 erlang_eval(&o, &ref_c, ERLANG_AGENTS_MAX + 1));
	assert_int_equal(EINVAL, erlang_staff(NULL, &ref_c, &g));
	assert_int_equal(EINVAL, erlang_staff(&o, NULL, &g));
	assert_int_equal(EINVAL, erlang_staff(&o, &ref_c, NULL));

	for (int field = 0; field < 5; field++) {
		const double bad[] = { -1, nan, inf, -inf, 0 };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			double *f[] = { &in.calls, &in.interval_s, &in.aht_s,
					&in.sl_target_s, &in.patience_s };

			in = ref_a;
			*f[field] = bad[i];
			/* zero calls, threshold and patience are valid */
			if (bad[i] == 0 && field != 1 && field != 2)
				continue;
			if (erlang_eval(&o, &in, 55) != EINVAL ||
			    erlang_staff(&o, &in, &g) != EINVAL)
				fail_msg("input field %d = %g accepted", field,
					 bad[i]);
		}
	}

	for (int field = 0; field < 5; field++) {
		const double bad[] = { -0.1, nan, inf, 1.5, 1 };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct erlang_goal b = { .sl = 0.8 };
			double *f[] = { &b.sl, &b.max_asa_s, &b.max_abandon,
					&b.max_occupancy, &b.shrinkage };

			*f[field] = bad[i];
			/* up to 1 is fine but for shrinkage; asa has no cap */
			if (bad[i] == 1 && field != 4)
				continue;
			if (bad[i] == 1.5 && field == 1)
				continue;
			if (erlang_staff(&o, &ref_a, &b) != EINVAL)
				fail_msg("goal field %d = %g accepted", field,
					 bad[i]);
		}
	}
	assert_memory_equal(&keep, &o, sizeof(o));
}

static void test_erlang_bad_input_erange(void **state)
{
	struct erlang_goal tiny = { .max_occupancy = 1e-6 };
	struct erlang_goal g = { .sl = 0.8 };
	struct erlang_in huge = ref_c;
	struct erlang_out o, keep;
	(void)state;

	memset(&keep, 0x5a, sizeof(keep));
	o = keep;
	/* Erlang C with N <= A has no steady state */
	assert_int_equal(ERANGE, erlang_eval(&o, &ref_c, 48));
	assert_int_equal(ERANGE, erlang_eval(&o, &ref_c, 47));
	assert_int_equal(ERANGE, erlang_eval(&o, &ref_c, 1));
	/* 48 / 1e-6 agents is past ERLANG_AGENTS_MAX */
	assert_int_equal(ERANGE, erlang_staff(&o, &ref_c, &tiny));
	assert_int_equal(ERANGE, erlang_staff(&o, &ref_a, &tiny));
	/* a load of 1.3 million Erlangs */
	huge.calls = 1e7;
	assert_int_equal(ERANGE, erlang_staff(&o, &huge, &g));
	/* the schedule does not fit an unsigned */
	g.shrinkage = 1 - 1e-12;
	assert_int_equal(ERANGE, erlang_staff(&o, &ref_c, &g));
	assert_memory_equal(&keep, &o, sizeof(o));
}

static void test_erlang_zero_calls(void **state)
{
	struct erlang_in in = ref_a;
	struct erlang_goal g = { .sl = 0.8, .max_asa_s = 1 };
	struct erlang_out o;
	(void)state;

	in.calls = 0;
	for (int model = 0; model < 2; model++) {
		in.patience_s = model ? 120 : 0;
		eval_ok(&o, &in, 3);
		near("p_wait", 3, o.p_wait, 0, 0);
		near("sl", 3, o.sl, 1, 0);
		near("occupancy", 3, o.occupancy, 0, 0);
		assert_int_equal(0, erlang_staff(&o, &in, &g));
		assert_int_equal(1, o.agents);
	}
}

/* With T = 0 only the calls that do not wait count. */
static void test_erlang_sl_at_zero_threshold(void **state)
{
	struct erlang_in in;
	struct erlang_out o;
	(void)state;

	for (int model = 0; model < 2; model++) {
		in = model ? ref_a : ref_c;
		in.sl_target_s = 0;
		eval_ok(&o, &in, 55);
		near("sl(0 s)", 55, o.sl, 1 - o.p_wait, 1e-15);
	}
}

/* More agents never make any figure worse. */
static void test_erlang_monotone_in_agents(void **state)
{
	static const double patience[] = { 0, 30, 120, 3600 };
	(void)state;

	for (size_t i = 0; i < 4; i++) {
		struct erlang_in in = ref_a;
		struct erlang_out o, prev = { 0 };

		in.patience_s = patience[i];
		for (unsigned n = 1; n <= 150; n++) {
			int err = erlang_eval(&o, &in, n);

			if (patience[i] == 0 && n <= 48) {
				assert_int_equal(ERANGE, err);
				continue;
			}
			assert_int_equal(0, err);
			sane(&o);
			if (prev.agents &&
			    (o.p_wait > prev.p_wait + 1e-12 ||
			     o.asa_s > prev.asa_s * (1 + 1e-12) ||
			     o.sl < prev.sl - 1e-12 ||
			     o.p_abandon > prev.p_abandon + 1e-12 ||
			     o.occupancy > prev.occupancy + 1e-12))
				fail_msg("patience %g: %u agents do worse "
					 "than %u", patience[i], n, n - 1);
			prev = o;
		}
	}
}

/* A = 2000 (15000 calls per half hour): finite, sane, and no slower. */
static void test_erlang_large_load(void **state)
{
	struct erlang_in in = { 15000, 1800, 240, 20, 0 };
	struct erlang_goal g = { .sl = 0.8 };
	struct erlang_out o, c;
	unsigned n;
	(void)state;

	n = staff_edge(&in, &g);
	assert_true(n > 2000 && n < 2100);
	eval_ok(&c, &in, n);
	near("occupancy", n, c.occupancy, 2000.0 / n, 1e-12);

	eval_ok(&o, &in, ERLANG_AGENTS_MAX);
	sane(&o);
	near("p_wait", ERLANG_AGENTS_MAX, o.p_wait, 0, 1e-300);
	near("sl", ERLANG_AGENTS_MAX, o.sl, 1, 0);

	in.patience_s = 120;
	assert_true(staff_edge(&in, &g) <= n);
	for (unsigned k = 1; k <= 2200; k += 73) {
		eval_ok(&o, &in, k);
		sane(&o);
		/* agents answer at most k / A of the calls */
		assert_true(o.p_abandon >= 1 - k / 2000.0 - 1e-12);
	}

	/* patient callers: the chain peaks 16.7 million states out */
	in.patience_s = 1e7;
	eval_ok(&o, &in, 1600);
	sane(&o);
	near("p_wait", 1600, o.p_wait, 1, 1e-15);
	near("p_abandon", 1600, o.p_abandon, 0.2, 1e-9);
	near("sl", 1600, o.sl, 0, 1e-12);
	assert_int_equal(n, staff_edge(&in, &g));
	/* goals with no bound from N / A: the search starts at 1 */
	g.sl = 0;
	g.max_asa_s = 30;
	assert_true(staff_edge(&in, &g) < n);
	g.max_asa_s = 0;
	g.max_abandon = 0.1;             /* 1 - N / A at most */
	assert_int_equal(1801, staff_edge(&in, &g));
	g.max_abandon = 0;
	g.max_occupancy = 0.9;
	assert_int_equal(2223, staff_edge(&in, &g));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_erlang_c_reference_figures),
		cmocka_unit_test(test_erlang_c_matches_factorials),
		cmocka_unit_test(test_erlang_a_reference_figures),
		cmocka_unit_test(test_erlang_a_matches_400_digits),
		cmocka_unit_test(test_erlang_a_matches_uniformization),
		cmocka_unit_test(test_erlang_a_tends_to_c),
		cmocka_unit_test(test_erlang_staff_80_20),
		cmocka_unit_test(test_erlang_staff_other_goals),
		cmocka_unit_test(test_erlang_staff_shrinkage_rounding),
		cmocka_unit_test(test_erlang_schedule),
		cmocka_unit_test(test_erlang_staff_occupancy_cap),
		cmocka_unit_test(test_erlang_bad_input_einval),
		cmocka_unit_test(test_erlang_bad_input_erange),
		cmocka_unit_test(test_erlang_zero_calls),
		cmocka_unit_test(test_erlang_sl_at_zero_threshold),
		cmocka_unit_test(test_erlang_monotone_in_agents),
		cmocka_unit_test(test_erlang_large_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
