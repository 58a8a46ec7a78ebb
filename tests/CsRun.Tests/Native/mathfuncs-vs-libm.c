/*
 * Checks src/native/mathfuncs.c (linked in: ceil, log, log2 and pow resolve to it, as in csrun)
 * against glibc's libm.so.6 (dlopen). Build: clang -Os -fno-builtin -ffp-contract=off
 * mathfuncs-vs-libm.c mathfuncs.c -ldl.
 *   mathfuncs-vs-libm compare     one line per group: "<group> cases=N differ=D max_ulp=M worst: ..."
 *                                 (D results not equal to the reference, M ulps off at most)
 *   mathfuncs-vs-libm cpuweight   V2Conversions.CpuWeight's formula through mathfuncs.c,
 *                                 "shares weight" for shares 3..262143
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

double ceil(double);
double log(double);
double log2(double);
double pow(double, double);

static double (*libm_ceil)(double), (*libm_log)(double), (*libm_log2)(double), (*libm_pow)(double, double);

static uint64_t bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static double from_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* Doubles in order as integers: the difference counts the doubles between (+0 and -0 are 1 apart). */
static int64_t ordinal(double x)
{
    uint64_t u = bits(x);
    return u >> 63 ? -(int64_t)(u & ~(1ULL << 63)) - 1 : (int64_t)u;
}

/* How far a is from b in ulps; a NaN, zero or infinity matches only the same (sign included). */
static uint64_t ulps(double a, double b)
{
    if (a != a || b != b) return (a != a) == (b != b) ? 0 : UINT64_MAX;
    if (a == 0 || b == 0 || a - a != 0 || b - b != 0) return bits(a) == bits(b) ? 0 : UINT64_MAX;
    int64_t d = ordinal(a) - ordinal(b);
    return d < 0 ? -(uint64_t)d : (uint64_t)d;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) /* splitmix64: fixed seed, the same cases every run */
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double uniform(double lo, double hi) { return lo + (hi - lo) * (double)(next() >> 11) * 0x1p-53; }

typedef struct { const char *name; long cases, differ; uint64_t max; double x, y, ours, ref; } group;

static void record(group *g, double x, double y, double ours, double ref)
{
    uint64_t d = ulps(ours, ref);
    g->differ += d != 0;
    if (g->cases++ == 0 || d > g->max) { g->max = d; g->x = x; g->y = y; g->ours = ours; g->ref = ref; }
}

static void report(const group *g)
{
    printf("%s cases=%ld differ=%ld max_ulp=%llu worst: x=%a y=%a ours=%a reference=%a\n", g->name, g->cases,
           g->differ, (unsigned long long)g->max, g->x, g->y, g->ours, g->ref);
}

static void unary(group *g, double (*ours)(double), double (*ref)(double), double x)
{
    record(g, x, 0, ours(x), ref(x));
}

static void binary(group *g, double x, double y) { record(g, x, y, pow(x, y), libm_pow(x, y)); }

static const double specials[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 1.5, -1.5, 10.0, 0.1, 1023.5, -2.5,
    0x1p-1074, -0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp1023, -0x1.fffffffffffffp1023,
    0x1.0000000000001p0, 0x1.fffffffffffffp-1, -0x1.0000000000001p0, 0x1p52, 0x1p52 + 0.5, 0x1p53,
    0x1p53 + 2, -0x1p53 - 2, 0x1p63, 1e308, -1e308, 709.8, -745.2, 1024, -1074, 1075, -1075,
    1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0,
};
#define SPECIALS (sizeof specials / sizeof specials[0])

/* x^y for integer x (not 0) and y when it is a double: x = odd 2^t, x^y = odd^y 2^(t y). */
static int exact_power(int x, int y, double *result)
{
    int odd = x < 0 ? -x : x, t = 0;
    while (odd % 2 == 0) { odd /= 2; t++; }
    if (y < 0 && odd != 1) return 0;
    uint64_t p = 1;
    for (int i = 0; i < y; i++) if ((p *= (uint64_t)odd) >= (1ULL << 53)) return 0;
    int bitlen = 64 - __builtin_clzll(p), low = t * y;
    if (low < -1074 || low + bitlen - 1 > 1023) return 0;
    double v = (double)p;
    for (int e = low; e != 0;) { int step = e > 600 ? 600 : e < -600 ? -600 : e; v *= from_bits((uint64_t)(step + 1023) << 52); e -= step; }
    *result = x < 0 && (y & 1) ? -v : v;
    return 1;
}

static void compare(void)
{
    group g = { "ceil_special" };
    for (unsigned i = 0; i < SPECIALS; i++) unary(&g, ceil, libm_ceil, specials[i]);
    report(&g);
    g = (group){ "ceil_random" };
    for (int i = 0; i < 300000; i++) {
        unary(&g, ceil, libm_ceil, from_bits(next()));                 /* every exponent */
        double n = (double)(int64_t)uniform(-1e6, 1e6);
        unary(&g, ceil, libm_ceil, n + uniform(-1, 1) * (i & 1 ? 1e-9 : 1));
    }
    report(&g);

    double (*ours[2])(double) = { log, log2 }, (*ref[2])(double) = { libm_log, libm_log2 };
    const char *name[2][3] = { { "log_special", "log_random", "log_near_1" }, { "log2_special", "log2_random", "log2_near_1" } };
    for (int f = 0; f < 2; f++) {
        g = (group){ name[f][0] };
        for (unsigned i = 0; i < SPECIALS; i++) unary(&g, ours[f], ref[f], specials[i]);
        report(&g);
        g = (group){ name[f][1] };
        for (int i = 0; i < 300000; i++) unary(&g, ours[f], ref[f], from_bits(next() % 0x7ff0000000000000ULL));
        report(&g);
        g = (group){ name[f][2] };
        for (int i = 0; i < 100000; i++) unary(&g, ours[f], ref[f], 1 + uniform(-1, 1) * from_bits((uint64_t)(1023 - i % 60) << 52));
        report(&g);
    }
    g = (group){ "log2_powers_of_2" };
    for (int k = -1074; k <= 1023; k++)
        record(&g, k, 0, log2(k < -1022 ? from_bits(1ULL << (k + 1074)) : from_bits((uint64_t)(k + 1023) << 52)), k);
    report(&g);

    g = (group){ "pow_special" };
    for (unsigned i = 0; i < SPECIALS; i++)
        for (unsigned j = 0; j < SPECIALS; j++) binary(&g, specials[i], specials[j]);
    report(&g);
    g = (group){ "pow_exact_integers" };
    for (int x = -1024; x <= 1024; x++)
        for (int y = -1100; y <= 1100; y++) {
            double exact;
            if (x != 0 && exact_power(x, y, &exact)) record(&g, x, y, pow(x, y), exact);
        }
    report(&g);
    g = (group){ "pow_random" };
    for (int i = 0; i < 100000; i++) {
        double x = from_bits(next() % 0x7ff0000000000000ULL);        /* any positive x, */
        binary(&g, x, uniform(-1100, 1100) / libm_log2(x));           /* results over the whole range */
        binary(&g, uniform(0, 100), uniform(-60, 60));
        binary(&g, 1 + uniform(-1, 1) * 0x1p-30, uniform(-1e12, 1e12)); /* near 1, large y */
        binary(&g, -uniform(0, 1000), (double)(int64_t)uniform(-100, 100)); /* negative x */
    }
    report(&g);
}

static void cpuweight(void)
{
    for (int shares = 3; shares < 262144; shares++) {
        double l = log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        printf("%d %llu\n", shares, (unsigned long long)ceil(pow(10, exponent)));
    }
}

int main(int argc, char **argv)
{
    void *libm = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
    if (!libm) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    libm_ceil = (double (*)(double))dlsym(libm, "ceil");
    libm_log = (double (*)(double))dlsym(libm, "log");
    libm_log2 = (double (*)(double))dlsym(libm, "log2");
    libm_pow = (double (*)(double, double))dlsym(libm, "pow");
    if (argc == 2 && !strcmp(argv[1], "compare")) compare();
    else if (argc == 2 && !strcmp(argv[1], "cpuweight")) cpuweight();
    else { fprintf(stderr, "usage: %s compare|cpuweight\n", argv[0]); return 2; }
    return 0;
}
