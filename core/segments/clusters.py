"""Behavioural clusters: KMeans on log-scaled, standardised behaviour, k chosen by silhouette, named by rules."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from core.jobs import NULL_PROGRESS, Progress, alongside
from core.resources import RESOURCES
from core.segments.maps import SegmentLabel

BEHAVIOUR = ("recency", "frequency", "monetary", "aov", "tenure")
K_RANGE = range(2, 9)
FIT_SAMPLE = 20_000  # customers the centres are fitted on; everyone is then assigned to the nearest
SILHOUETTE_SAMPLE = 3_000  # silhouette costs the square of this; 3,000 ranks k the same way
SEED = 0


@dataclass
class ClusterResult:
    """Cluster of every customer, the silhouette per k tried, and each cluster's label."""

    labels: pd.Series  # cluster id per customer, "c1" … "cK", ordered by net sales per customer
    silhouette_by_k: dict[int, float]
    k: int
    segment_labels: dict[str, SegmentLabel]
    profiles: pd.DataFrame  # per cluster: customers and the median of each behaviour feature


def load_library_in_background() -> None:
    """Start loading scikit-learn's clustering (about a second of module loading) in a daemon
    thread, for a command that will cluster: it then overlaps the reading of the exports, which
    waits mostly on Arrow outside the GIL. cluster_customers imports it as usual (a module being
    loaded by another thread is waited for, never loaded twice)."""
    import threading

    threading.Thread(target=_load_library, name="load-sklearn", daemon=True).start()


def _load_library() -> None:
    import sklearn.cluster  # noqa: F401
    import sklearn.metrics  # noqa: F401


def behaviour_matrix(features: pd.DataFrame, category_mix: pd.DataFrame | None = None) -> np.ndarray:
    """log1p of each behaviour figure, standardised; category shares (already 0…1) standardised too."""
    columns = [np.log1p(features[c].to_numpy(dtype=float).clip(min=0)) for c in BEHAVIOUR]
    if category_mix is not None and len(category_mix.columns):
        mix = category_mix.reindex(features.index).fillna(0.0)
        columns += [mix[c].to_numpy(dtype=float) for c in mix.columns]
    matrix = np.column_stack(columns)
    std = matrix.std(axis=0)
    return (matrix - matrix.mean(axis=0)) / np.where(std > 0, std, 1.0)


def cluster_customers(features: pd.DataFrame, category_mix: pd.DataFrame | None = None,
                      k: int | None = None, progress: Progress = NULL_PROGRESS) -> ClusterResult:
    """KMeans for k = 2…8 (or the k given), keeping the k with the best silhouette on a seeded
    sample. The same input always gives the same clusters."""
    import sklearn.cluster  # noqa: F401  loads OpenMP, which the limit below then reaches
    from threadpoolctl import threadpool_limits

    # One OpenMP thread: the problems are small (see core/__init__.py), and the pool's spinning
    # threads cost more than they give.
    with threadpool_limits(limits=1, user_api="openmp"):
        return _cluster_customers(features, category_mix, k, progress)


def _cluster_customers(features, category_mix, k, progress) -> ClusterResult:
    from sklearn.cluster import KMeans
    from sklearn.metrics import pairwise_distances, silhouette_score
    from threadpoolctl import threadpool_limits

    matrix = behaviour_matrix(features, category_mix)
    n = len(matrix)
    rng = np.random.default_rng(SEED)
    fit_rows = np.sort(rng.choice(n, FIT_SAMPLE, replace=False)) if n > FIT_SAMPLE else np.arange(n)
    sample = matrix[fit_rows]
    distinct = len(np.unique(sample.round(9), axis=0))
    ks = [k] if k else [c for c in K_RANGE if c < min(distinct, len(sample))]
    if not ks:
        ks = [1]
    scored_rows = rng.choice(len(sample), min(SILHOUETTE_SAMPLE, len(sample)), replace=False)
    # The distances between the scored customers are the same for every k: computed once.
    distances = pairwise_distances(sample[scored_rows]) if len(ks) > 1 else None

    def fit(clusters: int):
        """KMeans with this k, and its silhouette (None where it cannot be scored)."""
        with threadpool_limits(limits=1, user_api="openmp"):  # the limit is per thread: set where it fits
            model = KMeans(n_clusters=clusters, n_init=4, random_state=SEED).fit(sample)
        labels = model.labels_[scored_rows]
        if clusters == 1 or len(np.unique(labels)) < 2:
            return model, None
        scored = silhouette_score(distances, labels, metric="precomputed") if distances is not None \
            else silhouette_score(sample[scored_rows], labels)
        return model, round(float(scored), 4)

    # Every other k is fitted in a second thread for many customers: each fit stands alone, seeded,
    # so the clusters are the same either way.
    with alongside(n) as start:
        later = {clusters: start(fit, clusters) for clusters in ks[1::2]}
        fitted = {}
        for i, clusters in enumerate(ks[::2]):
            progress.check_cancelled()
            progress.report(2 * i / len(ks), "progress.clustering", k=clusters)
            fitted[clusters] = fit(clusters)
        fitted.update({clusters: future.result() for clusters, future in later.items()})
    models = {clusters: fitted[clusters][0] for clusters in ks}
    silhouettes = {clusters: fitted[clusters][1] for clusters in ks if fitted[clusters][1] is not None}
    best = k or (max(silhouettes, key=lambda c: (silhouettes[c], -c)) if silhouettes else ks[0])
    raw = models[best].predict(matrix)
    # Name clusters c1…cK from the most to the least valuable per customer, so ids are stable.
    value = pd.Series(features["monetary"].to_numpy(), index=raw).groupby(level=0).median()
    order = {old: f"c{new + 1}" for new, old in enumerate(value.sort_values(ascending=False, kind="stable").index)}
    labels = pd.Series([order[c] for c in raw], index=features.index, dtype="str")
    profiles = features.groupby(labels)[list(BEHAVIOUR)].median()
    profiles.insert(0, "customers", labels.value_counts())
    profiles = profiles.loc[sorted(profiles.index, key=lambda c: int(c[1:]))]
    centres = pd.DataFrame(matrix[:, :len(BEHAVIOUR)], columns=list(BEHAVIOUR)).groupby(labels.to_numpy()).mean()
    favourite = _favourite_categories(category_mix, features.index, labels)
    segment_labels = {c: name_cluster(c, centres.loc[c], profiles.loc[c], favourite.get(c))
                      for c in profiles.index}
    segment_labels = _distinct_names(segment_labels)
    progress.report(1.0, "progress.clustering_done")
    return ClusterResult(labels, silhouettes, best, segment_labels, profiles)


@cache
def _naming_rules() -> dict:
    with (RESOURCES / "segments" / "cluster_names.toml").open("rb") as f:
        return tomllib.load(f)


def _favourite_categories(category_mix, customers: pd.Index, labels: pd.Series) -> dict[str, str]:
    """Per cluster, the category its customers spend most on, when it is most of their spend."""
    if category_mix is None or not len(category_mix.columns):
        return {}
    mix = category_mix.reindex(customers).fillna(0.0).groupby(labels.to_numpy()).mean()
    share = _naming_rules()["category"]["share"]
    return {c: str(row.idxmax()) for c, row in mix.iterrows() if row.max() >= share}


def _distinct_names(labels: dict[str, SegmentLabel]) -> dict[str, SegmentLabel]:
    """Two clusters never share a name: repeated names get their cluster number."""
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label.name] = seen.get(label.name, 0) + 1
    return {c: (label if seen[label.name] == 1 else SegmentLabel(
        label.id, f"{label.name} ({c.upper()})", f"{label.name_zh}（{c.upper()}）",
        label.description, label.description_zh)) for c, label in labels.items()}


def name_cluster(cluster_id: str, centre: pd.Series, profile: pd.Series,
                 category: str | None = None) -> SegmentLabel:
    """A plain-language name and description from the centre, by the rules in cluster_names.toml;
    a cluster that spends most of its money on one category has it in its name."""
    rules = _naming_rules()
    numbers = {"frequency": f"{profile['frequency']:g}", "monetary": f"{profile['monetary']:,.0f}",
               "recency": f"{profile['recency']:.0f}"}
    parts: dict[str, str] = {}
    for feature in ("frequency", "monetary", "recency"):
        z = centre[feature]
        level = "high" if z >= rules["high"] else "low" if z <= rules["low"] else "average"
        phrase = rules["phrases"][feature][level]
        for key in ("name", "name_zh", "text", "text_zh"):
            parts[f"{feature}{'' if key.startswith('name') else '_text'}{'_zh' if key.endswith('_zh') else ''}"] = \
                phrase[key].format(**numbers)
    en = {k: v for k, v in parts.items() if not k.endswith("_zh")}
    zh = {k[:-3]: v for k, v in parts.items() if k.endswith("_zh")}
    template = rules["template"]
    name, name_zh = template["name"].format(**en), template["name_zh"].format(**zh)
    if category:
        name += rules["category"]["name"].format(category=category)
        name_zh += rules["category"]["name_zh"].format(category=category)
    return SegmentLabel(cluster_id, name[0].upper() + name[1:], name_zh,
                        template["description"].format(**en).capitalize(),
                        template["description_zh"].format(**zh))
