//! The command server of a book chapter on asyncio (a `Protocol` that adds numbers and shuts
//! itself down), as a spindle [`Protocol`].
//!
//! ```text
//! $ cargo run --release --example command_server -- 8000
//! $ telnet 127.0.0.1 8000          (or: nc 127.0.0.1 8000)
//! Welcome.
//! add 3 5
//! 8
//! make_tea
//! Invalid command: make_tea
//! shutdown
//! Okay. Shutting down.
//! Connection closed by foreign host.
//! ```
//!
//! The Python original treats each `data_received` as one command; TCP keeps no message
//! boundaries, so this one collects bytes into lines first. A command is a word and
//! space-separated arguments: `add` sums integers, `shutdown` says goodbye, closes the
//! connection and, once the goodbye is sent (`connection_lost`), stops the loop, which ends
//! `run_forever` in `main` (the original raises `KeyboardInterrupt` for that).
//!
//! The tour (`examples/tour.rs`, section 19) runs the same protocol.

use spindle::protocols::{LoopExt, Protocol, Transport};
use spindle::EventLoop;
use std::io;

/// One client's session with the command server.
#[derive(Default)]
pub struct CommandProtocol {
    transport: Option<Transport>,
    /// Bytes of a line not complete yet.
    partial: Vec<u8>,
    /// `shutdown` was received: stop the loop once the connection is closed.
    shutting_down: bool,
}

impl CommandProtocol {
    /// A protocol for a new client (the factory of `create_server`).
    pub fn new() -> CommandProtocol {
        CommandProtocol::default()
    }

    /// The original's `write`: one line, as ASCII.
    fn write(&self, message: &str) {
        if let Some(transport) = &self.transport {
            let mut line: Vec<u8> = message.bytes().filter(u8::is_ascii).collect();
            line.push(b'\n');
            transport.write(&line);
        }
    }

    /// Runs one command line.
    fn command(&mut self, line: &str) {
        // Commands to this server shall be a single word, with space separated arguments.
        let mut words = line.trim().split(' ');
        let command = words.next().unwrap_or("").to_lowercase();
        let args: Vec<&str> = words.collect();
        let outcome = match command.as_str() {
            "add" => command_add(&args).map(|sum| self.write(&sum.to_string())),
            "shutdown" => self.command_shutdown(&args),
            _ => {
                self.write(&format!("Invalid command: {command}"));
                Ok(())
            }
        };
        if let Err(error) = outcome {
            self.write(&format!("Error: {error}"));
        }
    }

    fn command_shutdown(&mut self, args: &[&str]) -> Result<(), String> {
        if !args.is_empty() {
            return Err(format!(
                "shutdown takes no arguments ({} given)",
                args.len()
            ));
        }
        self.write("Okay. Shutting down.");
        self.shutting_down = true;
        if let Some(transport) = &self.transport {
            transport.close();
        }
        Ok(())
    }
}

/// `add 3 5` -> 8; the error names the argument as Python's `int()` does.
fn command_add(args: &[&str]) -> Result<i128, String> {
    args.iter().try_fold(0i128, |sum, arg| {
        let n: i128 = arg
            .parse()
            .map_err(|_| format!("invalid literal for int() with base 10: '{arg}'"))?;
        sum.checked_add(n)
            .ok_or_else(|| "the sum is too large".to_string())
    })
}

impl Protocol for CommandProtocol {
    fn connection_made(&mut self, transport: Transport) {
        self.transport = Some(transport);
        self.write("Welcome.");
    }

    fn data_received(&mut self, data: &[u8]) {
        self.partial.extend_from_slice(data);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            if self.shutting_down {
                return;
            }
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            self.command(&String::from_utf8_lossy(&line));
        }
    }

    fn eof_received(&mut self) -> bool {
        // A last command without a newline still counts.
        if !self.partial.is_empty() && !self.shutting_down {
            let line = std::mem::take(&mut self.partial);
            self.command(&String::from_utf8_lossy(&line));
        }
        false
    }

    fn connection_lost(&mut self, _error: Option<io::Error>) {
        if self.shutting_down {
            EventLoop::current().stop();
        }
    }
}

fn main() -> io::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        None => 8000,
        Some(port) => port.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("usage: command_server [PORT]; {port:?} is not a port number"),
            )
        })?,
    };
    let lp = EventLoop::new()?;
    // loop.create_server(ServerProtocol, '127.0.0.1', 8000)
    let server =
        lp.run_until_complete(lp.create_server(CommandProtocol::new, ("127.0.0.1", port)))?;
    println!("Serving on {}", server.local_addr());
    lp.run_forever();
    // A client said `shutdown`: stop listening; closing the loop disconnects everyone else.
    server.close();
    println!("Server stopped");
    lp.close();
    Ok(())
}
