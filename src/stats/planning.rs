//! Planning figures: required sample sizes and internal consistency.

use serde::Serialize;

use super::Sample;

/// Required sample for margin `e` at level `level`, expected proportion `p`,
/// population `population` (None = infinite).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SampleSize {
    /// n₀ = z² p(1−p)/e², corrected n = n₀/(1 + (n₀ − 1)/N), rounded up.
    pub cochran: u64,
    /// The ministry's simplified n = N/(1 + N e²), rounded up (None without N).
    pub ministry: Option<u64>,
}

pub fn required_sample(margin: f64, level: f64, p: f64, population: Option<f64>) -> SampleSize {
    let z = super::normal_quantile(1.0 - (1.0 - level) / 2.0);
    let n0 = z * z * p * (1.0 - p) / (margin * margin);
    let corrected = match population {
        Some(big_n) if big_n > 0.0 => n0 / (1.0 + (n0 - 1.0) / big_n),
        _ => n0,
    };
    SampleSize {
        cochran: ceil(corrected),
        ministry: population
            .filter(|n| *n > 0.0)
            .map(|big_n| ceil(big_n / (1.0 + big_n * margin * margin))),
    }
}

/// Rounds up, tolerating float noise just above an integer.
fn ceil(x: f64) -> u64 {
    (x - 1e-9).ceil().max(0.0) as u64
}

/// Cronbach's α of an element over respondents who answered all its items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Alpha {
    pub value: Option<f64>,
    pub n: usize,
}

/// α = K/(K−1) · (1 − Σ var_k / var_total), sample variances (n − 1).
pub fn cronbach_alpha(sample: &Sample, items: &[usize]) -> Alpha {
    let complete: Vec<usize> = (0..sample.respondents())
        .filter(|&r| items.iter().all(|&k| sample.valid(r, k)))
        .collect();
    let n = complete.len();
    let k_count = items.len();
    if k_count < 2 || n < 2 {
        return Alpha { value: None, n };
    }
    let variance = |values: &mut dyn Iterator<Item = f64>| {
        let values: Vec<f64> = values.collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() as f64 - 1.0)
    };
    let item_variances: f64 = items
        .iter()
        .map(|&k| variance(&mut complete.iter().map(|&r| f64::from(sample.score(r, k)))))
        .sum();
    let total_variance = variance(
        &mut complete
            .iter()
            .map(|&r| items.iter().map(|&k| f64::from(sample.score(r, k))).sum()),
    );
    let value = (total_variance > 0.0)
        .then(|| k_count as f64 / (k_count as f64 - 1.0) * (1.0 - item_variances / total_variance));
    Alpha { value, n }
}
