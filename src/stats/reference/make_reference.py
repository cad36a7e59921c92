#!/usr/bin/env python3
"""Reference values for src/stats, from implementations independent of hailong.

    pip install statsmodels samplics numpy scipy
    python3 src/stats/reference/make_reference.py > src/stats/reference/reference.json

- Wilson intervals: statsmodels `proportion_confint(method="wilson")`.
- Item indices (domain proportions, logit intervals), ratios (mean scores,
  pooled rate, comprehensive satisfaction), stratified designs with finite
  population correction: samplics `TaylorEstimator`.
- Linear combinations of item indices (element and overall indices), which
  no library offers directly: NumPy, written from shared/statistics.md and
  checked here against samplics wherever both can compute the same number.
- Cronbach's alpha, comparisons and sample sizes: NumPy/SciPy by the formula.
The data sets are generated with a fixed seed and written into the JSON, so
the Rust tests read the inputs and the expected outputs from one file.
"""
import json
import sys
import warnings

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

warnings.filterwarnings("ignore")
from samplics.estimation import TaylorEstimator  # noqa: E402
from samplics.utils.types import PopParam  # noqa: E402

LEVEL = 0.95
ALPHA = 1 - LEVEL
NA = 6


def wilson_cases():
    cases = []
    for count, n in [(0, 10), (10, 10), (7, 10), (1, 1), (42, 50), (830, 1000), (3, 7)]:
        low, high = proportion_confint(count, n, alpha=ALPHA, method="wilson")
        cases.append({"count": count, "n": n, "low": low, "high": high})
    return cases


def make_scores(rng, n, items, na_rate=0.1, skip_rate=0.05, bias=0.0):
    probs = np.array([0.08, 0.12, 0.2, 0.35, 0.25])
    probs = probs * np.exp(bias * np.arange(5))
    probs /= probs.sum()
    scores = rng.choice(np.arange(1, 6), size=(n, items), p=probs)
    u = rng.random((n, items))
    scores[u < na_rate] = NA
    scores[(u >= na_rate) & (u < na_rate + skip_rate)] = 0
    return scores


def design_frame(weights, strata, totals):
    """samplics inputs: stratum labels and fpc factors (1 - n_h/N_h)."""
    if totals is None:
        return {}
    fpc = {}
    for h, total in enumerate(totals):
        n_h = int((strata == h).sum())
        fpc[h] = 1.0 - n_h / total if total else 1.0
    return {"stratum": strata, "fpc": fpc}


def t_quantile(df):
    return stats.t.ppf(1 - ALPHA / 2, df)


def logit_ci(theta, se, df, n):
    if theta <= 0 or theta >= 1 or se == 0:
        # statistics.md: at 0 or 1 (no variance) fall back to Wilson with n.
        return list(proportion_confint(theta * n, n, alpha=ALPHA, method="wilson"))
    centre = np.log(theta / (1 - theta))
    half = t_quantile(df) * se / (theta * (1 - theta))
    return [1 / (1 + np.exp(-(centre - half))), 1 / (1 + np.exp(-(centre + half)))]


def variance(weights, strata, totals, influence):
    """V = sum_h (1-f_h) n_h/(n_h-1) sum_{r in h} (w u - mean_h)^2."""
    total = 0.0
    for h in np.unique(strata):
        mask = strata == h
        n_h = mask.sum()
        if n_h < 2:
            continue
        wu = weights[mask] * influence[mask]
        f = n_h / totals[h] if totals is not None else 0.0
        total += (1 - f) * n_h / (n_h - 1) * ((wu - wu.mean()) ** 2).sum()
    return total


def hand_ratio(x, d, weights, strata, totals):
    """R = sum w x / sum w d, u = (x - R d) / sum w d."""
    total_d = (weights * d).sum()
    r = (weights * x).sum() / total_d
    return r, np.sqrt(variance(weights, strata, totals, (x - r * d) / total_d)), float(df_of(strata))


def samplics_ratio(x, d, weights, strata, totals):
    hand = hand_ratio(x, d, weights, strata, totals)
    try:
        est = TaylorEstimator(PopParam.ratio, alpha=ALPHA)
        est.estimate(y=x, x=d, samp_weight=weights, **design_frame(weights, strata, totals))
    except (ZeroDivisionError, ValueError, AssertionError):
        # samplics cannot take a ratio of 0 or a design it rejects (a
        # stratum of one); these edge cases use the hand derivation.
        return hand
    result = float(est.point_est), float(est.stderror), float(est.degree_of_freedom)
    assert abs(result[0] - hand[0]) < 1e-12 and abs(result[1] - hand[1]) < 1e-12, (result, hand)
    return result


def samplics_item(scores, k, weights, strata, totals):
    valid = (scores[:, k] >= 1) & (scores[:, k] <= 5)
    y = (scores[:, k] >= 4).astype(float)
    est = TaylorEstimator(PopParam.prop, alpha=ALPHA)
    try:
        est.estimate(y=y, samp_weight=weights, domain=valid.astype(int), **design_frame(weights, strata, totals))
    except (ZeroDivisionError, ValueError, AssertionError):
        # One respondent, or a stratum of one: samplics refuses; by hand.
        theta, se, n_k = linear_combination(scores, [(k, 1.0)], weights, strata, totals)
        return theta, se, np.nan, np.nan, n_k
    # samplics reports only the categories present in the domain.
    point, error = est.point_est[1], est.stderror[1]
    p = float(point[1.0]) if 1.0 in point else 1.0 - float(point[0.0])
    se = float(error[1.0] if 1.0 in error else error[0.0])
    lower = est.lower_ci[1].get(1.0, np.nan)
    upper = est.upper_ci[1].get(1.0, np.nan)
    return p, se, float(lower), float(upper), int(valid.sum())


def linear_combination(scores, coefficients, weights, strata, totals):
    """theta = sum_k c_k P_k with u_r = sum_k c_k a_rk (y_rk - P_k)/D_k."""
    theta = 0.0
    influence = np.zeros(scores.shape[0])
    contributing = np.zeros(scores.shape[0], dtype=bool)
    for k, c in coefficients:
        a = ((scores[:, k] >= 1) & (scores[:, k] <= 5)).astype(float)
        y = (scores[:, k] >= 4).astype(float)
        d = (weights * a).sum()
        p = (weights * a * y).sum() / d
        theta += c * p
        influence += c * a * (y - p) / d
        contributing |= a > 0
    return theta, np.sqrt(variance(weights, strata, totals, influence)), int(contributing.sum())


def df_of(strata):
    return len(strata) - len(np.unique(strata))


def cell(scores, item_element, in_overall, rule, weights, strata, totals, weighted):
    n, items = scores.shape
    elements = len(in_overall)
    df = df_of(strata)
    valid = (scores >= 1) & (scores <= 5)
    out = {"items": [], "elements": []}
    for k in range(items):
        entry = {"n": int(valid[:, k].sum())}
        dist = {str(s): int((scores[:, k] == s).sum()) for s in range(1, 6)}
        dist["na"] = int((scores[:, k] == NA).sum())
        entry["distribution"] = dist
        if entry["n"] == 0:
            out["items"].append(entry)
            continue
        p, se, low, high, n_k = samplics_item(scores, k, weights, strata, totals)
        theta, se_hand, _ = linear_combination(scores, [(k, 1.0)], weights, strata, totals)
        assert abs(theta - p) < 1e-12 and abs(se - se_hand) < 1e-12, (k, p, theta, se, se_hand)
        entry.update({"index": p, "se": se})
        if weighted:
            entry["ci"] = logit_ci(p, se, df, n_k)
            if 0 < p < 1 and not np.isnan(low):
                assert abs(entry["ci"][0] - low) < 1e-9 and abs(entry["ci"][1] - high) < 1e-9, (entry["ci"], low, high)
        else:
            count = int(((scores[:, k] >= 4) & valid[:, k]).sum())
            entry["ci"] = list(proportion_confint(count, n_k, alpha=ALPHA, method="wilson"))
        x = np.where(valid[:, k], scores[:, k], 0).astype(float)
        mean, mean_se, mean_df = samplics_ratio(x, valid[:, k].astype(float), weights, strata, totals)
        t = t_quantile(mean_df)
        entry["mean"] = {"estimate": mean, "se": mean_se, "ci": [mean - t * mean_se, mean + t * mean_se]}
        out["items"].append(entry)

    answered = [k for k in range(items) if valid[:, k].any()]
    for e in range(elements):
        members = [k for k in answered if item_element[k] == e]
        all_members = [k for k in range(items) if item_element[k] == e]
        entry = {}
        if members:
            theta, se, n_e = linear_combination(scores, [(k, 1 / len(members)) for k in members], weights, strata, totals)
            entry = {"index": theta, "se": se, "n": n_e, "ci": logit_ci(theta, se, df, n_e)}
        complete = valid[:, all_members].all(axis=1)
        block = scores[complete][:, all_members].astype(float)
        alpha = None
        if len(all_members) >= 2 and block.shape[0] >= 2:
            item_var = block.var(axis=0, ddof=1).sum()
            total_var = block.sum(axis=1).var(ddof=1)
            alpha = len(all_members) / (len(all_members) - 1) * (1 - item_var / total_var)
        entry["alpha"] = {"value": alpha, "n": int(complete.sum())}
        out["elements"].append(entry)

    overall_items = [k for k in range(items) if in_overall[item_element[k]]]
    if rule == "mean_of_elements":
        groups = [[k for k in answered if item_element[k] == e] for e in range(elements) if in_overall[e]]
        groups = [g for g in groups if g]
        coefficients = [(k, 1 / (len(groups) * len(g))) for g in groups for k in g]
    else:
        members = [k for k in overall_items if k in answered]
        coefficients = [(k, 1 / len(members)) for k in members]
    theta, se, n_o = linear_combination(scores, coefficients, weights, strata, totals)
    out["overall_" + rule] = {"index": theta, "se": se, "n": n_o, "ci": logit_ci(theta, se, df, n_o)}

    sub = scores[:, overall_items]
    sub_valid = (sub >= 1) & (sub <= 5)
    x = ((sub >= 4) & sub_valid).sum(axis=1).astype(float)
    d = sub_valid.sum(axis=1).astype(float)
    p, se, _ = samplics_ratio(x, d, weights, strata, totals)
    out["pooled"] = {"index": p, "se": se, "n": int((d > 0).sum()), "ci": logit_ci(p, se, df, int((d > 0).sum()))}
    any_valid = sub_valid.any(axis=1)
    all_satisfied = np.where(sub_valid, sub >= 4, True).all(axis=1) & any_valid
    p, se, _ = samplics_ratio(all_satisfied.astype(float), any_valid.astype(float), weights, strata, totals)
    out["comprehensive"] = {"index": p, "se": se, "n": int(any_valid.sum()), "ci": logit_ci(p, se, df, int(any_valid.sum()))}
    return out


def mean_scores_over(scores, groups, weights, strata, totals):
    """The Ministry of Health's mean score of a section: sum of valid scores
    over the number of valid answers, a ratio over respondents (samplics)."""
    out = []
    for items in groups:
        sub = scores[:, items]
        valid = (sub >= 1) & (sub <= 5)
        x = np.where(valid, sub, 0).sum(axis=1).astype(float)
        d = valid.sum(axis=1).astype(float)
        if d.sum() == 0:
            out.append(None)
            continue
        mean, se, df = samplics_ratio(x, d, weights, strata, totals)
        t = t_quantile(df)
        out.append({"items": items, "estimate": mean, "se": se, "n": int((d > 0).sum()),
                    "ci": [mean - t * se, mean + t * se]})
    return out


def other_items(rng, weights, strata, totals, weighted):
    """A single-choice item (options 0-3, -1 skipped) and a percent item
    (0-200, NaN skipped): shares per option as domain proportions (samplics;
    Wilson from statsmodels when unweighted, logit otherwise) and the mean
    as a ratio (samplics)."""
    n = len(strata)
    choice = rng.choice(4, size=n, p=[0.1, 0.2, 0.3, 0.4])
    choice[rng.random(n) < 0.15] = -1
    percent = rng.choice(np.arange(0, 201, 5), size=n).astype(float)
    percent[rng.random(n) < 0.2] = np.nan
    answered = choice >= 0
    df = df_of(strata)
    shares = []
    for option in range(4):
        y = (choice == option).astype(float)
        est = TaylorEstimator(PopParam.prop, alpha=ALPHA)
        est.estimate(y=y, samp_weight=weights, domain=answered.astype(int), **design_frame(weights, strata, totals))
        point, error = est.point_est[1], est.stderror[1]
        p = float(point[1.0]) if 1.0 in point else 1.0 - float(point[0.0])
        se = float(error[1.0] if 1.0 in error else error[0.0])
        n_k = int(answered.sum())
        if weighted:
            ci = logit_ci(p, se, df, n_k)
        else:
            ci = list(proportion_confint(int((choice == option).sum()), n_k, alpha=ALPHA, method="wilson"))
        shares.append({"estimate": p, "se": se, "n": n_k, "ci": ci})
    d = (~np.isnan(percent)).astype(float)
    x = np.nan_to_num(percent)
    mean, se, mean_df = samplics_ratio(x, d, weights, strata, totals)
    t = t_quantile(mean_df)
    return {
        "choice": choice.astype(int).tolist(),
        "percent": [None if np.isnan(v) else float(v) for v in percent],
        "shares": shares,
        "mean": {"estimate": mean, "se": se, "n": int(d.sum()), "ci": [mean - t * se, mean + t * se]},
    }


def dataset(name, scores, item_element, in_overall, weights=None, strata=None, totals=None):
    n = scores.shape[0]
    weighted = weights is not None
    weights = np.ones(n) if weights is None else weights
    strata = np.zeros(n, dtype=int) if strata is None else strata
    expected = cell(scores, item_element, in_overall, "mean_of_elements", weights, strata, totals, weighted)
    expected.update({k: v for k, v in cell(scores, item_element, in_overall, "mean_of_items", weights, strata, totals, weighted).items() if k.startswith("overall_")})
    elements = sorted(set(item_element))
    groups = [[k for k, e in enumerate(item_element) if e == el] for el in elements]
    groups.append([k for k, e in enumerate(item_element) if in_overall[e]])
    expected["mean_scores_over"] = mean_scores_over(scores, groups, weights, strata, totals)
    return {
        "name": name,
        "items": int(scores.shape[1]),
        "scores": scores.astype(int).ravel().tolist(),
        "item_element": item_element,
        "in_overall": in_overall,
        "weights": weights.tolist(),
        "strata": strata.astype(int).tolist(),
        "totals": totals,
        "weighted": weighted,
        "df": df_of(strata),
        "expected": expected,
    }


def comparisons():
    out = []
    for (a, va), (b, vb) in [((0.80, 0.0004), (0.86, 0.0003)), ((0.80, 0.0004), (0.81, 0.0005)), ((0.9, 0.0001), (0.7, 0.0009))]:
        se = np.sqrt(va + vb)
        z = (b - a) / se
        p = 2 * stats.norm.sf(abs(z))
        out.append({"earlier": [a, va], "later": [b, vb], "difference": b - a, "se": se, "z": z, "p": p, "significant": bool(p < ALPHA)})
    return out


def sample_sizes():
    out = []
    z = stats.norm.ppf(1 - ALPHA / 2)
    for margin, p, population in [(0.05, 0.5, None), (0.05, 0.5, 1000), (0.03, 0.8, 250), (0.05, 0.5, 20000)]:
        n0 = z * z * p * (1 - p) / margin ** 2
        n = n0 if population is None else n0 / (1 + (n0 - 1) / population)
        ministry = None if population is None else int(np.ceil(population / (1 + population * margin ** 2) - 1e-9))
        out.append({"margin": margin, "p": p, "population": population, "cochran": int(np.ceil(n - 1e-9)), "ministry": ministry})
    return out


def finite(value):
    """JSON has no NaN: an undefined number (no interval) is null."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def main():
    rng = np.random.default_rng(20261126)
    sets = []
    # 1. Unweighted, three elements (the third a provincial addition kept out
    #    of the overall), one item never answered (a composite with missing items).
    scores = make_scores(rng, 60, 7)
    scores[:, 4] = np.where(rng.random(60) < 0.5, NA, 0)
    sets.append(dataset("unweighted", scores, [0, 0, 0, 1, 1, 2, 2], [True, True, False]))
    # 2. Volume-weighted, stratified by service point, with finite population correction.
    strata = np.repeat([0, 1, 2], [25, 12, 8])
    scores = np.vstack([make_scores(rng, 25, 5, bias=0.2), make_scores(rng, 12, 5, bias=-0.3), make_scores(rng, 8, 5, bias=0.0)])
    totals = [400.0, 60.0, 20.0]
    weights = np.array([totals[h] / (strata == h).sum() for h in strata])
    sets.append(dataset("stratified_fpc", scores, [0, 0, 1, 1, 1], [True, True], weights, strata, totals))
    # 3. Edge cases.
    sets.append(dataset("all_satisfied", np.array([[5, 4], [4, 4], [5, 5], [4, 5], [5, 4], [4, 4]]), [0, 0], [True]))
    sets.append(dataset("none_satisfied", np.array([[1, 2], [3, 3], [2, 1], [1, 1], [3, 2], [2, 3]]), [0, 0], [True]))
    sets.append(dataset("one_respondent", np.array([[5, 2, 4]]), [0, 0, 0], [True]))
    strata = np.array([0, 0, 0, 0, 1, 2, 2, 2])
    sets.append(dataset("stratum_of_one", np.array([[5, 4], [2, 3], [4, 4], [5, 1], [4, 5], [3, 3], [4, 2], [5, 5]]), [0, 0], [True],
                        np.array([10.0, 10, 10, 10, 5, 30 / 3, 30 / 3, 30 / 3]) * np.array([1, 1, 1, 1, 1, 1, 1, 1]), strata, [40.0, 5.0, 30.0]))
    # Items that are not ratings, drawn after every other data set so the
    # values above do not change: for the unweighted and the stratified set.
    for index in (0, 1):
        design = sets[index]
        sets[index]["other_items"] = other_items(
            rng, np.array(design["weights"]), np.array(design["strata"]), design["totals"], design["weighted"])
    json.dump(finite({
        "level": LEVEL,
        "wilson": wilson_cases(),
        "datasets": sets,
        "comparisons": comparisons(),
        "sample_sizes": sample_sizes(),
    }), sys.stdout, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
