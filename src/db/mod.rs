//! Storage: one connection enum over SQLite and PostgreSQL, pools, embedded
//! migrations. Backend-specific SQL lives only in this module tree, behind
//! [`with_backend!`].

pub mod audit;
pub mod drafts;
pub mod feedback;
pub mod index_sums;
pub mod responses;
pub mod schema;
pub mod tokens;
pub mod users;
pub mod versions;
pub mod volumes;
pub mod waves;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression on whichever backend `conn` is, for the
/// statements the connection enum cannot express (upserts, multi-row inserts).
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgresql($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use with_backend;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed")]
    Query(#[from] diesel::result::Error),
    /// No connection within the pool's timeout: the database is
    /// unreachable or every connection is busy. Worth retrying later.
    #[error("no database connection available")]
    Pool(#[from] r2d2::PoolError),
    #[error("could not run migrations: {0}")]
    Migration(String),
    #[error("cannot open the database {target}")]
    Open {
        target: String,
        #[source]
        source: r2d2::PoolError,
    },
    #[error("cannot create the database folder {}", path.display())]
    CreateFolder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The thread that stores submissions is not running (the service is
    /// stopping), or the database was out of reach for its batch.
    #[error("submissions cannot be stored at the moment")]
    WriterStopped,
    /// A submission could not be stored, alone in its transaction.
    #[error("the submission could not be stored")]
    BatchFailed,
    #[error("stored survey version {hash} is unreadable")]
    StoredDefinition {
        hash: String,
        #[source]
        source: serde_json::Error,
    },
}

impl DbError {
    /// Whether the failure is the database being out of reach or saturated
    /// (the request may succeed later) rather than a fault.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            DbError::Pool(_)
            | DbError::WriterStopped
            | DbError::Query(Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _))
            // libpq could not send the query (the server dropped the
            // connection): none of it ran.
            | DbError::Query(Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _))
            | DbError::Query(Error::BrokenTransactionManager) => true,
            // SQLite's lock was held longer than busy_timeout (a long import
            // in another process): the write may succeed when retried.
            DbError::Query(Error::DatabaseError(_, info)) => {
                info.message().contains("database is locked")
            }
            _ => false,
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a bare path is an SQLite file.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(url.to_string())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Backend::Sqlite(PathBuf::from(path))
        }
    }
}

/// `url` with `gssencmode=disable` unless it says otherwise (or
/// `PGGSSENCMODE` does). libpq otherwise initialises Kerberos on every
/// connection, and a command that exits while the pool's thread is still
/// connecting can abort in Kerberos' own teardown
/// (`krb5int_getspecific: Assertion … failed`) after its work succeeded.
/// GSSAPI encryption stays available to a URL that asks for it.
pub fn without_gss_by_default(url: &str) -> String {
    if url.contains("gssencmode=") || std::env::var_os("PGGSSENCMODE").is_some() {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}gssencmode=disable")
}

/// Every SQLite commit waits for the disk, but a batch of submissions
/// ([`Db::write_tx_synced_later`]): a lost response cannot be asked for
/// again.
const SYNCHRONOUS_FULL: &str = "PRAGMA synchronous = FULL;";

/// How long an SQLite statement waits for another connection's lock.
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000;";

/// What `PRAGMA wal_checkpoint` reports: whether it was kept from
/// finishing, the frames in the log and how many of them are copied into
/// the database.
#[derive(diesel::QueryableByName)]
struct WalCheckpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    log: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    checkpointed: i64,
}

/// Frames (4 KB pages) past which a serving SQLite database's WAL is
/// started over: 1 GB. Under steady load the log never starts over by
/// itself (a commit always lands while a checkpoint copies); it grew by
/// about 80 MB/s at saturation. Each start over holds submissions while
/// the writer copies the last frames (60–70 ms at saturation, against a
/// few ms for a batch), so it is done seldom: every 8–13 s or so at
/// saturation. With 256 MB (every 3 s) p99 at 64 connections went from
/// 25–32 ms to 70–100 ms.
pub const WAL_RESTART_FRAMES: i64 = 262_144;

/// The frames the checkpoint thread leaves the writer to copy before the
/// log starts over: the writer copies them while it holds the only write
/// connection, so submissions wait that long. With 512 the thread's
/// passes seldom got that close under steady writes (each pass copies
/// what came while the last one and its sync of the database ran): at
/// 200 connections it caught up for 3 s or more while the log grew past
/// its runway, and over 30 s p99 was 344 and 866 ms (two runs); with
/// 4096, 159 and 161 ms, the writer's copy 60–70 ms instead of 25–56.
const WAL_LEFT_FOR_THE_WRITER: i64 = 4096;

/// Checkpoints the thread makes back to back to bring what is left of the
/// log down to [`WAL_LEFT_FOR_THE_WRITER`]; past them (a reader holds an
/// old snapshot), it tries again at its next turn.
const WAL_CATCH_UP_PASSES: usize = 20;

/// How a serving SQLite database's WAL is kept, shared by the pools'
/// connections and the checkpoint thread.
#[derive(Debug, Default)]
struct WalKeeping {
    /// Connections leave checkpoints to [`Db::checkpoint_in_background`]
    /// instead of the committing writer.
    in_background: AtomicBool,
    /// The WAL file's size once it starts over (`journal_size_limit`).
    size_limit: AtomicI64,
    /// The database's page size, in bytes.
    page_size: AtomicI64,
    /// The most frames the log held at a turn of the checkpoint thread
    /// since [`Db::take_wal_reached`] last asked.
    reached: AtomicI64,
    /// All but the last few frames of an overgrown log are copied: the
    /// writer copies the rest before its next write, which then starts
    /// the log over.
    restart_due: AtomicBool,
    /// The frames of the log copied into the database and synced.
    synced_through: AtomicI64,
    /// The writer connection's commits do not wait for the disk: a
    /// [`Db::write_tx_synced_later`] could not set it back.
    writer_not_synchronous: AtomicBool,
    /// The WAL file as [`Db::sync_wal`] last opened it.
    log_file: std::sync::Mutex<Option<std::fs::File>>,
}

impl WalKeeping {
    fn apply(&self, conn: &mut SqliteConnection) -> QueryResult<()> {
        if self.in_background.load(Ordering::Acquire) {
            conn.batch_execute(&format!(
                "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {};",
                self.size_limit.load(Ordering::Acquire)
            ))?;
        }
        Ok(())
    }
}

/// A writer connection kept from one use to the next by a long-lived
/// writer (the submission writer's thread). On PostgreSQL the pool checks
/// every connection it hands out with a round trip (`SELECT 1`): in each
/// batch's path, and on a busy machine one more wait for the server to be
/// scheduled (16 connections: 5.8-6.6k submissions/s kept against
/// 4.8-6.2k checked, interleaved with pgbench at 4.9-5.6k). A kept
/// connection is checked only after it has lain idle a while (it is then
/// given back and another taken, which the pool checks). When the server
/// has dropped it since its last use, the work is done again on a checked
/// one, which is safe for work that is idempotent, as storing submissions
/// is: a batch that did commit before the connection broke is then found
/// stored, and its submissions are answered as replays (already recorded)
/// rather than refused. On SQLite nothing is kept: its writer pool does
/// not check, and taking the writer connection is where the WAL's upkeep
/// is done ([`Db::writer`]).
#[derive(Default)]
pub struct KeptWriter {
    kept: Option<(Pooled, std::time::Instant)>,
}

impl KeptWriter {
    /// Past this idle time the connection is checked again before use.
    const IDLE: Duration = Duration::from_secs(1);

    /// Runs `work`, which must be idempotent, on the writer connection
    /// outside any transaction: each statement it runs is a transaction
    /// of its own, committed (and on PostgreSQL flushed) before the
    /// statement returns. For work of one statement, which on PostgreSQL
    /// then costs one round trip where `BEGIN` and `COMMIT` would add two;
    /// on SQLite every statement would be an fsync of its own.
    pub fn write_unbracketed<T>(
        &mut self,
        db: &Db,
        mut work: impl FnMut(&mut Conn) -> DbResult<T>,
    ) -> DbResult<T> {
        if !matches!(db.backend, Backend::Postgres(_)) {
            return work(&mut *db.writer()?);
        }
        let recent = self
            .kept
            .take()
            .filter(|(_, used)| used.elapsed() < Self::IDLE);
        let done = match recent {
            Some((mut conn, _)) => match work(&mut conn) {
                Err(e) if e.is_unavailable() => {
                    crate::metrics::writer_connection_dropped();
                    log::info!(
                        "the kept writer connection was dropped ({e}); done again on another"
                    );
                    drop(conn);
                    Self::on_checked(db, &mut work)
                }
                done => done.map(|value| (value, conn)),
            },
            None => Self::on_checked(db, &mut work),
        };
        done.map(|(value, conn)| {
            self.kept = Some((conn, std::time::Instant::now()));
            value
        })
    }

    /// [`Db::write_tx`] on the kept connection; `work` must be idempotent.
    pub fn write_tx<T>(
        &mut self,
        db: &Db,
        mut work: impl FnMut(&mut Conn) -> DbResult<T>,
    ) -> DbResult<T> {
        self.write_unbracketed(db, |conn| Db::write_tx_on(conn, &mut work))
    }

    fn on_checked<T>(
        db: &Db,
        work: &mut impl FnMut(&mut Conn) -> DbResult<T>,
    ) -> DbResult<(T, Pooled)> {
        let mut conn = db.writer()?;
        work(&mut conn).map(|value| (value, conn))
    }
}

/// Runs `attempt` until it reports done, five tries a second apart at
/// most; false when it never did. For upkeep that needs a lock others may
/// hold a while (a long read, an autovacuum): each try waits a moment at
/// most, so the requests queued behind the lock it waits for are not held
/// up, and the upkeep gives up rather than wait long.
pub fn in_a_few_tries(mut attempt: impl FnMut() -> DbResult<bool>) -> DbResult<bool> {
    const TRIES: u32 = 5;
    const PAUSE: Duration = Duration::from_secs(1);
    for tried in 1..=TRIES {
        if attempt()? {
            return Ok(true);
        }
        if tried < TRIES {
            std::thread::sleep(PAUSE);
        }
    }
    Ok(false)
}

/// Opens connections for the pool and applies per-backend settings in one place.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    wal: Arc<WalKeeping>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.backend {
            Backend::Sqlite(path) => {
                let url = path.to_string_lossy();
                let mut conn =
                    SqliteConnection::establish(&url).map_err(|e| ConnectError(e.to_string()))?;
                // busy_timeout first, so the other settings wait rather
                // than fail while another connection holds the lock.
                conn.batch_execute(
                    &format!("{BUSY_TIMEOUT} {SYNCHRONOUS_FULL} PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"),
                )
                .map_err(|e| ConnectError(e.to_string()))?;
                self.wal
                    .apply(&mut conn)
                    .map_err(|e| ConnectError(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::Postgres(url) => PgConnection::establish(&without_gss_by_default(url))
                .map(DbConnection::Postgresql)
                .map_err(|e| ConnectError(e.to_string())),
        }
    }

    /// Run on checkout for PostgreSQL only, where a server restart leaves
    /// dead connections in the pool that nothing else would notice; an
    /// SQLite connection is a file handle and cannot go stale.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.ping().map_err(|e| ConnectError(e.to_string()))
    }

    /// A connection returned with an open or failed transaction (a panic
    /// inside [`Db::write_tx`]) is dropped rather than reused.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// A connection, whichever backend it is. Query functions take
/// `&mut Conn`; a pooled connection derefs to one.
pub type Conn = DbConnection;
pub type Pooled = PooledConnection<Manager>;

/// The service's handle on its database. SQLite allows one writer at a time,
/// so writes go through a pool of one connection instead of contending for
/// the lock; PostgreSQL uses one pool for both.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    read: Pool<Manager>,
    write: Pool<Manager>,
    /// Shared with every connection's [`Manager`].
    wal: Arc<WalKeeping>,
}

impl Db {
    /// Opens the pools. `timeout` bounds how long a request waits for a
    /// connection before it is answered "unavailable".
    pub fn connect(url: &str, timeout: Duration) -> DbResult<Db> {
        let backend = Backend::from_url(url);
        let wal = Arc::new(WalKeeping::default());
        let manager = Manager {
            backend: backend.clone(),
            wal: wal.clone(),
        };
        match &backend {
            Backend::Sqlite(path) => {
                create_parent_dir(path)?;
                let open_error = |source| DbError::Open {
                    target: format!("SQLite file {}", path.display()),
                    source,
                };
                let write = Pool::builder()
                    .max_size(1)
                    .min_idle(Some(1))
                    .test_on_check_out(false)
                    .connection_timeout(timeout)
                    .build(manager.clone())
                    .map_err(open_error)?;
                // WAL lets readers proceed while the writer commits; it is a
                // property of the file, so setting it once is enough.
                write.get()?.batch_execute("PRAGMA journal_mode = WAL;")?;
                let read = Pool::builder()
                    .max_size(8)
                    .min_idle(Some(1))
                    .test_on_check_out(false)
                    .connection_timeout(timeout)
                    .build(manager)
                    .map_err(open_error)?;
                Ok(Db {
                    backend,
                    read,
                    write,
                    wal,
                })
            }
            Backend::Postgres(_) => {
                let pool = Pool::builder()
                    .max_size(16)
                    // Grow on demand: many app instances share one server.
                    .min_idle(Some(1))
                    .test_on_check_out(true)
                    .connection_timeout(timeout)
                    .build(manager)
                    .map_err(|source| DbError::Open {
                        target: "PostgreSQL".into(),
                        source,
                    })?;
                Ok(Db {
                    backend,
                    read: pool.clone(),
                    write: pool,
                    wal,
                })
            }
        }
    }

    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    pub fn reader(&self) -> DbResult<Pooled> {
        Self::checkout(&self.read)
    }

    pub fn writer(&self) -> DbResult<Pooled> {
        let mut conn = Self::checkout(&self.write)?;
        if self
            .wal
            .writer_not_synchronous
            .swap(false, Ordering::AcqRel)
        {
            // Rather no write than one acknowledged before it is durable.
            if let Err(err) = conn.batch_execute(SYNCHRONOUS_FULL) {
                self.wal
                    .writer_not_synchronous
                    .store(true, Ordering::Release);
                return Err(err.into());
            }
        }
        if self.wal.restart_due.swap(false, Ordering::AcqRel) {
            if let DbConnection::Sqlite(c) = &mut *conn {
                // No frame can be added while this connection copies, so
                // the log is then all copied, and the next write starts it
                // over (unless a reader still reads from it).
                let started = std::time::Instant::now();
                match c.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
                    Ok(()) => {
                        crate::metrics::wal_restart(started.elapsed());
                        // Having reached the end of the log, it synced the
                        // database; the frames of the next log count from 0.
                        self.wal.synced_through.store(0, Ordering::Release);
                    }
                    Err(err) => log::warn!("WAL checkpoint failed: {err}"),
                }
            }
        }
        Ok(conn)
    }

    fn checkout(pool: &Pool<Manager>) -> DbResult<Pooled> {
        let started = std::time::Instant::now();
        let conn = pool.get();
        crate::metrics::pool_wait(started.elapsed());
        Ok(conn?)
    }

    /// Runs `work` in one write transaction on the writer connection and
    /// commits only if it succeeds: an action and its audit row, a batch
    /// and the checks it was planned on, are stored together or not at all.
    /// On SQLite the transaction is `BEGIN IMMEDIATE`, so it holds the
    /// write lock from its first statement — reads inside it see what no
    /// other process can change before the commit.
    pub fn write_tx<T, E>(&self, work: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut pooled = self.writer()?;
        Self::write_tx_on(&mut pooled, work)
    }

    /// [`Db::write_tx`] whose commit, on SQLite, does not wait for the
    /// disk (`synchronous = NORMAL` for this transaction only): the work is
    /// committed and seen by readers, but stored for good only once
    /// [`Db::sync_wal`] has returned, which the caller must wait for before
    /// it says so. The commit of the next batch can then proceed while the
    /// disk syncs this one, and one sync covers every commit made before
    /// it. On PostgreSQL the same as [`Db::write_tx`].
    pub fn write_tx_synced_later<T, E>(
        &self,
        work: impl FnOnce(&mut Conn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError>,
    {
        if let Backend::Postgres(_) = self.backend {
            return self.write_tx(work);
        }
        let mut pooled = self.writer()?;
        pooled
            .batch_execute("PRAGMA synchronous = NORMAL;")
            .map_err(DbError::from)?;
        let result = Self::write_tx_on(&mut pooled, work);
        if let Err(err) = pooled.batch_execute(SYNCHRONOUS_FULL) {
            log::warn!("synchronous=FULL not restored after a batch: {err}");
            self.wal
                .writer_not_synchronous
                .store(true, Ordering::Release);
        }
        result
    }

    /// Waits until every SQLite commit made so far is on the disk: syncs
    /// the WAL file, where a commit's pages are written. Nothing to do on
    /// PostgreSQL, whose commits wait for the disk.
    ///
    /// SQLite creates the WAL when the first connection opens the database
    /// and deletes it when the last one closes, after copying it into the
    /// database and syncing that: a log no longer there, or no longer the
    /// file held open, holds nothing that is not synced already.
    pub fn sync_wal(&self) -> std::io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        let Backend::Sqlite(path) = &self.backend else {
            return Ok(());
        };
        let mut log_path = path.clone().into_os_string();
        log_path.push("-wal");
        let mut held = self
            .wal
            .log_file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = match std::fs::metadata(&log_path) {
            Ok(found) => found,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                *held = None;
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        let same_file = |file: &std::fs::File| {
            file.metadata()
                .is_ok_and(|open| open.ino() == current.ino() && open.dev() == current.dev())
        };
        let file = match held.take() {
            Some(file) if same_file(&file) => file,
            _ => std::fs::File::open(&log_path)?,
        };
        let synced = file.sync_data();
        *held = Some(file);
        synced
    }

    /// [`Db::write_tx`] on a writer connection the caller holds already
    /// (from [`Db::writer`]), for work that prepares outside the
    /// transaction what it then stores inside.
    pub fn write_tx_on<T, E>(
        conn: &mut Conn,
        work: impl FnOnce(&mut Conn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let begun = match &mut *conn {
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            }
            DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
        };
        begun.map_err(DbError::from)?;
        match work(&mut *conn) {
            Ok(value) => {
                with_backend!(&mut *conn, |c| AnsiTransactionManager::commit_transaction(
                    c
                ))
                .map_err(DbError::from)?;
                Ok(value)
            }
            Err(err) => {
                if let Err(rollback) =
                    with_backend!(
                        &mut *conn,
                        |c| AnsiTransactionManager::rollback_transaction(c)
                    )
                {
                    log::error!("rollback failed: {rollback}");
                }
                Err(err)
            }
        }
    }

    /// Runs `work` in one read-only snapshot on `conn`: every read in it
    /// sees the database as of its first read (SQLite: a deferred
    /// transaction; PostgreSQL: REPEATABLE READ), so counts and the rows
    /// they count agree.
    pub fn read_snapshot<T>(
        conn: &mut Conn,
        work: impl FnOnce(&mut Conn) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        with_backend!(&mut *conn, |c| AnsiTransactionManager::begin_transaction(c))?;
        let result = match &mut *conn {
            DbConnection::Postgresql(c) => {
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(c)
                    .map_err(DbError::from)
                    .and_then(|_| work(&mut *conn))
            }
            DbConnection::Sqlite(_) => work(&mut *conn),
        };
        // Nothing was written: ending it either way is the same.
        let ended = with_backend!(
            &mut *conn,
            |c| AnsiTransactionManager::rollback_transaction(c)
        );
        let value = result?;
        ended?;
        Ok(value)
    }

    /// On SQLite, moves WAL checkpoints off the commit path: connections
    /// stop checkpointing when they commit (by default the commit that
    /// takes the WAL past 1,000 pages copies them into the database and
    /// waits for its fsync, while every submission queued behind it
    /// waits too), and a thread of its own checkpoints every
    /// `every` without blocking the writer (`PASSIVE`). For a long-running
    /// service; one-off commands keep SQLite's default.
    ///
    /// Under steady writes the log would never start over, so once it
    /// holds `restart_after` frames the thread copies it back to back
    /// until little is left, the writer copies that rest, and its next
    /// write starts the log over; the file is cut back to that size.
    pub fn checkpoint_in_background(&self, every: Duration, restart_after: i64) {
        let Backend::Sqlite(_) = self.backend else {
            return;
        };
        let page_size = self.reader().and_then(|mut conn| {
            #[derive(diesel::QueryableByName)]
            struct PageSize {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                page_size: i64,
            }
            Ok(diesel::sql_query("PRAGMA page_size")
                .get_result::<PageSize>(&mut *conn)?
                .page_size)
        });
        let page_size = match page_size {
            Ok(size) => size,
            Err(err) => {
                log::error!("checkpoints stay with commits: {err}");
                return;
            }
        };
        let db = self.clone();
        let spawned = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                if let Err(err) = db.keep_wal(restart_after) {
                    log::warn!("WAL checkpoint failed: {err}");
                }
            });
        if let Err(err) = spawned {
            // Commits keep checkpointing, as by default.
            log::error!("cannot start the checkpoint thread: {err}");
            return;
        }
        self.wal
            .size_limit
            .store(restart_after.saturating_mul(page_size), Ordering::Release);
        self.wal.page_size.store(page_size, Ordering::Release);
        self.wal.in_background.store(true, Ordering::Release);
        // The connections already open.
        for pool in [&self.write, &self.read] {
            let idle: Vec<Pooled> = (0..pool.state().idle_connections)
                .filter_map(|_| pool.try_get())
                .collect();
            for mut conn in idle {
                if let DbConnection::Sqlite(c) = &mut *conn {
                    if let Err(err) = self.wal.apply(c) {
                        log::warn!("cannot leave checkpoints to the background: {err}");
                    }
                }
            }
        }
    }

    /// One turn of the checkpoint thread: a `PASSIVE` checkpoint, and
    /// when the log holds `restart_after` frames or more, more of them
    /// back to back, each copying what came while the last ran, with the
    /// database file synced after each, until what is left to copy and to
    /// sync is the writer's.
    fn keep_wal(&self, restart_after: i64) -> DbResult<()> {
        let Backend::Sqlite(path) = &self.backend else {
            return Ok(());
        };
        for _ in 0..=WAL_CATCH_UP_PASSES {
            let pass = {
                let mut conn = self.reader()?;
                diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
                    .get_result::<WalCheckpoint>(&mut *conn)?
            };
            self.wal.reached.fetch_max(pass.log, Ordering::AcqRel);
            if pass.log < restart_after {
                return Ok(());
            }
            if pass.log - pass.checkpointed > WAL_LEFT_FOR_THE_WRITER {
                continue;
            }
            let synced = match self.wal.synced_through.load(Ordering::Acquire) {
                // Fewer copied than synced: the log started over without
                // the writer (the hourly `TRUNCATE` of `empty_wal`).
                through if through > pass.checkpointed => 0,
                through => through,
            };
            if pass.checkpointed - synced <= WAL_LEFT_FOR_THE_WRITER {
                self.wal.restart_due.store(true, Ordering::Release);
                return Ok(());
            }
            // SQLite syncs the database file only when a checkpoint
            // reaches the end of the log, which under steady writes only
            // the writer's does: it would wait for every page copied since
            // the last start over to reach the disk.
            if let Err(err) = std::fs::File::open(path).and_then(|file| file.sync_data()) {
                log::warn!("cannot sync {}: {err}", path.display());
            }
            self.wal
                .synced_through
                .store(pass.checkpointed, Ordering::Release);
        }
        Ok(())
    }

    /// Lays zeros at the end of SQLite's WAL until the file holds `bytes`
    /// (at most its size once it starts over, which SQLite would cut it
    /// back to), then syncs it once; the bytes laid. Nothing on PostgreSQL,
    /// or when the log is not there.
    ///
    /// A commit's fsync waits for ext4's journal when the commit made the
    /// file longer, and not when it wrote over blocks the file has (64 KB
    /// `dd` with `oflag=dsync` on the bench machine: 0.46 ms appending,
    /// 0.21 ms writing over): with the runway laid, the log's frames land
    /// on it until the log starts over. PostgreSQL fills its WAL segments
    /// with zeros for the same reason (`wal_init_zero`). Blocks reserved
    /// with `fallocate` would not do: their first write changes the extent
    /// tree, which the journal carries too.
    ///
    /// The zeros are appended (`O_APPEND`): each write lands at the file's
    /// end at that moment, past every frame written, so the writer may go
    /// on committing meanwhile. A frame written later over the zeros is
    /// the log as usual, and zeros past the log's last frame are what
    /// recovery ignores anyway (no frame header matches the log's salt).
    pub fn lay_wal_runway(&self, bytes: u64) -> std::io::Result<u64> {
        use std::io::Write;
        let Backend::Sqlite(path) = &self.backend else {
            return Ok(0);
        };
        let limit = u64::try_from(self.wal.size_limit.load(Ordering::Acquire)).unwrap_or(0);
        let bytes = if limit > 0 { bytes.min(limit) } else { bytes };
        let mut log_path = path.clone().into_os_string();
        log_path.push("-wal");
        let mut log = match std::fs::OpenOptions::new().append(true).open(&log_path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(err) => return Err(err),
        };
        // Written 64 KiB at a time, not more: the page cache keeps the
        // zeros in pieces ("folios") as large as the writes that made them
        // (Linux 6.16 and later on ext4), and every later write into a
        // piece, however small, walks all its blocks. SQLite writes each
        // frame as a 24-byte header and a page: over zeros laid 1 MiB at a
        // time that walk (256 blocks, twice a write) was a sixth of the
        // writer thread's time (`perf`, 16 connections); over 64 KiB it is
        // 16 blocks and under 3 %, and laying 1 GB takes no longer.
        const CHUNK: usize = 64 << 10;
        let zeros = vec![0u8; CHUNK];
        let mut laid = 0;
        loop {
            let size = log.metadata()?.len();
            if size >= bytes {
                break;
            }
            let next = usize::try_from(bytes - size).map_or(CHUNK, |left| left.min(CHUNK));
            log.write_all(&zeros[..next])?;
            laid += next as u64;
        }
        if laid > 0 {
            log.sync_data()?;
        }
        Ok(laid)
    }

    /// The bytes of the most frames SQLite's WAL held at a turn of the
    /// checkpoint thread since the last call, which starts counting anew;
    /// 0 on PostgreSQL or without the thread.
    pub fn take_wal_reached(&self) -> u64 {
        /// A frame's header; the log's own header is 32 bytes.
        const FRAME_HEADER: i64 = 24;
        let frames = self.wal.reached.swap(0, Ordering::AcqRel);
        let page = self.wal.page_size.load(Ordering::Acquire);
        if frames <= 0 || page <= 0 {
            return 0;
        }
        u64::try_from(32 + frames.saturating_mul(page + FRAME_HEADER)).unwrap_or(0)
    }

    /// Copies SQLite's WAL into the database and empties the file
    /// (`TRUNCATE`); false when readers of the log kept it this time. True
    /// on PostgreSQL, which has no such file.
    ///
    /// The checkpoint holds the write lock while it waits for readers of
    /// the log to finish, so each try waits 200 ms at most, on a reader
    /// connection: the writer's single connection stays free between
    /// tries, and a write waits that moment at most, not the whole busy
    /// timeout behind an export or the rebuild of index sums.
    pub fn empty_wal(&self) -> DbResult<bool> {
        if let Backend::Postgres(_) = self.backend {
            return Ok(true);
        }
        in_a_few_tries(|| {
            let mut conn = self.reader()?;
            let DbConnection::Sqlite(c) = &mut *conn else {
                return Ok(true);
            };
            c.batch_execute("PRAGMA busy_timeout = 200;")?;
            let emptied =
                diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result::<WalCheckpoint>(c);
            c.batch_execute(BUSY_TIMEOUT)?;
            Ok(emptied?.busy == 0)
        })
    }

    /// Whether the database answers a trivial query.
    pub fn ping(&self) -> DbResult<()> {
        self.reader()?.ping()?;
        Ok(())
    }

    /// Writes a consistent copy of an SQLite database to `target` while it
    /// keeps serving (`VACUUM INTO`: one read transaction, so the copy is
    /// the database as of one instant). PostgreSQL is backed up with its
    /// own tools, so this is `None` there.
    pub fn backup_sqlite(&self, target: &Path) -> Option<DbResult<()>> {
        let Backend::Sqlite(_) = self.backend else {
            return None;
        };
        Some((|| {
            let mut conn = self.reader()?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(target.to_string_lossy().into_owned())
                .execute(&mut *conn)?;
            Ok(())
        })())
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> DbResult<usize> {
        let mut conn = self.writer()?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConnection::Postgresql(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        };
        applied.map_err(|e| DbError::Migration(e.to_string()))
    }
}

fn create_parent_dir(path: &Path) -> DbResult<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|source| DbError::CreateFolder {
                path: parent.to_path_buf(),
                source,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{without_gss_by_default, DbError};

    #[test]
    fn a_dropped_connection_is_unavailable_not_a_fault() {
        use diesel::result::{DatabaseErrorKind, Error};
        let with = |kind| {
            DbError::Query(Error::DatabaseError(
                kind,
                Box::new("server closed the connection unexpectedly".to_string()),
            ))
        };
        assert!(with(DatabaseErrorKind::ClosedConnection).is_unavailable());
        assert!(with(DatabaseErrorKind::UnableToSendCommand).is_unavailable());
        assert!(!with(DatabaseErrorKind::UniqueViolation).is_unavailable());
    }

    #[test]
    fn gss_encryption_is_off_unless_the_url_asks_for_it() {
        if std::env::var_os("PGGSSENCMODE").is_some() {
            return;
        }
        assert_eq!(
            without_gss_by_default("postgres://u@h/db"),
            "postgres://u@h/db?gssencmode=disable"
        );
        assert_eq!(
            without_gss_by_default("postgres://u@h/db?sslmode=require"),
            "postgres://u@h/db?sslmode=require&gssencmode=disable"
        );
        assert_eq!(
            without_gss_by_default("postgres://u@h/db?gssencmode=prefer"),
            "postgres://u@h/db?gssencmode=prefer"
        );
    }
}
