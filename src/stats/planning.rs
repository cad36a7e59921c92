//! Planning figures: required sample sizes and internal consistency.

use serde::Serialize;

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

/// Cronbach's α of an element over respondents who answered all its items:
/// α = K/(K−1) · (1 − Σ var_k / var_total), sample variances (n − 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Alpha {
    pub value: Option<f64>,
    pub n: usize,
}
