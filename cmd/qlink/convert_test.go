package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qlink/internal/model"
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
		var stdout, stderr bytes.Buffer
		root := newRootCmd()
		root.SetArgs(tc.args)
		root.SetOut(&stdout)
		root.SetErr(&stderr)
		err := root.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		tc.check(stdout.String(), stderr.String())
	}
}
