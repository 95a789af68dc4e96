/* sim/stats.c  Confidence intervals from batch means.
 *
 * The measured period is cut into n batches of equal length; batches much
 * longer than the queue's relaxation time are close to independent, so
 * their values behave like n samples.  Every figure the simulator reports
 * is a ratio of two sums (waited / arrivals, wait sum / answered, busy
 * time / logged-in time), so the point estimate is the ratio of the totals
 * R = sum(y) / sum(x), exact whatever the batch sizes, and its standard
 * error comes from the residuals d_b = y_b - R x_b (the delta method):
 *   se(R) = sqrt(sum(d_b^2) / (n - 1) / n) / mean(x)
 * The half-width is se times Student's t quantile for n - 1 degrees of
 * freedom at (1 + 0.99) / 2.
 *
 * The t quantile inverts the t distribution function, written with the
 * regularised incomplete beta function (continued fraction, Lentz's
 * method), by bisection: about 60 evaluations of O(100) operations, once
 * per interval.  Exact to 1e-9 against published tables.
 */

#include <math.h>
#include <stddef.h>
#include "sim/stats.h"

/* Continued fraction of the incomplete beta function, for x < (a+1)/(a+b+2)
 * (Numerical Recipes' betacf, modified Lentz). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < 1e-15)
			break;
	}
	return h;
}

/* Regularised incomplete beta I_x(a, b). */
static double beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) +
		    a * log(x) + b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_cf(a, b, x) / a;
	return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

/* P(T <= t) for Student's t with df degrees of freedom, t >= 0. */
static double t_cdf(double t, double df)
{
	return 1.0 - 0.5 * beta_inc(df / 2.0, 0.5, df / (df + t * t));
}

/**
 * Quantile of Student's t distribution.
 *
 * @param p   probability, 0.5 .. 1 (e.g. 0.995 for a 99% interval)
 * @param df  degrees of freedom, >= 1
 * @return the t with P(T <= t) = p, or NaN for arguments out of range
 */
double stats_t_quantile(double p, unsigned df)
{
	double lo = 0.0, hi = 1.0;

	if (!df || !(p >= 0.5 && p < 1.0))
		return NAN;
	while (t_cdf(hi, df) < p && hi < 1e12)
		hi *= 2.0;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2.0;

		if (t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2.0;
}

/**
 * Ratio estimate sum(y) / sum(x) over n batches, with its 99% half-width.
 * mean is NaN when sum(x) is 0; hw is NaN when n < 2.
 */
void stats_ratio(struct sim_ci *ci, const double *y, const double *x,
		 unsigned n)
{
	double sy = 0.0, sx = 0.0, ss = 0.0, r, xbar;

	ci->mean = NAN;
	ci->hw = NAN;
	for (unsigned i = 0; i < n; i++) {
		sy += y[i];
		sx += x[i];
	}
	if (!(sx > 0.0))
		return;
	r = sy / sx;
	ci->mean = r;
	if (n < 2)
		return;
	for (unsigned i = 0; i < n; i++) {
		double d = y[i] - r * x[i];

		ss += d * d;
	}
	xbar = sx / n;
	ci->hw = stats_t_quantile((1.0 + STATS_CONFIDENCE) / 2.0, n - 1) *
		sqrt(ss / (n - 1) / n) / xbar;
}
