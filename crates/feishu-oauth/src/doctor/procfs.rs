//! What Linux's `/proc` says about other processes: who listens on a port, who holds a `flock`,
//! whether a pid is alive. Only this user's processes can be looked into; for others the answer is
//! "unknown", never a guess.

use std::fs;

/// A process: its pid and, when readable, its name (`comm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Process {
    pub pid: u32,
    pub name: Option<String>,
}

impl Process {
    pub fn of(pid: u32) -> Self {
        Self {
            pid,
            name: fs::read_to_string(format!("/proc/{pid}/comm"))
                .ok()
                .map(|n| n.trim().to_owned()),
        }
    }

    /// `pid 1234 (feishu-auth)`.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("pid {} ({name})", self.pid),
            None => format!("pid {}", self.pid),
        }
    }
}

/// Whether a process with this pid exists now.
pub(super) fn is_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether the process is stopped (state `T`, a `^Z` or a debugger): it then holds whatever it
/// holds until it is continued.
pub(super) fn is_stopped(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next())
        })
        .is_some_and(|state| matches!(state, 'T' | 't'))
}

/// The socket inodes listening on TCP `port` in a `/proc/net/tcp` or `tcp6` table.
pub(super) fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    const LISTEN: &str = "0A";
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let state = fields.get(3)?;
            let (_, hex_port) = local.rsplit_once(':')?;
            let listening = *state == LISTEN && u16::from_str_radix(hex_port, 16).ok()? == port;
            listening.then(|| fields.get(9)?.parse().ok()).flatten()
        })
        .collect()
}

/// The process listening on TCP `port`, when it is one of this user's.
pub(super) fn listener(port: u16) -> Option<Process> {
    let inodes: Vec<u64> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|path| fs::read_to_string(path).ok())
        .flat_map(|table| listening_inodes(&table, port))
        .collect();
    if inodes.is_empty() {
        return None;
    }
    let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = fs::read_link(fd.path()) {
                if wanted.iter().any(|w| target.as_os_str() == w.as_str()) {
                    return Some(Process::of(pid));
                }
            }
        }
    }
    None
}

/// The pid holding a `flock` on the file with device `major:minor` and `inode`, from the text of
/// `/proc/locks` (waiters, the `->` lines, are not holders).
pub(super) fn flock_holder(locks: &str, major: u64, minor: u64, inode: u64) -> Option<u32> {
    let wanted = format!("{major:02x}:{minor:02x}:{inode}");
    locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) != Some(&"FLOCK") {
            return None;
        }
        (fields.get(5)? == &wanted.as_str()).then(|| fields.get(4)?.parse().ok())?
    })
}

/// `st_dev`'s major and minor numbers, as glibc's `gnu_dev_major`/`gnu_dev_minor` split them.
pub(super) fn major_minor(dev: u64) -> (u64, u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listening_socket_is_found_by_its_port_and_others_are_not() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:6E9B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:6E9B 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0";
        assert_eq!(listening_inodes(table, 28315), vec![4242]);
        assert_eq!(listening_inodes(table, 22), vec![99]);
        assert!(listening_inodes(table, 80).is_empty());
    }

    #[test]
    fn a_flock_holder_is_read_and_a_waiter_is_not() {
        let locks = "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF
1: -> FLOCK  ADVISORY  WRITE 999 fd:01:5678 0 EOF
2: POSIX  ADVISORY  WRITE 77 fd:01:9999 0 EOF";
        assert_eq!(flock_holder(locks, 0xfd, 1, 5678), Some(1234));
        assert_eq!(flock_holder(locks, 0xfd, 1, 9999), None);
        assert_eq!(flock_holder(locks, 8, 1, 5678), None);
    }

    #[test]
    fn device_numbers_split_as_glibc_does() {
        assert_eq!(major_minor(0xfd01), (0xfd, 1));
        assert_eq!(major_minor(0x0803), (8, 3));
    }

    #[test]
    fn this_process_is_alive_and_not_stopped() {
        assert!(is_alive(std::process::id()));
        assert!(!is_stopped(std::process::id()));
        assert_eq!(Process::of(std::process::id()).pid, std::process::id());
    }
}
