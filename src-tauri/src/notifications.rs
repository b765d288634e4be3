//! Desktop notifications (tauri-plugin-notification, on Linux `org.freedesktop.Notifications`
//! over the session bus): a session about to end with nothing to renew it, Feishu's forced
//! re-authorization 14 days and 1 day ahead (the core's [`Reminders`] decide when, once each),
//! and a background refresh that signed the person out, with the reason.
//!
//! Worded in the locale's language: the window's own choice lives in the page, which a
//! notification does not wait for. Nothing secret is in them: the reason is the core's error
//! message, which never carries a token.

use std::collections::HashMap;

use feishu_oauth::{Account, Language, Reminder, Reminders, Session};
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use time::OffsetDateTime;

use crate::keepalive;

/// The reminders given so far, one record per profile (in its data folder).
#[derive(Debug, Default)]
pub struct Notifier {
    reminders: HashMap<String, Reminders>,
}

impl Notifier {
    /// Tells the desktop what `profile`'s `session` (of `account`) calls for now, once each.
    pub fn remind<R: Runtime>(
        &mut self,
        app: &AppHandle<R>,
        profile: &str,
        account: &Account,
        session: &Session,
    ) {
        let now = OffsetDateTime::now_utc();
        let record = self
            .reminders
            .entry(profile.to_owned())
            .or_insert_with(|| Reminders::open(&account.config().data_dir.join("reminders.json")));
        for reminder in record.take(profile, session, now, || keepalive::is_enabled(profile)) {
            let (title, body) = words(Language::from_env(), profile, reminder, now);
            show(app, &title, &body);
        }
    }

    /// Forgets the profiles no longer there.
    pub fn retain(&mut self, names: &[String]) {
        self.reminders.retain(|name, _| names.contains(name));
    }
}

/// Tells the desktop that a background refresh signed `profile` out, and why.
pub fn signed_out<R: Runtime>(app: &AppHandle<R>, profile: &str, reason: &str) {
    let (title, body) = match Language::from_env() {
        Language::English => (
            "Signed out of Feishu".to_owned(),
            format!("The session of profile {profile} could not be renewed: {reason}. Open Feishu Sign-in to sign in again."),
        ),
        Language::Chinese => (
            "已退出飞书登录".to_owned(),
            format!("配置 {profile} 的会话无法续期：{reason}。请打开飞书登录重新登录。"),
        ),
    };
    show(app, &title, &body);
}

fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "could not show a desktop notification");
    }
}

/// A reminder's title and body.
fn words(
    language: Language,
    profile: &str,
    reminder: Reminder,
    now: OffsetDateTime,
) -> (String, String) {
    let english = language == Language::English;
    match reminder {
        Reminder::SessionEndsSoon { at } => {
            let hours = (at - now).whole_hours().max(1);
            if english {
                ("Your Feishu session ends soon".into(), format!("Profile {profile}: the session ends in about {hours} h unless Feishu Sign-in is open to renew it. Turn on \u{201c}Keep me signed in while the app is closed\u{201d} to keep it going."))
            } else {
                ("飞书会话即将结束".into(), format!("配置 {profile}：除非飞书登录保持打开以续期，会话将在约 {hours} 小时后结束。开启“关闭应用后保持登录”可让会话持续。"))
            }
        }
        Reminder::ReauthorizeWithinDays { at } => {
            let days = (at - now).whole_days().max(1);
            if english {
                (format!("Sign in to Feishu again within {days} days"), format!("Profile {profile}: Feishu asks for a new sign-in 365 days after the last one. The session ends in {days} days; signing in again before then keeps you signed in."))
            } else {
                (format!("请在 {days} 天内重新登录飞书"), format!("配置 {profile}：飞书要求每 365 天重新登录一次。会话将在 {days} 天后结束，在此之前重新登录即可保持登录。"))
            }
        }
        Reminder::ReauthorizeWithinADay { .. } => {
            if english {
                ("Sign in to Feishu again today".into(), format!("Profile {profile}: Feishu asks for a new sign-in 365 days after the last one, and the session ends within a day. Sign in again now to stay signed in."))
            } else {
                ("请今天重新登录飞书".into(), format!("配置 {profile}：飞书要求每 365 天重新登录一次，会话将在一天内结束。现在重新登录即可保持登录。"))
            }
        }
    }
}
