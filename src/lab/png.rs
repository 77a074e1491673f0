//! A minimal PNG writer (8-bit RGB, one zlib-compressed IDAT chunk) for plot bitmaps. Plotters' own
//! encoder pulls in the `image` crate, whose feature choices for shared dependencies would force a
//! rebuild of polars; `flate2` and `crc32fast` are already in the dependency graph.

use std::io::Write;
use std::path::Path;

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// Encodes `rgb` (`width × height` pixels, 3 bytes each, rows top to bottom) as a PNG file.
pub fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> std::io::Result<Vec<u8>> {
    assert_eq!(
        rgb.len(),
        width as usize * height as usize * 3,
        "buffer size matches the image"
    );
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, truecolour, deflate, adaptive filters, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    for row in rgb.chunks(width as usize * 3) {
        z.write_all(&[0])?; // filter type 0 (none) per scanline
        z.write_all(row)?;
    }
    chunk(&mut out, b"IDAT", &z.finish()?);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// Writes `rgb` as a PNG file at `path`.
pub fn write_rgb(path: &Path, rgb: &[u8], width: u32, height: u32) -> std::io::Result<()> {
    std::fs::write(path, encode_rgb(rgb, width, height)?)
}
