package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// QLINK_CPU_PROFILE's file holds a profile for go tool pprof (gzipped).
func TestCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.out")
	stop := cpuProfile(path)
	sum := 0
	for i := range 20_000_000 {
		sum += i % 7
	}
	stop()
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Errorf("profile of %d bytes (%v), want a gzipped profile (sum %d)", len(data), err, sum)
	}
	cpuProfile("")() // unset: nothing to do
}
