//! QR codes for printed slips and posters, as compact inline SVG.

pub use qrcode::EcLevel;
use qrcode::{Color, QrCode};

/// A QR code as one SVG path, a run of dark modules per segment: a few
/// kilobytes, where one rectangle per module would make a sheet of
/// thousands of slips a hundred megabytes.
///
/// `level`: L, the smallest code, for a slip in hand; M for a poster on a
/// wall, read from further away and worn by the months.
pub fn qr_svg(text: &str, level: EcLevel) -> String {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), level) else {
        // A link too long for a QR code: the printed address still works.
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for y in 0..width {
        let row = &colors[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                // Four modules of quiet zone around the code.
                path.push_str(&format!(
                    "M{} {}h{}v1H{}z",
                    start + 4,
                    y + 4,
                    x - start,
                    start + 4
                ));
            } else {
                x += 1;
            }
        }
    }
    let size = width + 8;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path, read back module by module, is the code's own matrix.
    #[test]
    fn the_qr_path_draws_exactly_the_dark_modules() {
        let text = "https://khaosat.example.vn/s/construction-permit?unit=hcc-long-xuyen-xd&code=K7M2Q9XRT4";
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).unwrap();
        let width = code.width();
        let svg = qr_svg(text, EcLevel::L);
        let path = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut drawn = vec![Color::Light; width * width];
        for segment in path.split('M').filter(|s| !s.is_empty()) {
            // "x yhwv1Hxz"
            let (start, rest) = segment.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            let run: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            let (x, y): (usize, usize) = (start.parse().unwrap(), y.parse().unwrap());
            for dx in 0..run {
                drawn[(y - 4) * width + x - 4 + dx] = Color::Dark;
            }
        }
        assert_eq!(drawn, code.to_colors());
        assert!(svg.len() < 6000, "{} bytes", svg.len());
    }
}
