//go:build !linux

package main

import (
	"errors"
	"io"
	"os"
)

func isTerminal(*os.File) bool { return false }

func readHidden(*os.File, io.Writer, string) (string, error) {
	return "", errors.New("asking for a password is supported on Linux only; use --password-stdin")
}
