#!/usr/bin/env python3
"""Compare mastery's BKT fitting (examples/fit.rs) with pyBKT 1.4.3: fit, accuracy, speed.

Run by hand (not in CI), from the repository root, in a venv that has pyBKT with its C++
extensions (see DEVELOPERS.md):

    . /work/pybkt-venv/bin/activate
    python tools/compare_pybkt.py \
        --train /work/shared/data/assistments2009/train.csv \
        --test /work/shared/data/assistments2009/test.csv \
        [--forgets] [--restarts 5] [--seed 0] [--repeat 1] [--json-out cmp.json]

What it does:
  (a) pyBKT, timed in-process with time.perf_counter (import excluded): Model(seed, num_fits
      = --restarts, parallel=True), fit(data_path=train, forgets=...) on all skills (no
      skills=, whose regex matching breaks on names like "+" or "()"), and with --test
      predict(data_path=test) and sklearn metrics.
  (b) mastery: `cargo build --release --example fit` (not timed; with RUSTFLAGS=-C
      target-cpu=native into target/native, as pyBKT's C++ is built for this machine,
      unless --portable), then the built binary,
      timed as a subprocess: fit --train .. [--test ..] [--forgets] --restarts N --seed S
      --out params.json, whose stdout is one JSON object.
  (c) a side-by-side table (printed, and as JSON with --json-out).
With --repeat N each tool is timed N times (same seed, same fit) and the fastest run is
reported. Time on an idle machine: pyBKT's OpenMP threads slow down many-fold when other
processes compete for the cores (the script warns when the load average is above 0.5).

With --predict PARAMS (parameters in mastery's JSON format, e.g. the true parameters from
make_synthetic_log.py --params-out) it compares batch prediction instead of fitting: pyBKT's
in-process Model.predict(data_path=--train) with those parameters (the model object is built
by an untimed fit with num_fits=1, then its coef_ is overwritten, as the parity fixture does)
against `target/release/examples/predict --params PARAMS --input --train --out FILE` timed as a
subprocess end to end (process start, CSV reading, prediction, CSV writing). Each best of
--repeat. It prints both wall times, the ratio, and the largest |p_correct - pyBKT's
correct_predictions| over the rows pyBKT predicted (joined on order_id and user_id).

Both tools' train log-likelihoods are also recomputed by one exact implementation here
(`bkt_forward`: a numpy forward algorithm, natural log, one independent HMM per
(user_id, skill_name) sequence with rows in order_id order, summed over all skills), from
pyBKT's coef_ and from the parameters mastery writes with --out. pyBKT's own EM
log-likelihood is truncated to an integer, so it is not used. The same function predicts
the test rows from either parameter set ("exact forward" rows of the table); for pyBKT it
is checked against pyBKT's own predictions (max abs difference printed: ~1e-9 on
ASSISTments, where long runs of wrong answers starting from mastery near 1 amplify
rounding by (1-G)/S per step). pyBKT's predict selects skills by regex too, so test rows
of a skill whose name does not match itself keep pyBKT's default prediction 0.5; the
"exact forward" rows predict them with the fitted parameters. Metrics: AUC (sklearn
roc_auc_score), RMSE, log-loss (sklearn log_loss), accuracy (p >= 0.5, as pyBKT), over
every test row with correct in {0, 1}.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

try:
    import numpy as np
    import pandas as pd
except ImportError as e:
    sys.exit(f"error: {e}. Run in the pyBKT venv (. /work/pybkt-venv/bin/activate, see "
             "DEVELOPERS.md), which also has pandas and scikit-learn.")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARAM_NAMES = ("prior", "learn", "forget", "guess", "slip")


# --------------------------------------------------------------------------------------
# Data and the exact forward algorithm
# --------------------------------------------------------------------------------------

def read_log(path):
    """order_id, user_id, skill_name, correct as numpy arrays (file order)."""
    df = pd.read_csv(path, usecols=["order_id", "user_id", "skill_name", "correct"],
                     dtype={"user_id": str, "skill_name": str}, keep_default_na=False)
    return {
        "order_id": df["order_id"].to_numpy(dtype=np.int64),
        "user_id": df["user_id"].to_numpy(dtype=object),
        "skill_name": df["skill_name"].to_numpy(dtype=object),
        "correct": df["correct"].to_numpy(dtype=np.int64),
    }


def bkt_forward(log, params):
    """Exact BKT forward pass over a response log.

    params: {skill: {"prior", "learn", "forget", "guess", "slip"}}. Returns a dict with
    p_correct (per row, file order; P(correct | earlier rows of the same (user, skill)),
    0.5 for skills without parameters), loglik (sum of log P(observed) over rows with
    correct in {0, 1} and parameters), loglik_rows, and missing_rows (rows whose skill has
    no parameters). Rows with correct = -1 are not conditioned on (pyBKT's convention) but
    the learn/forget transition still follows them.
    """
    n = log["correct"].size
    p_correct = np.full(n, 0.5)
    if n == 0:
        return {"p_correct": p_correct, "loglik": 0.0, "loglik_rows": 0, "missing_rows": 0}
    skill_codes, skill_names = pd.factorize(log["skill_name"])
    user_codes, _ = pd.factorize(log["user_id"])
    k = len(skill_names)
    table = np.full((len(PARAM_NAMES), k), np.nan)
    for j, s in enumerate(skill_names):
        p = params.get(s)
        if p is not None:
            table[:, j] = [float(p.get(name, 0.0)) for name in PARAM_NAMES]
    has = ~np.isnan(table[0])

    # Sequences: rows grouped by (skill, user), in order_id order (ties: file order).
    idx = np.lexsort((log["order_id"], user_codes, skill_codes))
    sk, us = skill_codes[idx], user_codes[idx]
    new = np.ones(n, dtype=bool)
    new[1:] = (sk[1:] != sk[:-1]) | (us[1:] != us[:-1])
    starts = np.flatnonzero(new)
    seq = np.cumsum(new) - 1
    pos = np.arange(n) - starts[seq]
    lengths = np.diff(np.append(starts, n))
    # Rank sequences longest first: the sequences still running at step t are a prefix.
    rank_of_seq = np.empty(lengths.size, dtype=np.int64)
    by_len = np.argsort(-lengths, kind="stable")
    rank_of_seq[by_len] = np.arange(lengths.size)
    seq_skill = sk[starts][by_len]
    prior, learn, forget, guess, slip = (table[i][seq_skill] for i in range(len(PARAM_NAMES)))
    seq_has = has[seq_skill]
    # Row order by (step, rank): step t's rows are one contiguous block, ranks 0..a-1.
    rank = rank_of_seq[seq]
    step_order = np.lexsort((rank, pos))
    rows_at = np.bincount(pos)
    bounds = np.concatenate(([0], np.cumsum(rows_at)))
    obs = log["correct"][idx][step_order]

    state = prior.copy()                          # P(known) before the current step
    loglik, counted = 0.0, 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for t in range(rows_at.size):
            a = int(rows_at[t])
            c = obs[bounds[t]: bounds[t + 1]]
            L, G, S = state[:a], guess[:a], slip[:a]
            right_known, right_unknown = L * (1.0 - S), (1.0 - L) * G
            wrong_known, wrong_unknown = L * S, (1.0 - L) * (1.0 - G)
            pc = right_known + right_unknown
            p_correct[idx[step_order[bounds[t]: bounds[t + 1]]]] = np.where(seq_has[:a], pc, 0.5)
            is1, is0 = c == 1, c == 0
            p_obs = np.where(is1, pc, wrong_known + wrong_unknown)
            seen = (is1 | is0) & seq_has[:a]
            loglik += float(np.sum(np.log(p_obs[seen])))
            counted += int(seen.sum())
            post = np.where(is1, right_known / p_obs, np.where(is0, wrong_known / p_obs, L))
            state[:a] = post * (1.0 - forget[:a]) + (1.0 - post) * learn[:a]
    missing = int(np.sum(~has[skill_codes]))
    return {"p_correct": p_correct, "loglik": loglik, "loglik_rows": counted,
            "missing_rows": missing}


def metrics(y, p):
    from sklearn.metrics import log_loss, roc_auc_score
    y = np.asarray(y)
    p = np.asarray(p, dtype=np.float64)
    keep = (y == 0) | (y == 1)
    y, p = y[keep].astype(np.int64), p[keep]
    both = np.unique(y).size == 2
    return {
        "rows": int(y.size),
        "auc": float(roc_auc_score(y, p)) if both else None,
        "rmse": float(np.sqrt(np.mean((y - p) ** 2))),
        "log_loss": float(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1])),
        "accuracy": float(np.mean((p >= 0.5) == (y == 1))),
    }


def fix_key(name):
    """pyBKT reads CSVs as latin-1; map its skill names back to the file's UTF-8."""
    try:
        return name.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def self_matching(names):
    """Skills pyBKT's predict can select: those whose name, as a regex, matches itself."""
    import re
    pattern = "^(" + "|".join(names) + ")$"
    try:
        rx = re.compile(pattern)
    except re.error:
        return set()
    return {s for s in names if rx.match(s)}


# --------------------------------------------------------------------------------------
# pyBKT
# --------------------------------------------------------------------------------------

def run_pybkt(args):
    try:
        import pyBKT.fit.E_step  # noqa: F401  (the C++ extension; the Python fallback is far slower)
        from pyBKT.models import Model
    except ImportError as e:
        sys.exit(f"error: cannot import pyBKT with its C++ extensions ({e}).\n"
                 "Activate the venv from DEVELOPERS.md (. /work/pybkt-venv/bin/activate) "
                 "or pass --skip-pybkt.")
    from importlib.metadata import version
    print(f"[pyBKT {version('pyBKT')}] Model(seed={args.seed}, num_fits={args.restarts}, "
          f"parallel=True).fit(forgets={args.forgets}) ...", file=sys.stderr, flush=True)
    out = {"version": version("pyBKT")}
    walls, fits = [], []
    for _ in range(args.repeat):      # same seed each time: the same fit, timed again
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            t0 = time.perf_counter()
            model = Model(seed=args.seed, num_fits=args.restarts, parallel=True)
            model.fit(data_path=args.train, forgets=args.forgets)
            t_fit = time.perf_counter() - t0
            if args.test:
                pred = model.predict(data_path=args.test)
                test = metrics(pred["correct"].to_numpy(), pred["correct_predictions"].to_numpy())
            walls.append(time.perf_counter() - t0)
            fits.append(t_fit)                # read + fit
    out["wall_seconds"] = min(walls)
    out["fit_seconds"] = min(fits)
    out["wall_seconds_all"] = walls
    params = {}
    for skill, c in model.coef_.items():
        params[fix_key(skill)] = {
            "prior": float(c["prior"]), "learn": float(np.ravel(c["learns"])[0]),
            "forget": float(np.ravel(c["forgets"])[0]),
            "guess": float(np.ravel(c["guesses"])[0]), "slip": float(np.ravel(c["slips"])[0]),
        }
    out["params"] = params
    out["skills"] = len(params)
    if args.test:
        out["test"] = test
        # Rows pyBKT predicted itself (skills its regex selects), to check our forward pass.
        fitted = list(model.coef_.keys())
        chosen = self_matching(fitted)
        out["pred"] = {
            "order_id": pred["order_id"].to_numpy(dtype=np.int64),
            "user_id": pred["user_id"].astype(str).to_numpy(dtype=object),
            "p": pred["correct_predictions"].to_numpy(dtype=np.float64),
            "selected": pred["skill_name"].astype(str).isin(chosen).to_numpy(),
        }
        out["default_rows"] = int((~out["pred"]["selected"]).sum())
    return out


# --------------------------------------------------------------------------------------
# mastery (Rust)
# --------------------------------------------------------------------------------------

def rust_binary(args, example="fit"):
    if args.binary:
        if not os.path.isfile(args.binary):
            sys.exit(f"error: --binary {args.binary}: no such file")
        return args.binary
    if shutil.which("cargo") is None:
        sys.exit("error: cargo not found on PATH (or pass --binary / --skip-rust)")
    try:
        meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                              cwd=REPO, check=True, capture_output=True, text=True)
        target = json.loads(meta.stdout)["target_directory"]
    except (subprocess.CalledProcessError, ValueError, KeyError):
        target = os.path.join(REPO, "target")
    env = dict(os.environ)
    if not args.portable:
        # pyBKT's C++ path is compiled on the machine it runs on (from the sdist,
        # g++ -O2 -fopenmp, no -march). Time mastery as a user building for their
        # own machine gets it: -C target-cpu=native, so the E-step uses four AVX
        # lanes. Its own target dir keeps the portable build intact; --portable
        # times that one instead. Notes report both.
        target = os.path.join(target, "native")
        env["CARGO_TARGET_DIR"] = target
        env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " -C target-cpu=native").strip()
    binary = os.path.join(target, "release", "examples", example)
    if not args.no_build:
        flavour = "portable" if args.portable else "target-cpu=native"
        print(f"[mastery] cargo build --release --example {example} ({flavour}) ...",
              file=sys.stderr, flush=True)
        r = subprocess.run(["cargo", "build", "--release", "--example", example], cwd=REPO,
                           env=env)
        if r.returncode != 0:
            sys.exit(f"error: `cargo build --release --example {example}` failed. Fix the "
                     "build, or pass --skip-rust for pyBKT alone.")
    if not os.path.isfile(binary):
        sys.exit(f"error: {binary} not found. Build it with `cargo build --release --example "
                 f"{example}`, pass --binary PATH, or --skip-rust for pyBKT alone.")
    return binary


def run_rust(args, binary, tmpdir):
    params_path = args.rust_params_out or os.path.join(tmpdir, "mastery-params.json")
    cmd = [binary, "--train", args.train, "--restarts", str(args.restarts),
           "--seed", str(args.seed), "--out", params_path]
    if args.test:
        cmd += ["--test", args.test]
    if args.forgets:
        cmd.append("--forgets")
    if args.threads is not None:
        cmd += ["--threads", str(args.threads)]
    cmd += args.mastery_arg
    print("[mastery] " + " ".join(cmd), file=sys.stderr, flush=True)
    walls, reports = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # stderr (progress) passes through
        walls.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit(f"error: mastery's fit exited with status {r.returncode}")
        try:
            reports.append(json.loads(r.stdout))
        except ValueError:
            lines = [ln for ln in r.stdout.splitlines() if ln.strip().startswith("{")]
            if not lines:
                sys.exit(f"error: mastery's fit printed no JSON object on stdout:\n{r.stdout[:2000]}")
            reports.append(json.loads(lines[-1]))
    best = int(np.argmin(walls))
    report, wall = reports[best], walls[best]
    report["fit_seconds_all"] = [x.get("fit_seconds") for x in reports]
    try:
        with open(params_path) as f:
            params = json.load(f)["params"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"error: cannot read the parameters mastery wrote to {params_path}: {e}")
    return {"wall_seconds": wall, "wall_seconds_all": walls, "report": report,
            "params": params, "command": cmd}



# --------------------------------------------------------------------------------------
# Batch prediction (--predict)
# --------------------------------------------------------------------------------------

def to_pybkt_coef(p):
    return {
        "prior": float(p["prior"]),
        "learns": np.array([p["learn"]], dtype=np.float64),
        "forgets": np.array([p.get("forget", 0.0)], dtype=np.float64),
        "guesses": np.array([p["guess"]], dtype=np.float64),
        "slips": np.array([p["slip"]], dtype=np.float64),
    }


def run_predict_pybkt(args, params):
    try:
        import pyBKT.fit.E_step  # noqa: F401
        from pyBKT.models import Model
    except ImportError as e:
        sys.exit(f"error: cannot import pyBKT with its C++ extensions ({e}).")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        print("[pyBKT] building the model object (untimed fit, num_fits=1) ...",
              file=sys.stderr, flush=True)
        model = Model(seed=args.seed, num_fits=1, parallel=True)
        model.fit(data_path=args.train, forgets=True)
        skills = [s for s in model.fit_model if fix_key(s) in params]
        keep = {s: {k: model.fit_model[s][k] for k in ("resource_names", "gs_names")}
                for s in skills}
        model.coef_ = {s: to_pybkt_coef(params[fix_key(s)]) for s in skills}
        for s in skills:
            model.fit_model[s].update(keep[s])
        walls = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            pred = model.predict(data_path=args.train)
            walls.append(time.perf_counter() - t0)
    return {"wall_seconds": min(walls), "wall_seconds_all": walls, "rows": len(pred),
            "order_id": pred["order_id"].to_numpy(dtype=np.int64),
            "user_id": pred["user_id"].astype(str).to_numpy(dtype=object),
            "p": pred["correct_predictions"].to_numpy(dtype=np.float64),
            "selected": pred["skill_name"].astype(str).isin(self_matching(skills)).to_numpy()}


def run_predict_rust(args, binary, tmpdir):
    out_path = os.path.join(tmpdir, "predictions.csv")
    cmd = [binary, "--params", args.predict, "--input", args.train, "--out", out_path,
           "--unknown-skills", "half"]
    if args.threads is not None:
        cmd += ["--threads", str(args.threads)]
    cmd += args.mastery_arg
    print("[mastery] " + " ".join(cmd), file=sys.stderr, flush=True)
    walls = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        r = subprocess.run(cmd)
        walls.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit(f"error: mastery's predict exited with status {r.returncode}")
    df = pd.read_csv(out_path, dtype={"user_id": str, "skill_name": str}, keep_default_na=False)
    return {"wall_seconds": min(walls), "wall_seconds_all": walls, "rows": len(df),
            "order_id": df["order_id"].to_numpy(dtype=np.int64),
            "user_id": df["user_id"].to_numpy(dtype=object),
            "p": df["p_correct"].to_numpy(dtype=np.float64), "command": cmd}


def predict_main(args):
    with open(args.predict) as f:
        params = json.load(f)["params"]
    binary = None if args.skip_rust else rust_binary(args, "predict")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5:
        print(f"warning: load average {load:.2f}: other work is running, timings will be noisy",
              file=sys.stderr)
    py = None if args.skip_pybkt else run_predict_pybkt(args, params)
    rs = None
    with tempfile.TemporaryDirectory() as tmpdir:
        if binary:
            rs = run_predict_rust(args, binary, tmpdir)
    result = {"config": {"input": args.train, "params": args.predict, "repeat": args.repeat,
                         "threads": args.threads, "load_average_at_start": load,
                         "cpus": os.cpu_count()}}
    if py:
        result["pybkt"] = {k: py[k] for k in ("wall_seconds", "wall_seconds_all", "rows")}
    if rs:
        result["mastery"] = {k: rs[k] for k in ("wall_seconds", "wall_seconds_all", "rows",
                                                 "command")}
    if py and rs:
        result["speed_ratio_pybkt_over_mastery"] = py["wall_seconds"] / rs["wall_seconds"]
        ours = pd.Series(rs["p"], index=pd.MultiIndex.from_arrays([rs["order_id"], rs["user_id"]]))
        dup = ours.index.duplicated(keep=False)
        ours = ours[~dup]
        mine = ours.reindex(pd.MultiIndex.from_arrays([py["order_id"], py["user_id"]])).to_numpy()
        sel = py["selected"] & ~np.isnan(mine)
        result["rows_compared"] = int(sel.sum())
        result["max_abs_diff"] = float(np.max(np.abs(mine[sel] - py["p"][sel]))) if sel.any() else None
    cols = [c for c, on in (("pyBKT", py), ("mastery", rs)) if on]
    srcs = [s for s in (py, rs) if s]
    print()
    print(f"batch prediction of {args.train} with {args.predict}; {os.cpu_count()} CPUs, "
          f"load average at start {load:.2f}")
    print_table([["rows"] + [str(s["rows"]) for s in srcs],
                 [f"wall seconds (end to end), best of {args.repeat}"]
                 + [fmt(s["wall_seconds"], ".3f") for s in srcs],
                 ["all wall seconds"] + [" ".join(f"{x:.3f}" for x in s["wall_seconds_all"])
                                         for s in srcs]], cols)
    if "speed_ratio_pybkt_over_mastery" in result:
        print(f"speed ratio pyBKT / mastery (wall): {result['speed_ratio_pybkt_over_mastery']:.1f}x")
        print(f"max |p_correct - pyBKT correct_predictions| over {result['rows_compared']} rows: "
              f"{fmt(result['max_abs_diff'], '.2e')}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    return 0


# --------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------

def fmt(v, spec):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return format(v, spec)


def print_table(rows, columns):
    w0 = max(len(r[0]) for r in rows)
    ws = [max(len(c), 12) for c in columns]
    print(f"{'':<{w0}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(columns, ws)))
    for r in rows:
        print(f"{r[0]:<{w0}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(r[1:], ws)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--train", required=True, help="training CSV (order_id,user_id,skill_name,correct)")
    ap.add_argument("--test", help="test CSV (same columns): predict and score")
    ap.add_argument("--forgets", action="store_true", help="fit forget too")
    ap.add_argument("--restarts", type=int, default=5, help="EM restarts (pyBKT num_fits), default 5")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1,
                    help="time each tool this many times and report the fastest (default 1)")
    ap.add_argument("--threads", type=int, help="passed to mastery's fit as --threads")
    ap.add_argument("--mastery-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for mastery's fit, repeatable "
                    "(e.g. --mastery-arg=--unbounded for pyBKT's unbounded EM)")
    ap.add_argument("--json-out", help="write the comparison as JSON here")
    ap.add_argument("--true-params", help="params JSON the data came from "
                    "(make_synthetic_log.py --params-out): adds its log-likelihood")
    ap.add_argument("--pybkt-params-out", help="write pyBKT's fitted parameters here "
                    "(mastery's params JSON format; pyBKT's unbounded EM can leave guess + "
                    "slip >= 1, which mastery's reader rejects)")
    ap.add_argument("--rust-params-out", help="keep mastery's --out parameters here")
    ap.add_argument("--skip-pybkt", action="store_true")
    ap.add_argument("--skip-rust", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    ap.add_argument("--portable", action="store_true",
                    help="time the portable build (target/release, SSE2) instead of one "
                    "built with -C target-cpu=native (target/native/release)")
    ap.add_argument("--binary", help="mastery's fit (or predict) binary (default: cargo's "
                    "target dir)")
    ap.add_argument("--predict", metavar="PARAMS",
                    help="compare batch prediction of --train with these parameters (mastery's "
                    "JSON format) instead of fitting")
    args = ap.parse_args()
    if args.restarts < 1 or args.repeat < 1:
        ap.error("--restarts and --repeat must be at least 1")
    for p in (args.train, args.test, args.true_params):
        if p and not os.path.isfile(p):
            ap.error(f"{p}: no such file")
    args.train = os.path.abspath(args.train)
    args.test = os.path.abspath(args.test) if args.test else None
    if args.predict:
        if not os.path.isfile(args.predict):
            ap.error(f"{args.predict}: no such file")
        return predict_main(args)

    # Build first so that a broken build fails before the long pyBKT run.
    binary = None if args.skip_rust else rust_binary(args)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5:
        print(f"warning: load average {load:.2f}: other work is running, timings will be noisy "
              "(pyBKT's OpenMP threads suffer most); consider --repeat 3", file=sys.stderr)

    py = None if args.skip_pybkt else run_pybkt(args)

    rs = None
    with tempfile.TemporaryDirectory() as tmpdir:
        if binary:
            rs = run_rust(args, binary, tmpdir)

    # Everything below is untimed: one exact forward implementation for both parameter sets.
    train = read_log(args.train)
    test = read_log(args.test) if args.test else None
    result = {
        "config": {"train": args.train, "test": args.test, "forgets": args.forgets,
                   "restarts": args.restarts, "seed": args.seed, "threads": args.threads,
                   "repeat": args.repeat, "load_average_at_start": load,
                   "mastery_args": args.mastery_arg,
                   "cpus": os.cpu_count()},
        "data": {"train_rows": int(train["correct"].size),
                 "train_skills": int(pd.unique(train["skill_name"]).size),
                 "test_rows": int(test["correct"].size) if test else None},
    }

    def evaluate(params):
        fw = bkt_forward(train, params)
        e = {"loglik": fw["loglik"], "loglik_per_row": fw["loglik"] / max(fw["loglik_rows"], 1),
             "train_rows_without_params": fw["missing_rows"]}
        if test:
            ft = bkt_forward(test, params)
            e["test"] = metrics(test["correct"], ft["p_correct"])
            e["test_rows_without_params"] = ft["missing_rows"]
            e["_p_test"] = ft["p_correct"]
        return e

    if py:
        ev = evaluate(py["params"])
        r = {"version": py["version"], "wall_seconds": py["wall_seconds"],
             "wall_seconds_all": py["wall_seconds_all"],
             "fit_seconds": py["fit_seconds"], "skills": py["skills"],
             "loglik_forward": ev["loglik"], "loglik_per_row": ev["loglik_per_row"],
             "train_rows_without_params": ev["train_rows_without_params"]}
        if test:
            r["test_own"] = py["test"]
            r["test_forward"] = ev["test"]
            r["test_default_rows"] = py["default_rows"]
            # Check the forward pass against pyBKT's own predictions (rows it predicted).
            pr = py["pred"]
            ours = pd.Series(ev["_p_test"], index=pd.MultiIndex.from_arrays(
                [test["order_id"], test["user_id"]]))
            ours = ours[~ours.index.duplicated()]
            mine = ours.reindex(pd.MultiIndex.from_arrays([pr["order_id"], pr["user_id"]])).to_numpy()
            sel = pr["selected"] & ~np.isnan(mine)
            r["forward_vs_pybkt_max_abs_diff"] = (float(np.max(np.abs(mine[sel] - pr["p"][sel])))
                                                  if sel.any() else None)
        result["pybkt"] = r
        if args.pybkt_params_out:
            with open(args.pybkt_params_out, "w") as f:
                json.dump({"params": py["params"]}, f, indent=2)
                f.write("\n")
    if rs:
        ev = evaluate(rs["params"])
        rep = rs["report"]
        r = {"wall_seconds": rs["wall_seconds"], "wall_seconds_all": rs["wall_seconds_all"],
             "fit_seconds": rep.get("fit_seconds"),
             "skills": rep.get("skills"), "train_rows": rep.get("train_rows"),
             "loglik_reported": rep.get("log_likelihood"),
             "loglik_forward": ev["loglik"], "loglik_per_row": ev["loglik_per_row"],
             "train_rows_without_params": ev["train_rows_without_params"],
             "command": rs["command"], "report": rep}
        if test:
            r["test_own"] = rep.get("test")
            r["test_forward"] = ev["test"]
        result["mastery"] = r
    if args.true_params:
        with open(args.true_params) as f:
            ev = evaluate(json.load(f)["params"])
        result["true_params"] = {"loglik_forward": ev["loglik"], "loglik_per_row": ev["loglik_per_row"]}
        if test:
            result["true_params"]["test_forward"] = ev["test"]
    if py and rs:
        result["speed_ratio_pybkt_over_mastery"] = py["wall_seconds"] / rs["wall_seconds"]
        if rs["report"].get("fit_seconds"):
            result["fit_ratio_pybkt_over_mastery"] = py["fit_seconds"] / rs["report"]["fit_seconds"]

    # ---- print
    cols = [c for c, on in (("pyBKT", py), ("mastery", rs)) if on]
    srcs = [result.get("pybkt"), result.get("mastery")]
    srcs = [s for s in srcs if s is not None]
    truth = result.get("true_params")
    if truth:
        cols.append("true params")
    rows = []

    def row(label, getter, spec, truth_val=None):
        vals = [fmt(getter(s), spec) for s in srcs]
        if truth:
            vals.append(fmt(truth_val, spec))
        rows.append([label] + vals)

    def g(d, *keys):
        for key in keys:
            if d is None:
                return None
            d = d.get(key)
        return d

    row("train log-lik (numpy forward)", lambda s: s["loglik_forward"], ".3f",
        truth and truth["loglik_forward"])
    row("train log-lik (reported)", lambda s: s.get("loglik_reported"), ".3f")
    row("train log-lik per row", lambda s: s["loglik_per_row"], ".6f",
        truth and truth["loglik_per_row"])
    if test:
        for m, spec in (("auc", ".4f"), ("rmse", ".4f"), ("log_loss", ".4f"), ("accuracy", ".4f")):
            row(f"test {m} (own predictions)", lambda s, m=m: g(s, "test_own", m), spec)
            row(f"test {m} (exact forward)", lambda s, m=m: g(s, "test_forward", m), spec,
                truth and g(truth, "test_forward", m))
    row("wall seconds (end to end)" + (f", best of {args.repeat}" if args.repeat > 1 else ""),
        lambda s: s["wall_seconds"], ".2f")
    row("fit seconds", lambda s: s.get("fit_seconds"), ".2f")
    print()
    print(f"train {result['data']['train_rows']} rows, {result['data']['train_skills']} skills"
          + (f"; test {result['data']['test_rows']} rows" if test else "")
          + f"; forgets={args.forgets}, restarts={args.restarts}, seed={args.seed}, "
            f"{os.cpu_count()} CPUs")
    print_table(rows, cols)
    if "speed_ratio_pybkt_over_mastery" in result:
        extra = (f" (fit alone: {result['fit_ratio_pybkt_over_mastery']:.1f}x)"
                 if "fit_ratio_pybkt_over_mastery" in result else "")
        print(f"speed ratio pyBKT / mastery (wall): {result['speed_ratio_pybkt_over_mastery']:.1f}x"
              + extra)
    if py and test:
        pr = result["pybkt"]
        print(f"pyBKT: {pr['test_default_rows']} test rows left at its default 0.5 (skill names "
              f"its regex does not select); numpy forward vs pyBKT predict, max |diff| on the "
              f"rest: {fmt(pr['forward_vs_pybkt_max_abs_diff'], '.2e')}")
    for name, s in (("pyBKT", result.get("pybkt")), ("mastery", result.get("mastery"))):
        if s and s["train_rows_without_params"]:
            print(f"warning: {name}: {s['train_rows_without_params']} train rows have no "
                  "parameters for their skill (left out of the log-likelihood)")

    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
