package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cucumber/godog"

	"regress/reports"
	"regress/runner/featureset"
	"regress/steps"
)

// recorder turns one scenario's godog hooks into its entry in the results model.
type recorder struct {
	set      *featureset.Set
	opts     *runOptions
	result   *reports.Run
	progress *progress

	pickle      *godog.Scenario
	started     time.Time
	stepStarted time.Time
	steps       map[int]reports.Step // by the step's index in the pickle
	failedStep  int
}

func (r *recorder) register(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		r.pickle, r.started, r.steps, r.failedStep = p, time.Now(), map[int]reports.Step{}, -1
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
		s := r.scenario(p, err, steps.WorldFrom(ctx))
		r.result.Add(s)
		r.progress.scenarioDone(s)
		return ctx, nil
	})
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
	line := 0
	if p.Location != nil {
		line = int(p.Location.Line)
	}
	s := &reports.Scenario{
		Ref: fmt.Sprintf("%s:%d", p.Uri, line), URI: p.Uri, Line: line, Name: p.Name,
		Status: reports.Passed, Duration: time.Since(r.started),
	}
	s.Rerun = rerunCommand(r.opts, s.Ref)
	for _, t := range p.Tags {
		s.Tags = append(s.Tags, t.Name)
	}
	parsed := r.set.Find(p.Uri, line)
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
			s.Reason = fmt.Sprintf("%s:%d: step \"%s\": %s", p.Uri, st.Line, st.Text, s.Reason)
		}
	}
	if w != nil {
		for _, f := range w.Leaks {
			s.Leaks = append(s.Leaks, reports.Leak{Viewer: f.Viewer, Account: f.Account, Fingerprint: f.Fingerprint, Masked: f.Masked, URL: f.URL, Where: f.Where})
		}
		s.Transcript = w.Transcript
		s.Attachments = w.Attachments
		if w.BrowserUnavailable != nil {
			r.result.SetUnreachable(w.BrowserUnavailable.Error())
		}
	}
	return s
}
