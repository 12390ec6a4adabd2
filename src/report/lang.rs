//! The report's language: the names of regimes, metrics and shock windows in English or
//! Chinese. Metric labels come from the metric table (`output::metrics::LABELS`), with the
//! rolling window's length taken from the run, never written in here.

use crate::output::metrics;

/// The language of a report's labels and sentences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The page's `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The label of the day axis.
    pub fn day_axis(self) -> &'static str {
        match self {
            Lang::En => "day",
            Lang::Zh => "天 day",
        }
    }
}

/// A regime's name; in Chinese with its Chinese name first.
pub fn regime_label(lang: Lang, r: &str) -> String {
    match (lang, r) {
        (Lang::Zh, "fragmented") => "碎片化 fragmented".into(),
        (Lang::Zh, "integrated") => "整体性治理 integrated".into(),
        (Lang::Zh, "linkage") => "联动治理 linkage".into(),
        _ => r.to_string(),
    }
}

/// A metric's label from the metric table with its range and, for a windowed metric,
/// the rolling window of `window` days (`None`: the window is not known, so not said).
/// A metric without a label is shown by its name.
pub fn metric_label(lang: Lang, name: &str, window: Option<u32>) -> String {
    let Some(l) = metrics::label(name) else {
        return name.to_string();
    };
    let mut parts = Vec::new();
    if let Some((lo, hi)) = l.range {
        parts.push(format!("{lo}-{hi}"));
    }
    if let (true, Some(w)) = (l.windowed, window) {
        parts.push(match lang {
            Lang::En => format!("{w}-day window"),
            Lang::Zh => format!("{w}日窗口"),
        });
    }
    let text = match lang {
        Lang::En => l.en,
        Lang::Zh => l.zh,
    };
    match (parts.is_empty(), lang) {
        (true, _) => text.to_string(),
        (false, Lang::En) => format!("{text} ({})", parts.join(", ")),
        (false, Lang::Zh) => format!("{text}（{}）", parts.join("，")),
    }
}

/// The legend entry of a shaded shock window `[a, b)`.
pub fn window_label(lang: Lang, name: &str, a: u32, b: u32) -> String {
    match lang {
        Lang::En => format!("{name} (days {a}-{})", b - 1),
        Lang::Zh => format!("{name}（第{a}-{}天）", b - 1),
    }
}

/// A number of residents with thousands separators, as the printed table writes it.
pub fn residents(n: u64) -> String {
    crate::output::table::thousands(n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_runs_and_the_range_the_tables() {
        assert_eq!(
            metric_label(Lang::En, "service_rate", Some(14)),
            "service rate, solved / ended (0-1, 14-day window)"
        );
        assert_eq!(
            metric_label(Lang::Zh, "service_rate", Some(7)),
            "服务率 service rate（0-1，7日窗口）"
        );
        assert_eq!(
            metric_label(Lang::En, "service_rate", None),
            "service rate, solved / ended (0-1)"
        );
        assert_eq!(
            metric_label(Lang::En, "protesters", Some(7)),
            "residents protesting"
        );
        assert_eq!(metric_label(Lang::En, "open_end", None), "open_end");
    }
}
