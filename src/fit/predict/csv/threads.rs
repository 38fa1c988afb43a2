//! The reader and writer threads: blocks of whole lines in, formatted
//! pieces out, buffers handed back for reuse.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use super::HEADER;
use crate::error::Result;
use crate::io::{Capped, io_error, terminator_at};

/// Reads `input` in blocks of whole lines (the last may lack its line end),
/// recycling the buffers the main thread is done with.
pub(super) fn read_blocks<R: Read>(
    input: R,
    block_bytes: usize,
    file: &Arc<str>,
    to_main: &SyncSender<Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    let mut input = Capped::line_only(input);
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut block = spare.try_recv().unwrap_or_default();
        block.clear();
        block.extend_from_slice(&carry);
        carry.clear();
        // A line longer than a block (up to the line cap) makes the block grow.
        let target = block_bytes.max(block.len() + block_bytes / 4 + 1);
        let mut eof = false;
        while block.len() < target {
            let start = block.len();
            block.resize(target, 0);
            match input.read(&mut block[start..]) {
                Ok(0) => {
                    block.truncate(start);
                    eof = true;
                    break;
                }
                Ok(n) => block.truncate(start + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => block.truncate(start),
                Err(e) => {
                    let _ = to_main.send(Err(io_error(file, e)));
                    return;
                }
            }
        }
        if eof {
            if !block.is_empty() {
                let _ = to_main.send(Ok(block));
            }
            return;
        }
        // Cut after the last line end; a `\r` last in the block may be half
        // of a `\r\n`, so it waits for the next block.
        let cut = if block.last() == Some(&b'\n') {
            Some(block.len())
        } else {
            memchr::memrchr2(b'\n', b'\r', &block[..block.len() - 1])
                .map(|i| i + terminator_at(&block, i))
        };
        let Some(cut) = cut else {
            carry = block;
            continue;
        };
        carry.extend_from_slice(&block[cut..]);
        block.truncate(cut);
        if to_main.send(Ok(block)).is_err() {
            return;
        }
    }
}

/// Writes the header and every block's pieces, handing the buffers back.
pub(super) fn write_blocks<W: Write>(
    mut output: W,
    blocks: &Receiver<Vec<Vec<u8>>>,
    spare: &SyncSender<Vec<Vec<u8>>>,
) -> std::io::Result<()> {
    output.write_all(HEADER)?;
    for buffers in blocks {
        for buffer in &buffers {
            output.write_all(buffer)?;
        }
        // The stream may be over: then nobody needs them.
        let _ = spare.try_send(buffers);
    }
    output.flush()
}
