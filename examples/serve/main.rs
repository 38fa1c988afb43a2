//! A reference HTTP JSON service over the learner store: the proof that the
//! crate's types work in a multi-threaded server (one shared `Arc<Model>`,
//! per-learner locks, a `DiskStore` that every request commits to).
//!
//! ```sh
//! cargo run --release --example serve -- --db learners.redb   # 127.0.0.1:8080
//! curl -s -XPOST localhost:8080/learners -H 'Content-Type: application/json' -d '{"learner":"ada"}'
//! curl -s -XPOST localhost:8080/evidence -H 'Content-Type: application/json' \
//!   -d '{"id":"a-1","evidence":{"learner":"ada","target":{"standard":"3.NF.A.1"},"outcome":"correct","timestamp":1700000000}}'
//! curl -s 'localhost:8080/learners/ada/next?count=3'
//! curl -s 'localhost:8080/learners/ada/path?goal=4.NF.A.2'
//! curl -s 'localhost:8080/report?grade=3' > report.html
//! ```
//!
//! Routes: `POST /learners` (`{"learner": id}`), `POST /evidence` (one
//! `{"id", "evidence"}` or an array of up to 1,000: one commit),
//! `POST /xapi/statements` (one xAPI statement or an array of up to 1,000,
//! mapped by `--alignment FILE`, `{"standards": {IRI: id}, "activities":
//! {IRI: id}}`; each recorded under its statement id, so a statement sent
//! twice counts once; the reply lists every statement skipped and why),
//! `GET /learners/{id}/next?count=&goal=&now=`,
//! `GET /learners/{id}/path?goal=&now=`, `GET /report?grade=&learners=a,b&now=`
//! (HTML with the class heatmap as SVG), `GET /health`. Errors are
//! `{"error": message}` with a 4xx status (5xx when the store fails).
//! Ctrl-C stops accepting, finishes the requests in flight and closes the
//! database.

mod api;
mod http;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use mastery::store::DiskStore;
use mastery::{Catalog, Curriculum, Model};

#[derive(Parser)]
#[command(about = "A reference HTTP JSON service over the mastery learner store")]
struct Args {
    /// The database file (created if missing).
    #[arg(long, default_value = "mastery-learners.redb")]
    db: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// An xAPI alignment (JSON: activity IRIs to standard or activity ids)
    /// for `POST /xapi/statements`; without it every statement's object is
    /// unknown.
    #[arg(long)]
    alignment: Option<PathBuf>,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("serve: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let ccss = Curriculum::ccss_math();
    let model = Arc::new(
        Model::builder(ccss.clone())
            .catalog(Catalog::demo(&ccss, 1))
            .build()?,
    );
    let store = DiskStore::open(&args.db)?;
    let mut app = api::App::new(model, Box::new(store));
    if let Some(path) = &args.alignment {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        app = app.with_alignment(mastery::evidence::xapi::Alignment::from_json(
            &path.display().to_string(),
            &text,
        )?);
    }
    let app = Arc::new(app);
    let listener =
        http::listen(&args.addr).map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))?;
    }
    eprintln!(
        "serve: listening on http://{}, learners in {}",
        listener.local_addr()?,
        args.db.display()
    );
    http::serve(app.clone(), listener, stop)?;
    eprintln!(
        "serve: stopped; {} learners stored",
        app.store().list()?.len()
    );
    Ok(())
}
