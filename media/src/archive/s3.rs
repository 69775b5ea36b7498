//! S3-compatible object storage (AWS S3, Ceph RGW, MinIO, Aliyun OSS) through aws-sdk-s3.
//! `ObjectLock` mode: a versioned bucket with Object Lock, every version written in COMPLIANCE
//! mode with its retain-until date. `BucketWorm` mode: the bucket locks everything by policy
//! (Aliyun OSS retention policies), so no lock is sent per object and the lock we record is
//! ours. Checksums are sent only when an operation requires them (many S3-compatible servers
//! reject the SDK's default CRC32 headers); every put carries Content-MD5, which a locked put
//! needs.
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention, ObjectLockRetentionMode};
use base64::Engine;

use super::{ArchiveError, Lock, Stored, sha256_hex};

/// How the backend locks objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum S3Mode {
    /// Per-object lock in COMPLIANCE mode (AWS S3, Ceph RGW, MinIO).
    ObjectLock,
    /// The whole bucket is write-once by policy (Aliyun OSS): nothing is sent per object.
    BucketWorm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    pub mode: S3Mode,
    /// Path-style addressing (`endpoint/bucket/key`), as most S3-compatible servers want.
    pub path_style: bool,
}

#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    mode: S3Mode,
}

fn unavailable(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Unavailable(e.to_string())
}

/// A service error's code (`AccessDenied`, `NoSuchKey`, `InvalidRequest`…), if it is one.
fn code_of<E: aws_sdk_s3::error::ProvideErrorMetadata>(e: &aws_sdk_s3::error::SdkError<E>) -> Option<String> {
    match e {
        aws_sdk_s3::error::SdkError::ServiceError(s) => s.err().code().map(str::to_string),
        _ => None,
    }
}

/// A refusal by the backend is a refusal; a missing object is not found; anything else means
/// the archive could not be reached or answered wrongly.
fn classify<E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug>(what: &str, e: aws_sdk_s3::error::SdkError<E>) -> ArchiveError {
    match code_of(&e).as_deref() {
        Some("AccessDenied" | "InvalidRequest" | "ObjectLocked" | "MethodNotAllowed") => {
            ArchiveError::Refused(format!("{what}: {}", code_of(&e).unwrap_or_default()))
        }
        Some("NoSuchKey" | "NoSuchVersion" | "NoSuchObjectLockConfiguration" | "NotFound") => ArchiveError::NotFound(what.to_string()),
        _ => unavailable(format!("{what}: {e:?}")),
    }
}

impl S3Store {
    pub fn new(s: &S3Settings) -> S3Store {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(s.region.clone()))
            .endpoint_url(s.endpoint.clone())
            .force_path_style(s.path_style)
            .credentials_provider(Credentials::new(s.access_key.clone(), s.secret_key.clone(), None, None, "exam-server"))
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .build();
        S3Store { client: aws_sdk_s3::Client::from_conf(config), bucket: s.bucket.clone(), mode: s.mode }
    }

    pub fn kind(&self) -> &'static str {
        match self.mode {
            S3Mode::ObjectLock => "s3_object_lock",
            S3Mode::BucketWorm => "s3_bucket_worm",
        }
    }

    /// Makes the bucket (versioned, with Object Lock) if it does not exist: for tests and first
    /// setups; production buckets are made by their operators.
    pub async fn ensure_bucket(&self) -> Result<(), ArchiveError> {
        if self.client.head_bucket().bucket(&self.bucket).send().await.is_ok() {
            return Ok(());
        }
        self.client
            .create_bucket()
            .bucket(&self.bucket)
            .object_lock_enabled_for_bucket(self.mode == S3Mode::ObjectLock)
            .send()
            .await
            .map_err(|e| classify(&format!("creating bucket {}", self.bucket), e))?;
        // Object Lock turns versioning on; a WORM bucket needs it on too, for version ids.
        if self.mode == S3Mode::BucketWorm {
            let on = aws_sdk_s3::types::VersioningConfiguration::builder().status(aws_sdk_s3::types::BucketVersioningStatus::Enabled).build();
            self.client
                .put_bucket_versioning()
                .bucket(&self.bucket)
                .versioning_configuration(on)
                .send()
                .await
                .map_err(|e| classify(&format!("versioning bucket {}", self.bucket), e))?;
        }
        Ok(())
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, lock: Lock) -> Result<Stored, ArchiveError> {
        use md5::Digest;
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&bytes));
        let sha256 = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        let mut req = self.client.put_object().bucket(&self.bucket).key(key).content_md5(md5).body(ByteStream::from(bytes));
        if self.mode == S3Mode::ObjectLock {
            req = req
                .object_lock_mode(ObjectLockMode::Compliance)
                .object_lock_retain_until_date(DateTime::from_millis(lock.retain_until_ms))
                .object_lock_legal_hold_status(if lock.legal_hold { ObjectLockLegalHoldStatus::On } else { ObjectLockLegalHoldStatus::Off });
        }
        let out = req.send().await.map_err(|e| classify(&format!("putting {key}"), e))?;
        let version_id =
            out.version_id().map(str::to_string).ok_or_else(|| unavailable(format!("putting {key}: the bucket is not versioned (no version id)")))?;
        Ok(Stored { key: key.to_string(), version_id, size, sha256 })
    }

    pub async fn get(&self, key: &str, version: &str) -> Result<Vec<u8>, ArchiveError> {
        let out =
            self.client.get_object().bucket(&self.bucket).key(key).version_id(version).send().await.map_err(|e| classify(&format!("{key} ({version})"), e))?;
        let body = out.body.collect().await.map_err(unavailable)?;
        Ok(body.into_bytes().to_vec())
    }

    /// The lock as the backend reports it in the version's headers (HEAD: one request, and
    /// what S3-compatible servers implement most consistently).
    pub async fn lock_of(&self, key: &str, version: &str) -> Result<Lock, ArchiveError> {
        let head =
            self.client.head_object().bucket(&self.bucket).key(key).version_id(version).send().await.map_err(|e| classify(&format!("{key} ({version})"), e))?;
        if self.mode == S3Mode::BucketWorm {
            // The bucket's policy is the lock; the dates are ours (in the database).
            return Ok(Lock { retain_until_ms: 0, legal_hold: false });
        }
        Ok(Lock {
            retain_until_ms: head.object_lock_retain_until_date().map(|d| d.to_millis().unwrap_or(i64::MAX)).unwrap_or(0),
            legal_hold: head.object_lock_legal_hold_status() == Some(&ObjectLockLegalHoldStatus::On),
        })
    }

    pub async fn delete(&self, key: &str, version: &str) -> Result<(), ArchiveError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .version_id(version)
            .send()
            .await
            .map_err(|e| classify(&format!("deleting {key} ({version})"), e))?;
        Ok(())
    }

    pub async fn set_retention(&self, key: &str, version: &str, until_ms: i64) -> Result<(), ArchiveError> {
        if self.mode == S3Mode::BucketWorm {
            return Ok(());
        }
        let retention = ObjectLockRetention::builder().mode(ObjectLockRetentionMode::Compliance).retain_until_date(DateTime::from_millis(until_ms)).build();
        self.client
            .put_object_retention()
            .bucket(&self.bucket)
            .key(key)
            .version_id(version)
            .retention(retention)
            .send()
            .await
            .map_err(|e| classify(&format!("retention of {key} ({version})"), e))?;
        Ok(())
    }

    pub async fn set_legal_hold(&self, key: &str, version: &str, on: bool) -> Result<(), ArchiveError> {
        if self.mode == S3Mode::BucketWorm {
            return Err(ArchiveError::Refused("a bucket-level WORM store keeps holds in our records, not on objects".into()));
        }
        let hold = ObjectLockLegalHold::builder().status(if on { ObjectLockLegalHoldStatus::On } else { ObjectLockLegalHoldStatus::Off }).build();
        self.client
            .put_object_legal_hold()
            .bucket(&self.bucket)
            .key(key)
            .version_id(version)
            .legal_hold(hold)
            .send()
            .await
            .map_err(|e| classify(&format!("legal hold of {key} ({version})"), e))?;
        Ok(())
    }
}
