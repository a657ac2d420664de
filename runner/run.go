package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"regress/config"
	"regress/demo"
	"regress/redact"
	"regress/reports"
	"regress/runner/featureset"
	"regress/runner/tagexpr"
	"regress/steps"
	"regress/steps/browser"
	"regress/steps/session"
)

// runOptions are the flags of `regress run`.
type runOptions struct {
	target, config, baseURL, tags, reportDir, demoBugs string
	concurrency                                        int
	readOnly                                           bool
	timeout                                            time.Duration
	paths                                              []string
}

func (a *App) parseRunFlags(args []string) (*runOptions, error) {
	o := &runOptions{}
	fs := newFlagSet("run", a.Stderr)
	fs.StringVar(&o.target, "target", "", "target `NAME` from the config (required)")
	fs.StringVar(&o.config, "config", "regress.yaml", "config `FILE`")
	fs.StringVar(&o.baseURL, "base-url", "", "override the target's base `URL` (a preview deployment; with demo: an already running demo)")
	fs.StringVar(&o.tags, "tags", "", "run only scenarios matching the tag `EXPR` (@a && ~@b, @c; or: @a and not @b)")
	fs.StringVar(&o.reportDir, "report-dir", "reports-out", "write reports into `DIR`")
	fs.IntVar(&o.concurrency, "concurrency", runtime.NumCPU(), "run `N` scenarios in parallel")
	fs.BoolVar(&o.readOnly, "read-only", false, "force the target read-only for this run (mutating scenarios are skipped)")
	fs.DurationVar(&o.timeout, "timeout", 0, "bound the whole run (e.g. 10m); 0 = no bound beyond per-scenario timeouts")
	fs.StringVar(&o.demoBugs, "demo-bugs", "", "switch on named bugs in the embedded demo target (comma-separated `LIST`)")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	o.paths = paths
	if len(o.paths) == 0 {
		o.paths = []string{"features"}
	}
	if o.target == "" {
		return nil, usageError(errors.New("--target is required"), "name a target of the config, e.g. --target demo")
	}
	if o.concurrency < 1 {
		return nil, usageError(fmt.Errorf("--concurrency %d: must be at least 1", o.concurrency), "")
	}
	if o.timeout < 0 {
		return nil, usageError(fmt.Errorf("--timeout %s: must not be negative", o.timeout), "")
	}
	return o, nil
}

func (a *App) runCommand(ctx context.Context, args []string) (err error) {
	o, err := a.parseRunFlags(args)
	if err != nil {
		return err
	}
	expr, err := tagexpr.Parse(o.tags)
	if err != nil {
		return usageError(fmt.Errorf("--tags: %w", err), "")
	}
	target, err := a.loadTarget(o.config, o.target)
	if err != nil {
		return err
	}
	// From here on every word written goes through the redactor: console, reports, errors.
	red := redact.New(append(target.Secrets(), personalValues(target)...))
	defer func() { err = redactedError(err, red) }()
	stdout := red.Writer(a.Stdout)
	defer stdout.Close()
	if o.readOnly {
		target.AllowMutations = false
	}
	set, err := featureset.Load(o.paths)
	if err != nil {
		return usageError(err, "fix the feature files above; `regress check` lists every problem")
	}
	selected := set.Select(expr)
	if len(selected) == 0 {
		return usageError(fmt.Errorf("no scenario selected by --tags %q in %s", o.tags, strings.Join(o.paths, " ")),
			"a gate that runs nothing must not pass; check the tag expression and the paths")
	}
	if err := undefinedSteps(selected); err != nil {
		return usageError(err, "run `regress steps` for the step catalog")
	}
	if problems := fixtureProblems(selected); len(problems) > 0 {
		return usageError(errors.New(strings.Join(problems, "\n")), "fix the fixture files; nothing was sent")
	}

	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("the run's --timeout (%s) ran out", o.timeout))
		defer cancel()
	}
	stop, err := a.startTarget(target, o)
	if err != nil {
		return err
	}
	defer stop()
	result := &reports.Run{Target: target.Name, BaseURL: target.BaseURL, Started: time.Now(), Selected: len(selected)}
	if err := preflight(ctx, target); err != nil {
		if ctx.Err() != nil {
			// Stopped (interrupt or --timeout) while waiting for the target: not its verdict.
			result.Interrupted = true
			result.Duration = time.Since(result.Started)
			a.writeReports(stdout, o, result, red)
			return decide(0, result, len(selected), ctx)
		}
		result.SetUnreachable(err.Error())
		a.writeReports(stdout, o, result, red)
		return err
	}
	status := a.execute(ctx, stdout, red, target, set, expr, o, result)
	result.Duration = time.Since(result.Started)
	if ctx.Err() != nil {
		result.Interrupted = true
	}
	a.printSummary(stdout, result, selected)
	verdict := decide(status, result, len(selected), ctx)
	if werr := a.writeReports(stdout, o, result, red); werr != nil && verdict == nil {
		// A gate whose evidence could not be written does not pass.
		return usageError(werr, "check --report-dir")
	}
	return verdict
}

// personalValues are the accounts' fingerprints and the production canaries: customer data that
// reports and the console show masked, like secrets, so the reports never become the leak.
func personalValues(t *config.Target) []string {
	var out []string
	for _, a := range t.Accounts {
		for _, fp := range a.Fingerprints {
			out = append(out, fp.Value)
		}
	}
	for _, c := range t.Production.Canaries {
		out = append(out, c.Value)
	}
	return out
}

// writeReports writes every report format into --report-dir (and the CI job summary when
// $GITHUB_STEP_SUMMARY is set), all redacted, and says where they are.
func (a *App) writeReports(w io.Writer, o *runOptions, result *reports.Run, red *redact.Redactor) error {
	summary, _ := a.LookupEnv("GITHUB_STEP_SUMMARY")
	paths, err := reports.WriteAll(o.reportDir, result, red, summary)
	if len(paths) > 0 {
		fmt.Fprintf(w, "reports: %s\n", strings.Join(paths, ", "))
	}
	if err != nil {
		return fmt.Errorf("writing reports: %w", err)
	}
	return nil
}

// redactedError passes an error's message through the redactor, keeping its exit code and hint.
func redactedError(err error, red *redact.Redactor) error {
	if err == nil {
		return nil
	}
	msg := red.String(err.Error())
	if msg == err.Error() {
		return err
	}
	out := &exitError{code: exitCode(err), err: errors.New(msg), hint: hintOf(err)}
	if isQuiet(err) {
		return quietError{out}
	}
	return out
}

// loadTarget reads the config and resolves one target. Every problem is a usage error.
func (a *App) loadTarget(path, name string) (*config.Target, error) {
	f, err := config.Load(path)
	if err != nil {
		return nil, usageError(err, "")
	}
	t, err := f.Target(name, a.LookupEnv)
	if err != nil {
		return nil, usageError(err, "")
	}
	return t, nil
}

// startTarget starts the embedded demo when the target asks for it and no --base-url points
// elsewhere, and returns the function that stops it.
func (a *App) startTarget(t *config.Target, o *runOptions) (func(), error) {
	if o.baseURL != "" {
		if o.demoBugs != "" {
			return nil, usageError(errors.New("--demo-bugs applies to the embedded demo only, not to --base-url"),
				"start the demo with `regress demo --bugs LIST` and point --base-url at it")
		}
		base, err := config.NormalizeBaseURL(o.baseURL)
		if err != nil {
			return nil, usageError(fmt.Errorf("--base-url: %w", err), "")
		}
		t.BaseURL = base
		return func() {}, nil
	}
	if !t.Embedded {
		if o.demoBugs != "" {
			return nil, usageError(fmt.Errorf("--demo-bugs: target %q is not the embedded demo", t.Name), "use --target demo")
		}
		return func() {}, nil
	}
	bugs, err := demo.ParseBugs(o.demoBugs)
	if err != nil {
		return nil, usageError(fmt.Errorf("--demo-bugs: %w", err), "")
	}
	srv, err := demo.Start("127.0.0.1:0", demo.Options{Bugs: bugs})
	if err != nil {
		return nil, unreachableError(fmt.Errorf("starting the embedded demo: %w", err), "")
	}
	t.BaseURL = srv.URL
	return func() { _ = srv.Close() }, nil
}

// preflight proves the target answers HTTP before any scenario runs: any status will do.
func preflight(ctx context.Context, t *config.Target) error {
	s, err := session.New(t, nil, nil)
	if err != nil {
		return usageError(err, "")
	}
	if _, err := s.Do(ctx, "GET", "/", nil, ""); err != nil {
		return unreachableError(fmt.Errorf("target %q is unreachable: %w", t.Name, err),
			"check the target's base_url (or --base-url) and that it is deployed and reachable from here")
	}
	return nil
}

// undefinedSteps lists every selected step without a definition, with its file:line.
func undefinedSteps(selected []*featureset.Scenario) error {
	m := steps.NewMatcher()
	var errs []error
	seen := map[string]bool{}
	for _, sc := range selected {
		if len(sc.Steps) == 0 {
			errs = append(errs, fmt.Errorf("%s: scenario %q has no steps; a scenario that checks nothing must not pass", sc.Ref(), sc.Name))
		}
		for _, st := range sc.Steps {
			if def, _, ok := m.Match(st.Text); ok {
				if msg := argumentProblem(def, st); msg != "" {
					errs = append(errs, fmt.Errorf("%s:%d: %s", sc.URI, st.Line, msg))
				}
				continue
			}
			key := fmt.Sprintf("%s:%d", sc.URI, st.Line)
			if seen[key] {
				continue
			}
			seen[key] = true
			errs = append(errs, fmt.Errorf("%s: undefined step %q", key, st.Text))
		}
	}
	return errors.Join(errs...)
}

// execute runs the selected scenarios with godog and records each outcome into result.
func (a *App) execute(ctx context.Context, stdout io.Writer, red *redact.Redactor, target *config.Target, set *featureset.Set, expr *tagexpr.Expr, o *runOptions, result *reports.Run) int {
	br := a.Browser
	if br == nil {
		br = browser.New(browser.Options{RemoteURL: target.Browser.CDPURL, ActionTimeout: target.Browser.ActionTimeout, LookupEnv: a.LookupEnv})
		// One Chromium per run, started by the first browser step; closed even after a failure or
		// an interrupt, leaving no process behind.
		defer func() {
			if err := br.Close(); err != nil {
				fmt.Fprintf(a.Stderr, "regress: closing the browser: %v\n", err)
			}
		}()
	}
	run := steps.NewRun(target, br)
	run.Secret = red.Add
	_, ci := a.LookupEnv("CI")
	selectedRefs := map[string]bool{}
	for _, sc := range set.Select(expr) {
		selectedRefs[sc.Ref()] = true
	}
	prog := newProgress(stdout, len(selectedRefs), a.IsTerminal && !ci)
	suite := godog.TestSuite{
		Name: "regress",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			// godog calls this once per scenario, so the recorder is that scenario's own.
			steps.Register(sc, run)
			rec := &recorder{set: set, opts: o, result: result, progress: prog, maxBodyBytes: target.MaxBodyBytes, selected: selectedRefs}
			rec.register(sc)
		},
		Options: &godog.Options{
			// regress prints its own progress, summary and reports; godog's output is discarded.
			Format:         "progress",
			Paths:          set.Paths(),
			Tags:           expr.Godog(),
			Strict:         true,
			Concurrency:    o.concurrency,
			Output:         io.Discard,
			NoColors:       true,
			DefaultContext: ctx,
		},
	}
	return suite.Run()
}

// decide is the one place a run's outcome becomes an exit code.
func decide(godogStatus int, result *reports.Run, selected int, ctx context.Context) error {
	ran := len(result.Scenarios())
	failed := result.Count(reports.Failed)
	switch {
	// Not quiet: the summary says the run stopped early, this says why.
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return failedError("the run hit its --timeout before finishing (%d of %d scenarios ran); the reports are marked interrupted", ran, selected)
	case ctx.Err() != nil:
		return failedError("the run was interrupted (%v; %d of %d scenarios ran); the reports are marked interrupted", context.Cause(ctx), ran, selected)
	case result.Unreachable != "":
		return unreachableError(errors.New(result.Unreachable), "install Debian's chromium (apt-get install chromium), set CHROME_PATH to a Chromium binary, or set REGRESS_CDP_URL (or the target's browser.cdp_url) to a DevTools websocket URL")
	case godogStatus == 2:
		return usageError(errors.New("godog refused the features or options"), "")
	case ran == 0:
		return usageError(fmt.Errorf("no scenario ran (%d selected)", selected), "a gate that runs nothing must not pass")
	case ran != selected && failed == 0:
		return usageError(fmt.Errorf("%d scenarios were selected but %d ran", selected, ran), "a gate must run what it selected; report this as a bug of regress")
	case failed > 0 || godogStatus != 0:
		return quietError{failedError("%d of %d scenarios failed", failed, ran)}
	case result.Count(reports.Passed) == 0:
		return usageError(fmt.Errorf("every selected scenario (%d) was skipped: nothing was verified", ran), "a gate that verifies nothing must not pass; select scenarios this target can run")
	}
	return nil
}
