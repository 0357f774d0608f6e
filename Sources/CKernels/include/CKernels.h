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

#endif
