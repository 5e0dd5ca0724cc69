package testfed

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// testNow is the reference date of the tests: mid spring term, so that
// courses have past, running and future offerings.
var testNow = time.Date(2026, time.March, 16, 0, 0, 0, 0, time.UTC)

var testOpts = Options{Now: testNow, Misbehaving: true}

var (
	sharedOnce sync.Once
	sharedFed  *Federation
	sharedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range []*Federation{sharedFed, formatsFed} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close:", err)
			code = 1
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// shared returns a federation started with testOpts, shared by the tests
// and closed by TestMain.
func shared(t *testing.T) *Federation {
	t.Helper()
	sharedOnce.Do(func() { sharedFed, sharedErr = Start(context.Background(), testOpts) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedFed
}

// client returns an HTTP client that resolves through the federation.
func client(t *testing.T, f *Federation) *http.Client {
	d := &net.Dialer{Resolver: f.Resolver(), Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// get fetches url with optional header pairs and returns the response with
// its body read.
func get(t *testing.T, c *http.Client, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp, body
}
