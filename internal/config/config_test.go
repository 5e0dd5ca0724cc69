package config

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "qlink.yaml")
	if err := os.WriteFile(file, []byte("addr: 127.0.0.1:9000\nharvest-workers: 7\nfetch-timeout: 5s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"QLINK_CONFIG": file, "QLINK_HARVEST_WORKERS": "3", "QLINK_DATA_DIR": "/env/data"}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	Bind(fs)
	if err := fs.Parse([]string{"--data-dir", "/flag/data"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(fs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" {
		t.Errorf("addr from file: got %q", c.Addr)
	}
	if c.Harvest.Workers != 3 {
		t.Errorf("env must beat file: workers = %d", c.Harvest.Workers)
	}
	if c.DataDir != "/flag/data" {
		t.Errorf("flag must beat env: data-dir = %q", c.DataDir)
	}
	if c.Fetch.Timeout != 5*time.Second {
		t.Errorf("fetch-timeout = %v", c.Fetch.Timeout)
	}
	if c.Fetch.PerHostConcurrency != Default().Fetch.PerHostConcurrency {
		t.Errorf("unset option lost its default")
	}
}

func TestLoadErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{name: "unknown file key", file: "adr: x\n", want: `line 1: unknown setting "adr"`},
		{name: "bad number in file", file: "harvest-workers: many\n", want: "harvest-workers: want a whole number"},
		{name: "bad env duration", env: map[string]string{"QLINK_FETCH_TIMEOUT": "soon"}, want: "QLINK_FETCH_TIMEOUT"},
		{name: "invalid combination", env: map[string]string{"QLINK_HARVEST_WORKERS": "0"}, want: "harvest-workers must be at least 1"},
		{name: "bad base url", env: map[string]string{"QLINK_BASE_URL": "example.org"}, want: "base-url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			if tc.file != "" {
				f := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
				if err := os.WriteFile(f, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
				env["QLINK_CONFIG"] = f
			}
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			Bind(fs)
			_, err := Load(fs, func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestDumpMasksSecrets(t *testing.T) {
	c := Default()
	c.SecretKey = "kek-passphrase"
	out := c.Dump()
	if strings.Contains(out, "kek-passphrase") || !strings.Contains(out, "secret-key = ********") {
		t.Errorf("dump leaks or omits the secret:\n%s", out)
	}
}

func TestDumpMasksCredentialsInURLs(t *testing.T) {
	c := Default()
	c.RegistryURL = "https://operator:hunter2@backend.example.org/connectapi/v1/providers/?api_key=k3y&limit=50"
	out := c.Dump()
	if strings.Contains(out, "hunter2") || strings.Contains(out, "k3y") {
		t.Errorf("dump leaks a credential:\n%s", out)
	}
	want := "registry-url = https://operator:********@backend.example.org/connectapi/v1/providers/?api_key=********&limit=50"
	if !strings.Contains(out, want) {
		t.Errorf("dump lacks %q:\n%s", want, out)
	}
}

func TestSecretKeyFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "qlink-secret")
	if err := os.WriteFile(file, []byte("correct horse battery staple\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	load := func(env map[string]string, args ...string) (Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		Bind(fs, "data-dir", "secret-key") // secret-key-file comes with secret-key
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return Load(fs, func(k string) string { return env[k] })
	}

	c, err := load(nil, "--secret-key-file", file)
	if err != nil {
		t.Fatal(err)
	}
	if secret, err := c.KeyEncryptionSecret(); err != nil || secret != "correct horse battery staple" {
		t.Errorf("from --secret-key-file: %q, %v", secret, err)
	}
	c, err = load(map[string]string{"QLINK_SECRET_KEY_FILE": file})
	if secret, _ := c.KeyEncryptionSecret(); err != nil || secret != "correct horse battery staple" {
		t.Errorf("from QLINK_SECRET_KEY_FILE: %q, %v", secret, err)
	}
	if strings.Contains(c.Dump(), "battery") {
		t.Errorf("the dump shows the secret:\n%s", c.Dump())
	}

	// Two places for one secret is a mistake waiting to happen: refused,
	// whichever way each is given.
	_, err = load(map[string]string{"QLINK_SECRET_KEY": "other"}, "--secret-key-file", file)
	if err == nil || !strings.Contains(err.Error(), "secret-key and secret-key-file are both set") {
		t.Errorf("both set: %v", err)
	}

	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o400)
	for path, want := range map[string]string{empty: "is empty", filepath.Join(dir, "missing"): "no such file"} {
		c, err := load(nil, "--secret-key-file", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.KeyEncryptionSecret(); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "secret-key-file") {
			t.Errorf("%s: got %v, want an error naming secret-key-file and %q", path, err, want)
		}
	}
}

func TestPublishForMap(t *testing.T) {
	h := HarvestConfig{PublishFor: "ALLIANCE=M1+M2, FAC=UNI"}
	got, err := h.PublishForMap()
	if err != nil || len(got) != 2 || len(got["ALLIANCE"]) != 2 || got["ALLIANCE"][1] != "M2" || got["FAC"][0] != "UNI" {
		t.Fatalf("PublishForMap = %v, %v", got, err)
	}
	for _, bad := range []string{"ALLIANCE", "=M1", "A=", "A=B+", "A=A"} {
		if _, err := (HarvestConfig{PublishFor: bad}).PublishForMap(); err == nil || !strings.Contains(err.Error(), "harvest-publish-for") {
			t.Errorf("%q: err = %v, want one naming harvest-publish-for", bad, err)
		}
	}
}

func TestAPISettings(t *testing.T) {
	c := Default()
	if c.API.Rate != 20 || c.API.Burst != 60 {
		t.Errorf("defaults: %+v", c.API)
	}
	c.API.TrustedProxies = "10.0.0.1, 192.168.0.0/16 ::ffff:10.1.1.1"
	got, err := c.API.TrustedProxyPrefixes()
	if err != nil || len(got) != 3 || got[0].String() != "10.0.0.1/32" || got[1].String() != "192.168.0.0/16" || got[2].String() != "10.1.1.1/32" {
		t.Errorf("prefixes: %v %v", got, err)
	}
	c.API.TrustedProxies = "10.0.0.1,proxy.example"
	c.API.Rate = -1
	c.API.SearchNewTexts = -1
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), `"proxy.example" is neither`) || !strings.Contains(err.Error(), "api-rate must not be negative") ||
		!strings.Contains(err.Error(), "search-new-texts must not be negative") {
		t.Errorf("validate: %v", err)
	}
}

func TestSnapshotURL(t *testing.T) {
	for in, want := range map[string][2]string{
		"s3://snapshots":               {"snapshots", ""},
		"s3://snapshots/":              {"snapshots", ""},
		"s3://snapshots/qlink/eu":      {"snapshots", "qlink/eu"},
		"s3://qlink-eu.example/blobs/": {"qlink-eu.example", "blobs"},
	} {
		c := Default()
		c.SnapshotURL = in
		bucket, prefix, err := c.SnapshotBucket()
		if err != nil || bucket != want[0] || prefix != want[1] {
			t.Errorf("%s: bucket %q prefix %q, %v; want %q %q", in, bucket, prefix, err, want[0], want[1])
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	for _, bad := range []string{"https://snapshots.example/x", "snapshots/x", "s3:///x", "s3://b/a//c", "s3://b/a/../c", "s3://b/x?region=eu"} {
		c := Default()
		c.SnapshotURL = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "snapshot-url") {
			t.Errorf("%s: %v, want an error naming snapshot-url", bad, err)
		}
	}
	c := Default()
	c.SnapshotURL = "s3://AKIDEXAMPLE:wJalrXUtnFEMI@snapshots/qlink"
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "AKIDEXAMPLE") || strings.Contains(err.Error(), "wJalrXUtnFEMI") {
		t.Errorf("credentials in the URL: %v", err)
	}
	env := map[string]string{"QLINK_SNAPSHOT_URL": "s3://snapshots/qlink"}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	Bind(fs)
	if c, err := Load(fs, func(k string) string { return env[k] }); err != nil || c.SnapshotURL != "s3://snapshots/qlink" {
		t.Errorf("from QLINK_SNAPSHOT_URL: %q, %v", c.SnapshotURL, err)
	}
}

func TestDatabaseURL(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "db-password")
	if err := os.WriteFile(file, []byte("s3cret/with@signs\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	load := func(env map[string]string, args ...string) (Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		Bind(fs, "database-url") // database-password-file comes with it
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return Load(fs, func(k string) string { return env[k] })
	}

	c, err := load(map[string]string{"QLINK_DATABASE_URL": "postgres://qlink@db.example:5432/qlink?sslmode=verify-full",
		"QLINK_DATABASE_PASSWORD_FILE": file})
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := c.DatabaseDSN()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if password, _ := u.User.Password(); err != nil || password != "s3cret/with@signs" || u.User.Username() != "qlink" ||
		u.Host != "db.example:5432" || u.Query().Get("sslmode") != "verify-full" {
		t.Errorf("DatabaseDSN = %q, %v: want the URL with the file's password", dsn, err)
	}
	if strings.Contains(c.Dump(), "s3cret") {
		t.Errorf("the dump shows the password:\n%s", c.Dump())
	}

	c, err = load(nil, "--database-url", "postgres://qlink:inline@db.example/qlink")
	if dsn, _ := c.DatabaseDSN(); err != nil || dsn != "postgres://qlink:inline@db.example/qlink" {
		t.Errorf("a URL with its own password: %q, %v", dsn, err)
	}
	if d := c.Dump(); strings.Contains(d, "inline") || !strings.Contains(d, "database-url = postgres://qlink:********@db.example/qlink") {
		t.Errorf("the dump must mask the URL's password:\n%s", d)
	}
	if c, _ := load(nil); c.DatabaseURL != "" {
		t.Errorf("the default is the embedded database, got %q", c.DatabaseURL)
	}

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"QLINK_DATABASE_URL": "postgres://qlink:inline@db/qlink", "QLINK_DATABASE_PASSWORD_FILE": file}, "give one"},
		{map[string]string{"QLINK_DATABASE_URL": "mysql://db/qlink"}, "must be a PostgreSQL URL"},
		{map[string]string{"QLINK_DATABASE_URL": "host=db dbname=qlink"}, "must be a PostgreSQL URL"},
		{map[string]string{"QLINK_DATABASE_PASSWORD_FILE": file}, "without database-url"},
	} {
		if _, err := load(tc.env); err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "inline") {
			t.Errorf("%v: got %v, want an error saying %q without the password", tc.env, err, tc.want)
		}
	}
	c, _ = load(map[string]string{"QLINK_DATABASE_URL": "postgres://qlink@db/qlink", "QLINK_DATABASE_PASSWORD_FILE": filepath.Join(dir, "missing")})
	if _, err := c.DatabaseDSN(); err == nil || !strings.Contains(err.Error(), "database-password-file") {
		t.Errorf("a missing password file: %v", err)
	}
}
