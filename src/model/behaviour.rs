//! How residents' hardship, trust and actions respond to what happens to them and around
//! them (MODEL.md §4, §6). Constants of the rules, one struct, documented per field; the
//! rules themselves are in `residents::day`.
//!
//! Fields added after scenario files were first written carry a serde default equal to
//! the constant the rule used before, so an older `params.toml` loads and runs as it ran
//! (the costs of volunteering added by issue 12 default to their plausible values).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourSpec {
    /// Daily pull of hardship back to the resident's baseline (0 = none).
    pub hardship_relax: f64,
    /// Daily pull of trust back to the resident's baseline.
    pub trust_relax: f64,
    /// Trust gained when one's issue is resolved at once (scaled down linearly to half at
    /// the deadline).
    pub resolve_trust_gain: f64,
    /// Hardship relief from a resolved issue, per unit severity.
    pub resolve_hardship_relief: f64,
    /// Trust lost when one's issue expires.
    pub expire_trust_loss: f64,
    /// Hardship added by an expired issue, per unit severity.
    pub expire_hardship: f64,
    /// Hardship added, on top of an expiry's, when one's social-assistance claim leaves
    /// unpaid after waiting for the budget (refused for lack of funds), per unit severity.
    #[serde(default = "defaults::refused_hardship")]
    pub refused_hardship: f64,
    /// Drop of the experience signal (in [−1, 1]) that neighbours hear of when one's issue
    /// is closed unsolved, and when it expires (the worst experience).
    #[serde(default = "defaults::half")]
    pub unsolved_experience_loss: f64,
    #[serde(default = "defaults::one")]
    pub expire_experience_loss: f64,
    /// Daily trust change per unit of (weighted mean) word of mouth from ties, at full link
    /// strength.
    pub word_of_mouth: f64,
    /// Daily decay factor of the word-of-mouth signal a resident passes on.
    pub experience_decay: f64,
    /// Daily trust lost per unit exposure to incidents.
    pub exposure_trust_loss: f64,
    /// Daily decay factor of exposure.
    pub exposure_decay: f64,
    /// Exposure added per tick of an incident in one's own community.
    pub incident_exposure: f64,
    /// Exposure added per active protester among one's ties, per tick.
    pub protester_exposure: f64,
    /// Chance of reporting an issue: base, plus per unit of trust, plus per unit of
    /// (link strength × digital access × channel quality).
    pub report_base: f64,
    pub report_trust: f64,
    pub report_link: f64,
    /// Quality of the reporting channel at no information sharing, and what full
    /// information sharing adds: the channel term of the reporting chance is multiplied
    /// by `report_channel_base + report_channel_sharing × information_sharing`.
    #[serde(default = "defaults::half")]
    pub report_channel_base: f64,
    #[serde(default = "defaults::half")]
    pub report_channel_sharing: f64,
    /// Issue-raising multiplier of the elderly.
    pub elderly_need: f64,
    /// Need, the multiplier of a resident's issue rates: `need_base + need_hardship × H`
    /// (1 at hardship 0.5 with the defaults, so the rates are those of H = 0.5).
    #[serde(default = "defaults::need_base")]
    pub need_base: f64,
    #[serde(default = "defaults::need_hardship")]
    pub need_hardship: f64,
    /// Daily chance of starting to volunteer at full capacity, cognition, environment and
    /// link strength (action decision, `002`).
    pub volunteer_rate: f64,
    /// Daily chance a volunteer stops.
    pub volunteer_stop: f64,
    /// Capacity to volunteer of youth and of the elderly relative to adults (capacity is
    /// this factor × (1 − H)).
    #[serde(default = "defaults::half")]
    pub volunteer_capacity_youth: f64,
    #[serde(default = "defaults::volunteer_capacity_elderly")]
    pub volunteer_capacity_elderly: f64,
    /// Cognition of volunteering: `(volunteer_cognition_base + volunteer_cognition_linkage
    /// × information_sharing × link) × (volunteer_digital_base + volunteer_digital ×
    /// digital access)`.
    #[serde(default = "defaults::volunteer_cognition_base")]
    pub volunteer_cognition_base: f64,
    #[serde(default = "defaults::volunteer_cognition_linkage")]
    pub volunteer_cognition_linkage: f64,
    #[serde(default = "defaults::half")]
    pub volunteer_digital_base: f64,
    #[serde(default = "defaults::half")]
    pub volunteer_digital: f64,
    /// Environment of volunteering: `social × min(volunteer_environment_base +
    /// points_pull × points, volunteer_environment_cap) + volunteer_neighbours × share of
    /// one's ties volunteering`.
    #[serde(default = "defaults::half")]
    pub volunteer_environment_base: f64,
    #[serde(default = "defaults::volunteer_environment_cap")]
    pub volunteer_environment_cap: f64,
    #[serde(default = "defaults::half")]
    pub volunteer_neighbours: f64,
    /// Staff-hours a volunteer contributes to the grid per day.
    pub volunteer_hours: f64,
    /// Points earned per volunteering day, and their pull on volunteering again.
    pub points_per_day: f64,
    pub points_pull: f64,
    /// Staff-hours a day of its grid office that keep one volunteer (dispatch, guidance,
    /// supervision), booked as coordination. A volunteer the office cannot keep is not
    /// dispatched to issues.
    #[serde(default = "defaults::volunteer_upkeep_hours")]
    pub volunteer_upkeep_hours: f64,
    /// Daily chance a volunteer turns up for the day's hours (no-shows).
    #[serde(default = "defaults::volunteer_reliability")]
    pub volunteer_reliability: f64,
    /// Daily chance of stopping added for a volunteer whose grid office kept none of its
    /// volunteers yesterday (scaled by the share it did not keep).
    #[serde(default = "defaults::volunteer_stop_unkept")]
    pub volunteer_stop_unkept: f64,
    /// Budget units one volunteer point costs its county when redeemed (积分兑换).
    /// Points a county cannot redeem lower its shared goals.
    #[serde(default = "defaults::point_value")]
    pub point_value: f64,
    /// Word-of-mouth signal a protester sends along its ties each day (negative: it lowers
    /// trust around it), the channel by which protest spills over (交叠共振).
    pub protest_voice: f64,
    /// Days over which the sense of gain remembers one's issues (weights decay by
    /// 1 − 1/days a day).
    pub gain_memory_days: f64,
    /// Insecurity (1 − the sense of security, 安全感) one's own damage adds to exposure:
    /// per unit of flood strength in one's community (homes and livelihoods damaged),
    /// while sick (infectious), and while laid off in a closure. Security is
    /// `1 − min(1, exposure + security_damage × damage + security_illness × sick +
    /// security_job_loss × laid off)`.
    #[serde(default = "defaults::security_damage")]
    pub security_damage: f64,
    #[serde(default = "defaults::security_illness")]
    pub security_illness: f64,
    #[serde(default = "defaults::security_job_loss")]
    pub security_job_loss: f64,
    /// Weights of the happiness composite (幸福感): happiness is `happiness_gain × gain +
    /// happiness_security × security + happiness_relief × (1 − hardship) +
    /// happiness_trust × trust`. The four weights sum to 1.
    #[serde(default = "defaults::quarter")]
    pub happiness_gain: f64,
    #[serde(default = "defaults::quarter")]
    pub happiness_security: f64,
    #[serde(default = "defaults::quarter")]
    pub happiness_relief: f64,
    #[serde(default = "defaults::quarter")]
    pub happiness_trust: f64,
}

/// The constants the rules used before they became parameters (serde defaults). The
/// built-in baseline uses the same values.
mod defaults {
    pub fn half() -> f64 {
        0.5
    }
    pub fn one() -> f64 {
        1.0
    }
    pub fn quarter() -> f64 {
        0.25
    }
    pub fn security_damage() -> f64 {
        0.6
    }
    pub fn security_illness() -> f64 {
        0.3
    }
    pub fn security_job_loss() -> f64 {
        0.4
    }
    pub fn need_base() -> f64 {
        0.4
    }
    pub fn need_hardship() -> f64 {
        1.2
    }
    pub fn volunteer_capacity_elderly() -> f64 {
        0.6
    }
    pub fn volunteer_cognition_base() -> f64 {
        0.3
    }
    pub fn volunteer_cognition_linkage() -> f64 {
        0.7
    }
    pub fn volunteer_environment_cap() -> f64 {
        1.5
    }
    pub fn volunteer_upkeep_hours() -> f64 {
        0.1
    }
    pub fn volunteer_reliability() -> f64 {
        0.8
    }
    pub fn volunteer_stop_unkept() -> f64 {
        0.1
    }
    pub fn point_value() -> f64 {
        0.002
    }
    pub fn refused_hardship() -> f64 {
        0.4
    }
}
