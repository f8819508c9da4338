//! Bar charts drawn as SVG on the server, so the dashboard needs no
//! JavaScript. The output is a self-contained `<svg>` element; colours come
//! from the page's style sheet through the classes `series-0`, `series-1`, …

use std::fmt::Write;

/// One row of a chart: a label and one value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub values: Vec<f64>,
}

const WIDTH: f64 = 720.0;
const LABEL_WIDTH: f64 = 270.0;
const VALUE_WIDTH: f64 = 50.0;
const BAR_HEIGHT: f64 = 12.0;
const ROW_GAP: f64 = 10.0;
const LEGEND_HEIGHT: f64 = 24.0;
/// Labels longer than this are shortened; the full label is in the tooltip.
const LABEL_CHARS: usize = 34;

/// Text made safe for SVG content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A number as the chart prints it: whole numbers without decimals, others
/// with one.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Horizontal bars, one group per row and one bar per series, scaled to the
/// largest value. `title` names the chart for screen readers; `series` names
/// each bar in the legend and in the tooltips.
pub fn horizontal_bars(title: &str, series: &[&str], rows: &[Row]) -> String {
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let bars = series.len().max(1) as f64;
    let row_height = bars * BAR_HEIGHT + ROW_GAP;
    let height = LEGEND_HEIGHT + rows.len() as f64 * row_height + ROW_GAP;
    let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut svg = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"><title>{}</title>"#,
        escape(title)
    );
    // The legend runs along the top from the left edge; 6.5 units a
    // character is a fair width for the 11px font.
    let mut x = 0.0;
    for (i, name) in series.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect class="legend series-{i}" x="{x}" y="6" width="10" height="10"/><text x="{}" y="15">{}</text>"#,
            x + 14.0,
            escape(name)
        );
        x += 14.0 + 6.5 * name.chars().count() as f64 + 16.0;
    }
    for (r, row) in rows.iter().enumerate() {
        let top = LEGEND_HEIGHT + r as f64 * row_height;
        let middle = top + bars * BAR_HEIGHT / 2.0 + 4.0;
        let _ = write!(
            svg,
            r#"<text class="label" x="{}" y="{middle}" text-anchor="end"><title>{}</title>{}</text>"#,
            LABEL_WIDTH - 8.0,
            escape(&row.label),
            escape(&shorten(&row.label))
        );
        for (i, value) in row.values.iter().enumerate().take(series.len()) {
            let value = if value.is_finite() {
                value.max(0.0)
            } else {
                0.0
            };
            let width = if max > 0.0 { value / max * plot } else { 0.0 };
            let y = top + i as f64 * BAR_HEIGHT;
            let _ = write!(
                svg,
                r#"<rect class="series-{i}" x="{LABEL_WIDTH}" y="{y}" width="{width:.1}" height="{}"><title>{}: {}</title></rect><text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
                BAR_HEIGHT - 2.0,
                escape(series.get(i).copied().unwrap_or_default()),
                number(value),
                LABEL_WIDTH + width + 4.0,
                y + BAR_HEIGHT - 3.0,
                number(value)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<f64> {
        svg.split("<rect class=\"series-")
            .skip(1)
            .filter_map(|part| {
                let start = part.find("width=\"")? + 7;
                let end = part[start..].find('"')? + start;
                part[start..end].parse().ok()
            })
            .collect()
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let svg = horizontal_bars(
            "Letters",
            &["sent", "delivered"],
            &[
                Row {
                    label: "ИК-6".into(),
                    values: vec![40.0, 20.0],
                },
                Row {
                    label: "СИЗО-1".into(),
                    values: vec![10.0, 0.0],
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert_eq!(widths(&svg), vec![plot, plot / 2.0, plot / 4.0, 0.0]);
        assert!(svg.contains("<title>sent: 40</title>"));
        assert!(svg.contains(">ИК-6</text>"));
    }

    #[test]
    fn text_is_escaped_and_long_labels_are_shortened() {
        let long = "ФКУ ИК-2 УФСИН России по Республике Мордовия <script>";
        let svg = horizontal_bars(
            "a \"chart\"",
            &["x&y"],
            &[Row {
                label: long.into(),
                values: vec![1.5],
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(
            svg.contains("&lt;script&gt;</title>"),
            "the tooltip keeps the full label"
        );
        assert!(svg.contains("…</text>"));
        assert!(svg.contains("a &quot;chart&quot;"));
        assert!(svg.contains("x&amp;y: 1.5"));
    }

    #[test]
    fn empty_and_zero_data_draw_without_dividing_by_zero() {
        let svg = horizontal_bars("none", &["a"], &[]);
        assert!(svg.ends_with("</svg>"));
        let svg = horizontal_bars(
            "zeros",
            &["a"],
            &[Row {
                label: "x".into(),
                values: vec![0.0, f64::NAN],
            }],
        );
        assert_eq!(widths(&svg), vec![0.0]);
        assert!(!svg.contains("NaN"));
    }
}
