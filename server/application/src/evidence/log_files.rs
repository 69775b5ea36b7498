//! The log as files in the archive: every signed checkpoint and every tile of the tree it
//! covers (hash tiles at each level and entry bundles, full ones and the partial ones at the
//! right edge) are written once, under their tlog-tiles paths, into the archive, kept
//! permanently. Those files never change, so the log outlives this server and its database:
//! any tool that speaks the format can check it from the archive alone.
use evidence::tiles::{self, TileRef};

use crate::app::App;
use crate::archive::files;
use crate::error::AppError;
use exam_records::evidence as rows;

/// Where the log's files go in the archive.
pub const PREFIX: &str = "evidence-log";

/// Archives the newest checkpoint and the tiles of its tree not archived yet; how many files.
pub async fn archive_new(app: &App) -> Result<usize, AppError> {
    let Some((size, note)) = rows::latest_checkpoint(&app.db).await? else { return Ok(0) };
    let size = size as u64;
    let mut n = usize::from(files::store_log_file(app, &format!("{PREFIX}/checkpoint/{size:020}"), note.as_bytes()).await?);
    let levels = std::iter::once(None).chain((0..=7u8).map(Some));
    for level in levels {
        let count = match level {
            Some(l) => size.checked_shr(tiles::HEIGHT * u32::from(l)).unwrap_or(0),
            None => size,
        };
        if count == 0 {
            break;
        }
        let (full, partial) = (count / tiles::WIDTH, count % tiles::WIDTH);
        let mut wanted = Vec::new();
        if partial > 0 {
            wanted.push(TileRef { level, index: full, width: Some(partial as u16) });
        }
        // Full tiles are archived in order: from the newest back to the first one kept.
        for index in (0..full).rev() {
            let t = TileRef { level, index, width: None };
            if exam_records::archive::of_key(&app.db, &format!("{PREFIX}/{}", t.path())).await?.is_some() {
                break;
            }
            wanted.push(t);
        }
        for t in wanted.into_iter().rev() {
            let path = t.path();
            let key = format!("{PREFIX}/{path}");
            if exam_records::archive::of_key(&app.db, &key).await?.is_some() {
                continue;
            }
            let Some(bytes) = app.evidence.tile(&app.db, &path).await? else { continue };
            n += usize::from(files::store_log_file(app, &key, &bytes).await?);
        }
    }
    Ok(n)
}
