// Products of input rows with a quantised matrix whose rows are regrouped sixteen at a time (see
// CKernels.h), eight input rows per load of the weights (four with AVX2, below): a lane is one weight row, so each segment's 16 or 32 products
// accumulate exactly in an Int32 lane (vpdpwssd against one broadcast input pair) and the segment's
// Float terms are added with the one-row kernel's operations in its order — the same bits as
// `QuantizedDot`'s kernels, which need a horizontal sum per segment and row instead.
// Compiled with -ffp-contract=off (Package.swift).

#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define EVK_X86 1
#endif

int32_t evk_group_segment_bytes(int32_t mode, int32_t length) { return 64 + (mode != 0 ? 64 : 0) + 16 * length; }

void evk_group_rows(const int16_t *weights, const float *factors, const float *minimums, int32_t rowCount, int32_t k,
                    const int32_t *starts, int32_t segments, int32_t length, int32_t mode, uint8_t *group) {
    const int segmentBytes = evk_group_segment_bytes(mode, length), valuesAt = segmentBytes - 16 * length;
    for (int s = 0; s < segments; s++) {
        uint8_t *out = group + (size_t)s * segmentBytes;
        memset(out, 0, segmentBytes);  // lanes past the last row: zeros
        for (int l = 0; l < rowCount; l++) {
            memcpy(out + 4 * l, factors + (size_t)l * segments + s, 4);
            if (mode != 0) memcpy(out + 64 + 4 * l, minimums + (size_t)l * segments + s, 4);
            // Value j of the segment in lane l: pair j / 2, byte 2·l + j % 2 of that pair's 32 bytes.
            const int16_t *row = weights + (size_t)l * k + starts[s];
            for (int j = 0; j < length; j++) out[valuesAt + 32 * (j / 2) + 2 * l + j % 2] = (uint8_t)(int8_t)row[j];
        }
    }
}

#if EVK_X86
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void groupProducts(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                                 int32_t g, const int16_t *const *values, const float *const *scales, const float *const *sums,
                                 float *const *out, int32_t outputRows, const int R) {
    const int segmentBytes = evk_group_segment_bytes(mode, length), valuesAt = segmentBytes - 16 * length, half = length / 2;
    __m512 total[8];
    for (int i = 0; i < R; i++) total[i] = _mm512_setzero_ps();
    for (int s = 0; s < segments; s++) {
        const uint8_t *segment = grouped + ((size_t)g * segments + s) * segmentBytes;
        const int start = starts[s], b = start / 32;
        const __m512 f = _mm512_loadu_ps(segment);
        __m512i sum[8];
        for (int i = 0; i < R; i++) sum[i] = _mm512_setzero_si512();
        for (int p = 0; p < half; p++) {
            const __m512i w = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(segment + valuesAt + 32 * p)));
            for (int i = 0; i < R; i++) {
                int32_t pair;
                memcpy(&pair, values[i] + start + 2 * p, 4);
                sum[i] = _mm512_dpwssd_epi32(sum[i], w, _mm512_set1_epi32(pair));
            }
        }
        for (int i = 0; i < R; i++) {
            // The one-row kernels' expressions (see evk_group_products): term = (f · x.scale) · S, then
            // 0: t += term;  1: t += term, t += m · x.sum;  2: t += term − m · x.sum.
            const __m512 term = _mm512_mul_ps(_mm512_mul_ps(f, _mm512_set1_ps(scales[i][b])), _mm512_cvtepi32_ps(sum[i]));
            if (mode == 0) {
                total[i] = _mm512_add_ps(total[i], term);
            } else {
                const __m512 minimum = _mm512_mul_ps(_mm512_loadu_ps(segment + 64), _mm512_set1_ps(sums[i][b]));
                if (mode == 1) total[i] = _mm512_add_ps(_mm512_add_ps(total[i], term), minimum);
                else total[i] = _mm512_add_ps(total[i], _mm512_sub_ps(term, minimum));
            }
        }
    }
    const int valid = outputRows - 16 * g < 16 ? outputRows - 16 * g : 16;
    const __mmask16 mask = (__mmask16)((1u << valid) - 1);
    for (int i = 0; i < R; i++) _mm512_mask_storeu_ps(out[i] + 16 * g, mask, total[i]);
}

#define EVK_GROUP_CASE(n) case n: groupProducts(grouped, starts, segments, length, mode, g, v, s, m, o, outputRows, n); break;

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void groupRange(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                       int32_t firstGroup, int32_t groupCount, const int16_t *const *values, const float *const *scales,
                       const float *const *sums, int32_t inputRows, float *const *out, int32_t outputRows) {
    for (int first = 0; first < inputRows; first += 8) {
        const int R = inputRows - first < 8 ? inputRows - first : 8;
        const int16_t *const *v = values + first;
        const float *const *s = scales + first, *const *m = sums + first;
        float *const *o = out + first;
        for (int g = firstGroup; g < firstGroup + groupCount; g++) {
            switch (R) {
            EVK_GROUP_CASE(1) EVK_GROUP_CASE(2) EVK_GROUP_CASE(3) EVK_GROUP_CASE(4)
            EVK_GROUP_CASE(5) EVK_GROUP_CASE(6) EVK_GROUP_CASE(7)
            default: groupProducts(grouped, starts, segments, length, mode, g, v, s, m, o, outputRows, 8);
            }
        }
    }
}

// The same products with AVX2 (vpmaddwd, 8 lanes): a group's sixteen lanes as two halves, up to four
// input rows per load of the weights. Each lane's Int32 sum and Float operations are the AVX-512
// form's, so the bits are too.
__attribute__((target("avx2"), always_inline))
static inline void groupProductsAVX2(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                                     int32_t g, const int16_t *const *values, const float *const *scales, const float *const *sums,
                                     float *const *out, int32_t outputRows, const int R) {
    const int segmentBytes = evk_group_segment_bytes(mode, length), valuesAt = segmentBytes - 16 * length, half = length / 2;
    __m256 total[4][2];
    for (int i = 0; i < R; i++) total[i][0] = total[i][1] = _mm256_setzero_ps();
    for (int s = 0; s < segments; s++) {
        const uint8_t *segment = grouped + ((size_t)g * segments + s) * segmentBytes;
        const int start = starts[s], b = start / 32;
        __m256i sum[4][2];
        for (int i = 0; i < R; i++) sum[i][0] = sum[i][1] = _mm256_setzero_si256();
        for (int p = 0; p < half; p++) {
            const uint8_t *pair = segment + valuesAt + 32 * p;  // lanes 0-7 in bytes 0-15, lanes 8-15 in 16-31
            const __m256i low = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)pair));
            const __m256i high = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(pair + 16)));
            for (int i = 0; i < R; i++) {
                int32_t x;
                memcpy(&x, values[i] + start + 2 * p, 4);
                const __m256i broadcast = _mm256_set1_epi32(x);
                sum[i][0] = _mm256_add_epi32(sum[i][0], _mm256_madd_epi16(low, broadcast));
                sum[i][1] = _mm256_add_epi32(sum[i][1], _mm256_madd_epi16(high, broadcast));
            }
        }
        for (int h = 0; h < 2; h++) {
            const __m256 f = _mm256_loadu_ps((const float *)segment + 8 * h);
            for (int i = 0; i < R; i++) {
                const __m256 term = _mm256_mul_ps(_mm256_mul_ps(f, _mm256_set1_ps(scales[i][b])), _mm256_cvtepi32_ps(sum[i][h]));
                if (mode == 0) {
                    total[i][h] = _mm256_add_ps(total[i][h], term);
                } else {
                    const __m256 minimum = _mm256_mul_ps(_mm256_loadu_ps((const float *)(segment + 64) + 8 * h), _mm256_set1_ps(sums[i][b]));
                    if (mode == 1) total[i][h] = _mm256_add_ps(_mm256_add_ps(total[i][h], term), minimum);
                    else total[i][h] = _mm256_add_ps(total[i][h], _mm256_sub_ps(term, minimum));
                }
            }
        }
    }
    const int valid = outputRows - 16 * g < 16 ? outputRows - 16 * g : 16;
    for (int i = 0; i < R; i++) {
        float lanes[16];
        _mm256_storeu_ps(lanes, total[i][0]);
        _mm256_storeu_ps(lanes + 8, total[i][1]);
        memcpy(out[i] + 16 * g, lanes, (size_t)valid * sizeof(float));
    }
}

#define EVK_GROUP_CASE_AVX2(n) case n: groupProductsAVX2(grouped, starts, segments, length, mode, g, v, s, m, o, outputRows, n); break;

__attribute__((target("avx2")))
static void groupRangeAVX2(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                           int32_t firstGroup, int32_t groupCount, const int16_t *const *values, const float *const *scales,
                           const float *const *sums, int32_t inputRows, float *const *out, int32_t outputRows) {
    for (int first = 0; first < inputRows; first += 4) {
        const int R = inputRows - first < 4 ? inputRows - first : 4;
        const int16_t *const *v = values + first;
        const float *const *s = scales + first, *const *m = sums + first;
        float *const *o = out + first;
        for (int g = firstGroup; g < firstGroup + groupCount; g++) {
            switch (R) {
            EVK_GROUP_CASE_AVX2(1) EVK_GROUP_CASE_AVX2(2) EVK_GROUP_CASE_AVX2(3)
            default: groupProductsAVX2(grouped, starts, segments, length, mode, g, v, s, m, o, outputRows, 4);
            }
        }
    }
}
#endif

int evk_group_kernel(void) {
#if EVK_X86
    if (evk_cpu_has_vnni512()) return 2;
    if (evk_cpu_has_avx2()) return 1;
#endif
    return 0;
}

int evk_group_products(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                       int32_t firstGroup, int32_t groupCount, const int16_t *const *values, const float *const *scales,
                       const float *const *sums, int32_t inputRows, float *const *out, int32_t outputRows) {
#if EVK_X86
    switch (evk_group_kernel()) {
    case 2: groupRange(grouped, starts, segments, length, mode, firstGroup, groupCount, values, scales, sums, inputRows, out, outputRows); return 1;
    case 1: groupRangeAVX2(grouped, starts, segments, length, mode, firstGroup, groupCount, values, scales, sums, inputRows, out, outputRows); return 1;
    default: return 0;
    }
#else
    (void)grouped; (void)starts; (void)segments; (void)length; (void)mode; (void)firstGroup; (void)groupCount;
    (void)values; (void)scales; (void)sums; (void)inputRows; (void)out; (void)outputRows;
    return 0;
#endif
}
