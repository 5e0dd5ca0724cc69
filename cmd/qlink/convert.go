package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/fetch"
	"qlink/internal/model"
	modelelm "qlink/internal/model/elm"
	"qlink/internal/rdf"
	"qlink/internal/source"
)

func newConvertCmd() *cobra.Command {
	var from, to, schac, contentType, outPath string
	cmd := &cobra.Command{
		Use:   "convert --from <format> <file | url | -> [--to json|ttl|nq|jsonld]",
		Short: "Convert one file or saved API response to qlink's model or to ELM",
		Long: `convert maps a single document (a local file, a URL, or standard input) with the same
source adapter the harvest uses, prints what it makes of it, and lists every warning
(one per record and field) on standard error. Use it to see how a payload will look in
the catalogue before publishing it.

--from is the source type: ` + strings.Join(convertFormats(), ", ") + `. For paged APIs the
document is one saved response: a page ({"items": ...}), an array, or a single record.
Course identifiers are minted under --schac, the institution's SCHAC code.

For --from elm the RDF syntax comes from --content-type, else the served type, else the
file extension (.ttl, .rdf, .xml, .jsonld, .json); both ELM namespaces are read.

--to json prints the canonical model (the course records qlink stores); --to ttl, nq and
jsonld print it as ELM 3.3 shaped by the QualityLink application profile (Turtle, N-Quads
with one named graph per institution, or JSON-LD compacted with qlink's context).`,
		Example: `  qlink convert --from ooapi --schac uni-lindenau.de courses-page-1.json
  curl -s https://api.example.org/ooapi/v5/courses | qlink convert --from ooapi --schac example.org -
  qlink convert --from elm --schac example.ac.at --to ttl catalogue.rdf
  qlink convert --from ooapi --schac uni-lindenau.de --to jsonld courses-page-1.json`,
		Args: oneArg("the payload to convert (a file, a URL or - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			conv, ok := adapters()[from].(source.Converter)
			if !ok {
				return fmt.Errorf("--from %q: choose one of %s", from, strings.Join(convertFormats(), ", "))
			}
			if _, ok := outputFormats[to]; !ok {
				return fmt.Errorf("--to %q: choose json, ttl, nq or jsonld", to)
			}
			body, served, err := readInput(cmd, cfg, args[0])
			if err != nil {
				return err
			}
			out := &convertOutput{}
			scfg := source.Config{URL: args[0], ContentType: cmp.Or(contentType, served),
				Provider: model.Provider{ID: cmp.Or(schac, "local"), SCHAC: schac}, Now: nowUTC()}
			cerr := conv.Convert(body, scfg, out)
			for _, w := range out.warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			if cerr != nil {
				if from == "elm" && contentType == "" && !strings.Contains(args[0], "://") {
					return fmt.Errorf("%w (for a local file or standard input, give --content-type)", cerr)
				}
				return cerr
			}
			return writeConverted(cmd, outPath, to, out.specs, scfg.Provider)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "source type of the input: "+strings.Join(convertFormats(), ", "))
	cmd.Flags().StringVar(&to, "to", "json", "output format: json (qlink's model), ttl, nq or jsonld (ELM 3.3)")
	cmd.Flags().StringVar(&schac, "schac", "", "SCHAC code of the publishing institution (for course identifiers)")
	cmd.Flags().StringVar(&contentType, "content-type", "", "media type of the input, when its name or server does not say")
	cmd.Flags().StringVarP(&outPath, "output", "o", "", "write to this file instead of standard output")
	cmd.MarkFlagRequired("from")
	config.Bind(cmd.Flags(), "contact-url", "fetch-timeout", "fetch-max-body")
	return cmd
}

func convertFormats() []string {
	var names []string
	for name, a := range adapters() {
		if _, ok := a.(source.Converter); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// readInput reads a file, standard input ("-") or a URL (through the
// guarded fetcher, so convert cannot be pointed at internal services).
func readInput(cmd *cobra.Command, cfg config.Config, arg string) (body []byte, contentType string, err error) {
	switch {
	case arg == "-":
		body, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), cfg.Fetch.MaxBodyBytes))
		return body, "", err
	case strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://"):
		resp, err := newFetcher(cfg, network{}, newLogger(cfg)).Get(cmd.Context(), fetch.Request{URL: arg,
			Header: http.Header{"Accept": {"application/json, text/turtle, application/ld+json, application/rdf+xml;q=0.9, */*;q=0.5"}}})
		if err != nil {
			return nil, "", err
		}
		return resp.Body, resp.ContentType, nil
	}
	body, err = os.ReadFile(arg)
	return body, "", err
}

type convertOutput struct {
	specs    []model.Specification
	warnings []source.Warning
}

func (c *convertOutput) Spec(s model.Specification) { c.specs = append(c.specs, s) }
func (c *convertOutput) Warn(w source.Warning)      { c.warnings = append(c.warnings, w) }

// outputFormats maps --to values to ELM syntaxes; json is the model itself.
var outputFormats = map[string]rdf.Format{"json": rdf.FormatUnknown, "ttl": rdf.FormatTurtle, "nq": rdf.FormatNQuads, "jsonld": rdf.FormatJSONLD}

func writeConverted(cmd *cobra.Command, path, to string, specs []model.Specification, provider model.Provider) error {
	w := cmd.OutOrStdout()
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if f := outputFormats[to]; f != rdf.FormatUnknown {
		return modelelm.Write(w, f, specs, []model.Provider{provider})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(specs)
}

func nowUTC() time.Time { return time.Now().UTC() }
