package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"qlink/internal/store"
)

// cancelingStore cancels the request it serves as it reads courses, as a
// client that closes its connection mid-answer does.
type cancelingStore struct {
	store.Store
	cancel context.CancelFunc
}

func (c cancelingStore) CoursesByID(ctx context.Context, ids []string) ([]store.Course, error) {
	c.cancel()
	return c.Store.CoursesByID(ctx, ids)
}

// A search whose client went away fails, but it is not the server's error:
// it is logged at debug level, not as an error. Any other failure still
// is.
func TestClientGoneIsNotLoggedAsAnError(t *testing.T) {
	var logs bytes.Buffer
	var cs *cancelingStore
	ts := newTestServer(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cs = &cancelingStore{Store: o.Store}
		o.Store = cs
	})
	handler := ts.Config.Handler
	for _, path := range []string{"/api/v1/courses?q=data", "/?q=data"} {
		logs.Reset()
		ctx, cancel := context.WithCancel(context.Background())
		cs.cancel = cancel
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, "GET", path, nil))
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("%s, client gone: logged an error:\n%s", path, logs.String())
		}
		if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "context canceled") {
			t.Errorf("%s, client gone: no debug record of the failure:\n%s", path, logs.String())
		}

		// A failure while the client still waits is an error.
		logs.Reset()
		cs.cancel = func() {}
		failing, stop := context.WithCancel(context.Background())
		stop()
		cs.Store = failingCourses{cs.Store, failing}
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		cs.Store = cs.Store.(failingCourses).Store
		if !strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("%s: a failure with the client there was not logged as an error:\n%s", path, logs.String())
		}
	}
}

// failingCourses reads courses under a context already canceled: the
// store fails on its own, the request still live.
type failingCourses struct {
	store.Store
	ctx context.Context
}

func (f failingCourses) CoursesByID(_ context.Context, ids []string) ([]store.Course, error) {
	return f.Store.CoursesByID(f.ctx, ids)
}
