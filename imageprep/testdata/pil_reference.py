# The references of imageprep's torchvision_test.go, computed by Pillow and
# torchvision themselves (Debian's python3-pil, python3-torchvision):
#
#   python3 pil_reference.py resize OUT_DIR W H OW OH [W H OW OH ...]
#       the synth(W, H) pattern of the Go tests (R = 3x+7y, G = xy,
#       B = x^y, mod 256) resized to OW x OH with Image.BICUBIC and
#       Image.BILINEAR: OUT_DIR/bicubic_W_H_OW_OH.npy and bilinear_...,
#       float32 HxWx3 arrays of the 8-bit results.
#   python3 pil_reference.py transforms OUT_DIR MODEL... -- IMAGE...
#       each model's DEFAULT weights' transforms() on each image (opened
#       with PIL and converted to RGB): OUT_DIR/MODEL.npy, the CHW tensors
#       stacked; and OUT_DIR/MODEL.json, the transform's crop, resize,
#       interpolation, mean and std.
import json
import os
import sys

import numpy as np
from PIL import Image


def synth(w, h):
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([(3 * x + 7 * y) % 256, (x * y) % 256, (x ^ y) % 256], axis=-1)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def resize(out, args):
    for i in range(0, len(args), 4):
        w, h, ow, oh = (int(a) for a in args[i:i + 4])
        for name, f in (("bicubic", Image.BICUBIC), ("bilinear", Image.BILINEAR)):
            r = np.asarray(synth(w, h).resize((ow, oh), f), dtype=np.float32)
            np.save(os.path.join(out, "%s_%d_%d_%d_%d.npy" % (name, w, h, ow, oh)), r)


def transforms(out, args):
    import torch
    import torchvision.models as m

    sep = args.index("--")
    models, images = args[:sep], args[sep + 1:]
    pil = [Image.open(p).convert("RGB") for p in images]
    for name in models:
        t = m.get_model_weights(name).DEFAULT.transforms()
        x = torch.stack([t(img) for img in pil]).numpy().astype(np.float32)
        np.save(os.path.join(out, name + ".npy"), x)
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump({"crop": t.crop_size[0], "resize": t.resize_size[0],
                       "interpolation": t.interpolation.value, "mean": t.mean, "std": t.std}, f)


{"resize": resize, "transforms": transforms}[sys.argv[1]](sys.argv[2], sys.argv[3:])
