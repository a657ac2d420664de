package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"
)

// junitWriter writes JUnit XML: one testsuite per feature file, one testcase per scenario named
// "scenario (file:line)" with the feature's name as classname. A failure's message is the first
// line of the reason; its body has the whole reason, the leak evidence, the failing step, the ref
// and the rerun command. A skip's message is its reason.
type junitWriter struct{}

func (junitWriter) Write(w io.Writer, run *Run) error {
	suites := junit.Testsuites{Name: xmlText("regress " + run.Target), Time: seconds(run.Duration)}
	index := map[string]int{}
	var files []string
	var grouped [][]*Scenario
	for _, sc := range run.Scenarios() {
		uri := sc.uri()
		i, ok := index[uri]
		if !ok {
			i = len(files)
			index[uri] = i
			files = append(files, uri)
			grouped = append(grouped, nil)
		}
		grouped[i] = append(grouped[i], sc)
	}
	for i, uri := range files {
		suite := junit.Testsuite{
			Name: xmlText(uri),
			ID:   i,
			File: xmlText(uri),
		}
		if !run.Started.IsZero() {
			suite.Timestamp = run.Started.UTC().Format(time.RFC3339)
		}
		var total time.Duration
		for _, sc := range grouped[i] {
			total += sc.Duration
			suite.AddTestcase(junitCase(sc))
		}
		suite.Time = seconds(total)
		suites.AddSuite(suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing junit xml: %w", err)
	}
	if err := suites.WriteXML(w); err != nil {
		return fmt.Errorf("writing junit xml: %w", err)
	}
	return nil
}

func junitCase(sc *Scenario) junit.Testcase {
	tc := junit.Testcase{
		Name:      xmlText(fmt.Sprintf("%s (%s)", sc.Name, sc.Ref)),
		Classname: xmlText(sc.featureName()),
		Time:      seconds(sc.Duration),
	}
	switch {
	case sc.Status == Skipped:
		tc.Skipped = &junit.Result{Message: xmlText(sc.Reason)}
	case sc.failed():
		typ := "failure"
		if len(sc.Leaks) > 0 {
			typ = "leak"
		}
		tc.Failure = &junit.Result{Message: xmlText(firstLine(sc.Reason)), Type: typ, Data: xmlText(failureBody(sc))}
	}
	return tc
}

// failureBody is everything the on-call person needs in a CI test view, in plain text.
func failureBody(sc *Scenario) string {
	var b strings.Builder
	if sc.Reason != "" {
		b.WriteString(sc.Reason)
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "scenario %s\n", sc.Status)
	}
	if len(sc.Leaks) > 0 {
		b.WriteString("\nleaks:\n")
		for _, l := range sc.Leaks {
			fmt.Fprintf(&b, "  - %s\n", l.describe())
		}
	}
	if i := sc.failingStep(); i >= 0 {
		st := sc.Steps[i]
		fmt.Fprintf(&b, "\nstep: %s%s (line %d) %s", st.Keyword, st.Text, st.Line, st.Status)
		if st.Error != "" {
			fmt.Fprintf(&b, ": %s", st.Error)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nscenario: %s\n", sc.Ref)
	if sc.Rerun != "" {
		fmt.Fprintf(&b, "rerun: %s\n", sc.Rerun)
	}
	return b.String()
}

// xmlText replaces the characters XML 1.0 cannot carry (control characters such as the escape of a
// colour code) with U+FFFD, so the file stays well-formed whatever a response held.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
