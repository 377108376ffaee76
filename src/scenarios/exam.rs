//! The practice exam: questions drawn across every scenario in the proportions of the
//! skills outline's areas, in a shuffled order, graded at the end per area.

use super::library::{Library, Question};
use super::shuffle::{mix, permutation};
use super::skills::Area;
use serde::{Deserialize, Serialize};

/// Questions in a practice exam.
pub const EXAM_QUESTIONS: usize = 40;
/// The optional timer, in minutes.
pub const EXAM_MINUTES: u32 = 60;
/// Share of right answers the lab counts as a pass (Microsoft reports a scaled score,
/// 700 of 1,000 passing; this is the lab's plain-percent stand-in).
pub const EXAM_PASS_PERCENT: u32 = 70;

/// A question of the library, by place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ref {
    /// The scenario's index.
    pub scenario: usize,
    /// The question's index in its quiz.
    pub question: usize,
}

impl Ref {
    /// The question, if the library has it.
    pub fn get<'a>(&self, library: &'a Library) -> Option<&'a Question> {
        library
            .scenarios
            .get(self.scenario)?
            .quiz
            .get(self.question)
    }

    /// A number for this question alone (its choices' order in an exam is drawn from it).
    pub fn number(&self) -> usize {
        self.scenario * 1_000 + self.question
    }
}

/// Every question of the library, by area.
fn by_area(library: &Library) -> [Vec<Ref>; 4] {
    let mut areas: [Vec<Ref>; 4] = Default::default();
    for (scenario, s) in library.scenarios.iter().enumerate() {
        for (question, q) in s.quiz.iter().enumerate() {
            if let Some(a) = q
                .area()
                .and_then(|a| Area::ALL.iter().position(|x| *x == a))
            {
                areas[a].push(Ref { scenario, question });
            }
        }
    }
    areas
}

/// How many of `n` questions each area gets: shares by the outline's weights (largest
/// remainder first), none beyond what an area has; a shortfall goes to the areas with
/// questions left, heaviest first.
pub fn quotas(available: [usize; 4], n: usize) -> [usize; 4] {
    let n = n.min(available.iter().sum());
    let total: u32 = Area::ALL.iter().map(|a| a.weight()).sum();
    let exact: Vec<u64> = Area::ALL
        .iter()
        .map(|a| n as u64 * u64::from(a.weight()))
        .collect();
    let mut quota: [usize; 4] = [0; 4];
    for i in 0..4 {
        quota[i] = (exact[i] / u64::from(total)) as usize;
    }
    let mut by_remainder: Vec<usize> = (0..4).collect();
    by_remainder.sort_by_key(|i| std::cmp::Reverse(exact[*i] % u64::from(total)));
    let mut by_weight: Vec<usize> = (0..4).collect();
    by_weight.sort_by_key(|i| std::cmp::Reverse(Area::ALL[*i].weight()));
    for i in 0..4 {
        quota[i] = quota[i].min(available[i]);
    }
    for i in by_remainder
        .iter()
        .chain(by_weight.iter().cycle().take(4 * n))
    {
        if quota.iter().sum::<usize>() >= n {
            break;
        }
        if quota[*i] < available[*i] {
            quota[*i] += 1;
        }
    }
    quota
}

/// A practice exam of `n` questions drawn from `seed`: each area's share picked at random
/// from its questions, then all of them in a random order.
pub fn draw(library: &Library, seed: u64, n: usize) -> Vec<Ref> {
    let areas = by_area(library);
    let quota = quotas(areas.each_ref().map(Vec::len), n);
    let mut drawn: Vec<Ref> = Vec::with_capacity(n);
    for (a, refs) in areas.iter().enumerate() {
        let order = permutation(mix(seed ^ a as u64), refs.len());
        drawn.extend(order.into_iter().take(quota[a]).map(|i| refs[i]));
    }
    let order = permutation(mix(seed ^ 0xE8A4), drawn.len());
    order.into_iter().map(|i| drawn[i]).collect()
}

/// Right answers and questions asked in one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaScore {
    /// The area.
    pub area: Area,
    /// Answered right.
    pub right: u32,
    /// Asked.
    pub asked: u32,
}

/// Each area's score (areas asked about only), for `answers` to the questions `refs`.
pub fn grade(library: &Library, refs: &[Ref], answers: &[Vec<usize>]) -> Vec<AreaScore> {
    Area::ALL
        .iter()
        .filter_map(|area| {
            let mut score = AreaScore {
                area: *area,
                right: 0,
                asked: 0,
            };
            for (r, picked) in refs.iter().zip(answers) {
                let Some(q) = r.get(library).filter(|q| q.area() == Some(*area)) else {
                    continue;
                };
                score.asked += 1;
                score.right += u32::from(q.is_right(picked));
            }
            (score.asked > 0).then_some(score)
        })
        .collect()
}
