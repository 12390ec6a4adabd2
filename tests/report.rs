//! `linkage report`: a self-contained page with every chart and sentence.

mod common;
use common::{linkage, succeeds};

fn run(dir: &std::path::Path, extra: &[&str]) {
    succeeds(
        linkage()
            .args(["run", "--quiet", "--residents", "2000", "--out"])
            .arg(dir)
            .args(extra),
    );
}

/// The PNG decodes, and it is not one flat colour: at least 1% of its pixels differ from
/// the first one (the white background).
fn assert_not_blank(path: &std::path::Path) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let bytes = &buf[..info.buffer_size()];
    let first = &bytes[..px];
    let differing = bytes.chunks(px).filter(|p| *p != first).count();
    let total = bytes.len() / px;
    assert!(
        info.width > 100 && info.height > 100,
        "{} is {}x{}",
        path.display(),
        info.width,
        info.height
    );
    assert!(
        differing * 100 > total,
        "{} is blank ({differing} of {total} pixels drawn)",
        path.display()
    );
}

/// The page fetches nothing: every `url(` is a `data:` font (the embedded subset), and
/// once those are cut out, the only URL left is SVG's namespace name, which is never
/// fetched.
fn assert_self_contained(html: &str) {
    let mut rest = String::new();
    let mut s = html;
    while let Some(i) = s.find("url(") {
        rest.push_str(&s[..i]);
        let inner = &s[i + 4..];
        assert!(
            inner.starts_with("data:font/"),
            "a url( that is not a data: font: {}",
            &inner[..inner.len().min(60)]
        );
        s = &inner[inner.find(')').expect("url( is closed") + 1..];
    }
    rest.push_str(s);
    let stripped = rest.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for bad in ["http", "<script", "@import", "<link", "src=\""] {
        assert!(
            !stripped.contains(bad),
            "no external resource: found {bad:?}"
        );
    }
}

/// The embedded font of a page: the bytes of its `@font-face` data URI.
fn embedded_font(html: &str) -> Vec<u8> {
    use base64::Engine as _;
    let start = html
        .find("url(data:font/ttf;base64,")
        .expect("the page embeds its font")
        + "url(data:font/ttf;base64,".len();
    let end = start + html[start..].find(')').unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .expect("valid base64")
}

#[test]
fn self_contained_check_catches_a_web_url() {
    let ok = "<style>@font-face{src:url(data:font/ttf;base64,aHR0cA==)}</style><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
    assert_self_contained(ok);
    for bad in [
        "<style>@font-face{src:url(https://fonts.example/a.ttf)}</style>",
        "<img src=\"x.png\">",
        "<a>http://example.org</a>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_self_contained(bad)).is_err();
        assert!(caught, "{bad} passed the check");
    }
}

#[test]
fn report_holds_every_chart_and_sentence_and_nothing_external() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run(&dir, &["--report"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for s in [
        "of the issues residents reported",
        "As a hotline grades them (of the issues reported): ",
        "satisfied at callback",
        " trips per solved issue, ",
        "After the flood, service recovered",
        "After the flood, happiness recovered",
        "Collective incidents: ",
        " incident-days, ",
        " protester-days",
        "%·d)",
    ] {
        assert!(html.contains(s), "sentence {s:?} missing");
    }
    for r in ["fragmented", "integrated", "linkage"] {
        assert!(html.contains(r));
    }
    assert_self_contained(&html);
    assert!(
        html.contains("flood (days 120-149)"),
        "the shock window is shaded and labelled"
    );
    for f in [
        "service_rate.svg",
        "trust.svg",
        "happiness.svg",
        "protesters.svg",
        "territory.svg",
    ] {
        let svg = std::fs::read_to_string(dir.join("plots").join(f)).unwrap();
        assert!(
            svg.contains("<polyline") || svg.contains("<rect"),
            "{f} is drawn"
        );
    }
}

#[test]
fn a_run_without_shock_has_no_shaded_window() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    run(&dir, &["--scenario", "xcity-baseline", "--ticks", "120"]);
    succeeds(linkage().arg("report").arg(&dir));
    let svg = std::fs::read_to_string(dir.join("plots/service_rate.svg")).unwrap();
    // The shock window is the only grey (#787878) rectangle a chart draws.
    assert!(!svg.contains("fill=\"#787878\""), "no shock window");
    let flooded = tempfile::tempdir().unwrap();
    run(&flooded.path().join("f"), &["--report", "--ticks", "160"]);
    let svg = std::fs::read_to_string(flooded.path().join("f/plots/service_rate.svg")).unwrap();
    assert!(
        svg.contains("fill=\"#787878\""),
        "a run with a flood has its window shaded"
    );
}

#[test]
fn chinese_labels_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("z");
    run(&dir, &["--report", "--lang", "zh", "--ticks", "160"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for s in ["联动治理", "整体性治理", "碎片化", "幸福感"] {
        assert!(html.contains(s), "{s}");
    }
    assert!(html.contains("lang=\"zh\""));
    assert_self_contained(&html);
}

/// A viewer without a CJK font still sees the Chinese labels: the page embeds a subset
/// of the font that has a glyph for every character outside ASCII on the page, and the
/// text and the charts' labels ask for that font first.
#[test]
fn the_chinese_page_embeds_a_font_for_every_character_it_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("z");
    run(&dir, &["--report", "--lang", "zh", "--ticks", "160"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let font = embedded_font(&html);
    let face = ttf_parser::Face::parse(&font, 0).expect("the embedded subset is a font");
    let mut missing: Vec<char> = html
        .chars()
        .filter(|c| !c.is_ascii() && !c.is_whitespace())
        .filter(|&c| face.glyph_index(c).is_none_or(|g| g.0 == 0))
        .collect();
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "no glyph for {missing:?}");
    let cjk = html
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c));
    assert!(cjk.count() > 100, "the page has Chinese text to cover");
    assert!(
        font.len() < 200_000,
        "a subset, not the whole 5 MB font: {} bytes",
        font.len()
    );
    assert!(
        html.contains("svg text{font-family:\"LinkageSans\""),
        "the charts' labels use the embedded font first"
    );
}

#[test]
fn report_of_a_folder_that_is_not_a_run_exits_two() {
    let tmp = tempfile::tempdir().unwrap();
    let out = linkage().arg("report").arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("not a run, sweep, attribution or calibration folder")
    );
}

/// The heading gives the run as it was, not the scenario's description: a run at 2,000
/// residents says so, and nothing says the description's "100,000 residents".
#[test]
fn the_heading_gives_the_runs_real_size() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run(&dir, &["--report", "--ticks", "150"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("2,000 residents, 150 days"), "the real size");
    assert!(
        !html.contains("100,000"),
        "no stale size from the description"
    );
    assert!(html.contains("flood (days 120-149)"));
}

/// The rolling window's length is the run's `run.window`, not a fixed "7-day".
#[test]
fn the_window_in_the_labels_is_the_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("w.toml");
    std::fs::write(&scenario, "extends = \"xcity-flood\"\n[run]\nwindow = 14\n").unwrap();
    let dir = tmp.path().join("r");
    let scenario = scenario.to_str().unwrap();
    run(
        &dir,
        &["--report", "--ticks", "150", "--scenario", scenario],
    );
    let svg = std::fs::read_to_string(dir.join("plots/service_rate.svg")).unwrap();
    assert!(svg.contains("14-day window"), "the run's window");
    assert!(!svg.contains("7-day"));
}

/// Every chart that colours a value has the scale's legend, on a fixed range: trust on
/// [0, 1] in the territory chart.
#[test]
fn the_territory_chart_has_a_colour_bar_over_zero_to_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run(&dir, &["--report", "--ticks", "130"]);
    let svg = std::fs::read_to_string(dir.join("plots/territory.svg")).unwrap();
    assert!(
        svg.contains("mean trust in government (0-1)"),
        "the bar's title"
    );
    // plotters writes each text on its own line.
    for tick in ["0", "0.25", "0.5", "0.75", "1"] {
        assert!(svg.contains(&format!(">\n{tick}\n</text>")), "tick {tick}");
    }
    assert_not_blank(&dir.join("plots/territory.png"));
}

/// A garbage file in the folder gives one line naming that file, and exit code 2.
#[test]
fn a_garbage_file_is_named_in_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run(&dir, &["--ticks", "30"]);
    for (file, garbage) in [
        ("summary.csv", &b"\xff\xfe\x00garbage\n1,2\n"[..]),
        ("summary.csv", &b"regime,a\nx,1,2\n"[..]),
        ("territory.csv", &b"regime,county,trust\nx,y,abc\n"[..]),
        ("params.toml", &b"not = = toml"[..]),
    ] {
        let good = std::fs::read(dir.join(file)).unwrap();
        std::fs::write(dir.join(file), garbage).unwrap();
        let out = linkage().arg("report").arg(&dir).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(&dir.join(file).display().to_string()),
            "{file} is named: {err}"
        );
        std::fs::write(dir.join(file), good).unwrap();
    }
}

/// The headless browser on this machine. The tests that call this are ignored without
/// one (build.rs sets `has_chromium`) unless `CI` is set; run anyway, they fail here.
fn browser() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("no Chromium on this machine (apt-get install chromium); CI must have it")
}

/// Headless screenshot of `page` in a window of `size`: (pixels, samples per pixel).
fn screenshot(browser: &str, page: &std::path::Path, size: &str) -> (Vec<u8>, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let shot = tmp.path().join("shot.png");
    let profile = tmp.path().join("profile");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={size}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_not_blank(&shot);
    let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (buf, info.color_type.samples())
}

/// Pixels near each of the regimes' line colours (orange, blue, green) are on screen:
/// the charts drew.
fn assert_charts_drawn(pixels: &[u8], px: usize) {
    let near = |p: &[u8], c: [u8; 3]| {
        p.iter()
            .zip(c)
            .all(|(&a, b)| (a as i32 - b as i32).abs() < 40)
    };
    for colour in [[213, 94, 0], [0, 114, 178], [0, 158, 115]] {
        let n = pixels.chunks(px).filter(|p| near(p, colour)).count();
        assert!(n > 200, "colour {colour:?} appears on {n} pixels only");
    }
}

/// The page as a person sees it: headless Chromium renders report.html and the
/// screenshot shows the charts (pixels in the regimes' line colours). `.ci/run` installs
/// Chromium; without it this test is ignored, saying so, and under `CI` it fails.
#[test]
#[cfg_attr(
    not(any(ci, has_chromium)),
    ignore = "needs Chromium: apt-get install chromium"
)]
fn chromium_renders_the_report_with_its_charts() {
    let browser = browser();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    run(&dir, &["--report", "--ticks", "160"]);
    let (pixels, px) = screenshot(browser, &dir.join("report.html"), "1000,2400");
    assert_charts_drawn(&pixels, px);
}

/// The Chinese page renders with its charts, and its Chinese glyphs come from the
/// embedded font: two different words set in it give different pictures. Without the
/// font, a machine with no CJK font draws both as the same empty boxes (the CI machine
/// has none), so this fails if the font does not load.
#[test]
#[cfg_attr(
    not(any(ci, has_chromium)),
    ignore = "needs Chromium: apt-get install chromium"
)]
fn chromium_draws_the_chinese_labels_with_the_embedded_font() {
    let browser = browser();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("z");
    run(&dir, &["--report", "--lang", "zh", "--ticks", "160"]);
    let (pixels, px) = screenshot(browser, &dir.join("report.html"), "1000,2400");
    assert_charts_drawn(&pixels, px);
    // The page's own @font-face rule, on two words from its regime names.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let start = html.find("@font-face{").unwrap();
    let face = &html[start..start + html[start..].find('}').unwrap() + 1];
    let mut shots = Vec::new();
    for word in ["联动", "碎片"] {
        let probe = tmp.path().join(format!("probe-{word}.html"));
        std::fs::write(
            &probe,
            format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>{face} body{{margin:0;font:120px \"LinkageSans\"}}</style></head><body>{word}</body></html>"
            ),
        )
        .unwrap();
        shots.push(screenshot(browser, &probe, "400,200").0);
    }
    assert!(
        shots[0] != shots[1],
        "联动 and 碎片 look the same: drawn as empty boxes, not glyphs"
    );
}

#[test]
fn sweep_reports_have_a_coloured_table_a_heat_map_and_a_tornado() {
    let tmp = tempfile::tempdir().unwrap();
    let grid = r#"
name = "g"
seed = 3
scenarios = ["xcity-flood", "xcity-baseline"]
regimes = ["fragmented", "linkage"]
replicates = 1
ticks = 130
residents = 1200
[design]
kind = "grid"
[[factors]]
path = "mechanism.social"
values = [0.2, 0.8]
[[factors]]
path = "population.link_strength"
values = [0.3, 0.9]
"#;
    let exp = tmp.path().join("g.toml");
    std::fs::write(&exp, grid).unwrap();
    succeeds(
        linkage()
            .arg("sweep")
            .arg(&exp)
            .args(["--quiet", "--report", "--out"])
            .arg(tmp.path().join("g")),
    );
    let html = std::fs::read_to_string(tmp.path().join("g/report.html")).unwrap();
    assert!(
        html.contains("regime × scenario") && html.contains("background:rgb("),
        "coloured table"
    );
    assert!(html.contains("did best on solution_rate"), "sentences");
    assert_not_blank(&tmp.path().join("g/plots/heatmap.png"));
    assert!(
        html.contains("is highest (") && html.contains("and lowest ("),
        "the heat map in words"
    );
    let oat = grid
        .replace("kind = \"grid\"", "kind = \"oat\"")
        .replace("name = \"g\"", "name = \"o\"");
    std::fs::write(&exp, oat).unwrap();
    let out = linkage()
        .arg("sweep")
        .arg(&exp)
        .args(["--quiet", "--out"])
        .arg(tmp.path().join("o"))
        .output()
        .unwrap();
    assert!(out.status.success());
    succeeds(linkage().arg("report").arg(tmp.path().join("o")));
    assert_not_blank(&tmp.path().join("o/plots/tornado_linkage.png"));
    let html = std::fs::read_to_string(tmp.path().join("o/report.html")).unwrap();
    assert!(
        html.contains("moves solution_rate most: from"),
        "the tornado in words"
    );
    assert_self_contained(&html);
}

/// A sweep of the flood with `replicates` per cell, and its report.
fn flood_sweep(dir: &std::path::Path, replicates: u32, lang: &str) -> String {
    let exp = dir.join("flood.toml");
    std::fs::write(
        &exp,
        format!(
            r#"
name = "flood"
seed = 8
scenarios = ["xcity-flood"]
regimes = ["fragmented", "linkage"]
replicates = {replicates}
ticks = 150
residents = 1200
"#
        ),
    )
    .unwrap();
    succeeds(
        linkage()
            .arg("sweep")
            .arg(&exp)
            .args(["--quiet", "--report", "--lang", lang, "--out"])
            .arg(dir.join("s")),
    );
    std::fs::read_to_string(dir.join("s/report.html")).unwrap()
}

/// With replicates, each headline metric is drawn over time for every regime: the mean
/// as a line, the 95% band as a shaded polygon, the flood's window shaded; and the chart
/// is said in words, with the gap between the regimes on the last day and its interval.
#[test]
fn sweep_reports_draw_the_regimes_over_time_with_confidence_bands() {
    let tmp = tempfile::tempdir().unwrap();
    let html = flood_sweep(tmp.path(), 3, "en");
    for m in ["service_rate", "trust", "happiness"] {
        let plot = tmp.path().join(format!("s/plots/series_xcity-flood_{m}"));
        let svg = std::fs::read_to_string(plot.with_extension("svg")).unwrap();
        for colour in ["#D55E00", "#0072B2"] {
            assert!(
                svg.contains(&format!("stroke=\"{colour}\"")),
                "{m}: the mean of each regime is a line ({colour})"
            );
        }
        assert!(
            svg.matches("<polygon").count() >= 2,
            "{m}: a band per regime"
        );
        assert!(svg.contains("fill=\"#787878\""), "{m}: the flood is shaded");
        assert!(
            svg.contains("(mean, 95% CI)"),
            "{m}: the legend says what is drawn"
        );
        assert_not_blank(&plot.with_extension("png"));
        assert!(
            html.contains(&format!("On day 149, {m} was ")),
            "{m}: sentence"
        );
    }
    assert!(html.contains("95% CI of the gap"), "the gap's interval");
    assert!(
        html.contains("Collective incidents (mean over replicates and settings)")
            && html.contains("had the fewest incident-days"),
        "collective action three ways"
    );
    for label in ["incidents started", "incident-days", "protester-days"] {
        assert!(html.contains(label), "column {label}");
    }
    // The hotline's grades, not only its solution rate, with what a solution costs.
    assert!(
        html.contains("Hotline grades, of the issues reported")
            && html.contains("solved the most of the issues reported")
            && html.contains("at the fewest staff-hours per solved issue"),
        "hotline grades"
    );
    for label in [
        "response rate",
        "closure rate",
        "solution rate",
        "satisfaction rate",
        "trips per solved issue",
        "staff-hours per solved issue",
    ] {
        assert!(html.contains(label), "hotline column {label}");
    }
    assert_eq!(html.matches("<figure>").count(), 3);
    assert_self_contained(&html);
    // Uncertainty in the comparison: each regime's mean with its interval in the tables,
    // and per pair either who is above (the interval excludes 0) or that the two cannot
    // be told apart.
    assert!(
        html.contains("under it, its 95% interval over the replicates")
            && html.contains("<br><small>"),
        "the regime table's intervals"
    );
    assert!(
        html.contains("Under xcity-flood, solution_rate: ")
            && (html.contains(" cannot be told apart (difference ")
                || html.contains("(95% CI of the difference ")),
        "each pair said"
    );
    assert!(html.contains("In brackets, each mean's 95% interval over the replicates"));
    // Two regimes × (six hotline grades + three collective counts), each "m (a–b)".
    let with = html
        .split("<td>")
        .skip(1)
        .filter_map(|c| c.split("</td>").next())
        .filter(|c| c.contains(" (") && c.ends_with(')'))
        .count();
    assert_eq!(with, 2 * 9, "hotline and collective cells with intervals");
    assert!(
        html.contains("these cannot be told apart")
            || html.contains("every pair of regimes is told apart"),
        "the tables' pairs"
    );
}

#[test]
fn sweep_reports_with_one_replicate_draw_lines_without_bands() {
    let tmp = tempfile::tempdir().unwrap();
    let html = flood_sweep(tmp.path(), 1, "zh");
    let svg =
        std::fs::read_to_string(tmp.path().join("s/plots/series_xcity-flood_trust.svg")).unwrap();
    assert!(svg.contains("<polyline"), "the means are drawn");
    assert!(!svg.contains("<polygon"), "no band from one run");
    assert!(!svg.contains("95% CI"));
    assert!(
        html.contains("每种体制只有一次模拟，没有置信区间"),
        "the sentence says why there is no interval"
    );
    assert!(html.contains("第149天"));
    assert!(html.contains("热线口径") && html.contains("的解决率最高"));
    // One replicate: no interval anywhere in the tables, no claim about pairs.
    assert!(!html.contains("<br><small>") && !html.contains("括号内"));
    assert!(!html.contains("分不出高下") && !html.contains("都分得出高下"));
}

/// A sweep folder with a garbage `summary.csv`: the error names the file.
#[test]
fn a_sweep_folder_with_a_garbage_summary_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("experiment.toml"),
        "name = \"x\"\nseed = 1\nscenarios = [\"xcity-flood\"]\nreplicates = 1\n",
    )
    .unwrap();
    std::fs::write(dir.join("summary.csv"), b"\xff\xfe garbage\n").unwrap();
    let out = linkage().arg("report").arg(&dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let named = dir.join("summary.csv").display().to_string();
    assert!(err.contains(&named), "{err}");
}

/// The shock windows of a sweep's charts are those of the scenario as the sweep ran it,
/// `scenario-<k>.toml`, not the scenario reloaded by its name: a sweep over a scenario
/// path (relative to the experiment, so not loadable from here) has its flood shaded
/// once the folder holds the scenario as run, and that file's shocks are the ones drawn.
#[test]
fn sweep_shading_comes_from_the_scenario_as_run() {
    let tmp = tempfile::tempdir().unwrap();
    let flood = tmp.path().join("flood-run");
    run(&flood, &["--ticks", "150"]);
    let rumour = tmp.path().join("rumour-run");
    run(&rumour, &["--ticks", "150", "--scenario", "xcity-rumour"]);
    std::fs::copy(flood.join("params.toml"), tmp.path().join("city.toml")).unwrap();
    let exp = tmp.path().join("e.toml");
    std::fs::write(
        &exp,
        "name = \"paths\"\nseed = 2\nscenarios = [\"city.toml\"]\nregimes = [\"fragmented\", \"linkage\"]\nreplicates = 1\nresidents = 1200\n",
    )
    .unwrap();
    let dir = tmp.path().join("s");
    succeeds(
        linkage()
            .arg("sweep")
            .arg(&exp)
            .args(["--quiet", "--out"])
            .arg(&dir),
    );
    let chart = dir.join("plots/series_city-toml_trust.svg");
    let report = || {
        succeeds(linkage().arg("report").arg(&dir));
        std::fs::read_to_string(&chart).unwrap()
    };
    // The experiment's first scenario as run: k = 0.
    let as_run = dir.join("scenario-0.toml");
    std::fs::copy(flood.join("params.toml"), &as_run).unwrap();
    let svg = report();
    assert!(svg.contains("flood (days 120-149)"), "shaded from the file");
    assert!(svg.contains("fill=\"#787878\""));
    // Its shocks, not the named scenario's: a rumour in its place is what is drawn.
    std::fs::copy(rumour.join("params.toml"), &as_run).unwrap();
    let svg = report();
    assert!(svg.contains("rumour (days 120-149)"), "the file's shocks");
    assert!(!svg.contains("flood (days"));
    // A folder of an older version, without the file: the name is all there is, and a
    // path relative to the experiment does not load from here, so nothing is shaded.
    std::fs::remove_file(&as_run).unwrap();
    let svg = report();
    assert!(!svg.contains("fill=\"#787878\""), "no scenario, no shading");
}

/// The sweep's coloured table carries its scale's legend, on the metric's range.
#[test]
fn sweep_colours_have_a_legend() {
    let tmp = tempfile::tempdir().unwrap();
    let html = flood_sweep(tmp.path(), 1, "en");
    assert!(
        html.contains("<p class=\"scale\">solution rate, solved / reported (0-1) (mean): "),
        "the table's scale"
    );
    assert!(html.contains(">0.25</span>"));
}

/// A report reads only regular files: a FIFO as `experiment.toml` or as a run's
/// `ticks.csv` is refused at once (reading it would block forever), and `/dev/zero` as
/// `experiment.toml` is refused (reading it would never end), each naming the file.
#[cfg(unix)]
#[test]
fn a_report_refuses_what_is_not_a_regular_file() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = |p: &std::path::Path| {
        let ok = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    let sweep = tmp.path().join("s");
    std::fs::create_dir_all(&sweep).unwrap();
    std::fs::write(sweep.join("summary.csv"), "cell\n").unwrap();
    fifo(&sweep.join("experiment.toml"));
    let zero = tmp.path().join("z");
    std::fs::create_dir_all(&zero).unwrap();
    std::fs::write(zero.join("summary.csv"), "cell\n").unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero.join("experiment.toml")).unwrap();
    let run = tmp.path().join("r");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(run.join("params.toml"), "extends = \"xcity-flood\"\n").unwrap();
    std::fs::write(run.join("summary.csv"), "regime\n").unwrap();
    fifo(&run.join("ticks.csv"));
    for (dir, file) in [
        (&sweep, "experiment.toml"),
        (&zero, "experiment.toml"),
        (&run, "ticks.csv"),
    ] {
        let out = linkage()
            .arg("report")
            .arg(dir)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", dir.display());
        assert!(err.contains("not a regular file"), "{err}");
        assert!(err.contains(file), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// The colour of an SVG fill, as plotters writes it.
fn fills(svg: &str, colour: &str) -> usize {
    svg.matches(&format!("fill=\"{colour}\"")).count()
}

/// A Morris sweep analysed: the report gains a sensitivity section, a chart per metric
/// with one μ* bar and one σ bar per factor (plus each one's legend swatch), and the
/// findings in words; `analyze` says when an existing report predates its indices, and
/// `--report` (or `linkage report`) writes the section, in either language.
#[test]
fn analyze_adds_a_sensitivity_section_with_a_bar_per_factor() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("m.toml");
    std::fs::write(
        &exp,
        r#"
name = "m"
seed = 5
scenarios = ["xcity-baseline"]
regimes = ["linkage"]
replicates = 1
ticks = 30
residents = 300
metrics = ["solution_rate", "trust_end"]
[design]
kind = "morris"
trajectories = 3
[[factors]]
path = "mechanism.social"
range = [0.0, 1.0]
[[factors]]
path = "mechanism.spatial"
range = [0.0, 1.0]
[[factors]]
path = "population.link_strength"
range = [0.1, 0.9]
"#,
    )
    .unwrap();
    let dir = tmp.path().join("s");
    succeeds(
        linkage()
            .arg("sweep")
            .arg(&exp)
            .args(["--quiet", "--report", "--out"])
            .arg(&dir),
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!html.contains("Sensitivity"), "no indices, no section");
    let out = succeeds(linkage().args(["analyze", "--resamples", "50"]).arg(&dir));
    assert!(String::from_utf8_lossy(&out.stderr).contains("report.html predates these indices"));
    succeeds(
        linkage()
            .args(["analyze", "--resamples", "50", "--report"])
            .arg(&dir),
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Sensitivity: which factor moves each metric (morris)"));
    for metric in ["solution_rate", "trust_end"] {
        let svg = std::fs::read_to_string(
            dir.join(format!("plots/indices_xcity-baseline_linkage_{metric}.svg")),
        )
        .unwrap();
        // μ* in blue, σ in orange: three factors and a legend swatch each.
        assert_eq!(
            fills(&svg, "#0072B2"),
            3 + 1,
            "{metric}: a μ* bar per factor"
        );
        assert_eq!(
            fills(&svg, "#E69F00"),
            3 + 1,
            "{metric}: a σ bar per factor"
        );
        for factor in ["social", "spatial", "population.link_strength"] {
            assert!(svg.contains(factor), "{metric}: {factor} is named");
        }
        assert!(svg.contains("95% bootstrap interval"));
        assert_not_blank(&dir.join(format!("plots/indices_xcity-baseline_linkage_{metric}.png")));
    }
    // The words of `linkage analyze`, one a factor, under each chart.
    for factor in [
        "mechanism.social",
        "mechanism.spatial",
        "population.link_strength",
    ] {
        assert_eq!(
            html.matches(&format!("<li>{factor}: μ* ")).count(),
            2,
            "{factor}"
        );
    }
    assert_self_contained(&html);
    succeeds(linkage().arg("report").arg(&dir).args(["--lang", "zh"]));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("敏感性") && html.contains("须线为95%自助法区间"));
}

/// An attribution's report: a waterfall per metric with one step per mechanism (each a
/// bar in the colour of its sign, plus a legend swatch per sign shown), the sentence that
/// the values sum to the difference, and the interactions in a table; `linkage report`
/// writes it again from the folder, in Chinese too.
#[test]
fn attribute_reports_a_waterfall_per_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    succeeds(
        linkage()
            .args(["attribute", "--from", "fragmented", "--to", "linkage"])
            .args(["--mechanisms", "social,vertical", "--replicates", "2"])
            .args(["--residents", "300", "--ticks", "30", "--no-twin"])
            .args([
                "--metrics",
                "solution_rate,trust_end",
                "--quiet",
                "--report",
            ])
            .arg("--out")
            .arg(&dir),
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let csv = std::fs::read_to_string(dir.join("attribution.csv")).unwrap();
    assert!(html.contains("Attribution: linkage over fragmented"));
    for metric in ["solution_rate", "trust_end"] {
        let svg =
            std::fs::read_to_string(dir.join(format!("plots/waterfall_{metric}.svg"))).unwrap();
        let shares: Vec<f64> = csv
            .lines()
            .filter(|l| l.starts_with(&format!("{metric},")) && l.contains(",shapley,"))
            .map(|l| l.split(',').nth(5).unwrap().parse().unwrap())
            .collect();
        assert_eq!(shares.len(), 2, "{csv}");
        let up = shares.iter().filter(|v| **v >= 0.0).count();
        let down = shares.len() - up;
        // A bar per mechanism in its sign's colour, and a legend swatch per sign shown.
        assert_eq!(
            fills(&svg, "#009E73"),
            up + (up > 0) as usize,
            "{metric}: up"
        );
        assert_eq!(
            fills(&svg, "#D55E00"),
            down + (down > 0) as usize,
            "{metric}: down"
        );
        for name in [
            "fragmented",
            "social",
            "vertical",
            "fragmented, 2 at linkage",
        ] {
            assert!(svg.contains(name), "{metric}: {name} is a row");
        }
        assert_not_blank(&dir.join(format!("plots/waterfall_{metric}.png")));
    }
    assert_eq!(
        html.matches("The 2 Shapley values sum to ").count(),
        2,
        "the sum said per metric"
    );
    assert!(html.contains("the shares adding up to it exactly"));
    assert!(html.contains("The largest share is "));
    assert_eq!(
        html.matches("<th>social × vertical</th>").count(),
        2,
        "interactions"
    );
    assert_self_contained(&html);
    std::fs::remove_file(dir.join("report.html")).unwrap();
    succeeds(linkage().arg("report").arg(&dir).args(["--lang", "zh"]));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("归因") && html.contains("相加恰为差值"));
}
