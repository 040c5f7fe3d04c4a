/* The spike test of 民生热词: does a term's window rise above what its own
 * history (and last year's season) expects? A negative binomial upper
 * bound, so that a term's ordinary ups and downs are not alarms. */
#include "analysis.h"

#include <math.h>

#define ALPHA 0.001
#define MIN_PEAK 3           /* a sanity floor, not the criterion: 2 tickets are no cluster */
#define MAX_SHAPE 40.0       /* a rate's own variation: about 16% period to period */
#define SEASON_PRIOR 2.0     /* pseudo-counts shrinking last year's lift toward none */
#define SEASON_HALF_WIDTH 3L /* days each side smoothing last year's daily lift */

static double upper_tail(double c, double logp0, double (*next)(double x, const double *a),
                         const double *a)
{
    double term = exp(logp0), sum = 0;
    for (int k = 0; k < 200000 && term > 0; k++) {
        sum += term;
        if (term < sum * 1e-12)
            break;
        term *= next(c + k, a);
    }
    return sum > 1 ? 1 : sum;
}

static double nb_next(double x, const double *a)
{
    return (x + a[0]) / (x + 1) * a[1]; /* a: shape, q */
}

double rx_stats_spike_nb_upper(double c, double mean, double shape)
{
    if (c <= 0)
        return 1;
    if (mean <= 0)
        return 0;
    double q = mean / (shape + mean);
    double logp =
        lgamma(c + shape) - lgamma(shape) - lgamma(c + 1) + shape * log1p(-q) + c * log(q);
    const double a[2] = {shape, q};
    return upper_tail(c, logp, nb_next, a);
}

static double poisson_next(double x, const double *a)
{
    return a[0] / (x + 1);
}

double rx_stats_spike_poisson_upper(double c, double mean)
{
    if (c <= 0)
        return 1;
    if (mean <= 0)
        return 0;
    double logp = -mean + c * log(mean) - lgamma(c + 1);
    const double a[1] = {mean};
    return upper_tail(c, logp, poisson_next, a);
}

static void sums(const rx_series *s, size_t from, size_t to, double *count, double *volume)
{
    *count = *volume = 0;
    for (size_t d = from; s && d < to && d < s->days; d++) {
        *count += (double)s->count[d];
        *volume += (double)s->volume[d];
    }
}

/* Last year's lift over days [from, to) of its window: its count there
 * against what its history's rate gives, shrunk toward 1. */
static double lift(const rx_series *ly_hist, const rx_series *ly_win, size_t from, size_t to)
{
    double hk, he, wk, we;
    sums(ly_hist, 0, ly_hist ? ly_hist->days : 0, &hk, &he);
    sums(ly_win, from, to, &wk, &we);
    if (he <= 0 || we <= 0)
        return 1;
    double e0 = hk * we / he;
    double s = (wk + SEASON_PRIOR) / (e0 + SEASON_PRIOR);
    return s < 0.25 ? 0.25 : s > 8 ? 8 : s;
}

void rx_stats_spike(rx_spike *out, const rx_series *hist, const rx_series *win,
                    const rx_series *ly_hist, const rx_series *ly_win)
{
    *out = (rx_spike){.spike = false, .expected = -1, .p = 1, .peak = -1};
    double hk, he, wk, we;
    sums(hist, 0, hist->days, &hk, &he);
    sums(win, 0, win->days, &wk, &we);
    if (he <= 0 || we <= 0)
        return; /* no history to compare with */
    bool season = ly_hist && ly_win && ly_win->days == win->days && ly_hist->days > 0;
    double rate = (hk + 0.5) / he, shape = hk + 0.5 < MAX_SHAPE ? hk + 0.5 : MAX_SHAPE;
    double s = season ? lift(ly_hist, ly_win, 0, win->days) : 1;
    out->expected = rate * we * s;
    double p = wk > out->expected ? rx_stats_spike_nb_upper(wk, out->expected, shape) : 1;
    double worst = 1, excess = 0;
    for (size_t d = 0; d < win->days; d++) {
        double c = (double)win->count[d];
        double sd = 1;
        if (season) {
            size_t a = d >= (size_t)SEASON_HALF_WIDTH ? d - (size_t)SEASON_HALF_WIDTH : 0;
            sd = lift(ly_hist, ly_win, a, d + (size_t)SEASON_HALF_WIDTH + 1);
        }
        double mean = rate * (double)win->volume[d] * sd;
        if (c <= mean)
            continue;
        double pd = rx_stats_spike_nb_upper(c, mean, shape) * (double)win->days;
        if (pd < worst || (pd == worst && c - mean > excess)) {
            worst = pd;
            excess = c - mean;
            out->peak = (long)d;
        }
    }
    out->p = p < worst ? p : worst;
    long peak_count = out->peak >= 0 ? win->count[out->peak] : 0;
    if (p <= worst) { /* the window as a whole: its busiest day is the peak */
        for (size_t d = 0; d < win->days; d++)
            if (win->count[d] > peak_count || out->peak < 0) {
                peak_count = win->count[d];
                out->peak = (long)d;
            }
        peak_count = (long)wk; /* the window's total is what rose */
    }
    out->spike = out->p < ALPHA && peak_count >= MIN_PEAK;
}
