//! An echo server on spindle's streams: every connection gets back what it sends.
//!
//! ```text
//! cargo run --release --example echo_server -- 8001 [workers]
//! nc 127.0.0.1 8001
//! ```

use spindle::streams::{start_server, StreamReader, StreamWriter};
use spindle::EventLoop;

async fn echo(mut reader: StreamReader, writer: StreamWriter) {
    loop {
        match reader.read(64 * 1024).await {
            Ok(data) if !data.is_empty() => {
                if writer.write(&data).is_err() || writer.drain().await.is_err() {
                    break;
                }
            }
            // The end of the stream, or a failed connection.
            _ => break,
        }
    }
    writer.close();
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args
        .next()
        .map_or(Ok(8001), |p| p.parse())
        .expect("usage: echo_server [PORT] [WORKERS]");
    let mut builder = EventLoop::builder();
    if let Some(workers) = args.next() {
        builder = builder.worker_threads(
            workers
                .parse()
                .expect("usage: echo_server [PORT] [WORKERS]"),
        );
    }
    let lp = builder.build()?;
    lp.run_until_complete(async move {
        let server = start_server(echo, ("127.0.0.1", port)).await?;
        println!("echo_server: listening on {}", server.local_addr()?);
        server.serve_forever().await;
        Ok(())
    })
}
