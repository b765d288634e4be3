//! The endpoints a test can count calls to and inject failures into.

/// One of the emulated Feishu endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /open-apis/authen/v1/authorize`: the page the browser opens (获取授权码).
    Authorize,
    /// `POST /open-apis/authen/v2/oauth/token`: both grants, the code exchange and the refresh.
    Token,
    /// `GET /open-apis/authen/v1/user_info` (获取用户信息).
    UserInfo,
    /// `POST /oauth/v1/revoke` on the accounts host: token revocation in RFC 7009's shape. Not on
    /// Feishu's public pages; the official Lark CLI (larksuite/cli, `internal/auth/revoke.go`)
    /// calls it.
    Revoke,
    /// `POST /oauth/v1/device_authorization` on the accounts host: the device authorization
    /// grant's first step (RFC 8628 §3.1). Not on Feishu's public pages; the official Lark CLI
    /// uses it.
    DeviceAuthorization,
}

impl Endpoint {
    /// Every endpoint, in [`Endpoint::index`] order.
    pub(crate) const ALL: [Self; 5] = [
        Self::Authorize,
        Self::Token,
        Self::UserInfo,
        Self::Revoke,
        Self::DeviceAuthorization,
    ];

    /// The request path. One origin stands for both the `accounts` and the `open` host: their
    /// paths do not overlap (revocation and the device flow are the paths outside `/open-apis`).
    pub(crate) const fn path(self) -> &'static str {
        match self {
            Self::Authorize => "/open-apis/authen/v1/authorize",
            Self::Token => "/open-apis/authen/v2/oauth/token",
            Self::UserInfo => "/open-apis/authen/v1/user_info",
            Self::Revoke => "/oauth/v1/revoke",
            Self::DeviceAuthorization => "/oauth/v1/device_authorization",
        }
    }

    /// A dense index, for per-endpoint tables.
    pub(crate) const fn index(self) -> usize {
        match self {
            Self::Authorize => 0,
            Self::Token => 1,
            Self::UserInfo => 2,
            Self::Revoke => 3,
            Self::DeviceAuthorization => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_match_the_all_order() {
        for (position, endpoint) in Endpoint::ALL.iter().enumerate() {
            assert_eq!(endpoint.index(), position);
        }
    }
}
