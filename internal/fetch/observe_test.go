package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

func TestObserverSeesEveryHop(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/gone", http.StatusFound) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var mu sync.Mutex
	var seen []string
	observe := func(status int, class string) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%d %s", status, class))
	}
	open := testClient(t, Options{AllowNets: LoopbackNets, Observe: observe})
	open.Get(context.Background(), Request{URL: srv.URL + "/moved"})
	closed := testClient(t, Options{Observe: observe})
	closed.Get(context.Background(), Request{URL: srv.URL + "/moved"})
	want := []string{"302 private-allowed", "410 private-allowed", "0 refused"}
	if !slices.Equal(seen, want) {
		t.Errorf("observed %q, want %q", seen, want)
	}
}
