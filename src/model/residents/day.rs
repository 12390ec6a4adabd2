//! A resident's day (MODEL.md §4, §6, §7): given what it saw of its ties and of its place
//! at the end of last tick, a resident updates exposure, trust and hardship, catches or
//! shakes off the epidemic and the rumour, may raise (and report) an issue, decides
//! to protest, be mediated, volunteer or stay quiet, and ends the day with its link
//! strength built up or worn down ([`super::links`]).
//!
//! Pure functions over plain values: a rule reads one resident ([`Resident`],
//! [`ResidentState`]), a summary of its ties ([`Neighbourhood`]), its grid and community
//! ([`Place`]) and the tick ([`Context`]), and returns what changed ([`Day`]). No slices
//! of other residents, no threads: the engine gathers the neighbourhood, calls [`step`]
//! and writes the results back in a fixed order.
//!
//! Invariant: every random draw is keyed by (seed, tick, resident, purpose) ([`Dice`];
//! draws fixed for life by a key of their own, not a tick's), so a rule gives the same
//! answer whichever thread calls it and in whatever order; a new draw needs a new
//! `Purpose`, never a second draw from an existing stream.

use super::heard;
use super::links::{LinkInputs, LinkRules, next_link};
use super::{
    ADULT, AT_HOME, BELIEVES, Claims, DEBUNKED, DETECTED_TODAY, DISEASE, ELDERLY, INFECTED,
    ISOLATED_TODAY, MEDIATED, NEVER, Outcomes, PROTESTING, QUIET, RECOVERED, SUSCEPTIBLE,
    TRACED_TODAY, VOICE_SCALE, VOLUNTEERING, Visible, YOUTH,
};
use crate::base::rng::{AgentKey, Purpose, Stream, TickKey};
use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::{
    CollectiveSpec, Restraint, fatigue_after, own_threshold, pull, turns_active,
};
use crate::model::issues::Category;
use crate::model::mechanisms::Mechanisms;
use crate::model::shocks::epidemic::{detect_chance, distancing, trace_chance};
use crate::model::shocks::{Effects, EpidemicNow, RumourNow, next_health};
use crate::model::unit;

/// What every resident's rules read this tick: the keys of its draws (the run's seed and
/// the tick, mixed once), the scenario's rule constants, the regime, and the epidemic
/// and rumour if any.
///
/// The rule constants are converted to `f32` once per chunk ([`Rules`]), and the
/// products of constants a rule multiplies by the regime are taken once too (the same
/// `f32` operations in the same order, so the same bits), not per resident.
#[derive(Clone, Debug)]
pub struct Context {
    /// The keys of today's draws and of those fixed for life ([`Dice`]), mixed once
    /// from the seed and tick given to [`Context::new`] or [`Context::on_day`].
    pub today: TickKey,
    pub life: TickKey,
    pub rules: Rules,
    pub collective: CollectiveSpec,
    /// The regime's information sharing and social linkage.
    pub information_sharing: f32,
    pub social: f32,
    /// Quality factor of the reporting channel: `report_channel_base` +
    /// `report_channel_sharing` × information sharing.
    pub report_channel: f32,
    /// `volunteer_cognition_linkage` × information sharing.
    pub cognition_linkage: f32,
    /// Points a volunteer earns today: `points_per_day` × social linkage.
    pub points_today: f32,
    /// Issues per resident per tick at need 1 (hardship 0.5), by category.
    pub base_rates: [f32; 8],
    /// Weight the sense of gain keeps of yesterday's issues: 1 − 1/`gain_memory_days`.
    pub memory: f32,
    pub epidemic: Option<EpidemicNow>,
    pub rumour: Option<RumourNow>,
    /// What a resident takes in from its ties today.
    pub hearing: Hearing,
    /// How link strength moves, and the regime's shared goals ([`Context::with_links`];
    /// fixed links and no shared goals until then).
    pub links: LinkRules,
}

/// The resident rules' constants ([`BehaviourSpec`]) as the `f32` the rules compute in,
/// converted once. Field names and meanings as in [`BehaviourSpec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    pub hardship_relax: f32,
    pub trust_relax: f32,
    pub word_of_mouth: f32,
    pub experience_decay: f32,
    pub exposure_trust_loss: f32,
    pub exposure_decay: f32,
    pub incident_exposure: f32,
    pub protester_exposure: f32,
    pub report_base: f32,
    pub report_trust: f32,
    pub report_link: f32,
    pub report_channel_base: f32,
    pub report_channel_sharing: f32,
    pub elderly_need: f32,
    pub need_base: f32,
    pub need_hardship: f32,
    pub volunteer_rate: f32,
    /// Chances, drawn in `f64` as before.
    pub volunteer_stop: f64,
    pub volunteer_stop_unkept: f64,
    pub volunteer_capacity_youth: f32,
    pub volunteer_capacity_elderly: f32,
    pub volunteer_cognition_base: f32,
    pub volunteer_cognition_linkage: f32,
    pub volunteer_digital_base: f32,
    pub volunteer_digital: f32,
    pub volunteer_environment_base: f32,
    pub volunteer_environment_cap: f32,
    pub volunteer_neighbours: f32,
    pub points_per_day: f32,
    pub points_pull: f32,
    pub protest_voice: f32,
    pub security_damage: f32,
    pub security_illness: f32,
    pub security_job_loss: f32,
    /// Weights of the happiness composite: gain, security, relief from hardship, trust.
    pub happiness_weights: [f32; 4],
}

impl Rules {
    pub fn new(b: &BehaviourSpec) -> Rules {
        Rules {
            hardship_relax: b.hardship_relax as f32,
            trust_relax: b.trust_relax as f32,
            word_of_mouth: b.word_of_mouth as f32,
            experience_decay: b.experience_decay as f32,
            exposure_trust_loss: b.exposure_trust_loss as f32,
            exposure_decay: b.exposure_decay as f32,
            incident_exposure: b.incident_exposure as f32,
            protester_exposure: b.protester_exposure as f32,
            report_base: b.report_base as f32,
            report_trust: b.report_trust as f32,
            report_link: b.report_link as f32,
            report_channel_base: b.report_channel_base as f32,
            report_channel_sharing: b.report_channel_sharing as f32,
            elderly_need: b.elderly_need as f32,
            need_base: b.need_base as f32,
            need_hardship: b.need_hardship as f32,
            volunteer_rate: b.volunteer_rate as f32,
            volunteer_stop: b.volunteer_stop,
            volunteer_stop_unkept: b.volunteer_stop_unkept,
            volunteer_capacity_youth: b.volunteer_capacity_youth as f32,
            volunteer_capacity_elderly: b.volunteer_capacity_elderly as f32,
            volunteer_cognition_base: b.volunteer_cognition_base as f32,
            volunteer_cognition_linkage: b.volunteer_cognition_linkage as f32,
            volunteer_digital_base: b.volunteer_digital_base as f32,
            volunteer_digital: b.volunteer_digital as f32,
            volunteer_environment_base: b.volunteer_environment_base as f32,
            volunteer_environment_cap: b.volunteer_environment_cap as f32,
            volunteer_neighbours: b.volunteer_neighbours as f32,
            points_per_day: b.points_per_day as f32,
            points_pull: b.points_pull as f32,
            protest_voice: b.protest_voice as f32,
            security_damage: b.security_damage as f32,
            security_illness: b.security_illness as f32,
            security_job_loss: b.security_job_loss as f32,
            happiness_weights: [
                b.happiness_gain as f32,
                b.happiness_security as f32,
                b.happiness_relief as f32,
                b.happiness_trust as f32,
            ],
        }
    }
}

/// What a resident takes in from its ties: the weight of a weak tie, and whether ties'
/// infection and weak ties' belief matter today (an epidemic runs; a rumour spreads).
/// When they do not, the gather skips counting them. A small copy, so the gather keeps
/// it in registers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hearing {
    pub weak_tie_weight: f32,
    pub infection: bool,
    pub rumour: bool,
    /// What an infectious tie at home still carries (1 − the epidemic's isolation
    /// effect).
    pub home_weight: f32,
}

impl Context {
    pub fn new(
        seed: u64,
        tick: u32,
        behaviour: &BehaviourSpec,
        collective: &CollectiveSpec,
        mech: &Mechanisms,
        base_rates: [f32; 8],
        weak_tie_weight: f32,
    ) -> Context {
        let rules = Rules::new(behaviour);
        let information_sharing = mech.information_sharing as f32;
        let social = mech.social as f32;
        Context {
            today: TickKey::new(seed, tick),
            life: TickKey::life(seed),
            rules,
            collective: collective.clone(),
            information_sharing,
            social,
            report_channel: rules.report_channel_base
                + rules.report_channel_sharing * information_sharing,
            cognition_linkage: rules.volunteer_cognition_linkage * information_sharing,
            points_today: rules.points_per_day * social,
            base_rates,
            memory: 1.0 - 1.0 / behaviour.gain_memory_days.max(1.0) as f32,
            epidemic: None,
            rumour: None,
            hearing: Hearing {
                weak_tie_weight,
                infection: false,
                rumour: false,
                home_weight: 1.0,
            },
            links: LinkRules::FIXED,
        }
    }

    /// The same rules on day `tick` of the run seeded `seed` (its draws' keys).
    pub fn on_day(self, seed: u64, tick: u32) -> Self {
        Context {
            today: TickKey::new(seed, tick),
            life: TickKey::life(seed),
            ..self
        }
    }

    /// The same tick with the link rules and shared goals of the run.
    pub fn with_links(self, links: LinkRules) -> Self {
        Context { links, ..self }
    }

    /// The same tick with an epidemic and a rumour (each may be absent).
    pub fn with_shocks(self, epidemic: Option<EpidemicNow>, rumour: Option<RumourNow>) -> Self {
        Context {
            epidemic,
            rumour,
            hearing: Hearing {
                infection: epidemic.is_some(),
                rumour: rumour.is_some_and(|r| r.heard()),
                home_weight: epidemic.map_or(1.0, |e| 1.0 - e.control.isolation_effect),
                ..self.hearing
            },
            ..self
        }
    }
}

/// One resident's draws for one tick: one keyed draw a purpose ([`AgentKey`]).
#[derive(Clone, Copy, Debug)]
pub struct Dice {
    today: AgentKey,
    life: TickKey,
    resident: u64,
}

impl Dice {
    /// Resident `resident`'s draws at tick `tick` of the run seeded `seed`.
    pub fn new(seed: u64, resident: u32, tick: u32) -> Dice {
        Dice::keyed(TickKey::new(seed, tick), TickKey::life(seed), resident)
    }

    /// The same from the tick's keys, mixed once a chunk ([`Context`]).
    #[inline]
    pub fn keyed(today: TickKey, life: TickKey, resident: u32) -> Dice {
        Dice {
            today: today.agent(resident as u64),
            life,
            resident: resident as u64,
        }
    }

    /// Today's uniform draw for `purpose`, in [0, 1).
    #[inline]
    pub fn unit(&self, purpose: Purpose) -> f64 {
        self.today.unit(purpose)
    }

    /// True with probability `p`, today's draw for `purpose`.
    #[inline]
    pub fn chance(&self, purpose: Purpose, p: f64) -> bool {
        self.today.chance(purpose, p)
    }

    /// Today's stream for `purpose`, for a draw of several numbers.
    #[inline]
    pub fn today(&self, purpose: Purpose) -> Stream {
        self.today.stream(purpose)
    }

    /// The uniform draw for `purpose` fixed for the whole run (the same every tick).
    #[inline]
    pub fn for_life(&self, purpose: Purpose) -> f64 {
        self.life.agent(self.resident).unit(purpose)
    }
}

/// What a resident saw of its ties at the end of last tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Neighbourhood {
    /// Summed tie weight (a strong tie 1, a weak tie `weak_tie_weight`).
    pub weight: f32,
    /// Weighted sum of the ties' word-of-mouth signals.
    pub word_of_mouth: f32,
    /// Ties protesting and volunteering.
    pub protesting: u32,
    pub volunteering: u32,
    /// Summed weight of infectious ties, those at home at the `home_weight` of
    /// [`Hearing`] (counted while an epidemic runs).
    pub infectious: f32,
    /// Ties isolated yesterday as new cases (counted while an epidemic runs).
    pub new_cases: u32,
    /// Weak and strong ties believing the rumour (counted while a rumour runs).
    pub believing_weak: u32,
    pub believing_strong: u32,
    /// Summed weight of ties who no longer believe the rumour (counted while a rumour
    /// runs): the counter-rumour.
    pub debunked: f32,
    /// Number of ties.
    pub ties: u32,
}

impl Neighbourhood {
    /// Nothing heard yet from `ties` ties.
    #[inline]
    pub fn of(ties: usize) -> Neighbourhood {
        Neighbourhood {
            ties: ties as u32,
            ..Neighbourhood::default()
        }
    }

    /// What a resident hears from its ties: `strong` (a weight of 1 each) and `weak`
    /// (`hearing.weak_tie_weight` each), indices into `visible`, what every resident
    /// showed at the end of last tick.
    ///
    /// The summed weight is `strong + weak_tie_weight × weak` and word of mouth is
    /// `said(strong) + weak_tie_weight × said(weak)`, each sum exact (the signals are
    /// integers, [`Visible`]), so the order of the ties does not matter and no addition
    /// waits on a rounding (each sum is rounded once, to `f32`, beyond 2^24 units:
    /// some 500 ties all saying 1). Activity is counted without a branch. The sums are
    /// [`heard::sum_ties`]'s (by gather instructions where the CPU has them, with the
    /// same result). Infection and belief are taken in a second pass over the ties, on
    /// the days an epidemic or a rumour runs.
    #[inline(always)]
    pub fn hear_ties(
        visible: &[Visible],
        strong: &[u32],
        weak: &[u32],
        hearing: Hearing,
    ) -> Neighbourhood {
        let mut nb = Neighbourhood::from_heard(heard::sum_ties(visible, strong, weak), hearing);
        if nb.needs_ties(hearing) {
            nb.hear_ties_again(visible, strong, weak, hearing);
        }
        nb
    }

    /// [`Neighbourhood::hear_ties`] from its sums `heard`, taken beforehand by
    /// [`heard::sum_ties`] (the engine sums a chunk's ties in a pass of their own), as
    /// far as the sums go: [`Neighbourhood::needs_ties`] says whether the ties
    /// themselves must be read again ([`Neighbourhood::hear_ties_again`]).
    #[inline(always)]
    pub fn from_heard(heard: heard::Heard, hearing: Hearing) -> Neighbourhood {
        let w = hearing.weak_tie_weight;
        Neighbourhood {
            weight: heard.strong as f32 + w * heard.weak as f32,
            word_of_mouth: word_of_mouth(heard.said_strong as f32, heard.said_weak as f32, w),
            protesting: heard.protesting,
            volunteering: heard.volunteering,
            ..Neighbourhood::of(heard.strong as usize + heard.weak as usize)
        }
    }

    /// Whether the sums leave something to read from the ties themselves: more ties
    /// than the sums count exactly, or an epidemic or a rumour to hear of.
    #[inline(always)]
    pub fn needs_ties(&self, hearing: Hearing) -> bool {
        self.ties > heard::ACTIVITY_LANE || hearing.infection || hearing.rumour
    }

    /// What the sums of [`Neighbourhood::from_heard`] leave out, from the ties `strong`
    /// and `weak` themselves: activities and word of mouth counted again where there are
    /// too many ties for the sums, and infection and belief while an epidemic or a
    /// rumour runs.
    #[cold]
    #[inline(never)]
    pub fn hear_ties_again(
        &mut self,
        visible: &[Visible],
        strong: &[u32],
        weak: &[u32],
        hearing: Hearing,
    ) {
        let w = hearing.weak_tie_weight;
        if self.ties > heard::ACTIVITY_LANE {
            // More ties than a lane counts, or than a 32-bit sum of signals holds (never
            // in a built-in scenario): count again.
            let all = strong.iter().chain(weak);
            let of = |a| {
                all.clone()
                    .filter(|&&j| visible[j as usize].activity == a)
                    .count()
            };
            self.protesting = of(PROTESTING) as u32;
            self.volunteering = of(VOLUNTEERING) as u32;
            let said = |ties: &[u32]| -> f64 {
                ties.iter()
                    .map(|&j| visible[j as usize].said() as f64)
                    .sum()
            };
            self.word_of_mouth = word_of_mouth(said(strong) as f32, said(weak) as f32, w);
        }
        if hearing.infection || hearing.rumour {
            for &j in strong {
                self.hear_shocks(&visible[j as usize], false, hearing);
            }
            for &j in weak {
                self.hear_shocks(&visible[j as usize], true, hearing);
            }
        }
    }

    /// Take in one tie's infection and belief (a weak tie reaches beyond the grid). The
    /// rumour travels over weak ties, and less over strong ones (neighbours know better);
    /// its debunking over every tie.
    #[inline(always)]
    fn hear_shocks(&mut self, tie: &Visible, weak: bool, hearing: Hearing) {
        let w = if weak { hearing.weak_tie_weight } else { 1.0 };
        if hearing.infection {
            let health = tie.health();
            if health & DISEASE == INFECTED {
                let home = health & AT_HOME != 0;
                self.infectious += if home { w * hearing.home_weight } else { w };
            }
            self.new_cases += (health & ISOLATED_TODAY != 0) as u32;
        }
        if hearing.rumour {
            let rumour = tie.rumour();
            if rumour == BELIEVES {
                if weak {
                    self.believing_weak += 1;
                } else {
                    self.believing_strong += 1;
                }
            }
            if rumour == DEBUNKED {
                self.debunked += w;
            }
        }
    }

    /// The weighted mean word of mouth; 0 without ties.
    #[inline]
    pub fn mean_word_of_mouth(&self) -> f32 {
        if self.weight > 0.0 {
            self.word_of_mouth / self.weight
        } else {
            0.0
        }
    }
}

/// Word of mouth from the summed signals of strong and weak ties, in units of
/// 1/[`VOICE_SCALE`], a weak tie weighing `w`.
#[inline(always)]
fn word_of_mouth(strong: f32, weak: f32, w: f32) -> f32 {
    (strong + w * weak) * (1.0 / VOICE_SCALE)
}

/// A resident's fixed traits, and what its ties saw of it last tick.
#[derive(Clone, Copy, Debug)]
pub struct Resident {
    pub id: u32,
    pub age: u8,
    /// Link strength at the start of the day (today's rules read it; the day's change
    /// is returned in [`Day::link`]).
    pub link: f32,
    /// Reachability by grid staff (contact drawn at build).
    pub staff_contact: f32,
    /// Member of a social organisation.
    pub member: bool,
    pub digital: f32,
    pub risk_aversion: f32,
    /// Baselines hardship and trust relax to.
    pub hardship_base: f32,
    pub trust_base: f32,
    pub shown: Visible,
}

/// A resident's grid and community today.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// The shocks' effects on the community.
    pub effects: &'a Effects,
    /// An incident is under way in the community.
    pub incident: bool,
    /// Chance that a protester of the community is mediated today.
    pub p_mediate: f32,
    /// Mean platform connectivity of the community (quality of the reporting channel).
    pub channel: f32,
    /// Mediators present in the grid (Epstein's C).
    pub mediators: f32,
    /// Chance the grid's outreach visits a resident today (from yesterday's delivered
    /// hours, [`super::links::visit_chance`]).
    pub visits: f32,
    /// Share of the community's organisations active (yesterday).
    pub orgs_active: f32,
    /// Share of the grid's volunteers its office kept yesterday (paid their upkeep).
    pub kept: f32,
    /// The least risk protesters see today (policing of the community's incident), 0
    /// without.
    pub police: f32,
    /// Threshold lowered by a concession nearby (protest is seen to pay).
    pub invites: f32,
    /// Trust a mediation of the community's protesters restores today (joint mediation
    /// at the township's table), 0 for a routine one.
    pub mediation_trust: f32,
    /// Share of the community's laid-off workers who protested yesterday (a closure's
    /// co-workers), 0 without.
    pub coworkers: f32,
    /// [`raise_bound`] of the community: above `need ×` this, a draw raises nothing
    /// (`f32::INFINITY` never skips the categories).
    pub raise_bound: f32,
}

/// The fields a resident's day changes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ResidentState {
    pub hardship: f32,
    pub trust: f32,
    pub exposure: f32,
    /// Volunteer points (积分制).
    pub points: f32,
    /// Ticks left in the mediated state.
    pub cooldown: u8,
    pub outcomes: Outcomes,
    /// Fatigue of protest (grows on the street, fades off it), in [0, 1].
    pub fatigue: f32,
    /// A laid-off worker's claims (a closure).
    pub claims: Claims,
}

/// An issue a resident raised today.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RaisedIssue {
    pub category: Category,
    /// Reported through a channel (otherwise only a patrol finds it).
    pub reported: bool,
    /// A laid-off worker's claim at lay-off (a closure).
    pub claim: bool,
}

/// What a resident's day produced besides its own state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Day {
    /// What its ties will see of it tomorrow.
    pub shown: Visible,
    pub issue: Option<RaisedIssue>,
    /// 获得感, 安全感 and 幸福感: the senses of gain, security and happiness today.
    pub gain: f32,
    pub security: f32,
    pub happiness: f32,
    /// Link strength after today.
    pub link: f32,
    /// Laid off by a closure today.
    pub laid_off: bool,
}

/// One resident's day. Updates `s` and returns what the engine files and counts.
#[inline]
pub fn step(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    s: &mut ResidentState,
    ctx: &Context,
) -> Day {
    day::<true>(me, place, nb, s, ctx)
}

/// Whether an epidemic, a rumour or a closure can reach a resident of a community under
/// `eff` today: one runs (`ctx`), or the community is seeded or hit. When none can,
/// [`step_unshocked`] gives the same day as [`step`].
#[inline]
pub fn shocks_reach(ctx: &Context, eff: &Effects) -> bool {
    ctx.epidemic.is_some()
        || ctx.rumour.is_some()
        || eff.epidemic_seed > 0.0
        || eff.rumour_seed > 0.0
        || eff.worker_share > 0.0
}

/// [`step`] where no epidemic, rumour or closure reaches (not [`shocks_reach`]): the
/// same day, bit for bit, with those rules left out. Without an epidemic and unseeded a
/// resident keeps its disease state and sheds the flags of being at home; without a
/// rumour and unseeded it keeps its belief; without a closure nobody is laid off. The
/// engine takes it for a chunk of communities none of which a shock reaches (most of a
/// run), so the day's common path carries no test for rules that cannot apply.
#[inline]
pub fn step_unshocked(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    s: &mut ResidentState,
    ctx: &Context,
) -> Day {
    debug_assert!(!shocks_reach(ctx, place.effects));
    day::<false>(me, place, nb, s, ctx)
}

/// The day of [`step`]; with `SHOCKS` false, that of [`step_unshocked`].
#[inline(always)]
fn day<const SHOCKS: bool>(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    s: &mut ResidentState,
    ctx: &Context,
) -> Day {
    let b = &ctx.rules;
    let eff = place.effects;
    let dice = Dice::keyed(ctx.today, ctx.life, me.id);
    let (epidemic, rumour) = if SHOCKS {
        (ctx.epidemic, ctx.rumour)
    } else {
        (None, None)
    };
    let health = if SHOCKS {
        next_health_state(me, place, nb, s.trust, ctx, &dice)
    } else {
        me.shown.health() & DISEASE
    };
    let home = health & AT_HOME != 0;
    let belief = if SHOCKS {
        next_belief(me, place, nb, ctx, &dice)
    } else {
        me.shown.rumour()
    };
    let rumour_loss = match (belief, rumour) {
        (BELIEVES, Some(r)) => r.trust_loss,
        _ => 0.0,
    };
    let laid_off = SHOCKS && laid_off(me.age, eff, &dice);
    if !laid_off && s.claims.paid() {
        s.claims = s.claims.unpaid();
    }
    s.exposure = exposure_today(s.exposure, place.incident, nb.protesting, b);
    let wom = nb.mean_word_of_mouth();
    let push = eff.trust_push - waiting_loss(laid_off, s.claims, eff);
    s.trust = trust_today(s.trust, me, wom, s.exposure, push, rumour_loss, b);
    let borne = income_lost(laid_off, s.claims, eff);
    s.hardship = hardship_today(s.hardship, me.hardship_base, eff, borne, b);
    if home && let Some(ep) = epidemic {
        s.hardship = unit(s.hardship + ep.control.home_hardship);
    }
    let sick = health & DISEASE == INFECTED;
    let issue = match file_claim(me, place, s, laid_off, ctx, &dice) {
        None => raise_issue(me, place, s, (sick, home), laid_off, ctx, &dice),
        claim => claim,
    };
    if issue.is_some() {
        s.outcomes.raised += 1.0;
    }
    let pulled = if laid_off {
        eff.coworker_pull * place.coworkers
    } else {
        0.0
    };
    let activity = decide_action(me, place, nb, s, pulled, ctx, &dice);
    s.fatigue = fatigue_after(&ctx.collective, s.fatigue, activity == PROTESTING);
    if activity == VOLUNTEERING {
        s.points += ctx.points_today;
    }
    let shown = Visible::new(
        voice(me.shown.experience(), activity, b),
        activity,
        health,
        belief,
    );
    let gain = s.outcomes.gain();
    let link = link_after(me, place, nb, s.outcomes.resolved, &ctx.links);
    s.outcomes.raised *= ctx.memory;
    s.outcomes.resolved *= ctx.memory;
    let harm = Harm {
        damage: eff.damage,
        sick,
        laid_off,
    };
    let security = security(s.exposure, &harm, b);
    Day {
        shown,
        issue,
        gain,
        security,
        happiness: happiness(gain, security, s.hardship, s.trust, b),
        link,
        laid_off,
    }
}

/// Link strength after today ([`super::links`]): built by a grid worker's visit (the
/// grid's visit chance × one's reachability), by membership of an active organisation
/// and by one's recent solved issues `resolved`; decaying to the part one's ties to
/// neighbours hold.
#[inline]
pub fn link_after(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    resolved: f32,
    links: &LinkRules,
) -> f32 {
    let inputs = LinkInputs {
        contact: me.staff_contact * place.visits,
        membership: if me.member { place.orgs_active } else { 0.0 },
        service: resolved,
        floor: links.floor(nb.weight),
    };
    next_link(me.link, &inputs, links)
}

/// The epidemic (SEIR over ties): seeded by the shock, then passed on by infectious ties
/// (less from ties at home, less to a resident at home or keeping its distance); an
/// infectious resident may be detected and isolated, a tie of a new case traced and
/// quarantined, and a resident at home comes out when it recovers or, quarantined, after
/// its days ([`crate::model::shocks::Epidemic`]). Returns the health byte its ties see
/// tomorrow: the state and its flags. `trust` is the resident's today.
#[inline]
pub fn next_health_state(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    trust: f32,
    ctx: &Context,
    dice: &Dice,
) -> u8 {
    let state = me.shown.health() & DISEASE;
    let seed = place.effects.epidemic_seed;
    if state == SUSCEPTIBLE && seed > 0.0 && dice.chance(Purpose::Seeding, seed as f64) {
        return INFECTED;
    }
    let Some(ep) = ctx.epidemic else {
        return state;
    };
    let c = &ep.control;
    let home = me.shown.health() & AT_HOME != 0;
    let next = if state == SUSCEPTIBLE && nb.infectious == 0.0 {
        SUSCEPTIBLE
    } else {
        let mut w = nb.infectious;
        if state == SUSCEPTIBLE {
            w *= 1.0 - distancing(c, trust, ctx.information_sharing);
            if home {
                w *= 1.0 - c.isolation_effect;
            }
        }
        next_health(state, w, &ep, dice.unit(Purpose::Infection) as f32)
    };
    if home {
        return match next {
            INFECTED => INFECTED | AT_HOME,
            RECOVERED => RECOVERED,
            s if dice.chance(Purpose::Release, c.p_release as f64) => s,
            s => s | AT_HOME,
        };
    }
    if next == INFECTED {
        let info = ctx.information_sharing;
        let p = detect_chance(
            c,
            trust,
            me.digital,
            place.channel,
            info,
            place.visits,
            me.link,
        );
        let u = dice.unit(Purpose::Detection) as f32;
        if u < p * c.isolation {
            return INFECTED | AT_HOME | ISOLATED_TODAY | DETECTED_TODAY;
        } else if u < p {
            return INFECTED | DETECTED_TODAY;
        }
    }
    if nb.new_cases > 0 && next != RECOVERED {
        let p = trace_chance(c, me.link, ctx.information_sharing, nb.new_cases);
        if dice.chance(Purpose::Tracing, p as f64) {
            return next | AT_HOME | TRACED_TODAY;
        }
    }
    next
}

/// The rumour (over ties): seeded by the shock; caught by a receptive resident who never
/// believed from each believing weak tie with chance `spread` and from each believing
/// strong tie with chance `strong_spread · spread`; a believer is debunked (then immune)
/// with [`debunk_chance`] a day.
#[inline]
pub fn next_belief(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    ctx: &Context,
    dice: &Dice,
) -> u8 {
    let eff = place.effects;
    match (me.shown.rumour(), ctx.rumour) {
        (NEVER, _)
            if eff.rumour_seed > 0.0 && dice.chance(Purpose::Rumour, eff.rumour_seed as f64) =>
        {
            BELIEVES
        }
        (NEVER, Some(r)) if nb.believing_weak + nb.believing_strong > 0 && r.spread > 0.0 => {
            let receptive =
                dice.for_life(Purpose::RumourReceptive) < r.receptive(me.trust_base) as f64;
            let escape = (1.0 - r.spread).powi(nb.believing_weak as i32)
                * (1.0 - r.strong_spread * r.spread).powi(nb.believing_strong as i32);
            let p = 1.0 - escape;
            if receptive && dice.chance(Purpose::Rumour, p as f64) {
                BELIEVES
            } else {
                NEVER
            }
        }
        (BELIEVES, Some(r)) => {
            if dice.chance(Purpose::Rumour, debunk_chance(me, place, nb, &r) as f64) {
                DEBUNKED
            } else {
                BELIEVES
            }
        }
        (b, _) => b,
    }
}

/// A believer's daily chance of being debunked: the base and the platform
/// (`p_debunk`), a grid worker's visit (the grid's visit chance × one's reachability),
/// an active organisation one belongs to, and the weighted share of one's ties who no
/// longer believe, through one's link strength. At most 1.
#[inline]
pub fn debunk_chance(me: &Resident, place: &Place, nb: &Neighbourhood, r: &RumourNow) -> f32 {
    let visit = me.staff_contact * place.visits;
    let orgs = if me.member { place.orgs_active } else { 0.0 };
    let ties = if nb.weight > 0.0 {
        nb.debunked / nb.weight
    } else {
        0.0
    };
    (r.p_debunk + r.debunk_grid * visit + r.debunk_orgs * orgs + r.debunk_ties * me.link * ties)
        .min(1.0)
}

/// A closure hits a fixed share of working-age residents (the same ones every day).
#[inline]
pub fn laid_off(age: u8, eff: &Effects, dice: &Dice) -> bool {
    eff.worker_share > 0.0
        && age == ADULT
        && (dice.for_life(Purpose::Worker) as f32) < eff.worker_share
}

/// Exposure decays, and grows with an incident in one's community and with protesters
/// among one's ties.
#[inline]
pub fn exposure_today(exposure: f32, incident: bool, protesting: u32, b: &Rules) -> f32 {
    let incident = if incident { b.incident_exposure } else { 0.0 };
    unit(exposure * b.exposure_decay + incident + b.protester_exposure * protesting as f32)
}

/// Trust relaxes to its baseline, follows word of mouth (through one's link strength),
/// falls with exposure and a believed rumour, and takes the shocks' push.
#[inline]
pub fn trust_today(
    trust: f32,
    me: &Resident,
    word_of_mouth: f32,
    exposure: f32,
    push: f32,
    rumour_loss: f32,
    b: &Rules,
) -> f32 {
    unit(
        trust
            + (b.trust_relax * (me.trust_base - trust) + b.word_of_mouth * me.link * word_of_mouth
                - b.exposure_trust_loss * exposure
                + push
                - rumour_loss),
    )
}

/// Hardship relaxes to its baseline and takes the shocks' push, and the laid off bear
/// the share `borne` of a closure's daily loss of income ([`income_lost`]).
#[inline]
pub fn hardship_today(hardship: f32, base: f32, eff: &Effects, borne: f32, b: &Rules) -> f32 {
    let h = hardship + (b.hardship_relax * (base - hardship) + eff.hardship_push);
    unit(h + borne * eff.worker_hardship)
}

/// The share of a closure's daily loss of income a resident bears: none if not laid off,
/// all of it until a claim is answered, then `1 − claim_relief` (benefit, severance or
/// wages paid).
#[inline]
pub fn income_lost(laid_off: bool, claims: Claims, eff: &Effects) -> f32 {
    match (laid_off, claims.paid()) {
        (false, _) => 0.0,
        (true, false) => 1.0,
        (true, true) => 1.0 - eff.claim_relief.min(1.0),
    }
}

/// Trust a laid-off worker loses today while its claims go unanswered:
/// `claim_wait_trust` per open claim (grievance directed at the government).
#[inline]
pub fn waiting_loss(laid_off: bool, claims: Claims, eff: &Effects) -> f32 {
    if laid_off {
        eff.claim_wait_trust * claims.open() as f32
    } else {
        0.0
    }
}

/// A laid-off worker's claim at lay-off: with the day's chance `worker_claims`, a claim,
/// an unpaid-wage dispute (cross-department: the labour bureau and another department)
/// with chance `wage_share`, else registration and assistance (social assistance). It
/// is reported with [`report_chance`] like any other issue.
#[inline]
pub fn file_claim(
    me: &Resident,
    place: &Place,
    s: &ResidentState,
    laid_off: bool,
    ctx: &Context,
    dice: &Dice,
) -> Option<RaisedIssue> {
    let eff = place.effects;
    if !laid_off || eff.worker_claims <= 0.0 {
        return None;
    }
    let mut draw = dice.today(Purpose::Claim);
    if !draw.chance(eff.worker_claims as f64) {
        return None;
    }
    let category = if draw.chance(eff.wage_share as f64) {
        Category::CrossDepartment
    } else {
        Category::SocialAssistance
    };
    let p = report_chance(me, place.channel, s.trust, ctx);
    let reported = dice.chance(Purpose::Report, p as f64);
    Some(RaisedIssue {
        category,
        reported,
        claim: true,
    })
}

/// Need, the multiplier of a resident's issue rates: it rises with hardship, and the
/// elderly need more.
#[inline]
pub fn need(hardship: f32, age: u8, b: &Rules) -> f32 {
    (b.need_base + b.need_hardship * hardship) * if age == ELDERLY { b.elderly_need } else { 1.0 }
}

/// Raising an issue: one uniform draw picks "none" or a category, with each category's
/// rate scaled by need and the shocks; the sick and those at home (`sick_home`) raise
/// more. A raised issue is reported with [`report_chance`].
#[inline(always)]
pub fn raise_issue(
    me: &Resident,
    place: &Place,
    s: &ResidentState,
    sick_home: (bool, bool),
    laid_off: bool,
    ctx: &Context,
    dice: &Dice,
) -> Option<RaisedIssue> {
    let (sick, home) = sick_home;
    let eff = place.effects;
    let need = need(s.hardship, me.age, &ctx.rules);
    let u = dice.unit(Purpose::Raise) as f32;
    // Most days raise nothing: a draw above every category's rate needs no category.
    if !laid_off && !sick && !home && u >= need * place.raise_bound {
        return None;
    }
    let mut acc = 0.0f32;
    for category in Category::RAISED {
        let k = category as usize;
        let mut rate = ctx.base_rates[k] * need * eff.rate_mult[k];
        if laid_off && category == Category::SocialAssistance {
            rate *= eff.worker_assistance;
        }
        if sick {
            rate += ctx.epidemic.map_or(0.0, |ep| ep.sick_rates[k]);
        }
        if home {
            rate += ctx.epidemic.map_or(0.0, |ep| ep.control.home_rates[k]);
        }
        acc += rate;
        if u < acc {
            let p = report_chance(me, place.channel, s.trust, ctx);
            let reported = dice.chance(Purpose::Report, p as f64);
            return Some(RaisedIssue {
                category,
                reported,
                claim: false,
            });
        }
    }
    None
}

/// An upper bound on a resident's summed issue rates per unit of need in a community
/// under `eff`, for [`raise_issue`] to skip its categories when the day's draw is above
/// every rate. The sum of rates only grows category by category, and the bound exceeds
/// it by far more than rounding can (0.1%), so the shortcut never changes an outcome.
/// It holds for the plain rates: the laid off, the sick and those at home take the
/// categories one by one.
#[inline]
pub fn raise_bound(base_rates: &[f32; 8], eff: &Effects) -> f32 {
    let sum: f32 = Category::RAISED
        .iter()
        .map(|&c| base_rates[c as usize] * eff.rate_mult[c as usize])
        .sum();
    sum * 1.001
}

/// The chance a raised issue is reported through a channel: more with trust, and with
/// link strength × digital access × the channel's quality, which information sharing
/// improves.
#[inline]
pub fn report_chance(me: &Resident, channel: f32, trust: f32, ctx: &Context) -> f32 {
    let b = &ctx.rules;
    b.report_base
        + b.report_trust * trust
        + b.report_link * me.link * me.digital * channel * ctx.report_channel
}

/// The action decision (行动决策): a mediated resident sits out its cooldown; a protester
/// may be mediated; an adult (not a youth) may turn active by Epstein's rule, against its
/// own threshold (less what a concession nearby invites and the pull `pulled` of its
/// protesting co-workers), the day's cost of protest and its fatigue ([`protests`]); a
/// volunteer may stop; a quiet resident may start volunteering. Mediation sets the
/// cooldown and relieves hardship (and, when joint, restores trust) in `s`.
#[inline(always)]
pub fn decide_action(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    s: &mut ResidentState,
    pulled: f32,
    ctx: &Context,
    dice: &Dice,
) -> u8 {
    let prev = me.shown.activity;
    if s.cooldown > 0 {
        s.cooldown -= 1;
        if s.cooldown > 0 { MEDIATED } else { QUIET }
    } else if prev == PROTESTING && dice.chance(Purpose::Mediation, place.p_mediate as f64) {
        s.cooldown = ctx.collective.mediation_days;
        s.hardship = unit(s.hardship - ctx.collective.mediation_relief as f32);
        s.trust = unit(s.trust + place.mediation_trust);
        MEDIATED
    } else if protests(me, place, nb, s, pulled, ctx, dice) {
        PROTESTING
    } else if prev == VOLUNTEERING {
        if dice.chance(
            Purpose::Volunteer,
            volunteer_stop_chance(&ctx.rules, place.kept),
        ) {
            QUIET
        } else {
            VOLUNTEERING
        }
    } else {
        // The draw first: for most quiet residents it lies above anyone's chance of
        // starting today, and the chance itself need not be worked out.
        let u = dice.unit(Purpose::Volunteer);
        let bound = volunteer_bound(ctx);
        if u >= bound as f64 {
            return QUIET;
        }
        let p = volunteer_chance(me, nb, s.hardship, s.points, ctx);
        debug_assert!(
            p <= bound,
            "volunteering chance {p} above its bound {bound}"
        );
        if u < p as f64 { VOLUNTEERING } else { QUIET }
    }
}

/// Whether an adult protests today: youth never do; an adult weighs its grievance
/// against Epstein's risk (at least the policing risk), its own threshold (drawn once
/// for its life, less what a concession nearby invites, what its protesting ties pull
/// and what its protesting co-workers pull, `pulled`), the day's cost and its fatigue.
#[inline]
pub fn protests(
    me: &Resident,
    place: &Place,
    nb: &Neighbourhood,
    s: &ResidentState,
    pulled: f32,
    ctx: &Context,
    dice: &Dice,
) -> bool {
    if me.age == YOUTH {
        return false;
    }
    let k = &ctx.collective;
    let burden = k.protest_cost as f32 + s.fatigue;
    // The cheapest test first: below the least threshold nobody protests, so the
    // resident's own threshold is drawn only for those who might.
    let lowered = place.invites + pull(k, nb.protesting, nb.ties) + pulled;
    let grievance = s.hardship * (1.0 - s.trust);
    if grievance - burden <= k.threshold as f32 - lowered {
        return false;
    }
    let own = own_threshold(k, dice.for_life(Purpose::Threshold));
    let restraint = Restraint {
        threshold: own - lowered,
        burden,
        police: place.police,
    };
    turns_active(
        k,
        s.hardship,
        s.trust,
        me.risk_aversion,
        place.mediators,
        nb.protesting,
        &restraint,
    )
}

/// The daily chance a volunteer stops: `volunteer_stop`, plus `volunteer_stop_unkept` ×
/// the share of its grid's volunteers the office did not keep yesterday (volunteers
/// nobody dispatches or guides drift away).
#[inline]
pub fn volunteer_stop_chance(b: &Rules, kept: f32) -> f64 {
    b.volunteer_stop + b.volunteer_stop_unkept * (1.0 - kept as f64)
}

/// The daily chance of starting to volunteer (`002`'s action decision): rate ×
/// capacity (less with hardship, youth and age) × cognition (information sharing, link
/// strength, digital access) × environment (shared goals × one's points, and
/// volunteering ties) × link strength. Without shared goals a linked resident starts
/// only where its ties already volunteer: linked without acting (只联不动).
#[inline]
pub fn volunteer_chance(
    me: &Resident,
    nb: &Neighbourhood,
    hardship: f32,
    points: f32,
    ctx: &Context,
) -> f32 {
    let b = &ctx.rules;
    let capacity = (1.0 - hardship)
        * match me.age {
            YOUTH => b.volunteer_capacity_youth,
            ELDERLY => b.volunteer_capacity_elderly,
            _ => 1.0,
        };
    let cognition = (b.volunteer_cognition_base + ctx.cognition_linkage * me.link)
        * (b.volunteer_digital_base + b.volunteer_digital * me.digital);
    let degree = nb.ties.max(1) as f32;
    let environment = ctx.links.goals
        * (b.volunteer_environment_base + b.points_pull * points).min(b.volunteer_environment_cap)
        + b.volunteer_neighbours * nb.volunteering as f32 / degree;
    b.volunteer_rate * capacity * cognition * environment * me.link
}

/// An upper bound on anyone's [`volunteer_chance`] today, so that [`decide_action`] can
/// skip working the chance out when the day's draw lies above it. Each factor at its
/// largest: no hardship, link strength, digital access and the share of volunteering
/// ties 1, points at the environment's cap. Every coefficient is non-negative (the
/// scenario's checks), points only grow from 0, and the margin exceeds `f32` rounding
/// by far, so the shortcut never changes an outcome (`raise_bound` does the same for
/// issues). It depends on the context alone: a few multiplications of constants, which
/// the compiler may take out of the resident loop, against the chance's dozen
/// operations and a division.
#[inline]
pub fn volunteer_bound(ctx: &Context) -> f32 {
    let b = &ctx.rules;
    let capacity = b
        .volunteer_capacity_youth
        .max(b.volunteer_capacity_elderly)
        .max(1.0);
    let cognition = (b.volunteer_cognition_base + ctx.cognition_linkage)
        * (b.volunteer_digital_base + b.volunteer_digital);
    let environment = ctx.links.goals.abs() * b.volunteer_environment_cap + b.volunteer_neighbours;
    b.volunteer_rate * capacity * cognition * environment * 1.001
}

/// The word-of-mouth signal passed on tomorrow: yesterday's, decayed; a protester's is
/// at most −`protest_voice`.
#[inline]
pub fn voice(experience: f32, activity: u8, b: &Rules) -> f32 {
    let decayed = experience * b.experience_decay;
    if activity == PROTESTING {
        decayed.min(-(b.protest_voice))
    } else {
        decayed
    }
}

/// The harm done to a resident today, besides exposure: the flood damage in its
/// community, being sick (infectious), being laid off.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Harm {
    pub damage: f32,
    pub sick: bool,
    pub laid_off: bool,
}

/// 安全感, the sense of security: 1 − insecurity, where insecurity is exposure to
/// incidents and protest plus one's own harm (`security_damage` × the flood damage in
/// one's community, `security_illness` while sick, `security_job_loss` while laid off),
/// at most 1.
#[inline]
pub fn security(exposure: f32, harm: &Harm, b: &Rules) -> f32 {
    let own = b.security_damage * harm.damage.min(1.0)
        + if harm.sick { b.security_illness } else { 0.0 }
        + if harm.laid_off {
            b.security_job_loss
        } else {
            0.0
        };
    1.0 - (exposure + own).min(1.0)
}

/// 幸福感, the sense of happiness: the weighted mean of the sense of gain (share of one's
/// issues resolved), the sense of security, relief from hardship (1 − H) and trust, with
/// weights `behaviour.happiness_*` (which sum to one). One definition, used by every
/// output.
#[inline]
pub fn happiness(gain: f32, security: f32, hardship: f32, trust: f32, b: &Rules) -> f32 {
    let [wg, ws, wr, wt] = b.happiness_weights;
    wg * gain + ws * security + wr * (1.0 - hardship) + wt * trust
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The baseline's values (`scenarios/xcity-baseline.toml`).
    fn behaviour() -> BehaviourSpec {
        crate::scenario::builtin::xcity_baseline().behaviour
    }

    /// The baseline's values (`scenarios/xcity-baseline.toml`).
    fn collective() -> CollectiveSpec {
        crate::scenario::builtin::xcity_baseline().collective
    }

    /// The baseline's issue rates, each `factor` times as high.
    fn baseline_rates_times(factor: f32) -> [f32; 8] {
        crate::scenario::builtin::xcity_baseline()
            .issues
            .daily_rates()
            .map(|r| r * factor)
    }

    /// A rumour that spreads over weak ties only.
    fn a_rumour() -> RumourNow {
        RumourNow {
            spread: 0.5,
            trust_loss: 0.01,
            p_debunk: 0.1,
            receptive_share: 0.2,
            receptive_distrust: 0.2,
            debunk_grid: 0.5,
            debunk_orgs: 0.1,
            debunk_ties: 0.3,
            strong_spread: 0.0,
        }
    }

    fn mech() -> Mechanisms {
        Mechanisms::preset("linkage").unwrap()
    }

    fn context(b: &BehaviourSpec, k: &CollectiveSpec, m: &Mechanisms) -> Context {
        let population = crate::scenario::builtin::xcity_baseline().population;
        let links = LinkRules::new(
            &super::super::LinkSpec::default(),
            &population,
            m.social,
            b.points_per_day,
        );
        Context::new(7, 3, b, k, m, [0.0; 8], 0.3).with_links(links)
    }

    fn adult() -> Resident {
        Resident {
            id: 42,
            age: ADULT,
            link: 0.8,
            staff_contact: 0.7,
            member: true,
            digital: 0.7,
            risk_aversion: 0.5,
            hardship_base: 0.2,
            trust_base: 0.7,
            shown: Visible::default(),
        }
    }

    fn calm(effects: &Effects) -> Place<'_> {
        Place {
            effects,
            incident: false,
            p_mediate: 0.0,
            channel: 1.0,
            mediators: 0.0,
            visits: 0.0,
            orgs_active: 0.0,
            kept: 1.0,
            police: 0.0,
            invites: 0.0,
            mediation_trust: 0.0,
            coworkers: 0.0,
            raise_bound: f32::INFINITY,
        }
    }

    #[test]
    fn trust_relaxes_to_its_baseline_and_follows_word_of_mouth() {
        let b = Rules::new(&behaviour());
        let me = adult();
        // Below the baseline with nothing said: trust rises toward it, without passing it.
        let up = trust_today(0.5, &me, 0.0, 0.0, 0.0, 0.0, &b);
        assert!(up > 0.5 && up < me.trust_base, "{up}");
        // Above the baseline: trust falls toward it.
        let down = trust_today(0.9, &me, 0.0, 0.0, 0.0, 0.0, &b);
        assert!(down < 0.9 && down > me.trust_base, "{down}");
        // Good word of mouth raises trust, bad word lowers it, more with a stronger link.
        let at = me.trust_base;
        assert!(trust_today(at, &me, 1.0, 0.0, 0.0, 0.0, &b) > at);
        assert!(trust_today(at, &me, -1.0, 0.0, 0.0, 0.0, &b) < at);
        let weak = Resident { link: 0.1, ..me };
        assert!(
            trust_today(at, &weak, 1.0, 0.0, 0.0, 0.0, &b)
                < trust_today(at, &me, 1.0, 0.0, 0.0, 0.0, &b)
        );
        // Exposure and a believed rumour cost trust; trust stays in [0, 1].
        assert!(trust_today(at, &me, 0.0, 1.0, 0.0, 0.0, &b) < at);
        assert!(trust_today(at, &me, 0.0, 0.0, 0.0, 0.05, &b) < at);
        assert_eq!(trust_today(0.0, &me, -1.0, 1.0, -1.0, 1.0, &b), 0.0);
    }

    #[test]
    fn hardship_relaxes_and_a_closure_adds_to_it() {
        let b = Rules::new(&behaviour());
        let effects = Effects {
            worker_hardship: 0.03,
            ..Effects::NEUTRAL
        };
        let h = hardship_today(0.5, 0.2, &effects, 0.0, &b);
        assert!(h < 0.5 && h > 0.2, "{h}");
        assert!(hardship_today(0.5, 0.2, &effects, 1.0, &b) > h);
        assert_eq!(hardship_today(1.0, 1.0, &effects, 1.0, &b), 1.0);
    }

    #[test]
    fn exposure_decays_and_grows_with_incidents_and_protest_around() {
        let b = Rules::new(&behaviour());
        assert!(exposure_today(0.5, false, 0, &b) < 0.5);
        assert!(exposure_today(0.0, true, 0, &b) > 0.0);
        assert!(exposure_today(0.0, false, 3, &b) > exposure_today(0.0, false, 1, &b));
        assert_eq!(exposure_today(1.0, true, 100, &b), 1.0);
    }

    #[test]
    fn need_rises_with_hardship_and_the_elderly_need_more() {
        let spec = behaviour();
        let b = Rules::new(&spec);
        assert!(need(0.8, ADULT, &b) > need(0.2, ADULT, &b));
        assert_eq!(need(0.5, ADULT, &b), 1.0);
        assert!(need(0.5, ELDERLY, &b) > need(0.5, ADULT, &b));
        let flat = Rules::new(&BehaviourSpec {
            need_hardship: 0.0,
            ..spec
        });
        assert_eq!(need(0.9, ADULT, &flat), need(0.1, ADULT, &flat));
    }

    #[test]
    fn reporting_rises_with_trust_and_information_sharing() {
        let (b, k) = (behaviour(), collective());
        let shared = mech();
        let silo = Mechanisms {
            information_sharing: 0.0,
            ..shared
        };
        let me = adult();
        let ctx = context(&b, &k, &shared);
        assert!(report_chance(&me, 1.0, 0.9, &ctx) > report_chance(&me, 1.0, 0.1, &ctx));
        let ctx_silo = context(&b, &k, &silo);
        assert!(report_chance(&me, 1.0, 0.5, &ctx) > report_chance(&me, 1.0, 0.5, &ctx_silo));
        // Without a channel only trust and the base remain.
        assert_eq!(report_chance(&me, 0.0, 0.5, &ctx), 0.2 + 0.5 * 0.5);
    }

    #[test]
    fn volunteers_their_office_does_not_keep_stop_more_often() {
        let b = Rules::new(&behaviour());
        assert_eq!(volunteer_stop_chance(&b, 1.0), b.volunteer_stop);
        let none = volunteer_stop_chance(&b, 0.0);
        assert!((none - b.volunteer_stop - b.volunteer_stop_unkept).abs() < 1e-12);
        let half = volunteer_stop_chance(&b, 0.5);
        assert!(b.volunteer_stop < half && half < none);
        // Through the day's decision: a volunteer in an unkept grid stops more often.
        let (bs, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&bs, &k, &m);
        let effects = Effects::NEUTRAL;
        let kept = calm(&effects);
        let unkept = Place { kept: 0.0, ..kept };
        let nb = Neighbourhood::of(10);
        let stops = |place: &Place| {
            (0..4000u32)
                .filter(|&id| {
                    let mut me = adult();
                    me.id = id;
                    me.shown.activity = VOLUNTEERING;
                    let mut s = ResidentState {
                        hardship: 0.1,
                        trust: 0.9,
                        ..ResidentState::default()
                    };
                    let dice = Dice::keyed(ctx.today, ctx.life, id);
                    decide_action(&me, place, &nb, &mut s, 0.0, &ctx, &dice) == QUIET
                })
                .count()
        };
        let (a, z) = (stops(&kept), stops(&unkept));
        assert!(z > a + 200, "unkept {z} vs kept {a}");
    }

    #[test]
    fn volunteering_needs_capacity_and_youth_and_elderly_have_less() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        let nb = Neighbourhood::of(10);
        let me = adult();
        let p = volunteer_chance(&me, &nb, 0.2, 0.0, &ctx);
        assert!(p > 0.0);
        assert_eq!(volunteer_chance(&me, &nb, 1.0, 0.0, &ctx), 0.0);
        let youth = Resident { age: YOUTH, ..me };
        let elderly = Resident { age: ELDERLY, ..me };
        assert!(volunteer_chance(&youth, &nb, 0.2, 0.0, &ctx) < p);
        assert!(volunteer_chance(&elderly, &nb, 0.2, 0.0, &ctx) < p);
        // Points and volunteering ties pull; the points' pull is capped.
        assert!(volunteer_chance(&me, &nb, 0.2, 10.0, &ctx) > p);
        assert_eq!(
            volunteer_chance(&me, &nb, 0.2, 1e6, &ctx),
            volunteer_chance(&me, &nb, 0.2, 1e7, &ctx)
        );
        let busy = Neighbourhood {
            volunteering: 5,
            ..nb
        };
        assert!(volunteer_chance(&me, &busy, 0.2, 0.0, &ctx) > p);
    }

    #[test]
    fn links_without_shared_goals_do_not_act() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        let nb = Neighbourhood::of(10);
        let strong = Resident {
            link: 1.0,
            ..adult()
        };
        assert!(volunteer_chance(&strong, &nb, 0.2, 0.0, &ctx) > 0.0);
        // No shared goals: however strong the link, nobody starts alone (只联不动) ...
        let hollow = Context {
            links: LinkRules {
                goals: 0.0,
                ..ctx.links
            },
            ..ctx.clone()
        };
        assert_eq!(volunteer_chance(&strong, &nb, 0.2, 10.0, &hollow), 0.0);
        // ... only where ties already volunteer; and more goals, more action.
        let busy = Neighbourhood {
            volunteering: 5,
            ..nb
        };
        assert!(volunteer_chance(&strong, &busy, 0.2, 0.0, &hollow) > 0.0);
        let keen = Context {
            links: LinkRules {
                goals: 1.0,
                ..ctx.links
            },
            ..ctx.clone()
        };
        assert!(
            volunteer_chance(&strong, &nb, 0.2, 0.0, &keen)
                > volunteer_chance(&strong, &nb, 0.2, 0.0, &ctx)
        );
    }

    #[test]
    fn a_visit_an_active_organisation_and_service_build_the_days_link() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        let effects = Effects::NEUTRAL;
        let quiet = calm(&effects);
        let me = Resident {
            link: 0.5,
            ..adult()
        };
        let nb = Neighbourhood {
            weight: 9.2,
            ..Neighbourhood::of(12)
        };
        let alone = link_after(&me, &quiet, &nb, 0.0, &ctx.links);
        assert!(alone < me.link);
        let visited = Place {
            visits: 0.1,
            ..quiet
        };
        assert!(link_after(&me, &visited, &nb, 0.0, &ctx.links) > alone);
        let active = Place {
            orgs_active: 1.0,
            ..quiet
        };
        assert!(link_after(&me, &active, &nb, 0.0, &ctx.links) > alone);
        let outsider = Resident {
            member: false,
            ..me
        };
        assert_eq!(link_after(&outsider, &active, &nb, 0.0, &ctx.links), alone);
        assert!(link_after(&me, &quiet, &nb, 2.0, &ctx.links) > alone);
        // The day returns it; without the link rules nothing moves.
        let mut s = ResidentState {
            hardship: 0.3,
            trust: 0.6,
            ..ResidentState::default()
        };
        assert_eq!(step(&me, &visited, &nb, &mut s, &ctx).link, {
            link_after(&me, &visited, &nb, 0.0, &ctx.links)
        });
        let fixed = Context {
            links: LinkRules::FIXED,
            ..ctx.clone()
        };
        assert_eq!(step(&me, &visited, &nb, &mut s, &fixed).link, me.link);
    }

    #[test]
    fn the_rumour_travels_over_weak_ties_only() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let rumour = a_rumour();
        let ctx = context(&b, &k, &m).with_shocks(None, Some(rumour));
        let believer = Visible::new(0.0, QUIET, SUSCEPTIBLE, BELIEVES);
        let shown = [believer, Visible::default()];
        let nb = Neighbourhood::hear_ties(&shown, &[0], &[], ctx.hearing);
        assert_eq!((nb.believing_weak, nb.believing_strong), (0, 1));
        let nb = Neighbourhood::hear_ties(&shown, &[0, 1], &[0], ctx.hearing);
        assert_eq!((nb.believing_weak, nb.believing_strong), (1, 1));
        assert_eq!((nb.weight, nb.ties), (2.0 + 0.3, 3));
        // With no rumour running nobody counts believers.
        let quiet = context(&b, &k, &m);
        let nb = Neighbourhood::hear_ties(&shown, &[], &[0], quiet.hearing);
        assert_eq!(nb.believing_weak, 0);
    }

    #[test]
    fn a_resident_with_more_ties_than_a_lane_counts_is_counted_again() {
        // 70,000 ties, most mediated (the top lane wraps), some protesting and
        // volunteering, all saying 1 (the 32-bit sum of signals wraps): the counts and
        // word of mouth are exact.
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        let shown = [
            Visible::new(1.0, MEDIATED, SUSCEPTIBLE, NEVER),
            Visible::new(1.0, PROTESTING, SUSCEPTIBLE, NEVER),
            Visible::new(1.0, VOLUNTEERING, SUSCEPTIBLE, NEVER),
        ];
        let weak: Vec<u32> = (0..70_000u32)
            .map(|i| match i % 10 {
                0 => 1,
                1 | 2 => 2,
                _ => 0,
            })
            .collect();
        let nb = Neighbourhood::hear_ties(&shown, &[1, 2, 0], &weak, ctx.hearing);
        assert_eq!(nb.ties, 70_003);
        assert_eq!((nb.protesting, nb.volunteering), (7_001, 14_001));
        let said = 3.0 + 0.3 * 70_000.0;
        assert!(
            (nb.word_of_mouth - said).abs() < 1e-3 * said,
            "{}",
            nb.word_of_mouth
        );
    }

    #[test]
    fn word_of_mouth_is_the_weighted_mean_of_what_ties_say() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        assert_eq!(Neighbourhood::of(2).mean_word_of_mouth(), 0.0);
        let say = |experience, activity| Visible::new(experience, activity, SUSCEPTIBLE, NEVER);
        let shown = [
            say(1.0, QUIET),
            say(-1.0, PROTESTING),
            say(0.5, VOLUNTEERING),
            say(0.25, MEDIATED),
            say(-0.5, PROTESTING),
        ];
        let nb = Neighbourhood::hear_ties(&shown, &[0], &[1], ctx.hearing);
        let expected = (1.0 - 0.3) / 1.3;
        // A signal is kept to 1/32,767.
        assert!((nb.mean_word_of_mouth() - expected).abs() < 1e-4);
        // Odd and even numbers of ties, activities counted whatever the order.
        let nb = Neighbourhood::hear_ties(&shown, &[0, 1, 2], &[3, 4, 1, 2], ctx.hearing);
        let said = 1.0 - 1.0 + 0.5 + 0.3 * (0.25 - 0.5 - 1.0 + 0.5);
        assert!((nb.word_of_mouth - said).abs() < 1e-4);
        assert!((nb.weight - (3.0 + 0.3 * 4.0)).abs() < 1e-6);
        assert_eq!((nb.protesting, nb.volunteering, nb.ties), (3, 2, 7));
    }

    #[test]
    fn an_aggrieved_resident_protests_and_a_mediated_one_sits_out_the_cooldown() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        let effects = Effects::NEUTRAL;
        let place = calm(&effects);
        let me = Resident {
            risk_aversion: 0.0,
            ..adult()
        };
        let nb = Neighbourhood::of(5);
        // Grievance H(1 − L) = 0.9 × 0.9 far above the threshold, no mediators.
        let mut s = ResidentState {
            hardship: 0.9,
            trust: 0.1,
            ..ResidentState::default()
        };
        let day = step(&me, &place, &nb, &mut s, &ctx);
        assert_eq!(day.shown.activity, PROTESTING);
        // (Kept to 1/32,767, cut toward zero.)
        assert!(day.shown.experience() <= -(b.protest_voice as f32) + 1.0 / VOICE_SCALE);
        // Certain mediation of a protester: mediated, hardship relieved, cooldown set.
        let protester = Resident {
            shown: day.shown,
            ..me
        };
        let mediating = Place {
            p_mediate: 1.0,
            ..place
        };
        let before = s.hardship;
        let day = step(&protester, &mediating, &nb, &mut s, &ctx);
        assert_eq!(day.shown.activity, MEDIATED);
        assert_eq!(s.cooldown, k.mediation_days);
        assert!(s.hardship < before);
        // Then quiet for the cooldown, whatever the grievance.
        let mut days = 1;
        let mut shown = day.shown;
        while s.cooldown > 0 {
            let r = Resident { shown, ..me };
            shown = step(&r, &place, &nb, &mut s, &ctx).shown;
            days += 1;
            assert!(shown.activity == MEDIATED || (s.cooldown == 0 && shown.activity == QUIET));
        }
        assert_eq!(days, k.mediation_days as usize + 1);
    }

    #[test]
    fn a_resident_raises_an_issue_when_the_rates_say_so_and_remembers_it() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let effects = Effects::NEUTRAL;
        let place = calm(&effects);
        let nb = Neighbourhood::of(5);
        let mut s = ResidentState {
            hardship: 0.5,
            trust: 0.8,
            ..ResidentState::default()
        };
        // No rates: never an issue.
        let ctx = context(&b, &k, &m);
        for tick in 0..50 {
            let ctx = ctx.clone().on_day(7, tick);
            assert_eq!(step(&adult(), &place, &nb, &mut s, &ctx).issue, None);
        }
        // A routine rate of 1 per day at need 1: an issue every day, a routine one.
        let mut rates = [0.0; 8];
        rates[Category::Routine as usize] = 1.0;
        let ctx = Context {
            base_rates: rates,
            ..ctx
        };
        let mut s = ResidentState {
            hardship: 0.5,
            trust: 0.8,
            ..ResidentState::default()
        };
        let day = step(&adult(), &place, &nb, &mut s, &ctx);
        assert_eq!(day.issue.map(|i| i.category), Some(Category::Routine));
        // Counted as raised, then faded by a day of memory; the sense of gain falls.
        assert!((s.outcomes.raised - ctx.memory).abs() < 1e-6);
        assert!(day.gain < Outcomes::default().gain());
    }

    #[test]
    fn happiness_is_the_weighted_mean_of_its_four_senses() {
        let b = Rules::new(&behaviour());
        assert_eq!(happiness(1.0, 1.0, 0.0, 1.0, &b), 1.0);
        assert_eq!(happiness(0.0, 0.0, 1.0, 0.0, &b), 0.0);
        assert_eq!(happiness(0.5, 1.0, 0.5, 0.0, &b), 0.5);
        // Other weights: all on security.
        let secure = Rules::new(&BehaviourSpec {
            happiness_gain: 0.0,
            happiness_security: 1.0,
            happiness_relief: 0.0,
            happiness_trust: 0.0,
            ..behaviour()
        });
        assert_eq!(happiness(0.0, 0.7, 1.0, 0.0, &secure), 0.7);
        let tilted = Rules::new(&BehaviourSpec {
            happiness_gain: 0.1,
            happiness_security: 0.2,
            happiness_relief: 0.3,
            happiness_trust: 0.4,
            ..behaviour()
        });
        let h = happiness(1.0, 0.5, 0.5, 0.0, &tilted);
        assert!((h - (0.1 + 0.2 * 0.5 + 0.3 * 0.5)).abs() < 1e-6, "{h}");
    }

    #[test]
    fn damage_illness_and_job_loss_lower_security() {
        let b = Rules::new(&behaviour());
        let none = Harm::default();
        assert_eq!(security(0.0, &none, &b), 1.0);
        assert!((security(0.2, &none, &b) - 0.8).abs() < 1e-6);
        let flooded = Harm {
            damage: 0.8,
            ..none
        };
        let sick = Harm { sick: true, ..none };
        let laid_off = Harm {
            laid_off: true,
            ..none
        };
        for harm in [flooded, sick, laid_off] {
            assert!(security(0.0, &harm, &b) < 1.0, "{harm:?}");
            assert!(security(0.2, &harm, &b) < security(0.2, &none, &b));
        }
        let all = Harm {
            damage: 1.0,
            sick: true,
            laid_off: true,
        };
        assert_eq!(security(1.0, &all, &b), 0.0, "security stays in [0, 1]");
        // Through the day: a resident in a flooded community is less secure and less happy.
        let (bs, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&bs, &k, &m);
        let calm_effects = Effects::NEUTRAL;
        let flood_effects = Effects {
            damage: 0.8,
            ..Effects::NEUTRAL
        };
        let nb = Neighbourhood::of(5);
        let start = ResidentState {
            hardship: 0.3,
            trust: 0.6,
            ..ResidentState::default()
        };
        let (mut a, mut f) = (start, start);
        let dry = step(&adult(), &calm(&calm_effects), &nb, &mut a, &ctx);
        let wet = step(&adult(), &calm(&flood_effects), &nb, &mut f, &ctx);
        assert!(wet.security < dry.security && wet.happiness < dry.happiness);
    }

    #[test]
    fn the_same_day_gives_the_same_draws() {
        let (b, k, m) = (behaviour(), collective(), mech());
        let ctx = context(&b, &k, &m);
        let effects = Effects::NEUTRAL;
        let place = calm(&effects);
        let nb = Neighbourhood::of(5);
        let start = ResidentState {
            hardship: 0.3,
            trust: 0.6,
            ..ResidentState::default()
        };
        let (mut a, mut c) = (start, start);
        let da = step(&adult(), &place, &nb, &mut a, &ctx);
        let dc = step(&adult(), &place, &nb, &mut c, &ctx);
        assert_eq!((da, a), (dc, c));
    }

    #[test]
    fn the_raise_bound_never_changes_what_is_raised() {
        // With the baseline's rates, scaled up so a good share of draws raise something,
        // and rate multipliers of a shock: the shortcut and the category-by-category walk
        // agree on every draw, for residents of every need.
        let (b, k, m) = (behaviour(), collective(), mech());
        let rates = baseline_rates_times(40.0);
        let mut ctx = context(&b, &k, &m);
        ctx.base_rates = rates;
        let mut effects = Effects::NEUTRAL;
        effects.rate_mult = [1.0, 2.5, 0.7, 1.3, 3.0, 1.0, 1.1, 0.9];
        let walk = calm(&effects);
        let bounded = Place {
            raise_bound: raise_bound(&rates, &effects),
            ..walk
        };
        let (mut raised, mut skipped) = (0, 0);
        for id in 0..4000u32 {
            let me = Resident {
                id,
                age: [YOUTH, ADULT, ELDERLY][id as usize % 3],
                ..adult()
            };
            let s = ResidentState {
                hardship: (id % 101) as f32 / 100.0,
                trust: 0.5,
                ..ResidentState::default()
            };
            let dice = Dice::new(11, id, 5);
            let a = raise_issue(&me, &walk, &s, (false, false), false, &ctx, &dice);
            let z = raise_issue(&me, &bounded, &s, (false, false), false, &ctx, &dice);
            assert_eq!(a, z, "resident {id}");
            let u = dice.unit(Purpose::Raise) as f32;
            let need = need(s.hardship, me.age, &ctx.rules);
            skipped += (u >= need * bounded.raise_bound) as u32;
            raised += a.is_some() as u32;
        }
        // Both branches were taken, and the bound is tight: few draws fall between it
        // and the rates.
        assert!(
            raised > 400 && skipped > 1000,
            "raised {raised}, skipped {skipped}"
        );
        assert!(
            skipped + raised > 3950,
            "raised {raised}, skipped {skipped}"
        );
    }

    #[test]
    fn a_day_without_shocks_is_the_same_with_their_rules_left_out() {
        // Residents of every kind, state and neighbourhood, some still marked by a past
        // epidemic (infected, at home, flags of a day), a past rumour or a closure's
        // claims, under a flood's effects and rates high enough to raise issues: where
        // no shock reaches, the day without the shocks' rules is the same, bit for bit.
        let (b, k, m) = (behaviour(), collective(), mech());
        let rates = baseline_rates_times(20.0);
        let ctx = Context {
            base_rates: rates,
            ..context(&b, &k, &m)
        };
        let effects = Effects {
            hardship_push: 0.01,
            damage: 0.6,
            trust_push: -0.02,
            rate_mult: [1.0, 2.0, 0.5, 1.5, 3.0, 1.0, 1.2, 0.8],
            ..Effects::NEUTRAL
        };
        assert!(!shocks_reach(&ctx, &effects));
        let (mut raised, mut active, mut marked) = (0, 0, 0);
        for id in 0..6000u32 {
            let x = |salt: u64| crate::base::rng::stream(5, Purpose::Probe, id as u64, salt).unit();
            let pick = |salt: u64, n: usize| (x(salt) * n as f64) as usize;
            let health =
                pick(1, 4) as u8 | [0, AT_HOME, ISOLATED_TODAY | DETECTED_TODAY][pick(2, 3)];
            let shown = Visible::new(
                x(3) as f32 * 2.0 - 1.0,
                [QUIET, VOLUNTEERING, PROTESTING, MEDIATED][pick(4, 4)],
                health,
                [NEVER, BELIEVES, DEBUNKED][pick(5, 3)],
            );
            marked += (health & !DISEASE != 0 || shown.rumour() != NEVER) as u32;
            let me = Resident {
                id,
                age: [YOUTH, ADULT, ELDERLY][pick(6, 3)],
                link: x(7) as f32,
                risk_aversion: x(8) as f32,
                shown,
                ..adult()
            };
            let mut claims = Claims::default();
            for _ in 0..pick(9, 3) {
                claims = claims.filed();
            }
            let s = ResidentState {
                hardship: x(10) as f32,
                trust: x(11) as f32,
                exposure: x(12) as f32 * 0.3,
                points: x(13) as f32 * 5.0,
                cooldown: [0, 0, 0, 2][pick(14, 4)],
                fatigue: x(15) as f32 * 0.5,
                claims: if pick(16, 2) == 0 {
                    claims
                } else {
                    claims.ended(true)
                },
                ..ResidentState::default()
            };
            let ties = pick(17, 30) as u32;
            let nb = Neighbourhood {
                protesting: (x(18) * ties as f64 * 0.5) as u32,
                volunteering: (x(19) * ties as f64 * 0.5) as u32,
                weight: ties as f32 * 0.8,
                word_of_mouth: (x(20) as f32 - 0.5) * ties as f32,
                ..Neighbourhood::of(ties as usize)
            };
            let place = Place {
                incident: pick(21, 4) == 0,
                p_mediate: x(22) as f32,
                mediators: x(23) as f32 * 3.0,
                visits: x(24) as f32,
                orgs_active: x(25) as f32,
                kept: x(26) as f32,
                ..calm(&effects)
            };
            let (mut a, mut z) = (s, s);
            let day = step(&me, &place, &nb, &mut a, &ctx);
            let quick = step_unshocked(&me, &place, &nb, &mut z, &ctx);
            assert_eq!(day, quick, "resident {id}");
            assert_eq!(a, z, "resident {id}");
            raised += day.issue.is_some() as u32;
            active += (day.shown.activity != QUIET) as u32;
        }
        // The cases that matter occurred.
        assert!(
            raised > 300 && active > 1000 && marked > 3000,
            "raised {raised}, active {active}, marked {marked}"
        );
        // And a shock that runs, or seeds or hits the community, sends the day the long way.
        let seeded = |f: fn(&mut Effects)| {
            let mut e = effects;
            f(&mut e);
            shocks_reach(&ctx, &e)
        };
        assert!(seeded(|e| e.epidemic_seed = 0.01));
        assert!(seeded(|e| e.rumour_seed = 0.01));
        assert!(seeded(|e| e.worker_share = 0.3));
        let rumour = a_rumour();
        assert!(shocks_reach(
            &ctx.clone().with_shocks(None, Some(rumour)),
            &effects
        ));
        let epidemic = EpidemicNow {
            transmission: 0.05,
            p_onset: 0.2,
            p_recover: 0.1,
            sick_rates: [0.0; 8],
            staff_sickness: 0.0,
            control: crate::model::shocks::epidemic::Control::NONE,
        };
        assert!(shocks_reach(
            &ctx.clone().with_shocks(Some(epidemic), None),
            &effects
        ));
    }

    #[test]
    fn the_volunteer_bound_holds_for_every_resident_and_skips_most_draws() {
        // Coefficients at the baseline and at their checked extremes (every unit-range
        // one at 1, amounts at the largest allowed), information sharing from none to
        // full, goals of every sign and size, and residents of every age, hardship,
        // link, digital access, points and volunteering ties: no chance exceeds the
        // bound, so the shortcut never changes a decision.
        let (base, k) = (behaviour(), collective());
        let mut wide = behaviour();
        wide.volunteer_rate = 1.0;
        wide.volunteer_capacity_youth = 1.0;
        wide.volunteer_capacity_elderly = 1.0;
        wide.volunteer_cognition_base = 1.0;
        wide.volunteer_cognition_linkage = 1.0;
        wide.volunteer_digital_base = 1.0;
        wide.volunteer_digital = 1.0;
        // The amounts at the checks' largest (`MAX_AMOUNT`), the base above the cap.
        wide.volunteer_environment_base = 1e6;
        wide.volunteer_environment_cap = 5e5;
        wide.volunteer_neighbours = 1e6;
        wide.points_pull = 1.0;
        let mut checked = 0;
        for (b, sharing) in [(&base, 1.0), (&wide, 1.0), (&wide, 0.0), (&base, 0.4)] {
            let m = Mechanisms {
                information_sharing: sharing,
                ..mech()
            };
            for goals in [0.0f32, 0.3, 1.0, 7.5, -0.4] {
                let ctx = context(b, &k, &m);
                let ctx = ctx.clone().with_links(LinkRules { goals, ..ctx.links });
                let bound = volunteer_bound(&ctx);
                for id in 0..3000u32 {
                    let x = |salt: u64| {
                        crate::base::rng::stream(9, Purpose::Probe, id as u64, salt).unit()
                    };
                    // Each input's extreme chosen by its own draw, so that every
                    // combination of extremes occurs.
                    let pick = |salt: u64, n: usize| (x(salt) * n as f64) as usize;
                    let me = Resident {
                        age: [YOUTH, ADULT, ELDERLY][pick(7, 3)],
                        link: if pick(8, 3) == 0 { 1.0 } else { x(1) as f32 },
                        digital: if pick(9, 3) == 0 { 1.0 } else { x(2) as f32 },
                        ..adult()
                    };
                    let ties = (x(3) * 40.0) as u32;
                    let nb = Neighbourhood {
                        volunteering: if pick(10, 2) == 0 {
                            ties
                        } else {
                            (x(4) * ties as f64) as u32
                        },
                        ..Neighbourhood::of(ties as usize)
                    };
                    let hardship = if pick(11, 3) == 0 { 0.0 } else { x(5) as f32 };
                    let points = [0.0, 1.0, 1e6][pick(12, 3)] * x(6) as f32;
                    let p = volunteer_chance(&me, &nb, hardship, points, &ctx);
                    assert!(
                        p <= bound,
                        "chance {p} above the bound {bound} (goals {goals})"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 4 * 5 * 3000);
        // At the baseline the bound is small, so most quiet residents' draws skip the
        // chance: the shortcut is worth having, and decisions agree with and without it.
        let ctx = context(&base, &k, &mech());
        let bound = volunteer_bound(&ctx) as f64;
        let (mut skipped, mut started) = (0, 0);
        for id in 0..4000u32 {
            let me = Resident { id, ..adult() };
            let dice = Dice::new(3, id, 8);
            let mut s = ResidentState {
                hardship: 0.2,
                trust: 0.8,
                ..ResidentState::default()
            };
            let nb = Neighbourhood {
                volunteering: id % 4,
                ..Neighbourhood::of(10)
            };
            let p = volunteer_chance(&me, &nb, s.hardship, s.points, &ctx);
            let place = calm(&Effects::NEUTRAL);
            let acted = decide_action(&me, &place, &nb, &mut s, 0.0, &ctx, &dice);
            let plain = dice.chance(Purpose::Volunteer, p as f64);
            assert_eq!(acted == VOLUNTEERING, plain, "resident {id}");
            started += plain as u32;
            skipped += (dice.unit(Purpose::Volunteer) >= bound) as u32;
        }
        assert!(
            bound < 0.2 && skipped > 3000 && started > 0,
            "bound {bound}, skipped {skipped}, started {started}"
        );
    }
}
