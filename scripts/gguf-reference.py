#!/usr/bin/env python3
"""Writes the ModelFormats test fixtures with independent Python implementations.

usage: python3 scripts/gguf-reference.py [--out Tests/ModelFormatsTests/Fixtures]

Needs: pip install numpy safetensors gguf   (tests never run Python; they read the files this
script wrote and committed). Deterministic: fixed numpy seeds, so re-running reproduces the files.

Safetensors part (written by the `safetensors` package itself):
  safetensors-reference.safetensors   F32, F16, BF16, I64, U8 tensors + __metadata__
  safetensors-reference.json          per tensor: dtype, shape, the float32 bit patterns of the
                                      values widened to float32 ("widened_bits") and, for F16/BF16,
                                      the float32 source values that were narrowed ("source_bits")
GGUF part (written by the `gguf` package's GGUFWriter, version 3):
  gguf-types.gguf        metadata of every value type (incl. string arrays and nested arrays) and
                         one tensor per supported type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1
                         (random data quantised with gguf.quants.quantize) and Q4_K, Q5_K, Q6_K
                         (random valid blocks built byte-wise: the package cannot quantise K-quants),
                         plus a Q2_K tensor (readable, not dequantisable)
  gguf-aligned.gguf      general.alignment = 64, two small tensors
  gguf-reference.json    per tensor: ggml type name, row-major shape, offset/count into the .f32 file
  gguf-reference.f32     the reference dequantisation (gguf.quants.dequantize) as little-endian float32
"""
import argparse
import json
import os
import sys

import numpy as np


def f32_bits(values):
    return [int(b) for b in np.asarray(values, dtype=np.float32).view(np.uint32).ravel()]


def bf16_round(values):
    """float32 -> bfloat16 bits, round to nearest even, NaN kept quiet, subnormals kept (as
    PyTorch does; the gguf package's BF16 quantizer would flush float32 subnormals to zero)."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(values, dtype=np.float32))
    rounded[nan] = ((bits[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


def tricky_floats():
    """Values that exercise F16/BF16 rounding: exact ties (both parities), subnormals, overflow."""
    half_ulp_at_one = 2.0 ** -11
    values = [
        0.0, -0.0, 1.0, -1.0, 0.1, -2.5, 3.140625, 1e-3,
        1.0 + half_ulp_at_one,          # tie -> even (1.0)
        1.0 + 3 * half_ulp_at_one,      # tie -> even (1 + 2^-9)
        1.0 + half_ulp_at_one * 1.0001, # just above the tie -> rounds up
        65504.0, 65519.0, 65520.0, 1e6, -1e6,  # max half, largest that rounds down, first to inf
        2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.5, 3 * 2.0 ** -26, 2.0 ** -14, 2.0 ** -14 * (1 - 2.0 ** -11),
        float("inf"), float("-inf"),
        1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 1.0 + 2.0 ** -8 + 2.0 ** -20,  # BF16 ties and just-above
        3.0e38, 3.4028235e38, 1e-40, -1e-42,  # BF16 overflow to inf, float32 subnormals
    ]
    return np.array(values, dtype=np.float32)


def write_safetensors_fixtures(out):
    from safetensors import serialize_file, TensorSpec

    rng = np.random.default_rng(20240611)
    f32 = rng.standard_normal((3, 4)).astype(np.float32)
    source = np.concatenate([tricky_floats(), rng.standard_normal(20).astype(np.float32) * 10])
    with np.errstate(over="ignore"):
        f16 = source.astype(np.float16)  # numpy narrows with round-to-nearest-even
    bf16 = bf16_round(source)
    i64 = np.array([-3, 0, 7, 1 << 40], dtype=np.int64)
    u8 = np.array([[0, 1, 255]], dtype=np.uint8)
    scalar = np.array(2.5, dtype=np.float32)
    empty = np.zeros((0, 5), dtype=np.float32)

    keep = [f32, f16, bf16, i64, u8, scalar, empty]
    def spec(array, dtype):
        return TensorSpec(dtype=dtype, shape=array.shape, data_ptr=array.ctypes.data, data_len=array.nbytes)
    tensors = {
        "layer.weight": spec(f32, "float32"),
        "tricky.f16": spec(f16, "float16"),
        "tricky.bf16": spec(bf16, "bfloat16"),
        "ids.i64": spec(i64, "int64"),
        "mask.u8": spec(u8, "uint8"),
        "scale": spec(scalar, "float32"),
        "empty": spec(empty, "float32"),
    }
    path = os.path.join(out, "safetensors-reference.safetensors")
    serialize_file(tensors, path, metadata={"format": "pt", "source": "scripts/gguf-reference.py"})
    del keep

    widened_bf16 = (bf16.astype(np.uint32) << 16).view(np.float32)
    reference = {
        "generator": "scripts/gguf-reference.py with safetensors %s, numpy %s" % (
            __import__("safetensors").__version__, np.__version__),
        "metadata": {"format": "pt", "source": "scripts/gguf-reference.py"},
        "tensors": {
            "layer.weight": {"dtype": "F32", "shape": [3, 4], "widened_bits": f32_bits(f32)},
            "tricky.f16": {"dtype": "F16", "shape": list(f16.shape),
                           "widened_bits": f32_bits(f16.astype(np.float32)), "source_bits": f32_bits(source)},
            "tricky.bf16": {"dtype": "BF16", "shape": list(bf16.shape),
                            "widened_bits": f32_bits(widened_bf16), "source_bits": f32_bits(source)},
            "ids.i64": {"dtype": "I64", "shape": [4], "widened_bits": f32_bits(i64.astype(np.float32))},
            "mask.u8": {"dtype": "U8", "shape": [1, 3], "widened_bits": f32_bits(u8.astype(np.float32))},
            "scale": {"dtype": "F32", "shape": [], "widened_bits": f32_bits(scalar.reshape(1))},
            "empty": {"dtype": "F32", "shape": [0, 5], "widened_bits": []},
        },
    }
    with open(os.path.join(out, "safetensors-reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


def random_k_blocks(rng, qtype, n_blocks):
    """Random K-quant blocks: every byte random except the f16 super-block scales, which are set
    to finite random values so the reference values stay finite."""
    from gguf.constants import GGML_QUANT_SIZES
    _, type_size = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    def halves(scale):
        return (rng.standard_normal(n_blocks) * scale).astype(np.float16).view(np.uint8).reshape(n_blocks, 2)
    name = qtype.name
    if name in ("Q4_K", "Q5_K", "Q2_K"):
        # Q4_K/Q5_K: d, dmin first; Q2_K: scales[16], qs[64], then d, dmin.
        d_at = 0 if name != "Q2_K" else 80
        blocks[:, d_at:d_at + 2] = halves(0.01)
        blocks[:, d_at + 2:d_at + 4] = halves(0.01)
    elif name == "Q6_K":
        blocks[:, 208:210] = halves(0.01)  # ql[128], qh[64], scales[16], d
    return blocks


def write_gguf_fixtures(out):
    import gguf
    from gguf import GGMLQuantizationType as T, GGUFWriter
    from gguf.quants import quantize, dequantize

    rng = np.random.default_rng(7)
    path = os.path.join(out, "gguf-types.gguf")
    writer = GGUFWriter(path, arch="testarch")
    writer.add_name("types fixture")
    writer.add_key_value("test.u8", 200, gguf.GGUFValueType.UINT8)
    writer.add_key_value("test.i8", -100, gguf.GGUFValueType.INT8)
    writer.add_key_value("test.u16", 60000, gguf.GGUFValueType.UINT16)
    writer.add_key_value("test.i16", -30000, gguf.GGUFValueType.INT16)
    writer.add_key_value("test.u32", 4000000000, gguf.GGUFValueType.UINT32)
    writer.add_key_value("test.i32", -2000000000, gguf.GGUFValueType.INT32)
    writer.add_key_value("test.u64", 18000000000000000000, gguf.GGUFValueType.UINT64)
    writer.add_key_value("test.i64", -9000000000000000000, gguf.GGUFValueType.INT64)
    writer.add_key_value("test.f32", 0.15625, gguf.GGUFValueType.FLOAT32)
    writer.add_key_value("test.f64", 1e-300, gguf.GGUFValueType.FLOAT64)
    writer.add_key_value("test.true", True, gguf.GGUFValueType.BOOL)
    writer.add_key_value("test.false", False, gguf.GGUFValueType.BOOL)
    writer.add_key_value("test.string", "héllo\nwörld ✓", gguf.GGUFValueType.STRING)
    writer.add_array("test.strings", ["<pad>", "<eos>", "▁the", ""])
    writer.add_key_value("test.int32s", [1, -2, 3], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.INT32)
    writer.add_key_value("test.f32s", [0.5, -1.25], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.FLOAT32)
    writer.add_array("test.nested", [[1, 2], [3]])
    writer.add_uint32("testarch.context_length", 128)

    index = {}
    chunks = []
    offset = 0
    def record(name, qtype, shape, values):
        nonlocal offset
        values = np.asarray(values, dtype=np.float32).ravel()
        index[name] = {"type": qtype.name, "shape": list(shape), "offset": offset, "count": int(values.size)}
        chunks.append(values.astype("<f4").tobytes())
        offset += int(values.size)

    plain_shape = (3, 40)
    data = rng.standard_normal(plain_shape).astype(np.float32)
    writer.add_tensor("plain.f32", data)
    record("plain.f32", T.F32, plain_shape, data)
    f16 = data.astype(np.float16)
    writer.add_tensor("plain.f16", f16)
    record("plain.f16", T.F16, plain_shape, f16.astype(np.float32))
    bf16 = quantize(data, T.BF16)
    writer.add_tensor("plain.bf16", bf16, raw_dtype=T.BF16)
    record("plain.bf16", T.BF16, plain_shape, dequantize(bf16, T.BF16))

    legacy_shape = (3, 64)  # rows of two 32-value blocks
    for qtype in (T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1):
        values = (rng.standard_normal(legacy_shape) * rng.uniform(0.1, 4)).astype(np.float32)
        blocks = quantize(values, qtype)
        name = "legacy." + qtype.name.lower()
        writer.add_tensor(name, blocks, raw_dtype=qtype)
        record(name, qtype, legacy_shape, dequantize(blocks, qtype))

    k_shape = (3, 512)  # rows of two 256-value super-blocks
    for qtype in (T.Q4_K, T.Q5_K, T.Q6_K):
        blocks = random_k_blocks(rng, qtype, k_shape[0] * k_shape[1] // 256)
        blocks = blocks.reshape(k_shape[0], -1)
        name = "k." + qtype.name.lower()
        writer.add_tensor(name, blocks, raw_dtype=qtype)
        record(name, qtype, k_shape, dequantize(blocks, qtype))
    q2 = random_k_blocks(rng, T.Q2_K, 1)
    writer.add_tensor("unsupported.q2_k", q2, raw_dtype=T.Q2_K)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    with open(os.path.join(out, "gguf-reference.f32"), "wb") as f:
        f.write(b"".join(chunks))
    with open(os.path.join(out, "gguf-reference.json"), "w") as f:
        json.dump({"generator": "scripts/gguf-reference.py with gguf %s, numpy %s" % (
            getattr(gguf, "__version__", "0.19.0"), np.__version__), "tensors": index}, f, indent=1)
        f.write("\n")

    aligned = GGUFWriter(os.path.join(out, "gguf-aligned.gguf"), arch="testarch")
    aligned.add_custom_alignment(64)
    aligned.add_tensor("a", np.arange(3, dtype=np.float32))
    aligned.add_tensor("b", np.arange(5, dtype=np.float32).reshape(1, 5) * -1)
    aligned.write_header_to_file()
    aligned.write_kv_data_to_file()
    aligned.write_tensors_to_file()
    aligned.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelFormatsTests", "Fixtures")
    parser.add_argument("--out", default=default_out)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    write_safetensors_fixtures(args.out)
    if "write_gguf_fixtures" in globals():
        globals()["write_gguf_fixtures"](args.out)
    print("wrote fixtures to", os.path.normpath(args.out))


if __name__ == "__main__":
    sys.exit(main())
