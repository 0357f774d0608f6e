#!/usr/bin/env python3
"""Writes a copy of a GGUF file with every tensor dequantised to F32 (metadata unchanged).

Usage: scripts/gguf-dequantize.py SOURCE.gguf DEST.gguf   (needs: pip install gguf numpy)

Used by scripts/check-llamacpp-parity --llamacpp-gguf: llama.cpp's CPU kernels round activations to
8 bits before K-quant dot products, so on a Q4_K_M file its log-probabilities move by up to ~0.4 nats
from the exact ones; on the same weights stored as F32 that rounding is gone and what is left is
llama.cpp's own float16 shortcuts (its GELU table, float16 KV cache).
The dequantisation is the gguf package's own (independent of EvalKit's).
"""
import sys

import numpy as np
from gguf import GGUFReader, GGUFValueType, GGUFWriter
from gguf.quants import dequantize


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: scripts/gguf-dequantize.py SOURCE.gguf DEST.gguf")
    source, destination = sys.argv[1:]
    reader = GGUFReader(source)
    writer = GGUFWriter(destination, reader.fields["general.architecture"].contents())
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue  # written by GGUFWriter itself
        value_type = field.types[0]
        if value_type == GGUFValueType.ARRAY:
            writer.add_key_value(name, field.contents(), value_type, sub_type=field.types[-1])
        else:
            writer.add_key_value(name, field.contents(), value_type)
    for tensor in reader.tensors:
        values = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        # GGUF lists dimensions fastest-first; numpy wants them slowest-first.
        writer.add_tensor(tensor.name, values.reshape([int(d) for d in reversed(tensor.shape)]))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(destination)


if __name__ == "__main__":
    main()
