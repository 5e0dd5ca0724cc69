package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"qlink/internal/config"
	"qlink/internal/model"
	"qlink/internal/store"
)

// runMainEnv makes the test binary run qlink's main instead of the tests,
// so that signal tests exercise a real process with main's signal handling.
const runMainEnv = "QLINK_TEST_RUN_MAIN"

func init() {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
}

// hangDetector bounds the wait for something that should happen promptly;
// it catches a hang, it measures nothing.
const hangDetector = 10 * time.Second

// qlinkProcess is qlink running as a child process.
type qlinkProcess struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan error
}

func startQlink(t *testing.T, args ...string) *qlinkProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &qlinkProcess{cmd: cmd, lines: make(chan string, 1000), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody is waiting for more output
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		pw.Close()
		p.done <- err
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitFor reads the output until a line contains want.
func (p *qlinkProcess) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(3 * hangDetector)
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, want) {
				return
			}
		case err := <-p.done:
			t.Fatalf("qlink ended (%v) before printing %q", err, want)
		case <-deadline:
			t.Fatalf("qlink never printed %q", want)
		}
	}
}

// terminate sends SIGTERM and returns the exit code once qlink ended by
// itself: ended by the signal's default action (not handled) is a failure.
func (p *qlinkProcess) terminate(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("qlink was killed by %v instead of handling it", ws.Signal())
		}
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(hangDetector):
		t.Fatalf("qlink still running %s after SIGTERM", hangDetector)
	}
	return -1
}

// stalledServer answers nothing until the client gives up; requested
// receives each request's path as it arrives.
func stalledServer(t *testing.T) (srv *httptest.Server, requested chan string) {
	requested = make(chan string, 10)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case requested <- r.URL.Path:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, requested
}

// TestSIGTERMEndsServe also starts serve with --init on a new directory,
// as a container's first start does.
func TestSIGTERMEndsServe(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "qlink-data")
	p := startQlink(t, "serve", "--init", "--data-dir", cfg.DataDir, "--addr", "127.0.0.1:0")
	p.waitFor(t, "serving")
	if err := checkInstance(cfg); err != nil {
		t.Errorf("serve --init: %v", err)
	}
	if code := p.terminate(t); code != 0 {
		t.Errorf("serve ended with exit code %d, want 0", code)
	}
}

func TestSIGTERMEndsCheckWaitingOnAServer(t *testing.T) {
	srv, requested := stalledServer(t)
	p := startQlink(t, "check", "--allow-private", "--fetch-timeout", "10m", srv.URL+"/manifest.json")
	select {
	case <-requested:
	case <-time.After(3 * hangDetector):
		t.Fatal("check never asked the server")
	}
	p.terminate(t)
}

func TestSIGTERMEndsDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a federation")
	}
	p := startQlink(t, "demo", "--institutions", "2", "--addr", "127.0.0.1:0")
	p.waitFor(t, "Press Ctrl-C to stop")
	if code := p.terminate(t); code != 0 {
		t.Errorf("demo ended with exit code %d, want 0", code)
	}
}

// TestCancelEndsAHarvestWaitingOnASource: the context main cancels on
// SIGTERM reaches the fetch of a source run that a server holds up.
func TestCancelEndsAHarvestWaitingOnASource(t *testing.T) {
	srv, requested := stalledServer(t)
	cfg := config.Default()
	cfg.DataDir = newInstance(t)
	cfg.Fetch.AllowPrivateNetworks = true
	cfg.Fetch.Timeout = 10 * time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), network{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.store.UpsertProviders(ctx, []model.Provider{{ID: "P1", SCHAC: "uni.test", Name: model.Text{"en": "Uni"}}})
	entry := `{"type":"ooapi","path":"` + srv.URL + `/ooapi/v5/"}`
	srcs, err := a.store.SyncManifest(ctx, store.Manifest{ProviderID: "P1", URL: "x", FetchedAt: time.Now(), Body: []byte(entry)},
		[]store.Source{{Key: "k", Type: "ooapi", URL: srv.URL, Entry: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan store.Run, 1)
	go func() {
		run, _ := a.harvester.Source(ctx, srcs[0], "test")
		ended <- run
	}()
	select {
	case <-requested:
	case <-time.After(3 * hangDetector):
		t.Fatal("the run never asked the server")
	}
	cancel()
	select {
	case run := <-ended:
		if run.Status == store.RunOK {
			t.Errorf("a cancelled run was recorded as %s", run.Status)
		}
	case <-time.After(hangDetector):
		t.Fatalf("the source run still waits on the server %s after cancel", hangDetector)
	}
}
