//! A local Feishu OAuth server (placeholder, being written).
