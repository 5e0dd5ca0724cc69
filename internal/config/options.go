package config

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"qlink/internal/redact"
)

// option describes one setting: its name (the flag, the file key, and in
// upper snake case after QLINK_ the environment variable), its help text and
// where it lives in Config.
type option struct {
	name   string
	help   string
	secret bool
	field  func(*Config) any
}

var options = []option{
	{"data-dir", "directory of the instance: database, keys, search index and raw snapshots; qlink init creates it", false, func(c *Config) any { return &c.DataDir }},
	{"addr", "address the web server listens on", false, func(c *Config) any { return &c.Addr }},
	{"base-url", "public URL of this instance (default http://<addr>)", false, func(c *Config) any { return &c.BaseURL }},
	{"contact-url", "URL or mailto: naming the operator, sent in the User-Agent of every request", false, func(c *Config) any { return &c.ContactURL }},
	{"dataset-publisher", "name of the organisation publishing the open dataset, as its DCAT-AP description and the /dataset page give it (default: the host of base-url)", false, func(c *Config) any { return &c.DatasetPublisher }},
	{"registry-url", "DEQAR Connect providers endpoint or a JSON file to import providers from", false, func(c *Config) any { return &c.RegistryURL }},
	{"alliances-url", "alliance data to import with the registry: QualityLink Turtle (ql:EuropeanUniversityAlliance, ql:isMemberOf) or CSV (alliance,name,lang,website,member), a URL or a file", false, func(c *Config) any { return &c.AlliancesURL }},
	{"log-level", "log level: debug, info, warn or error", false, func(c *Config) any { return &c.LogLevel }},
	{"log-format", "log format: text or json", false, func(c *Config) any { return &c.LogFormat }},
	{"auto-migrate", "apply pending database migrations at start-up", false, func(c *Config) any { return &c.AutoMigrate }},
	{"fetch-timeout", "deadline for one outbound request, including reading the body", false, func(c *Config) any { return &c.Fetch.Timeout }},
	{"fetch-max-body", "largest response body accepted, in bytes (after decompression)", false, func(c *Config) any { return &c.Fetch.MaxBodyBytes }},
	{"fetch-per-host", "parallel requests allowed to one host", false, func(c *Config) any { return &c.Fetch.PerHostConcurrency }},
	{"fetch-host-rate", "requests per second allowed to one host (0: no limit)", false, func(c *Config) any { return &c.Fetch.HostRate }},
	{"fetch-attempts", "tries per request when a server answers 429/502/503/504 or drops the connection (1: no retries)", false, func(c *Config) any { return &c.Fetch.Attempts }},
	{"secret-key", "secret the aggregator's private keys are encrypted under at rest; shows in ps and the process environment, so prefer secret-key-file; with neither, a generated key file (keys.kek) in the data directory is used, and a copy of that directory opens the keys", true, func(c *Config) any { return &c.SecretKey }},
	{"secret-key-file", "file holding the secret-key (a final newline is ignored), kept outside the data directory: a root-only file or a systemd credential; not together with secret-key", false, func(c *Config) any { return &c.SecretKeyFile }},
	{"keys-dir", "directory of the aggregator's key ring (keys.json, and keys.kek without secret-key-file) and of the form-signing key (csrf.key), instead of the data directory: give every process of an instance on several machines the same directory on a shared file system (docs/scale-out.md)", false, func(c *Config) any { return &c.KeysDir }},
	{"database-url", "PostgreSQL database to keep the records in instead of the SQLite file in the data directory, as postgres://user@host:port/database?sslmode=verify-full (pool settings may be added: pool_max_conns=20; the pool has 16 connections unless it says otherwise); put its password in database-password-file, not here", false, func(c *Config) any { return &c.DatabaseURL }},
	{"database-password-file", "file holding the password of database-url (a final newline is ignored), kept out of every URL, command line and environment: a root-only file or a systemd credential", false, func(c *Config) any { return &c.DatabasePasswordFile }},
	{"harvest-workers", "harvests at the same time: providers for qlink harvest (a provider's sources run one after another), jobs of the schedule for qlink serve", false, func(c *Config) any { return &c.Harvest.Workers }},
	{"harvest-max-pages", "most pages read from one paged endpoint", false, func(c *Config) any { return &c.Harvest.MaxPages }},
	{"harvest-max-removal", "a complete run that would remove more than this percentage of a source's courses (or all of them) changes nothing and is held as suspicious until seen twice or confirmed", false, func(c *Config) any { return &c.Harvest.MaxRemovalPercent }},
	{"harvest-max-sources", "most sources accepted from one manifest; a longer manifest is refused", false, func(c *Config) any { return &c.Harvest.MaxSources }},
	{"harvest-max-run-bytes", "most bytes one source run may read; a run over it stops and changes nothing", false, func(c *Config) any { return &c.Harvest.MaxRunBytes }},
	{"harvest-max-run-pages", "most requests one source run may make, over all its endpoints; a run over it stops and changes nothing", false, func(c *Config) any { return &c.Harvest.MaxRunPages }},
	{"harvest-max-records", "most courses one source run may yield; a run over it stops and changes nothing", false, func(c *Config) any { return &c.Harvest.MaxRecords }},
	{"harvest-provider-timeout", "time allowed for discovery and all source runs of one provider; a run stopped by it changes nothing", false, func(c *Config) any { return &c.Harvest.ProviderTimeout }},
	{"schedule-floor", "shortest refresh interval: a manifest asking for more frequent refreshes gets this (qlink serve)", false, func(c *Config) any { return &c.Schedule.Floor }},
	{"schedule-ceiling", "longest refresh interval, also the longest a failing source backs off to (qlink serve)", false, func(c *Config) any { return &c.Schedule.Ceiling }},
	{"schedule-discovery", "how often each provider's manifest is discovered again (qlink serve)", false, func(c *Config) any { return &c.Schedule.Discovery }},
	{"refresh-min-interval", "least time between two refreshes of one institution asked for on the web (Refresh now); a press within it is refused with 429 and the time of the next one (qlink serve)", false, func(c *Config) any { return &c.RefreshMinInterval }},
	{"schedule-registry", "how often the provider registry is imported again, when registry-url is set (qlink serve)", false, func(c *Config) any { return &c.Schedule.Registry }},
	{"harvest-publish-for", "providers whose sources may publish courses for other providers, as PROVIDER=OTHER[+OTHER] pairs (e.g. an alliance for its members); any other claimed publisher is refused", false, func(c *Config) any { return &c.Harvest.PublishFor }},
	{"snapshot-url", "where raw snapshots are kept when not in the data directory: s3://bucket/prefix in an S3-compatible store, reached at AWS_ENDPOINT_URL (default Amazon S3; https unless it says http://) in AWS_REGION with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; one prefix per instance, as qlink deletes the snapshots under it that its database no longer refers to", false, func(c *Config) any { return &c.SnapshotURL }},
	{"harvest-keep-snapshots", "distinct raw snapshots kept per source; older ones are deleted after each run", false, func(c *Config) any { return &c.Harvest.KeepSnapshots }},
	{"session-ttl", "longest life of a signed-in session, operator's or institution's (qlink serve)", false, func(c *Config) any { return &c.Accounts.SessionTTL }},
	{"session-idle", "a session unused for this long ends (qlink serve)", false, func(c *Config) any { return &c.Accounts.SessionIdle }},
	{"login-max-failures", "failed sign-ins in a row that lock an operator account for login-lockout (qlink serve)", false, func(c *Config) any { return &c.Accounts.MaxFailures }},
	{"login-lockout", "how long a locked account stays locked, and the window in which 20 failed sign-ins from one address refuse it (qlink serve)", false, func(c *Config) any { return &c.Accounts.Lockout }},
	{"api-rate", "requests per second one client address may make to the API, refilling its burst; pages get twice as much (0: no rate limits)", false, func(c *Config) any { return &c.API.Rate }},
	{"api-burst", "requests one client address may make to the API at once before api-rate applies; pages get twice as many", false, func(c *Config) any { return &c.API.Burst }},
	{"trusted-proxies", "reverse proxies (addresses or CIDR prefixes, comma-separated) whose X-Forwarded-For header names the client for rate limits; empty: the peer address is the client", false, func(c *Config) any { return &c.API.TrustedProxies }},
	{"search-concurrency", "searches (catalogue pages, API searches, alliance and institution pages) worked on at once; more wait their turn in order of arrival, pages before API calls, at most 10s (0: one per core, plus half a slot per core kept for API searches of new texts; two per core when PostgreSQL searches)", false, func(c *Config) any { return &c.API.SearchConcurrency }},
	{"search-new-texts", "how many of the search-concurrency slots may hold API searches of a text not searched since the index last changed (up to a second each at a million courses), more only while another slot stays free, so that searches costing milliseconds go past a burst of new words; search-concurrency's value queues all alike (0: half of them)", false, func(c *Config) any { return &c.API.SearchNewTexts }},
	{"search-queue", "searches that may wait their turn; one more is answered 503 with Retry-After at once", false, func(c *Config) any { return &c.API.SearchQueue }},
	{"cache-memory", "megabytes of recent answers' parts kept in memory until the catalogue changes: matches of texts and facet counts (43 %), what lists show of courses (55 %), database rows (2 %); more holds more of a busy catalogue's searches, less suits a small machine (0 keeps next to nothing)", false, func(c *Config) any { return &c.API.CacheMemory }},
	{"metrics-listen", "address to serve Prometheus /metrics on, apart from the catalogue (empty: /metrics is served beside the catalogue)", false, func(c *Config) any { return &c.API.MetricsListen }},
}

// EnvName returns the environment variable for an option name.
func EnvName(name string) string {
	return "QLINK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func lookup(name string) option {
	o, ok := findOption(name)
	if !ok {
		panic("config: unknown option " + name)
	}
	return o
}

// Bind registers flags for the named options on fs (all options when no name
// is given), showing their defaults. Load later reads only the flags the user
// actually set, so environment and file values are not masked by defaults.
func Bind(fs *pflag.FlagSet, names ...string) {
	if len(names) == 0 {
		for _, o := range options {
			names = append(names, o.name)
		}
	}
	// Wherever a secret may be given, it may be given as a file; where
	// the keys' secret is, so is the keys' directory.
	for _, pair := range [][2]string{{"secret-key", "secret-key-file"}, {"secret-key", "keys-dir"}, {"database-url", "database-password-file"}} {
		if slices.Contains(names, pair[0]) && !slices.Contains(names, pair[1]) {
			names = append(slices.Clip(names), pair[1])
		}
	}
	def := Default()
	for _, name := range names {
		o := lookup(name)
		help := o.help + " (env " + EnvName(o.name) + ")"
		switch p := o.field(&def).(type) {
		case *string:
			fs.String(o.name, *p, help)
		case *bool:
			fs.Bool(o.name, *p, help)
		case *int:
			fs.Int(o.name, *p, help)
		case *int64:
			fs.Int64(o.name, *p, help)
		case *time.Duration:
			fs.Duration(o.name, *p, help)
		}
	}
	fs.String("config", "", "YAML file with settings, keys named like the flags (env QLINK_CONFIG)")
}

// Load builds the configuration: defaults, then the config file (from
// --config or QLINK_CONFIG), then QLINK_* variables, then flags set on fs.
// getenv is os.Getenv in production; tests pass their own.
func Load(fs *pflag.FlagSet, getenv func(string) string) (Config, error) {
	c := Default()
	file := getenv("QLINK_CONFIG")
	if f := fs.Lookup("config"); f != nil && f.Changed {
		file = f.Value.String()
	}
	if file != "" {
		if err := c.loadFile(file); err != nil {
			return c, err
		}
	}
	for _, o := range options {
		if v := getenv(EnvName(o.name)); v != "" {
			if err := set(o.field(&c), v); err != nil {
				return c, fmt.Errorf("config: %s=%q: %w", EnvName(o.name), v, err)
			}
		}
	}
	for _, o := range options {
		if f := fs.Lookup(o.name); f != nil && f.Changed {
			if err := set(o.field(&c), f.Value.String()); err != nil {
				return c, fmt.Errorf("config: --%s: %w", o.name, err)
			}
		}
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

func (c *Config) loadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var values map[string]yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&values); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	for key, node := range values {
		o, ok := findOption(key)
		if !ok {
			return fmt.Errorf("config: %s line %d: unknown setting %q", path, node.Line, key)
		}
		if err := set(o.field(c), node.Value); err != nil {
			return fmt.Errorf("config: %s line %d: %s: %w", path, node.Line, key, err)
		}
	}
	return nil
}

func findOption(name string) (option, bool) {
	for _, o := range options {
		if o.name == name {
			return o, true
		}
	}
	return option{}, false
}

func set(field any, v string) error {
	switch p := field.(type) {
	case *string:
		*p = v
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want a whole number")
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a whole number")
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("want a duration such as 30s or 2m")
		}
		*p = d
	}
	return nil
}

// Dump writes the effective settings as "name = value" lines, secrets masked.
func (c Config) Dump() string {
	var lines []string
	for _, o := range options {
		v := fmt.Sprint(deref(o.field(&c)))
		if o.secret && v != "" {
			v = redact.Mask
		}
		if _, isString := o.field(&c).(*string); isString {
			v = redact.URL(v) // a registry-url may carry an api_key or a password
		}
		lines = append(lines, fmt.Sprintf("%s = %s", o.name, v))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func deref(p any) any {
	switch p := p.(type) {
	case *string:
		return *p
	case *bool:
		return *p
	case *int:
		return *p
	case *int64:
		return *p
	case *time.Duration:
		return *p
	}
	return p
}
