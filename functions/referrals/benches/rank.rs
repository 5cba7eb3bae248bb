//! Time to rank a customer's 5,000 connections (a large connection list, in one call), and
//! one queue message's part of 400.
//! Run: `cargo bench -p referrals --bench rank -- --warm-up-time 1 --measurement-time 3`.
//!
//! The mix, generated deterministically: 80 % unknown followers (a few mutual connections,
//! now and then an interaction), 15 % known prospects with activity (contributions, intents,
//! a cart now and then, influence), 5 % customers or suppressed contacts (excluded); some
//! suggested recently by other referrers (cooldown, fatigue).

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use referrals::rank::{rank, Candidate, Known, Policy};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::events::{Relation, CONNECTIONS_PER_MESSAGE};

/// SplitMix64: the same candidates on every run and machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn candidates(n: usize, now: DateTime<Utc>) -> Vec<Candidate> {
    let mut rng = Rng(42);
    (0..n)
        .map(|i| {
            let roll = rng.below(100);
            let relation = match rng.below(10) {
                0..=5 => Relation::Follower,
                6..=7 => Relation::Followed,
                8 => Relation::Friend,
                _ => Relation::Fan,
            };
            let mutuals = match rng.below(10) {
                0..=5 => 0,
                6..=8 => 1 + rng.below(3),
                _ => 3 + rng.below(12),
            };
            let mutual_degrees = (0..mutuals).map(|_| 2 + rng.below(2_000) as u32).collect();
            let contact = match roll {
                0..=79 => None,
                80..=94 => Some(Known {
                    contact_id: format!("c_{i:05}"),
                    contact_type: ContactType::Prospect,
                    suppressed: false,
                    opted_out: rng.below(20) == 0,
                    contributions: rng.below(8) as u32,
                    purchase_intents: rng.below(3) as u32,
                    open_cart_at: (rng.below(5) == 0)
                        .then(|| now - TimeDelta::hours(rng.below(24 * 30) as i64)),
                    influence: rng.unit() * 100.0,
                    praises: rng.below(2) as u32,
                }),
                _ => Some(Known {
                    contact_id: format!("c_{i:05}"),
                    contact_type: if roll < 97 {
                        ContactType::Customer
                    } else {
                        ContactType::Prospect
                    },
                    suppressed: roll >= 97,
                    opted_out: false,
                    contributions: rng.below(4) as u32,
                    purchase_intents: 0,
                    open_cart_at: None,
                    influence: rng.unit() * 40.0,
                    praises: 0,
                }),
            };
            let suggested = rng.below(20) == 0;
            Candidate {
                key: format!("instagram#{:016x}", rng.next()),
                handle: Some(format!("@user{i}")),
                name: (rng.below(2) == 0).then(|| format!("User {i}")),
                relation,
                strength: (relation == Relation::Friend).then(|| rng.unit()),
                contact,
                mutual_degrees,
                interactions: if rng.below(8) == 0 {
                    rng.below(20) as u32
                } else {
                    0
                },
                last_suggested_at: suggested.then(|| now - TimeDelta::days(rng.below(90) as i64)),
                recent_referrers: if suggested { rng.below(4) as u32 } else { 0 },
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2025, 6, 2, 12, 0, 0).unwrap();
    let policy = Policy::default();
    let mut group = c.benchmark_group("rank");
    // A queue message's part (the handler ranks part by part) and the whole large list.
    for n in [CONNECTIONS_PER_MESSAGE, 5_000] {
        let cs = candidates(n, now);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n} connections"), |b| {
            b.iter(|| rank("c_customer", black_box(&cs), 0, &policy, now))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
