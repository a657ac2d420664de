package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"regress/reports"
)

// progress prints each scenario's outcome as it finishes: on a terminal a live counter with
// failures printed as they happen, otherwise (or when $CI is set) one plain line per scenario.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	total int
	done  int
}

func newProgress(w io.Writer, total int, live bool) *progress {
	return &progress{w: w, total: total, live: live}
}

func (p *progress) scenarioDone(s *reports.Scenario) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	status := map[reports.Status]string{reports.Passed: "ok     ", reports.Failed: "FAILED ", reports.Skipped: "skipped"}[s.Status]
	if !p.live {
		fmt.Fprintf(p.w, "[%d/%d] %s %s  %s\n", p.done, p.total, status, s.Ref, s.Name)
		if s.Status == reports.Failed {
			fmt.Fprintf(p.w, "        %s\n", firstLine(s.Reason))
		}
		return
	}
	if s.Status == reports.Failed {
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] FAILED %s  %s\n        %s\n", p.done, p.total, s.Ref, s.Name, firstLine(s.Reason))
	}
	fmt.Fprintf(p.w, "\r\033[K[%d/%d] %s", p.done, p.total, s.Ref)
	if p.done == p.total {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
