// Package config holds qlink's one configuration struct and loads it from
// defaults, an optional YAML file, QLINK_* environment variables and
// command-line flags, in that order of increasing precedence. The loaded
// Config is passed down explicitly; nothing reads configuration globally.
package config

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"qlink/internal/redact"
)

// Config is everything an operator can set.
type Config struct {
	// DataDir holds the SQLite database, the search index and raw snapshots.
	DataDir string
	// Addr is the address the web server listens on.
	Addr string
	// BaseURL is the public URL of this instance, used in links and
	// identifiers that must resolve; empty means http://Addr.
	BaseURL string
	// ContactURL is named in the User-Agent of every outbound request so
	// that institutions know who is harvesting them.
	ContactURL string
	// DatasetPublisher names who publishes the open dataset (DCAT-AP
	// dct:publisher); empty means the host of the public URL.
	DatasetPublisher string
	// RegistryURL is the DEQAR Connect providers endpoint (or a file path)
	// the provider registry is imported from.
	RegistryURL string
	// AlliancesURL is alliance data (QualityLink Turtle or CSV, a URL or
	// a file path) imported with the registry.
	AlliancesURL string
	LogLevel     string
	LogFormat    string
	// AutoMigrate applies pending database migrations at start-up.
	AutoMigrate bool
	// SecretKey is the key-encryption secret the aggregator's private keys
	// are sealed under; empty means a generated key file in DataDir (or
	// SecretKeyFile). Given as a flag or variable it shows in ps and in the
	// process environment.
	SecretKey string
	// SecretKeyFile holds the key-encryption secret instead, so that it
	// appears in no command line or environment. At most one of the two
	// may be set.
	SecretKeyFile string
	// KeysDir holds the key ring (keys.json, and keys.kek when no secret
	// is given) and the form-signing key (csrf.key); empty means DataDir.
	// The processes of an instance on several machines share one, on a
	// shared file system, so that a key rotation reaches them all.
	KeysDir string
	// SnapshotURL, when set, keeps raw snapshots in an S3-compatible
	// bucket, s3://bucket/prefix, instead of the data directory, so that
	// processes on several machines share them.
	SnapshotURL string
	// RefreshMinInterval is the least time between two refreshes of one
	// provider that people ask for on the web ("Refresh now").
	RefreshMinInterval time.Duration
	// DatabaseURL names a PostgreSQL database (postgres://…) to keep the
	// records in instead of the SQLite file in DataDir; empty: SQLite.
	DatabaseURL string
	// DatabasePasswordFile holds the database password, so that it shows
	// in no URL, command line or environment.
	DatabasePasswordFile string

	Fetch    FetchConfig
	Harvest  HarvestConfig
	Schedule ScheduleConfig
	Accounts AccountsConfig
	API      APIConfig
}

// APIConfig limits what each client may ask of the web server, and where
// the operator's metrics are served.
type APIConfig struct {
	// Rate is the requests per second one client address may make to the
	// API, Burst how many it may make at once; pages get twice both. Rate
	// 0 turns the limits off.
	Rate  int
	Burst int
	// TrustedProxies lists the reverse proxies (addresses or CIDR
	// prefixes, comma-separated) whose X-Forwarded-For names the client.
	TrustedProxies string
	// SearchConcurrency is how many searches the server works on at once
	// (0: one per core and a reserve for new texts, two per core when
	// PostgreSQL searches); SearchQueue how many more may wait their turn
	// before the next is answered 503.
	SearchConcurrency int
	SearchQueue       int
	// SearchNewTexts is how many of those may be API searches of a text
	// the index has not searched since its last write, the costly ones, and
	// more only while another slot stays free (0: half of them).
	SearchNewTexts int
	// CacheMemory is the megabytes serve may keep of recent answers'
	// parts, in the search index, the database's rows and the web
	// layer's lists; 0 keeps next to nothing.
	CacheMemory int
	// MetricsListen, when set, serves /metrics on this address alone
	// instead of beside the catalogue.
	MetricsListen string
}

// TrustedProxyPrefixes reads TrustedProxies: addresses and CIDR prefixes
// separated by commas or spaces.
func (a APIConfig) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(a.TrustedProxies, func(r rune) bool { return r == ',' || r == ' ' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted-proxies: %q is neither an address nor a CIDR prefix", f)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}

// ScheduleConfig tunes the harvest schedule qlink serve runs.
type ScheduleConfig struct {
	// Floor and Ceiling clamp the refresh interval a manifest asks for:
	// no source is harvested more often than Floor allows, and none waits
	// longer than Ceiling (failing sources back off up to Ceiling).
	Floor   time.Duration
	Ceiling time.Duration
	// Discovery is how often each provider's manifest is looked up again.
	Discovery time.Duration
	// Registry is how often the provider registry is imported again.
	Registry time.Duration
}

// FetchConfig limits every outbound request.
type FetchConfig struct {
	Timeout      time.Duration
	MaxBodyBytes int64
	// PerHostConcurrency caps parallel requests to one host.
	PerHostConcurrency int
	// HostRate caps requests per second to one host; 0 means no cap.
	HostRate int
	// Attempts is how often a request that may succeed later is tried.
	Attempts int
	// AllowPrivateNetworks lets requests reach loopback and private
	// addresses. It is no setting: only tests set it, as it defeats the
	// SSRF guard (the demo opens loopback alone, check --allow-private
	// the private ranges).
	AllowPrivateNetworks bool
}

// HarvestConfig tunes the harvest pipeline.
type HarvestConfig struct {
	// Workers is the number of providers harvested at the same time; the
	// sources of one provider run one after another.
	Workers int
	// MaxPages caps every pagination loop.
	MaxPages int
	// MaxRemovalPercent: a complete run removing a larger share of a
	// source's courses (or all of them) is held back as suspicious.
	MaxRemovalPercent int
	// MaxSources caps the sources of one manifest.
	MaxSources int
	// MaxRunBytes, MaxRunPages and MaxRecords cap one source run.
	MaxRunBytes int64
	MaxRunPages int
	MaxRecords  int
	// ProviderTimeout bounds discovery and all source runs of a provider.
	ProviderTimeout time.Duration
	// KeepSnapshots is how many distinct snapshots of a source are kept.
	KeepSnapshots int
	// PublishFor lets a provider's sources publish courses for other
	// providers: "ALLIANCE=MEMBER1+MEMBER2 OTHER=X", pairs separated by
	// spaces or commas. Empty: each source publishes for its own only.
	PublishFor string
}

// PublishForMap reads PublishFor: for each provider ID, the provider IDs
// it may publish for.
func (h HarvestConfig) PublishForMap() (map[string][]string, error) {
	out := map[string][]string{}
	for _, pair := range strings.FieldsFunc(h.PublishFor, func(r rune) bool { return r == ' ' || r == ',' }) {
		who, whom, ok := strings.Cut(pair, "=")
		if !ok || who == "" || whom == "" {
			return nil, fmt.Errorf("harvest-publish-for: %q is not PROVIDER=OTHER[+OTHER…]", pair)
		}
		for _, id := range strings.Split(whom, "+") {
			if id == "" || id == who {
				return nil, fmt.Errorf("harvest-publish-for: %q names an empty provider or the provider itself", pair)
			}
			out[who] = append(out[who], id)
		}
	}
	return out, nil
}

// Default returns the configuration qlink runs with when nothing is set.
func Default() Config {
	return Config{
		DataDir:     "qlink-data",
		Addr:        "127.0.0.1:8080",
		ContactURL:  "https://github.com/qlink-aggregator/qlink",
		LogLevel:    "info",
		LogFormat:   "text",
		AutoMigrate: true,
		// Long enough that pressing "Refresh now" again and again cannot
		// make an institution's servers work for others' impatience.
		RefreshMinInterval: 10 * time.Minute,
		Fetch: FetchConfig{
			Timeout:            30 * time.Second,
			MaxBodyBytes:       64 << 20,
			PerHostConcurrency: 4,
			HostRate:           10,
			Attempts:           3,
		},
		// Sized for the largest real institution with room to spare (see
		// harvest.Limits): ~20,000 courses with a page of offerings each.
		Harvest: HarvestConfig{Workers: 4, MaxPages: 10000, MaxRemovalPercent: 50, MaxSources: 100, MaxRunBytes: 2 << 30,
			MaxRunPages: 50000, MaxRecords: 200000, ProviderTimeout: 30 * time.Minute, KeepSnapshots: 5},
		Schedule: ScheduleConfig{Floor: time.Hour, Ceiling: 7 * 24 * time.Hour, Discovery: 24 * time.Hour, Registry: 24 * time.Hour},
		Accounts: defaultAccounts(),
		// A person clicking through pages never comes near these; a
		// program paging the API at full speed is slowed, not stopped.
		API: APIConfig{Rate: 20, Burst: 60, SearchQueue: 1024, CacheMemory: 816},
	}
}

// PublicURL returns BaseURL, or the listen address as an http URL.
func (c Config) PublicURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return "http://" + c.Addr
}

// DatasetPath returns the directory of the open dataset's files.
func (c Config) DatasetPath() string { return filepath.Join(c.DataDir, "dataset") }

// Publisher returns DatasetPublisher, or the host of the public URL.
func (c Config) Publisher() string {
	if c.DatasetPublisher != "" {
		return c.DatasetPublisher
	}
	if u, err := url.Parse(c.PublicURL()); err == nil && u.Host != "" {
		return u.Host
	}
	return "qlink"
}

// DatabasePath returns the SQLite database file.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "qlink.db") }

// IndexPath returns the directory of the embedded search index.
func (c Config) IndexPath() string { return filepath.Join(c.DataDir, "index.bleve") }

// LabelsPath returns the file of vocabulary labels `qlink vocab refresh`
// saves.
func (c Config) LabelsPath() string { return filepath.Join(c.DataDir, "vocab-labels.json") }

// KeyDir returns the directory of the key ring: KeysDir, or DataDir.
func (c Config) KeyDir() string {
	if c.KeysDir != "" {
		return c.KeysDir
	}
	return c.DataDir
}

// BlobPath returns the directory of raw snapshots when SnapshotURL is
// empty.
func (c Config) BlobPath() string { return filepath.Join(c.DataDir, "blobs") }

// SnapshotBucket reads SnapshotURL, s3://bucket[/prefix]: the bucket and
// the prefix ("" or "a/b", no slash at either end).
func (c Config) SnapshotBucket() (bucket, prefix string, err error) {
	u, err := url.Parse(c.SnapshotURL)
	switch {
	case err != nil || u.Scheme != "s3" || u.Host == "" || u.Opaque != "":
		// Not echoed whole: a mistyped URL may hold a credential.
		return "", "", errors.New("snapshot-url must be s3://bucket or s3://bucket/prefix")
	case u.User != nil:
		return "", "", errors.New("snapshot-url must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	case u.RawQuery != "" || u.Fragment != "":
		return "", "", fmt.Errorf("snapshot-url %q: no query or fragment: s3://bucket/prefix", redact.URL(c.SnapshotURL))
	}
	prefix = strings.Trim(u.Path, "/")
	odd := func(seg string) bool { return seg == "" || seg == "." || seg == ".." }
	if prefix != "" && slices.ContainsFunc(strings.Split(prefix, "/"), odd) {
		return "", "", fmt.Errorf("snapshot-url %q: the prefix has an empty, . or .. segment", c.SnapshotURL)
	}
	return u.Host, prefix, nil
}

// maxSecretFile bounds what readSecretFile reads: a passphrase, a
// password or a random key, never a large file given by mistake.
const maxSecretFile = 4 << 10

// KeyEncryptionSecret returns the secret the aggregator's private keys are
// sealed under: secret-key, or the first line of secret-key-file (a final
// newline, as editors and `echo` write it, is not part of it). Empty means
// neither is set and the generated key file in the data directory is used.
func (c Config) KeyEncryptionSecret() (string, error) {
	if c.SecretKeyFile == "" {
		return c.SecretKey, nil
	}
	return readSecretFile("secret-key-file", c.SecretKeyFile)
}

// DatabaseDSN returns the URL to connect to the PostgreSQL database with:
// database-url, with the password of database-password-file put in when
// that is set. Empty means the embedded SQLite database.
func (c Config) DatabaseDSN() (string, error) {
	if c.DatabaseURL == "" || c.DatabasePasswordFile == "" {
		return c.DatabaseURL, nil
	}
	password, err := readSecretFile("database-password-file", c.DatabasePasswordFile)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "", errors.New("database-url is not a URL") // Validate said so already
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String(), nil
}

// readSecretFile reads the secret a setting names by its file: the file's
// content, less a final newline.
func readSecretFile(setting, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", setting, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", setting, path, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s %s: longer than %d bytes; it should hold the secret alone", setting, path, maxSecretFile)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if strings.TrimSpace(secret) == "" {
		return "", fmt.Errorf("%s %s is empty", setting, path)
	}
	return secret, nil
}

// validateDatabase checks database-url and its password file.
func (c Config) validateDatabase() []error {
	if c.DatabaseURL == "" {
		if c.DatabasePasswordFile != "" {
			return []error{errors.New("database-password-file is set without database-url")}
		}
		return nil
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		// The URL itself is not repeated: it may hold a password.
		return []error{errors.New("database-url must be a PostgreSQL URL: postgres://user@host:port/database")}
	}
	_, inURL := u.User.Password()
	if inURL && c.DatabasePasswordFile != "" {
		return []error{errors.New("database-url holds a password and database-password-file is set: give one (the file keeps it out of ps and the environment)")}
	}
	return nil
}

// Validate checks values and their combinations, naming every problem.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data-dir must not be empty"))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base-url %q must be an absolute http(s) URL", c.BaseURL))
		}
	}
	if u, err := url.Parse(c.ContactURL); err != nil || u.Scheme == "" {
		errs = append(errs, fmt.Errorf("contact-url %q must be an absolute URL (mailto: or https:)", c.ContactURL))
	}
	if c.SnapshotURL != "" {
		if _, _, err := c.SnapshotBucket(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.SecretKey != "" && c.SecretKeyFile != "" {
		errs = append(errs, errors.New("secret-key and secret-key-file are both set: give one (secret-key-file keeps the secret out of ps and the environment)"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q must be debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log-format %q must be text or json", c.LogFormat))
	}
	if c.Fetch.Timeout <= 0 {
		errs = append(errs, errors.New("fetch-timeout must be positive"))
	}
	if c.Fetch.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("fetch-max-body must be at least 1024 bytes"))
	}
	if c.Fetch.PerHostConcurrency < 1 {
		errs = append(errs, errors.New("fetch-per-host must be at least 1"))
	}
	if c.Fetch.HostRate < 0 {
		errs = append(errs, errors.New("fetch-host-rate must not be negative"))
	}
	if c.Fetch.Attempts < 1 || c.Fetch.Attempts > 10 {
		errs = append(errs, errors.New("fetch-attempts must be from 1 to 10"))
	}
	if c.Harvest.Workers < 1 {
		errs = append(errs, errors.New("harvest-workers must be at least 1"))
	}
	if c.Harvest.MaxPages < 1 {
		errs = append(errs, errors.New("harvest-max-pages must be at least 1"))
	}
	if _, err := c.Harvest.PublishForMap(); err != nil {
		errs = append(errs, err)
	}
	if c.Harvest.MaxRemovalPercent < 1 || c.Harvest.MaxRemovalPercent > 100 {
		errs = append(errs, errors.New("harvest-max-removal must be a percentage from 1 to 100"))
	}
	for name, v := range map[string]int64{"harvest-max-sources": int64(c.Harvest.MaxSources), "harvest-max-run-bytes": c.Harvest.MaxRunBytes,
		"harvest-max-run-pages": int64(c.Harvest.MaxRunPages), "harvest-max-records": int64(c.Harvest.MaxRecords),
		"harvest-keep-snapshots": int64(c.Harvest.KeepSnapshots)} {
		if v < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1", name))
		}
	}
	if c.Harvest.ProviderTimeout < time.Minute {
		errs = append(errs, errors.New("harvest-provider-timeout must be at least 1m"))
	}
	if c.Schedule.Floor < time.Minute {
		errs = append(errs, errors.New("schedule-floor must be at least 1m"))
	}
	if c.Schedule.Ceiling < c.Schedule.Floor {
		errs = append(errs, errors.New("schedule-ceiling must not be shorter than schedule-floor"))
	}
	if c.RefreshMinInterval < time.Second {
		errs = append(errs, errors.New("refresh-min-interval must be at least 1s"))
	}
	if c.Schedule.Discovery < time.Minute || c.Schedule.Registry < time.Minute {
		errs = append(errs, errors.New("schedule-discovery and schedule-registry must be at least 1m"))
	}
	errs = append(errs, c.Accounts.validate()...)
	errs = append(errs, c.validateDatabase()...)
	if c.API.Rate < 0 {
		errs = append(errs, errors.New("api-rate must not be negative (0 turns rate limits off)"))
	}
	if c.API.SearchConcurrency < 0 {
		errs = append(errs, errors.New("search-concurrency must not be negative (0: one search per core and a reserve for new texts, two on PostgreSQL)"))
	}
	if c.API.SearchNewTexts < 0 {
		errs = append(errs, errors.New("search-new-texts must not be negative (0: half of search-concurrency)"))
	}
	if c.API.CacheMemory < 0 {
		errs = append(errs, errors.New("cache-memory must not be negative (0 keeps next to nothing)"))
	}
	if c.API.SearchQueue < 1 {
		errs = append(errs, errors.New("search-queue must be at least 1"))
	}
	if c.API.Burst < 1 {
		errs = append(errs, errors.New("api-burst must be at least 1"))
	}
	if _, err := c.API.TrustedProxyPrefixes(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
