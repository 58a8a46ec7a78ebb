/*
 * ceil, log, log2 and pow: the libm functions the csrun binary calls that libc.so.6 lacks
 * (ceil: CoreLib's double formatting; ceil, log2, pow: V2Conversions.CpuWeight; log: the GC's
 * allocation sampling). Linked in, they let csrun need no shared library but libc.
 *
 * C99 Annex F special cases; elsewhere log, log2 and pow compute in double-double (about 106
 * bits) and round once, so they are within an ulp of the exact value and exact where the exact
 * value is a double (log2 of a power of two, pow of integers). Speed is not a goal: csrun calls
 * them a handful of times at most. Build with -fno-builtin -ffp-contract=off (doubledouble.h).
 */
#include <stdint.h>
#include "doubledouble.h"

/* ln 2 and 1/ln 2 as hi + lo, to 2^-110 relative (Python: Decimal(2).ln() at 80 digits). */
static const dd ln2 = { 0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56 };
static const dd inv_ln2 = { 0x1.71547652b82fep+0, 0x1.777d0ffda0d24p-56 };

typedef union { double d; uint64_t u; } bits;

static uint64_t to_bits(double x) { return (bits){ .d = x }.u; }
static double from_bits(uint64_t u) { return (bits){ .u = u }.d; }

double ceil(double x)
{
    uint64_t u = to_bits(x);
    int e = (int)(u >> 52 & 0x7ff) - 1023;
    if (e >= 52) return x;                      /* an integer already, inf or NaN */
    if (e < 0)                                  /* |x| < 1 */
        return (u << 1) == 0 ? x : (u >> 63) ? -0.0 : 1.0;
    uint64_t fraction = 0x000fffffffffffffULL >> e;
    if ((u & fraction) == 0) return x;
    if (!(u >> 63)) u += fraction + 1;          /* up one unit; a carry into the exponent is right */
    return from_bits(u & ~fraction);            /* negative: truncating is rounding up */
}

/* Annex F outside (0, inf): log(NaN) = NaN, log(±0) = -inf, log(x < 0) = NaN, log(inf) = inf. */
static int log_special(double x, double *result)
{
    if (x > 0 && x < __builtin_inf()) return 0;
    *result = x == 0 ? -1 / (x * x) : x < 0 ? (x - x) / (x - x) : x + x;
    return 1;
}

/* Finite x > 0 as 2^k m with m in [sqrt(1/2), sqrt(2)]. */
static double log_reduce(double x, int *k)
{
    uint64_t u = to_bits(x);
    *k = 0;
    if (u < 0x0010000000000000ULL) { u = to_bits(x * 0x1p54); *k = -54; } /* subnormal */
    *k += (int)(u >> 52) - 1023;
    double m = from_bits((u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    if (m > 0x1.6a09e667f3bcdp+0) { m *= 0.5; *k += 1; }
    return m;
}

/*
 * ln m for m in [sqrt(1/2), sqrt(2)]. With s = (m - 1) / (m + 1), m = (1 + s) / (1 - s), so
 * ln m = 2 atanh s = 2 s (1 + s^2/3 + s^4/5 + ...). |s| <= 3 - 2 sqrt(2) < 0.172, s^2 < 0.0295:
 * the first term left out after 21, s^42 / 43, is below 2^-112. ln 1 is exactly 0.
 */
static dd log_near_one(double m)
{
    dd s = dd_div((dd){ m - 1, 0 }, two_sum(m, 1)); /* m - 1 is exact (Sterbenz) */
    dd s2 = dd_mul(s, s), sum = { 0, 0 };
    for (int n = 20; n >= 0; n--)
        sum = dd_add(dd_div(dd_one, (dd){ 2 * n + 1, 0 }), dd_mul(s2, sum));
    dd half = dd_mul(s, sum);
    return (dd){ 2 * half.hi, 2 * half.lo };
}

/* ln x = k ln 2 + ln m, in double-double, for finite x > 0. */
static dd log_dd(double x)
{
    int k;
    double m = log_reduce(x, &k);
    return dd_add(dd_mul_d(ln2, k), log_near_one(m));
}

double log(double x)
{
    double special;
    return log_special(x, &special) ? special : log_dd(x).hi;
}

/* log2 x = k + ln m / ln 2: exactly k for x = 2^k. */
double log2(double x)
{
    double special;
    if (log_special(x, &special)) return special;
    int k;
    double m = log_reduce(x, &k);
    return dd_add((dd){ k, 0 }, dd_mul(log_near_one(m), inv_ln2)).hi;
}

/*
 * e^a for a double-double a in [-746, 710], rounded to double. a = k ln 2 + r with |r| <= ln 2 / 2,
 * e^a = 2^k e^r, e^r by its Taylor series in Horner form 1 + r (1 + r/2 (1 + r/3 (...))): the
 * first term left out after 22, (ln 2 / 2)^23 / 23!, is below 2^-109. The result is rounded
 * once, also where it is subnormal.
 */
static double exp_dd(dd a)
{
    double k = (a.hi * inv_ln2.hi + 0x1.8p52) - 0x1.8p52; /* nearest integer */
    dd r = dd_add(a, dd_mul_d(ln2, -k));
    dd sum = dd_one;
    for (int n = 22; n >= 1; n--)
        sum = dd_add(dd_one, dd_div(dd_mul(r, sum), (dd){ n, 0 }));
    int e = (int)k;
    if (e < -1022 || (e == -1022 && sum.hi < 1)) {
        /* Below 2^-1022: sum 2^(e + 1074) rounded to an integer n, once; n 2^-1074 is exact. */
        double scale = from_bits((uint64_t)(e + 1074 + 1023) << 52);
        double h = sum.hi * scale, l = sum.lo * scale;
        double n = (h + 0x1p52) - 0x1p52;       /* nearest integer to h (< 2^52), ties to even */
        if (h - n == 0.5 && l > 0) n += 1;      /* a tie in h alone: lo decides */
        else if (h - n == -0.5 && l < 0) n -= 1;
        return n * 0x1p-1074;
    }
    double v = sum.hi;
    if (e > 1000) { v *= 0x1p1000; e -= 1000; }
    return v * from_bits((uint64_t)(e + 1023) << 52);
}

/* 0: y is not an integer; 1: an odd integer; 2: an even one (every |y| >= 2^53 is). */
static int integer_kind(double y)
{
    if (!(y > -0x1p53 && y < 0x1p53)) return 2;
    int64_t i = (int64_t)y;
    return (double)i != y ? 0 : (i & 1) ? 1 : 2;
}

double pow(double x, double y)
{
    if (y == 0 || x == 1) return 1;             /* even for a NaN x or y */
    if (x != x || y != y) return x + y;
    double ax = __builtin_fabs(x), inf = __builtin_inf();
    if (y == inf || y == -inf)
        return ax == 1 ? 1 : (ax < 1) == (y < 0) ? inf : 0;
    int kind = integer_kind(y);
    double sign = (to_bits(x) >> 63) && kind == 1 ? -1 : 1;
    if (ax == 0) return y < 0 ? sign * inf : sign * 0;
    if (ax == inf) return y < 0 ? sign * 0 : sign * inf;
    if (x < 0 && kind == 0) return (x - x) / (x - x); /* NaN, invalid */
    if (ax == 1) return sign;                   /* x = -1 */
    dd l = log_dd(ax);
    /* Out of range by far: decided before y (up to 2^63 here, as |ln ax| >= 2^-53) is split. */
    double estimate = y * l.hi;
    if (estimate > 710) return sign * 0x1p1023 * 2;
    if (estimate < -746) return sign * 0x1p-1022 * 0x1p-53;
    return sign * exp_dd(dd_mul_d(l, y));
}
