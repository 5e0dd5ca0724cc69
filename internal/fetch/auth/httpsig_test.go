package auth

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/htmsig"
	"github.com/lestrrat-go/htmsig/component"

	"qlink/internal/fetch"
	"qlink/internal/keys"
)

// sigServer is an institution's API that accepts only requests signed
// under the QualityLink profile by a key the aggregator publishes.
type sigServer struct {
	published func() []keys.Key
	now       func() time.Time

	mu       sync.Mutex
	accepted []sigInput
	refused  []error
	captured []*http.Request
}

func (s *sigServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in, err := s.check(r)
	s.mu.Lock()
	s.captured = append(s.captured, r.Clone(context.Background()))
	if err != nil {
		s.refused = append(s.refused, err)
	} else {
		s.accepted = append(s.accepted, in)
	}
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
	}
}

// check applies the profile: tag, @authority covered, created and
// expires present, at most an hour apart and around now, keyid published
// with the algorithm named, and a valid signature.
func (s *sigServer) check(r *http.Request) (sigInput, error) {
	in, err := verifySignature(r, SignatureLabel, func(keyid, alg string) (crypto.PublicKey, error) {
		for _, k := range s.published() {
			if k.ID == keyid && k.Alg == alg && slices.Contains(keys.SigningAlgorithms, alg) {
				return k.Public, nil
			}
		}
		return nil, fmt.Errorf("keyid %q with alg %q is not published", keyid, alg)
	})
	if err != nil {
		return in, err
	}
	tag, _ := in.param("tag")
	created, _ := in.param("created")
	expires, _ := in.param("expires")
	c, cok := created.(int64)
	e, eok := expires.(int64)
	now := s.now().Unix()
	switch {
	case tag != keys.SignatureTag:
		return in, fmt.Errorf("tag %v", tag)
	case !slices.ContainsFunc(in.components, func(it sfItem) bool { return it.name == "@authority" }):
		return in, errors.New("@authority not covered")
	case !cok || !eok || e <= c || e-c > 3600:
		return in, fmt.Errorf("created %v, expires %v", created, expires)
	case now < c-60 || now > e:
		return in, fmt.Errorf("not valid now (%d): created %d, expires %d", now, c, e)
	}
	return in, nil
}

func (s *sigServer) results() ([]sigInput, []error, []*http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted, s.refused, s.captured
}

func TestSignedRequests(t *testing.T) {
	ring := testRing(t)
	cases := []struct {
		name     string
		alg      any
		lifetime time.Duration
		wantAlg  string
		wantLife int64
	}{
		{"default algorithm", nil, 0, keys.AlgEd25519, 300},
		{"ed25519", "ed25519", 10 * time.Minute, keys.AlgEd25519, 600},
		{"rsa-pss-sha512", "rsa-pss-sha512", 2 * time.Hour, keys.AlgRSAPSS, 3600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &sigServer{published: ring.Keys, now: time.Now}
			srv, pool := tlsServer(t, s)
			c := fetcher(t, pool)
			block := map[string]any{"type": "httpsig"}
			if tc.alg != nil {
				block["alg"] = tc.alg
			}
			a, err := New(context.Background(), "P", config(block), Deps{Keys: ring, SignatureLifetime: tc.lifetime})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := c.Get(context.Background(), fetch.Request{URL: srv.URL + "/courses?pageNumber=2", Auth: a}); err != nil {
					t.Fatal(err)
				}
			}
			accepted, refused, captured := s.results()
			if len(accepted) != 2 || len(refused) != 0 {
				t.Fatalf("accepted %d, refused %v", len(accepted), refused)
			}
			key, _ := ring.Current(tc.wantAlg)
			in := accepted[0]
			keyid, _ := in.param("keyid")
			created, _ := in.param("created")
			expires, _ := in.param("expires")
			if alg, _ := in.param("alg"); alg != tc.wantAlg || keyid != key.ID || expires.(int64)-created.(int64) != tc.wantLife {
				t.Errorf("signature params %s", in.signatureParams())
			}
			// A second, independent implementation agrees.
			r := captured[0]
			ctx := component.WithRequestInfoFromHTTP(context.Background(), r)
			if err := htmsig.VerifyRequest(ctx, r.Header, key.Public); err != nil {
				t.Errorf("htmsig does not verify it: %v", err)
			}
			// Replayed at another institution, the signature is worthless.
			r.Host = "other-university.example"
			if _, err := s.check(r); err == nil {
				t.Error("the signature verified for another authority")
			}
		})
	}
}

func TestSignaturesFollowRotation(t *testing.T) {
	clk := newTestClock()
	dir := t.TempDir()
	ring, err := keys.Open(context.Background(), keys.FileStorage{Path: dir + "/keys.json"}, keys.Options{KEKFile: dir + "/kek", Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	s := &sigServer{published: ring.Keys, now: clk.now}
	srv, pool := tlsServer(t, s)
	c := fetcher(t, pool)
	a, err := New(context.Background(), "P", config(map[string]any{"type": "httpsig"}), Deps{Keys: ring, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	get := func() error { _, err := c.Get(context.Background(), fetch.Request{URL: srv.URL, Auth: a}); return err }
	old, _ := ring.Current(keys.AlgEd25519)
	if err := get(); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Rotate(context.Background(), time.Hour, keys.AlgEd25519); err != nil {
		t.Fatal(err)
	}
	clk.advance(10 * time.Minute)
	if err := get(); err != nil {
		t.Fatal(err)
	}
	accepted, _, _ := s.results()
	first, _ := accepted[0].param("keyid")
	second, _ := accepted[1].param("keyid")
	if first != old.ID || second == old.ID {
		t.Errorf("keyids %v then %v; the second should be the new key", first, second)
	}
}
