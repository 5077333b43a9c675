//! The command server of `examples/command_server.rs`, end to end: a blocking client on another
//! thread has the chapter's telnet session, and `shutdown` ends the loop's `run_forever`.

#![cfg(feature = "scheduler")]

mod protocols_common;

#[path = "../examples/command_server.rs"]
#[allow(dead_code)]
mod command_server;

use protocols_common::{bounded, loops};
use spindle::protocols::LoopExt;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

#[test]
fn the_chapter_session_then_shutdown_stops_the_loop() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let server = lp
                .run_until_complete(
                    lp.create_server(command_server::CommandProtocol::new, "127.0.0.1:0"),
                )
                .unwrap();
            let addr = server.local_addr();
            let client = std::thread::spawn(move || {
                let stream = TcpStream::connect(addr).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                let mut transcript = Vec::new();
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                transcript.push(line.clone());
                for command in ["add 3 5", "make_tea", "add x", "ADD 1 2 3", "shutdown"] {
                    writer
                        .write_all(format!("{command}\r\n").as_bytes())
                        .unwrap();
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    transcript.push(line.clone());
                }
                line.clear();
                assert_eq!(
                    reader.read_line(&mut line).unwrap(),
                    0,
                    "EOF after shutdown"
                );
                transcript
            });
            // Returns once the protocol stops the loop.
            lp.run_forever();
            assert_eq!(
                client.join().unwrap(),
                [
                    "Welcome.\n",
                    "8\n",
                    "Invalid command: make_tea\n",
                    "Error: invalid literal for int() with base 10: 'x'\n",
                    "6\n",
                    "Okay. Shutting down.\n"
                ],
                "{flavour}"
            );
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}

#[test]
fn commands_split_across_writes_and_several_in_one() {
    bounded(30, || {
        for (flavour, lp) in loops() {
            let server = lp
                .run_until_complete(
                    lp.create_server(command_server::CommandProtocol::new, "127.0.0.1:0"),
                )
                .unwrap();
            let addr = server.local_addr();
            let client = std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream.write_all(b"ad").unwrap();
                stream.flush().unwrap();
                stream.write_all(b"d 1 1\nadd 2 2\nshut").unwrap();
                stream.write_all(b"down\n").unwrap();
                protocols_common::read_to_end_or_reset(stream)
            });
            lp.run_forever();
            assert_eq!(
                String::from_utf8(client.join().unwrap()).unwrap(),
                "Welcome.\n2\n4\nOkay. Shutting down.\n",
                "{flavour}"
            );
            server.close();
            lp.run_until_complete(server.wait_closed());
            lp.close();
        }
    });
}
