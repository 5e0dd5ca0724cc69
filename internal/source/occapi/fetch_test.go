package occapi

import (
	"testing"

	"qlink/internal/source"
)

func TestHostOf(t *testing.T) {
	tests := []struct{ in, host string }{
		{"https://api.uni.test/occapi/v2/hei/uni.test", "api.uni.test"},
		{"http://api.uni.test:8080?x=1", "api.uni.test:8080"},
		{"HTTPS://api.uni.test/", "api.uni.test"},
		{"https://user@evil.test/", ""},
		{"https:///path", ""},
		{"/relative", ""},
		{"ftp://api.uni.test/", ""},
	}
	for _, tt := range tests {
		host, ok := source.HostOf(tt.in)
		if host != tt.host || ok != (tt.host != "") {
			t.Errorf("hostOf(%q) = %q, %v", tt.in, host, ok)
		}
	}
	if got := source.ResolveURL("https://a.test/x/y", "z?page=2"); got != "https://a.test/x/z?page=2" {
		t.Errorf("resolve: %s", got)
	}
}
