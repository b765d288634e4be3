//! The device flow as a way in to the one sign-in (the same slot, progress and save): the person
//! approves on another device, their phone scanning the QR code or any browser, while this one
//! polls the token endpoint at the interval Feishu asks for.

use time::OffsetDateTime;

use super::{Reporter, Stage};
use crate::{
    client::{FeishuClient, TokenGrant},
    device::{DevicePoll, SLOW_DOWN_STEP},
    error::{Error, Result},
    scope::Scopes,
};

/// Asks for a device code, reports it, and polls until the person decides, the code expires, or
/// `timeout` passes (whichever is first). The grant is the tokens.
pub(super) async fn until_granted(
    client: &FeishuClient,
    scopes: &Scopes,
    timeout: std::time::Duration,
    report: &Reporter<'_>,
) -> Result<TokenGrant> {
    let authorization = client.device_authorization(scopes).await?;
    let deadline = authorization
        .expires_at
        .min(OffsetDateTime::now_utc() + timeout);
    report.set_deadline(deadline);
    report.stage(Stage::DeviceCode {
        user_code: &authorization.user_code,
        verification_uri: &authorization.verification_uri,
        verification_uri_complete: &authorization.verification_uri_complete,
        expires_at: deadline,
    });
    report.stage(Stage::Waiting);
    let mut interval = authorization.interval;
    loop {
        tokio::time::sleep(interval).await;
        if OffsetDateTime::now_utc() >= deadline {
            return Err(Error::AuthorizationFailed {
                error: "expired_token".into(),
                description: Some("the code was not approved in time".into()),
            });
        }
        match client.poll_device(&authorization.device_code).await? {
            DevicePoll::Pending => {}
            DevicePoll::SlowDown => interval += SLOW_DOWN_STEP,
            DevicePoll::Granted(grant) => return Ok(*grant),
        }
    }
}
