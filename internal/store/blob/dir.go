// Package blob stores raw harvested bytes by content address, so identical
// pages across runs take space once and every run can show exactly what it
// read. Dir keeps them in a directory; an S3-compatible store can take its
// place for scale-out.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"qlink/internal/store"
)

// Dir is a blob store in a local directory, fanned out over 256
// subdirectories by the key's first byte, as git does: deep enough to keep
// directories small, shallow enough that a fresh store does not spend its
// time creating directories.
type Dir struct{ root string }

var _ store.Blobs = (*Dir)(nil)

// NewDir opens (and creates) a blob directory.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{root: root}, nil
}

// keyOf is the content address of data: its SHA-256 in lower-case hex.
func keyOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkKey refuses anything but a key keyOf could have made, so that a
// key is one file or object name and can never climb out of the store.
func checkKey(key string) error {
	if len(key) != sha256.Size*2 || strings.Trim(key, "0123456789abcdef") != "" {
		return fmt.Errorf("blob: malformed key %q", key)
	}
	return nil
}

// fanOut is where a blob lives below the store's root: in one of 256
// directories named by the key's first byte.
func fanOut(key string) string { return key[:2] + "/" + key }

func (d *Dir) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(fanOut(key))), nil
}

// Put writes data unless a blob with the same content exists. It writes to
// a temporary file and renames it, so a crash never leaves a torn blob.
// The write time is set from time.Now: the kernel stamps files with the
// clock of its last tick, milliseconds behind, and a blob written just
// after a sweep's cut-off would look written before it.
func (d *Dir) Put(ctx context.Context, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	key := keyOf(data)
	p, _ := d.path(key)
	if _, err := os.Stat(p); err == nil {
		// Renew the write time: a sweep must not take what a run was
		// just given. If it vanished meanwhile, write it again.
		now := time.Now()
		if err := os.Chtimes(p, now, now); err == nil {
			return key, nil
		}
	}
	// The fan-out directory exists for all but the first blobs written
	// to it: making it only when creating the file fails saves a call
	// per blob.
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(p), 0o750); err == nil {
			tmp, err = os.CreateTemp(filepath.Dir(p), ".tmp-*")
		}
	}
	if err != nil {
		return "", fmt.Errorf("blob: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	now := time.Now()
	if err := errors.Join(werr, cerr, os.Chtimes(tmp.Name(), now, now)); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("blob: writing %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("blob: %w", err)
	}
	return key, nil
}

// Get reads a blob; a missing one is store.ErrNotFound.
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return data, nil
}

// Delete removes the blob if it was last written before writtenBefore.
// Put renews the write time of content it finds already there, so a run
// that was just handed this key keeps it.
func (d *Dir) Delete(ctx context.Context, key string, writtenBefore time.Time) (bool, error) {
	p, err := d.path(key)
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blob: %w", err)
	}
	if !info.ModTime().Before(writtenBefore) {
		return false, nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("blob: %w", err)
	}
	return true, nil
}

// Each calls fn for every blob, skipping temporary files of writes in
// progress and anything that is not a blob.
func (d *Dir) Each(ctx context.Context, fn func(key string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fans, err := os.ReadDir(d.root)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	for _, fan := range fans {
		if !fan.IsDir() || len(fan.Name()) != 2 {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(d.root, fan.Name()))
		if err != nil {
			return fmt.Errorf("blob: %w", err)
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			if _, perr := d.path(e.Name()); perr != nil || e.Name()[:2] != fan.Name() {
				continue
			}
			if err := fn(e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}
