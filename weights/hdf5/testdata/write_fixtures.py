"""Writes the HDF5 files hdf5_test.go reads, with h5py.

Usage: python3 write_fixtures.py   (in this directory; Debian's python3-h5py)
       python3 write_fixtures.py --offsets4 DIR
           writes features_earliest.h5 and features_latest.h5 into DIR with
           4-byte addresses and lengths instead (hdf5_test.go runs this)

Every dataset holds arange(n) in its shape and type, so the test knows its
values. The small files are also the fuzz target's seeds.

  features_earliest.h5, features_latest.h5
      every storage this reader supports, in libver earliest (superblock 0,
      version 1 object headers, symbol-table groups, v1 B-tree chunk index)
      and latest (superblock 3, version 2 headers, link messages, dense
      links and attributes in a fractal heap, single-chunk and fixed-array
      chunk indexes, paged when over 1024 chunks)
  small_earliest.h5, small_latest.h5
      a group, two attributes and two small datasets
  small_offsets4.h5, small_v108.h5
      the same with 4-byte addresses and lengths, and in superblock version
      2 (libver v108); h5py cannot make version 1 (a non-default chunk
      B-tree K)
  cycle.h5
      a group holding a hard link to itself
"""
import os
import sys

import h5py
import numpy as np


def compact(group, name, values, h5type):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple(values.shape)
    ds = h5py.h5d.create(group.id, name.encode(), h5type, space, dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, values)


def open_file(path, libver, sizes=None, userblock=0):
    """h5py.File, or with the low-level API for other address sizes."""
    if sizes is None:
        return h5py.File(path, "w", libver=libver, userblock_size=userblock)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(*sizes)
    if userblock:
        fcpl.set_userblock(userblock)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    low = {"earliest": h5py.h5f.LIBVER_EARLIEST, "latest": h5py.h5f.LIBVER_LATEST}[libver]
    fapl.set_libver_bounds(low, h5py.h5f.LIBVER_LATEST)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))


def features(path, libver, sizes=None):
    with open_file(path, libver, sizes, userblock=1024) as f:
        f.attrs["fixed"] = np.array([b"alpha", b"be", b""])
        f.attrs["varlen"] = ["one", "two", "three"]
        f.attrs["scalar_varlen"] = "tensorflow"
        f.attrs["empty"] = np.zeros((0,))
        g = f.create_group("many")
        for i in range(20):
            g.create_group(f"member_{i:02d}").create_dataset("v", data=np.arange(3, dtype="<f4"))
        for i in range(12):
            g.attrs[f"attr_{i:02d}"] = f"value {i}"
        d = f.create_group("data")
        d.create_dataset("contiguous_f32", data=np.arange(24, dtype="<f4").reshape(2, 3, 4))
        d.create_dataset("contiguous_f64be", data=np.arange(6, dtype=">f8").reshape(3, 2))
        d.create_dataset("contiguous_f16", data=np.arange(10, dtype="<f2"))
        d.create_dataset("scalar", data=np.float32(0))
        compact(d, "compact_f32be", np.arange(6, dtype=">f4").reshape(2, 3), h5py.h5t.IEEE_F32BE)
        d.create_dataset("chunked_edges", data=np.arange(5 * 7 * 11, dtype="<f4").reshape(5, 7, 11),
                         chunks=(2, 3, 4))
        d.create_dataset("deflate_shuffle", data=np.arange(5 * 7 * 11, dtype="<f4").reshape(5, 7, 11),
                         chunks=(2, 3, 4), compression="gzip", shuffle=True)
        d.create_dataset("one_chunk_deflate", data=np.arange(10, dtype=">f8"), chunks=(10,), compression="gzip")
        d.create_dataset("fletcher32", data=np.arange(10, dtype="<f4"), chunks=(3,), fletcher32=True)
        d.create_dataset("many_chunks", data=np.arange(3000, dtype="<f4"), chunks=(2,), compression="gzip")
        d.create_dataset("one_chunk", data=np.arange(10, dtype="<f4"), chunks=(10,))
        # One unlimited dimension: libver latest indexes the chunks with an
        # extensible array (enough of them for data and super blocks).
        d.create_dataset("unlimited1", data=np.arange(5 * 7, dtype="<f4").reshape(5, 7), chunks=(2, 3),
                         maxshape=(5, None))
        d.create_dataset("unlimited1_many", data=np.arange(300 * 2, dtype="<f4").reshape(300, 2), chunks=(1, 2),
                         maxshape=(None, 2), compression="gzip")
        # Two unlimited dimensions: libver latest indexes the chunks with a
        # version 2 B-tree.
        d.create_dataset("unlimited2", data=np.arange(5 * 7, dtype="<f4").reshape(5, 7), chunks=(2, 3),
                         maxshape=(None, None))
        d.create_dataset("unlimited2_deflate", data=np.arange(5 * 7, dtype="<f4").reshape(5, 7), chunks=(2, 3),
                         maxshape=(None, None), compression="gzip")
        # Allocated when created: libver latest indexes these implicitly.
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((2, 3, 4))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        space = h5py.h5s.create_simple((5, 7, 11))
        ds = h5py.h5d.create(d.id, b"chunked_early", h5py.h5t.IEEE_F32LE, space, dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5 * 7 * 11, dtype="<f4").reshape(5, 7, 11))


def small(path, libver, sizes=None):
    with open_file(path, libver, sizes) as f:
        f.attrs["layer_names"] = np.array([b"dense"])
        g = f.create_group("dense")
        g.attrs["weight_names"] = ["dense/kernel:0"]
        g.create_dataset("dense/kernel:0", data=np.arange(6, dtype="<f4").reshape(3, 2))
        g.create_dataset("z", data=np.arange(6, dtype="<f4"), chunks=(4,), compression="gzip", shuffle=True)


def cycle(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g["self"] = g


if len(sys.argv) == 3 and sys.argv[1] == "--offsets4":
    features(os.path.join(sys.argv[2], "features_earliest.h5"), "earliest", (4, 4))
    features(os.path.join(sys.argv[2], "features_latest.h5"), "latest", (4, 4))
else:
    features("features_earliest.h5", "earliest")
    features("features_latest.h5", "latest")
    small("small_earliest.h5", "earliest")
    small("small_latest.h5", "latest")
    small("small_offsets4.h5", "earliest", (4, 4))
    small("small_v108.h5", "v108")
    cycle("cycle.h5")
