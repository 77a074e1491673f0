//! Order statistics shared by reports and plots. Quantiles interpolate linearly between order
//! statistics (NumPy's default, "type 7"), so numbers can be checked by hand.

/// Minimum, quartiles and maximum of a sample.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Quartiles {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl Quartiles {
    /// `None` for an empty sample; NaNs are ignored.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut xs: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if xs.is_empty() {
            return None;
        }
        xs.sort_by(f64::total_cmp);
        Some(Quartiles {
            n: xs.len(),
            min: xs[0],
            q1: quantile_sorted(&xs, 0.25),
            median: quantile_sorted(&xs, 0.5),
            q3: quantile_sorted(&xs, 0.75),
            max: xs[xs.len() - 1],
        })
    }

    pub fn iqr(&self) -> f64 {
        self.q3 - self.q1
    }
}

/// The `q`-quantile of sorted, non-empty `xs`.
pub fn quantile_sorted(xs: &[f64], q: f64) -> f64 {
    let pos = q * (xs.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    if lo == hi {
        xs[lo]
    } else {
        xs[lo] + (xs[hi] - xs[lo]) * frac
    }
}

/// The median of a sample (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    Quartiles::of(values).map_or(f64::NAN, |q| q.median)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_type7_quartiles() {
        let q = Quartiles::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (q.min, q.q1, q.median, q.q3, q.max),
            (1.0, 1.75, 2.5, 3.25, 4.0)
        );
        assert_eq!(Quartiles::of(&[7.0]).unwrap().iqr(), 0.0);
        assert!(Quartiles::of(&[f64::NAN]).is_none());
    }
}
