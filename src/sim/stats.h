/* sim/stats.h  Batch-means estimates for the simulator (see stats.c). */

#ifndef SB_SIM_STATS_H
#define SB_SIM_STATS_H

#include "sim/sim.h"

#define STATS_CONFIDENCE 0.99

double stats_t_quantile(double p, unsigned df);
void   stats_ratio(struct sim_ci *ci, const double *y, const double *x,
		   unsigned n);

#endif
