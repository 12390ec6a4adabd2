//! The server's door: a listener that bounds how many connections are open at once, in
//! all and from one address, so that neither a crowd nor one machine holding
//! connections open (idle, half-sent, never-read streams) can grow the server's memory
//! without bound. A connection over a bound is closed at once. The machine itself
//! (loopback) is bounded only by the total: the teacher's laptop and the load test.

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Connections open at once, in all.
pub const MAX_CONNECTIONS: usize = 1024;
/// Connections open at once from one address other than this machine's.
pub const MAX_PER_ADDRESS: usize = 32;

/// The peer's address, in its canonical form (an IPv4 peer of an IPv6 socket as IPv4).
pub fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A TCP listener that closes connections over [`MAX_CONNECTIONS`] or
/// [`MAX_PER_ADDRESS`].
pub struct Limited {
    inner: TcpListener,
    counts: Arc<Mutex<Counts>>,
}

impl Limited {
    pub fn new(inner: TcpListener) -> Limited {
        Limited {
            inner,
            counts: Arc::default(),
        }
    }
}

/// An open connection; its place is given back when it closes.
pub struct Counted {
    stream: TcpStream,
    ip: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_address.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.by_address.remove(&self.ip);
            }
        }
    }
}

impl Listener for Limited {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        loop {
            let (stream, addr) = match self.inner.accept().await {
                Ok(s) => s,
                Err(_) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let ip = canonical(addr.ip());
            {
                let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
                let mine = c.by_address.get(&ip).copied().unwrap_or(0);
                if c.total >= MAX_CONNECTIONS || (!ip.is_loopback() && mine >= MAX_PER_ADDRESS) {
                    drop(stream);
                    continue;
                }
                c.total += 1;
                *c.by_address.entry(ip).or_insert(0) += 1;
            }
            return (
                Counted {
                    stream,
                    ip,
                    counts: Arc::clone(&self.counts),
                },
                addr,
            );
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Who is asking: the peer's address.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, Limited>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Limited>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// Whether a `Host` header names this server as only an address can: an IP address or
/// `localhost`, with or without a port. A page on another site that has re-pointed its
/// own name at this machine (DNS rebinding) sends its own name, and is refused.
pub fn host_allowed(host: &str) -> bool {
    let h = host.trim();
    let name = if let Some(rest) = h.strip_prefix('[') {
        // [v6]:port
        match rest.split_once(']') {
            Some((ip, tail)) if tail.is_empty() || tail.starts_with(':') => {
                return ip.parse::<std::net::Ipv6Addr>().is_ok();
            }
            _ => return false,
        }
    } else {
        match h.rsplit_once(':') {
            Some((n, port)) if port.chars().all(|c| c.is_ascii_digit()) => n,
            _ => h,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_and_localhost_are_hosts() {
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "192.168.1.20:8080",
            "[::1]:8080",
            "[fe80::1]",
            "10.0.0.2",
        ] {
            assert!(host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "evil.example",
            "127.0.0.1.nip.io:8080",
            "localhost.evil.example",
            "[::1]x",
            "",
            "1.2.3.4:80:80",
        ] {
            assert!(!host_allowed(bad), "{bad}");
        }
    }
}
