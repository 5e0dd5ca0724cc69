// Package password hashes and checks operators' passwords with argon2id.
//
// A hash is stored as a PHC string, $argon2id$v=19$m=65536,t=3,p=4$salt$key,
// so it carries the parameters it was made with: Verify reads them from
// the hash, and raising Default later leaves old hashes valid.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// Default is RFC 9106's second recommended option (section 4): t=3,
// m=64 MiB, p=4, 128-bit salt, 256-bit tag; the first option's 2 GiB per
// sign-in is more than a small server should spend.
var Default = Params{Time: 3, Memory: 64 * 1024, Threads: 4, SaltLen: 16, KeyLen: 32}

// Hash derives a PHC-formatted argon2id hash of pw with fresh salt.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is a stored hash that is no argon2id PHC string qlink reads.
var ErrMalformed = errors.New("password: malformed argon2id hash")

// Verify reports whether pw matches the hash, comparing in constant time.
func Verify(pw, hash string) (bool, error) {
	p, salt, key, err := parse(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// maxMemory bounds the memory a stored hash may ask for (1 GiB), so a
// tampered row cannot make one sign-in exhaust the server.
const maxMemory = 1 << 20

func parse(hash string) (Params, []byte, []byte, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, fmt.Errorf("%w: version %q", ErrMalformed, parts[2])
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters %q", ErrMalformed, parts[3])
	}
	if p.Time == 0 || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters %q out of range", ErrMalformed, parts[3])
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return Params{}, nil, nil, fmt.Errorf("%w: salt or key", ErrMalformed)
	}
	return p, salt, key, nil
}

// MinLength is the shortest password accepted, in characters. Length is
// what makes a password hard to guess; no rules on character classes.
const MinLength = 12

// maxLength keeps hashing cheap to ask for: argon2 reads all of it.
const maxLength = 1024

// common are passwords found first by any guesser, beyond the length rule.
var common = []string{"password", "passw0rd", "qwerty", "123456", "letmein", "welcome", "admin", "qlink", "changeme", "iloveyou"}

// Check says why a password for the named account is too weak, or nil.
func Check(name, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return fmt.Errorf("the password has %d characters; it needs at least %d", n, MinLength)
	case len(pw) > maxLength:
		return fmt.Errorf("the password is longer than %d bytes", maxLength)
	case distinctRunes(pw) < 5:
		return errors.New("the password repeats too few different characters; use a passphrase of several words")
	case name != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(name)):
		return errors.New("the password contains the account name")
	}
	lower := strings.ToLower(pw)
	for _, c := range common {
		if strings.Contains(lower, c) && utf8.RuneCountInString(strings.ReplaceAll(lower, c, "")) < MinLength/2 {
			return fmt.Errorf("the password is mostly the common password %q", c)
		}
	}
	return nil
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}
