//! Seeded shuffles on a bare `RngCore`: the bounded draw is ours, not `rand`'s (whose
//! algorithms have changed between versions), so a stored seed keeps giving the same paper.
use rand_core::RngCore;

/// A uniform index below `n` (0 when `n` is 0 or 1), by rejection so there is no modulo bias.
pub(super) fn below(rng: &mut impl RngCore, n: usize) -> usize {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    if n <= 1 {
        return 0;
    }
    // Accept only below the largest multiple of n that fits, so every residue is equally likely.
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return usize::try_from(x % n).unwrap_or(0);
        }
    }
}

/// Fisher–Yates.
pub(super) fn shuffle<T>(rng: &mut impl RngCore, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = below(rng, i + 1);
        v.swap(i, j);
    }
}

/// The choice ids with the unfixed ones shuffled among their own positions; fixed ones (e.g.
/// "以上都对") keep the place they have in the stored order.
pub(super) fn shuffle_unfixed(rng: &mut impl RngCore, choices: &[(String, bool)]) -> Vec<String> {
    let free: Vec<usize> = choices.iter().enumerate().filter(|(_, c)| !c.1).map(|(i, _)| i).collect();
    let mut ids: Vec<String> = free.iter().filter_map(|&i| choices.get(i).map(|c| c.0.clone())).collect();
    shuffle(rng, &mut ids);
    let mut out: Vec<String> = choices.iter().map(|c| c.0.clone()).collect();
    for (slot, id) in free.into_iter().zip(ids) {
        if let Some(s) = out.get_mut(slot) {
            *s = id;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    use super::*;

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut seen = [0u32; 6];
        for _ in 0..6000 {
            let i = below(&mut rng, 6);
            seen[i] += 1;
        }
        // Each of 6 values about 1000 times.
        assert!(seen.iter().all(|n| (800..1200).contains(n)), "{seen:?}");
        assert_eq!(below(&mut rng, 0), 0);
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn fixed_choices_keep_their_place() {
        let choices: Vec<(String, bool)> =
            [("A", false), ("B", true), ("C", false), ("D", false), ("E", true)].iter().map(|(i, f)| (i.to_string(), *f)).collect();
        let mut orders = std::collections::HashSet::new();
        for seed in 0..50 {
            let order = shuffle_unfixed(&mut ChaCha8Rng::seed_from_u64(seed), &choices);
            assert_eq!(order[1], "B");
            assert_eq!(order[4], "E");
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, ["A", "B", "C", "D", "E"]);
            orders.insert(order);
        }
        // The 3 free options take all 3! = 6 orders over 50 seeds.
        assert_eq!(orders.len(), 6);
    }
}
