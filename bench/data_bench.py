"""The Python side of `make bench-data`: the same two pipelines as bench/VaeLab.DataBench, with json, numpy and PIL.
Usage: /usr/bin/python3 bench/data_bench.py FILE.ndjson REPEATS   (prints one JSON line of drawings per second)"""
import json
import sys
import time

import numpy as np
from PIL import Image, ImageDraw

SIDE = 28


def read(path):
    with open(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)["drawing"]


def segment_distance(points, a, b):
    """Distances of points to the segment a-b (not its infinite line), vectorised."""
    ab = b - a
    length2 = ab @ ab
    t = np.zeros(len(points)) if length2 == 0 else np.clip((points - a) @ ab / length2, 0, 1)
    return np.hypot(*(points - (a + t[:, None] * ab)).T)


def rdp(points, epsilon):
    keep = np.zeros(len(points), bool)
    keep[[0, -1]] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        d = segment_distance(points[first + 1:last], points[first], points[last])
        i = int(np.argmax(d))
        if d[i] > epsilon:
            farthest = first + 1 + i
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return points[keep]


def stroke5(drawing):
    strokes = [rdp(np.array(s[:2], np.float32).T, 2.0) for s in drawing if s[0]]
    points = np.concatenate(strokes)
    lifted = np.zeros(len(points), np.float32)
    lifted[np.cumsum([len(s) for s in strokes]) - 1] = 1
    out = np.zeros((len(points), 5), np.float32)
    out[:, :2] = np.diff(points, axis=0, prepend=np.zeros((1, 2), np.float32))
    out[:, 2] = 1 - lifted
    out[:, 3] = lifted
    return out


def raster(drawing):
    """The drawing's bounding box scaled to fit 28x28, lines 1 px wide, as floats 0..1."""
    xs = np.concatenate([s[0] for s in drawing]).astype(np.float32)
    ys = np.concatenate([s[1] for s in drawing]).astype(np.float32)
    x0, y0 = xs.min(), ys.min()
    scale = (SIDE - 1) / max(xs.max() - x0, ys.max() - y0, 1e-6)
    image = Image.new("L", (SIDE, SIDE))
    draw = ImageDraw.Draw(image)
    for s in drawing:
        xy = list(zip(((np.asarray(s[0]) - x0) * scale).tolist(), ((np.asarray(s[1]) - y0) * scale).tolist()))
        draw.line(xy, fill=255, width=1) if len(xy) > 1 else draw.point(xy, fill=255)
    return np.asarray(image, np.float32) / 255


def rate(path, step, repeats):
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        n = sum(1 for d in read(path) if step(d) is not None)
        best = max(best, n / (time.perf_counter() - start))
    return best


if __name__ == "__main__":
    path, repeats = sys.argv[1], int(sys.argv[2])
    print(json.dumps({"parse": rate(path, len, repeats), "stroke5_rdp": rate(path, stroke5, repeats), "raster28": rate(path, raster, repeats),
                      "versions": f"Python {sys.version.split()[0]}, numpy {np.__version__}, PIL {Image.__version__}"}))
