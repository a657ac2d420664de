// Package reports holds the results model of a run and the reports written from it.
package reports

import (
	"sort"
	"sync"
	"time"
)

// Status of a scenario.
type Status string

// Scenario statuses.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Leak is one leak sentinel finding, already masked.
type Leak struct {
	Viewer, Account, Fingerprint, Masked, URL, Where string
}

// Undefined is the status of a step without a definition.
const Undefined Status = "undefined"

// Scenario is one scenario's outcome.
type Scenario struct {
	Ref         string // feature file:line
	URI         string // feature file
	Line        int
	Feature     string // the feature's name
	FeatureLine int
	Name        string
	Tags        []string
	Status      Status
	Reason      string // the failure or skip message, first line "file:line: step ...: cause"
	Leaks       []Leak
	Duration    time.Duration
	Steps       []Step
	Attachments []Attachment // screenshots, DOM, network calls of a failing browser step
	Transcript  []Exchange   // every HTTP exchange of the scenario, in order
	Rerun       string       // the command that reruns just this scenario
}

// Step is one step's outcome.
type Step struct {
	Keyword  string // "Given ", "When ", ...
	Text     string
	Line     int
	Status   Status
	Error    string
	Duration time.Duration
}

// Attachment is a file attached to a scenario.
type Attachment struct {
	Name      string
	MediaType string // image/png, text/html, text/plain
	Data      []byte
}

// Exchange is one HTTP request and its response, as a session saw it. Bodies are cut to a few KiB.
type Exchange struct {
	Session        string // account name or "anonymous"
	Method, URL    string
	Status         int
	RequestHeader  map[string][]string
	RequestBody    string
	ResponseHeader map[string][]string
	ResponseBody   string
	BodyCut        bool // the response body was longer than what is kept (or than max_body_bytes)
	// Truncated is set when the response was cut at max_body_bytes: the leak sentinel scanned
	// only the part that was read.
	Truncated bool
	Error     string
	Duration  time.Duration
}

// Run is the outcome of a whole run. Scenarios may be added from several goroutines.
type Run struct {
	Target   string
	BaseURL  string
	Started  time.Time
	Duration time.Duration
	Selected int // scenarios selected before the run
	// Interrupted is set when the run was stopped before every scenario ran.
	Interrupted bool
	// Unreachable says why the target or the browser could not be used mid-run ("" when it could).
	Unreachable string

	mu        sync.Mutex
	scenarios []*Scenario
}

// SetUnreachable records the first reason the target or the browser could not be used.
func (r *Run) SetUnreachable(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Unreachable == "" {
		r.Unreachable = reason
	}
}

// Add records a scenario's outcome.
func (r *Run) Add(s *Scenario) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scenarios = append(r.scenarios, s)
}

// Scenarios returns the outcomes sorted by file and line.
func (r *Run) Scenarios() []*Scenario {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]*Scenario(nil), r.scenarios...)
	sort.SliceStable(out, func(i, j int) bool { return refLess(out[i].Ref, out[j].Ref) })
	return out
}

// Count returns how many scenarios have the status.
func (r *Run) Count(st Status) int {
	n := 0
	for _, s := range r.Scenarios() {
		if s.Status == st {
			n++
		}
	}
	return n
}

// refLess orders "file:line" refs by file, then numerically by line.
func refLess(a, b string) bool {
	fa, la := splitRef(a)
	fb, lb := splitRef(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitRef(ref string) (string, int) {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == ':' {
			n := 0
			for _, c := range ref[i+1:] {
				if c < '0' || c > '9' {
					return ref, 0
				}
				n = n*10 + int(c-'0')
			}
			return ref[:i], n
		}
	}
	return ref, 0
}
