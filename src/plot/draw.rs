//! Shared drawing: the compiled-in font, the palette and text sizes, one
//! chart frame with labelled axes, and rendering one figure to both a PNG
//! and an SVG file.

use super::PlotError;
use super::prep::fmt_num;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::Once;

/// DejaVu Sans, compiled in so that text renders the same everywhere
/// without system fonts (assets/fonts/README.md).
const FONT_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name every text style uses.
pub const FONT: &str = "sans-serif";

/// Text sizes in pixels.
pub const TITLE_PX: f64 = 30.0;
/// A panel's caption.
pub const CAPTION_PX: f64 = 21.0;
/// Axis descriptions and legends.
pub const DESC_PX: f64 = 19.0;
/// Tick labels and annotations.
pub const LABEL_PX: f64 = 16.0;

/// The palette (Tableau's, readable by most colour-blind readers).
pub mod color {
    use plotters::style::RGBColor;

    /// Blue: nodes, observed values.
    pub const BLUE: RGBColor = RGBColor(31, 119, 180);
    /// Orange: hash power, expectations.
    pub const ORANGE: RGBColor = RGBColor(230, 112, 10);
    /// Green.
    pub const GREEN: RGBColor = RGBColor(44, 160, 44);
    /// Red: stale blocks, events, the unexpected.
    pub const RED: RGBColor = RGBColor(214, 39, 40);
    /// Purple.
    pub const PURPLE: RGBColor = RGBColor(148, 103, 189);
    /// Grey: raw points behind a summary line.
    pub const GREY: RGBColor = RGBColor(140, 140, 140);
}

/// Why a drawing step failed.
pub type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// What every drawing step returns.
pub type Drawn<DB> = Result<(), DrawError<DB>>;

/// A chart, by default over two linear f64 axes.
pub type Chart<'a, DB, X = RangedCoordf64, Y = RangedCoordf64> = ChartContext<'a, DB, Cartesian2d<X, Y>>;

/// An axis that takes f64 values and formats its own tick labels.
pub trait F64Axis: Ranged<ValueType = f64> + ValueFormatter<f64> {}

impl<T: Ranged<ValueType = f64> + ValueFormatter<f64>> F64Axis for T {}

/// One figure: a file stem and how to draw it on any backend.
pub trait Figure: Sync {
    /// File name without extension.
    fn stem(&self) -> &'static str;
    /// Its heading on the index page.
    fn heading(&self) -> &'static str;
    /// What it shows and where the data comes from, for the index page.
    fn about(&self) -> String;
    /// Size in pixels.
    fn size(&self) -> (u32, u32) {
        (1200, 720)
    }
    /// Draws the figure.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB>;
}

/// Registers the compiled-in font once per process.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_TTF).is_err() {
            panic!("the compiled-in font is a valid TrueType file");
        }
    });
}

/// Draws `fig` into `dir/<stem>.png` and `dir/<stem>.svg`.
pub fn render<F: Figure>(dir: &Path, fig: &F) -> Result<(), PlotError> {
    render_as(dir, fig.stem(), fig)
}

/// Draws `fig` into `dir/<stem>.png` and `dir/<stem>.svg` under another stem than its own
/// (figures one per metric).
pub fn render_as<F: Figure>(dir: &Path, stem: &str, fig: &F) -> Result<(), PlotError> {
    register_font();
    let size = fig.size();
    let png = dir.join(format!("{stem}.png"));
    let fail = |path: &Path, e: &dyn std::fmt::Display| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&png, &e))?;
        fig.draw(&root).map_err(|e| fail(&png, &e))?;
        root.present().map_err(|e| fail(&png, &e))?;
    }
    let svg = dir.join(format!("{stem}.svg"));
    let root = SVGBackend::new(&svg, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&svg, &e))?;
    fig.draw(&root).map_err(|e| fail(&svg, &e))?;
    root.present().map_err(|e| fail(&svg, &e))
}

/// A text style of the given size.
pub fn text(px: f64) -> TextStyle<'static> {
    (FONT, px).into_font().color(&BLACK)
}

/// Draws the figure's title and returns the area below it.
pub fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, DrawError<DB>> {
    root.margin(8, 0, 0, 0).titled(title, text(TITLE_PX))
}

/// A chart frame with a caption over `x` and `y`.
pub fn frame<'a, DB: DrawingBackend, X: AsRangedCoord, Y: AsRangedCoord>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    x: X,
    y: Y,
) -> Result<Chart<'a, DB, X::CoordDescType, Y::CoordDescType>, DrawError<DB>> {
    ChartBuilder::on(area)
        .caption(caption, text(CAPTION_PX))
        .margin_top(6)
        .margin_left(14)
        .margin_right(30)
        .margin_bottom(8)
        .x_label_area_size(58)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)
}

/// Axes with descriptions, tick labels from [`fmt_num`] and a light grid.
pub fn axes<DB: DrawingBackend, X: F64Axis, Y: F64Axis>(
    chart: &mut Chart<'_, DB, X, Y>,
    x_desc: &str,
    y_desc: &str,
) -> Drawn<DB> {
    axes_with(chart, x_desc, y_desc, &|v| fmt_num(*v), 8)
}

/// [`axes`] with a formatter for the y tick labels and about how many
/// ticks the y axis should have (a log axis asked for many gets lines at
/// 1, 2, ..., 9 times each power of ten).
pub fn axes_with<DB: DrawingBackend, X: F64Axis, Y: F64Axis>(
    chart: &mut Chart<'_, DB, X, Y>,
    x_desc: &str,
    y_desc: &str,
    y_fmt: &dyn Fn(&f64) -> String,
    y_ticks: usize,
) -> Drawn<DB> {
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(text(DESC_PX))
        .label_style(text(LABEL_PX))
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(y_fmt)
        .x_labels(10)
        .y_labels(y_ticks)
        // A log axis asked for many ticks has its lines at every 1..9 times a
        // power of ten already; finer lines would only clutter it.
        .max_light_lines(if y_ticks > 10 { 0 } else { 4 })
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .draw()
}

/// The legend, in a framed box at `pos`.
pub fn legend<'a, DB: DrawingBackend + 'a, X: Ranged, Y: Ranged>(
    chart: &mut Chart<'a, DB, X, Y>,
    pos: SeriesLabelPosition,
) -> Drawn<DB> {
    chart
        .configure_series_labels()
        .position(pos)
        .margin(12)
        .legend_area_size(30)
        .label_font(text(DESC_PX - 2.0))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()
}

/// A legend mark for a line.
pub fn line_mark(style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style)
}

/// A legend mark for a filled area.
pub fn box_mark(style: ShapeStyle) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 7), (x + 24, y + 7)], style)
}

/// A range from `lo` to `hi` with a little room, never empty.
pub fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
    (lo - 0.03 * span)..(hi + 0.05 * span)
}

/// A range from 0 to a little above `hi`.
pub fn from_zero(hi: f64) -> std::ops::Range<f64> {
    0.0..if hi > 0.0 && hi.is_finite() { hi * 1.08 } else { 1.0 }
}

/// A note in the middle of a chart ("no reorgs").
pub fn note<DB: DrawingBackend, X: Ranged, Y: Ranged>(
    chart: &mut Chart<'_, DB, X, Y>,
    message: &str,
) -> Drawn<DB> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    let style = text(DESC_PX).color(&color::GREY).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(message.to_string(), (w as i32 / 2, h as i32 / 2), style))
}
