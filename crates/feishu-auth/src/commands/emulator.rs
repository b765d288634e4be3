//! `emulator`: the sandbox's Feishu emulator in the foreground, for trying the app or the CLI
//! against it from another terminal.

use feishu_emulator::sandbox;
use feishu_oauth::{Error, Result};

/// Serves until Ctrl-C.
pub async fn run(port: u16) -> Result<()> {
    let emulator = sandbox::builder()
        .port(port)
        .start()
        .await
        .map_err(|source| Error::Listen {
            addr: format!("127.0.0.1:{port}"),
            source,
        })?;
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
