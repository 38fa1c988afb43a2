#!/usr/bin/env python3
"""Generate a synthetic BKT response log (pyBKT's columns) from known parameters.

    python tools/make_synthetic_log.py --rows 2000000 --skills 50 --seed 0 \
        --out /tmp/synth.csv --params-out /tmp/synth-params.json [--forgets]

Writes `order_id,user_id,skill_name,correct` (LF line endings, one row per response,
sorted by order_id) and the true parameters as
`{"params": {"<skill>": {"prior", "learn", "forget", "guess", "slip"}}}`.

The model is exactly the one pyBKT fits: one independent two-state HMM per
(user_id, skill_name) sequence. Each skill gets random parameters (forget = 0
unless --forgets). Learners practise a varying number of skills (popular skills
more often), each (learner, skill) sequence has a varying length (lognormal,
1 to 300), and a learner's skills interleave in time. order_id is one global
clock (learners overlap in time), so it is ascending within each learner and
unique. Skill names (`skill_007`) and user ids (`u000042`) contain no regex
metacharacters, and zero padding makes string order equal numeric order.

Needs only numpy and pandas; deterministic for a given --seed and arguments.
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import pandas as pd

MEAN_EXTRA_SKILLS = 5.0        # skills per learner: 1 + Poisson(5), at most --skills
LEN_MEDIAN = 6.0               # sequence length: 1 + floor(lognormal(log 6, 0.9))
LEN_SIGMA = 0.9
LEN_MAX = 300


def draw_params(rng, k, forgets):
    """Random per-skill parameters; guess + slip stays below 0.5."""
    return {
        "prior": rng.uniform(0.10, 0.70, k),
        "learn": rng.uniform(0.05, 0.35, k),
        "forget": rng.uniform(0.01, 0.10, k) if forgets else np.zeros(k),
        "guess": rng.uniform(0.08, 0.30, k),
        "slip": rng.uniform(0.05, 0.20, k),
    }


def draw_sequences(rng, rows, k):
    """(learner, skill, length) per (learner, skill) sequence, `rows` in total."""
    log_w = -0.8 * np.log1p(rng.permutation(k))        # Zipf-like skill popularity
    learners, skills, lengths = [], [], []
    total, next_learner = 0, 0
    mean_len = 1.0 + LEN_MEDIAN * math.exp(LEN_SIGMA ** 2 / 2)
    mean_rows = mean_len * min(k, 1.0 + MEAN_EXTRA_SKILLS)
    while total < rows:
        n = int((rows - total) / mean_rows * 1.1) + 16
        m = np.minimum(1 + rng.poisson(MEAN_EXTRA_SKILLS, n), k)
        # Weighted sampling without replacement (Gumbel top-k): first m[i] columns.
        keys = log_w[None, :] + rng.gumbel(size=(n, k))
        order = np.argsort(-keys, axis=1)
        take = np.arange(k)[None, :] < m[:, None]
        lrn = np.repeat(np.arange(n) + next_learner, m)
        skl = order[take]
        ln = 1 + np.floor(rng.lognormal(math.log(LEN_MEDIAN), LEN_SIGMA, lrn.size))
        ln = np.minimum(ln, LEN_MAX).astype(np.int64)
        learners.append(lrn)
        skills.append(skl)
        lengths.append(ln)
        total += int(ln.sum())
        next_learner += n
    learners = np.concatenate(learners)
    skills = np.concatenate(skills)
    lengths = np.concatenate(lengths)
    # Cut at exactly `rows`: shorten the sequence that crosses the limit, drop the rest.
    csum = np.cumsum(lengths)
    last = int(np.searchsorted(csum, rows))
    lengths = lengths[: last + 1].copy()
    lengths[last] -= int(csum[last] - rows)
    return learners[: last + 1], skills[: last + 1], lengths


def simulate(rng, seq_skill, lengths, p):
    """Correctness per response; returns (sequence index, position, correct) per row."""
    nseq = lengths.size
    rank = np.argsort(-lengths, kind="stable")        # longest first
    len_r = lengths[rank]
    s = seq_skill[rank]
    prior, learn, forget = p["prior"][s], p["learn"][s], p["forget"][s]
    p_right_known, p_right_unknown = 1.0 - p["slip"][s], p["guess"][s]
    known = rng.random(nseq) < prior
    maxlen = int(len_r[0])
    # active[t] = number of sequences longer than t (a prefix, as len_r is descending)
    active = np.searchsorted(-len_r, -np.arange(maxlen), side="left")
    seq_out, pos_out, cor_out = [], [], []
    for t in range(maxlen):
        a = int(active[t])
        kn = known[:a]
        correct = rng.random(a) < np.where(kn, p_right_known[:a], p_right_unknown[:a])
        u = rng.random(a)
        known[:a] = np.where(kn, u >= forget[:a], u < learn[:a])
        seq_out.append(rank[:a])
        pos_out.append(np.full(a, t, dtype=np.int64))
        cor_out.append(correct)
    return np.concatenate(seq_out), np.concatenate(pos_out), np.concatenate(cor_out)


def order_ids(rng, seq_learner, seq, pos, n_learners):
    """Global order ids: each learner works in a random window of one shared clock."""
    start = rng.random(n_learners)
    span = rng.uniform(0.02, 0.3, n_learners)
    learner = seq_learner[seq]
    key = start[learner] + span[learner] * rng.random(seq.size)
    # Within each sequence the t-th response gets the t-th smallest key.
    by_pos = np.lexsort((pos, seq))
    by_key = np.lexsort((key, seq))
    ordered = np.empty_like(key)
    ordered[by_pos] = key[by_key]
    oid = np.empty(seq.size, dtype=np.int64)
    oid[np.argsort(ordered, kind="stable")] = np.arange(1, seq.size + 1)
    return oid


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--skills", type=int, default=50)
    ap.add_argument("--forgets", action="store_true", help="draw forget in [0.01, 0.1]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="CSV to write")
    ap.add_argument("--params-out", required=True, help="true parameters JSON to write")
    args = ap.parse_args()
    if args.rows < 1 or args.skills < 1:
        ap.error("--rows and --skills must be at least 1")

    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    k = args.skills
    params = draw_params(rng, k, args.forgets)
    seq_learner, seq_skill, lengths = draw_sequences(rng, args.rows, k)
    # Renumber learners densely (a learner whose sequences were all cut disappears).
    used, seq_learner = np.unique(seq_learner, return_inverse=True)
    n_learners = used.size
    seq, pos, correct = simulate(rng, seq_skill, lengths, params)
    oid = order_ids(rng, seq_learner, seq, pos, n_learners)

    width_s = max(3, len(str(k - 1)))
    width_u = max(6, len(str(n_learners - 1)))
    skill_names = np.array([f"skill_{i:0{width_s}d}" for i in range(k)], dtype=object)
    user_names = np.array([f"u{i:0{width_u}d}" for i in range(n_learners)], dtype=object)
    by_order = np.argsort(oid, kind="stable")
    df = pd.DataFrame({
        "order_id": oid[by_order],
        "user_id": user_names[seq_learner[seq[by_order]]],
        "skill_name": skill_names[seq_skill[seq[by_order]]],
        "correct": correct[by_order].astype(np.int8),
    })
    t_gen = time.perf_counter() - t0
    df.to_csv(args.out, index=False, lineterminator="\n")

    out = {"params": {
        str(skill_names[i]): {name: float(params[name][i])
                              for name in ("prior", "learn", "forget", "guess", "slip")}
        for i in range(k)
    }}
    with open(args.params_out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    t_all = time.perf_counter() - t0

    present = np.unique(seq_skill).size
    print(f"{args.rows} rows, {n_learners} learners, {lengths.size} (learner, skill) "
          f"sequences (length 1..{lengths.max()}, mean {lengths.mean():.1f}), "
          f"{present} of {k} skills, {correct.mean():.1%} correct; "
          f"generated in {t_gen:.2f} s, {t_all:.2f} s with writing -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
