package config

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestAccountSettings(t *testing.T) {
	load := func(env map[string]string) (Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		Bind(fs)
		return Load(fs, func(k string) string { return env[k] })
	}
	c, err := load(map[string]string{"QLINK_SESSION_TTL": "2h", "QLINK_LOGIN_MAX_FAILURES": "3"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Accounts.SessionTTL != 2*time.Hour || c.Accounts.MaxFailures != 3 || c.Accounts.SessionIdle != time.Hour || c.Accounts.Lockout != 15*time.Minute {
		t.Errorf("accounts settings = %+v", c.Accounts)
	}
	for env, want := range map[string]string{"QLINK_SESSION_IDLE": "session-idle", "QLINK_LOGIN_LOCKOUT": "login-lockout"} {
		if _, err := load(map[string]string{env: "0s"}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=0s: err %v, want one naming %s", env, err, want)
		}
	}
}
