package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"qlink/internal/config"
	"qlink/internal/model"
	"qlink/internal/quality"
	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
	"qlink/internal/source"
	srcelm "qlink/internal/source/elm"
)

// errValidateFailed makes `qlink validate` exit non-zero after printing
// the report.
var errValidateFailed = errors.New("validation failed: see the violations above")

// validateFormats maps --format values to RDF syntaxes; the JSON API
// formats map to FormatUnknown and go through their source adapter.
var validateFormats = map[string]rdf.Format{
	"ttl": rdf.FormatTurtle, "rdfxml": rdf.FormatRDFXML, "jsonld": rdf.FormatJSONLD,
	quality.FormatOOAPI: rdf.FormatUnknown, quality.FormatEduAPI: rdf.FormatUnknown, quality.FormatOCCAPI: rdf.FormatUnknown,
}

func validateFormatNames() []string {
	names := make([]string, 0, len(validateFormats))
	for n := range validateFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func newValidateCmd() *cobra.Command {
	var format, schac string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate <file | url | -> [--format ttl|rdfxml|jsonld|ooapi|edu-api|occapi] [--json]",
		Short: "Check course data against the QualityLink application profile",
		Long: `validate checks one document the way the aggregator checks every harvested record: against
the QualityLink application profile (SHACL shapes, ELM 3.3), with the EU vocabulary concepts
built in; for OOAPI, Edu-API and OCCAPI input also the policy checks (a course belongs to its
publisher; identifiers are unique within a provider). It prints, per course, each broken rule in plain words with the field it
concerns, and a completeness score (title, learning outcomes, language, ISCED-F thematic
area, EQF level, ECTS credits, enrolment link), then counts per rule.

ELM files (Turtle, RDF/XML, JSON-LD; either ELM namespace) are checked as they are. OOAPI,
Edu-API and OCCAPI documents (one saved response, as for "qlink convert") are converted with
the harvest's adapter and checked through their ELM form, so every format meets the same
rules; fields are then named as that format calls them. --format is needed for those, and
for a .json file; otherwise the file extension or the served type decides.

A URL is fetched like "qlink check" fetches: public addresses only, with the size and time
limits of the aggregator. The exit code is 0 when no rule is broken at violation severity
and 1 otherwise; --json prints the report for machines.`,
		Example: `  qlink validate catalogue.ttl
  qlink validate --format ooapi --schac uni-lindenau.de courses-page-1.json
  qlink validate --json https://www.example.ac.at/courses.ttl | jq '.records[].violations'`,
		Args: oneArg("the data to check (a file, a URL or - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			name := args[0]
			if format != "" {
				if _, ok := validateFormats[format]; !ok {
					return fmt.Errorf("--format %q: choose one of %s", format, strings.Join(validateFormatNames(), ", "))
				}
			}
			body, served, err := readInput(cmd, cfg, name)
			if err != nil {
				return err
			}
			provider := model.Provider{ID: cmp.Or(schac, "local"), SCHAC: schac}
			res, err := validateDocument(cmd.ErrOrStderr(), body, name, served, format, provider)
			if err != nil {
				return err
			}
			if err := printValidation(cmd.OutOrStdout(), res, asJSON); err != nil {
				return err
			}
			if !res.Conforms() {
				return errValidateFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "format of the input: "+strings.Join(validateFormatNames(), ", ")+" (default: from the file extension or served type)")
	cmd.Flags().StringVar(&schac, "schac", "", "SCHAC code of the publishing institution (for course identifiers of OOAPI, Edu-API and OCCAPI input)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	config.Bind(cmd.Flags(), "contact-url", "fetch-timeout", "fetch-max-body")
	return cmd
}

// validation is what `qlink validate` reports on one document.
type validation struct {
	Source  string                 `json:"source"`
	Format  string                 `json:"format"`
	Summary model.QualitySummary   `json:"summary"`
	Records []quality.CourseReport `json:"records"`
}

func (v validation) Conforms() bool {
	return !slices.ContainsFunc(v.Records, func(c quality.CourseReport) bool { return !c.Conforms() })
}

// validateDocument checks one document. Adapter warnings go to warn, as
// `qlink convert` prints them.
func validateDocument(warn io.Writer, body []byte, name, served, format string, provider model.Provider) (validation, error) {
	if format == "" {
		f, err := detectValidateFormat(name, served)
		if err != nil {
			return validation{}, err
		}
		format = f
	}
	res := validation{Source: name, Format: format}
	if syntax := validateFormats[format]; syntax != rdf.FormatUnknown {
		base := ""
		if rdf.IsAbsolute(name) {
			base = name
		}
		g, err := rdfio.LoadGraph(bytes.NewReader(body), syntax, rdf.Options{Base: base, Limits: srcelm.DefaultLimits})
		if err != nil {
			return res, fmt.Errorf("%s: not valid %s: %w", name, format, err)
		}
		res.Records = quality.CheckGraph(g).Records
	} else {
		specs, err := convertDocument(warn, body, name, served, format, provider)
		if err != nil {
			return res, err
		}
		res.Records = quality.CheckRecords(specs, provider, nil)
	}
	if len(res.Records) == 0 {
		return res, fmt.Errorf("%s: no course records found (as %s)", name, format)
	}
	res.Summary = quality.Summarise(provider.ID, name, res.Records)
	return res, nil
}

// convertDocument maps a JSON API document with the harvest's adapter,
// exactly as `qlink convert` does.
func convertDocument(warn io.Writer, body []byte, name, served, format string, provider model.Provider) ([]model.Specification, error) {
	conv, ok := adapters()[format].(source.Converter)
	if !ok {
		return nil, fmt.Errorf("--format %q has no converter", format)
	}
	out := &convertOutput{}
	err := conv.Convert(body, source.Config{URL: name, ContentType: served, Provider: provider, Now: nowUTC()}, out)
	for _, w := range out.warnings {
		fmt.Fprintln(warn, "warning:", w)
	}
	return out.specs, err
}

// detectValidateFormat picks the RDF syntax from the served type or the
// file extension. A .json file may be JSON-LD or an API payload, so it
// needs --format.
func detectValidateFormat(name, served string) (string, error) {
	f, ok := rdf.DetectFormat(served, name)
	ext := strings.ToLower(path.Ext(strings.SplitN(name, "?", 2)[0]))
	if !ok || (f == rdf.FormatJSONLD && ext == ".json" && served == "") {
		return "", fmt.Errorf("%s: cannot tell the format; give --format (%s)", name, strings.Join(validateFormatNames(), ", "))
	}
	for n, syntax := range validateFormats {
		if syntax == f {
			return n, nil
		}
	}
	return "", fmt.Errorf("%s: %v is not a format validate reads; give --format (%s)", name, f, strings.Join(validateFormatNames(), ", "))
}

func printValidation(w io.Writer, v validation, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	s := v.Summary
	fmt.Fprintf(w, "%s (%s): %d records, %d conform; %d courses, average completeness %.0f%%\n",
		v.Source, v.Format, s.Records, s.Conforming, s.Courses, s.AverageScore)
	for _, c := range v.Records {
		fmt.Fprintf(w, "\n%s %s", c.Kind, c.Record)
		if cp := c.Completeness; cp != nil {
			fmt.Fprintf(w, " — completeness %d%%", cp.Score)
			if len(cp.Missing) > 0 {
				fmt.Fprintf(w, " (missing: %s)", strings.Join(cp.Missing, ", "))
			}
		}
		fmt.Fprintln(w)
		if len(c.Violations) == 0 {
			fmt.Fprintln(w, "  no rule broken")
		}
		for _, vi := range c.Violations {
			fmt.Fprintf(w, "  %-9s %s [%s]\n", vi.Severity, vi.Explanation, vi.Rule)
			fmt.Fprintf(w, "            field %s", fieldName(vi, v.Format))
			if vi.Node != c.Record {
				fmt.Fprintf(w, " at %s", vi.Node)
			}
			if vi.Value != "" {
				fmt.Fprintf(w, ", value %q", vi.Value)
			}
			fmt.Fprintln(w)
		}
	}
	if len(s.Rules) > 0 {
		fmt.Fprintln(w, "\nRules broken:")
		for _, r := range s.Rules {
			fmt.Fprintf(w, "  %3d× in %d records  %s [%s]\n", r.Violations, r.Records, r.Explanation, r.Rule)
		}
	}
	if v.Conforms() {
		fmt.Fprintln(w, "\nResult: PASS")
	} else {
		fmt.Fprintln(w, "\nResult: FAIL")
	}
	return nil
}

// fieldName names the field as the document's own format calls it: the
// JSON field for OOAPI, Edu-API and OCCAPI where known, else the ELM
// property.
func fieldName(v quality.Violation, format string) string {
	if f, ok := v.Fields[format]; ok {
		return f + " (" + v.Property + ")"
	}
	return v.Property
}
