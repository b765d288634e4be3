//! Processes as /proc shows them: an app's descendants (WebKit's web and network processes), their
//! resident memory, and stopping a whole app when a run is done.

use std::{fs, process::Command, time::Duration};

/// The parent and state of `pid` from `/proc/<pid>/stat` (the fields after the command name,
/// which is in parentheses and may itself hold spaces or parentheses).
fn stat(pid: u32) -> Option<(u32, char)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((parent, state))
}

/// Every live process descended from `root` (not `root` itself).
pub fn descendants(root: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| stat(pid).map(|(parent, _)| (pid, parent)))
        .collect();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &(pid, _) in parents.iter().filter(|(_, p)| *p == parent) {
            found.push(pid);
            frontier.push(pid);
        }
    }
    found
}

/// Resident memory of `pid` (`VmRSS` in `/proc/<pid>/status`), in bytes.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Resident memory of `root` and all its descendants, and how many processes that was.
pub fn tree_rss(root: u32) -> (u64, usize) {
    let pids: Vec<u32> = std::iter::once(root).chain(descendants(root)).collect();
    let total = pids.iter().filter_map(|&pid| rss_bytes(pid)).sum();
    (total, pids.len())
}

/// Resident memory of `root` and each descendant by process name (`/proc/<pid>/comm`), largest
/// first: where a tree's memory is.
pub fn rss_by_process(root: u32) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = std::iter::once(root)
        .chain(descendants(root))
        .filter_map(|pid| {
            let name = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            Some((name.trim().to_owned(), rss_bytes(pid)?))
        })
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.1));
    out
}

/// Whether `pid` is gone (or a zombie nobody has reaped yet).
fn gone(pid: u32) -> bool {
    stat(pid).is_none_or(|(_, state)| state == 'Z')
}

/// Stops an app started as the leader of its own process group: SIGKILL to the group, then to
/// any descendant that left it, then waits (up to 5 s) until all are gone, so the next run starts
/// on a quiet machine. Only processes this benchmark started are signalled.
pub fn kill_tree(leader: u32) {
    let family = descendants(leader);
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{leader}")])
        .status();
    for pid in family.iter().copied().filter(|&pid| !gone(pid)) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while family.iter().any(|&pid| !gone(pid)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_a_descendant_with_memory() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        let me = std::process::id();
        assert!(descendants(me).contains(&child.id()));
        assert!(rss_bytes(child.id()).unwrap() > 0);
        let (total, count) = tree_rss(me);
        assert!(count >= 2 && total > rss_bytes(me).unwrap());
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
