package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"regress/redact"
)

// Writer writes one report of a run. The run it gets is already redacted.
type Writer interface {
	Write(w io.Writer, run *Run) error
}

// Formats maps each report's file name to its writer: "junit.xml", "cucumber.json",
// "report.html" and "summary.md". Every call returns a new map.
func Formats() map[string]Writer {
	return map[string]Writer{
		"junit.xml":     junitWriter{},
		"cucumber.json": cucumberWriter{},
		"report.html":   htmlWriter{},
		"summary.md":    summaryWriter{},
	}
}

// Names returns the report file names, sorted.
func Names() []string {
	var names []string
	for name := range Formats() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the writer of a report file name; an unknown name gets an error listing the valid ones.
func Lookup(name string) (Writer, error) {
	if w, ok := Formats()[name]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("unknown report %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// WriteAll redacts the run once with red (nil applies the pattern rules only), writes every
// report into dir, creating it if missing, and returns the paths written, in name order. When
// githubStepSummary (the value of $GITHUB_STEP_SUMMARY) is not empty, summary.md is also
// appended to that file. A report that fails does not stop the others; the error joins every failure.
func WriteAll(dir string, run *Run, red *redact.Redactor, githubStepSummary string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report dir: %w", err)
	}
	clean := run.Redacted(red)
	formats := Formats()
	var (
		paths []string
		errs  []error
	)
	for _, name := range Names() {
		var buf bytes.Buffer
		if err := formats[name].Write(&buf, clean); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		paths = append(paths, path)
		if name == "summary.md" && githubStepSummary != "" {
			if err := appendFile(githubStepSummary, buf.Bytes()); err != nil {
				errs = append(errs, fmt.Errorf("github step summary: %w", err))
			}
		}
	}
	return paths, errors.Join(errs...)
}

// appendFile appends data to the file at path, creating it if missing, after a blank line when
// the file already has content.
func appendFile(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if info, err := f.Stat(); err == nil && info.Size() > 0 {
		if _, err := f.Write([]byte("\n")); err != nil {
			return err
		}
	}
	_, err = f.Write(data)
	return err
}
