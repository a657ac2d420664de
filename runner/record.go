package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"regress/reports"
	"regress/runner/featureset"
	"regress/steps"
)

var lineSelector = regexp.MustCompile(`^(.*\.feature):\d+$`)

// recorder turns one scenario's godog hooks into its entry in the results model.
type recorder struct {
	set      *featureset.Set
	opts     *runOptions
	result   *reports.Run
	progress *progress

	// maxBodyBytes is the target's max_body_bytes, to tell a body cut there in the transcript.
	maxBodyBytes int64

	pickle      *godog.Scenario
	started     time.Time
	stepStarted time.Time
	steps       map[int]reports.Step // by the step's index in the pickle
	failedStep  int
	// notRun is set when the run was already stopped (interrupt or --timeout) as the scenario
	// came up, or when godog runs an outline row that was not selected (godog selects outlines
	// whole): such a scenario neither runs nor is reported.
	notRun bool
	// selected holds the refs (file:line) of the selected scenarios.
	selected map[string]bool
}

func (r *recorder) register(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		r.pickle, r.started, r.steps, r.failedStep = p, time.Now(), map[int]reports.Step{}, -1
		uri, line := r.ref(p)
		if r.notRun = ctx.Err() != nil || !r.selected[fmt.Sprintf("%s:%d", uri, line)]; r.notRun {
			return ctx, godog.ErrSkip
		}
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, _ *godog.Step) (context.Context, error) {
		r.stepStarted = time.Now()
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		r.stepDone(st, status, err)
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		if r.notRun {
			return ctx, nil
		}
		s := r.scenario(p, err, steps.WorldFrom(ctx))
		r.result.Add(s)
		r.progress.scenarioDone(s)
		return ctx, nil
	})
}

// ref returns a scenario's feature file and line. godog keeps a "file.feature:N" selector in the
// scenario's URI; the file is the part before.
func (r *recorder) ref(p *godog.Scenario) (string, int) {
	line := 0
	if p.Location != nil {
		line = int(p.Location.Line)
	}
	uri := p.Uri
	if m := lineSelector.FindStringSubmatch(uri); m != nil {
		uri = m[1]
	}
	return uri, line
}

func (r *recorder) stepDone(st *godog.Step, status godog.StepResultStatus, err error) {
	if r.pickle == nil {
		return
	}
	for i, ps := range r.pickle.Steps {
		if ps.Id != st.Id {
			continue
		}
		out := reports.Step{Status: stepStatus(status), Duration: time.Since(r.stepStarted)}
		if err != nil && !errors.Is(err, godog.ErrSkip) {
			out.Error = err.Error()
		}
		r.steps[i] = out
		if status == godog.StepFailed && r.failedStep < 0 {
			r.failedStep = i
		}
		return
	}
}

func stepStatus(s godog.StepResultStatus) reports.Status {
	switch s {
	case godog.StepPassed:
		return reports.Passed
	case godog.StepFailed:
		return reports.Failed
	case godog.StepUndefined:
		return reports.Undefined
	}
	return reports.Skipped
}

// scenario builds the scenario's outcome from godog's error, the recorded steps and its world.
func (r *recorder) scenario(p *godog.Scenario, err error, w *steps.World) *reports.Scenario {
	uri, line := r.ref(p)
	s := &reports.Scenario{
		Ref: fmt.Sprintf("%s:%d", uri, line), URI: uri, Line: line, Name: p.Name,
		Status: reports.Passed, Duration: time.Since(r.started),
	}
	s.Rerun = rerunCommand(r.opts, s.Ref)
	for _, t := range p.Tags {
		s.Tags = append(s.Tags, t.Name)
	}
	parsed := r.set.Find(uri, line)
	if parsed != nil {
		s.Feature, s.FeatureLine = parsed.Feature, parsed.FeatureLine
		for i, st := range parsed.Steps {
			out, ran := r.steps[i]
			if !ran {
				out.Status = reports.Skipped
			}
			out.Keyword, out.Text, out.Line = st.Keyword, st.Text, st.Line
			s.Steps = append(s.Steps, out)
		}
	}
	switch {
	case w != nil && w.SkipReason != "":
		s.Status, s.Reason = reports.Skipped, w.SkipReason
	case err == nil:
	case errors.Is(err, godog.ErrSkip):
		s.Status, s.Reason = reports.Skipped, err.Error()
	default:
		s.Status, s.Reason = reports.Failed, err.Error()
		if parsed != nil && r.failedStep >= 0 && r.failedStep < len(parsed.Steps) {
			st := parsed.Steps[r.failedStep]
			s.Reason = fmt.Sprintf("%s:%d: step \"%s\": %s", uri, st.Line, st.Text, s.Reason)
		}
	}
	if w != nil {
		for _, f := range w.Leaks {
			s.Leaks = append(s.Leaks, reports.Leak{Viewer: f.Viewer, Account: f.Account, Fingerprint: f.Fingerprint, Masked: f.Masked, URL: f.URL, Where: f.Where})
		}
		s.Transcript = w.Transcript
		s.Attachments = w.Attachments
		if s.Status != reports.Failed {
			// The HTML report shows the transcript of failed scenarios only: a passing one
			// carries it as an attachment when it holds what a reader must see.
			if a, ok := transcriptNote(w.Transcript, r.maxBodyBytes); ok {
				s.Attachments = append(s.Attachments, a)
			}
		}
		if w.BrowserUnavailable != nil {
			r.result.SetUnreachable(w.BrowserUnavailable.Error())
		}
	}
	return s
}

// transcriptNote lists a scenario's HTTP exchanges as a text attachment when a request was
// retried (an attempt that failed or answered 502/503/504, repeated) or a response body was cut
// at max_body_bytes: a passing scenario must still show
// that it passed on a later attempt, or that its leak checks saw only part of a body.
func transcriptNote(transcript []reports.Exchange, maxBodyBytes int64) (reports.Attachment, bool) {
	var b strings.Builder
	noteworthy := false
	for i, e := range transcript {
		fmt.Fprintf(&b, "%s: %s %s -> ", e.Session, e.Method, e.URL)
		if e.Error != "" {
			fmt.Fprintf(&b, "no response: %s", e.Error)
		} else {
			fmt.Fprintf(&b, "%d (%s)", e.Status, e.Duration.Round(time.Millisecond))
		}
		if i+1 < len(transcript) && retriedAttempt(e, transcript[i+1]) {
			b.WriteString(", retried")
			noteworthy = true
		}
		if e.Truncated {
			if n := contentLength(e.ResponseHeader); n > 0 {
				fmt.Fprintf(&b, ", body cut at max_body_bytes: %d of %d bytes read and scanned", maxBodyBytes, n)
			} else {
				fmt.Fprintf(&b, ", body cut at max_body_bytes: only the first %d bytes were read and scanned", maxBodyBytes)
			}
			noteworthy = true
		}
		b.WriteString("\n")
	}
	if !noteworthy {
		return reports.Attachment{}, false
	}
	return reports.Attachment{Name: "HTTP transcript", MediaType: "text/plain", Data: []byte(b.String())}, true
}

// retriedAttempt reports whether next repeats e after a failure a retry may mend.
func retriedAttempt(e, next reports.Exchange) bool {
	if e.Session != next.Session || e.Method != next.Method || e.URL != next.URL {
		return false
	}
	return e.Error != "" || e.Status == 502 || e.Status == 503 || e.Status == 504
}

func contentLength(h map[string][]string) int64 {
	v := http.Header(h).Get("Content-Length")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
