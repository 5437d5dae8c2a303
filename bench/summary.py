"""The four figures of `make bench`, read from the results the benchmarks wrote under bench/out/."""
from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _read(name: str) -> dict | None:
    path = OUT / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _default_allocator(result: dict, ours: str) -> str:
    """The same against a raw read with pyarrow's default allocator, where it was measured."""
    other = result.get("raw_default_allocator")
    if not other:
        return ""
    return (f"; against a raw read with pyarrow's default allocator ({other['median_s']:.1f} s): "
            f"{result[ours]['median_s'] / other['median_s']:.2f}×")


def lines() -> list[str]:
    out = []
    imp = _read("import.json")
    out.append("import, ours / raw read (whole process, median): " + (
        f"{imp['ratio']:.2f}× (goal ≤ {imp['goal_ratio']:g}; {imp['ours']['median_s']:.1f} s vs "
        f"{imp['raw']['median_s']:.1f} s; peak {imp['ours']['peak_mb']:.0f} vs {imp['raw']['peak_mb']:.0f} MB)"
        + _default_allocator(imp, "ours") if imp and "ours" in imp else "not measured"))
    scale = _read("scale.json")
    out.append("10,000,000 lines, import to plan: " + (
        f"{scale['seconds']:.0f} s, peak {scale['peak_mb']:.0f} MB (goal ≤ 4096 MB)" if scale else
        "not measured (not built yet)"))
    gui = _read("responsiveness.json")
    if gui:
        out.append(
            f"10,000,000 lines in the window: analysed {gui.get('analysed_s', '?')} s after opening, peak "
            f"{gui['peak_mb']} MB (goal ≤ 4096 MB); the GUI thread's longest stall {gui['late_max_ms']:.0f} ms, "
            f"{gui['stalls_over_250_ms']} over 250 ms; longest without progress {gui['longest_without_progress_s']} s")
    plan = _read("plan.json")
    out.append("full analysis, plan / raw read (whole process, median): " + (
        f"{plan['ratio']:.2f}× (goal ≤ {plan['goal_ratio']:g}; {plan['plan']['median_s']:.1f} s vs "
        f"{plan['raw']['median_s']:.1f} s; peak {plan['plan']['peak_mb']:.0f} MB; map {plan['map']})"
        + _default_allocator(plan, "plan") if plan else "not measured"))
    start = _read("startup.json")
    out.append("start-up to the first window (median): " + (
        f"{start['segmentdesk_s']:.2f} s ({start['ratio']:.2f}× a bare PySide6 window)" if start else "not measured"))
    return out


if __name__ == "__main__":
    print("\n".join(lines()))
