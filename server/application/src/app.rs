//! The running parts every use case shares, started once per process.
use std::sync::Arc;

use anyhow::Context;
use exam_records::{Backend, Db};

use crate::auth::rate_limit::RateLimiter;
use crate::clock::Clock;
use crate::config::Settings;
use crate::events::{Event, EventBus};
use crate::exams::answer_writer::AnswerWriter;
use crate::exams::candidate_channels::CandidateChannels;
use crate::exams::media_cluster::MediaCluster;
use crate::exams::paper_view::{CLOCK_TTL_ANNOUNCED, CLOCK_TTL_UNANNOUNCED, PaperCache};

#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Per-minute counters of what clients repeat (sign-ins, integrity events), in Redis when
    /// configured.
    pub limiter: Arc<RateLimiter>,
    /// The one writer of answers for this database.
    pub answers: AnswerWriter,
    pub papers: Arc<PaperCache>,
    /// Live events, between processes too when Redis is configured.
    pub events: EventBus,
    /// Candidates' camera, microphone and screen: received, recorded, forwarded to proctors.
    pub media: media::sfu::MediaServer,
    /// Which candidates' tracks flow into any process, and watching them from this one.
    pub media_cluster: Arc<MediaCluster>,
    /// Candidates' open sockets, for notices and media changes meant for one of them.
    pub candidate_channels: Arc<CandidateChannels>,
    /// Where every use case reads the time: the system's, or a test clock.
    pub clock: Clock,
    /// The append-only evidence log and its signing key.
    pub evidence: crate::evidence::EvidenceLog,
    /// Where evidence is kept for its term, and its spool.
    pub archive: crate::archive::ArchiveService,
}

impl App {
    /// Needs a Tokio runtime: it starts the answer writer and the event listeners. Fails only on
    /// a Redis URL that cannot be parsed; an unreachable Redis is retried in the background.
    pub fn new(db: Db, settings: Settings, clock: Clock) -> anyhow::Result<App> {
        settings.validate()?;
        let limiter = RateLimiter::new(&settings.redis_url, &settings.redis_channel).context("EXAM_REDIS_URL / redis_url is not a Redis URL")?;
        let answers = AnswerWriter::spawn(db.clone());
        let events = EventBus::from_settings(&settings)?;
        // Several processes may share a PostgreSQL database; without Redis they cannot tell each
        // other about clock changes, so each trusts its cached clocks only briefly.
        let shared_db_unannounced = !events.is_shared() && db.backend == Backend::Postgres;
        let papers = Arc::new(PaperCache::new(if shared_db_unannounced { CLOCK_TTL_UNANNOUNCED } else { CLOCK_TTL_ANNOUNCED }));
        papers.follow(&events);
        let media = media::sfu::MediaServer::new(settings.media_config()?);
        // What a recording writes per track is capped: a browser sending more fills no disk.
        media.set_recorder_limits(media::sfu::RecorderLimits {
            max_video_kbps: settings.media.max_video_kbps,
            max_audio_kbps: settings.media.max_audio_kbps,
            ..Default::default()
        });
        let evidence = crate::evidence::EvidenceLog::open(&settings.evidence, &settings.data_dir)?;
        let archive = crate::archive::ArchiveService::open(&settings)?;
        let candidate_channels = Arc::new(CandidateChannels::default());
        candidate_channels.dispatch(&events, &media);
        let media_cluster = MediaCluster::start(media.clone(), events.clone());
        let app = App {
            db,
            settings: Arc::new(settings),
            limiter: Arc::new(limiter),
            answers,
            papers,
            events,
            media,
            media_cluster,
            candidate_channels,
            clock,
            evidence,
            archive,
        };
        crate::exams::media_log::spawn(app.clone());
        Ok(app)
    }

    /// A paper's status or clock changed: forget it here at once, and tell the candidate's
    /// sockets and the other processes.
    pub fn paper_changed(&self, paper_id: i64, candidate_id: i64) {
        self.papers.invalidate(paper_id);
        self.events.publish(Event::PaperChanged { paper_id, candidate_id });
    }
}
