package web

import (
	"crypto/hmac"
	"encoding/base64"
	"strings"
	"time"

	"qlink/internal/store"
)

// Known devices. MaxFailures wrong passwords in a row lock an account, and
// anyone can send them: on its own the lockout lets a stranger keep an
// operator out. So a browser an operator has signed in from keeps a
// signed cookie naming the account, and the lockout that strangers cause
// does not apply to it ("device cookies", as OWASP describes them). A
// known device's own failures count against that device alone, in memory:
// after MaxFailures of them within Lockout it is a stranger again until
// the window ends. The cookie carries a MAC over the account's password
// hash, so setting a new password forgets every device.

const (
	deviceCookie = "qlink_device"
	// deviceTTL is how long a browser stays known after its last sign-in.
	deviceTTL = 365 * 24 * time.Hour
)

// deviceToken is the cookie for a browser acct signed in from: the name,
// a nonce that tells this browser from the account's others, and the MAC.
func (s *Server) deviceToken(acct store.Account) string {
	name := base64.RawURLEncoding.EncodeToString([]byte(acct.Name))
	nonce := randomToken()[:22]
	return name + "." + nonce + "." + s.deviceMAC(acct, nonce)
}

func (s *Server) deviceMAC(acct store.Account, nonce string) string {
	return s.mac("device", acct.Name+"\x00"+nonce+"\x00"+acct.PasswordHash)
}

// knownDevice returns the nonce of token when it is a device cookie made
// for acct with its current password, else "".
func (s *Server) knownDevice(token string, acct store.Account) string {
	if len(token) > 512 {
		return ""
	}
	name, rest, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	nonce, mac, ok := strings.Cut(rest, ".")
	if !ok || nonce == "" || name != base64.RawURLEncoding.EncodeToString([]byte(acct.Name)) {
		return ""
	}
	if !hmac.Equal([]byte(mac), []byte(s.deviceMAC(acct, nonce))) {
		return ""
	}
	return nonce
}
