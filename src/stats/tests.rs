//! Checks against `reference/reference.json`, produced by statsmodels,
//! samplics and NumPy in `reference/make_reference.py` (not by this code).

use serde_json::Value;

use super::*;

const REFERENCE: &str = include_str!("reference/reference.json");
const ESTIMATE_TOLERANCE: f64 = 1e-9;
const BOUND_TOLERANCE: f64 = 1e-6;

fn reference() -> Value {
    serde_json::from_str(REFERENCE).unwrap()
}

fn close(actual: Option<f64>, expected: &Value, tolerance: f64, what: &str) {
    match expected.as_f64().filter(|v| v.is_finite()) {
        Some(expected) => {
            let actual = actual.unwrap_or_else(|| panic!("{what}: expected {expected}, got none"));
            assert!(
                (actual - expected).abs() <= tolerance,
                "{what}: expected {expected}, got {actual}"
            );
        }
        None => assert!(actual.is_none(), "{what}: expected none, got {actual:?}"),
    }
}

fn check_interval(estimate: &Estimate, expected: &Value, what: &str) {
    close(
        estimate.estimate,
        &expected["index"],
        ESTIMATE_TOLERANCE,
        &format!("{what} estimate"),
    );
    close(
        estimate.se,
        &expected["se"],
        ESTIMATE_TOLERANCE,
        &format!("{what} se"),
    );
    close(
        estimate.ci_low,
        &expected["ci"][0],
        BOUND_TOLERANCE,
        &format!("{what} ci_low"),
    );
    close(
        estimate.ci_high,
        &expected["ci"][1],
        BOUND_TOLERANCE,
        &format!("{what} ci_high"),
    );
    if let Some(n) = expected["n"].as_u64() {
        assert_eq!(estimate.n as u64, n, "{what} n");
    }
}

/// Everything shown, nothing suppressed, so every number can be compared.
const SHOW_ALL: StatsConfig = StatsConfig {
    level: 0.95,
    min_cell: 0,
    min_reliable: 0,
};

fn sample_of(set: &Value) -> (Sample, Layout) {
    let items = set["items"].as_u64().unwrap() as usize;
    let scores: Vec<u8> = set["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u8)
        .collect();
    let weights: Vec<f64> = set["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let strata: Vec<usize> = set["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let strata_count = strata.iter().max().map_or(1, |h| h + 1);
    let stratum_totals: Vec<Option<f64>> = match set["totals"].as_array() {
        Some(totals) => totals.iter().map(Value::as_f64).collect(),
        None => vec![None; strata_count],
    };
    // The reference designs weight every respondent of a stratum alike.
    let mut stratum_weights = vec![f64::NAN; strata_count];
    for (r, &h) in strata.iter().enumerate() {
        assert!(
            stratum_weights[h].is_nan() || stratum_weights[h] == weights[r],
            "weights vary within a stratum"
        );
        stratum_weights[h] = weights[r];
    }
    let sample = Sample {
        items,
        scores,
        strata,
        stratum_weights,
        stratum_totals,
        weighted: set["weighted"].as_bool().unwrap(),
    };
    let layout = Layout::likert(
        set["item_element"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect(),
        set["in_overall"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect(),
        IndexRule::MeanOfElements,
    );
    (sample, layout)
}

#[test]
fn wilson_matches_statsmodels() {
    let reference = reference();
    let z = normal_quantile(0.975);
    let cases = reference["wilson"].as_array().unwrap();
    assert_eq!(cases.len(), 7, "the reference file holds every Wilson case");
    for case in cases {
        let n = case["n"].as_f64().unwrap();
        let p = case["count"].as_f64().unwrap() / n;
        let (low, high) = wilson(p, n, z);
        assert!(
            low <= p + 1e-12 && p <= high + 1e-12,
            "the interval contains the estimate: {case}"
        );
        close(
            Some(low),
            &case["low"],
            BOUND_TOLERANCE,
            &format!("wilson {case}"),
        );
        close(
            Some(high),
            &case["high"],
            BOUND_TOLERANCE,
            &format!("wilson {case}"),
        );
    }
}

/// `{"estimate", "se", "n", "ci"}` as the reference writes means and shares.
fn check_estimate(estimate: &Estimate, expected: &Value, what: &str) {
    let mut renamed = expected.clone();
    renamed["index"] = expected["estimate"].clone();
    check_interval(estimate, &renamed, what);
}

/// Sums of a single choice (`choice[r]`: the option chosen, −1 none) as
/// the item 0 that is not a rating, and of a percent as item 1.
fn other_sums_of(
    sample: &Sample,
    choice: &[i64],
    options: usize,
    values: &[Option<f64>],
) -> Vec<sums::CellSums> {
    let shape = sums::Shape::new(
        Layout::likert(vec![0; sample.items], vec![true], IndexRule::MeanOfItems),
        vec![options, 0],
    );
    let mut per_stratum = sums_of(sample, &shape);
    for (r, &h) in sample.strata.iter().enumerate() {
        let others = &mut per_stratum[h].others;
        let answered = choice[r] >= 0;
        others[0].answered += u64::from(answered);
        for (o, option) in others[0].options.iter_mut().enumerate() {
            let chose = answered && choice[r] == o as i64;
            option.add(f64::from(u8::from(chose)), f64::from(u8::from(answered)));
        }
        others[1].answered += u64::from(values[r].is_some());
        others[1].value.add(
            values[r].unwrap_or(0.0),
            f64::from(u8::from(values[r].is_some())),
        );
    }
    per_stratum
}

#[test]
fn mean_scores_over_sections_match_samplics() {
    let reference = reference();
    for set in reference["datasets"].as_array().unwrap() {
        let name = set["name"].as_str().unwrap();
        let (sample, _) = sample_of(set);
        for (g, expected) in set["expected"]["mean_scores_over"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            if expected.is_null() {
                continue;
            }
            let items: Vec<usize> = expected["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_u64().unwrap() as usize)
                .collect();
            let estimate = mean_score_over(&sample, &items, &[], &SHOW_ALL);
            assert_eq!(estimate.method, Method::T);
            check_estimate(
                &estimate,
                expected,
                &format!("{name} mean score over group {g}"),
            );
            // The same group as the one element of a layout, through sums.
            let mut item_element = vec![1; sample.items];
            for &k in &items {
                item_element[k] = 0;
            }
            let shape = sums::Shape::new(
                Layout::likert(item_element, vec![true, false], IndexRule::MeanOfElements),
                Vec::new(),
            );
            check_estimate(
                &sums::mean_score(&sums_of(&sample, &shape), 0, &strata_of(&sample), &SHOW_ALL),
                expected,
                &format!("{name} mean score over group {g} (sums)"),
            );
        }
    }
}

#[test]
fn choice_shares_and_percent_means_match_samplics() {
    let reference = reference();
    let mut checked = 0;
    for set in reference["datasets"].as_array().unwrap() {
        let Some(other) = set.get("other_items") else {
            continue;
        };
        let name = set["name"].as_str().unwrap();
        let (sample, _) = sample_of(set);
        let choice: Vec<i64> = other["choice"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_i64().unwrap())
            .collect();
        let answered: Vec<bool> = choice.iter().map(|&c| c >= 0).collect();
        let values: Vec<Option<f64>> = other["percent"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::as_f64)
            .collect();
        let options = other["shares"].as_array().unwrap().len();
        let through_sums = other_sums_of(&sample, &choice, options, &values);
        for (option, expected) in other["shares"].as_array().unwrap().iter().enumerate() {
            let chose: Vec<bool> = choice.iter().map(|&c| c == option as i64).collect();
            let share = choice_share(&sample, &answered, &chose, &SHOW_ALL);
            let method = if sample.weighted {
                Method::Logit
            } else {
                Method::Wilson
            };
            assert_eq!(share.method, method, "{name} option {option}");
            check_estimate(&share, expected, &format!("{name} option {option}"));
            check_estimate(
                &sums::option_share(&through_sums, 0, option, &strata_of(&sample), &SHOW_ALL),
                expected,
                &format!("{name} option {option} (sums)"),
            );
        }
        let mean = numeric_mean(&sample, &values, &SHOW_ALL);
        check_estimate(&mean, &other["mean"], &format!("{name} percent mean"));
        check_estimate(
            &sums::value_mean(&through_sums, 1, &strata_of(&sample), &SHOW_ALL),
            &other["mean"],
            &format!("{name} percent mean (sums)"),
        );
        checked += 1;
    }
    assert_eq!(checked, 2, "the unweighted and the stratified data set");
}

/// The strata of a sample, as the sums path takes them.
fn strata_of(sample: &Sample) -> sums::Strata {
    sums::Strata {
        weights: sample.stratum_weights.clone(),
        totals: sample.stratum_totals.clone(),
        weighted: sample.weighted,
    }
}

/// Each stratum's rows of `sample` added up into sums.
fn sums_of(sample: &Sample, shape: &sums::Shape) -> Vec<sums::CellSums> {
    let mut per_stratum = vec![sums::CellSums::new(shape); sample.strata_count()];
    for (r, row) in sample
        .scores
        .chunks(sample.items.max(1))
        .take(sample.respondents())
        .enumerate()
    {
        per_stratum[sample.strata[r]].add(row, shape);
    }
    per_stratum
}

/// Every estimate of a cell through per-stratum sums.
fn estimate_cell_through_sums(
    sample: &Sample,
    layout: &Layout,
    config: &StatsConfig,
) -> CellEstimates {
    let shape = sums::Shape::new(layout.clone(), Vec::new());
    sums::estimate_cell(&sums_of(sample, &shape), &strata_of(sample), layout, config)
}

/// A path to a cell's estimates.
type Estimator = fn(&Sample, &Layout, &StatsConfig) -> CellEstimates;

/// The two paths to a cell's estimates: from the rows, and from sums.
const ESTIMATORS: [(&str, Estimator); 2] = [
    ("rows", estimate_cell),
    ("sums", estimate_cell_through_sums),
];

#[test]
fn every_estimate_of_every_reference_data_set_matches() {
    for (path, estimate) in ESTIMATORS {
        assert_eq!(
            every_estimate_matches_the_reference(path, estimate),
            [
                "unweighted",
                "stratified_fpc",
                "all_satisfied",
                "none_satisfied",
                "one_respondent",
                "stratum_of_one"
            ],
            "the data sets checked through {path}"
        );
    }
}

/// Checks every estimate of every reference data set through `estimate`;
/// returns the names of the data sets checked.
fn every_estimate_matches_the_reference(path: &str, estimate: Estimator) -> Vec<String> {
    let reference = reference();
    let mut checked = Vec::new();
    for set in reference["datasets"].as_array().unwrap() {
        checked.push(set["name"].as_str().unwrap().to_string());
        let name = format!("{} ({path})", set["name"].as_str().unwrap());
        let expected = &set["expected"];
        let (sample, mut layout) = sample_of(set);
        let cell = estimate(&sample, &layout, &SHOW_ALL);

        for (k, item_expected) in expected["items"].as_array().unwrap().iter().enumerate() {
            let element = layout.item_element[k];
            let item = cell.elements[element]
                .items
                .iter()
                .find(|i| i.item == k)
                .unwrap();
            let what = format!("{name} item {k}");
            if item_expected.get("index").is_none() {
                assert!(
                    item.index.estimate.is_none(),
                    "{what}: no valid answer, no estimate"
                );
                assert!(item.index.flags.contains(&Flag::NoValidAnswers), "{what}");
                continue;
            }
            check_interval(&item.index, item_expected, &what);
            let expected_method = if sample.weighted {
                Method::Logit
            } else {
                Method::Wilson
            };
            let at_bound = matches!(item.index.estimate, Some(p) if p == 0.0 || p == 1.0);
            if !at_bound && item.index.se != Some(0.0) {
                assert_eq!(item.index.method, expected_method, "{what}");
            }
            let mean = &item_expected["mean"];
            close(
                item.mean_score.estimate,
                &mean["estimate"],
                ESTIMATE_TOLERANCE,
                &format!("{what} mean"),
            );
            close(
                item.mean_score.se,
                &mean["se"],
                ESTIMATE_TOLERANCE,
                &format!("{what} mean se"),
            );
            close(
                item.mean_score.ci_low,
                &mean["ci"][0],
                BOUND_TOLERANCE,
                &format!("{what} mean ci_low"),
            );
            close(
                item.mean_score.ci_high,
                &mean["ci"][1],
                BOUND_TOLERANCE,
                &format!("{what} mean ci_high"),
            );
            let distribution = serde_json::to_value(item.distribution.as_ref().unwrap()).unwrap();
            assert_eq!(
                distribution, item_expected["distribution"],
                "{what} distribution"
            );
        }
        for (e, element_expected) in expected["elements"].as_array().unwrap().iter().enumerate() {
            let what = format!("{name} element {e}");
            if element_expected.get("index").is_some() {
                check_interval(&cell.elements[e].index, element_expected, &what);
            }
            close(
                cell.elements[e].alpha.value,
                &element_expected["alpha"]["value"],
                ESTIMATE_TOLERANCE,
                &format!("{what} alpha"),
            );
            assert_eq!(
                cell.elements[e].alpha.n as u64,
                element_expected["alpha"]["n"].as_u64().unwrap(),
                "{what} alpha n"
            );
        }
        check_interval(
            &cell.overall,
            &expected["overall_mean_of_elements"],
            &format!("{name} overall (mean of elements)"),
        );
        check_interval(&cell.pooled, &expected["pooled"], &format!("{name} pooled"));
        check_interval(
            &cell.comprehensive,
            &expected["comprehensive"],
            &format!("{name} comprehensive"),
        );

        layout.rule = IndexRule::MeanOfItems;
        check_interval(
            &estimate(&sample, &layout, &SHOW_ALL).overall,
            &expected["overall_mean_of_items"],
            &format!("{name} overall (mean of items)"),
        );
        layout.rule = IndexRule::Pooled;
        check_interval(
            &estimate(&sample, &layout, &SHOW_ALL).overall,
            &expected["pooled"],
            &format!("{name} overall (pooled)"),
        );
    }
    checked
}

#[test]
fn edge_cases_fall_back_and_flag_as_specified() {
    let reference = reference();
    let set = |name: &str| {
        reference["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    let (all, layout) = sample_of(&set("all_satisfied"));
    let overall = overall_index(&all, &layout, &SHOW_ALL);
    assert_eq!(overall.estimate, Some(1.0));
    assert_eq!(
        overall.method,
        Method::Wilson,
        "at 1 the logit interval falls back to Wilson"
    );

    let (one, layout) = sample_of(&set("one_respondent"));
    let mean = mean_score(&one, 0, &SHOW_ALL);
    assert_eq!(mean.estimate, Some(5.0));
    assert_eq!(
        (mean.ci_low, mean.ci_high),
        (None, None),
        "no t interval with zero degrees of freedom"
    );
    let overall = overall_index(&one, &layout, &StatsConfig::default());
    assert!(overall.suppressed, "one respondent is below min_cell");
    assert_eq!(overall.estimate, None);
    assert_eq!(overall.n, 1);

    let (strata, layout) = sample_of(&set("stratum_of_one"));
    let overall = overall_index(&strata, &layout, &SHOW_ALL);
    assert!(overall.flags.contains(&Flag::SingleRespondentStratum));
}

#[test]
fn suppression_and_reliability_thresholds() {
    // 4 respondents: under min_cell 5, so nothing is shown.
    let sample = Sample::unweighted(1, vec![5, 4, 2, 1]);
    let config = StatsConfig::default();
    let estimate = item_index(&sample, 0, &config);
    assert!(estimate.suppressed);
    assert_eq!(
        (
            estimate.estimate,
            estimate.se,
            estimate.ci_low,
            estimate.ci_high
        ),
        (None, None, None, None)
    );
    assert_eq!(estimate.n, 4);
    // 5 respondents: shown, but flagged as low reliability (under 30).
    let sample = Sample::unweighted(1, vec![5, 4, 2, 1, 4]);
    let estimate = item_index(&sample, 0, &config);
    assert!(!estimate.suppressed);
    assert_eq!(estimate.estimate, Some(0.6));
    assert_eq!(estimate.flags, vec![Flag::LowReliability]);
    // Not-applicable answers do not count towards the cell size.
    let sample = Sample::unweighted(1, vec![5, 4, 2, 1, NOT_APPLICABLE, NOT_APPLICABLE]);
    assert!(item_index(&sample, 0, &config).suppressed);
    let sample = Sample::unweighted(1, vec![NOT_APPLICABLE; 40]);
    let estimate = item_index(&sample, 0, &config);
    assert!(estimate.suppressed && estimate.flags.contains(&Flag::NoValidAnswers));
}

#[test]
fn comparisons_match_the_normal_test() {
    let reference = reference();
    for case in reference["comparisons"].as_array().unwrap() {
        let estimate = |pair: &Value| Estimate {
            estimate: pair[0].as_f64(),
            se: pair[1].as_f64().map(f64::sqrt),
            ci_low: None,
            ci_high: None,
            n: 100,
            method: Method::Logit,
            n_eff: None,
            deff: None,
            flags: Vec::new(),
            suppressed: false,
        };
        let comparison = compare(
            &estimate(&case["earlier"]),
            &estimate(&case["later"]),
            &StatsConfig::default(),
        );
        close(
            comparison.difference,
            &case["difference"],
            ESTIMATE_TOLERANCE,
            "difference",
        );
        close(comparison.se, &case["se"], ESTIMATE_TOLERANCE, "se");
        close(comparison.z, &case["z"], ESTIMATE_TOLERANCE, "z");
        close(comparison.p, &case["p"], BOUND_TOLERANCE, "p");
        assert_eq!(
            comparison.significant,
            case["significant"].as_bool().unwrap(),
            "{case}"
        );
    }
}

#[test]
fn required_sample_sizes_match_both_formulas() {
    let reference = reference();
    for case in reference["sample_sizes"].as_array().unwrap() {
        let size = required_sample(
            case["margin"].as_f64().unwrap(),
            0.95,
            case["p"].as_f64().unwrap(),
            case["population"].as_f64(),
        );
        assert_eq!(size.cochran, case["cochran"].as_u64().unwrap(), "{case}");
        assert_eq!(size.ministry, case["ministry"].as_u64(), "{case}");
    }
    // By hand: z = 1.959964, n0 = 384.146 -> 385; N = 1000: 277.7 -> 278; ministry 1000/3.5 = 285.7 -> 286.
    assert_eq!(required_sample(0.05, 0.95, 0.5, None).cochran, 385);
    assert_eq!(
        required_sample(0.05, 0.95, 0.5, Some(1000.0)),
        SampleSize {
            cochran: 278,
            ministry: Some(286)
        }
    );
}

#[test]
fn unweighted_item_by_hand() {
    // 8 answers, 6 satisfied, 2 not applicable: P = 0.75 over n_k = 8 among
    // 10 respondents. V = 10/9 · P(1−P)/n_k = 10/9 · 0.1875/8.
    let sample = Sample::unweighted(
        1,
        vec![5, 4, 4, 5, 4, 5, 2, 1, NOT_APPLICABLE, NOT_APPLICABLE],
    );
    let estimate = item_index(&sample, 0, &SHOW_ALL);
    assert_eq!(estimate.estimate, Some(0.75));
    assert!((estimate.se.unwrap() - (10.0 / 9.0 * 0.1875 / 8.0f64).sqrt()).abs() < 1e-12);
    assert_eq!(estimate.n, 8);
    assert_eq!(estimate.method, Method::Wilson);
}

/// A scale of its own (three points, 0–2, satisfied from 1 point) gives
/// what the 1–5 estimators, checked against samplics above, give on the
/// same answers recoded: every index depends only on satisfied or not, and
/// a mean in points is the mean of scale positions shifted by the offset.
#[test]
fn a_scale_of_its_own_matches_the_same_answers_recoded() {
    // Scale positions 1..=3 (0, 1, 2 points), 0 skipped, NOT_APPLICABLE.
    let positions: Vec<u8> = vec![
        3,
        2,
        1,
        3,
        2,
        2,
        3,
        3,
        1,
        1,
        2,
        3,
        0,
        2,
        NOT_APPLICABLE,
        3,
        1,
        2,
        3,
        3,
        2,
        2,
        1,
        3,
    ];
    let items = 2;
    let satisfied = |s: u8| (2..=3).contains(&s);
    let recoded: Vec<u8> = positions
        .iter()
        .map(|&s| match s {
            0 | NOT_APPLICABLE => s,
            s if satisfied(s) => 5,
            _ => 1,
        })
        .collect();
    let own = Layout {
        satisfied_from: vec![2, 2],
        points_offset: vec![-1.0, -1.0],
        ..Layout::likert(vec![0, 0], vec![true], IndexRule::MeanOfElements)
    };
    let plain = Layout::likert(vec![0, 0], vec![true], IndexRule::MeanOfElements);
    let on_own_scale = estimate_cell(
        &Sample::unweighted(items, positions.clone()),
        &own,
        &SHOW_ALL,
    );
    let recoded_cell = estimate_cell(&Sample::unweighted(items, recoded), &plain, &SHOW_ALL);
    let as_positions = estimate_cell(
        &Sample::unweighted(items, positions.clone()),
        &plain,
        &SHOW_ALL,
    );
    assert_eq!(on_own_scale.overall, recoded_cell.overall);
    assert_eq!(on_own_scale.pooled, recoded_cell.pooled);
    assert_eq!(on_own_scale.comprehensive, recoded_cell.comprehensive);
    for k in 0..items {
        let (own_item, recoded_item, position_item) = (
            &on_own_scale.elements[0].items[k],
            &recoded_cell.elements[0].items[k],
            &as_positions.elements[0].items[k],
        );
        assert_eq!(own_item.index, recoded_item.index, "item {k}");
        let own_mean = own_item.mean_score.estimate.unwrap();
        let position_mean = position_item.mean_score.estimate.unwrap();
        assert!(
            (own_mean - (position_mean - 1.0)).abs() < 1e-12,
            "item {k} mean in points"
        );
        assert!(
            (own_item.mean_score.se.unwrap() - position_item.mean_score.se.unwrap()).abs() < 1e-12
        );
        // By hand: the mean of the points of the valid answers.
        let points: Vec<f64> = positions
            .chunks(items)
            .map(|row| row[k])
            .filter(|s| (1..=3).contains(s))
            .map(|s| f64::from(s) - 1.0)
            .collect();
        let by_hand = points.iter().sum::<f64>() / points.len() as f64;
        assert!((own_mean - by_hand).abs() < 1e-12);
    }
    let over_both = mean_score_over(
        &Sample::unweighted(items, positions),
        &[0, 1],
        &own.points_offset,
        &SHOW_ALL,
    );
    let all_points: Vec<f64> = [
        3u8, 2, 1, 3, 2, 2, 3, 3, 1, 1, 2, 3, 2, 3, 1, 2, 3, 3, 2, 2, 1, 3,
    ]
    .iter()
    .map(|&s| f64::from(s) - 1.0)
    .collect();
    assert!(
        (over_both.estimate.unwrap() - all_points.iter().sum::<f64>() / all_points.len() as f64)
            .abs()
            < 1e-12
    );
}

/// Whether two estimates agree: the same flags, method, size and
/// suppression, every number within 1e-9 (relative above 1).
fn assert_same_estimate(a: &Estimate, b: &Estimate, what: &str) {
    let close = |x: Option<f64>, y: Option<f64>, field: &str| match (x, y) {
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            "{what} {field}: {x} from rows, {y} from sums"
        ),
        (x, y) => assert_eq!(
            x.is_some(),
            y.is_some(),
            "{what} {field}: {x:?} against {y:?}"
        ),
    };
    close(a.estimate, b.estimate, "estimate");
    close(a.se, b.se, "se");
    close(a.ci_low, b.ci_low, "ci_low");
    close(a.ci_high, b.ci_high, "ci_high");
    close(a.n_eff, b.n_eff, "n_eff");
    close(a.deff, b.deff, "deff");
    assert_eq!(
        (a.n, a.method, &a.flags, a.suppressed),
        (b.n, b.method, &b.flags, b.suppressed),
        "{what}"
    );
}

/// Random cells — items on scales of their own, elements in and out of the
/// overall index, every rule, strata empty, of one and of many, weighted or
/// not, with and without population totals, skipped and "not applicable"
/// answers, a choice and a percent item — give the same estimates from
/// their rows as from their strata's sums.
#[test]
fn sums_give_what_rows_give_on_random_cells() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261127);
    for case in 0..300 {
        let items = rng.random_range(1..=9);
        let elements = rng.random_range(1..=4);
        let mut layout = Layout::likert(
            (0..items).map(|_| rng.random_range(0..elements)).collect(),
            (0..elements).map(|_| rng.random_bool(0.8)).collect(),
            [
                IndexRule::MeanOfElements,
                IndexRule::MeanOfItems,
                IndexRule::Pooled,
            ][rng.random_range(0..3)],
        );
        layout.satisfied_from = (0..items).map(|_| rng.random_range(2..=5)).collect();
        layout.points_offset = (0..items)
            .map(|_| f64::from(rng.random_range(-1i8..=0)))
            .collect();
        let strata = rng.random_range(1..=5);
        let weighted = rng.random_bool(0.5);
        let respondents = [0, 1, 2, 7, 40, 150][rng.random_range(0..6)];
        let skipped = rng.random_range(0.0..0.5);
        let mut scores = Vec::with_capacity(respondents * items);
        for _ in 0..respondents * items {
            scores.push(if rng.random_bool(skipped) {
                [0, NOT_APPLICABLE][rng.random_range(0..2)]
            } else {
                rng.random_range(1..=5)
            });
        }
        let stratum: Vec<usize> = (0..respondents)
            .map(|_| rng.random_range(0..strata))
            .collect();
        let sample = Sample {
            items,
            scores,
            strata: stratum.clone(),
            stratum_weights: (0..strata)
                .map(|_| {
                    if weighted {
                        rng.random_range(0.5..40.0)
                    } else {
                        1.0
                    }
                })
                .collect(),
            stratum_totals: (0..strata)
                .map(|h| {
                    let n_h = stratum.iter().filter(|&&s| s == h).count() as f64;
                    rng.random_bool(0.5)
                        .then(|| n_h + f64::from(rng.random_range(0..50)))
                })
                .collect(),
            weighted,
        };
        let config = if rng.random_bool(0.5) {
            SHOW_ALL
        } else {
            StatsConfig::default()
        };
        let what = format!("case {case}");
        let rows = estimate_cell(&sample, &layout, &config);
        let options = 3;
        let choice: Vec<i64> = (0..respondents)
            .map(|_| rng.random_range(-1..options as i64))
            .collect();
        let values: Vec<Option<f64>> = (0..respondents)
            .map(|_| rng.random_bool(0.7).then(|| rng.random_range(0.0..100.0)))
            .collect();
        let mut through = other_sums_of(&sample, &choice, options, &values);
        // The choice and percent sums came with a flat layout; the cell's own
        // layout is what the composites are checked on.
        let shape = sums::Shape::new(layout.clone(), vec![options, 0]);
        for (h, mut cell) in sums_of(&sample, &shape).into_iter().enumerate() {
            cell.others = std::mem::take(&mut through[h].others);
            through[h] = cell;
        }
        let strata_of_sample = strata_of(&sample);
        let from_sums = sums::estimate_cell(&through, &strata_of_sample, &layout, &config);
        assert_eq!(rows.respondents, from_sums.respondents, "{what}");
        assert_same_estimate(
            &rows.overall,
            &from_sums.overall,
            &format!("{what} overall"),
        );
        assert_same_estimate(&rows.pooled, &from_sums.pooled, &format!("{what} pooled"));
        assert_same_estimate(
            &rows.comprehensive,
            &from_sums.comprehensive,
            &format!("{what} comprehensive"),
        );
        for (e, (a, b)) in rows.elements.iter().zip(&from_sums.elements).enumerate() {
            let what = format!("{what} element {e}");
            assert_same_estimate(&a.index, &b.index, &what);
            assert_eq!(a.alpha.n, b.alpha.n, "{what} alpha n");
            match (a.alpha.value, b.alpha.value) {
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{what} alpha"),
                (x, y) => assert_eq!(x, y, "{what} alpha"),
            }
            for (x, y) in a.items.iter().zip(&b.items) {
                let what = format!("{what} item {}", x.item);
                assert_eq!(x.item, y.item, "{what}");
                assert_same_estimate(&x.index, &y.index, &what);
                assert_same_estimate(&x.mean_score, &y.mean_score, &format!("{what} mean"));
                assert_eq!(x.distribution, y.distribution, "{what} distribution");
            }
            let members: Vec<usize> = (0..items)
                .filter(|&k| layout.item_element[k] == e)
                .collect();
            assert_same_estimate(
                &mean_score_over(&sample, &members, &layout.points_offset, &config),
                &sums::mean_score(&through, e, &strata_of_sample, &config),
                &format!("{what} mean score"),
            );
        }
        let overall_items: Vec<usize> = (0..items)
            .filter(|&k| layout.elements_in_overall[layout.item_element[k]])
            .collect();
        assert_same_estimate(
            &mean_score_over(&sample, &overall_items, &layout.points_offset, &config),
            &sums::mean_score(&through, elements, &strata_of_sample, &config),
            &format!("{what} overall mean score"),
        );
        let answered: Vec<bool> = choice.iter().map(|&c| c >= 0).collect();
        for o in 0..options {
            let chose: Vec<bool> = choice.iter().map(|&c| c == o as i64).collect();
            assert_same_estimate(
                &choice_share(&sample, &answered, &chose, &config),
                &sums::option_share(&through, 0, o, &strata_of_sample, &config),
                &format!("{what} option {o}"),
            );
        }
        assert_same_estimate(
            &numeric_mean(&sample, &values, &config),
            &sums::value_mean(&through, 1, &strata_of_sample, &config),
            &format!("{what} percent mean"),
        );
    }
}
