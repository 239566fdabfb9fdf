"""The image sample's request input, by a rule (the JSON of its 150 528 numbers is not kept in
git): used by generate.py for expected.json and by bench/oip/bodies.py. Needs numpy only."""
import numpy as np


def image_input():
    """x[0, c, h, w] = ((224*h + w) % 256) / 255 - 0.5 + 0.1*c, FP32 [1, 3, 224, 224]."""
    h = np.arange(224, dtype=np.float32).reshape(224, 1)
    v = np.arange(224, dtype=np.float32).reshape(1, 224)
    channels = [((h * 224 + v) % 256) / 255.0 - 0.5 + 0.1 * c for c in range(3)]
    return np.stack(channels).reshape(1, 3, 224, 224).astype(np.float32)
