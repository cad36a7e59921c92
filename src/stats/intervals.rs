//! Distribution quantiles (statrs) and the Wilson score interval.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal is valid")
}

/// Φ⁻¹(p).
pub fn normal_quantile(p: f64) -> f64 {
    standard_normal().inverse_cdf(p)
}

/// Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    standard_normal().cdf(x)
}

/// The p-quantile of Student's t with `df` degrees of freedom; None when
/// df < 1 (one respondent, or as many strata as respondents).
pub fn t_quantile(p: f64, df: f64) -> Option<f64> {
    if df < 1.0 {
        return None;
    }
    StudentsT::new(0.0, 1.0, df).ok().map(|t| t.inverse_cdf(p))
}

/// Wilson score interval for proportion `p` from `n` answers:
/// centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n) · √(p(1−p)/n + z²/4n²).
pub fn wilson(p: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}
