package harvest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"qlink/internal/fetch/auth"
	"qlink/internal/manifest"
)

func TestAuthConfigRefusesWrongTypes(t *testing.T) {
	cases := []struct {
		name  string
		block map[string]any
		field string
		want  string
	}{
		{"scope a number", map[string]any{"token_endpoint": "https://idp.uni.example/token", "scope": 7}, "auth.scope", "string or a list"},
		{"scope list with a number", map[string]any{"scope": []any{"a", 7}}, "auth.scope", "string or a list"},
		{"header name a number", map[string]any{"field": 5.0}, "auth.field", "must be a string, not float64"},
		{"client id an object", map[string]any{"client_id": map[string]any{}}, "auth.client_id", "must be a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := manifest.Source{Type: manifest.TypeOOAPI, ID: "courses", Auth: manifest.Auth{Type: "oauth2.0", Other: tc.block}}
			_, err := authConfig(src)
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Field != tc.field || ae.Source != "id:courses" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an *auth.Error on %s saying %q", err, tc.field, tc.want)
			}
		})
	}
}

func TestAuthConfigTranslatesTheBlock(t *testing.T) {
	src := manifest.Source{Type: manifest.TypeOOAPI, Path: "https://api.uni.example/", Auth: manifest.Auth{Type: "oauth2.0", Other: map[string]any{
		"token_endpoint": "https://idp.uni.example/token", "client_id": "qlink", "client_secret": "not encrypted",
		"scope": []any{"courses.read offerings.read", "x"}, "alg": "ed25519"}}}
	cfg, err := authConfig(src)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != "ooapi https://api.uni.example/" || cfg.Method != "oauth2.0" || cfg.TokenEndpoint != "https://idp.uni.example/token" ||
		cfg.ClientID != "qlink" || cfg.Alg != "ed25519" || !slices.Equal(cfg.Scopes, []string{"courses.read", "offerings.read", "x"}) {
		t.Errorf("config %+v", cfg)
	}
	if cfg.Value != nil || cfg.ClientSecret == nil {
		t.Fatalf("value present: %v, client secret present: %v", cfg.Value != nil, cfg.ClientSecret != nil)
	}
	// The secret goes through the manifest's checks: plaintext is refused.
	if _, err := cfg.ClientSecret(nil); !errors.Is(err, manifest.ErrSecretPlaintext) {
		t.Errorf("plaintext client secret: %v", err)
	}
}
