package main

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/keys"
)

// keysFile and kekFile are the key ring's files in the data directory.
const (
	keysFile = "keys.json"
	kekFile  = "keys.kek"
)

// openKeys opens the aggregator's key ring in the keys directory (the
// data directory unless keys-dir is set),
// creating it when the directory has none: only init and the demo reach
// here without an instance.
func openKeys(ctx context.Context, cfg config.Config) (*keys.Ring, error) {
	secret, err := cfg.KeyEncryptionSecret()
	if err != nil {
		return nil, err
	}
	return keys.Open(ctx, keys.FileStorage{Path: filepath.Join(cfg.KeyDir(), keysFile)},
		keys.Options{Secret: secret, KEKFile: filepath.Join(cfg.KeyDir(), kekFile)})
}

// keySecretInDataDir says where the key-encryption secret sits when it is
// inside the data directory or beside the keys, where a copy or backup of
// the directory carries it along with the keys it opens; "" when it is
// kept elsewhere.
func keySecretInDataDir(cfg config.Config) string {
	switch {
	case cfg.SecretKey != "":
		return ""
	case cfg.SecretKeyFile == "":
		return filepath.Join(cfg.KeyDir(), kekFile)
	case within(cfg.DataDir, cfg.SecretKeyFile) || within(cfg.KeyDir(), cfg.SecretKeyFile):
		return cfg.SecretKeyFile
	}
	return ""
}

// within reports whether path lies inside dir (symbolic links aside).
func within(dir, path string) bool {
	absDir, err1 := filepath.Abs(dir)
	absPath, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(absDir, absPath)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// warnKeySecretPlacement tells the operator, once at start-up, when the
// key-encryption secret lives in the data directory.
func warnKeySecretPlacement(log *slog.Logger, cfg config.Config) {
	where := keySecretInDataDir(cfg)
	if where == "" {
		return
	}
	log.Warn("the key-encryption secret is in the data directory, so a copy or backup of the directory opens the private key and every stored OAuth secret; "+
		"keep it outside with secret-key-file (QLINK_SECRET_KEY_FILE), e.g. a systemd LoadCredential or a root-only file, and the keys are resealed under it at the next start",
		"secret", where, "data_dir", cfg.DataDir)
}

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Show, rotate and retire the aggregator's keys; encrypt secrets for manifests",
		Long: `The aggregator has an RSA key that institutions encrypt manifest secrets for (the
httpheader value, the OAuth client_secret) and two signing keys for RFC 9421 HTTP Message
Signatures (ed25519 and rsa-pss-sha512). They are created by qlink init and kept in
keys.json in the data directory, their private parts encrypted under a secret: the file
named by --secret-key-file (best: keep it outside the data directory, e.g. a systemd
credential or a root-only file, so a backup of the directory holds no usable key), or
--secret-key (visible in ps and the environment), or, with neither, the generated keys.kek
next to keys.json. Back up the secret apart from the data directory.

The public keys are published at /api/v1/public-key, /api/v1/public-key/pem and
/api/v1/signing-keys.`,
		Example: `  qlink keys show --data-dir /var/lib/qlink
  qlink keys rotate --overlap 720h
  qlink keys retire
  # a secret for a manifest, typed into no command line:
  printf '%s' "$API_KEY" | qlink keys encrypt --public-key aggregator.pem -
  # the same with openssl:
  printf '%s' "$API_KEY" | openssl pkeyutl -encrypt -pubin -inkey aggregator.pem \
    -pkeyopt rsa_padding_mode:oaep | base64 -w0`,
	}
	cmd.AddCommand(newKeysShowCmd(), newKeysRotateCmd(), newKeysRetireCmd(), newKeysEncryptCmd())
	return cmd
}

// keysCommand builds a subcommand that opens the ring from the data
// directory and hands it to run.
func keysCommand(c *cobra.Command, run func(cmd *cobra.Command, cfg config.Config, ring *keys.Ring, args []string) error) *cobra.Command {
	c.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := loadInstanceConfig(cmd)
		if err != nil {
			return err
		}
		ring, err := openKeys(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		return run(cmd, cfg, ring, args)
	}
	config.Bind(c.Flags(), "data-dir", "database-url", "secret-key")
	return c
}

func newKeysShowCmd() *cobra.Command {
	return keysCommand(&cobra.Command{
		Use:   "show",
		Short: "List the current keys and the older ones still accepted",
		Long: `show lists every key the aggregator accepts: per algorithm the current key and any older
key in its overlap window, with its id (the RFC 7638 JWK thumbprint, also the RFC 9421
keyid) and SHA-256 fingerprint. Check a PEM against the fingerprint with
  openssl pkey -pubin -in key.pem -outform DER | openssl dgst -sha256`,
		Example: `  qlink keys show --data-dir /var/lib/qlink`,
		Args:    cobra.NoArgs,
	}, func(cmd *cobra.Command, _ config.Config, ring *keys.Ring, _ []string) error {
		printKeys(cmd.OutOrStdout(), ring.Keys())
		return nil
	})
}

func printKeys(out io.Writer, ks []keys.Key) {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALGORITHM\tSTATE\tKEY ID\tCREATED\tSHA-256 FINGERPRINT")
	for _, alg := range keys.Algorithms {
		for _, k := range ks {
			if k.Alg != alg {
				continue
			}
			state := "current"
			if !k.Current() {
				state = "accepted until " + k.RetireAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Alg, state, k.ID, k.Created.UTC().Format(time.RFC3339), k.Fingerprint())
		}
	}
	tw.Flush()
	for _, k := range ks {
		if pub, ok := k.Public.(*rsa.PublicKey); ok && k.Alg == keys.AlgRSAOAEP && k.Current() {
			fmt.Fprintf(out, "\nSecrets for manifests may be up to %d bytes (OAEP SHA-1) or %d bytes (SHA-256).\n",
				keys.MaxPlaintext(pub, false), keys.MaxPlaintext(pub, true))
		}
	}
}

func newKeysRotateCmd() *cobra.Command {
	var overlap time.Duration
	var only string
	cmd := keysCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Make new keys; the old ones stay accepted for an overlap window",
		Long: `rotate creates new keys and makes them current: new manifest secrets must be encrypted for
the new public key, and requests are signed with the new signing keys. The old keys keep
decrypting existing manifest secrets, and stay published for signature verifiers, until
the overlap ends: give publishers that long to re-encrypt. A running server picks the new
keys up within five minutes.

OAuth client secrets registered with qlink credentials are re-encrypted for the new key at
once; manifest secrets are the publishers' to re-encrypt.`,
		Example: `  qlink keys rotate                      # all keys, 30 days of overlap
  qlink keys rotate --overlap 2160h      # 90 days
  qlink keys rotate --only signing       # the RFC 9421 keys only`,
		Args: cobra.NoArgs,
	}, func(cmd *cobra.Command, cfg config.Config, ring *keys.Ring, _ []string) error {
		algs, err := rotationAlgorithms(only)
		if err != nil {
			return err
		}
		if overlap < 0 {
			return errors.New("--overlap must not be negative")
		}
		st, err := openStore(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		defer st.Close()
		// Decrypted before rotating: with --overlap 0 the old key is
		// gone as soon as Rotate returns.
		clients, err := decryptClients(cmd.Context(), st, ring)
		if err != nil {
			return err
		}
		fresh, err := ring.Rotate(cmd.Context(), overlap, algs...)
		if err != nil {
			return err
		}
		for _, k := range fresh {
			fmt.Fprintf(cmd.OutOrStdout(), "new %s key %s\n", k.Alg, k.ID)
		}
		if err := reencryptClients(cmd.Context(), st, ring, clients, cmd.OutOrStdout()); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "the previous keys are accepted until %s\n\n", time.Now().Add(overlap).UTC().Format(time.RFC3339))
		printKeys(cmd.OutOrStdout(), ring.Keys())
		return nil
	})
	cmd.Flags().DurationVar(&overlap, "overlap", 720*time.Hour, "how long the replaced keys stay accepted")
	cmd.Flags().StringVar(&only, "only", "", `rotate only "secrets" (the RSA-OAEP key) or "signing" (the RFC 9421 keys)`)
	return cmd
}

func rotationAlgorithms(only string) ([]string, error) {
	switch only {
	case "":
		return keys.Algorithms, nil
	case "secrets":
		return []string{keys.AlgRSAOAEP}, nil
	case "signing":
		return keys.SigningAlgorithms, nil
	}
	return nil, fmt.Errorf(`--only %q: want "secrets" or "signing"`, only)
}

func newKeysRetireCmd() *cobra.Command {
	var force bool
	cmd := keysCommand(&cobra.Command{
		Use:   "retire [key-id...]",
		Short: "End the overlap window of replaced keys now",
		Long: `retire stops accepting replaced keys before their overlap window ends, and deletes them:
manifest secrets encrypted for them no longer decrypt, and their sources fail with a message
asking the publisher to re-encrypt. Without arguments every replaced key is retired; the
current keys cannot be (rotate first).

Registered OAuth client secrets still encrypted for a retiring key are re-encrypted for the
current one first. A secret in a provider's current manifest that only a retiring key
decrypts stops the retirement, naming the source; --force retires anyway.`,
		Example: `  qlink keys retire
  qlink keys retire 0bXv9pN3hW2...`,
	}, func(cmd *cobra.Command, cfg config.Config, ring *keys.Ring, args []string) error {
		if err := releaseRetiringKeys(cmd, cfg, ring, args, force); err != nil {
			return err
		}
		retired, err := ring.Retire(cmd.Context(), args...)
		if err != nil {
			return err
		}
		if len(retired) == 0 {
			fmt.Fprintln(cmd.OutOrStdout(), "no replaced keys to retire")
		}
		for _, id := range retired {
			fmt.Fprintln(cmd.OutOrStdout(), "retired", id)
		}
		return nil
	})
	cmd.Flags().BoolVar(&force, "force", false, "retire even when current manifests hold secrets only the retiring keys decrypt")
	return cmd
}

// releaseRetiringKeys moves the registered OAuth clients off the keys
// about to be retired and refuses, unless forced, while a current
// manifest still needs one of them.
func releaseRetiringKeys(cmd *cobra.Command, cfg config.Config, ring *keys.Ring, ids []string, force bool) error {
	retiring := retiringSecretKeys(ring, ids)
	if len(retiring) == 0 {
		return nil
	}
	st, err := openStore(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	clients, err := decryptClients(cmd.Context(), st, ring)
	if err != nil {
		return err
	}
	if err := reencryptClients(cmd.Context(), st, ring, clients, cmd.OutOrStdout()); err != nil {
		return err
	}
	secrets, err := manifestSecrets(cmd.Context(), st, ring)
	if err != nil {
		return err
	}
	if err := stillNeeded(retiring, secrets); err != nil && !force {
		return err
	}
	return nil
}

func newKeysEncryptCmd() *cobra.Command {
	var useSHA256 bool
	var pemFile string
	cmd := &cobra.Command{
		Use:   "encrypt [--sha256] [--public-key FILE] <secret | ->",
		Short: "Encrypt a secret for a manifest's auth block",
		Long: `encrypt prints the base64 value to put in a manifest: auth.value of an httpheader source,
or auth.client_secret of an oauth2.0 source. The secret is encrypted with RSA-OAEP for the
aggregator's public key, read from --public-key (download it from the aggregator's
/api/v1/public-key/pem) or, on the aggregator itself, from the data directory.

Give "-" to read the secret from standard input, so it stays out of your shell history;
a final newline is not part of the secret. The result is the same as openssl's:
  openssl pkeyutl -encrypt -pubin -inkey aggregator.pem -pkeyopt rsa_padding_mode:oaep \
    -in secret.txt | base64 -w0
(add -pkeyopt rsa_oaep_md:sha256 for --sha256). Every run gives a different value; all
of them decrypt.`,
		Example: `  curl -so aggregator.pem https://courses.example.org/api/v1/public-key/pem
  printf '%s' "$API_KEY" | qlink keys encrypt --public-key aggregator.pem -
  qlink keys encrypt --data-dir /var/lib/qlink --sha256 - < secret.txt`,
		Args: oneArg("the secret to encrypt (or - to read it from standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			secret, err := readSecret(cmd.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			pub, err := encryptionKey(cmd, pemFile)
			if err != nil {
				return err
			}
			value, err := keys.EncryptSecret(pub, []byte(secret), useSHA256)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), value)
			return nil
		},
	}
	cmd.Flags().BoolVar(&useSHA256, "sha256", false, "use SHA-256 for OAEP instead of SHA-1 (openssl's default)")
	cmd.Flags().StringVar(&pemFile, "public-key", "", "PEM file with the aggregator's public key (default: the key in the data directory)")
	config.Bind(cmd.Flags(), "data-dir", "secret-key")
	return cmd
}

func readSecret(in io.Reader, arg string) (string, error) {
	secret := arg
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(in, 64<<10))
		if err != nil {
			return "", err
		}
		secret = strings.TrimRight(string(b), "\r\n")
	}
	if secret == "" {
		return "", errors.New("the secret is empty")
	}
	return secret, nil
}

// encryptionKey reads the key from a PEM file, or the current key from
// the data directory, which must already hold keys: a publisher who
// forgot --public-key should not get a fresh key nobody else knows.
func encryptionKey(cmd *cobra.Command, pemFile string) (*rsa.PublicKey, error) {
	if pemFile != "" {
		b, err := os.ReadFile(pemFile)
		if err != nil {
			return nil, err
		}
		return keys.ParsePublicKey(b)
	}
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	if checkInstance(cfg) != nil {
		return nil, fmt.Errorf("no keys in %s, which holds no qlink instance: give --public-key with the aggregator's key (from https://<aggregator>/api/v1/public-key/pem)", cfg.DataDir)
	}
	ring, err := openKeys(cmd.Context(), cfg)
	if err != nil {
		return nil, err
	}
	k, err := ring.Current(keys.AlgRSAOAEP)
	if err != nil {
		return nil, err
	}
	return k.Public.(*rsa.PublicKey), nil
}
