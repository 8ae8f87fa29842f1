//! The reports of `lurescan eval`: a plain-text table for the terminal and a self-contained
//! HTML file (inline CSS and SVG charts drawn with `plotters`, no script, no network).

use std::io::Write;

use anyhow::Result;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use plotters::prelude::*;

use crate::eval::{Evaluation, Report, WorstCase, predicted};
use crate::metrics::{self, GroupMetrics, Scored, Thresholds};

// ---------------------------------------------------------------------------------------------
// Tables shared by the text and HTML reports.

/// How a cell is shown.
enum Cell {
    Count(usize),
    /// A value in [0, 1], three decimals.
    Ratio(Option<f64>),
    /// A share, as a percentage.
    Percent(Option<f64>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Ratio(Some(x)) => format!("{x:.3}"),
            Cell::Percent(Some(x)) => format!("{:.1}%", x * 100.0),
            Cell::Ratio(None) | Cell::Percent(None) => "—".to_string(),
        }
    }
}

struct Col {
    head: &'static str,
    /// What the column means (the HTML header's tooltip and the legend).
    help: &'static str,
    get: fn(&GroupMetrics) -> Cell,
}

fn recall_at(g: &GroupMetrics, key: &str) -> Option<f64> {
    Some(g.recall_at_precision.as_ref()?.get(key)?.recall)
}

fn precision_at(g: &GroupMetrics, key: &str) -> Option<f64> {
    g.precision_at_recall.as_ref()?.get(key)?.precision
}

const RANKING: &[Col] = &[
    Col {
        head: "n",
        help: "posts",
        get: |g| Cell::Count(g.n),
    },
    Col {
        head: "lures",
        help: "posts labelled 1",
        get: |g| Cell::Count(g.positives),
    },
    Col {
        head: "base",
        help: "base rate: share of lures",
        get: |g| Cell::Ratio(g.base_rate),
    },
    Col {
        head: "ROC-AUC",
        help: "area under the ROC curve",
        get: |g| Cell::Ratio(g.roc_auc),
    },
    Col {
        head: "PR-AUC",
        help: "average precision",
        get: |g| Cell::Ratio(g.pr_auc),
    },
    Col {
        head: "R@P.90",
        help: "highest recall with precision ≥ 0.90",
        get: |g| Cell::Ratio(recall_at(g, "0.9")),
    },
    Col {
        head: "R@P.95",
        help: "highest recall with precision ≥ 0.95",
        get: |g| Cell::Ratio(recall_at(g, "0.95")),
    },
    Col {
        head: "R@P.99",
        help: "highest recall with precision ≥ 0.99",
        get: |g| Cell::Ratio(recall_at(g, "0.99")),
    },
    Col {
        head: "P@R.90",
        help: "highest precision with recall ≥ 0.90",
        get: |g| Cell::Ratio(precision_at(g, "0.9")),
    },
    Col {
        head: "P@R.95",
        help: "highest precision with recall ≥ 0.95",
        get: |g| Cell::Ratio(precision_at(g, "0.95")),
    },
    Col {
        head: "Brier",
        help: "mean squared error of the probability",
        get: |g| Cell::Ratio(g.brier),
    },
    Col {
        head: "ECE",
        help: "expected calibration error, 10 equal-width bins",
        get: |g| Cell::Ratio(g.ece),
    },
];

const AT_THRESHOLDS: &[Col] = &[
    Col {
        head: "n",
        help: "posts",
        get: |g| Cell::Count(g.n),
    },
    Col {
        head: "lures",
        help: "posts labelled 1",
        get: |g| Cell::Count(g.positives),
    },
    Col {
        head: "P@rev",
        help: "precision at the review threshold",
        get: |g| Cell::Ratio(g.thresholds.review.precision),
    },
    Col {
        head: "R@rev",
        help: "recall at the review threshold",
        get: |g| Cell::Ratio(g.thresholds.review.recall),
    },
    Col {
        head: "F1@rev",
        help: "F1 at the review threshold",
        get: |g| Cell::Ratio(g.thresholds.review.f1),
    },
    Col {
        head: "flag@rev",
        help: "share of posts at or above the review threshold",
        get: |g| Cell::Percent(g.flag_rate.review),
    },
    Col {
        head: "P@lure",
        help: "precision at the lure threshold",
        get: |g| Cell::Ratio(g.thresholds.lure.precision),
    },
    Col {
        head: "R@lure",
        help: "recall at the lure threshold",
        get: |g| Cell::Ratio(g.thresholds.lure.recall),
    },
    Col {
        head: "F1@lure",
        help: "F1 at the lure threshold",
        get: |g| Cell::Ratio(g.thresholds.lure.f1),
    },
    Col {
        head: "flag@lure",
        help: "share of posts at or above the lure threshold",
        get: |g| Cell::Percent(g.flag_rate.lure),
    },
    Col {
        head: "mean",
        help: "mean score",
        get: |g| Cell::Ratio(g.mean_score),
    },
];

/// One row of a table: a group, indented under its parent.
struct Row<'a> {
    label: String,
    depth: usize,
    metrics: &'a GroupMetrics,
}

/// Sub-groups, largest first.
fn by_size(
    map: &std::collections::BTreeMap<String, GroupMetrics>,
) -> Vec<(&String, &GroupMetrics)> {
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by(|a, b| b.1.n.cmp(&a.1.n).then(a.0.cmp(b.0)));
    v
}

/// The rows of the terminal tables: overall (when there are several sources), then each
/// source with its languages and kinds.
fn rows(report: &Report) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    let several = report.sources.len() > 1;
    if several {
        rows.push(Row {
            label: "all".into(),
            depth: 0,
            metrics: &report.overall.metrics,
        });
    }
    for (name, block) in &report.sources {
        rows.push(Row {
            label: name.clone(),
            depth: usize::from(several),
            metrics: &block.metrics,
        });
        let d = usize::from(several) + 1;
        for (lang, g) in by_size(&block.by_lang) {
            rows.push(Row {
                label: format!("lang {lang}"),
                depth: d,
                metrics: g,
            });
        }
        for (kind, g) in by_size(&block.by_kind) {
            rows.push(Row {
                label: format!("kind {kind}"),
                depth: d,
                metrics: g,
            });
        }
    }
    rows
}

fn write_table(out: &mut impl Write, cols: &[Col], rows: &[Row<'_>]) -> std::io::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut v = vec![format!("{}{}", "  ".repeat(r.depth), r.label)];
            v.extend(cols.iter().map(|c| (c.get)(r.metrics).text()));
            v
        })
        .collect();
    let mut widths: Vec<usize> = std::iter::once("group")
        .chain(cols.iter().map(|c| c.head))
        .map(|h| h.chars().count())
        .collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, row: &[&str]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(&widths).enumerate() {
            let pad = w.saturating_sub(c.chars().count());
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    let head: Vec<&str> = std::iter::once("group")
        .chain(cols.iter().map(|c| c.head))
        .collect();
    line(out, &head)?;
    for row in &cells {
        let r: Vec<&str> = row.iter().map(String::as_str).collect();
        line(out, &r)?;
    }
    Ok(())
}

fn system_line(report: &Report) -> String {
    let s = &report.system;
    match (&s.model, &s.scores_file) {
        (Some(m), _) => format!("{} (model {m})", s.name),
        (None, Some(f)) => format!("{} (scores from {f})", s.name),
        (None, None) => s.name.clone(),
    }
}

fn splits_text(report: &Report) -> String {
    if report.data.splits.is_empty() {
        "all splits".into()
    } else {
        format!("split {}", report.data.splits.join(", "))
    }
}

/// The terminal report.
pub fn write_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let o = &report.overall.metrics;
    writeln!(out, "lurescan eval: {}", system_line(report))?;
    writeln!(
        out,
        "data: {} ({}): {} posts, {} lures",
        report.data.specs.join(" "),
        splits_text(report),
        o.n,
        o.positives
    )?;
    writeln!(
        out,
        "thresholds: review {:.3}, lure {:.3}",
        report.thresholds.review, report.thresholds.lure
    )?;
    let rows = rows(report);
    writeln!(out, "\nRanking and calibration")?;
    write_table(out, RANKING, &rows)?;
    writeln!(
        out,
        "\nAt the stored thresholds (flagged = score ≥ threshold; rev = review)"
    )?;
    write_table(out, AT_THRESHOLDS, &rows)?;
    writeln!(
        out,
        "\n— = undefined: one class only (read flag@ and mean), or nothing flagged."
    )?;
    let w = &report.worst;
    writeln!(
        out,
        "worst cases: {} false positives (non-lures ≥ review), {} false negatives (lures < lure)",
        w.false_positives.len(),
        w.false_negatives.len()
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Charts.

const CHART_SIZE: (u32, u32) = (560, 420);
/// Colours of the series (all, then each source), reused in turn past the tenth.
const SERIES: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
const LURE_RED: RGBColor = RGBColor(200, 40, 40);
const OK_BLUE: RGBColor = RGBColor(40, 100, 200);
const FONT: &str = "sans-serif";

/// A named set of scored posts drawn as one series.
struct Series {
    name: String,
    scored: Scored,
}

fn series(ev: &Evaluation<'_>) -> Vec<Series> {
    let mut out = Vec::new();
    let several = ev.report.sources.len() > 1;
    let all = Scored {
        scores: ev.scores.to_vec(),
        labels: ev.posts.iter().map(|p| p.label).collect(),
    };
    if several {
        out.push(Series {
            name: "all".into(),
            scored: all,
        });
        for name in ev.report.sources.keys() {
            let mut s = Scored::default();
            for (p, &x) in ev.posts.iter().zip(ev.scores) {
                if &p.source == name {
                    s.push(x, p.label);
                }
            }
            out.push(Series {
                name: name.clone(),
                scored: s,
            });
        }
    } else {
        let name = ev.report.sources.keys().next().cloned().unwrap_or_default();
        out.push(Series { name, scored: all });
    }
    out
}

type DrawResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn svg_chart(
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> DrawResult<()>,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area();
        draw(root).map_err(|e| anyhow::anyhow!("cannot draw a chart: {e}"))?;
    }
    Ok(svg)
}

/// Keeps the points of a curve that move at least `step` from the last one kept.
fn thin(points: Vec<(f64, f64)>, step: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let last = points.last().copied();
    for p in points {
        match out.last() {
            Some(q) if (p.0 - q.0).abs() < step && (p.1 - q.1).abs() < step => {}
            _ => out.push(p),
        }
    }
    if let (Some(l), Some(q)) = (last, out.last())
        && *q != l
    {
        out.push(l);
    }
    out
}

fn pr_chart(all: &[Series], t: Thresholds, overall: &GroupMetrics) -> Result<String> {
    svg_chart(|root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Precision–recall", (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..1.02f64)?;
        chart
            .configure_mesh()
            .x_desc("recall")
            .y_desc("precision")
            .light_line_style(WHITE.mix(0.0))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()?;
        for (i, s) in all.iter().enumerate() {
            let Some(curve) = metrics::pr_curve(&s.scored) else {
                continue;
            };
            let mut pts: Vec<(f64, f64)> = vec![(0.0, curve.points[0].precision)];
            pts.extend(curve.points.iter().map(|p| (p.recall, p.precision)));
            let color = SERIES[i % SERIES.len()];
            let ap = metrics::average_precision(&curve).unwrap_or(f64::NAN);
            chart
                .draw_series(LineSeries::new(thin(pts, 0.002), color.stroke_width(2)))?
                .label(format!("{} (AP {ap:.3})", s.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        // The stored thresholds on the overall curve.
        for (name, at, shape_color) in [
            ("review", &overall.thresholds.review, RGBColor(230, 160, 0)),
            ("lure", &overall.thresholds.lure, LURE_RED),
        ] {
            if let (Some(p), Some(r)) = (at.precision, at.recall) {
                let value = if name == "lure" { t.lure } else { t.review };
                let label = if all.len() > 1 {
                    format!("{name} ≥ {value:.2} ({})", all[0].name)
                } else {
                    format!("{name} ≥ {value:.2}")
                };
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (r, p),
                        6,
                        shape_color.filled(),
                    )))?
                    .label(label)
                    .legend(move |(x, y)| Circle::new((x + 9, y), 5, shape_color.filled()));
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE.mix(0.9))
            .label_font((FONT, 14))
            .draw()?;
        root.present()?;
        Ok(())
    })
}

fn reliability_chart(all: &[Series]) -> Result<String> {
    svg_chart(|root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Reliability (10 equal-width bins)", (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)?;
        chart
            .configure_mesh()
            .x_desc("mean score in bin")
            .y_desc("share of lures in bin")
            .light_line_style(WHITE.mix(0.0))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()?;
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                6,
                4,
                BLACK.mix(0.4).stroke_width(1),
            ))?
            .label("perfect calibration")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.4)));
        for (i, s) in all.iter().enumerate() {
            let bins = metrics::calibration_bins(&s.scored);
            let pts: Vec<(f64, f64, usize)> = bins
                .iter()
                .filter_map(|b| Some((b.mean_score?, b.positive_rate?, b.n)))
                .collect();
            let color = SERIES[i % SERIES.len()];
            let ece = metrics::expected_calibration_error(&bins).unwrap_or(f64::NAN);
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|&(x, y, _)| (x, y)),
                    color.stroke_width(2),
                ))?
                .label(format!("{} (ECE {ece:.3})", s.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            // Marker area grows with the bin's share of posts.
            let total = s.scored.len().max(1) as f64;
            chart.draw_series(pts.iter().map(|&(x, y, n)| {
                let r = (3.0 + 9.0 * (n as f64 / total).sqrt()).round() as i32;
                Circle::new((x, y), r, color.mix(0.6).filled())
            }))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE.mix(0.9))
            .label_font((FONT, 14))
            .draw()?;
        root.present()?;
        Ok(())
    })
}

const HIST_BINS: usize = 20;

fn histogram_chart(all: &Scored, t: Thresholds) -> Result<String> {
    let mut counts = [[0usize; HIST_BINS]; 2];
    for (&p, &y) in all.scores.iter().zip(&all.labels) {
        let b = ((p * HIST_BINS as f64) as usize).min(HIST_BINS - 1);
        counts[usize::from(y)][b] += 1;
    }
    let totals = [
        counts[0].iter().sum::<usize>().max(1) as f64,
        counts[1].iter().sum::<usize>().max(1) as f64,
    ];
    let share = |c: usize, b: usize| counts[c][b] as f64 / totals[c];
    let top = (0..HIST_BINS)
        .flat_map(|b| [share(0, b), share(1, b)])
        .fold(0.0f64, f64::max)
        .max(0.05)
        * 1.08;
    let n = [
        counts[0].iter().sum::<usize>(),
        counts[1].iter().sum::<usize>(),
    ];
    svg_chart(|root| {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Scores by label", (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..top)?;
        chart
            .configure_mesh()
            .x_desc("score")
            .y_desc("share of the label's posts")
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .light_line_style(WHITE.mix(0.0))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()?;
        let w = 1.0 / HIST_BINS as f64;
        for (c, color, name) in [(0usize, OK_BLUE, "not a lure"), (1, LURE_RED, "lure")] {
            chart
                .draw_series((0..HIST_BINS).map(|b| {
                    let x0 = b as f64 * w;
                    Rectangle::new([(x0, 0.0), (x0 + w, share(c, b))], color.mix(0.45).filled())
                }))?
                .label(format!("{name} (n = {})", n[c]))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.45).filled())
                });
            chart.draw_series((0..HIST_BINS).filter(|&b| counts[c][b] > 0).map(|b| {
                let x0 = b as f64 * w;
                Rectangle::new([(x0, 0.0), (x0 + w, share(c, b))], color.stroke_width(1))
            }))?;
        }
        for (name, x, color) in [
            ("review", t.review, RGBColor(230, 160, 0)),
            ("lure", t.lure, LURE_RED),
        ] {
            chart
                .draw_series(DashedLineSeries::new(
                    [(x, 0.0), (x, top)],
                    6,
                    4,
                    color.stroke_width(2),
                ))?
                .label(format!("{name} threshold {x:.2}"))
                .legend(move |(lx, ly)| {
                    PathElement::new(vec![(lx, ly), (lx + 18, ly)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperMiddle)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE.mix(0.9))
            .label_font((FONT, 14))
            .draw()?;
        root.present()?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// HTML.

const CSS: &str = r#"
:root { --fg: #1d232a; --muted: #5f6b76; --line: #d8dde3; --bg-alt: #f5f7f9;
        --pos: #ffd36b; --neg: #b9dcf5; --bad: #fbe3e1; --good: #e3f3e5; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: var(--fg); margin: 0 auto; padding: 24px 28px 60px; max-width: 1280px; }
h1 { font-size: 24px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 8px; }
.meta { color: var(--muted); margin: 2px 0; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.scroll { overflow-x: auto; }
table.metrics { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px;
                margin-bottom: 14px; }
table.metrics th, table.metrics td { padding: 4px 9px; border-bottom: 1px solid var(--line); }
table.metrics th { text-align: right; background: var(--bg-alt); position: sticky; top: 0; cursor: help; }
table.metrics th:first-child, table.metrics td:first-child { text-align: left; white-space: nowrap; }
table.metrics td { text-align: right; }
table.metrics tr.depth0 td { font-weight: 600; }
table.metrics tr.depth0 td:first-child { border-top: 2px solid var(--line); }
table.metrics td.undef { color: #a0a8b0; }
table.metrics tr.oneclass td { background: #fcfcfd; }
details { margin: 10px 0; }
summary { cursor: pointer; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
.charts figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
.charts svg { display: block; max-width: 100%; height: auto; }
.cms { display: flex; flex-wrap: wrap; gap: 22px; }
table.cm { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.cm th, table.cm td { border: 1px solid var(--line); padding: 6px 12px; text-align: center; }
table.cm th { background: var(--bg-alt); font-weight: 600; }
table.cm td.ok { background: var(--good); }
table.cm td.err { background: var(--bad); }
table.cm td small { display: block; color: var(--muted); }
.case { border: 1px solid var(--line); border-radius: 6px; margin: 14px 0; padding: 10px 14px; }
.case header { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: baseline; }
.score { font-weight: 700; font-size: 17px; }
.tag { border-radius: 4px; padding: 1px 7px; font-size: 13px; background: var(--bg-alt); }
.tag.lure { background: #f6c6c2; } .tag.review { background: #fde7b0; } .tag.ok { background: #d7eed9; }
.post { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg-alt); border-radius: 4px;
        padding: 8px 10px; margin: 8px 0; max-height: 17em; overflow-y: auto; font-size: 14px; }
mark.pos { background: var(--pos); border-radius: 2px; }
mark.neg { background: var(--neg); border-radius: 2px; }
table.reasons { border-collapse: collapse; font-size: 13.5px; }
table.reasons td { padding: 2px 8px; vertical-align: top; }
table.reasons td.c { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.c.up { color: #a52a1f; } td.c.down { color: #1f5fa5; }
.ev { display: inline-block; border-radius: 3px; padding: 0 4px; margin: 0 3px 2px 0; font-size: 12.5px; }
.ev.pos { background: var(--pos); } .ev.neg { background: var(--neg); }
.legend { color: var(--muted); font-size: 13.5px; }
.more { white-space: nowrap; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
"#;

fn metrics_table(cols: &[Col], rows: &[Row<'_>]) -> Markup {
    html! {
        div.scroll {
            table.metrics {
                thead { tr {
                    th { "group" }
                    @for c in cols { th title=(c.help) { (c.head) } }
                } }
                tbody {
                    @for r in rows {
                        tr class={ "depth" (r.depth.min(2)) @if !r.metrics.both_classes { " oneclass" } } {
                            td style={ "padding-left:" (9 + 18 * r.depth) "px" } { (r.label) }
                            @for c in cols {
                                @let cell = (c.get)(r.metrics);
                                @let undefined = matches!(cell, Cell::Ratio(None) | Cell::Percent(None));
                                td class=[undefined.then_some("undef")] { (cell.text()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn column_legend(cols: &[Col]) -> Markup {
    html! {
        p.legend {
            @for (i, c) in cols.iter().enumerate() {
                @if i > 0 { " · " }
                b { (c.head) } ": " (c.help)
            }
            ". — = undefined on the group (one class only, or nothing flagged)."
        }
    }
}

/// Rows of the headline table: overall and each source.
fn headline_rows(report: &Report) -> Vec<Row<'_>> {
    let mut rows = vec![Row {
        label: "all".into(),
        depth: 0,
        metrics: &report.overall.metrics,
    }];
    if report.sources.len() > 1 {
        rows.extend(report.sources.iter().map(|(name, b)| Row {
            label: name.clone(),
            depth: 1,
            metrics: &b.metrics,
        }));
    }
    rows
}

/// Rows grouped by language or kind, under each source (and overall with several sources).
fn breakdown_rows(report: &Report, lang: bool) -> Vec<Row<'_>> {
    let mut out: Vec<Row<'_>> = Vec::new();
    let mut blocks: Vec<(&str, &crate::eval::Block)> = Vec::new();
    if report.sources.len() > 1 {
        blocks.push(("all sources", &report.overall));
    }
    blocks.extend(report.sources.iter().map(|(n, b)| (n.as_str(), b)));
    for (name, block) in blocks {
        out.push(Row {
            label: name.to_string(),
            depth: 0,
            metrics: &block.metrics,
        });
        let map = if lang { &block.by_lang } else { &block.by_kind };
        for (k, g) in by_size(map) {
            out.push(Row {
                label: k.clone(),
                depth: 1,
                metrics: g,
            });
        }
    }
    out
}

fn confusion_table(name: &str, g: &GroupMetrics, which: &str) -> Markup {
    let at = if which == "review" {
        &g.thresholds.review
    } else {
        &g.thresholds.lure
    };
    let c = at.confusion;
    let pct = |x: usize, of: usize| {
        if of == 0 {
            "—".to_string()
        } else {
            format!("{:.1}% of row", 100.0 * x as f64 / of as f64)
        }
    };
    let (pos, neg) = (c.tp + c.fn_, c.fp + c.tn);
    html! {
        table.cm {
            caption { b { (name) } ", " (which) " ≥ " (format!("{:.3}", at.threshold)) }
            tr { th { "label \\ flagged" } th { "flagged" } th { "not flagged" } }
            tr {
                th { "lure (" (pos) ")" }
                td.ok { "TP " b { (c.tp) } small { (pct(c.tp, pos)) } }
                td.err { "FN " b { (c.fn_) } small { (pct(c.fn_, pos)) } }
            }
            tr {
                th { "not a lure (" (neg) ")" }
                td.err { "FP " b { (c.fp) } small { (pct(c.fp, neg)) } }
                td.ok { "TN " b { (c.tn) } small { (pct(c.tn, neg)) } }
            }
        }
    }
}

/// The post with the evidence of its reasons marked: amber for reasons that raise the score,
/// blue for those that lower it. Spans are byte offsets into the original text.
fn marked_post(text: &str, e: &lurescan::Explanation) -> Markup {
    // Per byte: the index of the first reason whose evidence covers it, raising ones first.
    let mut owner: Vec<Option<usize>> = vec![None; text.len()];
    let order = e
        .reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| r.contribution > 0.0)
        .chain(
            e.reasons
                .iter()
                .enumerate()
                .filter(|(_, r)| r.contribution < 0.0),
        );
    for (ri, r) in order {
        for ev in &r.evidence {
            let (s, t) = (ev.start.min(text.len()), ev.end.min(text.len()));
            for o in owner[s..t].iter_mut().filter(|o| o.is_none()) {
                *o = Some(ri);
            }
        }
    }
    let mut segments: Vec<(&str, Option<usize>)> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let cur = owner[i];
        let mut j = i + 1;
        while j < text.len() && (owner[j] == cur || !text.is_char_boundary(j)) {
            j += 1;
        }
        segments.push((&text[i..j], cur));
        i = j;
    }
    html! {
        div.post {
            @for (seg, who) in segments {
                @if let Some(ri) = who {
                    @let r = &e.reasons[ri];
                    mark class=(if r.contribution > 0.0 { "pos" } else { "neg" })
                        title={ (r.signal) " (" (format!("{:+.2}", r.contribution)) "): " (r.description) } {
                        (seg)
                    }
                } @else {
                    (seg)
                }
            }
        }
    }
}

fn reasons_table(e: &lurescan::Explanation, false_positive: bool) -> Markup {
    let up: Vec<&lurescan::Reason> = e.reasons.iter().filter(|r| r.contribution > 0.0).collect();
    let mut down: Vec<&lurescan::Reason> =
        e.reasons.iter().filter(|r| r.contribution < 0.0).collect();
    down.reverse();
    // A false positive is explained by what pushed it up; a miss also by what held it down.
    let (n_up, n_down) = if false_positive { (6, 2) } else { (4, 4) };
    let shown: Vec<&lurescan::Reason> = up
        .into_iter()
        .take(n_up)
        .chain(down.into_iter().take(n_down))
        .collect();
    html! {
        @if shown.is_empty() {
            p.legend { "No signal fired: the score comes from the n-grams and the intercept." }
        } @else {
            table.reasons {
                @for r in &shown {
                    @let pos = r.contribution > 0.0;
                    tr {
                        td.c class=(if pos { "up" } else { "down" }) { (format!("{:+.2}", r.contribution)) }
                        td { code { (r.signal) } }
                        td { (r.description) }
                        td {
                            @for ev in r.evidence.iter().take(4) {
                                span.ev class=(if pos { "pos" } else { "neg" }) { (ev.text) }
                            }
                            @if r.evidence.len() > 4 { span.legend.more { "+" (r.evidence.len() - 4) " more" } }
                        }
                    }
                }
            }
        }
        p.legend {
            "n-grams " (format!("{:+.2}", e.ngram_contribution))
            " · intercept " (format!("{:+.2}", e.intercept))
            " · logit " (format!("{:.2}", e.logit))
            @if e.reasons.len() > shown.len() { " · " (e.reasons.len() - shown.len()) " more signals" }
        }
    }
}

fn case_card(c: &WorstCase<'_>, t: Thresholds, false_positive: bool) -> Markup {
    let label = predicted(c.score, t);
    let p = c.post;
    html! {
        article.case {
            header {
                span.score { (format!("{:.3}", c.score)) }
                span.tag class=(label) { "predicted " (label) }
                span.tag { "labelled " (if p.label { "lure" } else { "not a lure" }) }
                span.meta { code { (p.source) " / " (p.id) } " · " (p.lang) " · " (p.kind) }
            }
            @match &c.explanation {
                Some(e) => {
                    (reasons_table(e, false_positive))
                    (marked_post(&p.text, e))
                }
                None => {
                    div.post { (p.text) }
                }
            }
        }
    }
}

/// The HTML report: one file, no script, no external resource.
pub fn render_html(ev: &Evaluation<'_>) -> Result<String> {
    let r = &ev.report;
    let t = r.thresholds;
    let all_series = series(ev);
    let overall_scored = Scored {
        scores: ev.scores.to_vec(),
        labels: ev.posts.iter().map(|p| p.label).collect(),
    };
    let pr = pr_chart(&all_series, t, &r.overall.metrics)?;
    let reliability = reliability_chart(&all_series)?;
    let hist = histogram_chart(&overall_scored, t)?;
    let o = &r.overall.metrics;
    let mut cm_groups: Vec<(&str, &GroupMetrics)> = vec![("all", o)];
    if r.sources.len() > 1 {
        cm_groups.extend(r.sources.iter().map(|(n, b)| (n.as_str(), &b.metrics)));
    }
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "lurescan eval: " (r.system.name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { "lurescan eval: " (r.system.name) }
                p.meta { (system_line(r)) @if let Some(c) = &r.system.model_checksum { " · " code { (c) } } }
                p.meta {
                    "Data: " code { (r.data.specs.join(" ")) } " (" (splits_text(r)) "): "
                    b { (o.n) } " posts, " b { (o.positives) } " lures (base rate "
                    (Cell::Ratio(o.base_rate).text()) ")"
                    @if r.data.n_train_split > 0 {
                        " · " b { (r.data.n_train_split) " from the train split" }
                    }
                }
                p.meta {
                    "Thresholds: review ≥ " b { (format!("{:.3}", t.review)) }
                    ", lure ≥ " b { (format!("{:.3}", t.lure)) }
                }

                section #metrics {
                    h2 { "Headline metrics" }
                    (metrics_table(RANKING, &headline_rows(r)))
                    (column_legend(RANKING))
                    h3 { "At the stored thresholds" }
                    (metrics_table(AT_THRESHOLDS, &headline_rows(r)))
                    (column_legend(AT_THRESHOLDS))
                    details open {
                        summary { "By language" }
                        (metrics_table(RANKING, &breakdown_rows(r, true)))
                        (metrics_table(AT_THRESHOLDS, &breakdown_rows(r, true)))
                    }
                    details open {
                        summary { "By kind" }
                        p.legend { "Kinds with one class only (e.g. warnings, all non-lures) have no AUC: read their flag rates and mean score." }
                        (metrics_table(RANKING, &breakdown_rows(r, false)))
                        (metrics_table(AT_THRESHOLDS, &breakdown_rows(r, false)))
                    }
                }

                section #charts {
                    h2 { "Curves" }
                    div.charts {
                        figure { (PreEscaped(pr)) }
                        figure { (PreEscaped(reliability)) }
                        figure { (PreEscaped(hist)) }
                    }
                    details {
                        summary { "Reliability bins (all posts)" }
                        table.metrics {
                            thead { tr { th { "scores" } th { "n" } th { "mean score" } th { "share of lures" } } }
                            tbody {
                                @for b in &o.reliability {
                                    tr {
                                        td { (format!("{:.1}–{:.1}", b.lo, b.hi)) }
                                        td { (b.n) }
                                        td { (Cell::Ratio(b.mean_score).text()) }
                                        td { (Cell::Ratio(b.positive_rate).text()) }
                                    }
                                }
                            }
                        }
                    }
                }

                section #confusion {
                    h2 { "Confusion matrices" }
                    @for which in ["review", "lure"] {
                        h3 { "At the " (which) " threshold" }
                        div.cms {
                            @for (name, g) in &cm_groups { (confusion_table(name, g, which)) }
                        }
                    }
                }

                section #false-positives {
                    h2 { "Worst false positives" }
                    p.legend {
                        "Non-lures at or above the review threshold, highest score first ("
                        (ev.false_positives.len()) " shown). "
                        @if ev.false_positives.iter().any(|c| c.explanation.is_some()) {
                            mark.pos { "Amber" } ": evidence of signals that raised the score; "
                            mark.neg { "blue" } ": of signals that lowered it."
                        }
                    }
                    @if ev.false_positives.is_empty() { p { "None." } }
                    @for c in &ev.false_positives { (case_card(c, t, true)) }
                }

                section #false-negatives {
                    h2 { "Worst false negatives" }
                    p.legend {
                        "Lures below the lure threshold, lowest score first ("
                        (ev.false_negatives.len()) " shown)."
                    }
                    @if ev.false_negatives.is_empty() { p { "None." } }
                    @for c in &ev.false_negatives { (case_card(c, t, false)) }
                }

                @if r.system.kind == "scores" {
                    p.legend { "Explanations are not available for scores read from a file." }
                }
                footer { "Generated by lurescan " (r.lurescan_version) " — " code { "lurescan eval" } "." }
            }
        }
    };
    Ok(markup.into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_ends() {
        let pts: Vec<(f64, f64)> = (0..=1000).map(|i| (i as f64 / 1000.0, 1.0)).collect();
        let t = thin(pts, 0.01);
        assert_eq!(t.first(), Some(&(0.0, 1.0)));
        assert_eq!(t.last(), Some(&(1.0, 1.0)));
        assert!(t.len() < 120, "{}", t.len());
    }

    #[test]
    fn cells_never_print_nan() {
        assert_eq!(Cell::Ratio(None).text(), "—");
        assert_eq!(Cell::Percent(Some(0.123)).text(), "12.3%");
        assert_eq!(Cell::Ratio(Some(0.5)).text(), "0.500");
    }
}
