#!/usr/bin/env python3
"""A torchvision ResNet with random weights, as torchvision's pretrained `.pth` files are laid out,
and its logits on a given input: the docs tests' stand-in for torchvision's ResNet-50 ImageNet file
(nothing is downloaded). Batch norm gets random affine parameters and running statistics measured
on random images (so eval-mode logits exercise everything and stay in a sane range).

    /usr/bin/python3 apps/docs/scripts/torchvision-resnet.py OUT_DIR INPUT.f32 [--depth 50]

INPUT.f32 holds float32 NHWC values [1, 224, 224, 3] (ImageNet-normalised, as the page feeds the
network); writes OUT_DIR/resnet{depth}.pth (torch.save of the state dict, zip format) and
OUT_DIR/resnet{depth}.json ({"logits": [...]}).
"""
import argparse
import json
import os

import numpy as np
import torch
import torchvision


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('out')
    parser.add_argument('input')
    parser.add_argument('--depth', type=int, default=50, choices=(50, 101, 152))
    parser.add_argument('--size', type=int, default=224)
    args = parser.parse_args()
    torch.manual_seed(50)
    net = getattr(torchvision.models, 'resnet%d' % args.depth)()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.reset_running_stats()
                m.momentum = None  # a cumulative average over the calibration batch
        net.train()
        net(torch.randn(4, 3, args.size, args.size))
        net.eval()
        values = np.fromfile(args.input, dtype=np.float32)
        x = torch.from_numpy(values).view(1, args.size, args.size, 3).permute(0, 3, 1, 2).contiguous()
        logits = net(x)
    os.makedirs(args.out, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(args.out, 'resnet%d.pth' % args.depth))
    with open(os.path.join(args.out, 'resnet%d.json' % args.depth), 'w') as f:
        json.dump({'logits': logits.reshape(-1).tolist(), 'torchvision': torchvision.__version__}, f)


if __name__ == '__main__':
    main()
