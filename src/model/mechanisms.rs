//! Governance mechanisms (MODEL.md §5). A regime is nothing but a bundle of these
//! settings; `fragmented`, `integrated` and `linkage` are presets whose values live in
//! [`Mechanisms::preset`] and nowhere else. The engine reads the numbers, never a name.

use serde::{Deserialize, Serialize};

/// The mechanism settings of one governance regime. All values are in [0,1].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mechanisms {
    /// 一网统管 / 信息孤岛: patrol detection, reporting channels, referral delay,
    /// cross-region cooperation, rumour damping.
    pub information_sharing: f64,
    /// Four-level linkage: escalation delay and the leading group's activation threshold
    /// and pull of city resources.
    pub vertical: f64,
    /// Joint meetings / one-stop: probability a multi-department issue is handled jointly
    /// instead of by sequential hand-offs; cross-region cooperation.
    pub horizontal: f64,
    /// 三社联动: share of organisations linked to the platform, their activation, and the
    /// pull on residents to volunteer.
    pub social: f64,
    /// 以城带乡: share of urban spare capacity lent to rural units, and how much of the
    /// rural handling-time and connectivity penalty is removed.
    pub spatial: f64,
    /// 统筹: share of spare capacity and budget the city moves to where queues grow.
    pub pooling: f64,
    /// Integrated platform: share of detected issues sent to the city centre's
    /// capacity-bounded dispatch queue.
    pub central_routing: f64,
    /// 小事格内解决: probability a small issue is closed in the grid instead of escalated.
    pub grid_first: f64,
    /// Meetings and reporting: share of staff time that full linkage consumes as standing
    /// overhead, and the scale of the hours each hand-off or joint meeting costs.
    pub coordination_cost: f64,
    /// 督办 and 回访: supervision of offices. Deters gaming of the assessment, pulls
    /// shelved requests back, and sets the share of closures the hotline calls back (each
    /// callback costs the city centre's staff time). Absent in older files: 0.
    #[serde(default)]
    pub supervision: f64,
}

/// The names of the shipped presets, in the order they are reported.
pub const PRESET_NAMES: [&str; 3] = ["fragmented", "integrated", "linkage"];

impl Mechanisms {
    /// The shipped presets. Each has a way to lose (MODEL.md §5):
    /// - `fragmented`: silos. Slow escalation and referral, no joint handling, little
    ///   cross-county cooperation, no pooling: cross-department and cross-region issues
    ///   wait or die, and rural units are left with their own thin capacity.
    /// - `integrated`: a strong centre. Most issues pass through the city centre's dispatch
    ///   queue, so when the centre's capacity is cut everything waits; society is passive
    ///   (few organisations linked, grid does not close small issues itself).
    /// - `linkage`: links everywhere, which cost staff time (coordination overhead); when
    ///   link strength is low, organisations are linked but do not act (只联不动) and the
    ///   overhead buys nothing; without shared goals (joint assessment), departments
    ///   linked on the platform sign for shared issues and leave them (`platform`).
    pub fn preset(name: &str) -> Option<Mechanisms> {
        let m = match name {
            "fragmented" => Mechanisms {
                information_sharing: 0.2,
                vertical: 0.2,
                horizontal: 0.1,
                social: 0.15,
                spatial: 0.0,
                pooling: 0.0,
                central_routing: 0.0,
                grid_first: 0.2,
                coordination_cost: 0.1,
                supervision: 0.1,
            },
            "integrated" => Mechanisms {
                information_sharing: 0.9,
                vertical: 0.6,
                horizontal: 0.5,
                social: 0.15,
                spatial: 0.3,
                pooling: 0.8,
                central_routing: 0.8,
                grid_first: 0.1,
                coordination_cost: 0.25,
                supervision: 0.6,
            },
            "linkage" => Mechanisms {
                information_sharing: 0.8,
                vertical: 0.8,
                horizontal: 0.8,
                social: 0.8,
                spatial: 0.6,
                pooling: 0.5,
                central_routing: 0.15,
                grid_first: 0.8,
                coordination_cost: 0.25,
                supervision: 0.6,
            },
            _ => return None,
        };
        Some(m)
    }

    /// How much linking this regime does overall; the standing coordination overhead is
    /// proportional to it.
    pub fn link_intensity(&self) -> f64 {
        (self.information_sharing + self.vertical + self.horizontal + self.social + self.spatial)
            / 5.0
    }

    /// Every field with its name, for validation, documentation and parameter paths.
    pub fn fields(&self) -> [(&'static str, f64); 10] {
        [
            ("information_sharing", self.information_sharing),
            ("vertical", self.vertical),
            ("horizontal", self.horizontal),
            ("social", self.social),
            ("spatial", self.spatial),
            ("pooling", self.pooling),
            ("central_routing", self.central_routing),
            ("grid_first", self.grid_first),
            ("coordination_cost", self.coordination_cost),
            ("supervision", self.supervision),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_exist_and_are_probabilities() {
        for name in PRESET_NAMES {
            let m = Mechanisms::preset(name).unwrap();
            for (field, v) in m.fields() {
                assert!((0.0..=1.0).contains(&v), "{name}.{field} = {v}");
            }
        }
        assert!(Mechanisms::preset("anarchy").is_none());
    }
}
