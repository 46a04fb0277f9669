#!/usr/bin/env python3
"""Medians and our-to-Boost ratios from road_query_bench's JSON output, as Markdown.

    road_query_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
        --benchmark_format=json --benchmark_out=results.json
    bench/summarize_results.py results.json

Each of our benchmarks is paired with the Boost.Graph baselines of the same run and network:
ratio = our median time / Boost median time (below 1: ours is faster), speed-up = its inverse,
on wall-clock time and on CPU time (the steadier of the two on a busy shared machine).
"""

import json
import sys

# Our benchmark name prefix -> the Boost baselines it is compared with.
PAIRS = {
    "Nearest/": ["BoostNearestPlain/", "BoostNearestPrealloc/", "BoostNearestEarlyStop/"],
    "Route/": ["BoostRoute/"],
    "AllTimes/": ["BoostAllTimes/"],
}
TO_MICROSECONDS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def load(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    medians, cvs, errors = {}, {}, {}
    for b in report["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        kind = b.get("aggregate_name")
        if kind == "median":
            medians[name] = b
        elif kind == "cv":
            cvs[name] = b["real_time"]
    return report["context"], medians, cvs, errors


def micros(b):
    return b["real_time"] * TO_MICROSECONDS[b["time_unit"]]


def cpu_micros(b):
    return b["cpu_time"] * TO_MICROSECONDS[b["time_unit"]]


def fmt_micros(us):
    if us >= 1e3:
        return f"{us / 1e3:.3g} ms"
    return f"{us:.3g} us"


def fmt_number(v):
    return f"{int(v):,}" if float(v).is_integer() else f"{v:.4g}"


def fmt_time(b, field="real_time"):
    return fmt_micros(b[field] * TO_MICROSECONDS[b["time_unit"]])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    context, medians, cvs, errors = load(sys.argv[1])
    print(f'Run {context.get("date", "?")} on {context.get("num_cpus", "?")} CPUs at '
          f'{context.get("mhz_per_cpu", "?")} MHz; library build: '
          f'{context.get("library_build_type", "?")}.\n')

    print("| benchmark | median time | median CPU | CV (time) | median items/s (CPU) "
          "| settled/query | other counters |")
    print("|---|---:|---:|---:|---:|---:|---|")
    skip = {"name", "run_name", "run_type", "repetitions", "threads", "aggregate_name",
            "iterations", "real_time", "cpu_time", "time_unit", "family_index",
            "per_family_instance_index", "repetition_index", "items_per_second", "settled",
            "aggregate_unit"}
    for name, b in medians.items():
        ips = b.get("items_per_second")
        settled = b.get("settled")
        others = ", ".join(f"{k}={fmt_number(v)}" for k, v in b.items()
                           if k not in skip and isinstance(v, (int, float)))
        cv = cvs.get(name)
        print(f"| `{name}` | {fmt_time(b)} | {fmt_time(b, 'cpu_time')} | "
              f"{'' if cv is None else f'{cv:.1%}'} | "
              f"{'' if ips is None else f'{ips:,.0f}'} | "
              f"{'' if settled is None else f'{settled:,.0f}'} | {others} |")
    for name, message in errors.items():
        print(f"| `{name}` | skipped: {message} | | | | | |")

    print("\n| ours | baseline | ours (median) | baseline (median) | ratio ours/baseline "
          "| speed-up | ratio on CPU time | speed-up on CPU |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for ours_name, ours in medians.items():
        for prefix, baselines in PAIRS.items():
            if not ours_name.startswith(prefix):
                continue
            suffix = ours_name[len(prefix):]
            for baseline_prefix in baselines:
                base = medians.get(baseline_prefix + suffix)
                if base is None:
                    continue
                ratio = micros(ours) / micros(base)
                cpu_ratio = cpu_micros(ours) / cpu_micros(base)
                print(f"| `{ours_name}` | `{baseline_prefix + suffix}` | {fmt_time(ours)} | "
                      f"{fmt_time(base)} | {ratio:.3g} | {1 / ratio:,.1f}x | "
                      f"{cpu_ratio:.3g} | {1 / cpu_ratio:,.1f}x |")


if __name__ == "__main__":
    main()
