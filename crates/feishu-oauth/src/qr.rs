//! The QR code of a device flow's verification address (`verification_uri_complete`), which the
//! Feishu app on a phone scans: drawn in a terminal with Unicode half blocks (two modules a
//! character, so the code keeps its proportions), and as SVG for the window.

use qrcode::{
    render::{svg, unicode::Dense1x2},
    EcLevel, QrCode,
};

/// A QR code of `text`; `None` when it does not fit one (far longer than any address).
fn code(text: &str) -> Option<QrCode> {
    // Medium error correction: a phone reading a screen needs little, and fewer modules are
    // bigger ones.
    QrCode::with_error_correction_level(text, EcLevel::M).ok()
}

/// The code for a terminal: light modules are drawn with blocks and dark ones left blank, so on
/// a terminal's usual dark background the code reads dark on light, as printed ones do; the
/// quiet zone is drawn too, as the light margin scanners need. Lines end with `\n`.
pub fn terminal(text: &str) -> Option<String> {
    let drawn = code(text)?
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    Some(drawn + "\n")
}

/// The code as an SVG document, dark on white, with its quiet zone: for the window (the page
/// shows it as an image; it carries nothing but the address, which is not a secret).
pub fn svg(text: &str) -> Option<String> {
    Some(
        code(text)?
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: &str = "https://accounts.feishu.cn/oauth/v1/device/verify?user_code=ABCD-EFGH";

    #[test]
    fn the_terminal_drawing_reads_back_as_the_address() {
        let drawn = terminal(ADDRESS).unwrap();
        assert_eq!(
            crate::test_support::decode_terminal_qr(&drawn).as_deref(),
            Some(ADDRESS)
        );
        // Every line is as wide as the others: a square code.
        let widths: std::collections::BTreeSet<usize> =
            drawn.lines().map(|l| l.chars().count()).collect();
        assert_eq!(widths.len(), 1, "{widths:?}");
    }

    #[test]
    fn the_svg_is_one_self_contained_image_that_reads_back_as_the_address() {
        let svg = svg(ADDRESS).unwrap();
        assert_eq!(
            crate::test_support::decode_svg_qr(&svg).as_deref(),
            Some(ADDRESS)
        );
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script") && !svg.contains("href"));
    }

    #[test]
    fn text_too_long_for_any_code_is_none_not_a_panic() {
        assert!(terminal(&"x".repeat(10_000)).is_none());
        assert!(svg(&"x".repeat(10_000)).is_none());
    }
}
