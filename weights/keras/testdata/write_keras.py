"""Writes the weights of a safetensors file as Keras weight files, with h5py.

Usage: write_keras.py IN.safetensors OUTDIR [FILE...]

IN is what `resc weights MODEL -o IN.safetensors` writes for a Keras-named
model: F32 tensors named <layer>/<variable> in PyTorch's layout (conv OIHW,
dense [out,in]). OUTDIR receives the same values in Keras's layouts (conv
kernels HWIO, dense [in,out]) in the files Keras writes, each in a different
form of HDF5 (all of them, or the FILEs named):

  legacy_earliest.h5   Keras 2 save_weights layout (layer_names, weight_names
                       as fixed-length strings, datasets <layer>/kernel:0),
                       libver earliest, contiguous datasets, a 512-byte user
                       block, with weightless layers
  legacy_latest.h5     the same layout, libver latest (dense link storage),
                       variable-length string attributes, chunked datasets
                       with deflate and shuffle, batch-norm vectors as
                       big-endian float64
  model_weights.h5     a whole Keras 2 model: the legacy layout under
                       model_weights, names split into layer_names0, 1, ...
  v3.weights.h5        Keras 3 layout (layers/<name>/vars/<i>), compact
                       datasets for vectors
  v3.keras             a Keras 3 archive: a zip holding config.json,
                       metadata.json and model.weights.h5 (libver latest,
                       chunked with deflate)
"""
import json
import os
import sys
import zipfile

import h5py
import numpy as np

BN = ["gamma", "beta", "moving_mean", "moving_variance"]
CONV = ["kernel", "bias"]


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(body[b:end], dtype="<f4").reshape(e["shape"])
    return out


def keras_layout(v):
    if v.ndim == 4:
        return v.transpose(2, 3, 1, 0)  # OIHW -> HWIO
    if v.ndim == 2:
        return v.T  # [out,in] -> [in,out]
    return v


def layers_of(tensors):
    """The layers and their variables in Keras's creation order."""
    layers = {}
    for name in sorted(tensors):
        layer, var = name.split("/")
        layers.setdefault(layer, []).append(var)
    order = {v: i for i, v in enumerate(CONV + BN)}
    return {l: sorted(vs, key=order.__getitem__) for l, vs in layers.items()}


def write_legacy(g, tensors, layers, fixed, chunked, names_attr="layer_names", split=0):
    names = ["input_1"] + list(layers) + ["avg_pool"]
    enc = (lambda xs: np.array([x.encode() for x in xs])) if fixed else (lambda xs: list(xs))
    if split:
        for i in range(0, len(names), split):
            g.attrs[f"{names_attr}{i // split}"] = enc(names[i:i + split])
    else:
        g.attrs[names_attr] = enc(names)
    g.attrs["backend"] = "tensorflow"
    g.attrs["keras_version"] = "2.13.1"
    for layer in names:
        lg = g.create_group(layer)
        vars_ = layers.get(layer, [])
        wn = [f"{layer}/{v}:0" for v in vars_]
        lg.attrs["weight_names"] = enc(wn) if wn else np.zeros((0,))
        for v, w in zip(vars_, wn):
            val = keras_layout(tensors[f"{layer}/{v}"])
            if chunked and val.ndim == 1:
                val = val.astype(">f8")
            kw = {}
            if chunked:
                kw = dict(chunks=tuple(max(1, (d + 1) // 2) for d in val.shape),
                          compression="gzip", compression_opts=1, shuffle=True)
            lg.create_dataset(w, data=val, **kw)


def write_v3(f, tensors, layers, chunked):
    f.create_group("vars")
    lg = f.create_group("layers")
    for layer in ["input_layer"] + list(layers):
        vg = lg.create_group(layer).create_group("vars")
        for i, v in enumerate(layers.get(layer, [])):
            val = keras_layout(tensors[f"{layer}/{v}"])
            if chunked:
                vg.create_dataset(str(i), data=val, chunks=True, compression="gzip", compression_opts=1)
            elif val.ndim == 1:
                dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                dcpl.set_layout(h5py.h5d.COMPACT)
                space = h5py.h5s.create_simple(val.shape)
                ds = h5py.h5d.create(vg.id, str(i).encode(), h5py.h5t.IEEE_F32LE, space, dcpl)
                ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(val))
            else:
                vg.create_dataset(str(i), data=val)


def write(tensors, out, files):
    layers = layers_of(tensors)
    want = lambda name: not files or name in files
    if want("legacy_earliest.h5"):
        with h5py.File(os.path.join(out, "legacy_earliest.h5"), "w", libver="earliest", userblock_size=512) as f:
            write_legacy(f, tensors, layers, fixed=True, chunked=False)
    if want("legacy_latest.h5"):
        with h5py.File(os.path.join(out, "legacy_latest.h5"), "w", libver="latest") as f:
            write_legacy(f, tensors, layers, fixed=False, chunked=True)
    if want("model_weights.h5"):
        with h5py.File(os.path.join(out, "model_weights.h5"), "w") as f:
            f.attrs["model_config"] = "{}"
            write_legacy(f.create_group("model_weights"), tensors, layers, fixed=True, chunked=False, split=100)
    if want("v3.weights.h5"):
        with h5py.File(os.path.join(out, "v3.weights.h5"), "w") as f:
            write_v3(f, tensors, layers, chunked=False)
    if want("v3.keras"):
        inner = os.path.join(out, "model.weights.h5")
        with h5py.File(inner, "w", libver="latest") as f:
            write_v3(f, tensors, layers, chunked=True)
        with zipfile.ZipFile(os.path.join(out, "v3.keras"), "w") as z:
            z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
            z.writestr("config.json", json.dumps({"class_name": "Functional"}))
            z.write(inner, "model.weights.h5")
        os.remove(inner)


def main():
    write(read_safetensors(sys.argv[1]), sys.argv[2], sys.argv[3:])


if __name__ == "__main__":
    main()
