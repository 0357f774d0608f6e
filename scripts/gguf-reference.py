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
GGUF part: see write_gguf_fixtures below.
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
