//! `emulator`: the sandbox's Feishu emulator in the foreground, for trying the app or the CLI
//! against it from another terminal.

use std::{io::Write as _, path::Path};

use feishu_emulator::sandbox;
use feishu_oauth::{Error, Result};

/// Serves until Ctrl-C.
pub async fn run(port: u16) -> Result<()> {
    let emulator = sandbox::builder()
        .port(port)
        .start()
        .await
        .map_err(|source| Error::Sandbox { source })?;
    let base = emulator.base_url();
    println!("Feishu emulator listening on {base}");
    println!("Point a client at it with:");
    println!("  export FEISHU_ACCOUNTS_URL={base} FEISHU_OPEN_URL={base}");
    println!(
        "  export FEISHU_APP_ID={} FEISHU_APP_SECRET={}",
        emulator.app_id(),
        emulator.app_secret()
    );
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    Ok(())
}

/// The desktop app's sandbox, run by the app as a child process so that its own binary carries
/// no emulator (the HTTP server and the Feishu pages). Shares grants through `data_dir`'s state
/// file, exactly as the in-process sandboxes of `feishu-auth` do; prints the base URL as its only
/// line; serves until standard input reaches its end. Reads no settings: the app passes the
/// folder, so unreadable settings (which the app survives) cannot stop its sandbox.
pub async fn run_for_app(port: u16, data_dir: &Path) -> Result<()> {
    let emulator = sandbox::builder()
        .state_file(data_dir.join(sandbox::STATE_FILE_NAME))
        .port(port)
        .start()
        .await
        .map_err(|source| Error::Sandbox { source })?;
    let announced = {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", emulator.base_url()).and_then(|()| stdout.flush())
    };
    if announced.is_ok() {
        // The app never writes; end of file means it has gone.
        let _ = tokio::task::spawn_blocking(|| {
            std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())
        })
        .await;
    }
    emulator.shutdown().await;
    Ok(())
}
