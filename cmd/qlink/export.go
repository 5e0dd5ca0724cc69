package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/export"
)

func newExportCmd() *cobra.Command {
	var provider, country, format, output string
	cmd := &cobra.Command{
		Use:   "export --format nq|ttl|jsonld|csv|offerings.csv",
		Short: "Write the open dataset (all active courses) as N-Quads, Turtle, JSON-LD or CSV",
		Long: `export writes the catalogue's active courses as the open dataset's files hold them (see
/dataset on a running qlink serve), streamed from the database:
  nq             N-Quads, one named graph per institution (its DEQAR IRI, or urn:qlink:provider:<id>)
  ttl            Turtle, ELM 3.3 with prefixes
  jsonld         JSON-LD: one @graph of node objects, qlink's ELM 3.3 context inline
  csv            courses.csv: one row per course (columns documented on /dataset)
  offerings.csv  one row per offering of each course
--provider or --country limits it to one institution's or one country's courses.
The output is plain text, on standard output by default; a --output file whose name
ends in .gz is gzip-compressed, as the files /dataset serves are.

qlink serve regenerates the compressed files in <data-dir>/dataset after harvests; export
makes the same content on demand. It reads only the database, so it also works beside a
running qlink serve.`,
		Example: `  qlink export --format nq --output courses.nq.gz
  qlink export --format csv --provider uni-a > uni-a-courses.csv
  qlink export --format ttl --country DE --output -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := export.ParseFormat(format)
			if err != nil {
				return err
			}
			scope := export.All
			switch {
			case provider != "" && country != "":
				return errors.New("give --provider or --country, not both")
			case provider != "":
				scope = export.ProviderScope(provider)
			case country != "":
				scope = export.CountryScope(country)
			}
			st, _, err := openCmdStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			out, finish, err := exportOutput(cmd.OutOrStdout(), output)
			if err != nil {
				return err
			}
			write := export.Write
			if strings.HasSuffix(output, ".gz") {
				write = export.WriteCompressed
			}
			n, err := write(cmd.Context(), st, out, scope, f)
			if err = finish(err); err != nil {
				return err
			}
			if output != "" && output != "-" {
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d records to %s\n", n, output)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "nq, ttl, jsonld, csv (courses) or offerings.csv (required)")
	cmd.Flags().StringVar(&provider, "provider", "", "only this provider's courses (its ID)")
	cmd.Flags().StringVar(&country, "country", "", "only the courses of this country's institutions (ISO 3166-1 alpha-2)")
	cmd.Flags().StringVarP(&output, "output", "o", "-", "file to write (- for standard output); a name ending in .gz is compressed")
	cmd.MarkFlagRequired("format")
	config.Bind(cmd.Flags(), "data-dir", "database-url", "secret-key", "log-level", "log-format", "auto-migrate")
	return cmd
}

// exportOutput opens where export writes. The file is written aside and
// renamed into place by finish, so a failed export leaves no half file;
// finish gets the writing's error and returns the first of it and its own.
func exportOutput(stdout io.Writer, path string) (io.Writer, func(error) error, error) {
	if path == "" || path == "-" {
		return stdout, func(err error) error { return err }, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	finish := func(err error) error {
		err = errors.Join(err, tmp.Close())
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
		}
		return err
	}
	return tmp, finish, nil
}
