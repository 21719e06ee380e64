//! `sotto verify-app URL`: compare the web app a server serves with a local
//! build (docs/web.md, "Checking a served app").
//!
//! The local build (`www/dist` by default) holds `build.json`, which lists
//! every file of the bundle with its SHA-384 (www/build.mjs). The command
//! fetches the served `build.json`, `index.html` (as the site root, what a
//! browser gets) and every file either `build.json` lists, and compares
//! the SHA-384 of each served file with the local file's; `build.json`
//! itself is compared without its signing fields (`releaseKey`,
//! `signedAt`: a build made elsewhere from the same commit is signed with
//! another key, at another time). It also checks the served
//! `build.json.sig`, the Ed25519 signature the service worker checks
//! (www/src/sw.js): missing or not by the served `releaseKey` is a
//! difference, and so is another key than `--release-key`. It prints one
//! line per file that differs (`changed`, `missing`, `extra`), the release
//! key, then `equal` or `differs`.
//!
//! Exit status: 0 when the served app equals the build, 1 when any file
//! differs or is missing or the signature fails, 2 when nothing could be
//! compared (bad URL, no local build, the server unreachable or its
//! `build.json` unreadable).
//!
//! Requests ask for `Accept-Encoding: identity` (the file itself, not the
//! precompressed copy) and follow no redirects; `https` URLs are checked
//! against the system's root certificates (`SSL_CERT_FILE` or
//! `/etc/ssl/certs/ca-certificates.crt`) or `--ca FILE`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine as _;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::Uri;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha384};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// Largest file the command downloads (the wasm modules are under 1 MiB).
const MAX_FILE: usize = 32 << 20;

/// Arguments of `sotto verify-app`.
#[derive(Debug, clap::Args)]
pub struct VerifyAppArgs {
    /// Where the app is served: the page's address without fragment
    /// (`https://app.example/`, `http://127.0.0.1:8080/`).
    pub url: String,
    /// The local build to compare with (built from the same commit with
    /// `scripts/build-www.sh`, with the same `--relay` if any).
    #[arg(long, default_value = "www/dist")]
    pub dist: PathBuf,
    /// PEM file of the certificate authorities to trust for an `https` URL
    /// instead of the system's.
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// The release public key (base64, as build.json's `releaseKey`) the
    /// served build must be signed with.
    #[arg(long)]
    pub release_key: Option<String>,
}

/// What was found of the served build's release signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// `build.json.sig` is a valid signature of the served `build.json` by
    /// its `releaseKey` (and that key is the one asked for, if any).
    Valid {
        /// The release key (base64).
        key: String,
        /// When it was signed (build.json's `signedAt`).
        signed_at: String,
    },
    /// Missing or invalid, or by another key than the one asked for.
    Bad(String),
}

/// What was found for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileCheck {
    /// Served bytes equal the local file's.
    Equal,
    /// Served, with another SHA-384.
    Changed {
        /// SHA-384 of the served bytes (`sha384-…`).
        served: String,
        /// SHA-384 of the local file.
        built: String,
    },
    /// The local build has it; the server did not serve it.
    Missing(String),
    /// The served `build.json` lists it; the local build does not.
    Extra,
}

/// The comparison of a served app with a local build.
#[derive(Debug, Clone)]
pub struct Report {
    /// The local build's version (`build.json`'s `version`).
    pub version: String,
    /// Every compared file by its path in the bundle.
    pub files: BTreeMap<String, FileCheck>,
    /// The served build's release signature.
    pub signature: Signature,
}

impl Report {
    /// Whether every file is equal and the signature valid.
    pub fn equal(&self) -> bool {
        self.files.values().all(|c| *c == FileCheck::Equal)
            && matches!(self.signature, Signature::Valid { .. })
    }
}

/// Runs `sotto verify-app`: prints the report; whether the served app
/// equals the build (an error when nothing could be compared).
pub fn run(args: &VerifyAppArgs) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(verify(args))?;
    for (file, check) in &report.files {
        match check {
            FileCheck::Equal => {}
            FileCheck::Changed { served, built } => {
                println!("changed  {file}  (served {served}, built {built})")
            }
            FileCheck::Missing(why) => println!("missing  {file}  ({why})"),
            FileCheck::Extra => println!("extra    {file}  (listed by the served build.json only)"),
        }
    }
    match &report.signature {
        Signature::Valid { key, signed_at } => {
            println!("signed   build.json by release key {key} ({signed_at})")
        }
        Signature::Bad(why) => println!("unsigned build.json: {why}"),
    }
    let differ = report
        .files
        .values()
        .filter(|c| **c != FileCheck::Equal)
        .count();
    if report.equal() {
        println!(
            "equal: {} files served by {} match the build {} ({})",
            report.files.len(),
            args.url,
            report.version,
            args.dist.display()
        );
    } else {
        println!(
            "differs: {differ} of {} files served by {} do not match the build {} ({}){}",
            report.files.len(),
            args.url,
            report.version,
            args.dist.display(),
            if matches!(report.signature, Signature::Bad(_)) {
                "; the release signature fails"
            } else {
                ""
            }
        );
    }
    Ok(report.equal())
}

/// Compares what `args.url` serves with the build in `args.dist`.
pub async fn verify(args: &VerifyAppArgs) -> anyhow::Result<Report> {
    let base = Base::parse(&args.url)?;
    let local_json = std::fs::read(args.dist.join("build.json")).with_context(|| {
        format!(
            "no build at {} (run scripts/build-www.sh)",
            args.dist.display()
        )
    })?;
    let (version, local_files) = listed(&local_json).context("the local build.json")?;
    let mut client = Client::new(&base, args.ca.as_deref())?;

    let served_json = match client.get(&base.path_of("build.json")).await? {
        Ok(body) => body,
        Err(why) => bail!("the server's build.json: {why}"),
    };
    // Served build.json is untrusted: names it lists that the build lacks are
    // reported (after a check that they are plain paths), not fetched.
    let served_files = listed(&served_json).map(|(_, f)| f).unwrap_or_default();

    let signature = match client.get(&base.path_of("build.json.sig")).await? {
        Ok(sig) => signature(&served_json, &sig, args.release_key.as_deref()),
        Err(why) => Signature::Bad(format!("no build.json.sig ({why})")),
    };

    let mut files = BTreeMap::new();
    let mut compare = vec!["build.json".to_string()];
    compare.extend(local_files);
    for file in compare {
        let local = std::fs::read(args.dist.join(&file))
            .with_context(|| format!("the local build's {file}"))?;
        let path = if file == "index.html" {
            base.path_of("")
        } else {
            base.path_of(&file)
        };
        let check = if file == "build.json" {
            if unsigned(&served_json) == unsigned(&local) {
                FileCheck::Equal
            } else {
                compared(&served_json, &local)
            }
        } else {
            match client.get(&path).await? {
                Ok(body) => compared(&body, &local),
                Err(why) => FileCheck::Missing(why),
            }
        };
        files.insert(file, check);
    }
    for file in served_files {
        files.entry(file).or_insert(FileCheck::Extra);
    }
    Ok(Report {
        version,
        files,
        signature,
    })
}

/// A build.json without its signing fields (None when it is not JSON).
fn unsigned(json: &[u8]) -> Option<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let object = value.as_object_mut()?;
    object.remove("releaseKey");
    object.remove("signedAt");
    Some(value)
}

/// Checks `sig` (base64 text) over `json` with the key `json` names, and
/// that key against `expected`.
fn signature(json: &[u8], sig: &[u8], expected: Option<&str>) -> Signature {
    use ed25519_dalek::{Signature as Sig, Verifier, VerifyingKey};
    let b64 = base64::engine::general_purpose::STANDARD;
    let fields = serde_json::from_slice::<serde_json::Value>(json).ok();
    let field = |name: &str| {
        fields
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let Some(key) = field("releaseKey") else {
        return Signature::Bad("build.json names no releaseKey".into());
    };
    let Some(public) = b64
        .decode(&key)
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
    else {
        return Signature::Bad(format!("releaseKey {key:?} is not an Ed25519 key"));
    };
    let Some(sig) = std::str::from_utf8(sig)
        .ok()
        .and_then(|s| b64.decode(s.trim()).ok())
        .and_then(|s| Sig::from_slice(&s).ok())
    else {
        return Signature::Bad("build.json.sig is not a base64 Ed25519 signature".into());
    };
    if public.verify(json, &sig).is_err() {
        return Signature::Bad(format!(
            "build.json.sig is not release key {key}'s signature"
        ));
    }
    if let Some(expected) = expected.filter(|e| *e != key) {
        return Signature::Bad(format!(
            "signed by {key}, not by the release key {expected}"
        ));
    }
    Signature::Valid {
        key,
        signed_at: field("signedAt").unwrap_or_default(),
    }
}

fn compared(served: &[u8], local: &[u8]) -> FileCheck {
    let (served, built) = (sri(served), sri(local));
    if served == built {
        FileCheck::Equal
    } else {
        FileCheck::Changed { served, built }
    }
}

/// `sha384-…` of some bytes, as build.json and `integrity` attributes write it.
fn sri(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

/// The version and the file names a build.json lists (each a plain relative
/// path: letters, digits, `.`, `_`, `-` and `/`, no `..`).
fn listed(json: &[u8]) -> anyhow::Result<(String, Vec<String>)> {
    #[derive(serde::Deserialize)]
    struct Build {
        version: String,
        files: BTreeMap<String, String>,
    }
    let build: Build = serde_json::from_slice(json).context("not a build.json")?;
    for name in build.files.keys() {
        ensure!(plain_path(name), "build.json lists a file named {name:?}");
    }
    Ok((build.version, build.files.into_keys().collect()))
}

fn plain_path(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
}

/// The served app's scheme, authority and directory.
struct Base {
    tls: bool,
    host: String,
    port: u16,
    authority: String,
    dir: String,
}

impl Base {
    fn parse(url: &str) -> anyhow::Result<Base> {
        let uri: Uri = url
            .parse()
            .map_err(|e| anyhow!("not a URL: {url:?} ({e})"))?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => bail!("{url:?}: an http:// or https:// URL is needed"),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| anyhow!("{url:?} has no host"))?;
        ensure!(
            !authority.as_str().contains('@'),
            "{url:?}: no user name in the URL"
        );
        ensure!(uri.query().is_none(), "{url:?}: no query in the URL");
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
        // The directory the app lives in: the path up to its last '/'.
        let path = uri.path();
        let dir = path[..=path.rfind('/').unwrap_or(0)].to_string();
        let dir = if dir.is_empty() { "/".into() } else { dir };
        Ok(Base {
            tls,
            host,
            port,
            authority: authority.as_str().to_string(),
            dir,
        })
    }

    fn path_of(&self, file: &str) -> String {
        format!("{}{file}", self.dir)
    }
}

/// An HTTP/1.1 client for one origin, reusing its connection.
struct Client<'a> {
    base: &'a Base,
    tls: Option<tokio_rustls::TlsConnector>,
    conn: Option<hyper::client::conn::http1::SendRequest<Empty<Bytes>>>,
}

impl<'a> Client<'a> {
    fn new(base: &'a Base, ca: Option<&Path>) -> anyhow::Result<Client<'a>> {
        let tls = if base.tls {
            Some(tls_connector(ca)?)
        } else {
            None
        };
        Ok(Client {
            base,
            tls,
            conn: None,
        })
    }

    async fn connect(
        &self,
    ) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Empty<Bytes>>> {
        let tcp = TcpStream::connect((self.base.host.as_str(), self.base.port))
            .await
            .with_context(|| format!("connecting to {}", self.base.authority))?;
        if let Some(tls) = &self.tls {
            let name = rustls::pki_types::ServerName::try_from(self.base.host.clone())
                .map_err(|_| anyhow!("{:?} is not a server name", self.base.host))?;
            let stream = tls
                .connect(name, tcp)
                .await
                .with_context(|| format!("TLS with {}", self.base.authority))?;
            let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            Ok(send)
        } else {
            let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
            tokio::spawn(conn);
            Ok(send)
        }
    }

    /// GETs `path`: the body of a 200, or why there is none (an HTTP
    /// status, a redirect, a body too large); an error when the server
    /// cannot be reached at all.
    async fn get(&mut self, path: &str) -> anyhow::Result<Result<Bytes, String>> {
        // One retry on a fresh connection: the server may have closed an
        // idle keep-alive connection.
        for attempt in 0..2 {
            let mut send = match self.conn.take() {
                Some(s) if !s.is_closed() => s,
                _ => self.connect().await?,
            };
            let request = hyper::Request::get(path)
                .header(hyper::header::HOST, &self.base.authority)
                .header(hyper::header::ACCEPT_ENCODING, "identity")
                .header(hyper::header::USER_AGENT, "sotto-verify-app")
                .body(Empty::new())?;
            let response = match send.send_request(request).await {
                Ok(r) => r,
                Err(e) if attempt == 0 => {
                    tracing::debug!("retrying {path}: {e}");
                    continue;
                }
                Err(e) => return Err(e).with_context(|| format!("GET {path}")),
            };
            let status = response.status();
            let encoding = response
                .headers()
                .get(hyper::header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap_or("?").to_string());
            let body = Limited::new(response.into_body(), MAX_FILE).collect().await;
            self.conn = Some(send);
            if !status.is_success() {
                return Ok(Err(format!("HTTP {status}")));
            }
            if let Some(enc) = encoding.filter(|e| e != "identity") {
                return Ok(Err(format!(
                    "served with Content-Encoding {enc} though identity was asked"
                )));
            }
            return Ok(body
                .map(|b| b.to_bytes())
                .map_err(|e| format!("reading the body: {e}")));
        }
        bail!("GET {path}: the connection failed twice")
    }
}

/// A TLS connector trusting `ca` (PEM), else the system's roots.
fn tls_connector(ca: Option<&Path>) -> anyhow::Result<tokio_rustls::TlsConnector> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let file = match ca {
        Some(p) => p.to_path_buf(),
        None => std::env::var_os("SSL_CERT_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| "/etc/ssl/certs/ca-certificates.crt".into()),
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&file)
        .with_context(|| format!("reading certificates from {}", file.display()))?
    {
        let cert = cert.with_context(|| format!("a certificate in {}", file.display()))?;
        // The system bundle may hold certificates rustls cannot use; skip those.
        let _ = roots.add(cert);
    }
    ensure!(
        !roots.is_empty(),
        "no usable certificate in {}",
        file.display()
    );
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_build_json_must_be_plain() {
        for good in ["index.html", "assets/app-ABC.js", "build.json.sig"] {
            assert!(plain_path(good), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a//b",
            "a/./b",
            "a b",
            "a?b",
            "assets/%2e%2e",
        ] {
            assert!(!plain_path(bad), "{bad}");
        }
        let json = br#"{"version":"1","files":{"../../etc/passwd":"sha384-x"}}"#;
        assert!(listed(json).is_err());
    }

    #[test]
    fn the_base_is_the_directory_of_the_url() {
        let b = Base::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((b.port, b.dir.as_str(), b.tls), (8080, "/", false));
        let b = Base::parse("https://app.example/sotto/index.html").unwrap();
        assert_eq!(
            (b.port, b.path_of("build.json").as_str()),
            (443, "/sotto/build.json")
        );
        assert!(Base::parse("ftp://x/").is_err());
        assert!(Base::parse("http://user@x/").is_err());
        assert!(Base::parse("not a url").is_err());
    }

    #[test]
    fn the_release_signature_is_checked_against_the_named_key() {
        use ed25519_dalek::{Signer, SigningKey};
        let b64 = base64::engine::general_purpose::STANDARD;
        let key = SigningKey::from_bytes(&[3; 32]);
        let public = b64.encode(key.verifying_key().as_bytes());
        let json =
            format!(r#"{{"version":"1","files":{{}},"releaseKey":"{public}","signedAt":"t"}}"#);
        let sig = b64.encode(key.sign(json.as_bytes()).to_bytes());
        assert_eq!(
            signature(json.as_bytes(), sig.as_bytes(), Some(&public)),
            Signature::Valid {
                key: public.clone(),
                signed_at: "t".into()
            }
        );
        // Another key asked for, other bytes, a damaged signature, no key.
        assert!(matches!(
            signature(json.as_bytes(), sig.as_bytes(), Some("AAAA")),
            Signature::Bad(_)
        ));
        let other = json.replace("\"1\"", "\"2\"");
        assert!(matches!(
            signature(other.as_bytes(), sig.as_bytes(), None),
            Signature::Bad(_)
        ));
        assert!(matches!(
            signature(json.as_bytes(), b"not base64!", None),
            Signature::Bad(_)
        ));
        assert!(matches!(
            signature(br#"{"version":"1"}"#, sig.as_bytes(), None),
            Signature::Bad(_)
        ));
        // The signing fields are not part of the comparison of two builds.
        assert_eq!(
            unsigned(json.as_bytes()),
            unsigned(br#"{"version":"1","files":{},"releaseKey":"x","signedAt":"u"}"#)
        );
        assert_ne!(unsigned(json.as_bytes()), unsigned(other.as_bytes()));
    }

    #[test]
    fn sri_matches_the_build_format() {
        // SHA-384 of the empty string, as `integrity` attributes write it.
        assert_eq!(
            sri(b""),
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        );
    }
}
