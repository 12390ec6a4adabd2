//! What the page offers: scenarios, shocks, the ten mechanisms with their labels, the
//! presets, the few scenario settings shown as sliders, the live charts and the lessons
//! (`lessons/*.toml`, compiled in). `GET /api/catalog` is this, as JSON.

use super::request::{DEFAULT_RESIDENTS, Limits, MAX_REGIMES, MIN_RESIDENTS};
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::model::shocks::{KINDS, Shock};
use crate::scenario::{Scenario, builtin};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A mechanism as the page labels it.
pub struct Label {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub help_en: &'static str,
    pub help_zh: &'static str,
}

/// The ten mechanisms, in the order of [`Mechanisms`].
pub const MECHANISMS: [Label; 10] = [
    Label {
        name: "information_sharing",
        en: "information sharing",
        zh: "信息共享",
        help_en: "one platform for all data: patrols find more, referrals are faster, rumours are debunked",
        help_zh: "一网统管：巡查发现更多，转办更快，谣言更易澄清",
    },
    Label {
        name: "vertical",
        en: "vertical linkage",
        zh: "纵向联动",
        help_en: "four levels linked: faster escalation, the leading group steps in sooner",
        help_zh: "市县乡村四级联动：上报更快，领导小组更早介入",
    },
    Label {
        name: "horizontal",
        en: "horizontal linkage",
        zh: "横向联动",
        help_en: "joint meetings and one-stop handling of issues that span departments",
        help_zh: "联席会议、一站式办理跨部门事项",
    },
    Label {
        name: "social",
        en: "social linkage",
        zh: "社会联动",
        help_en: "organisations and volunteers linked to the platform and called in (三社联动)",
        help_zh: "三社联动：社会组织与志愿者接入平台并被动员",
    },
    Label {
        name: "spatial",
        en: "spatial linkage",
        zh: "空间联动",
        help_en: "the city lends spare capacity to rural units (以城带乡)",
        help_zh: "以城带乡：城市把富余力量借给农村",
    },
    Label {
        name: "pooling",
        en: "pooling",
        zh: "统筹",
        help_en: "the city moves spare staff and budget to where queues grow",
        help_zh: "市级统筹人力和经费到积压处",
    },
    Label {
        name: "central_routing",
        en: "central routing",
        zh: "中心派单",
        help_en: "share of issues sent through the city centre's dispatch queue",
        help_zh: "经市级中心派单的事项比例",
    },
    Label {
        name: "grid_first",
        en: "grid first",
        zh: "小事格内解决",
        help_en: "small issues closed in the grid instead of passed up",
        help_zh: "小事在网格内办结，不再上交",
    },
    Label {
        name: "coordination_cost",
        en: "coordination cost",
        zh: "协调成本",
        help_en: "staff time that meetings, reporting and hand-offs take",
        help_zh: "会议、报表和转办占用的工作时间",
    },
    Label {
        name: "supervision",
        en: "supervision",
        zh: "督办与回访",
        help_en: "supervision of offices and hotline callbacks (cost the centre's time)",
        help_zh: "督办与回访（占用中心工作时间）",
    },
];

/// A scenario number the page offers as a slider besides the mechanisms.
pub struct Setting {
    pub path: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// The scenario settings a request may change (no other path is accepted).
pub const SETTINGS: [Setting; 4] = [
    Setting {
        path: "government.city_centre_staff_per_1000",
        en: "city centre's staff (per 1,000 residents)",
        zh: "市级中心人员（每千人）",
        min: 0.0,
        max: 1.0,
        step: 0.01,
    },
    Setting {
        path: "government.county_dept_staff_per_1000",
        en: "county departments' staff (per 1,000 residents, each)",
        zh: "县级部门人员（每千人，每部门）",
        min: 0.0,
        max: 2.0,
        step: 0.05,
    },
    Setting {
        path: "population.link_strength",
        en: "link strength at the start",
        zh: "初始联结强度",
        min: 0.0,
        max: 1.0,
        step: 0.01,
    },
    Setting {
        path: "government.hours_per_staff",
        en: "working hours a staff member gives cases a day",
        zh: "每人每天办件工时",
        min: 1.0,
        max: 12.0,
        step: 0.5,
    },
];

/// A live chart: its key in a day event's `points`, labels and fixed range (or none).
pub struct Chart {
    pub id: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub range: Option<(f64, f64)>,
}

/// The live charts, in the order the page draws them.
pub const CHARTS: [Chart; 7] = [
    Chart {
        id: "service",
        en: "service rate (solved / ended)",
        zh: "服务率（解决/办结）",
        range: Some((0.0, 1.0)),
    },
    Chart {
        id: "solution",
        en: "solution rate (solved / reported)",
        zh: "解决率（解决/受理）",
        range: Some((0.0, 1.0)),
    },
    Chart {
        id: "satisfaction",
        en: "satisfaction (satisfied / called back)",
        zh: "满意率（满意/回访）",
        range: Some((0.0, 1.0)),
    },
    Chart {
        id: "trust",
        en: "trust in government",
        zh: "政府信任",
        range: Some((0.0, 1.0)),
    },
    Chart {
        id: "happiness",
        en: "happiness (gain, security)",
        zh: "幸福感（获得感、安全感）",
        range: Some((0.0, 1.0)),
    },
    Chart {
        id: "protesters",
        en: "protesters",
        zh: "参与群体性事件人数",
        range: None,
    },
    Chart {
        id: "cost",
        en: "government staff-hours a day",
        zh: "政府每日投入工时",
        range: None,
    },
];

/// The built-in scenarios, loaded once.
fn scenarios() -> &'static Vec<Scenario> {
    static ALL: OnceLock<Vec<Scenario>> = OnceLock::new();
    ALL.get_or_init(|| {
        builtin::NAMES
            .iter()
            .filter_map(|n| Scenario::load(n).ok())
            .collect()
    })
}

/// The kind of a shock, as written in scenario files.
pub fn kind_of(s: &Shock) -> &'static str {
    // A shock serialises with its `kind` tag; the kinds are few and fixed.
    let v = toml::Value::try_from(s).ok();
    let k = v
        .as_ref()
        .and_then(|v| v.get("kind"))
        .and_then(|k| k.as_str())
        .unwrap_or("");
    KINDS.iter().copied().find(|&n| n == k).unwrap_or("")
}

/// The kinds of shock the page offers: those a built-in scenario ships an example of.
pub fn shock_kinds() -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|k| shock_template(k).is_some())
        .collect()
}

/// The shipped shock of `kind` (the first built-in scenario's that has one).
pub fn shock_template(kind: &str) -> Option<Shock> {
    scenarios()
        .iter()
        .flat_map(|s| s.shocks.iter())
        .find(|s| kind_of(s) == kind)
        .cloned()
}

pub fn shock_label(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "flood" => ("flood", "洪涝"),
        "epidemic" => ("epidemic", "疫情"),
        "closure" => ("factory closure", "工厂关闭"),
        "land_dispute" => ("land dispute", "征地纠纷"),
        "rumour" => ("rumour", "谣言"),
        "fiscal_cut" => ("budget cut", "财政削减"),
        _ => ("shock", "冲击"),
    }
}

/// A shock's intensity (its `strength` on the page).
pub fn strength_of(s: &Shock) -> Option<f64> {
    toml::Value::try_from(s)
        .ok()?
        .get("intensity")
        .and_then(|i| i.as_float())
}

fn shock_json(s: &Shock) -> Value {
    let (start, end) = s.window();
    json!({"kind": kind_of(s), "day": start, "duration": end - start, "strength": strength_of(s)})
}

/// A lesson file (`lessons/*.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub order: u32,
    pub en: LessonText,
    pub zh: LessonText,
    pub setting: LessonSetting,
    pub slider: LessonSlider,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LessonText {
    pub title: String,
    pub question: String,
    #[serde(rename = "move")]
    pub move_: String,
    pub look_for: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonSetting {
    pub scenario: String,
    #[serde(default = "scenario_shock")]
    pub shock: toml::Value,
    pub residents: u64,
    pub seed: u64,
    pub days: u32,
    pub regimes: Vec<String>,
    #[serde(default)]
    pub settings: BTreeMap<String, f64>,
}

fn scenario_shock() -> toml::Value {
    toml::Value::String("scenario".into())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonSlider {
    pub regime: String,
    pub mechanism: Option<String>,
    pub setting: Option<String>,
    pub from: f64,
    pub to: f64,
}

// `LESSON_FILES: &[(&str, &str)]`: each `lessons/*.toml` by name (build.rs).
include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// Every shipped lesson, in its `order`, with its file's name (no `.toml`).
pub fn lessons() -> Result<Vec<(String, Lesson)>, String> {
    let mut out = Vec::new();
    for (name, text) in LESSON_FILES {
        let l: Lesson = toml::from_str(text).map_err(|e| {
            format!(
                "lessons/{name}.toml: {}",
                e.to_string().lines().next().unwrap_or("")
            )
        })?;
        out.push((name.to_string(), l));
    }
    out.sort_by_key(|(n, l)| (l.order, n.clone()));
    Ok(out)
}

impl Lesson {
    /// The request body that loads this lesson's starting setting.
    pub fn request(&self) -> Value {
        let regimes: Vec<Value> = self
            .setting
            .regimes
            .iter()
            .map(|r| json!({"name": r, "mechanisms": mechanisms_json(&preset_or_linkage(r))}))
            .collect();
        let shock = serde_json::to_value(&self.setting.shock).unwrap_or(Value::Null);
        json!({
            "scenario": self.setting.scenario,
            "shock": shock,
            "residents": self.setting.residents,
            "seed": self.setting.seed,
            "days": self.setting.days,
            "regimes": regimes,
            "settings": self.setting.settings,
        })
    }
}

fn preset_or_linkage(name: &str) -> Mechanisms {
    Mechanisms::preset(name)
        .or_else(|| Mechanisms::preset(PRESET_NAMES[2]))
        .expect("linkage is a preset")
}

fn mechanisms_json(m: &Mechanisms) -> Value {
    serde_json::to_value(m).unwrap_or(Value::Null)
}

/// The scenario's value of each of [`SETTINGS`], by path.
pub fn setting_values(s: &Scenario) -> serde_json::Map<String, Value> {
    let v = toml::Value::try_from(s).ok();
    SETTINGS
        .iter()
        .map(|set| {
            let x = v.as_ref().and_then(|v| {
                set.path
                    .split('.')
                    .try_fold(v, |v, k| v.get(k))
                    .and_then(|x| x.as_float().or(x.as_integer().map(|i| i as f64)))
            });
            (set.path.to_string(), json!(x))
        })
        .collect()
}

/// The catalog as `GET /api/catalog` answers it.
pub fn catalog(limits: Limits, workers: usize, lang: &str) -> Result<Value, String> {
    let listed: Vec<Value> = scenarios()
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "description": s.description,
                "days": s.run.ticks,
                "seed": s.run.seed,
                "shock": s.shocks.first().map(shock_json),
                "settings": setting_values(s),
            })
        })
        .collect();
    let shocks: Vec<Value> = shock_kinds()
        .into_iter()
        .filter_map(|k| {
            let s = shock_template(k)?;
            let (en, zh) = shock_label(k);
            let mut v = shock_json(&s);
            v["en"] = json!(en);
            v["zh"] = json!(zh);
            Some(v)
        })
        .collect();
    let mechanisms: Vec<Value> = MECHANISMS
        .iter()
        .map(|m| json!({"name": m.name, "en": m.en, "zh": m.zh, "help_en": m.help_en, "help_zh": m.help_zh}))
        .collect();
    let presets: serde_json::Map<String, Value> = PRESET_NAMES
        .iter()
        .map(|p| (p.to_string(), mechanisms_json(&preset_or_linkage(p))))
        .collect();
    let defaults = setting_values(&scenarios()[0]);
    let settings: Vec<Value> = SETTINGS
        .iter()
        .map(|s| {
            let default = &defaults[s.path];
            json!({"path": s.path, "en": s.en, "zh": s.zh, "min": s.min, "max": s.max, "step": s.step, "default": default})
        })
        .collect();
    let charts: Vec<Value> = CHARTS
        .iter()
        .map(|c| json!({"id": c.id, "en": c.en, "zh": c.zh, "range": c.range.map(|(a, b)| [a, b])}))
        .collect();
    let lessons: Vec<Value> = lessons()?
        .iter()
        .map(|(id, l)| {
            json!({
                "id": id,
                "en": l.en,
                "zh": l.zh,
                "setting": l.request(),
                "slider": {"regime": l.slider.regime, "mechanism": l.slider.mechanism,
                           "setting": l.slider.setting, "from": l.slider.from, "to": l.slider.to},
            })
        })
        .collect();
    Ok(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "lang": lang,
        "limits": {
            "max_residents": limits.max_residents,
            "min_residents": MIN_RESIDENTS,
            "default_residents": DEFAULT_RESIDENTS,
            "max_days": limits.max_days,
            "max_regimes": MAX_REGIMES,
            "workers": workers,
        },
        "scenarios": listed,
        "shocks": shocks,
        "mechanisms": mechanisms,
        "presets": presets,
        "settings": settings,
        "charts": charts,
        "lessons": lessons,
    }))
}

/// Every text the page may draw from the catalog (for the font subset).
pub fn text(catalog: &Value) -> String {
    let mut out = String::new();
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(catalog, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labels_name_every_mechanism_in_order() {
        let v = toml::Value::try_from(Mechanisms::preset("linkage").unwrap()).unwrap();
        let names: Vec<&str> = v.as_table().unwrap().keys().map(|k| k.as_str()).collect();
        let mut ours: Vec<&str> = MECHANISMS.iter().map(|m| m.name).collect();
        ours.sort();
        let mut theirs = names.clone();
        theirs.sort();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn every_setting_is_a_number_of_the_baseline() {
        let v = toml::Value::try_from(Scenario::load("xcity-baseline").unwrap()).unwrap();
        for s in &SETTINGS {
            let mut cur = &v;
            for k in s.path.split('.') {
                cur = cur.get(k).unwrap_or_else(|| panic!("{} missing", s.path));
            }
            assert!(
                cur.as_float().is_some() || cur.as_integer().is_some(),
                "{}",
                s.path
            );
        }
    }

    #[test]
    fn every_shipped_kind_has_a_template() {
        let kinds = shock_kinds();
        for k in [
            "flood",
            "epidemic",
            "closure",
            "land_dispute",
            "rumour",
            "fiscal_cut",
        ] {
            assert!(kinds.contains(&k), "{k}");
        }
    }

    #[test]
    fn every_lesson_parses_and_its_setting_is_a_valid_run() {
        let lessons = lessons().unwrap();
        assert!(lessons.len() >= 3, "at least three lessons ship");
        let limits = Limits {
            max_residents: 100_000,
            max_days: 730,
        };
        for (id, l) in &lessons {
            let body = serde_json::to_vec(&l.request()).unwrap();
            let p = super::super::request::plan(&body, limits)
                .unwrap_or_else(|e| panic!("lesson {id}: {e}"));
            assert!(
                p.regimes.iter().any(|(n, _)| *n == l.slider.regime),
                "lesson {id}: its slider's regime is in its setting"
            );
            match (&l.slider.mechanism, &l.slider.setting) {
                (Some(m), None) => assert!(MECHANISMS.iter().any(|x| x.name == m), "{id}: {m}"),
                (None, Some(s)) => assert!(SETTINGS.iter().any(|x| x.path == s), "{id}: {s}"),
                _ => panic!("lesson {id}: the slider names a mechanism or a setting"),
            }
            for t in [&l.en, &l.zh] {
                assert!(!t.title.is_empty() && !t.question.is_empty() && !t.look_for.is_empty());
            }
        }
    }
}
