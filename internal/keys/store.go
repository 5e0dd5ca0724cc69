package keys

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Storage keeps the sealed key document. The file implementation is the
// embedded default; a database implementation can replace it when keys
// move into PostgreSQL.
type Storage interface {
	// Load returns the stored document, or nil when there is none yet.
	Load(ctx context.Context) ([]byte, error)
	// Update calls fn with the stored document (nil when there is none)
	// and stores what fn returns, unless that is nil. From the read to the
	// write it holds a lock that excludes every other Update, in any
	// process, so that concurrent starts and rotations cannot lose keys.
	Update(ctx context.Context, fn func(current []byte) ([]byte, error)) error
}

// FileStorage keeps the document in one JSON file, replaced atomically
// and never readable by others (mode 0600). Updates are serialised by an
// advisory lock on Path+".lock".
type FileStorage struct {
	Path string
}

// Load reads the file.
func (f FileStorage) Load(context.Context) ([]byte, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return b, nil
}

// Update runs fn under the lock and writes its result atomically.
func (f FileStorage) Update(ctx context.Context, fn func([]byte) ([]byte, error)) error {
	unlock, err := lockFile(ctx, f.Path+".lock")
	if err != nil {
		return fmt.Errorf("keys: locking %s: %w", f.Path, err)
	}
	defer unlock()
	cur, err := f.Load(ctx)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil || next == nil {
		return err
	}
	return writeAtomic(f.Path, next)
}

// writeAtomic replaces path with data: a reader sees the old file or the
// new one, never a mix, even across a crash.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keys: %w", err)
	}
	return syncDir(dir)
}

// writeTemp writes data to a new 0600 file in dir and syncs it.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".qlink-keys-*.tmp")
	if err != nil {
		return "", fmt.Errorf("keys: %w", err)
	}
	name := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("keys: %w", err)
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// MemoryStorage keeps the document in memory: for tests, and for tools
// that need a throw-away ring.
type MemoryStorage struct {
	mu  sync.Mutex
	doc []byte
}

// Load returns a copy of the document.
func (m *MemoryStorage) Load(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.doc == nil {
		return nil, nil
	}
	return append([]byte(nil), m.doc...), nil
}

// Update runs fn under the storage's mutex.
func (m *MemoryStorage) Update(_ context.Context, fn func([]byte) ([]byte, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var cur []byte
	if m.doc != nil {
		cur = append([]byte(nil), m.doc...)
	}
	next, err := fn(cur)
	if err != nil || next == nil {
		return err
	}
	m.doc = next
	return nil
}
