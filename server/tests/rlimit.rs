//! Issue 16 item 3: the soft open-file limit is raised to the hard one. A test binary of its
//! own: it lowers this process's soft limit first, which must not starve other tests.

#![expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]

/// Issue 16 item 3: the soft open-file limit is raised to the hard one (this test process's own
/// limits; the server does this when it starts serving). A soft limit lowered first is raised.
#[test]
fn ok_the_open_file_limit_is_raised_to_the_hard_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limits = getrlimit(Resource::Nofile);
    let hard = limits.maximum.unwrap_or(u64::MAX);
    if hard > 256 {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(256),
                maximum: limits.maximum,
            },
        )
        .unwrap();
    }
    let (before, after) = eds_server::raise_open_file_limit().unwrap();
    if hard > 256 {
        assert_eq!(before, 256);
    } else {
        assert!(before <= hard);
    }
    assert_eq!(after, hard);
    assert_eq!(
        getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX),
        hard
    );
}
