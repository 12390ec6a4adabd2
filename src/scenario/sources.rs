//! Where every parameter's value comes from: its unit and its source, for
//! `docs/parameters.md` (`linkage params`). A source is a passage of a seed paper
//! (`../shared/seeds/`, cited as paper, section or paragraph, and a few characters quoted
//! verbatim), an empirical figure with its citation, or an assumption. Most values are
//! assumptions: the seeds name the mechanisms, not their sizes. An assumption whose
//! mechanism a seed names carries that passage, so the reader sees what the number stands
//! for and that the number itself is assumed.
//!
//! Paths are those of the scenario as serialised (`government.handoff_hours`), with list
//! items written as in experiment factors (`territory.counties[2].urban_share`,
//! `shocks[0].intensity`). The table is keyed by a normal form of the path ([`key`]):
//! county indices dropped (`territory.counties[].urban_share`), a shock's index replaced
//! by its kind (`shocks[flood].capacity_loss`). A lookup tries the exact key, then the
//! common shock fields (`shocks[].start`), then a wildcard for the second-to-last segment
//! (`regimes.*.vertical`, `issues.*.rate`), so that a user's own regime or category is
//! covered. A test fails when a numeric field of a shipped scenario has no entry: a new
//! parameter needs its source here.

use super::Scenario;

/// A passage of a seed paper: the paper's number (`002`), where (`§3.2` for the numbered
/// sections of 002, `¶6` for the n-th paragraph of the others) and a few characters
/// quoted verbatim (the seeds are in traditional characters).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Passage {
    pub paper: &'static str,
    pub at: &'static str,
    pub quote: &'static str,
}

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Source {
    /// The value follows from a seed passage.
    Seed(Passage),
    /// An empirical figure and its citation.
    Figure {
        figure: &'static str,
        citation: &'static str,
    },
    /// The value is assumed; `Some` names the seed passage behind the mechanism it sets.
    Assumption(Option<Passage>),
}

impl std::fmt::Display for Passage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: “{}”", self.paper, self.at, self.quote)
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Seed(p) => write!(f, "{p}"),
            Source::Figure { figure, citation } => write!(f, "empirical: {figure} ({citation})"),
            Source::Assumption(None) => write!(f, "assumption"),
            Source::Assumption(Some(p)) => write!(f, "assumption; mechanism: {p}"),
        }
    }
}

/// One row of the table: a key ([`key`] form), the unit, the source.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub key: &'static str,
    pub unit: &'static str,
    pub source: Source,
}

const fn assumed(key: &'static str, unit: &'static str) -> Entry {
    Entry {
        key,
        unit,
        source: Source::Assumption(None),
    }
}

const fn grounded(key: &'static str, unit: &'static str, p: Passage) -> Entry {
    Entry {
        key,
        unit,
        source: Source::Assumption(Some(p)),
    }
}

const fn figure(
    key: &'static str,
    unit: &'static str,
    figure: &'static str,
    citation: &'static str,
) -> Entry {
    Entry {
        key,
        unit,
        source: Source::Figure { figure, citation },
    }
}

const fn seed(paper: &'static str, at: &'static str, quote: &'static str) -> Passage {
    Passage { paper, at, quote }
}

// Passages of the seeds, each checked verbatim against its file when written.
const COUNTIES: Passage = seed("002", "§3", "轄1個縣級市和4個縣");
const FIVE_LEVELS: Passage = seed("002", "§3.2", "五級基層治理體系");
const GRID_LINKS: Passage = seed("002", "§3.3", "通過“網格”在居民與社區之間建立上下貫通");
const EMBEDDED: Passage = seed("002", "§3.2", "將各類組織有效嵌入網格中");
const TIES: Passage = seed("002", "§2.1", "通過血緣地緣業緣文化情感等資源相聯");
const LINK_STRENGTH: Passage = seed("002", "§2.1", "聯結強度是聯動治理的內動力");
const LINKED_IDLE: Passage = seed("002", "§2.1", "存在只聯不動名實分離的現實困境");
const NO_SHARED_GOAL: Passage = seed("002", "§2.1", "多元行動主體未能形成對共同目標的認同");
const DECISION: Passage = seed(
    "002",
    "§2.1",
    "行為決策受到各主體能力、主體認知、主體所處的外部環境的共同作用和影響",
);
const INCIDENTS: Passage = seed("002", "§2.1", "甚至還會引發社會群體性事件");
const CITY_LEADS_COUNTRY: Passage = seed("002", "§2.2", "以城帶鄉、以點帶面");
const URBAN_RURAL: Passage = seed(
    "002",
    "§2.2",
    "從空間上看,市域社會治理包含城市和鄉村兩種不同的形態",
);
const FEW_ORGS: Passage = seed("002", "§3", "社會組織總量不足,缺少專業社工機構支持");
const JOINT_MEETINGS: Passage = seed("002", "§3.1", "通過聯席會議制度明確了各相關部門的組織結構");
const FUNDING: Passage = seed("002", "§3.1", "為地方治理實踐提供資金保障");
const POINTS: Passage = seed("002", "§3.1", "開展志愿服務積分制試點");
const REDEEM: Passage = seed(
    "002",
    "§3.1",
    "積分可用于兌換由愛心企業、公益組織提供的物資用品",
);
const ORG_PLATFORM: Passage = seed("002", "§3.1", "為社會組織搭建互動平臺");
const CULTIVATE: Passage = seed("002", "§3.1", "通過對社會組織的培育和社工的引進");
const NEEDS_LIST: Passage = seed("002", "§3.1", "通過定期發布居民需求項目清單");
const MOBILISE: Passage = seed(
    "002",
    "§3.1",
    "引導和鼓勵黨員居民主動參與社區公益組織和志愿者組織",
);
const FOUR_LEVELS: Passage = seed("002", "§3.2", "四級聯動組織架構");
const FOUR_MECHANISMS: Passage = seed(
    "002",
    "§3.2",
    "統籌協調、經費保障、監督考核、激勵約束四項機制",
);
const LEADING_GROUP_SET_UP: Passage = seed("002", "§3.2", "成立了工作領導小組");
const CHAT_GROUPS: Passage = seed("002", "§3.2", "建立“三大群”");
const UP_AND_DOWN: Passage = seed("002", "§3.2", "及時上傳下達,溝通信息,提高辦事效率");
const PLATFORM: Passage = seed(
    "002",
    "§3.3",
    "構建起多層聯網、數據互通的基層智慧治理大格局",
);
const DATA_RUNS: Passage = seed("002", "§3.3", "實現數據“多跑路”、群眾“少跑腿”");
const INTEGRATE: Passage = seed("002", "§4.1", "將市域內分散的要素和資源進行整合");
const TO_THE_COUNTRY: Passage = seed("002", "§4.2", "推動城市公共服務資源向鄉村延伸");
const TRUST_BY_INFORMATION: Passage = seed("002", "§4.2", "以共識和認同獲得居民的信賴和支持");
const HIGH_PUSH: Passage = seed("002", "§2.1", "“高位推動”統籌協調的領導小組工作機制");
const IN_CRISES: Passage = seed("002", "§2.1", "更多是在重大事件和突發狀況下采取的行動策略");
const FOUND_LATE: Passage = seed("002", "§1", "問題發現不及時");
const COSTLY: Passage = seed("002", "§1", "耗費大量資源和成本");
const RURAL_ADMIN: Passage = seed("000", "¶5", "農村的公共服務質量不高,行政效率極低");
const RURAL_GAP: Passage = seed("000", "¶5", "城鄉的社會保障、公共服務差距仍然顯著");
const THREE_SENSES: Passage = seed("003", "¶2", "獲得感、幸福感、安全感");
const SILOS: Passage = seed("000", "¶6", "條塊分割、各自為政、對外封閉、信息孤島");
const SEPARATE_SYSTEMS: Passage = seed("000", "¶6", "治理信息系統相互獨立");
const ACROSS_REGIONS: Passage = seed("000", "¶6", "社會矛盾跨區域延伸、出現交疊共振的特點");
const COUNTY_LIMITS: Passage = seed("000", "¶6", "通常各自區域的治理單元內無法有效化解矛盾");
const DEPTS_UNLINKED: Passage = seed("000", "¶6", "治理部門缺少聯動");
const LOW_ORGANISATION: Passage = seed("000", "¶4", "社會由高組織化轉為低組織化");
const GRID_FIRST: Passage = seed("000", "¶27", "實現小事格內解決,大事全網共治");
const ACROSS_FIELDS: Passage = seed("000", "¶27", "對于跨領域的社會矛盾");
const CITY_BRAIN: Passage = seed("000", "¶28", "建設城市云腦");
const ONE_NETWORK: Passage = seed("000", "¶28", "城市治理“一網統管”");
const ONE_DATABASE: Passage = seed("000", "¶19", "它力圖通過建立一整套統一的數據庫");
const CITY_LEADING_GROUP: Passage = seed("000", "¶26", "三級聯動的跨部門“市域社會治理領導小組”");
const WEAK_ORGS: Passage = seed("001", "¶17", "社會組織不具備獨立治理的能力和水平");
const WEAK_PARTICIPATION: Passage = seed("001", "¶17", "民眾的參與意識和參與能力較弱");
const OWN_SYSTEMS: Passage = seed("001", "¶15", "各治理機構自成體系");
const LINES_AND_BLOCKS: Passage = seed("003", "¶3", "條線垂直管理和街鎮屬地管理缺乏聯動、信息屏蔽");
const MEDIATION_CENTRES: Passage = seed(
    "003",
    "¶5",
    "推動基層綜治中心、專業性矛盾糾紛化解平臺等平臺建設",
);
const ONE_PLACE: Passage = seed("004", "¶10", "矛盾化解“最多跑一地”");
const FOUR_DOWN: Passage = seed("004", "¶10", "實現資源、服務、人才、責任“四個下沉”");
const ONE_GRID_NET: Passage = seed("004", "¶7", "多網合一、一網兜底");
const RURAL_PEOPLE: Passage = seed("004", "¶21", "農村人力資本缺失嚴重");
const STRETCHED: Passage = seed("004", "¶22", "也使政府的人力、物力、財力受到限制");

const FORMALISM: Passage = seed(
    "001",
    "¶15",
    "考核機制的不健全等,導致了技術使用形式主義的現象",
);
const NOT_SPILL: Passage = seed("003", "¶2", "確保矛盾風險不外溢、不擴散");
const BOUND_ASSESSMENT: Passage = seed("003", "¶3", "捆綁考核");
const ONE_STOP: Passage = seed("004", "¶15", "建設“一站式”綜合服務窗口");

const HOTLINE_SIGN: &str = "12345 hotline rules: the handling unit signs for an order within 1 working day and contacts the resident";

const CENSUS: &str = "NBS, 第七次全国人口普查主要数据, 2021";
const POLICE_BANDS: &str = "Tong & Lei 2010, Large-scale mass incidents and government responses in China, East Asian Policy 2(2)";
const TOLERATE: &str = "Göbel 2021, The political logic of protest repression in China, Journal of Contemporary China 30(128); Li 2019, Government and Opposition";
const LARGE_EVENTS: &str =
    "Tong & Lei 2010, East Asian Policy 2(2): incidents with over 500 participants";
const EPSTEIN: &str = "Epstein 2002, Modeling civil violence, PNAS 99 suppl. 3: 7243-7250";

/// Every parameter's unit and source.
pub const SOURCES: &[Entry] = &[
    // [run]: settings of the run, not of the model.
    assumed("run.ticks", "days"),
    assumed("run.seed", "-"),
    assumed("run.residents", "residents"),
    assumed("run.burn_in", "days"),
    assumed("run.warmup", "days"),
    assumed("run.window", "days"),
    // [territory]
    grounded(
        "territory.grid_size_urban",
        "residents per grid",
        FIVE_LEVELS,
    ),
    grounded(
        "territory.grid_size_rural",
        "residents per grid",
        ONE_GRID_NET,
    ),
    grounded("territory.grids_per_community_urban", "grids", FIVE_LEVELS),
    grounded("territory.grids_per_community_rural", "grids", FIVE_LEVELS),
    grounded(
        "territory.communities_per_township_urban",
        "communities",
        FOUR_LEVELS,
    ),
    grounded(
        "territory.communities_per_township_rural",
        "communities",
        FOUR_LEVELS,
    ),
    grounded(
        "territory.counties[].population_share",
        "share of residents",
        COUNTIES,
    ),
    grounded(
        "territory.counties[].urban_share",
        "share of the county's residents",
        URBAN_RURAL,
    ),
    // [population]
    figure(
        "population.elderly_share_urban",
        "share of residents",
        "aged 60+ 18.70%, aged 65+ 13.50% of China's population in 2020; the urban-rural split is assumed",
        CENSUS,
    ),
    figure(
        "population.elderly_share_rural",
        "share of residents",
        "aged 60+ 18.70%, aged 65+ 13.50% of China's population in 2020; villages are older (MODEL §2), by how much is assumed",
        CENSUS,
    ),
    figure(
        "population.youth_share",
        "share of residents",
        "aged 0-14 17.95% of China's population in 2020",
        CENSUS,
    ),
    grounded("population.hardship_urban", "hardship (0-1)", RURAL_GAP),
    grounded("population.hardship_rural", "hardship (0-1)", RURAL_GAP),
    assumed("population.trust_mean", "trust (0-1)"),
    assumed("population.concentration", "Beta α + β"),
    figure(
        "population.digital_urban",
        "share (0-1)",
        "internet use 76.4% in towns, June 2020",
        "CNNIC, 第46次中国互联网络发展状况统计报告, 2020",
    ),
    figure(
        "population.digital_rural",
        "share (0-1)",
        "internet use 52.3% in villages, June 2020 (57.6% in Dec 2021)",
        "CNNIC, 第46次 and 第49次中国互联网络发展状况统计报告, 2020 and 2022",
    ),
    figure(
        "population.digital_elderly",
        "factor",
        "internet use 43.2% of those aged 60+ against 73.0% of all, Dec 2021 (ratio 0.59)",
        "CNNIC, 第49次中国互联网络发展状况统计报告, 2022",
    ),
    assumed("population.digital_spread", "-"),
    grounded("population.strong_ties", "ties", TIES),
    grounded("population.weak_ties", "ties", TIES),
    grounded(
        "population.weak_same_township",
        "share of weak ties",
        ACROSS_REGIONS,
    ),
    grounded(
        "population.weak_same_county",
        "share of weak ties",
        ACROSS_REGIONS,
    ),
    assumed("population.weak_tie_weight", "weight"),
    grounded(
        "population.org_membership",
        "share of residents",
        LOW_ORGANISATION,
    ),
    grounded("population.link_strength", "share (0-1)", LINK_STRENGTH),
    grounded("population.rural_staff_contact", "share", RURAL_PEOPLE),
    assumed("population.staff_contact_min", "share"),
    grounded("population.link_weight_staff", "weight", GRID_LINKS),
    grounded("population.link_weight_org", "weight", EMBEDDED),
    grounded("population.link_weight_neighbours", "weight", TIES),
    // [government]
    figure(
        "government.hours_per_staff",
        "hours/day",
        "statutory working day 8 h; the default 7 h leaves an hour for what is not casework (assumed)",
        "国务院关于职工工作时间的规定, 1995",
    ),
    grounded(
        "government.grid_staff_urban",
        "staff per grid",
        ONE_GRID_NET,
    ),
    grounded(
        "government.grid_staff_rural",
        "staff per grid",
        RURAL_PEOPLE,
    ),
    grounded(
        "government.community_staff_urban",
        "staff per community",
        STRETCHED,
    ),
    grounded(
        "government.community_staff_rural",
        "staff per village",
        RURAL_PEOPLE,
    ),
    grounded(
        "government.township_staff_per_1000_urban",
        "staff per 1,000 residents",
        STRETCHED,
    ),
    grounded(
        "government.township_staff_per_1000_rural",
        "staff per 1,000 residents",
        RURAL_PEOPLE,
    ),
    assumed(
        "government.county_staff_per_1000",
        "staff per 1,000 residents",
    ),
    grounded(
        "government.county_dept_staff_per_1000",
        "staff per 1,000 residents, each department",
        SILOS,
    ),
    grounded(
        "government.city_centre_staff_per_1000",
        "staff per 1,000 residents",
        CITY_BRAIN,
    ),
    assumed(
        "government.city_dept_staff_per_1000",
        "staff per 1,000 residents, each department",
    ),
    grounded(
        "government.dispatch_hours",
        "staff-hours per issue",
        ONE_NETWORK,
    ),
    grounded("government.escalation_delay_days", "days", FOUR_LEVELS),
    grounded("government.referral_delay_days", "days", SILOS),
    grounded("government.handoff_hours", "staff-hours", JOINT_MEETINGS),
    grounded("government.overhead_share", "share of staff time", COSTLY),
    grounded(
        "government.rural_work_penalty",
        "share of handling time",
        RURAL_ADMIN,
    ),
    grounded("government.rural_connectivity", "share", RURAL_GAP),
    grounded("government.patrol_rate", "probability per day", FOUND_LATE),
    grounded(
        "government.cross_region_rate",
        "probability per day",
        ACROSS_REGIONS,
    ),
    grounded(
        "government.cross_region_patience_days",
        "days",
        COUNTY_LIMITS,
    ),
    grounded(
        "government.county_budget_per_1000",
        "budget units per 1,000 residents per day",
        FUNDING,
    ),
    grounded(
        "government.city_budget_per_1000",
        "budget units per 1,000 residents per day",
        FOUR_MECHANISMS,
    ),
    grounded(
        "government.leading_group_threshold",
        "open issues per 1,000 residents",
        IN_CRISES,
    ),
    grounded(
        "government.mediation_share",
        "share of staff",
        MEDIATION_CENTRES,
    ),
    grounded(
        "government.mediations_per_staff",
        "protesters per mediator per day",
        ONE_PLACE,
    ),
    assumed("government.transfer_friction", "share of moved capacity"),
    assumed("government.budget_cap_days", "days of income"),
    grounded("government.leading_group_floor", "factor", HIGH_PUSH),
    grounded("government.leading_group_rise", "factor", HIGH_PUSH),
    assumed(
        "government.leading_group_emergencies",
        "open emergencies per 1,000 residents",
    ),
    grounded("government.patrol_floor", "share", FOUND_LATE),
    grounded("government.patrol_information_gain", "share", PLATFORM),
    assumed("government.cross_region_horizontal_weight", "weight"),
    assumed("government.cross_region_information_weight", "weight"),
    grounded(
        "government.cross_region_patience_stretch",
        "factor",
        COUNTY_LIMITS,
    ),
    assumed("government.dispatch_delay_days", "days"),
    assumed("government.stage_delay_min_days", "days"),
    // [organisations]
    grounded(
        "organisations.per_community_urban",
        "organisations per community",
        FEW_ORGS,
    ),
    grounded(
        "organisations.per_community_rural",
        "organisations per village",
        FEW_ORGS,
    ),
    assumed("organisations.hours_per_day", "staff-hours/day"),
    grounded(
        "organisations.activation_rate",
        "probability per day",
        WEAK_ORGS,
    ),
    grounded(
        "organisations.lapse_rate",
        "probability per day",
        LINKED_IDLE,
    ),
    grounded("organisations.funding", "share", FUNDING),
    assumed("organisations.propensity_min", "factor"),
    grounded(
        "organisations.upkeep_hours",
        "staff-hours/day per organisation",
        CULTIVATE,
    ),
    grounded(
        "organisations.reliability",
        "probability per day",
        WEAK_ORGS,
    ),
    grounded(
        "organisations.lapse_unkept",
        "probability per day",
        FEW_ORGS,
    ),
    // [issues]
    assumed("issues.assistance_budget_units", "budget units per issue"),
    grounded("issues.small_severity", "severity (0-1)", GRID_FIRST),
    assumed("issues.severity_base", "factor"),
    assumed("issues.severity_min", "severity (0-1)"),
    assumed("issues.work_base", "factor"),
    assumed("issues.late_resolution_discount", "share"),
    assumed("issues.first_stage_share", "share"),
    assumed("issues.*.rate", "issues per 1,000 residents per day"),
    assumed("issues.*.work_hours", "staff-hours"),
    assumed("issues.*.deadline_days", "days"),
    assumed("issues.*.severity", "severity (0-1)"),
    grounded(
        "issues.cross_department.rate",
        "issues per 1,000 residents per day",
        ACROSS_FIELDS,
    ),
    grounded(
        "issues.cross_region.rate",
        "issues per 1,000 residents per day",
        ACROSS_REGIONS,
    ),
    grounded(
        "issues.stability.rate",
        "unused (stability issues come from incidents)",
        INCIDENTS,
    ),
    // [behaviour]
    assumed("behaviour.hardship_relax", "share of the gap per day"),
    assumed("behaviour.trust_relax", "share of the gap per day"),
    assumed("behaviour.resolve_trust_gain", "trust"),
    assumed(
        "behaviour.resolve_hardship_relief",
        "hardship per unit severity",
    ),
    assumed("behaviour.expire_trust_loss", "trust"),
    assumed("behaviour.expire_hardship", "hardship per unit severity"),
    assumed("behaviour.refused_hardship", "hardship per unit severity"),
    // Being told an issue is done when it is not (形式主义) is heard of as a poor
    // experience, half an expiry's.
    grounded(
        "behaviour.unsolved_experience_loss",
        "experience signal",
        FORMALISM,
    ),
    // An expiry is the worst experience: it takes a neutral signal to the bottom (−1).
    assumed("behaviour.expire_experience_loss", "experience signal"),
    grounded(
        "behaviour.word_of_mouth",
        "trust per day",
        TRUST_BY_INFORMATION,
    ),
    assumed("behaviour.experience_decay", "factor per day"),
    assumed(
        "behaviour.exposure_trust_loss",
        "trust per unit exposure per day",
    ),
    assumed("behaviour.exposure_decay", "factor per day"),
    grounded("behaviour.incident_exposure", "exposure per day", INCIDENTS),
    assumed(
        "behaviour.protester_exposure",
        "exposure per protester per day",
    ),
    grounded("behaviour.report_base", "probability", WEAK_PARTICIPATION),
    assumed("behaviour.report_trust", "probability per unit trust"),
    grounded("behaviour.report_link", "probability", CHAT_GROUPS),
    grounded("behaviour.report_channel_base", "factor", UP_AND_DOWN),
    grounded("behaviour.report_channel_sharing", "factor", DATA_RUNS),
    assumed("behaviour.elderly_need", "multiplier"),
    assumed("behaviour.need_base", "multiplier"),
    assumed("behaviour.need_hardship", "multiplier per unit hardship"),
    grounded("behaviour.volunteer_rate", "probability per day", DECISION),
    assumed("behaviour.volunteer_stop", "probability per day"),
    grounded("behaviour.volunteer_capacity_youth", "factor", DECISION),
    grounded("behaviour.volunteer_capacity_elderly", "factor", DECISION),
    grounded("behaviour.volunteer_cognition_base", "factor", DECISION),
    grounded("behaviour.volunteer_cognition_linkage", "factor", DECISION),
    grounded("behaviour.volunteer_digital_base", "factor", DECISION),
    grounded("behaviour.volunteer_digital", "factor", DECISION),
    grounded("behaviour.volunteer_environment_base", "factor", DECISION),
    grounded("behaviour.volunteer_environment_cap", "factor", POINTS),
    grounded("behaviour.volunteer_neighbours", "factor", MOBILISE),
    assumed("behaviour.volunteer_hours", "staff-hours/day"),
    grounded("behaviour.points_per_day", "points per day", POINTS),
    grounded("behaviour.points_pull", "per point", REDEEM),
    figure(
        "behaviour.volunteer_upkeep_hours",
        "staff-hours/day per volunteer engaged",
        "one supervisor per 15-30 volunteers on duty (SFRPD 1:15, CASA 1:30): 0.07-0.13 staff-hours per 2-hour volunteer-day",
        "Rehnborg et al. 2009, Strategic Volunteer Engagement, RGK Center, pp. 28-30",
    ),
    grounded(
        "behaviour.volunteer_reliability",
        "probability per day",
        WEAK_PARTICIPATION,
    ),
    grounded(
        "behaviour.volunteer_stop_unkept",
        "probability per day",
        NEEDS_LIST,
    ),
    grounded("behaviour.point_value", "budget units per point", REDEEM),
    grounded(
        "behaviour.protest_voice",
        "word-of-mouth signal",
        ACROSS_REGIONS,
    ),
    assumed("behaviour.gain_memory_days", "days"),
    figure(
        "behaviour.security_damage",
        "insecurity per unit flood strength",
        "floods lower the life satisfaction of residents of the hit regions; the size here is assumed",
        "Luechinger and Raschky 2009, Valuing flood disasters using the life satisfaction approach, J. Public Econ. 93: 620-633",
    ),
    figure(
        "behaviour.security_illness",
        "insecurity",
        "health is among the strongest correlates of subjective well-being; 0.3 × weight 0.25 lowers happiness by 0.075 (0.75 on a 0-10 scale), assumed for an acute illness",
        "Dolan, Peasgood and White 2008, Do we really know what makes us happy?, J. Econ. Psychol. 29: 94-122",
    ),
    figure(
        "behaviour.security_job_loss",
        "insecurity",
        "unemployment lowers life satisfaction by about 1 point on a 0-10 scale, mostly beyond the income lost; 0.4 × weight 0.25 gives 0.1 (1 point) on top of hardship",
        "Winkelmann and Winkelmann 1998, Why are the unemployed so unhappy?, Economica 65: 1-15; in China, Knight, Song and Gunatilaka 2009, China Econ. Rev. 20: 635-649",
    ),
    grounded("behaviour.happiness_gain", "weight", THREE_SENSES),
    grounded("behaviour.happiness_security", "weight", THREE_SENSES),
    grounded("behaviour.happiness_relief", "weight", THREE_SENSES),
    grounded("behaviour.happiness_trust", "weight", THREE_SENSES),
    // [collective]
    figure(
        "collective.k",
        "-",
        "k = 2.3, so that the estimated arrest (here: mediation) probability is 0.9 when cops and actives are equal",
        EPSTEIN,
    ),
    figure(
        "collective.threshold",
        "grievance",
        "threshold T = 0.1",
        EPSTEIN,
    ),
    grounded("collective.mediation_days", "days", MEDIATION_CENTRES),
    assumed("collective.mediation_relief", "hardship"),
    assumed("collective.presence_scale", "mediators per staff"),
    grounded("collective.petition_threshold", "grievance", NOT_SPILL),
    figure(
        "collective.petition_rate",
        "probability",
        "letters and visits to all levels peaked near 10 million a year nationally in the mid-2000s, about 8 per 1,000 people a year; those over the city's head are a part",
        "Minzner 2006, Stanford Journal of International Law 42:103",
    ),
    // Issue 13: who protests, at what cost, and how government answers.
    assumed("collective.threshold_spread", "grievance"),
    assumed("collective.protest_cost", "grievance per day"),
    assumed("collective.fatigue_per_day", "grievance per day"),
    assumed("collective.fatigue_keep", "share per day"),
    figure(
        "collective.incident_min",
        "people",
        "mass incidents are classed by size from 5 people: 5-30, 30-300, 300-1,000, over 1,000",
        POLICE_BANDS,
    ),
    figure(
        "collective.tolerate_size",
        "people",
        "authorities tolerate most protests; most are small",
        TOLERATE,
    ),
    assumed("collective.answer_days", "days"),
    assumed("collective.centre_days", "days"),
    grounded("collective.joint_min", "share", ONE_PLACE),
    grounded(
        "collective.mediation_hours",
        "staff-hours per protester",
        MEDIATION_CENTRES,
    ),
    grounded(
        "collective.mediation_share",
        "share of hours",
        MEDIATION_CENTRES,
    ),
    assumed("collective.mediation_trust", "trust"),
    figure(
        "collective.concede_min",
        "share",
        "concessions where they are cheap, repression where costly and protest intense",
        TOLERATE,
    ),
    assumed(
        "collective.concession_per_protester",
        "budget units per protester",
    ),
    assumed("collective.concession_relief", "hardship per day"),
    assumed("collective.concession_days", "days"),
    assumed("collective.concession_invites", "grievance"),
    figure(
        "collective.police_after_days",
        "days",
        "rural land protests nearly always meet repression",
        TOLERATE,
    ),
    assumed("collective.police_risk", "probability"),
    assumed(
        "collective.police_hours",
        "staff-hours per protester per day",
    ),
    grounded("collective.police_backlash", "trust per day", NOT_SPILL),
    figure(
        "collective.escalate_size",
        "people",
        "incidents over 500 participants form the large events (land, demolition, labour, pollution)",
        LARGE_EVENTS,
    ),
    grounded("collective.escalate_min", "share", INCIDENTS),
    assumed("collective.escalate_hours", "staff-hours per day"),
    assumed("collective.cause_days", "days"),
    grounded(
        "collective.incident_petitions",
        "share of protesters per day",
        NOT_SPILL,
    ),
    assumed("collective.tie_pull", "grievance per share of ties"),
    assumed("collective.incident_quiet_days", "days"),
    // [links]: link strength as a state and shared goals (piece C of issue 12).
    grounded(
        "links.outreach_hours_per_1000",
        "staff-hours per 1,000 residents per day",
        GRID_LINKS,
    ),
    assumed("links.outreach_priority", "share"),
    grounded("links.contact_hours", "staff-hours per visit", GRID_LINKS),
    grounded(
        "links.contact_gain",
        "link strength per visit",
        LINK_STRENGTH,
    ),
    grounded("links.member_gain", "link strength per day", EMBEDDED),
    grounded(
        "links.service_gain",
        "link strength per solved issue",
        LINK_STRENGTH,
    ),
    grounded("links.decay", "share per day", LINKED_IDLE),
    grounded("links.goals_base", "share (0-1)", DECISION),
    grounded("links.goals_recognition", "share (0-1)", MOBILISE),
    grounded("links.goals_points", "per point", POINTS),
    grounded("links.dept_goals_base", "share (0-1)", NO_SHARED_GOAL),
    grounded(
        "links.dept_goals_assessment",
        "shared goals per unit of assessment pressure",
        BOUND_ASSESSMENT,
    ),
    grounded("links.dept_goals_leading_group", "share (0-1)", HIGH_PUSH),
    // [assessment]: 考核, 督办, 回访 and the residents' verdict.
    figure(
        "assessment.response_days",
        "days",
        "1 working day",
        HOTLINE_SIGN,
    ),
    assumed("assessment.score_rate", "share per event"),
    assumed("assessment.score_start", "score (0-1)"),
    grounded("assessment.timely_share", "share", FOUR_MECHANISMS),
    grounded("assessment.pressure_weight", "factor", BOUND_ASSESSMENT),
    assumed("assessment.solve_quality", "probability"),
    grounded("assessment.grid_skill", "factor", GRID_FIRST),
    grounded("assessment.gaming_rate", "probability", FORMALISM),
    grounded("assessment.gaming_work_share", "share", FORMALISM),
    grounded("assessment.deadline_gaming", "probability", FORMALISM),
    grounded(
        "assessment.supervision_deterrence",
        "share",
        FOUR_MECHANISMS,
    ),
    grounded("assessment.callback_share", "share", FOUR_MECHANISMS),
    assumed("assessment.callback_hours", "staff-hours"),
    assumed("assessment.satisfied_solved", "probability"),
    assumed("assessment.satisfied_unsolved", "probability"),
    assumed("assessment.reraise", "probability"),
    assumed("assessment.reopen_days", "days"),
    assumed("assessment.max_reopens", "count"),
    grounded("assessment.unsolved_trust_loss", "trust", FORMALISM),
    grounded("assessment.non_response", "probability", SILOS),
    grounded("assessment.pressure_response", "share", FOUR_MECHANISMS),
    grounded(
        "assessment.supervision_pull",
        "probability",
        FOUR_MECHANISMS,
    ),
    grounded(
        "assessment.reporting_hours",
        "staff-hours per closure",
        UP_AND_DOWN,
    ),
    assumed(
        "assessment.supervision_hours_per_1000",
        "staff-hours per 1,000 residents per day",
    ),
    // [costs]: spatial investment, the platform and the leading group.
    grounded("costs.uplift_days", "days", TO_THE_COUNTRY),
    grounded(
        "costs.uplift_budget_per_1000",
        "budget units per 1,000 rural residents per day",
        TO_THE_COUNTRY,
    ),
    grounded(
        "costs.travel_share",
        "hours per hour lent",
        CITY_LEADS_COUNTRY,
    ),
    grounded(
        "costs.platform_budget_per_1000",
        "budget units per 1,000 residents per day",
        PLATFORM,
    ),
    grounded(
        "costs.data_entry_hours",
        "staff-hours per reported issue",
        ONE_GRID_NET,
    ),
    grounded("costs.leading_group_share", "share of hours", HIGH_PUSH),
    grounded("costs.leading_group_attention", "share", HIGH_PUSH),
    // [silos]: fragmentation's own mechanisms and residents' trips.
    grounded("silos.unclear_multi", "share", LINES_AND_BLOCKS),
    grounded("silos.unclear_single", "share", LINES_AND_BLOCKS),
    grounded("silos.bounce_rate", "probability", SILOS),
    assumed("silos.bounce_repeat", "factor"),
    grounded("silos.rework_share", "share", OWN_SYSTEMS),
    grounded("silos.boundary_city_weight", "factor", COUNTY_LIMITS),
    grounded("silos.trip_per_handoff", "probability", ONE_PLACE),
    grounded(
        "silos.one_stop_share",
        "share of the township's hours",
        ONE_STOP,
    ),
    // [regimes.<name>]: the mechanisms, then what a preset's value stands for.
    grounded("regimes.*.information_sharing", "share (0-1)", PLATFORM),
    grounded("regimes.*.vertical", "share (0-1)", FOUR_LEVELS),
    grounded("regimes.*.horizontal", "share (0-1)", JOINT_MEETINGS),
    grounded("regimes.*.social", "share (0-1)", ORG_PLATFORM),
    grounded("regimes.*.spatial", "share (0-1)", CITY_LEADS_COUNTRY),
    grounded("regimes.*.pooling", "share (0-1)", INTEGRATE),
    grounded("regimes.*.central_routing", "share (0-1)", ONE_NETWORK),
    grounded("regimes.*.grid_first", "probability", GRID_FIRST),
    grounded("regimes.*.coordination_cost", "share (0-1)", COSTLY),
    grounded("regimes.*.supervision", "share (0-1)", FOUR_MECHANISMS),
    grounded(
        "regimes.fragmented.information_sharing",
        "share (0-1)",
        SILOS,
    ),
    grounded(
        "regimes.fragmented.vertical",
        "share (0-1)",
        LINES_AND_BLOCKS,
    ),
    grounded(
        "regimes.fragmented.horizontal",
        "share (0-1)",
        DEPTS_UNLINKED,
    ),
    grounded("regimes.fragmented.social", "share (0-1)", LOW_ORGANISATION),
    grounded(
        "regimes.fragmented.central_routing",
        "share (0-1)",
        OWN_SYSTEMS,
    ),
    grounded(
        "regimes.integrated.information_sharing",
        "share (0-1)",
        ONE_DATABASE,
    ),
    grounded(
        "regimes.integrated.central_routing",
        "share (0-1)",
        CITY_BRAIN,
    ),
    grounded(
        "regimes.integrated.vertical",
        "share (0-1)",
        CITY_LEADING_GROUP,
    ),
    grounded("regimes.integrated.social", "share (0-1)", WEAK_ORGS),
    grounded(
        "regimes.linkage.vertical",
        "share (0-1)",
        LEADING_GROUP_SET_UP,
    ),
    grounded("regimes.linkage.social", "share (0-1)", MOBILISE),
    grounded("regimes.linkage.spatial", "share (0-1)", TO_THE_COUNTRY),
    grounded(
        "regimes.linkage.information_sharing",
        "share (0-1)",
        PLATFORM,
    ),
    grounded("regimes.linkage.pooling", "share (0-1)", FOUR_DOWN),
    // [[shocks]]: the common fields, then each kind's coefficients.
    assumed("shocks[].start", "day"),
    assumed("shocks[].duration", "days"),
    assumed("shocks[].intensity", "0-1"),
    assumed("shocks[].target.township", "index"),
    assumed("shocks[flood].emergency_surge", "multiplier"),
    assumed("shocks[flood].facility_surge", "multiplier"),
    assumed("shocks[flood].assistance_surge", "multiplier"),
    assumed("shocks[flood].hardship_per_day", "hardship per day"),
    assumed("shocks[flood].capacity_loss", "share of capacity"),
    assumed("shocks[flood].county_loss_share", "share of the loss"),
    assumed("shocks[epidemic].seed_share", "share of residents"),
    assumed("shocks[epidemic].transmission", "probability per day"),
    assumed("shocks[epidemic].incubation_days", "days"),
    assumed("shocks[epidemic].infectious_days", "days"),
    assumed("shocks[epidemic].quarantine", "share"),
    assumed("shocks[epidemic].staff_sickness", "share"),
    assumed("shocks[epidemic].health_issue_rate", "probability per day"),
    assumed("shocks[epidemic].supply_issue_rate", "probability per day"),
    assumed("shocks[epidemic].detect_self", "probability per day"),
    assumed("shocks[epidemic].detect_platform", "probability per day"),
    assumed(
        "shocks[epidemic].detect_grid",
        "detection per unit of visit chance",
    ),
    assumed("shocks[epidemic].isolation_effect", "share of contact"),
    assumed("shocks[epidemic].case_hours", "staff-hours per case"),
    assumed("shocks[epidemic].grid_case_share", "share of grid hours"),
    assumed("shocks[epidemic].trace_rate", "probability per tie"),
    assumed("shocks[epidemic].trace_link_weight", "weight"),
    assumed("shocks[epidemic].quarantine_days", "days"),
    assumed("shocks[epidemic].home_hardship", "hardship per day"),
    assumed("shocks[epidemic].home_supply_rate", "probability per day"),
    assumed(
        "shocks[epidemic].home_assistance_rate",
        "probability per day",
    ),
    assumed("shocks[epidemic].distancing_max", "share of contact"),
    assumed("shocks[epidemic].risk_sensitivity", "per share infectious"),
    assumed("shocks[epidemic].hearsay", "weight"),
    assumed("shocks[epidemic].lockdown_hardship", "hardship per day"),
    assumed("shocks[epidemic].lockdown_requests", "multiplier"),
    assumed("shocks[epidemic].import_rate", "share of residents per day"),
    assumed(
        "shocks[closure].worker_share",
        "share of working-age residents",
    ),
    assumed("shocks[closure].hardship_per_day", "hardship per day"),
    assumed("shocks[closure].assistance_surge", "multiplier"),
    assumed(
        "shocks[closure].claims_per_worker",
        "claims per laid-off worker",
    ),
    assumed("shocks[closure].claim_days", "days"),
    assumed("shocks[closure].wage_share", "share of claims"),
    assumed(
        "shocks[closure].claim_wait_trust",
        "trust per open claim per day",
    ),
    assumed(
        "shocks[closure].claim_relief",
        "share of the daily hardship",
    ),
    assumed(
        "shocks[closure].coworker_pull",
        "threshold per share of co-workers protesting",
    ),
    assumed("shocks[land_dispute].hardship_per_day", "hardship per day"),
    assumed("shocks[land_dispute].trust_loss_per_day", "trust per day"),
    assumed("shocks[land_dispute].dispute_surge", "multiplier"),
    assumed("shocks[rumour].seed_share", "share of residents"),
    assumed("shocks[rumour].spread", "probability per day"),
    assumed("shocks[rumour].trust_loss_per_day", "trust per day"),
    grounded(
        "shocks[rumour].debunk_rate",
        "probability per day",
        TRUST_BY_INFORMATION,
    ),
    grounded("shocks[rumour].damping", "share", SEPARATE_SYSTEMS),
    assumed("shocks[rumour].debunk_base", "probability per day"),
    figure(
        "shocks[rumour].receptive_share",
        "share of residents",
        "8-37% of adults rated a given COVID-19 falsehood reliable (5G 8-16%, Wuhan lab 22-37%) across five countries; the share for a local rumour is assumed near the top of that range",
        "Roozenbeek et al. 2020, Susceptibility to misinformation about COVID-19 around the world, R. Soc. Open Sci. 7: 201199",
    ),
    figure(
        "shocks[rumour].receptive_distrust",
        "share per unit of distrust",
        "lower trust in scientists predicted belief in misinformation in every country surveyed; the size is assumed",
        "Roozenbeek et al. 2020, R. Soc. Open Sci. 7: 201199",
    ),
    figure(
        "shocks[rumour].novelty_days",
        "days",
        "half of 754 COVID-19 rumours debunked on Tencent's 较真 platform faded within 25 days; false news is more novel and spreads faster than true news",
        "Survival analysis of the duration of rumors during the COVID-19 pandemic, BMC Public Health 24 (2024), doi:10.1186/s12889-024-17991-3; Vosoughi, Roy and Aral 2018, Science 359: 1146-1151",
    ),
    grounded(
        "shocks[rumour].debunk_grid",
        "probability per day per unit visit chance",
        CHAT_GROUPS,
    ),
    grounded(
        "shocks[rumour].debunk_orgs",
        "probability per day",
        EMBEDDED,
    ),
    grounded(
        "shocks[rumour].debunk_ties",
        "probability per day",
        LINK_STRENGTH,
    ),
    grounded("shocks[rumour].strong_spread", "share", TIES),
    assumed("shocks[fiscal_cut].staff_cut", "share of capacity"),
    assumed("shocks[fiscal_cut].budget_cut", "share of income"),
];

/// A numeric field of a scenario as serialised.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// Its path, as experiment factors write it (`shocks[0].intensity`).
    pub path: String,
    /// Its key in [`SOURCES`] ([`key`] form: `shocks[flood].intensity`).
    pub key: String,
    pub value: f64,
    /// A whole-number field (TOML integer).
    pub whole: bool,
}

/// Every numeric field of `s`, in the order of its TOML form (`params.toml`).
pub fn leaves(s: &Scenario) -> Vec<Leaf> {
    let doc = toml_edit::Document::parse(s.to_toml()).expect("a scenario's TOML parses");
    let mut out = Vec::new();
    table(doc.as_table(), "", "", &mut out);
    out
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// The numbers of a table at `path` (its [`key`] form `key`), in order.
fn table(t: &dyn toml_edit::TableLike, path: &str, key: &str, out: &mut Vec<Leaf>) {
    for (k, item) in t.iter() {
        let (p, q) = (join(path, k), join(key, k));
        match item {
            toml_edit::Item::Value(v) => value(v, &p, &q, out),
            toml_edit::Item::Table(t) => table(t, &p, &q, out),
            toml_edit::Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    table(t, &format!("{p}[{i}]"), &item_key(&q, t), out);
                }
            }
            toml_edit::Item::None => {}
        }
    }
}

/// The [`key`] form of a list item of the list keyed `key`: a shock by its kind, any
/// other item by none.
fn item_key(key: &str, t: &dyn toml_edit::TableLike) -> String {
    let kind = match (key, t.get("kind").and_then(|k| k.as_str())) {
        ("shocks", Some(kind)) => kind,
        _ => "",
    };
    format!("{key}[{kind}]")
}

fn value(v: &toml_edit::Value, path: &str, key: &str, out: &mut Vec<Leaf>) {
    let mut push = |value: f64, whole: bool| {
        out.push(Leaf {
            path: path.to_string(),
            key: key.to_string(),
            value,
            whole,
        })
    };
    match v {
        toml_edit::Value::Integer(i) => push(*i.value() as f64, true),
        toml_edit::Value::Float(f) => push(*f.value(), false),
        toml_edit::Value::InlineTable(t) => table(t, path, key, out),
        toml_edit::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let q = match x.as_inline_table() {
                    Some(t) => item_key(key, t),
                    None => format!("{key}[]"),
                };
                value(x, &format!("{path}[{i}]"), &q, out);
            }
        }
        _ => {}
    }
}

/// The [`SOURCES`] entry of a key, trying the exact key, then the common shock fields,
/// then a wildcard for the second-to-last segment.
pub fn lookup(key: &str) -> Option<&'static Entry> {
    let find = |k: &str| SOURCES.iter().find(|e| e.key == k);
    if let Some(e) = find(key) {
        return Some(e);
    }
    if let Some(rest) = key.strip_prefix("shocks[")
        && let Some((_, field)) = rest.split_once(']')
        && let Some(e) = find(&format!("shocks[]{field}"))
    {
        return Some(e);
    }
    let mut parts: Vec<&str> = key.split('.').collect();
    if parts.len() >= 3 {
        let n = parts.len();
        parts[n - 2] = "*";
        return find(&parts.join("."));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::builtin;

    /// Every shipped scenario, and the baseline with one shock of each kind (so that
    /// every kind's coefficients are walked).
    fn every_scenario() -> Vec<Scenario> {
        let mut all: Vec<Scenario> = builtin::NAMES
            .iter()
            .map(|n| builtin::get(n).expect("built-in"))
            .collect();
        let mut shocked = builtin::xcity_baseline();
        shocked.shocks = builtin::example_shocks();
        all.push(shocked);
        all
    }

    #[test]
    fn every_numeric_parameter_has_a_unit_and_a_source() {
        let mut missing: Vec<String> = Vec::new();
        for s in every_scenario() {
            for leaf in leaves(&s) {
                if lookup(&leaf.key).is_none() && !missing.contains(&leaf.key) {
                    missing.push(leaf.key);
                }
            }
        }
        assert!(
            missing.is_empty(),
            "parameters without a unit and source in src/scenario/sources.rs (add a row): {}",
            missing.join(", ")
        );
    }

    #[test]
    fn every_row_names_a_parameter() {
        let keys: Vec<String> = every_scenario()
            .iter()
            .flat_map(leaves)
            .map(|l| l.key)
            .collect();
        // A wildcard row covers regimes and categories a user may add, so it counts as
        // used when some parameter has its form, even if every shipped one has its own row.
        let wildcard = |k: &str| {
            let mut parts: Vec<&str> = k.split('.').collect();
            let n = parts.len();
            if n >= 3 {
                parts[n - 2] = "*";
            }
            parts.join(".")
        };
        for e in SOURCES {
            let used = keys.iter().any(|k| {
                k == e.key
                    || wildcard(k) == e.key
                    || lookup(k).is_some_and(|found| found.key == e.key)
            });
            assert!(used, "{} names no parameter of a shipped scenario", e.key);
            assert!(!e.unit.is_empty(), "{} has no unit", e.key);
        }
        let mut unique: Vec<&str> = SOURCES.iter().map(|e| e.key).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), SOURCES.len(), "a key is listed twice");
    }

    #[test]
    fn paths_are_those_of_experiment_factors_and_keys_their_normal_form() {
        let s = builtin::get("xcity-flood").unwrap();
        let l = leaves(&s);
        let find = |p: &str| l.iter().find(|x| x.path == p).unwrap();
        assert_eq!(
            find("government.handoff_hours").key,
            "government.handoff_hours"
        );
        let c = find("territory.counties[2].urban_share");
        assert_eq!(c.key, "territory.counties[].urban_share");
        assert_eq!(c.value, 0.2);
        let f = find("shocks[0].capacity_loss");
        assert_eq!(f.key, "shocks[flood].capacity_loss");
        assert!(find("population.strong_ties").whole);
        assert!(!find("regimes.linkage.vertical").whole);
        assert_eq!(
            lookup("regimes.mine.vertical").unwrap().key,
            "regimes.*.vertical"
        );
        assert_eq!(
            lookup("shocks[flood].intensity").unwrap().key,
            "shocks[].intensity"
        );
        assert!(lookup("government.no_such_field").is_none());
    }

    #[test]
    fn sources_are_written_as_the_docs_cite_them() {
        assert_eq!(
            Source::Seed(COUNTIES).to_string(),
            "002 §3: “轄1個縣級市和4個縣”"
        );
        assert_eq!(Source::Assumption(None).to_string(), "assumption");
        assert!(
            lookup("collective.k")
                .unwrap()
                .source
                .to_string()
                .starts_with("empirical: k = 2.3")
        );
    }
}
