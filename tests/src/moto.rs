//! A real S3 endpoint on loopback for the tests: Python's `moto[server]` (installed by
//! scripts/setup-deps.sh), one process per test on a free port, stopped when dropped.
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub port: u16,
}

impl Moto {
    /// Starts moto_server; `None` when it is not installed and CI is not set (under CI=true
    /// nothing is skipped: a missing server fails the test).
    pub fn start() -> Option<Moto> {
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        Moto::start_on(port)
    }

    /// Starts moto_server on this port (again, after [`Moto::stop`]: with nothing stored).
    pub fn start_on(port: u16) -> Option<Moto> {
        let child = match Command::new("moto_server").args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
            Ok(c) => c,
            Err(e) => {
                assert!(std::env::var("CI").as_deref() != Ok("true"), "moto_server is required under CI (pip install 'moto[server]'): {e}");
                eprintln!("skipped: moto_server is not installed (pip install 'moto[server]')");
                return None;
            }
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Moto { child, endpoint: format!("http://127.0.0.1:{port}"), port })
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}
