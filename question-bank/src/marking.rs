//! Double marking of answers a machine cannot score (short answers): two markers each give
//! points without seeing the other's; when they differ by more than the threshold a third marks,
//! and the final points are the mean of the two closest marks. Pure rules, no storage.
use crate::item::Points;

/// Where one answer's marking stands after the marks given so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkingState {
    /// Fewer marks than needed; this many more are wanted.
    Open { wanted: usize },
    /// Settled: the points the candidate gets.
    Done(Points),
}

/// The largest allowed difference between the two first marks: `threshold_pct` of the
/// question's points (at least one thousandth, so equal marks always agree).
pub fn allowed_difference(max: Points, threshold_pct: u32) -> u32 {
    (u64::from(max.0) * u64::from(threshold_pct.min(100)) / 100) as u32
}

fn mean(a: Points, b: Points) -> Points {
    // Rounded half up to the thousandth.
    Points((u64::from(a.0) + u64::from(b.0)).div_ceil(2) as u32)
}

/// The state after `marks`, in the order they were given (at most three count).
pub fn state(marks: &[Points], max: Points, threshold_pct: u32) -> MarkingState {
    match marks {
        [] => MarkingState::Open { wanted: 2 },
        [_] => MarkingState::Open { wanted: 1 },
        [a, b] => {
            if a.0.abs_diff(b.0) <= allowed_difference(max, threshold_pct) {
                MarkingState::Done(mean(*a, *b))
            } else {
                MarkingState::Open { wanted: 1 }
            }
        }
        [a, b, c, ..] => {
            // The closest pair; on a tie the pair with the third mark, which was given knowing
            // that the first two disagreed.
            let pairs = [(c, a), (c, b), (a, b)];
            let (x, y) = pairs.iter().min_by_key(|(x, y)| x.0.abs_diff(y.0)).map(|(x, y)| (**x, **y)).unwrap_or((*a, *b));
            MarkingState::Done(mean(x, y))
        }
    }
}

/// A mark a marker may give: within 0..=max.
pub fn valid_mark(points: Points, max: Points) -> bool {
    points <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Points = Points(10_000);

    #[test]
    fn two_close_marks_settle_on_their_mean() {
        assert_eq!(state(&[], MAX, 20), MarkingState::Open { wanted: 2 });
        assert_eq!(state(&[Points(6000)], MAX, 20), MarkingState::Open { wanted: 1 });
        assert_eq!(state(&[Points(6000), Points(8000)], MAX, 20), MarkingState::Done(Points(7000)));
        assert_eq!(state(&[Points(6000), Points(6001)], MAX, 0), MarkingState::Open { wanted: 1 });
        assert_eq!(state(&[Points(6000), Points(6000)], MAX, 0), MarkingState::Done(Points(6000)));
        // Half a thousandth rounds up.
        assert_eq!(state(&[Points(1), Points(2)], MAX, 20), MarkingState::Done(Points(2)));
    }

    #[test]
    fn disagreement_beyond_the_threshold_wants_a_third_marker() {
        assert_eq!(state(&[Points(2000), Points(8000)], MAX, 20), MarkingState::Open { wanted: 1 });
        // The third sides with the second: the mean of those two.
        assert_eq!(state(&[Points(2000), Points(8000), Points(7000)], MAX, 20), MarkingState::Done(Points(7500)));
        // The third sides with the first.
        assert_eq!(state(&[Points(2000), Points(8000), Points(3000)], MAX, 20), MarkingState::Done(Points(2500)));
        // Exactly between: the pair with the third mark (first listed) wins the tie.
        assert_eq!(state(&[Points(2000), Points(8000), Points(5000)], MAX, 20), MarkingState::Done(Points(3500)));
    }

    #[test]
    fn threshold_is_a_share_of_the_question_points() {
        assert_eq!(allowed_difference(MAX, 20), 2000);
        assert_eq!(allowed_difference(Points(5000), 10), 500);
        assert_eq!(allowed_difference(MAX, 250), 10_000);
        assert!(valid_mark(MAX, MAX));
        assert!(!valid_mark(Points(10_001), MAX));
    }
}
