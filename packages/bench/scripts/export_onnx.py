"""Exports our PyTorch reference Oct-ResNet-50 (packages/models/fixtures/oct_resnet.py) to ONNX at
the given alphas, for the ONNX Runtime Web comparison (scripts/ort-compare.mjs). Random weights
(seeded), eval mode (batch norm with running statistics, which ONNX Runtime folds into the
convolutions as our compileForInference does), 1x3x224x224 NCHW input.

Usage: /usr/bin/python3 packages/bench/scripts/export_onnx.py OUT_DIR [ALPHA ...]
(Debian's python3-torch 1.13; its exporter needs no `onnx` package). Writes
OUT_DIR/oct-resnet50-a<alpha>.onnx (about 100 MB each: keep them out of the repository).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "fixtures"))
from oct_resnet import OctResNet  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    alphas = [float(a) for a in sys.argv[2:]] or [0.0, 0.5, 0.75]
    os.makedirs(out, exist_ok=True)
    for alpha in alphas:
        torch.manual_seed(1)
        net = OctResNet(depth=50, alpha=alpha).eval()
        x = torch.randn(1, 3, 224, 224)
        name = os.path.join(out, "oct-resnet50-a%g.onnx" % alpha)
        with torch.no_grad():
            torch.onnx.export(net, x, name, input_names=["x"], output_names=["y"],
                              opset_version=13, do_constant_folding=True)
        print(name, os.path.getsize(name))


if __name__ == "__main__":
    main()
