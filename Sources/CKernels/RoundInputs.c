// Input rows rounded to Int16 per 32 values for the integer kernels (see CKernels.h), and the CPU
// checks the kernels dispatch on. The rule is
// one: scale = max|x| / 32767, q = round-half-away-from-zero(x · (1 / scale)); the AVX-512 path does
// the same Float operations as the portable one (a product, a truncation, an exact difference), so
// both give the same bits (tests compare them on ties, huge, tiny and non-finite values).

#include "CKernels.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define EVK_X86 1
#endif

// A block with a NaN or an infinity: zeros, and a NaN scale and sum so every product with it is NaN.
static void nonFiniteBlock(int16_t *values, float *scale, float *sum) {
    memset(values, 0, 32 * sizeof(int16_t));
    *scale = NAN;
    *sum = NAN;
}

// 1 / scale, or 0 when scale is 0 or so small (subnormal) that its reciprocal overflows: the block's
// values are then below 1e-40 and round to zero.
static inline float inverseOf(float scale) {
    if (!(scale > 0)) return 0;
    const float inverse = 1.0f / scale;
    return inverse <= FLT_MAX ? inverse : 0;
}

static void roundPortable(const float *x, int32_t count, int16_t *values, float *scales, float *sums) {
    for (int b = 0; b < count / 32; b++) {
        const float *block = x + 32 * b;
        float largest = 0;
        int finite = 1;
        for (int j = 0; j < 32; j++) {
            const float a = fabsf(block[j]);
            if (!(a <= FLT_MAX)) finite = 0;
            else if (a > largest) largest = a;
        }
        if (!finite) {
            nonFiniteBlock(values + 32 * b, scales + b, sums + b);
            continue;
        }
        const float scale = largest / 32767.0f, inverse = inverseOf(scale);
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            const int16_t q = (int16_t)roundf(block[j] * inverse);
            values[32 * b + j] = q;
            sum += q;
        }
        scales[b] = scale;
        sums[b] = (float)sum * scale;
    }
}

#if EVK_X86
// round-half-away-from-zero(v) = trunc(v) + sign(v) where |v − trunc(v)| ≥ 0.5 (the difference is exact).
__attribute__((target("avx512f,avx512bw")))
static inline __m512i roundAway(__m512 v) {
    const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
    const __m512 fraction = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(_mm512_sub_ps(v, t)), magnitude));
    const __mmask16 up = _mm512_cmp_ps_mask(fraction, _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    const __m512 signedOne = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(_mm512_set1_ps(1.0f)),
                                                                 _mm512_andnot_si512(magnitude, _mm512_castps_si512(v))));
    return _mm512_cvttps_epi32(_mm512_mask_add_ps(t, up, t, signedOne));
}

__attribute__((target("avx512f,avx512bw")))
static void roundAVX512(const float *x, int32_t count, int16_t *values, float *scales, float *sums) {
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
    const __m512 largestFinite = _mm512_set1_ps(FLT_MAX);
    for (int b = 0; b < count / 32; b++) {
        const __m512 x0 = _mm512_loadu_ps(x + 32 * b), x1 = _mm512_loadu_ps(x + 32 * b + 16);
        const __m512 a0 = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x0), magnitude));
        const __m512 a1 = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x1), magnitude));
        const __mmask16 finite0 = _mm512_cmp_ps_mask(a0, largestFinite, _CMP_LE_OQ);
        const __mmask16 finite1 = _mm512_cmp_ps_mask(a1, largestFinite, _CMP_LE_OQ);
        if ((finite0 & finite1) != 0xFFFF) {
            nonFiniteBlock(values + 32 * b, scales + b, sums + b);
            continue;
        }
        const float largest = _mm512_reduce_max_ps(_mm512_max_ps(a0, a1));
        const float scale = largest / 32767.0f;
        const __m512 inverse = _mm512_set1_ps(inverseOf(scale));
        const __m512i q0 = roundAway(_mm512_mul_ps(x0, inverse)), q1 = roundAway(_mm512_mul_ps(x1, inverse));
        _mm256_storeu_si256((__m256i *)(values + 32 * b), _mm512_cvtepi32_epi16(q0));
        _mm256_storeu_si256((__m256i *)(values + 32 * b + 16), _mm512_cvtepi32_epi16(q1));
        scales[b] = scale;
        sums[b] = (float)_mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1)) * scale;
    }
}
#endif

int evk_cpu_has_vnni512(void) {
#if EVK_X86
    return evk_cpu_has_avx512() && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

#if EVK_X86
// Whether `variable` in the environment is "0": the engine then takes the paths of CPUs without the
// feature (how tests run them on this one).
static int switchedOff(const char *variable) {
    const char *value = getenv(variable);
    return value && strcmp(value, "0") == 0;
}

static int detectAVX2(void) { return !switchedOff("EVALKIT_AVX2") && __builtin_cpu_supports("avx2"); }

static int detectAVX512(void) {
    return !switchedOff("EVALKIT_AVX512") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

// detect() the first time (CPUID and the environment read once), its cached answer after.
static int once(_Atomic int *known, int (*detect)(void)) {
    int has = *known;
    if (has < 0) {
        __builtin_cpu_init();
        has = detect();
        *known = has;
    }
    return has;
}
#endif

int evk_cpu_has_avx2(void) {
#if EVK_X86
    static _Atomic int known = -1;
    return once(&known, detectAVX2);
#else
    return 0;
#endif
}

int evk_cpu_has_avx512(void) {
#if EVK_X86
    static _Atomic int known = -1;
    return once(&known, detectAVX512);
#else
    return 0;
#endif
}

void evk_round_inputs(const float *x, int32_t count, int16_t *values, float *scales, float *sums, int vector) {
#if EVK_X86
    if (vector && evk_cpu_has_avx512()) return roundAVX512(x, count, values, scales, sums);
#endif
    (void)vector;
    roundPortable(x, count, values, scales, sums);
}
