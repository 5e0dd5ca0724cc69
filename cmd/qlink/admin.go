package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/store"
	"qlink/internal/web/password"
)

func newAdminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage operator accounts, who sign in at /admin/login",
		Long: `Operators sign in at /admin/login with a name and password. Passwords are stored as
argon2id hashes (RFC 9106's second recommended parameters: 64 MiB, 3 passes, 4 lanes)
and must have at least 12 characters; a passphrase of a few words is best.

After 5 failed sign-ins in a row (serve's --login-max-failures) an account is locked
for 15 minutes (--login-lockout; "qlink admin unlock" lifts it at once) to every
browser but those the operator has signed in from: they keep a signed cookie for a
year and sign in through the lockout, so a stranger's wrong passwords cannot keep the
operator out. A known browser's own 5 failures make it a stranger for 15 minutes; a
new password forgets every browser. 20 failures from one address within that time
refuse the address for the rest of it, sign-ins still being checked counting as
failures. The server checks at most two passwords at once, eight more wait their turn
for up to 5 seconds, and others get 503. A session lasts at most 12 hours
(--session-ttl) and ends after an idle hour (--session-idle). Session cookies are
Secure, HttpOnly and SameSite=Lax, with the __Host- prefix when served over https
(directly, or behind a proxy with an https --base-url). Over plain HTTP, browsers keep
Secure cookies only from localhost and 127.0.0.1, so sign in over https or on the
machine itself.

These commands work on the database alone, beside a running qlink serve.`,
	}
	cmd.AddCommand(newAdminCreateCmd(), newAdminListCmd(), newAdminResetPasswordCmd(), newAdminUnlockCmd())
	return cmd
}

// accountName is what an operator may be called: it shows in the audit log.
var accountName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

func newAdminCreateCmd() *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "create <name>",
		Short: "Create an operator account; the password is asked for without echo, or read from standard input",
		Example: `  qlink admin create alice --data-dir /var/lib/qlink
  printf '%s\n' "$PASSWORD" | qlink admin create alice --password-stdin`,
		Args: oneArg("the account name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !accountName.MatchString(name) {
				return fmt.Errorf("account name %q: use 1 to 64 letters, digits and . _ @ -, starting with a letter or digit", name)
			}
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.Account(cmd.Context(), name); err == nil {
				return fmt.Errorf("account %q already exists; change its password with qlink admin reset-password %s", name, name)
			}
			hash, err := readNewPassword(cmd, name, fromStdin)
			if err != nil {
				return err
			}
			err = st.CreateAccount(cmd.Context(), store.Account{Name: name, PasswordHash: hash, CreatedAt: time.Now()})
			if errors.Is(err, store.ErrExists) {
				return fmt.Errorf("account %q already exists; change its password with qlink admin reset-password %s", name, name)
			}
			if err != nil {
				return err
			}
			auditCLI(cmd, st, "account.create", name)
			fmt.Fprintf(cmd.OutOrStdout(), "created operator %s; sign in at /admin/login\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input instead of asking")
	config.Bind(cmd.Flags(), "data-dir", "database-url")
	return cmd
}

func newAdminResetPasswordCmd() *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:     "reset-password <name>",
		Short:   "Give an operator a new password; this also unlocks the account and ends its sessions",
		Example: `  qlink admin reset-password alice --data-dir /var/lib/qlink`,
		Args:    oneArg("the account name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.Account(cmd.Context(), args[0]); err != nil {
				return fmt.Errorf("%w; see qlink admin list", err)
			}
			hash, err := readNewPassword(cmd, args[0], fromStdin)
			if err != nil {
				return err
			}
			if err := st.SetPassword(cmd.Context(), args[0], hash); err != nil {
				return err
			}
			auditCLI(cmd, st, "account.reset-password", args[0])
			fmt.Fprintf(cmd.OutOrStdout(), "new password set for %s; its sessions are ended\n", args[0])
			return nil
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input instead of asking")
	config.Bind(cmd.Flags(), "data-dir", "database-url")
	return cmd
}

func newAdminUnlockCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "unlock <name>",
		Short:   "Lift the lock that failed sign-ins put on an operator account",
		Example: `  qlink admin unlock alice --data-dir /var/lib/qlink`,
		Args:    oneArg("the account name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Unlock(cmd.Context(), args[0]); err != nil {
				return fmt.Errorf("%w; see qlink admin list", err)
			}
			auditCLI(cmd, st, "account.unlock", args[0])
			fmt.Fprintf(cmd.OutOrStdout(), "unlocked %s\n", args[0])
			return nil
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url")
	return cmd
}

func newAdminListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List operator accounts and whether they are locked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			accounts, err := st.ListAccounts(cmd.Context())
			if err != nil {
				return err
			}
			if len(accounts) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no operator accounts; create one with qlink admin create <name>")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCREATED\tFAILED SIGN-INS\tLOCKED UNTIL")
			now := time.Now()
			for _, a := range accounts {
				locked := "-"
				if a.Locked(now) {
					locked = a.LockedUntil.Local().Format(time.DateTime)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", a.Name, a.CreatedAt.Local().Format(time.DateOnly), a.FailedAttempts, locked)
			}
			return tw.Flush()
		},
	}
	config.Bind(cmd.Flags(), "data-dir", "database-url")
	return cmd
}

// readNewPassword reads a password (from stdin's first line, or twice
// from the terminal without echo), checks its strength and hashes it.
func readNewPassword(cmd *cobra.Command, name string, fromStdin bool) (string, error) {
	var pw string
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	} else {
		var err error
		if pw, err = promptTwice(cmd); err != nil {
			return "", err
		}
	}
	if err := password.Check(name, pw); err != nil {
		return "", fmt.Errorf("password refused: %w", err)
	}
	return password.Hash(pw, password.Default)
}

func promptTwice(cmd *cobra.Command) (string, error) {
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(in) {
		return "", errors.New("standard input is not a terminal, so the password cannot be asked for; give it on standard input with --password-stdin")
	}
	first, err := readHidden(in, cmd.ErrOrStderr(), "Password (at least 12 characters): ")
	if err != nil {
		return "", err
	}
	second, err := readHidden(in, cmd.ErrOrStderr(), "The same password again: ")
	if err != nil {
		return "", err
	}
	if first != second {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return first, nil
}

// auditCLI records an account change made on the command line; the actor
// is the operating-system user who ran it.
func auditCLI(cmd *cobra.Command, st store.Accounts, action, target string) {
	actor := os.Getenv("USER")
	if actor == "" {
		actor = "unknown"
	}
	err := st.AddAudit(cmd.Context(), store.AuditEntry{At: time.Now(), ActorKind: "cli", Actor: actor, Action: action, Target: target})
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: the audit log was not written: %v\n", err)
	}
}
