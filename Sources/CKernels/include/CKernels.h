#ifndef EVALKIT_CKERNELS_H
#define EVALKIT_CKERNELS_H

#include <stdint.h>

/// Weight rows of a quantised matrix unpacked for `evk_integer_gemm`: each row's values as Int16
/// (exactly the stored integers, offsets applied), and per segment of 16 or 32 values the Float
/// factor and minimum of that segment (see `QuantizedDot.Unpacked` in the Engine for each type).
typedef struct {
    const int16_t *weights;        // rows × k
    const float *factors;          // rows × segments
    const float *minimums;         // rows × segments (read only by modes 1 and 2)
    const int32_t *segmentStarts;  // segments: first value of each, in summation order
    int32_t rows;                  // a multiple of 4 (pad with zero rows)
    int32_t k;                     // values per row, a multiple of 32
    int32_t segments;
    int32_t segmentLength;         // 16 or 32
    /// How a segment's exact integer sum S enters a row's total t (x: the input's per-32 scale and
    /// scaled sum for the segment's 32-value block, f and m the segment's factor and minimum):
    /// 0: t += (f·x.scale)·S;  1: t += (f·x.scale)·S, then t += m·x.sum;  2: t += (f·x.scale)·S − m·x.sum.
    int32_t mode;
} EVKWeights;

/// Input rows rounded to Int16 (`QuantizedDot.Input`), in tiles of 16 rows: lane l of a tile is
/// row 16·tile + l. Every array is 64-byte aligned.
typedef struct {
    const int32_t *pairs;   // tiles × (k/2) × 16: values 2p and 2p+1 of the lane's row, low half first
    const float *scales;    // tiles × (k/32) × 16
    const float *sums;      // tiles × (k/32) × 16
    int32_t tiles;          // even
    int32_t k;
} EVKInputs;

/// out[r][firstOutput + i] = Σ over segments (in order) of the mode's terms, for input rows
/// r < rowCount and weight rows i < validRows: the same Float operations, in the same order, as
/// the one-row kernels of `QuantizedDot`, so the same bits. `vnni`: 1 to use the AVX-512 VNNI
/// kernel where the CPU has it, 0 for the portable loop (same bits; tests compare the two).
void evk_integer_gemm(const EVKWeights *w, const EVKInputs *x, float *const *out, int32_t firstOutput,
                      int32_t rowCount, int32_t validRows, int vnni);

/// 1 when the CPU has AVX-512 (F, BW) and VNNI, else 0.
int evk_cpu_has_vnni512(void);

/// 1 when the CPU has AVX-512 F and BW, else 0.
int evk_cpu_has_avx512(void);

/// Rounds `count` floats (a multiple of 32) to Int16 per 32 values, the rule of `QuantizedDot.Input`:
/// scale = max|x| / 32767, q = x · (1 / scale) rounded half away from zero (q = 0 when scale is 0
/// or its reciprocal overflows), sum = Float(Σq) · scale; a block holding a NaN or an infinity
/// gets zeros and a NaN scale and sum. `vector`: 1 for the AVX-512 path where the CPU has it, 0 for
/// the portable loop (same bits).
void evk_round_inputs(const float *x, int32_t count, int16_t *values, float *scales, float *sums, int vector);

/// Rounds input rows first..<first+count of `rows` (each k floats) into the tiled layout of
/// `EVKInputs` (row r: tile r / 16, lane r % 16). `scratch`: room for k Int16 and k / 16 floats
/// (4-byte aligned), used by one caller at a time.
void evk_pack_inputs(const float *const *rows, int32_t first, int32_t count, int32_t k, int16_t *scratch,
                     int32_t *pairs, float *scales, float *sums, int vector);

/// Bytes per (group, segment) of regrouped rows: 16 Float factors, 16 Float minimums unless `mode` is
/// 0, then 16 rows × `length` Int8 values with lane l's values 2p, 2p+1 at bytes 32p + 2l, 2l + 1.
int32_t evk_group_segment_bytes(int32_t mode, int32_t length);

/// Writes one group of regrouped rows (`segments` segments of `evk_group_segment_bytes` bytes, in
/// summation order) from rowCount ≤ 16 unpacked rows in `EVKWeights`' form (row-major Int16 values,
/// each in Int8's range; per segment a factor and a minimum); lanes past rowCount are zeros.
void evk_group_rows(const int16_t *weights, const float *factors, const float *minimums, int32_t rowCount, int32_t k,
                    const int32_t *starts, int32_t segments, int32_t length, int32_t mode, uint8_t *group);

/// out[i][r] for input rows i < inputRows (`QuantizedDot.Input` values, scales and sums) and weight
/// rows r < outputRows of groups firstGroup..<firstGroup+groupCount: per segment the exact Int32
/// sum S and the term of `EVKWeights.mode`, in order — the one-row kernels' bits. Returns 0
/// (computing nothing) where the CPU lacks AVX-512 VNNI.
int evk_group_products(const uint8_t *grouped, const int32_t *starts, int32_t segments, int32_t length, int32_t mode,
                       int32_t firstGroup, int32_t groupCount, const int16_t *const *values, const float *const *scales,
                       const float *const *sums, int32_t inputRows, float *const *out, int32_t outputRows);

#endif
