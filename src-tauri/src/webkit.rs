//! How WebKitGTK draws the window, chosen before it starts (Linux only).
//!
//! By default WebKitGTK composites every page with OpenGL: the web process loads the GL stack
//! (Mesa, and on machines without a GPU driver llvmpipe with LLVM to compile its shaders) and
//! keeps GPU tiles and glyph atlases for it. For one small window of text that changes once a
//! second that bought nothing and cost about 90 MB of resident memory and some start time
//! (`scripts/bench.sh`, rows 1–2). Without accelerated compositing WebKit paints the page with
//! its CPU renderer straight into the window, which is what a page like this needs.
//!
//! A user who sets `WEBKIT_DISABLE_COMPOSITING_MODE` themselves (to `0` to get compositing
//! back) is left alone.

/// The variable WebKitGTK reads when it makes the first web view.
#[cfg(target_os = "linux")]
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Applies the choice. Call first thing in `main`, while the process has one thread: it sets
/// an environment variable, which WebKit reads and its web process inherits.
pub fn configure() {
    #[cfg(target_os = "linux")]
    if std::env::var_os(DISABLE_COMPOSITING).is_none() {
        std::env::set_var(DISABLE_COMPOSITING, "1");
    }
}
