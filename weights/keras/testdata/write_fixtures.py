"""Writes the small Keras files keras_test.go reads, with h5py.

Usage: python3 write_fixtures.py   (in this directory; Debian's python3-h5py)

A model of three layers (conv, bn, fc: conv/kernel [4,3,3,3] and
conv/bias [4], bn's four vectors [4], fc/kernel [2,4] and fc/bias [2] in
PyTorch's layout, each holding arange(n)) in every file write_keras.py
writes, tiny_<name>; and files that are not right:

  bad_vars.weights.h5   a Keras 3 layer with five vectors
  no_scale.weights.h5   a Keras 3 batch norm without scale (three vectors)
  missing_weight.h5     weight_names names a dataset the layer lacks
  not_keras.zip         a zip without model.weights.h5
  probs.h5              keras-applications' name of the classifier, probs
  tf213.weights.h5      the Keras 3 layout as tf.keras 2.13 wrote it, under
                        _layer_checkpoint_dependencies, with a nested model
"""
import zipfile

import h5py
import numpy as np

import write_keras

shapes = {
    "conv/kernel": (4, 3, 3, 3), "conv/bias": (4,),
    "bn/gamma": (4,), "bn/beta": (4,), "bn/moving_mean": (4,), "bn/moving_variance": (4,),
    "fc/kernel": (2, 4), "fc/bias": (2,),
}
tensors = {n: np.arange(np.prod(s), dtype="<f4").reshape(s) for n, s in shapes.items()}
write_keras.write(tensors, ".", [])
import os
for name in ["legacy_earliest.h5", "legacy_latest.h5", "model_weights.h5", "v3.weights.h5", "v3.keras"]:
    os.replace(name, "tiny_" + name)

with h5py.File("bad_vars.weights.h5", "w") as f:
    vg = f.create_group("layers/odd/vars")
    for i in range(5):
        vg.create_dataset(str(i), data=np.zeros(4, dtype="<f4"))

with h5py.File("no_scale.weights.h5", "w") as f:
    vg = f.create_group("layers/bn_data/vars")
    for i in range(3):
        vg.create_dataset(str(i), data=np.full(3, i, dtype="<f4"))

with h5py.File("missing_weight.h5", "w") as f:
    f.attrs["layer_names"] = np.array([b"dense"])
    g = f.create_group("dense")
    g.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
    g.create_dataset("dense/kernel:0", data=np.zeros((3, 2), dtype="<f4"))

with zipfile.ZipFile("not_keras.zip", "w") as z:
    z.writestr("config.json", "{}")

with h5py.File("probs.h5", "w") as f:
    f.attrs["layer_names"] = np.array([b"avg_pool", b"probs"])
    f.create_group("avg_pool").attrs["weight_names"] = np.zeros((0,))
    g = f.create_group("probs")
    g.attrs["weight_names"] = np.array([b"probs/kernel:0", b"probs/bias:0"])
    g.create_dataset("probs/kernel:0", data=np.zeros((4, 2), dtype="<f4"))
    g.create_dataset("probs/bias:0", data=np.zeros(2, dtype="<f4"))

with h5py.File("tf213.weights.h5", "w") as f:
    f.create_group("_layer_checkpoint_dependencies/dense/vars").create_dataset("0", data=np.zeros((3, 2), dtype="<f4"))
    inner = f.create_group("_layer_checkpoint_dependencies/backbone/_layer_checkpoint_dependencies")
    vg = inner.create_group("conv/vars")
    vg.create_dataset("0", data=np.zeros((1, 1, 3, 4), dtype="<f4"))
    vg.create_dataset("1", data=np.zeros(4, dtype="<f4"))
