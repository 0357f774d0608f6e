#ifndef EVALKIT_CKERNELS_H
#define EVALKIT_CKERNELS_H

#include <stdint.h>

/// 1 when the CPU has AVX-512 (F, BW) and VNNI, else 0 (0 also under EVALKIT_AVX512=0).
int evk_cpu_has_vnni512(void);

/// 1 when the CPU has AVX2, else 0 (0 also under EVALKIT_AVX2=0, read once: how tests run the Swift
/// kernels of CPUs without it).
int evk_cpu_has_avx2(void);

/// Which form `evk_group_products` runs on this CPU: 2 AVX-512 VNNI, 1 AVX2, 0 none (it returns 0).
int evk_group_kernel(void);

/// 1 when the CPU has AVX-512 F and BW, else 0. EVALKIT_AVX512=0 in the environment (read once) makes
/// it 0 on any CPU, so the engine takes the paths of CPUs without AVX-512 — how tests run them here.
int evk_cpu_has_avx512(void);

/// Rounds `count` floats (a multiple of 32) to Int16 per 32 values, the rule of `QuantizedDot.Input`:
/// scale = max|x| / 32767, q = x · (1 / scale) rounded half away from zero (q = 0 when scale is 0
/// or its reciprocal overflows), sum = Float(Σq) · scale; a block holding a NaN or an infinity
/// gets zeros and a NaN scale and sum. `vector`: 1 for the AVX-512 path where the CPU has it, 0 for
/// the portable loop (same bits).
void evk_round_inputs(const float *x, int32_t count, int16_t *values, float *scales, float *sums, int vector);

/// Bytes per (group, segment) of regrouped rows: 16 Float factors, 16 Float minimums unless `mode` is
/// 0, then 16 rows × `length` Int8 values with lane l's values 2p, 2p+1 at bytes 32p + 2l, 2l + 1.
int32_t evk_group_segment_bytes(int32_t mode, int32_t length);

/// Writes one group of regrouped rows (`segments` segments of `evk_group_segment_bytes` bytes, in
/// summation order) from rowCount ≤ 16 unpacked rows (`QuantizedDot.unpack`: row-major Int16 values,
/// each in Int8's range; per segment a Float factor and minimum); lanes past rowCount are zeros.
/// `starts`: each segment's first value, in the order the one-row kernel adds the segments; `length`:
/// 16 or 32 values per segment.
void evk_group_rows(const int16_t *weights, const float *factors, const float *minimums, int32_t rowCount, int32_t k,
                    const int32_t *starts, int32_t segments, int32_t length, int32_t mode, uint8_t *group);

/// out[i][r] for input rows i < inputRows (`evk_round_inputs` values, and per 32-value block the
/// scale and sum) and weight rows r < outputRows of groups firstGroup..<firstGroup+groupCount: per
/// segment the exact Int32 sum S of its products and, with f and m the segment's factor and minimum
/// and x.scale, x.sum the input's for the segment's 32-value block, term = (f · x.scale) · S and
/// mode 0: t += term;  1: t += term, then t += m · x.sum;  2: t += term − m · x.sum
/// — the one-row kernels' Float operations in their order, so their bits. Runs with AVX-512 VNNI or
/// else AVX2 (`evk_group_kernel`, the same bits); returns 0, computing nothing, where the CPU has neither.
int evk_group_products(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                       int32_t firstGroup, int32_t groupCount, const int16_t *const *values, const float *const *scales,
                       const float *const *sums, int32_t inputRows, float *const *out, int32_t outputRows);

#endif
