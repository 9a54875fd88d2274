#!/usr/bin/env python3
"""Writes src/imagenet-classes.json: the 1,000 ImageNet class names in the order of a classifier's
outputs, as torchvision lists them for its ImageNet weights
(`torchvision.models.ResNet50_Weights.IMAGENET1K_V1.meta["categories"]`, part of torchvision's own
source: nothing is downloaded). Run with Debian's python3-torchvision:

    /usr/bin/python3 apps/docs/scripts/imagenet-classes.py
"""
import json
import os

import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))

categories = torchvision.models.ResNet50_Weights.IMAGENET1K_V1.meta['categories']
assert len(categories) == 1000, len(categories)
with open(os.path.join(HERE, '..', 'src', 'imagenet-classes.json'), 'w') as f:
    json.dump(categories, f, indent=2, ensure_ascii=False)
    f.write('\n')
print('wrote %d classes (torchvision %s)' % (len(categories), torchvision.__version__))
