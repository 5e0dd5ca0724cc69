package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/model"
	"qlink/internal/sharedtest"
)

func TestConvertCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "page.json")
	os.WriteFile(in, []byte(`{"items":[{"courseId":"c1","primaryCode":{"code":"DS-1"},
		"name":[{"language":"nl","value":"Datawetenschap"},{"language":"en","value":"Data science"}],
		"teachingLanguage":"dut","fieldsOfStudy":"9999x"}]}`), 0o600)
	cases := []struct {
		args    []string
		wantErr string
		check   func(stdout, stderr string)
	}{
		{args: []string{"convert", "--from", "ooapi", "--schac", "uni.test", in}, check: func(stdout, stderr string) {
			var specs []model.Specification
			if err := json.Unmarshal([]byte(stdout), &specs); err != nil || len(specs) != 1 {
				t.Fatalf("output %q: %v", stdout, err)
			}
			if specs[0].ID != "urn:schac:uniqueCourseId:uni.test:DS-1" || specs[0].Title["nl"] != "Datawetenschap" {
				t.Errorf("spec %+v", specs[0])
			}
			if !strings.Contains(stderr, `fieldsOfStudy: "9999x" is not an ISCED-F 2013 code`) {
				t.Errorf("warnings: %q", stderr)
			}
		}},
		{args: []string{"convert", "--from", "csv", in}, wantErr: `--from "csv": choose one of`},
		{args: []string{"convert", "--from", "ooapi", filepath.Join(dir, "missing.json")}, wantErr: "no such file"},
		{args: []string{"convert", "--from", "ooapi", "http://127.0.0.1:1/x"}, wantErr: "not public"},
	}
	for _, tc := range cases {
		if stdout, stderr, ok := runCase(t, tc.args, tc.wantErr); ok {
			tc.check(stdout, stderr)
		}
	}
}

const convertELMDoc = `@prefix ql: <http://data.quality-link.eu/ontology/v1#> .
@prefix elm: <http://data.europa.eu/snb/model/elm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://uni.test/c/DS-1> a ql:LearningOpportunitySpecification ; dcterms:title "Data science"@en, "Datawetenschap"@nl ;
	elm:EQFLevel <http://data.europa.eu/snb/eqf/6> ; elm:ISCEDFCode <http://data.europa.eu/snb/isced-f/0688> .
`

// runConvert runs qlink with args and returns its output.
func runConvert(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.Execute()
	return out.String(), errOut.String(), err
}

// runCase runs one table case. ok is false when the case expects an
// error, which it checks.
func runCase(t *testing.T, args []string, wantErr string) (stdout, stderr string, ok bool) {
	t.Helper()
	stdout, stderr, err := runConvert(t, args...)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%v: err %v, want %q", args, err, wantErr)
		}
		return "", "", false
	}
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return stdout, stderr, true
}

func TestConvertELM(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "catalogue.ttl")
	os.WriteFile(in, []byte(convertELMDoc), 0o600)
	noExt := filepath.Join(dir, "catalogue")
	os.WriteFile(noExt, []byte(convertELMDoc), 0o600)
	cases := []struct {
		args    []string
		wantErr string
		want    []string // substrings of standard output
		stderr  string
	}{
		{args: []string{"--from", "elm", "--schac", "uni.test", in},
			want:   []string{`"id": "urn:schac:uniqueCourseId:uni.test:DS-1"`, `"nl": "Datawetenschap"`, `"eqfLevel": 6`},
			stderr: "uses the ELM 3.0–3.2 namespace"},
		{args: []string{"--from", "elm", "--schac", "uni.test", "--to", "ttl", in}, want: []string{
			"@prefix elm: <http://data.europa.eu/snb/model/ontology/> .",
			"<urn:schac:uniqueCourseId:uni.test:DS-1> a ql:LearningOpportunitySpecification",
			`ql:ISCEDFBroadField <http://data.europa.eu/snb/isced-f/06>`,
			`skos:notation "uni.test"`}},
		{args: []string{"--from", "elm", "--schac", "uni.test", "--to", "nq", in}, want: []string{
			`<urn:schac:uniqueCourseId:uni.test:DS-1> <http://purl.org/dc/terms/title> "Datawetenschap"@nl <urn:qlink:provider:uni.test> .`}},
		{args: []string{"--from", "elm", "--schac", "uni.test", "--to", "jsonld", in}, want: []string{
			`"@context": "urn:qlink:context:elm-3.3"`, `"id": "urn:schac:uniqueCourseId:uni.test:DS-1"`}},
		{args: []string{"--from", "elm", noExt}, wantErr: "give --content-type"},
		{args: []string{"--from", "elm", "--content-type", "text/turtle", "--schac", "uni.test", noExt}, want: []string{"DS-1"}},
		{args: []string{"--from", "elm", "--to", "csv", in}, wantErr: `--to "csv": choose json, ttl, nq or jsonld`},
	}
	for _, tc := range cases {
		stdout, stderr, ok := runCase(t, append([]string{"convert"}, tc.args...), tc.wantErr)
		if !ok {
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: no %q in\n%s", tc.args, w, stdout)
			}
		}
		if !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: stderr %q, want %q", tc.args, stderr, tc.stderr)
		}
	}
}

// TestConvertELMRoundTrip converts the authored minimal ELM 3.3 example to
// the model, to ELM in each syntax and back: the model does not change.
func TestConvertELMRoundTrip(t *testing.T) {
	sample := sharedtest.Require(t, "samples", "elm", "minimal", "minimal-elm33.ttl")
	direct, _, err := runConvert(t, "convert", "--from", "elm", "--schac", "example.ac.at", sample)
	if err != nil {
		t.Fatal(err)
	}
	var want []model.Specification
	if err := json.Unmarshal([]byte(direct), &want); err != nil || len(want) != 1 || len(want[0].Instances) != 1 {
		t.Fatalf("%v: %s", err, direct)
	}
	dir := t.TempDir()
	for _, to := range []string{"ttl", "nq", "jsonld"} {
		mid := filepath.Join(dir, "minimal."+to)
		if _, _, err := runConvert(t, "convert", "--from", "elm", "--schac", "example.ac.at", "--to", to, "-o", mid, sample); err != nil {
			t.Fatal(err)
		}
		back, stderr, err := runConvert(t, "convert", "--from", "elm", "--schac", "example.ac.at", mid)
		if err != nil {
			t.Fatalf("%s: %v", to, err)
		}
		if stderr != "" {
			t.Errorf("%s: warnings on qlink's own ELM: %s", to, stderr)
		}
		if back != direct {
			t.Errorf("%s: the model changed on the way through ELM\nbefore %s\nafter  %s", to, direct, back)
		}
	}
}

func TestConfigCommandMasksSecrets(t *testing.T) {
	t.Setenv("QLINK_SECRET_KEY", "do-not-print")
	t.Setenv("QLINK_HARVEST_WORKERS", "7")
	var stdout bytes.Buffer
	root := newRootCmd()
	root.SetArgs([]string{"config", "--addr", "127.0.0.1:9999"})
	root.SetOut(&stdout)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	for _, want := range []string{"secret-key = ********", "harvest-workers = 7", "addr = 127.0.0.1:9999"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "do-not-print") {
		t.Error("the secret was printed")
	}
}
