package reports

import (
	"fmt"
	"strings"
	"time"
)

// firstLine is the first line of s, without trailing blanks.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " \t")
}

// seconds formats a duration as seconds with millisecond precision, as JUnit wants it.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

// describe says what a leak is in one line: who saw whose value, where.
func (l Leak) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s saw %s's %s (%s)", orUnknown(l.Viewer), orUnknown(l.Account), orUnknown(l.Fingerprint), l.Masked)
	if l.URL != "" {
		fmt.Fprintf(&b, " in %s", l.URL)
	}
	if l.Where != "" {
		fmt.Fprintf(&b, " (%s)", l.Where)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// failed reports whether a scenario counts as failed: anything that neither passed nor was skipped
// fails, so an unknown status can never pass the gate.
func (sc *Scenario) failed() bool {
	return sc.Status != Passed && sc.Status != Skipped
}

// uri is the scenario's feature file, from URI or else from Ref.
func (sc *Scenario) uri() string {
	if sc.URI != "" {
		return sc.URI
	}
	file, _ := splitRef(sc.Ref)
	return file
}

// featureName is the feature's name, or its file when it has none.
func (sc *Scenario) featureName() string {
	if sc.Feature != "" {
		return sc.Feature
	}
	return sc.uri()
}

// failingStep is the index of the first failed or undefined step, or -1.
func (sc *Scenario) failingStep() int {
	for i, st := range sc.Steps {
		if st.Status == Failed || st.Status == Undefined {
			return i
		}
	}
	return -1
}

// counts tallies a run's scenarios and says how it ended.
type counts struct {
	Passed, Failed, Skipped, Ran, Selected int
	Interrupted                            bool
	Unreachable                            string
}

func countRun(run *Run, scenarios []*Scenario) counts {
	run.mu.Lock()
	unreachable := run.Unreachable
	run.mu.Unlock()
	c := counts{Ran: len(scenarios), Selected: run.Selected, Interrupted: run.Interrupted, Unreachable: unreachable}
	for _, sc := range scenarios {
		switch {
		case sc.Status == Passed:
			c.Passed++
		case sc.Status == Skipped:
			c.Skipped++
		default:
			c.Failed++
		}
	}
	if c.Selected < c.Ran {
		c.Selected = c.Ran
	}
	return c
}

// verdict is the run's outcome in a few words; a run that verified nothing never reads as passed.
func (c counts) verdict() string {
	var parts []string
	if c.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", c.Failed))
	}
	if c.Unreachable != "" {
		parts = append(parts, "target or browser unreachable")
	}
	if c.Interrupted {
		parts = append(parts, fmt.Sprintf("interrupted after %d of %d scenarios", c.Ran, c.Selected))
	} else if c.Ran < c.Selected {
		parts = append(parts, fmt.Sprintf("only %d of %d selected scenarios ran", c.Ran, c.Selected))
	}
	if len(parts) > 0 {
		return strings.Join(parts, ", ")
	}
	if c.Passed == 0 {
		if c.Ran == 0 {
			return "no scenario ran"
		}
		return "nothing verified: every scenario was skipped"
	}
	return "passed"
}

// ok reports whether the run passes the gate.
func (c counts) ok() bool {
	return c.Failed == 0 && !c.Interrupted && c.Unreachable == "" && c.Passed > 0 && c.Ran >= c.Selected
}
