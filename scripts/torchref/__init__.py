"""Independent torch references for resc's residual families.

Plain torch nn.Module implementations written from the reference sources'
semantics (timm's ResNet skeleton, Res2Net, ResNeSt, SKNet; the PyramidNet
authors' PyTorch code; Kaiming He's pre-activation ResNet in Lua), with the
reference's state_dict key names, so that a checkpoint saved here loads into
the matching stdlib model by name. Nothing here imports timm: Debian's
python3-torch is all it needs.

    python3 -m torchref.count            # every row's parameters and MACs against the table
    python3 -m torchref.dump MODEL ...   # weights, an input and torch's output for a model

Run from scripts/ (or with scripts/ on PYTHONPATH).
"""
