package password

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; Verify reads the parameters from the hash.
var cheap = Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h, err := Hash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with its parameters", h)
	}
	if ok, err := Verify("correct horse battery", h); !ok || err != nil {
		t.Errorf("the right password: %v, %v", ok, err)
	}
	if ok, err := Verify("correct horse batterx", h); ok || err != nil {
		t.Errorf("a wrong password: %v, %v", ok, err)
	}
	h2, _ := Hash("correct horse battery", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no fresh salt")
	}
}

func TestDefaultIsRFC9106SecondOption(t *testing.T) {
	if Default.Time != 3 || Default.Memory != 64*1024 || Default.Threads != 4 || Default.SaltLen != 16 || Default.KeyLen != 32 {
		t.Errorf("Default = %+v", Default)
	}
	h, err := Hash("a long enough passphrase", Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "$m=65536,t=3,p=4$") {
		t.Errorf("hash %q", h)
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		if _, err := Verify("x", h); !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify(%q): err = %v, want ErrMalformed", h, err)
		}
	}
}

func TestCheckRefusesWeakPasswords(t *testing.T) {
	for _, tc := range []struct{ pw, reason string }{
		{"short1!", "at least 12"},
		{"aaaaaaaaaaaaaaaa", "too few different"},
		{"ops-admin-2026-xyz", "account name"},
		{"Password12345", "common password"},
	} {
		err := Check("ops-admin", tc.pw)
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("Check(%q) = %v, want a reason with %q", tc.pw, err, tc.reason)
		}
	}
	if err := Check("ops", "tram lantern cobalt river"); err != nil {
		t.Errorf("a good passphrase refused: %v", err)
	}
}
