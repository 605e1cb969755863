#!/usr/bin/env python3
"""Reference values for the two checks that refs.json does not cover, computed in plain Python
(no numpy, no torch) straight from the formulas, independent of SelfSup's C# code:

1. bt-pairwise: the two-view Barlow Twins loss (SPEC "bt" with M = 2: L2-normalise rows, standardise
   each dimension with the mean and unbiased std over the pair's 2N rows, C = Z_aᵀ Z_b / N,
   L = Σ_k (1 − C_kk)² + λ Σ_{k≠l} C_kl²) averaged over all M(M−1)/2 pairs of views.
2. Gaussian blur: a fixed 2×3×7×9 image batch (pixel (b, c, y, x) = ((7x + 13y + 5c + 3b) mod 17) / 16)
   blurred with a separable kernel g(i) ∝ exp(−i²/(2σ²)), i = −k/2..k/2, borders reflected
   (… 2 1 | 0 1 2 … 8 | 7 6 …), σ = 0.7 for image 0 and 1.6 for image 1, k = 5.

Writes extra_refs.json beside this script. Run: python3 make_extra_refs.py
"""
import json, math, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY"
    hlen = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + hlen].decode("latin1")
    assert "'<f4'" in header and "'fortran_order': False" in header
    shape = tuple(int(s) for s in header.split("(")[1].split(")")[0].split(",") if s.strip())
    count = 1
    for s in shape:
        count *= s
    flat = struct.unpack("<%df" % count, data[10 + hlen:10 + hlen + 4 * count])
    n, m, d = shape
    return [[[flat[(i * m + a) * d + k] for k in range(d)] for a in range(m)] for i in range(n)]


def two_view_bt(za, zb, lam, normalize):
    n, d = len(za), len(za[0])
    rows = [list(r) for r in za + zb]
    if normalize:
        rows = [[v / max(math.sqrt(sum(x * x for x in r)), 1e-12) for v in r] for r in rows]
    for k in range(d):
        col = [r[k] for r in rows]
        mu = sum(col) / len(col)
        sd = math.sqrt(sum((v - mu) ** 2 for v in col) / (len(col) - 1))
        for r in rows:
            r[k] = (r[k] - mu) / sd
    a, b = rows[:n], rows[n:]
    loss = 0.0
    for k in range(d):
        for l in range(d):
            c = sum(a[i][k] * b[i][l] for i in range(n)) / n
            loss += (1 - c) ** 2 if k == l else lam * c * c
    return loss


def pairwise_bt(z, lam, normalize):
    m = len(z[0])
    total, pairs = 0.0, 0
    for a in range(m):
        for b in range(a + 1, m):
            total += two_view_bt([s[a] for s in z], [s[b] for s in z], lam, normalize)
            pairs += 1
    return total / pairs


def blur_image(img, sigma, k):
    h, w = len(img), len(img[0])
    half = k // 2
    g = [math.exp(-(i * i) / (2 * sigma * sigma)) for i in range(-half, half + 1)]
    s = sum(g)
    g = [v / s for v in g]

    def reflect(i, n):
        while i < 0 or i >= n:
            i = -i if i < 0 else 2 * (n - 1) - i
        return i

    rows = [[sum(g[j] * img[y][reflect(x + j - half, w)] for j in range(k)) for x in range(w)] for y in range(h)]
    return [[sum(g[j] * rows[reflect(y + j - half, h)][x] for j in range(k)) for x in range(w)] for y in range(h)]


def main():
    out = {"pairwise": [], "blur": {}}
    for name in ["rand_N32_M4_d8.npy", "corr_N32_M4_d8.npy", "nearconst_N32_M4_d8.npy"]:
        z = [[[float(v) for v in view] for view in sample] for sample in read_npy(os.path.join(HERE, name))]
        for lam in [0.005, 0.125]:
            for normalize in [True, False]:
                out["pairwise"].append({"file": name, "lambda": lam, "normalize": normalize,
                                        "value": pairwise_bt(z, lam, normalize)})
    B, C, H, W, K = 2, 3, 7, 9, 5
    sigmas = [0.7, 1.6]
    images = [[[[((7 * x + 13 * y + 5 * c + 3 * b) % 17) / 16 for x in range(W)] for y in range(H)] for c in range(C)] for b in range(B)]
    blurred = [[blur_image(images[b][c], sigmas[b], K) for c in range(C)] for b in range(B)]
    out["blur"] = {"shape": [B, C, H, W], "sigmas": sigmas, "kernel_size": K,
                   "input_rule": "((7x + 13y + 5c + 3b) mod 17) / 16",
                   "output": [v for b in blurred for c in b for row in c for v in row]}
    with open(os.path.join(HERE, "extra_refs.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
