package redact

import (
	"log/slog"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	cases := map[string]string{
		"https://backend.deqar.eu/connectapi/v1/providers/?api_key=s3cr3t&page=2":    "https://backend.deqar.eu/connectapi/v1/providers/?api_key=********&page=2",
		"https://operator:hunter2@registry.example.org/providers":                    "https://operator:********@registry.example.org/providers",
		"https://x.example/p?apikey=a&token=b&access_token=c&Secret=d&password=e":    "https://x.example/p?apikey=********&token=********&access_token=********&Secret=********&password=********",
		"https://x.example/p?sig=a&signature=b&X-Amz-Signature=c&subscription-key=d": "https://x.example/p?sig=********&signature=********&X-Amz-Signature=********&subscription-key=********",
		"https://x.example/p?client_secret=a&refresh_token=b&key=c&sort=name":        "https://x.example/p?client_secret=********&refresh_token=********&key=********&sort=name",
		"https://x.example/p?q=data%20science&page=1":                                "https://x.example/p?q=data%20science&page=1",
		"https://user@x.example/p":                                                   "https://user@x.example/p",
		"providers.json":                                                             "providers.json",
		"":                                                                           "",
	}
	for in, want := range cases {
		if got := URL(in); got != want {
			t.Errorf("URL(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestURLNeverShowsTheSecret(t *testing.T) {
	for _, in := range []string{
		"https://a:topsecret@x.example/?api%5Fkey=topsecret",
		"http://x.example/?access-token=topsecret#frag",
		"https://x.example/?token=topsecret&token=topsecret",
	} {
		if got := URL(in); strings.Contains(got, "topsecret") {
			t.Errorf("URL(%q) = %q", in, got)
		}
	}
}

// A URL logged as LogURL is masked in the record written.
func TestLogURLIsMaskedWhenWritten(t *testing.T) {
	var out strings.Builder
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Debug("fetched", "url", LogURL("https://x.example/courses?api_key=topsecret&page=2"))
	if got := out.String(); strings.Contains(got, "topsecret") || !strings.Contains(got, "api_key=********&page=2") {
		t.Errorf("logged %q", got)
	}
}
