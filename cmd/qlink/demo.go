package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"qlink/internal/config"
	"qlink/internal/discovery"
	"qlink/internal/fetch"
	"qlink/internal/testfed"
)

func newDemoCmd() *cobra.Command {
	var institutions, coursesPer int
	var seed int64
	var dataDir string
	var refresh time.Duration
	var hostileNames []string
	var federationOnly bool
	var fedDNS string
	var fedPort int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Harvest a simulated federation of institutions and serve its catalogue",
		Long: `demo starts a simulated federation on this machine: a DNS server and one web server per
institution, each publishing a QualityLink manifest (by DNS TXT record or well-known URL)
and course data in several languages, as OOAPI, Edu-API, OCCAPI or an ELM file. The institutions and their courses are
generated from --seed and are fictional. qlink then imports the federation's registry,
discovers every manifest, harvests every source with a progress display, and serves the
catalogue. Everything runs offline on loopback. While it serves, the scheduler keeps
refreshing the sources as qlink serve does; --refresh 30s makes that happen every 30
seconds so it can be watched.

Without --data-dir the demo works in a temporary directory that is removed on exit. A
--data-dir directory (--data is the same flag) is created on first use; it must be new,
empty or made by an earlier qlink demo: the demo harvests every provider stored in its
data directory, and only from loopback. The demo reads no QLINK_DATA_DIR or config file
setting for it, so it never lands in an aggregator's directory by accident.

--database-url runs the demo on PostgreSQL instead, records, search and job queue alike
(the data directory keeps the keys, the dataset files and, without --snapshot-url, the
snapshots). It is read from the flag alone, never from QLINK_DATABASE_URL, and the
database must be empty, or the one an earlier demo filled with the same --data-dir.

--hostile adds one misbehaving institution per profile named (all: every one), after the
others, to watch each failure recorded with its cause:
` + hostileProfilesHelp() + `
--federation-only runs the simulated federation alone and prints its DNS address and port;
another qlink demo given them with --federation-dns and --federation-port harvests and
serves it. Each process then shows its own memory and CPU (bench/harvest.sh does this), and
the federation keeps its URLs while the harvesting demo is restarted on the same data
directory, so a second harvest finds nothing changed. With --refresh, the federation-only
process evolves the institutions at that interval. Given with --federation-only,
--federation-dns and --federation-port are where it listens: the same options and ports on
the same day start the federation again as it was, so a data directory harvested from one
that has stopped can be refreshed (bench/refresh-kept.sh does this).`,
		Example: `  qlink demo
  qlink demo --addr 127.0.0.1:9000 --institutions 40 --data-dir ./demo-data
  qlink demo --hostile gzip-bomb,redirect-loop,dns-rebinding
  qlink demo --database-url postgres://qlink@localhost/qlink_demo --data-dir ./demo-pg
  qlink demo --hostile all
  qlink demo --federation-only --institutions 1000 --courses-per-institution 100
  qlink demo --federation-dns 127.0.0.1:41797 --federation-port 38571 --data-dir ./big`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			hostile, err := testfed.HostileProfiles(hostileNames)
			if err != nil {
				return fmt.Errorf("--hostile: %w", err)
			}
			// The progress display says what the info log would.
			if !cmd.Flags().Changed("log-level") && os.Getenv(config.EnvName("log-level")) == "" {
				cfg.LogLevel = "warn"
			}
			log := newLogger(cfg)
			out := cmd.OutOrStdout()
			fedOpts := testfed.Options{Institutions: institutions, CoursesPerInstitution: coursesPer,
				Seed: seed, Logger: log, Hostile: hostile,
				Formats: []string{testfed.FormatOOAPI, testfed.FormatEduAPI, testfed.FormatOCCAPI, testfed.FormatELM}}
			joining := fedDNS != "" || fedPort != 0
			switch {
			case federationOnly:
				if fedOpts.DNSPort, err = federationDNSPort(fedDNS); err != nil {
					return err
				}
				fedOpts.Port = fedPort
				return runFederation(cmd.Context(), out, fedOpts, refresh)
			case joining && (fedDNS == "" || fedPort == 0):
				return errors.New("--federation-dns and --federation-port go together: both are printed by qlink demo --federation-only")
			case joining:
				for _, name := range []string{"institutions", "courses-per-institution", "seed", "hostile"} {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("--%s describes the federation: give it to the qlink demo --federation-only that runs it", name)
					}
				}
			}

			if dataDir == "" {
				tmp, err := os.MkdirTemp("", "qlink-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dataDir = tmp
			}
			fresh, err := claimDemoDir(dataDir)
			if err != nil {
				return err
			}
			cfg.DataDir = dataDir
			if !cmd.Flags().Changed("database-url") {
				// Only the flag: an operator's QLINK_DATABASE_URL must never
				// receive the simulated institutions.
				cfg.DatabaseURL, cfg.DatabasePasswordFile = "", ""
			}

			// Bind first, so a busy port fails before the harvest.
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w (choose another with --addr)", cfg.Addr, err)
			}
			defer ln.Close()

			var fed *testfed.Federation // nil when another process runs it
			if joining {
				fmt.Fprintf(out, "Simulated federation run by another process: DNS at %s, web servers on port %d\n", fedDNS, fedPort)
			} else {
				if fed, err = testfed.Start(cmd.Context(), fedOpts); err != nil {
					return fmt.Errorf("starting the simulated federation: %w", err)
				}
				defer fed.Close()
				fedDNS, fedPort = fed.DNSAddr(), fed.Port()
				fmt.Fprintf(out, "Simulated federation: %d institutions, DNS at %s, web servers on port %d\n", institutions+len(hostile), fedDNS, fedPort)
			}

			cfg.RegistryURL, cfg.AlliancesURL = testfed.RegistryURLAt(fedPort), testfed.AlliancesURLAt(fedPort)
			a, err := openApp(cmd.Context(), cfg, log, federationNetwork(fedDNS, fedPort))
			if err != nil {
				return err
			}
			defer a.Close()
			if fresh && cfg.DatabaseURL != "" {
				if err := refuseUsedDatabase(cmd.Context(), a); err != nil {
					return err
				}
			}
			sum, err := runHarvest(cmd.Context(), a, out, "demo", nil)
			if err != nil {
				return err
			}
			if err := a.offerRefreshes(cmd.Context()); err != nil {
				return err
			}
			srv, err := a.webServer("Demo: the institutions and courses in this catalogue are simulated, generated by qlink demo.")
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\nCatalogue ready with %d courses: http://%s/  (API: http://%s/api/v1/courses?q=data)\n",
				sum.Courses, ln.Addr(), ln.Addr())
			if refresh > 0 {
				fmt.Fprintf(out, "Every source is refreshed every %s (--refresh); the runs show in qlink runs and the API.\n", refresh)
				if fed != nil {
					fmt.Fprintln(out, "Between refreshes the simulated institutions edit, withdraw and add a course, and one server fails for a round.")
					go evolveEvery(cmd.Context(), fed, refresh, out)
				}
			}
			fmt.Fprintln(out, "Press Ctrl-C to stop.")
			return serveNode(cmd.Context(), a, ln, srv.Handler(), true, refresh)
		},
	}
	cmd.Flags().IntVar(&institutions, "institutions", 25, "number of simulated institutions")
	cmd.Flags().IntVar(&coursesPer, "courses-per-institution", 0, "courses each simulated institution publishes (default: 40 to 90, as the seed draws)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed for the generated institutions and courses")
	cmd.Flags().DurationVar(&refresh, "refresh", 0, "refresh every source at this interval while serving, instead of its manifest's (e.g. 30s, to watch refreshes happen)")
	cmd.Flags().StringSliceVar(&hostileNames, "hostile", nil, "add one misbehaving institution per profile named, comma-separated, or all (profiles listed above)")
	cmd.Flags().BoolVar(&federationOnly, "federation-only", false, "run the simulated federation alone, without harvesting it, and print the flags to harvest it from another qlink demo")
	cmd.Flags().StringVar(&fedDNS, "federation-dns", "", "harvest the simulated federation another process runs: its DNS address, as qlink demo --federation-only prints it")
	cmd.Flags().IntVar(&fedPort, "federation-port", 0, "the web servers' port of that federation (with --federation-dns)")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "data directory to keep the demo's database and index, alias --data (default: a temporary directory)")
	cmd.Flags().SetNormalizeFunc(demoFlagAlias)
	config.Bind(cmd.Flags(), "addr", "log-level", "log-format", "harvest-workers", "refresh-min-interval", "snapshot-url", "database-url")
	return cmd
}

// hostileProfilesHelp lists the hostile profiles, one a line.
func hostileProfilesHelp() string {
	var b strings.Builder
	for _, p := range testfed.Profiles {
		fmt.Fprintf(&b, "  %-20s %s\n", p.Name, p.Description)
	}
	return b.String()
}

// demoFlagAlias keeps --data, the demo's name for --data-dir before every
// command used one name, working.
func demoFlagAlias(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if name == "data" {
		name = "data-dir"
	}
	return pflag.NormalizedName(name)
}

// demoMarker marks a data directory qlink demo created.
const demoMarker = ".qlink-demo"

// claimDemoDir lets the demo use dir only when it is new, empty or marked
// as a demo's: the demo harvests every provider stored in its data
// directory, so an aggregator's directory must never be one. fresh says
// that the demo claimed it now.
func claimDemoDir(dir string) (fresh bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return false, fmt.Errorf("demo data directory: %w", err)
		}
	case err != nil:
		return false, fmt.Errorf("demo data directory: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err == nil {
			return false, nil
		}
		return false, fmt.Errorf("%s is not a demo data directory (it holds files but no %s marker): the demo harvests every provider stored in its data directory, so it refuses one it did not create; give --data-dir a new or empty directory", dir, demoMarker)
	}
	return true, os.WriteFile(filepath.Join(dir, demoMarker), []byte("created by qlink demo; qlink demo only runs on directories holding this file\n"), 0o640)
}

// refuseUsedDatabase refuses a PostgreSQL database that holds providers
// for a demo starting on a new data directory: the demo harvests every
// provider stored, so only an empty database, or the one an earlier demo
// filled (given its data directory again), may be a demo's.
func refuseUsedDatabase(ctx context.Context, a *app) error {
	ps, err := a.store.ListProviders(ctx)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return fmt.Errorf("the database of --database-url holds %d providers: the demo harvests every provider stored, so it starts only on an empty database "+
			"(or on the one an earlier demo filled, given that demo's --data-dir again)", len(ps))
	}
	return nil
}

// demoNetwork points discovery and fetching at the simulated federation.
func demoNetwork(fed *testfed.Federation) network {
	return federationNetwork(fed.DNSAddr(), fed.Port())
}

// federationNetwork points discovery and fetching at a simulated
// federation: its DNS server at dnsAddr, its web servers on port. Its
// institutions live on loopback addresses, which the fetcher refuses
// unless told otherwise; it is told to open loopback alone, not the
// private networks around this machine.
func federationNetwork(dnsAddr string, port int) network {
	return network{resolver: testfed.ResolverAt(dnsAddr), allowNets: fetch.LoopbackNets,
		discovery: discovery.Options{Scheme: "http", Port: strconv.Itoa(port)}}
}

// federationDNSPort returns the port of the DNS address a federation-only
// demo is told to listen on (0: any free port); the host must be 127.0.0.1,
// where the federation's DNS server always listens.
func federationDNSPort(addr string) (int, error) {
	if addr == "" {
		return 0, nil
	}
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || host != "127.0.0.1" || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("--federation-dns %q: the simulated federation's DNS server listens on 127.0.0.1:<port>", addr)
	}
	return n, nil
}

// runFederation runs the simulated federation alone until ctx ends, for a
// demo in another process to harvest; with evolve set, its institutions
// change at that interval.
func runFederation(ctx context.Context, out io.Writer, opts testfed.Options, evolve time.Duration) error {
	fed, err := testfed.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("starting the simulated federation: %w", err)
	}
	defer fed.Close()
	fmt.Fprintf(out, "Simulated federation: %d institutions, DNS at %s, web servers on port %d\n",
		opts.Institutions+len(opts.Hostile), fed.DNSAddr(), fed.Port())
	fmt.Fprintf(out, "Registry: %s\n", fed.RegistryURL())
	fmt.Fprintf(out, "Harvest it from another process: qlink demo --federation-dns %s --federation-port %d\n", fed.DNSAddr(), fed.Port())
	if evolve > 0 {
		go evolveEvery(ctx, fed, evolve, out)
	}
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
	<-ctx.Done()
	return nil
}

// evolveEvery changes the simulated federation a little every interval, so
// that refreshes find something: course history, inactive courses and a
// failing source show up in the demo.
func evolveEvery(ctx context.Context, fed *testfed.Federation, interval time.Duration, out io.Writer) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			ev := fed.Evolve()
			failing := "no server fails"
			if ev.Failing != "" {
				failing = ev.Failing + "'s servers fail"
			}
			fmt.Fprintf(out, "Round %d of the simulated federation: %s edited, %s withdrawn, %s added; %s this round.\n",
				ev.Round, ev.Edited.CourseID, ev.Withdrawn.CourseID, ev.Added.CourseID, failing)
		}
	}
}
