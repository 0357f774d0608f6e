// The integer matrix product of many input rows with quantised weight rows (see CKernels.h).
//
// Vectorised over input rows rather than along a row: a lane is one input row, so a segment's 16 or
// 32 products per (weight row, input row) accumulate exactly in an Int32 lane (vpdpwssd: 16 lanes ×
// 2 Int16 products per instruction) and no horizontal sum is ever needed. Each lane then takes its
// segment's Float term with the same operations, in the same order, as the one-row kernels in
// Engine/Ops/QuantizedDot.swift, so every output has the same bits whichever path computed it.
// Compiled with -ffp-contract=off (Package.swift): a fused multiply-add would round differently.

#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define EVK_X86 1
#endif

int evk_cpu_has_vnni512(void) {
#if EVK_X86
    __builtin_cpu_init();  // idempotent; reads CPUID once into the runtime's table
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

static inline int32_t loadPair(const int16_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

// The portable path: the same sums and the same Float operations, lane by lane.
static void gemmPortable(const EVKWeights *w, const EVKInputs *x, float *const *out, int32_t firstOutput,
                         int32_t rowCount, int32_t validRows) {
    const int k = w->k, kp = k / 2, kb = k / 32, segments = w->segments, half = w->segmentLength / 2;
    for (int t = 0; t < x->tiles; t++) {
        const int32_t *tilePairs = x->pairs + (size_t)t * kp * 16;
        const float *tileScales = x->scales + (size_t)t * kb * 16, *tileSums = x->sums + (size_t)t * kb * 16;
        const int lanes = rowCount - 16 * t < 16 ? rowCount - 16 * t : 16;
        if (lanes <= 0) break;
        for (int i = 0; i < validRows; i++) {
            const int16_t *row = w->weights + (size_t)i * k;
            const float *f = w->factors + (size_t)i * segments, *m = w->minimums + (size_t)i * segments;
            float total[16] = {0};
            for (int s = 0; s < segments; s++) {
                const int start = w->segmentStarts[s], b = start / 32;
                int32_t sum[16] = {0};
                for (int p = 0; p < half; p++) {
                    const int16_t w0 = row[start + 2 * p], w1 = row[start + 2 * p + 1];
                    const int32_t *xp = tilePairs + (size_t)(start / 2 + p) * 16;
                    for (int l = 0; l < 16; l++) {
                        const int16_t x0 = (int16_t)(xp[l] & 0xFFFF), x1 = (int16_t)((uint32_t)xp[l] >> 16);
                        sum[l] += (int32_t)w0 * x0 + (int32_t)w1 * x1;
                    }
                }
                for (int l = 0; l < 16; l++) {
                    const float term = f[s] * tileScales[b * 16 + l] * (float)sum[l];
                    switch (w->mode) {
                    case 0: total[l] = total[l] + term; break;
                    case 1: total[l] = total[l] + term; total[l] = total[l] + m[s] * tileSums[b * 16 + l]; break;
                    default: total[l] = total[l] + (term - m[s] * tileSums[b * 16 + l]); break;
                    }
                }
            }
            for (int l = 0; l < lanes; l++) out[16 * t + l][firstOutput + i] = total[l];
        }
    }
}

#if EVK_X86
#define EVK_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// One segment's term for one accumulator, per mode (see EVKWeights.mode).
#define EVK_TERM(total, sum, factor, minimum, scale, xsum)                                              \
    do {                                                                                                \
        const __m512 term = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(factor), scale),                 \
                                          _mm512_cvtepi32_ps(sum));                                     \
        if (mode == 0) {                                                                                \
            total = _mm512_add_ps(total, term);                                                         \
        } else if (mode == 1) {                                                                         \
            total = _mm512_add_ps(total, term);                                                         \
            total = _mm512_add_ps(total, _mm512_mul_ps(_mm512_set1_ps(minimum), xsum));                 \
        } else {                                                                                        \
            total = _mm512_add_ps(total, _mm512_sub_ps(term, _mm512_mul_ps(_mm512_set1_ps(minimum), xsum))); \
        }                                                                                               \
    } while (0)

EVK_VNNI static void storeLanes(__m512 v, float *const *out, int row0, int lanes, int column) {
    float values[16];
    _mm512_storeu_ps(values, v);
    for (int l = 0; l < lanes; l++) out[row0 + l][column] = values[l];
}

// Two tiles (32 input rows) × four weight rows at a time: 8 Int32 accumulators per segment, 8 Float
// totals. The segments are taken a stretch of ~256 values at a time for every weight row before the
// next stretch, so the stretch of the two tiles' inputs (16 KB) and of the weight rows stays in L1
// (a whole tile pair is 40–128 KB, which streamed from L2 for every four weight rows); each total
// still takes its segments' terms in order, so the bits do not change.
EVK_VNNI static void gemmVNNI(const EVKWeights *w, const EVKInputs *x, float *const *out, int32_t firstOutput,
                              int32_t rowCount, int32_t validRows) {
    const int k = w->k, kp = k / 2, kb = k / 32, segments = w->segments, half = w->segmentLength / 2, mode = w->mode;
    const int32_t *starts = w->segmentStarts;
    enum { MAX_ROWS = 64 };
    // Stretches only when the totals of every weight row fit here (the product's panels are 16 rows).
    const int stretch = w->rows <= MAX_ROWS ? 256 / w->segmentLength : segments;
    __m512 saved[MAX_ROWS * 2];
    for (int t = 0; t < x->tiles; t += 2) {
        if (16 * t >= rowCount) break;
        const int32_t *pa = x->pairs + (size_t)t * kp * 16, *pb = pa + (size_t)kp * 16;
        const float *sa = x->scales + (size_t)t * kb * 16, *sb = sa + (size_t)kb * 16;
        const float *ua = x->sums + (size_t)t * kb * 16, *ub = ua + (size_t)kb * 16;
        const int lanesA = rowCount - 16 * t < 16 ? rowCount - 16 * t : 16;
        const int lanesB = rowCount - 16 * (t + 1) < 16 ? rowCount - 16 * (t + 1) : 16;
        for (int first = 0; first < segments; first += stretch) {
            const int last = first + stretch < segments ? first + stretch : segments;
            for (int i = 0; i < w->rows; i += 4) {
                const int16_t *w0 = w->weights + (size_t)i * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
                const float *f0 = w->factors + (size_t)i * segments, *f1 = f0 + segments, *f2 = f1 + segments, *f3 = f2 + segments;
                const float *m0 = w->minimums + (size_t)i * segments, *m1 = m0 + segments, *m2 = m1 + segments, *m3 = m2 + segments;
                __m512 t0a, t0b, t1a, t1b, t2a, t2b, t3a, t3b;
                if (first == 0) {
                    t0a = _mm512_setzero_ps(); t0b = t0a; t1a = t0a; t1b = t0a; t2a = t0a; t2b = t0a; t3a = t0a; t3b = t0a;
                } else {
                    const __m512 *r = saved + 2 * i;
                    t0a = r[0]; t0b = r[1]; t1a = r[2]; t1b = r[3]; t2a = r[4]; t2b = r[5]; t3a = r[6]; t3b = r[7];
                }
                for (int s = first; s < last; s++) {
                    const int start = starts[s], b = start / 32;
                    const int32_t *xa = pa + (size_t)(start / 2) * 16, *xb = pb + (size_t)(start / 2) * 16;
                    __m512i s0a = _mm512_setzero_si512(), s0b = s0a, s1a = s0a, s1b = s0a, s2a = s0a, s2b = s0a, s3a = s0a, s3b = s0a;
                    for (int p = 0; p < half; p++) {
                        const __m512i va = _mm512_load_si512(xa + 16 * p), vb = _mm512_load_si512(xb + 16 * p);
                        const int o = start + 2 * p;
                        const __m512i v0 = _mm512_set1_epi32(loadPair(w0 + o)), v1 = _mm512_set1_epi32(loadPair(w1 + o));
                        const __m512i v2 = _mm512_set1_epi32(loadPair(w2 + o)), v3 = _mm512_set1_epi32(loadPair(w3 + o));
                        s0a = _mm512_dpwssd_epi32(s0a, va, v0);
                        s0b = _mm512_dpwssd_epi32(s0b, vb, v0);
                        s1a = _mm512_dpwssd_epi32(s1a, va, v1);
                        s1b = _mm512_dpwssd_epi32(s1b, vb, v1);
                        s2a = _mm512_dpwssd_epi32(s2a, va, v2);
                        s2b = _mm512_dpwssd_epi32(s2b, vb, v2);
                        s3a = _mm512_dpwssd_epi32(s3a, va, v3);
                        s3b = _mm512_dpwssd_epi32(s3b, vb, v3);
                    }
                    const __m512 xsa = _mm512_load_ps(sa + 16 * b), xsb = _mm512_load_ps(sb + 16 * b);
                    const __m512 xua = _mm512_load_ps(ua + 16 * b), xub = _mm512_load_ps(ub + 16 * b);
                    EVK_TERM(t0a, s0a, f0[s], m0[s], xsa, xua);
                    EVK_TERM(t0b, s0b, f0[s], m0[s], xsb, xub);
                    EVK_TERM(t1a, s1a, f1[s], m1[s], xsa, xua);
                    EVK_TERM(t1b, s1b, f1[s], m1[s], xsb, xub);
                    EVK_TERM(t2a, s2a, f2[s], m2[s], xsa, xua);
                    EVK_TERM(t2b, s2b, f2[s], m2[s], xsb, xub);
                    EVK_TERM(t3a, s3a, f3[s], m3[s], xsa, xua);
                    EVK_TERM(t3b, s3b, f3[s], m3[s], xsb, xub);
                }
                if (last < segments) {
                    __m512 *r = saved + 2 * i;
                    r[0] = t0a; r[1] = t0b; r[2] = t1a; r[3] = t1b; r[4] = t2a; r[5] = t2b; r[6] = t3a; r[7] = t3b;
                    continue;
                }
                const __m512 totals[8] = {t0a, t0b, t1a, t1b, t2a, t2b, t3a, t3b};
                for (int r = 0; r < 4 && i + r < validRows; r++) {
                    storeLanes(totals[2 * r], out, 16 * t, lanesA, firstOutput + i + r);
                    if (lanesB > 0) storeLanes(totals[2 * r + 1], out, 16 * (t + 1), lanesB, firstOutput + i + r);
                }
            }
        }
    }
}
#endif

void evk_integer_gemm(const EVKWeights *w, const EVKInputs *x, float *const *out, int32_t firstOutput,
                      int32_t rowCount, int32_t validRows, int vnni) {
#if EVK_X86
    if (vnni && evk_cpu_has_vnni512()) {
        gemmVNNI(w, x, out, firstOutput, rowCount, validRows);
        return;
    }
#endif
    gemmPortable(w, x, out, firstOutput, rowCount, validRows);
}
