//! Metric definitions. Each published figure is computed here, once, from the engine's
//! raw tallies; the CSV files, the printed table and the tests all call these functions.
//!
//! Per-tick metrics form a matrix `[tick, unit, metric]` (units: the counties in scenario
//! order, then the city). NaN marks "undefined" (e.g. no issue closed in the window) and
//! is written as an empty CSV cell.

use super::resilience::{Resilience, against_twin, resilience};
use crate::engine::run::RegimeRun;
use crate::engine::tally::{DAY_BINS, Tally};
use crate::model::collective;
use ndarray::Array3;

/// A per-tick metric: its CSV column name and meaning (documented in README.md).
pub struct TickMetric {
    pub name: &'static str,
    pub about: &'static str,
    value: fn(&Window) -> f64,
    /// Whether the metric counts something (its values are whole numbers, never
    /// undefined): `ticks.parquet` types such a column as an integer.
    pub count: bool,
}

/// The tallies of one unit over the rolling window ending at a tick.
pub struct Window<'a> {
    now: &'a Tally,
    span: Vec<&'a Tally>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn per_resident(w: &Window, f: fn(&Tally) -> f64) -> f64 {
    ratio(f(w.now), w.now.residents as f64)
}

fn window_sum(w: &Window, f: fn(&Tally) -> u64) -> f64 {
    w.span.iter().map(|t| f(t) as f64).sum()
}

fn window_days(w: &Window) -> [u64; DAY_BINS] {
    let mut h = [0u64; DAY_BINS];
    for t in &w.span {
        for (a, &b) in h.iter_mut().zip(&t.resolution_days) {
            *a += b as u64;
        }
    }
    h
}

/// Mean of a day histogram; NaN if empty.
pub fn hist_mean(h: &[u64]) -> f64 {
    let n: u64 = h.iter().sum();
    ratio(
        h.iter()
            .enumerate()
            .map(|(d, &c)| d as f64 * c as f64)
            .sum(),
        n as f64,
    )
}

/// The q-quantile (0 < q ≤ 1) of a day histogram: the smallest day d with at least
/// q of the mass at or below d; NaN if empty.
pub fn hist_quantile(h: &[u64], q: f64) -> f64 {
    let n: u64 = h.iter().sum();
    if n == 0 {
        return f64::NAN;
    }
    let need = (q * n as f64).ceil().max(1.0) as u64;
    let mut acc = 0;
    for (d, &c) in h.iter().enumerate() {
        acc += c;
        if acc >= need {
            return d as f64;
        }
    }
    (h.len() - 1) as f64
}

/// Social-assistance issues that ended in a tally, paid or not.
fn assistance_ended(t: &Tally) -> u64 {
    let a = crate::model::issues::Category::SocialAssistance as usize;
    (t.category_resolved[a] + t.category_expired[a]) as u64
}

/// Share of closed issues that were resolved.
pub fn service(resolved: f64, expired: f64) -> f64 {
    ratio(resolved, resolved + expired)
}

pub const TICK_METRICS: &[TickMetric] = &[
    TickMetric {
        name: "created",
        about: "issues raised this tick (by residents, and stability issues from incidents)",
        value: |w| w.now.created as f64,
        count: true,
    },
    TickMetric {
        name: "resolved",
        about: "issues that left solved this tick (closed, and solved as their resident judges it)",
        value: |w| w.now.resolved as f64,
        count: true,
    },
    TickMetric {
        name: "expired",
        about: "reported issues that passed their deadline unclosed, or were dropped at a county boundary, this tick",
        value: |w| w.now.expired as f64,
        count: true,
    },
    TickMetric {
        name: "open",
        about: "issues still open at the end of the tick",
        value: |w| w.now.open as f64,
        count: true,
    },
    TickMetric {
        name: "reported",
        about: "issues reaching an office for the first time (reported by their resident or found by a patrol)",
        value: |w| w.now.hotline.reported as f64,
        count: true,
    },
    TickMetric {
        name: "responded",
        about: "issues first acted on by an office within the response deadline (响应)",
        value: |w| w.now.hotline.responded as f64,
        count: true,
    },
    TickMetric {
        name: "closed_unsolved",
        about: "issues that left closed but not solved (办结未解决)",
        value: |w| w.now.hotline.closed_unsolved as f64,
        count: true,
    },
    TickMetric {
        name: "reopened",
        about: "unsolved closures reopened, by a callback or by the resident raising them again",
        value: |w| w.now.hotline.reopened as f64,
        count: true,
    },
    TickMetric {
        name: "latent",
        about: "issues that left never reported (expired while waiting for a patrol); not in the rates' denominators",
        value: |w| w.now.hotline.latent as f64,
        count: true,
    },
    TickMetric {
        name: "shelved",
        about: "requests an office left unanswered on first sight (non-response)",
        value: |w| w.now.hotline.shelved as f64,
        count: true,
    },
    TickMetric {
        name: "bounces",
        about: "hand-offs sent back by the receiving office (推诿, buck-passing)",
        value: |w| w.now.hotline.bounces as f64,
        count: true,
    },
    TickMetric {
        name: "callbacks",
        about: "closures called back by the hotline (回访)",
        value: |w| w.now.hotline.callbacks as f64,
        count: true,
    },
    TickMetric {
        name: "satisfied",
        about: "callbacks whose resident said satisfied",
        value: |w| w.now.hotline.satisfied as f64,
        count: true,
    },
    TickMetric {
        name: "petitions",
        about: "residents taking an unsolved issue over the city's head (越级上访; 不外溢 failed)",
        value: |w| w.now.hotline.petitions as f64,
        count: true,
    },
    TickMetric {
        name: "trips",
        about: "residents' trips (跑动次数) on the issues solved this tick",
        value: |w| w.now.hotline.trips as f64,
        count: true,
    },
    TickMetric {
        name: "escalations",
        about: "hand-offs up the hierarchy this tick",
        value: |w| w.now.escalations as f64,
        count: true,
    },
    TickMetric {
        name: "referrals",
        about: "hand-offs sideways or down (to departments, partner counties, centre dispatch) this tick",
        value: |w| w.now.referrals as f64,
        count: true,
    },
    TickMetric {
        name: "resolution_days_mean",
        about: "mean days from raising to resolution of issues resolved in the window",
        value: |w| hist_mean(&window_days(w)),
        count: false,
    },
    TickMetric {
        name: "resolution_days_p90",
        about: "90th percentile of the same",
        value: |w| hist_quantile(&window_days(w), 0.9),
        count: false,
    },
    TickMetric {
        name: "service_rate",
        about: "solved / reported issues that ended (solved, closed unsolved or expired) over the window",
        value: |w| {
            service(
                window_sum(w, |t| t.resolved),
                window_sum(w, |t| t.expired + t.hotline.closed_unsolved),
            )
        },
        count: false,
    },
    TickMetric {
        name: "trust",
        about: "mean trust in government (perceived legitimacy L), 0-1",
        value: |w| per_resident(w, |t| t.trust),
        count: false,
    },
    TickMetric {
        name: "hardship",
        about: "mean hardship H, 0-1",
        value: |w| per_resident(w, |t| t.hardship),
        count: false,
    },
    TickMetric {
        name: "gain",
        about: "获得感, sense of gain: mean of (own recent issues resolved + 1) / (recent raised + 2), issues weighted by recency (behaviour.gain_memory_days), 0-1",
        value: |w| per_resident(w, |t| t.gain),
        count: false,
    },
    TickMetric {
        name: "security",
        about: "安全感, sense of security: mean of 1 - (exposure to incidents and protest + own harm: flood damage, illness, job loss), 0-1",
        value: |w| per_resident(w, |t| t.security),
        count: false,
    },
    TickMetric {
        name: "happiness",
        about: "幸福感, sense of happiness: mean of the weighted sum of gain, security, 1 - H and L (behaviour.happiness_*, 0.25 each by default), 0-1",
        value: |w| per_resident(w, |t| t.happiness),
        count: false,
    },
    TickMetric {
        name: "urban_rural_gap",
        about: "urban service rate minus rural service rate over the window (positive: the country is served worse)",
        value: |w| {
            service(
                window_sum(w, |t| t.urban_resolved),
                window_sum(w, |t| t.urban_expired),
            ) - service(
                window_sum(w, |t| t.rural_resolved),
                window_sum(w, |t| t.rural_expired),
            )
        },
        count: false,
    },
    TickMetric {
        name: "protesters",
        about: "residents active in protest",
        value: |w| w.now.protesters as f64,
        count: true,
    },
    TickMetric {
        name: "incidents_new",
        about: "collective incidents (群体性事件) that started this tick",
        value: |w| w.now.incidents_new as f64,
        count: true,
    },
    TickMetric {
        name: "incidents_active",
        about: "communities in an incident",
        value: |w| w.now.incidents_active as f64,
        count: true,
    },
    TickMetric {
        name: "volunteers",
        about: "residents volunteering",
        value: |w| w.now.volunteers as f64,
        count: true,
    },
    TickMetric {
        name: "orgs_active",
        about: "social organisations active",
        value: |w| w.now.orgs_active as f64,
        count: true,
    },
    TickMetric {
        name: "orgs_linked_inactive",
        about: "organisations linked to the platform but not acting (只联不动)",
        value: |w| w.now.orgs_linked_inactive as f64,
        count: true,
    },
    TickMetric {
        name: "depts_linked_inactive",
        about: "departments linked on the platform that acknowledged a shared (cross-department or cross-region) issue without acting on it today (只联不动)",
        value: |w| w.now.depts_linked_inactive as f64,
        count: true,
    },
    TickMetric {
        name: "link_strength",
        about: "联结强度, mean link strength of residents (ties to grid staff, organisations and neighbours; built by outreach, active organisations and solved issues, decaying without them), 0-1",
        value: |w| per_resident(w, |t| t.link),
        count: false,
    },
    TickMetric {
        name: "staff_hours",
        about: "staff-hours used (work plus coordination)",
        value: |w| w.now.staff_hours,
        count: false,
    },
    TickMetric {
        name: "coordination_hours",
        about: "staff-hours spent on coordination (overhead, meetings, reporting, hand-offs, transfer friction, upkeep of volunteers and organisations)",
        value: |w| w.now.coordination_hours,
        count: false,
    },
    TickMetric {
        name: "social_hours",
        about: "hours volunteers and social organisations delivered (turned up, and kept by their office's upkeep); a pool of its own, only for routine, neighbour-dispute, public-facility and emergency issues",
        value: |w| w.now.social_hours,
        count: false,
    },
    TickMetric {
        name: "social_hours_worked",
        about: "of those, hours worked on issues (not in staff_hours)",
        value: |w| w.now.social_hours_worked,
        count: false,
    },
    TickMetric {
        name: "budget_spent",
        about: "budget units spent by the counties and the city (social assistance, volunteer points redeemed, ...)",
        value: |w| w.now.budget_spent,
        count: false,
    },
    TickMetric {
        name: "susceptible",
        about: "residents susceptible (epidemic SEIR)",
        value: |w| w.now.health[0] as f64,
        count: true,
    },
    TickMetric {
        name: "exposed",
        about: "residents exposed",
        value: |w| w.now.health[1] as f64,
        count: true,
    },
    TickMetric {
        name: "infected",
        about: "residents infected",
        value: |w| w.now.health[2] as f64,
        count: true,
    },
    TickMetric {
        name: "recovered",
        about: "residents recovered",
        value: |w| w.now.health[3] as f64,
        count: true,
    },
    TickMetric {
        name: "at_home",
        about: "residents at home in the epidemic: isolated as detected cases or quarantined as traced contacts",
        value: |w| w.now.epidemic.at_home as f64,
        count: true,
    },
    TickMetric {
        name: "cases_detected",
        about: "infectious residents detected today (coming forward, platform, grid workers)",
        value: |w| w.now.epidemic.detected as f64,
        count: true,
    },
    TickMetric {
        name: "cases_isolated",
        about: "of them, isolated today (as far as the county's health and grid staff could take the cases on)",
        value: |w| w.now.epidemic.isolated as f64,
        count: true,
    },
    TickMetric {
        name: "contacts_traced",
        about: "residents quarantined today as traced contacts of a case isolated yesterday",
        value: |w| w.now.epidemic.traced as f64,
        count: true,
    },
    TickMetric {
        name: "case_hours",
        about: "staff-hours of health departments and grid offices paid for isolating cases and tracing their contacts",
        value: |w| w.now.epidemic.case_hours,
        count: false,
    },
    TickMetric {
        name: "rumour_believers",
        about: "residents believing a rumour",
        value: |w| w.now.believers as f64,
        count: true,
    },
    TickMetric {
        name: "capacity_hours",
        about: "government staff-hours available after shocks (sick staff, floods, cuts), before overhead; excludes volunteers and organisations",
        value: |w| w.now.capacity_hours,
        count: false,
    },
    TickMetric {
        name: "leading_group",
        about: "1 while the city's leading group (领导小组) is active",
        value: |w| w.now.leading_group as u8 as f64,
        count: true,
    },
    TickMetric {
        name: "assistance_refused",
        about: "social-assistance issues that left unpaid this tick after waiting for their county's budget (refused for lack of funds)",
        value: |w| w.now.assistance_refused as f64,
        count: true,
    },
    TickMetric {
        name: "assistance_refused_share",
        about: "assistance_refused / social-assistance issues that ended (paid or not) over the window",
        value: |w| {
            ratio(
                window_sum(w, |t| t.assistance_refused),
                window_sum(w, assistance_ended),
            )
        },
        count: false,
    },
    TickMetric {
        name: "assistance_claimant_hardship",
        about: "mean hardship of the residents whose social-assistance issue ended over the window (paid or not), after the outcome",
        value: |w| {
            ratio(
                w.span.iter().map(|t| t.assistance_hardship).sum(),
                window_sum(w, assistance_ended),
            )
        },
        count: false,
    },
    TickMetric {
        name: "laid_off",
        about: "residents laid off by a closure",
        value: |w| w.now.closure.laid_off as f64,
        count: true,
    },
    TickMetric {
        name: "laid_off_protesters",
        about: "laid-off residents protesting",
        value: |w| w.now.closure.protesters as f64,
        count: true,
    },
    TickMetric {
        name: "laid_off_trust",
        about: "mean trust of the laid-off residents",
        value: |w| ratio(w.now.closure.trust, w.now.closure.laid_off as f64),
        count: false,
    },
    TickMetric {
        name: "laid_off_hardship",
        about: "mean hardship of the laid-off residents",
        value: |w| ratio(w.now.closure.hardship, w.now.closure.laid_off as f64),
        count: false,
    },
    TickMetric {
        name: "claims_filed",
        about: "claims the laid off filed at lay-off this tick (registration and assistance, unpaid wages)",
        value: |w| w.now.closure.claims_filed as f64,
        count: true,
    },
    TickMetric {
        name: "claims_answered",
        about: "claims at lay-off that left resolved this tick (benefit, severance or wages paid)",
        value: |w| w.now.closure.claims_answered as f64,
        count: true,
    },
    TickMetric {
        name: "claims_unanswered",
        about: "claims at lay-off that left unresolved this tick (expired, closed unsolved or never reported)",
        value: |w| w.now.closure.claims_unanswered as f64,
        count: true,
    },
];

/// Index of a per-tick metric by name.
pub fn tick_metric(name: &str) -> usize {
    TICK_METRICS
        .iter()
        .position(|m| m.name == name)
        .unwrap_or_else(|| panic!("no tick metric {name}"))
}

/// The per-tick metric matrix `[tick, unit, metric]` of a run, with a rolling `window`.
pub fn tick_table(history: &[Vec<Tally>], window: usize) -> Array3<f64> {
    let units = history.first().map_or(0, |h| h.len());
    let mut a = Array3::from_elem((history.len(), units, TICK_METRICS.len()), f64::NAN);
    for t in 0..history.len() {
        a.index_axis_mut(ndarray::Axis(0), t)
            .assign(&tick_rows(history, t, window));
    }
    a
}

/// Tick `t`'s rows of [`tick_table`], `[unit, metric]`, from the days up to `t` alone (the
/// window looks back, never ahead), so that a run shown day by day (`linkage serve`)
/// computes each day's rows as soon as the day has run, the same numbers as the table.
pub fn tick_rows(history: &[Vec<Tally>], t: usize, window: usize) -> ndarray::Array2<f64> {
    let units = history[t].len();
    let mut a = ndarray::Array2::from_elem((units, TICK_METRICS.len()), f64::NAN);
    let from = (t + 1).saturating_sub(window.max(1));
    for u in 0..units {
        let w = Window {
            now: &history[t][u],
            span: history[from..=t].iter().map(|h| &h[u]).collect(),
        };
        for (m, metric) in TICK_METRICS.iter().enumerate() {
            a[[u, m]] = (metric.value)(&w);
        }
    }
    a
}

/// Each run's tick table and its summary (resilience against its twin when it has one):
/// what `linkage run` writes.
pub fn summarise_runs(
    sc: &crate::scenario::Scenario,
    runs: &[RegimeRun],
    twins: &[Option<RegimeRun>],
) -> (Vec<ndarray::Array3<f64>>, Vec<Summary>) {
    let window = sc.run.window as usize;
    let tables: Vec<_> = runs
        .iter()
        .map(|r| tick_table(&r.history, window))
        .collect();
    let summaries = summaries(sc, runs, &tables, twins);
    (tables, summaries)
}

/// Each run's summary from its tick table (`tables[i]` is `runs[i]`'s), for a caller
/// that has built the tables day by day (`linkage serve`).
pub fn summaries(
    sc: &crate::scenario::Scenario,
    runs: &[RegimeRun],
    tables: &[ndarray::Array3<f64>],
    twins: &[Option<RegimeRun>],
) -> Vec<Summary> {
    let window = sc.run.window as usize;
    runs.iter()
        .zip(tables)
        .zip(twins)
        .map(|((r, t), twin)| {
            let twin = twin.as_ref().map(|t| tick_table(&t.history, window));
            summarise(
                r,
                t,
                sc.run.burn_in as usize,
                sc.shock_start(),
                twin.as_ref(),
            )
        })
        .collect()
}

/// The headline metrics whose resilience is reported (higher is better for each).
pub const HEADLINE: [&str; 3] = ["service_rate", "trust", "happiness"];

/// The hotline's grades of a run, as a municipal hotline reports them (MODEL.md §9):
/// response, closure, solution and satisfaction rates, and what a solution costs
/// residents (trips) and the government (staff-hours). Columns of [`SUMMARY_COLUMNS`];
/// a sweep's printed table and its report show them together.
pub const HOTLINE: [&str; 6] = [
    "response_rate",
    "closure_rate",
    "solution_rate",
    "satisfaction_rate",
    "trips_per_solved",
    "staff_hours_per_solved",
];

/// How a report names a metric of [`TICK_METRICS`] or [`SUMMARY_COLUMNS`]: a short label in
/// English and in Chinese, whether it is taken over the rolling window (`run.window`
/// days), and the range of a bounded metric. A report's colour scales span that range, so
/// that a small gap looks small; `None` for counts, hours and days, which have no upper
/// bound (README, "Reports", says how those are scaled).
pub struct Label {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub windowed: bool,
    pub range: Option<(f64, f64)>,
}

/// The labels of the metrics a report shows.
pub const LABELS: &[Label] = &[
    Label {
        name: "service_rate",
        en: "service rate, solved / ended",
        zh: "服务率 service rate",
        windowed: true,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "trust",
        en: "mean trust in government",
        zh: "政府信任 trust",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "happiness",
        en: "sense of happiness",
        zh: "幸福感 happiness",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "protesters",
        en: "residents protesting",
        zh: "参与抗议人数 protesters",
        windowed: false,
        range: None,
    },
    Label {
        name: "incidents",
        en: "collective incidents started",
        zh: "群体性事件起数 incidents",
        windowed: false,
        range: None,
    },
    Label {
        name: "incident_days",
        en: "incident-days, communities in an incident summed over days",
        zh: "群体性事件持续天数 incident-days",
        windowed: false,
        range: None,
    },
    Label {
        name: "protester_days",
        en: "protester-days, protesters summed over days",
        zh: "抗议人日 protester-days",
        windowed: false,
        range: None,
    },
    Label {
        name: "solution_rate",
        en: "solution rate, solved / reported",
        zh: "解决率 solution rate",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "response_rate",
        en: "response rate, responded in time / reported",
        zh: "响应率 response rate",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "closure_rate",
        en: "closure rate, closed / reported",
        zh: "办结率 closure rate",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "satisfaction_rate",
        en: "satisfaction rate, satisfied / called back",
        zh: "满意率 satisfaction rate",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "trips_per_solved",
        en: "residents' trips per solved issue",
        zh: "跑动次数 trips per solved issue",
        windowed: false,
        range: None,
    },
    Label {
        name: "staff_hours_per_solved",
        en: "staff-hours per solved issue",
        zh: "每解决一件的工时 staff-hours per solved issue",
        windowed: false,
        range: None,
    },
    Label {
        name: "petitions",
        en: "petitions over the city's head",
        zh: "越级上访 petitions",
        windowed: false,
        range: None,
    },
    Label {
        name: "trust_end",
        en: "mean trust on the last day",
        zh: "期末政府信任 trust at the end",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "happiness_end",
        en: "mean happiness on the last day",
        zh: "期末幸福感 happiness at the end",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "link_strength",
        en: "mean link strength",
        zh: "联结强度 link strength",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
    Label {
        name: "budget_spent",
        en: "budget units spent",
        zh: "财政支出 budget spent",
        windowed: false,
        range: None,
    },
    Label {
        name: "social_hours",
        en: "hours delivered by volunteers and organisations",
        zh: "社会力量服务工时 social hours",
        windowed: false,
        range: None,
    },
    Label {
        name: "link_strength_end",
        en: "mean link strength on the last day",
        zh: "期末联结强度 link strength at the end",
        windowed: false,
        range: Some((0.0, 1.0)),
    },
];

/// The report label of a metric, if it has one.
pub fn label(name: &str) -> Option<&'static Label> {
    LABELS.iter().find(|l| l.name == name)
}

/// One regime's summary over the whole run (city-wide).
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub regime: String,
    pub residents: u64,
    pub ticks: usize,
    pub created: u64,
    pub resolved: u64,
    pub expired: u64,
    pub open_end: u64,
    pub reported: u64,
    pub latent: u64,
    pub closed_unsolved: u64,
    pub reopened: u64,
    pub response_rate: f64,
    pub closure_rate: f64,
    pub solution_rate: f64,
    pub satisfaction_rate: f64,
    pub county_answer_rate: f64,
    pub contacts_per_resident_year: f64,
    pub bounces: u64,
    pub shelved: u64,
    pub petitions: u64,
    pub trips_per_solved: f64,
    pub staff_hours_per_solved: f64,
    pub resolution_days_median: f64,
    pub resolution_days_p90: f64,
    pub trust_end: f64,
    pub happiness_end: f64,
    pub urban_rural_gap: f64,
    /// Collective incidents started (onsets).
    pub incidents: u64,
    /// Sum over days of the communities in an incident: an incident that lasts counts
    /// for every day it lasts, so that many short incidents and a few long ones compare.
    pub incident_days: u64,
    /// Sum over days of the residents protesting.
    pub protester_days: u64,
    pub staff_hours: f64,
    pub coordination_hours: f64,
    /// Staff-hours used / staff-hours available, city-wide.
    pub utilisation: f64,
    /// The 90th percentile of the offices' utilisations over the run: how loaded the
    /// busiest tenth of offices are ([`busiest`]).
    pub utilisation_busiest: f64,
    /// Hours volunteers and organisations delivered, and worked on issues.
    pub social_hours: f64,
    pub social_hours_worked: f64,
    /// Budget units spent by the counties and the city.
    pub budget_spent: f64,
    pub orgs_active_end: u64,
    pub orgs_linked_inactive_end: u64,
    /// Sum over days of the departments linked but not acting (department-days).
    pub depts_linked_inactive_days: u64,
    pub link_strength_end: f64,
    /// What resilience was measured against: "twin" (the no-shock twin run), "pre-shock"
    /// (the mean before the shock), or "" without a shock.
    pub resilience_reference: &'static str,
    /// Incidents (issue 13) by police band of their peak ([`collective::BANDS`]).
    pub incident_bands: [u64; 4],
    /// Median and longest duration of an incident, in days (0 without incidents).
    pub incident_days_median: f64,
    pub incident_days_longest: u64,
    /// What protest cost the protesters (`collective.protest_cost` per protester-day).
    pub protest_cost: f64,
    /// Incidents that got each answer at least once ([`collective::RESPONSES`] order).
    pub incident_answers: [u64; 5],
    /// Staff-hours and budget units the answers to incidents cost.
    pub answer_staff_hours: f64,
    pub answer_budget: f64,
    /// Social-assistance issues refused for lack of budget (left unpaid after waiting
    /// for it), and their share of the social-assistance issues that ended.
    pub assistance_refused: u64,
    pub assistance_refused_share: f64,
    /// A closure's claims at lay-off: filed, and the share of those that ended which
    /// were answered (resolved); the most laid-off residents protesting on one day.
    pub claims_filed: u64,
    pub claims_answered_share: f64,
    pub laid_off_protesters_peak: u64,
    /// Resilience of each headline metric (`None` without a shock).
    pub resilience: Vec<(&'static str, Option<Resilience>)>,
}

/// Summarise a run. `burn_in` and `shock_start` place the resilience baseline; with the
/// tick table of the run's no-shock `twin`, resilience is measured against the twin day
/// by day (`resilience::against_twin`), else against the pre-shock baseline.
pub fn summarise(
    run: &RegimeRun,
    table: &Array3<f64>,
    burn_in: usize,
    shock_start: Option<u32>,
    twin: Option<&Array3<f64>>,
) -> Summary {
    let city = table.shape()[1] - 1;
    let rows: Vec<&Tally> = run.history.iter().map(|h| &h[city]).collect();
    let sum = |f: fn(&Tally) -> u64| rows.iter().map(|t| f(t)).sum::<u64>();
    let mut days = [0u64; DAY_BINS];
    for t in &rows {
        for (a, &b) in days.iter_mut().zip(&t.resolution_days) {
            *a += b as u64;
        }
    }
    let created = sum(|t| t.created);
    let resolved = sum(|t| t.resolved);
    let reported = sum(|t| t.hotline.reported);
    let closed_unsolved = sum(|t| t.hotline.closed_unsolved);
    let last = rows.last().copied().cloned().unwrap_or_default();
    let col = |name: &str| -> Vec<f64> {
        table
            .slice(ndarray::s![.., city, tick_metric(name)])
            .to_vec()
    };
    let end_value = |name: &str| col(name).last().copied().unwrap_or(f64::NAN);
    let twin_col = |t: &Array3<f64>, name: &str| -> Vec<f64> {
        t.slice(ndarray::s![.., city, tick_metric(name)]).to_vec()
    };
    let resilience = HEADLINE
        .iter()
        .map(|&m| {
            let r = shock_start.and_then(|s| match twin {
                Some(t) => against_twin(&col(m), &twin_col(t, m), burn_in, s as usize),
                None => resilience(&col(m), burn_in, s as usize),
            });
            (m, r)
        })
        .collect();
    let resilience_reference = match (shock_start, twin) {
        (None, _) => "",
        (Some(_), Some(_)) => "twin",
        (Some(_), None) => "pre-shock",
    };
    Summary {
        regime: run.regime.clone(),
        residents: run.residents,
        ticks: rows.len(),
        created,
        resolved,
        expired: sum(|t| t.expired),
        open_end: last.open,
        reported,
        latent: sum(|t| t.hotline.latent),
        closed_unsolved,
        reopened: sum(|t| t.hotline.reopened),
        response_rate: ratio(sum(|t| t.hotline.responded) as f64, reported as f64),
        closure_rate: ratio((resolved + closed_unsolved) as f64, reported as f64),
        solution_rate: ratio(resolved as f64, reported as f64),
        satisfaction_rate: ratio(
            sum(|t| t.hotline.satisfied) as f64,
            sum(|t| t.hotline.callbacks) as f64,
        ),
        county_answer_rate: ratio(
            sum(|t| t.hotline.county_answered) as f64,
            sum(|t| t.hotline.county_received) as f64,
        ),
        contacts_per_resident_year: ratio(
            sum(|t| t.hotline.contacts) as f64 * 365.0,
            run.residents as f64 * rows.len() as f64,
        ),
        bounces: sum(|t| t.hotline.bounces),
        shelved: sum(|t| t.hotline.shelved),
        petitions: sum(|t| t.hotline.petitions),
        trips_per_solved: ratio(sum(|t| t.hotline.trips) as f64, resolved as f64),
        staff_hours_per_solved: ratio(rows.iter().map(|t| t.staff_hours).sum(), resolved as f64),
        resolution_days_median: hist_quantile(&days, 0.5),
        resolution_days_p90: hist_quantile(&days, 0.9),
        trust_end: end_value("trust"),
        happiness_end: end_value("happiness"),
        urban_rural_gap: service(
            sum(|t| t.urban_resolved) as f64,
            sum(|t| t.urban_expired) as f64,
        ) - service(
            sum(|t| t.rural_resolved) as f64,
            sum(|t| t.rural_expired) as f64,
        ),
        incidents: sum(|t| t.incidents_new),
        incident_days: sum(|t| t.incidents_active),
        protester_days: sum(|t| t.protesters),
        staff_hours: rows.iter().map(|t| t.staff_hours).sum(),
        coordination_hours: rows.iter().map(|t| t.coordination_hours).sum(),
        utilisation: ratio(
            rows.iter().map(|t| t.staff_hours).sum(),
            rows.iter().map(|t| t.capacity_hours).sum(),
        ),
        utilisation_busiest: busiest(&run.office_utilisation),
        social_hours: rows.iter().map(|t| t.social_hours).sum(),
        social_hours_worked: rows.iter().map(|t| t.social_hours_worked).sum(),
        budget_spent: rows.iter().map(|t| t.budget_spent).sum(),
        orgs_active_end: last.orgs_active,
        orgs_linked_inactive_end: last.orgs_linked_inactive,
        depts_linked_inactive_days: sum(|t| t.depts_linked_inactive),
        link_strength_end: end_value("link_strength"),
        resilience_reference,
        protest_cost: rows.iter().map(|t| t.protest_cost).sum(),
        assistance_refused: sum(|t| t.assistance_refused),
        assistance_refused_share: ratio(
            sum(|t| t.assistance_refused) as f64,
            sum(assistance_ended) as f64,
        ),
        claims_filed: sum(|t| t.closure.claims_filed),
        claims_answered_share: ratio(
            sum(|t| t.closure.claims_answered) as f64,
            sum(|t| t.closure.claims_answered + t.closure.claims_unanswered) as f64,
        ),
        laid_off_protesters_peak: rows.iter().map(|t| t.closure.protesters).max().unwrap_or(0),
        resilience,
        ..incident_figures(&run.incidents, rows.len())
    }
}

/// The summary's incident figures of a run's `incidents` over `ticks` days (the other
/// fields are defaults, to be filled by [`summarise`]).
fn incident_figures(incidents: &[collective::Incident], ticks: usize) -> Summary {
    let last = ticks.saturating_sub(1) as u32;
    let mut bands = [0u64; 4];
    let mut answers = [0u64; 5];
    let mut days: Vec<u32> = Vec::with_capacity(incidents.len());
    for i in incidents {
        bands[collective::band(i.peak)] += 1;
        for (a, &d) in answers.iter_mut().zip(&i.responses) {
            *a += (d > 0) as u64;
        }
        days.push(i.duration(last));
    }
    days.sort_unstable();
    let median = match days.len() {
        0 => 0.0,
        n if n % 2 == 1 => days[n / 2] as f64,
        n => (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0,
    };
    Summary {
        incident_bands: bands,
        incident_days_median: median,
        incident_days_longest: days.last().copied().unwrap_or(0) as u64,
        incident_answers: answers,
        answer_staff_hours: incidents.iter().map(|i| i.staff_hours).sum(),
        answer_budget: incidents.iter().map(|i| i.budget).sum(),
        ..Summary::default()
    }
}

/// The utilisation at or below which nine offices in ten run: the 90th percentile (by
/// rank, the smallest value with at least 90% of offices at or below it) of `offices`'
/// utilisations; NaN with no office.
pub fn busiest(offices: &[f64]) -> f64 {
    let mut u = offices.to_vec();
    if u.is_empty() {
        return f64::NAN;
    }
    u.sort_by(f64::total_cmp);
    let rank = (0.9 * u.len() as f64).ceil() as usize;
    u[rank.clamp(1, u.len()) - 1]
}

/// Columns of the summary CSV with their meaning, in order.
pub const SUMMARY_COLUMNS: &[(&str, &str)] = &[
    ("regime", "regime name"),
    ("residents", "residents simulated"),
    ("ticks", "days simulated"),
    ("created", "issues created"),
    (
        "resolved",
        "issues solved (closed, and solved as their resident judges it)",
    ),
    ("expired", "reported issues expired or dropped unclosed"),
    ("open_end", "issues open at the end"),
    (
        "reported",
        "issues reported (reaching an office), the rates' denominator",
    ),
    (
        "latent",
        "issues never reported (expired waiting for a patrol)",
    ),
    ("closed_unsolved", "issues closed but not solved"),
    ("reopened", "unsolved closures reopened"),
    (
        "response_rate",
        "响应率: responded within the response deadline / reported",
    ),
    ("closure_rate", "办结率: closed (solved or not) / reported"),
    ("solution_rate", "解决率: solved / reported"),
    ("satisfaction_rate", "满意率: satisfied / called back"),
    (
        "county_answer_rate",
        "issues a county-level office first acted on within the response deadline of their arrival / issues that reached a county-level office and were acted on or left (the answer rate of Chen, Pan & Xu 2016)",
    ),
    (
        "contacts_per_resident_year",
        "residents' own contacts (issues they reported themselves and unsolved closures they raised again; not those a patrol found) per resident per year",
    ),
    ("bounces", "hand-offs sent back (推诿)"),
    (
        "shelved",
        "requests left unanswered on first sight (non-response)",
    ),
    (
        "petitions",
        "unsolved issues taken over the city's head (越级上访)",
    ),
    (
        "trips_per_solved",
        "residents' trips per solved issue (跑动次数)",
    ),
    (
        "staff_hours_per_solved",
        "staff-hours used per solved issue (the cost of a solution)",
    ),
    ("resolution_days_median", "median days to resolution"),
    ("resolution_days_p90", "90th percentile days to resolution"),
    ("trust_end", "mean trust on the last day"),
    ("happiness_end", "mean happiness on the last day"),
    (
        "urban_rural_gap",
        "urban minus rural service rate over the run",
    ),
    ("incidents", "collective incidents started (onsets)"),
    (
        "incident_days",
        "sum over days of communities in an incident (incident-days)",
    ),
    ("protester_days", "sum over days of residents protesting"),
    ("staff_hours", "staff-hours used"),
    ("coordination_hours", "staff-hours of coordination"),
    (
        "utilisation",
        "staff-hours used / staff-hours available (overhead and lending count as used)",
    ),
    (
        "utilisation_busiest",
        "90th percentile of the offices' own utilisation over the run: the busiest tenth",
    ),
    (
        "social_hours",
        "hours delivered by volunteers and organisations (turned up and kept)",
    ),
    (
        "social_hours_worked",
        "hours of volunteers and organisations worked on issues",
    ),
    (
        "budget_spent",
        "budget units spent (assistance, volunteer points, ...)",
    ),
    (
        "orgs_active_end",
        "social organisations active on the last day",
    ),
    (
        "orgs_linked_inactive_end",
        "organisations linked but not acting (只联不动) on the last day",
    ),
    (
        "depts_linked_inactive_days",
        "sum over days of departments linked on the platform but not acting on a shared issue (只联不动), department-days",
    ),
    ("link_strength_end", "mean link strength on the last day"),
    (
        "resilience_reference",
        "what the resilience columns measure against: twin (the no-shock twin run, day by day), pre-shock (the mean before the shock), empty without a shock",
    ),
    (
        "incidents_5_30",
        "incidents whose peak was 5-30 protesters (police band 1)",
    ),
    (
        "incidents_30_300",
        "incidents whose peak was 30-300 protesters",
    ),
    (
        "incidents_300_1000",
        "incidents whose peak was 300-1,000 protesters",
    ),
    (
        "incidents_over_1000",
        "incidents whose peak was over 1,000 protesters",
    ),
    (
        "incident_days_median",
        "median duration of an incident, days",
    ),
    ("incident_days_longest", "longest incident, days"),
    (
        "protest_cost",
        "what protest cost the protesters (collective.protest_cost per protester-day)",
    ),
    (
        "incidents_tolerated",
        "incidents tolerated on at least one day",
    ),
    (
        "incidents_mediated",
        "incidents jointly mediated (矛盾调处) on at least one day",
    ),
    (
        "incidents_conceded",
        "incidents whose cause was addressed with budget",
    ),
    (
        "incidents_policed",
        "incidents policed (维稳) on at least one day",
    ),
    (
        "incidents_escalated",
        "incidents referred to the leading group",
    ),
    (
        "answer_staff_hours",
        "staff-hours the answers to incidents cost",
    ),
    ("answer_budget", "budget units the concessions cost"),
    (
        "assistance_refused",
        "social-assistance issues refused for lack of budget (left unpaid after waiting for their county's budget)",
    ),
    (
        "assistance_refused_share",
        "assistance_refused / social-assistance issues that ended (paid or not)",
    ),
    (
        "claims_filed",
        "claims the laid off filed at lay-off (a closure)",
    ),
    (
        "claims_answered_share",
        "claims at lay-off answered (resolved) / claims at lay-off that ended",
    ),
    (
        "laid_off_protesters_peak",
        "most laid-off residents protesting on one day",
    ),
];

/// Resilience columns, per headline metric `m`: `m_baseline`, `m_fall_pct`,
/// `m_recovery_days` (empty: not recovered), `m_loss_area`.
pub const RESILIENCE_SUFFIXES: [&str; 4] = ["baseline", "fall_pct", "recovery_days", "loss_area"];

/// One value of a table (`summary`, `territory`, `incidents`), typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A name (the regime, the resilience reference).
    Text(String),
    /// A count or a number of days; `None` when undefined (not recovered).
    Count(Option<u64>),
    /// A measured value; NaN or infinite when undefined.
    Value(f64),
}

/// A column's type: [`Cell`]'s variant without its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Count,
    Value,
}

impl Cell {
    pub fn kind(&self) -> Kind {
        match self {
            Cell::Text(_) => Kind::Text,
            Cell::Count(_) => Kind::Count,
            Cell::Value(_) => Kind::Value,
        }
    }

    /// A CSV cell read back as a cell of `kind`: empty is undefined; `None` when the text
    /// is not of that kind (a count must be a whole number ≥ 0, a value a number).
    pub fn read(kind: Kind, text: &str) -> Option<Cell> {
        match kind {
            Kind::Text => Some(Cell::Text(text.to_string())),
            Kind::Count if text.is_empty() => Some(Cell::Count(None)),
            Kind::Count => text.parse().ok().map(|v| Cell::Count(Some(v))),
            Kind::Value if text.is_empty() => Some(Cell::Value(f64::NAN)),
            Kind::Value => text.parse().ok().map(Cell::Value),
        }
    }

    /// The cell as `summary.csv` spells it (numbers by [`crate::base::num`]).
    pub fn spell(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(v) => v.map_or(String::new(), |v| v.to_string()),
            Cell::Value(v) => crate::base::num::decimal(*v),
        }
    }
}

impl Summary {
    /// The summary as CSV cells, in `SUMMARY_COLUMNS` then resilience order: its
    /// [`Summary::values`], each as [`Cell::spell`] spells it.
    pub fn cells(&self) -> Vec<String> {
        self.values().iter().map(Cell::spell).collect()
    }

    /// The summary's values, typed, in `SUMMARY_COLUMNS` then resilience order: what
    /// `summary.csv` spells and `summary.parquet` stores. A column's type does not depend
    /// on the values (an undefined value is an empty cell of its type).
    pub fn values(&self) -> Vec<Cell> {
        let f = Cell::Value;
        let n = |v: u64| Cell::Count(Some(v));
        let mut c = vec![
            Cell::Text(self.regime.clone()),
            n(self.residents),
            n(self.ticks as u64),
            n(self.created),
            n(self.resolved),
            n(self.expired),
            n(self.open_end),
            n(self.reported),
            n(self.latent),
            n(self.closed_unsolved),
            n(self.reopened),
            f(self.response_rate),
            f(self.closure_rate),
            f(self.solution_rate),
            f(self.satisfaction_rate),
            f(self.county_answer_rate),
            f(self.contacts_per_resident_year),
            n(self.bounces),
            n(self.shelved),
            n(self.petitions),
            f(self.trips_per_solved),
            f(self.staff_hours_per_solved),
            f(self.resolution_days_median),
            f(self.resolution_days_p90),
            f(self.trust_end),
            f(self.happiness_end),
            f(self.urban_rural_gap),
            n(self.incidents),
            n(self.incident_days),
            n(self.protester_days),
            f(self.staff_hours),
            f(self.coordination_hours),
            f(self.utilisation),
            f(self.utilisation_busiest),
            f(self.social_hours),
            f(self.social_hours_worked),
            f(self.budget_spent),
            n(self.orgs_active_end),
            n(self.orgs_linked_inactive_end),
            n(self.depts_linked_inactive_days),
            f(self.link_strength_end),
            Cell::Text(self.resilience_reference.to_string()),
        ];
        c.extend(self.incident_bands.iter().map(|&b| n(b)));
        c.push(f(self.incident_days_median));
        c.push(n(self.incident_days_longest));
        c.push(f(self.protest_cost));
        c.extend(self.incident_answers.iter().map(|&b| n(b)));
        c.push(f(self.answer_staff_hours));
        c.push(f(self.answer_budget));
        c.push(n(self.assistance_refused));
        c.push(f(self.assistance_refused_share));
        c.push(n(self.claims_filed));
        c.push(f(self.claims_answered_share));
        c.push(n(self.laid_off_protesters_peak));
        for (_, r) in &self.resilience {
            match r {
                Some(r) => {
                    c.push(f(r.baseline));
                    c.push(f(r.deepest_fall_pct));
                    c.push(Cell::Count(r.recovery_days.map(u64::from)));
                    c.push(f(r.loss_area));
                }
                None => c.extend([f(f64::NAN), f(f64::NAN), Cell::Count(None), f(f64::NAN)]),
            }
        }
        c
    }

    /// The type of each column of [`Summary::values`] (the same for every summary).
    pub fn kinds() -> Vec<Kind> {
        let s = Summary {
            resilience: HEADLINE.iter().map(|&m| (m, None)).collect(),
            ..Summary::default()
        };
        s.values().iter().map(Cell::kind).collect()
    }

    pub fn header() -> Vec<String> {
        let mut h: Vec<String> = SUMMARY_COLUMNS.iter().map(|(n, _)| n.to_string()).collect();
        for m in HEADLINE {
            for s in RESILIENCE_SUFFIXES {
                h.push(format!("{m}_{s}"));
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles() {
        let mut h = [0u64; 10];
        h[1] = 5;
        h[3] = 4;
        h[9] = 1;
        assert_eq!(hist_quantile(&h, 0.5), 1.0);
        assert_eq!(hist_quantile(&h, 0.9), 3.0);
        assert_eq!(hist_quantile(&h, 1.0), 9.0);
        assert!((hist_mean(&h) - (5.0 + 12.0 + 9.0) / 10.0).abs() < 1e-12);
        assert!(hist_quantile(&[0; 4], 0.5).is_nan());
    }

    #[test]
    fn the_busiest_tenth_is_the_90th_percentile_by_rank() {
        let ten: Vec<f64> = (1..=10).map(|i| i as f64 / 10.0).collect();
        assert_eq!(busiest(&ten), 0.9);
        let mut twenty = ten.clone();
        twenty.extend((1..=10).map(|i| i as f64 / 100.0));
        // 18th smallest of 20: the 0.8 of the first ten.
        assert_eq!(busiest(&twenty), 0.8);
        assert_eq!(busiest(&ten[..1]), 0.1);
        assert!(busiest(&[]).is_nan());
    }

    #[test]
    fn every_label_names_a_metric_of_the_tables() {
        for l in LABELS {
            let known = TICK_METRICS.iter().any(|m| m.name == l.name)
                || SUMMARY_COLUMNS.iter().any(|c| c.0 == l.name);
            assert!(known, "label for unknown metric {}", l.name);
        }
    }

    #[test]
    fn headline_metrics_are_tick_metrics_and_summary_columns_are_unique() {
        for m in HEADLINE {
            assert_eq!(TICK_METRICS[tick_metric(m)].name, m);
        }
        let header = Summary::header();
        let mut unique = header.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), header.len());
        assert_eq!(
            header.len(),
            SUMMARY_COLUMNS.len() + HEADLINE.len() * RESILIENCE_SUFFIXES.len()
        );
        // A type for every column, text where the CSV has a name.
        let kinds = Summary::kinds();
        assert_eq!(kinds.len(), header.len());
        for (h, k) in header.iter().zip(&kinds) {
            let text = h == "regime" || h == "resilience_reference";
            assert_eq!(*k == Kind::Text, text, "{h}");
        }
    }
}
