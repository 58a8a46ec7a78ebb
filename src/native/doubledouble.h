/*
 * Double-double arithmetic: a value is the unevaluated sum hi + lo of two doubles with
 * |lo| <= ulp(hi) / 2, about 106 bits of precision from plain IEEE-754 binary64 operations.
 * mathfuncs.c computes in it so that one final rounding to double gives the correctly rounded
 * result but in rare near-halfway cases.
 *
 * The error-free transformations below (Knuth's TwoSum, Dekker's FastTwoSum and product) are
 * exact only in round-to-nearest without extended precision and without contraction into
 * fused multiply-adds: compile with -ffp-contract=off (SSE2 doubles on x86-64 are binary64).
 */
#ifndef CSRUN_DOUBLEDOUBLE_H
#define CSRUN_DOUBLEDOUBLE_H

typedef struct { double hi, lo; } dd;

static const dd dd_one = { 1.0, 0.0 };

/* a + b exactly, any magnitudes. */
static dd two_sum(double a, double b)
{
    double s = a + b, bv = s - a, av = s - bv;
    return (dd){ s, (a - av) + (b - bv) };
}

/* a + b exactly when a == 0 or |a| >= |b|: puts a pair back into hi + lo form. */
static dd fast_two_sum(double a, double b)
{
    double s = a + b;
    return (dd){ s, b - (s - a) };
}

/* a as hi + lo with 26 significant bits each, so products of halves are exact. */
static void split(double a, double *hi, double *lo)
{
    double c = 134217729.0 * a; /* (2^27 + 1) a; |a| < 2^995 here */
    *hi = c - (c - a);
    *lo = a - *hi;
}

/* a * b exactly: the rounded product and its rounding error from the halves. */
static dd two_prod(double a, double b)
{
    double ah, al, bh, bl, p = a * b;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    return (dd){ p, ((ah * bh - p) + ah * bl + al * bh) + al * bl };
}

static dd dd_add(dd a, dd b)
{
    dd s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s = fast_two_sum(s.hi, s.lo + t.hi);
    return fast_two_sum(s.hi, s.lo + t.lo);
}

static dd dd_mul(dd a, dd b)
{
    dd p = two_prod(a.hi, b.hi);
    return fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

static dd dd_mul_d(dd a, double b)
{
    dd p = two_prod(a.hi, b);
    return fast_two_sum(p.hi, p.lo + a.lo * b);
}

/* a / b: the double quotient q, corrected by the quotient of the remainder a - q b. */
static dd dd_div(dd a, dd b)
{
    double q = a.hi / b.hi;
    dd r = dd_add(a, dd_mul_d(b, -q));
    return fast_two_sum(q, r.hi / b.hi);
}

#endif
