// Package browser is the browser layer of regress: one headless Chromium per run, one isolated
// browser context per account, and page visits that keep everything the page received over the
// network (with bodies) and its rendered DOM, so that the leak detector can scan them.
//
// A Browser and its Contexts are safe for use by several goroutines at once. A Context runs one
// operation at a time; concurrent calls on the same Context wait for each other.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// DefaultActionTimeout bounds every browser action when Options.ActionTimeout is zero.
const DefaultActionTimeout = 15 * time.Second

const (
	// startTimeout bounds the start of Chromium (or the attach to a remote browser), whatever the
	// callers of Start pass: a start that hangs must not block the run forever.
	startTimeout = 45 * time.Second
	// closeTimeout bounds the graceful close; after it Chromium is killed.
	closeTimeout = 10 * time.Second
	// reapTimeout bounds the wait for Chromium's helpers to be killed and reaped.
	reapTimeout = 3 * time.Second
	// outputLimit is how much of Chromium's output is kept to explain a failed start.
	outputLimit = 8 << 10
)

// Options configures a Browser. The zero value starts a local Chromium found on the usual paths.
type Options struct {
	// ExecPath is the Chromium binary. "" means $CHROME_PATH, then /usr/bin/chromium,
	// /usr/bin/chromium-browser, /usr/bin/google-chrome and /usr/bin/google-chrome-stable.
	ExecPath string
	// RemoteURL is the DevTools address of a browser that already runs (ws://host:port/devtools/browser/…,
	// or ws://host:port / http://host:port, resolved through /json/version). "" means $REGRESS_CDP_URL.
	// When set, no process is started.
	RemoteURL string
	// ActionTimeout is the deadline of every browser action (navigation, query, evaluation,
	// screenshot, cookie access). 0 means DefaultActionTimeout.
	ActionTimeout time.Duration
	// TempDir is where the temporary profile directory (--user-data-dir) of a local Chromium is
	// created; Close removes the profile. "" means os.TempDir().
	TempDir string
	// LookupEnv reads CHROME_PATH and REGRESS_CDP_URL. nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Logf receives chromedp's internal log and error lines. nil discards them.
	Logf func(format string, args ...any)
}

// UnavailableError reports that no browser could be used: Chromium was not found, failed to start,
// or the remote browser was unreachable.
type UnavailableError struct {
	// What names the browser that was tried: a path or a remote URL. Empty when nothing was found.
	What string
	// Err is the cause.
	Err error
}

// Error says what failed and how to fix it.
func (e *UnavailableError) Error() string {
	const hint = "install Debian's chromium (apt-get install chromium), set CHROME_PATH, or set REGRESS_CDP_URL"
	if e.What == "" {
		return fmt.Sprintf("browser unavailable: %v; %s", e.Err, hint)
	}
	return fmt.Sprintf("browser unavailable (%s): %v; %s", e.What, e.Err, hint)
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// ErrClosed is returned by every operation on a Browser or Context after its Close.
var ErrClosed = errors.New("browser is closed")

// Browser is one Chromium (local or remote) shared by every scenario of a run. It starts lazily:
// New starts nothing, the first Start or NewContext does.
type Browser struct {
	opts Options

	mu       sync.Mutex
	closed   bool
	started  chan struct{} // closed when the start attempt has finished; nil before the first Start
	contexts map[*Context]struct{}

	abort chan struct{} // closed by Close to give up a start in progress

	// Written by the start goroutine before started is closed, read-only afterwards.
	startErr   error
	root       int             // pid of the local Chromium's main process; 0 if none or unknown
	browserCtx context.Context // chromedp context of the browser; the parent of every tab
	cancelAll  func()          // stops the browser and frees the allocator, waiting for the process
	dataDir    string          // our temporary --user-data-dir; "" for a remote browser
	output     *limitedBuffer  // Chromium's stdout and stderr, for start errors
}

// New returns a Browser that starts on first use. It starts nothing.
func New(opts Options) *Browser {
	if opts.ActionTimeout <= 0 {
		opts.ActionTimeout = DefaultActionTimeout
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	return &Browser{opts: opts, contexts: make(map[*Context]struct{}), abort: make(chan struct{})}
}

// Start starts Chromium (or attaches to the remote browser) if that has not happened yet. The first
// caller starts it; concurrent and later callers wait for that attempt and get its result, so a
// failed start is not retried. ctx bounds only this caller's wait, never the browser's life.
// A failure to find, start or reach the browser is an *UnavailableError.
func (b *Browser) Start(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	if b.started == nil {
		b.started = make(chan struct{})
		go b.start()
	}
	started := b.started
	b.mu.Unlock()

	select {
	case <-started:
		return b.startErr
	case <-ctx.Done():
		return fmt.Errorf("waiting for the browser to start: %w", ctx.Err())
	}
}

// Started reports whether the browser started successfully and is not closed.
func (b *Browser) Started() bool {
	b.mu.Lock()
	started, closed := b.started, b.closed
	b.mu.Unlock()
	if started == nil || closed {
		return false
	}
	select {
	case <-started:
		return b.startErr == nil
	default:
		return false
	}
}

// start runs once, on its own goroutine, and closes b.started when done.
func (b *Browser) start() {
	defer close(b.started)
	logf := b.opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	remoteURL := b.opts.RemoteURL
	if remoteURL == "" {
		remoteURL, _ = b.opts.LookupEnv("REGRESS_CDP_URL")
	}
	var (
		allocCtx    context.Context
		allocCancel context.CancelFunc
		what        string
	)
	if remoteURL != "" {
		what = remoteURL
		// The browser must outlive every caller, so its contexts derive from Background.
		allocCtx, allocCancel = remote.NewAllocator(context.Background(), remoteURL)
	} else {
		path, err := b.execPath()
		if err != nil {
			b.startErr = &UnavailableError{What: path, Err: err}
			return
		}
		what = path
		dir, err := os.MkdirTemp(b.opts.TempDir, "regress-chromium-")
		if err != nil {
			b.startErr = &UnavailableError{What: path, Err: fmt.Errorf("creating the profile directory: %w", err)}
			return
		}
		b.dataDir = dir
		b.output = &limitedBuffer{limit: outputLimit}
		allocCtx, allocCancel = chromedp.NewExecAllocator(context.Background(), execOptions(path, dir, b.output)...)
	}

	browserCtx, browserCancel := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	b.browserCtx = browserCtx
	b.cancelAll = func() {
		browserCancel()
		allocCancel()
	}

	// The first Do binds the browser's life to its context, so it gets the un-timed browserCtx
	// and the wait is bounded here instead.
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(browserCtx) }()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	var err error
	returned := false
	select {
	case err = <-errc:
		returned = true
	case <-timer.C:
		err = fmt.Errorf("no answer after %v", startTimeout)
	case <-b.abort:
		err = ErrClosed
	}
	if err == nil {
		b.root = b.mainPID()
		return
	}
	b.cancelAll()
	if !returned {
		// Until Do returns, chromedp may still be writing the state that mainPID reads.
		select {
		case <-errc:
			returned = true
		case <-time.After(closeTimeout):
		}
	}
	if returned {
		b.root = b.mainPID()
	}
	if cerr := b.cleanup(chromiumProcesses(b.root, b.dataDir)); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if errors.Is(err, ErrClosed) {
		b.startErr = err
		return
	}
	if out := b.output.String(); out != "" {
		err = fmt.Errorf("%w\nchromium output:\n%s", err, out)
	}
	b.startErr = &UnavailableError{What: what, Err: err}
}

// execPath resolves the Chromium binary: Options.ExecPath, $CHROME_PATH, then the usual paths.
// On error it returns the path that was tried, if any.
func (b *Browser) execPath() (string, error) {
	path := b.opts.ExecPath
	if path == "" {
		path, _ = b.opts.LookupEnv("CHROME_PATH")
	}
	if path != "" {
		found, err := exec.LookPath(path)
		if err != nil {
			return path, fmt.Errorf("chromium not found: %w", err)
		}
		return found, nil
	}
	candidates := []string{
		"/usr/bin/chromium",
		"/usr/bin/chromium-browser",
		"/usr/bin/google-chrome",
		"/usr/bin/google-chrome-stable",
	}
	for _, p := range candidates {
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("no chromium found (tried %s)", strings.Join(candidates, ", "))
}

// execOptions are the flags of the local Chromium. The machine's network is closed, so every
// feature that phones home is off; otherwise Chromium floods the run with refused connections.
func execOptions(path, dataDir string, output io.Writer) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	return append(opts,
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dataDir),
		chromedp.CombinedOutput(output),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		// Crashpad's handler detaches from the browser (its parent becomes init), and by default
		// nothing in its command line ties it to this run. With its database in the profile, the
		// cleanup finds it. (--disable-crashpad-for-testing would be simpler, but with it
		// Chromium 148 aborts every navigation.)
		chromedp.Env("BREAKPAD_DUMP_LOCATION="+filepath.Join(dataDir, "Crash Reports")),
		// Translate, optimization hints and the media router phone home. Without site isolation,
		// a cross-site iframe stays in the page's process and its requests reach the page's
		// session, so they are captured too; it only ever loads the application under test.
		chromedp.Flag("disable-features",
			"Translate,BlinkGenPropertyTrees,OptimizationHints,MediaRouter,DialMediaRouteProvider,SitePerProcess,IsolateOrigins"),
		chromedp.Flag("disable-site-isolation-trials", true),
	)
}

// Close closes every open Context, closes the browser gracefully (killing it after a timeout),
// and for a local Chromium kills any process still using its profile and removes the profile.
// Afterwards no Chromium process of this Browser remains. It is safe to call twice, concurrently,
// or when the browser never started. A remote browser stays up; only our tabs and contexts go.
func (b *Browser) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.abort)
	started := b.started
	open := make([]*Context, 0, len(b.contexts))
	for c := range b.contexts {
		open = append(open, c)
	}
	b.mu.Unlock()

	if started == nil {
		return nil
	}
	<-started
	if b.startErr != nil {
		return nil // the failed start already cleaned up
	}
	for _, c := range open {
		c.Close()
	}

	// Listed while the browser runs: once the main process is gone, its helpers are reparented.
	known := chromiumProcesses(b.root, b.dataDir)
	ctx, cancel := context.WithTimeout(b.browserCtx, closeTimeout)
	err := chromedp.Cancel(ctx)
	cancel()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = nil // the kill below finishes the job
	}
	b.cancelAll()
	if cerr := b.cleanup(known); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("closing the browser: %w", err)
	}
	return nil
}

// cleanup kills what is left of a local Chromium (helpers can outlive the main process), waits
// until they are reaped, and removes the profile directory. known are the processes listed while
// the browser ran.
func (b *Browser) cleanup(known processes) error {
	if b.dataDir == "" {
		return nil
	}
	var errs []error
	if n := known.stop(b.dataDir, reapTimeout); n > 0 {
		errs = append(errs, fmt.Errorf("%d chromium processes still present after %v", n, reapTimeout))
	}
	var err error
	// A helper killed a moment ago can still be writing in the profile.
	for range 50 {
		if err = os.RemoveAll(b.dataDir); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("removing the profile directory: %w", err))
	}
	return errors.Join(errs...)
}

// mainPID is the pid of the local Chromium's main process, 0 if there is none. Call it only once
// the first Do on browserCtx has returned.
func (b *Browser) mainPID() int {
	c := chromedp.FromContext(b.browserCtx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0
	}
	return c.Browser.Process().Pid
}

// register records c so that Close can close it; it fails once the browser is closed.
func (b *Browser) register(c *Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.contexts[c] = struct{}{}
	return nil
}

func (b *Browser) unregister(c *Context) {
	b.mu.Lock()
	delete(b.contexts, c)
	b.mu.Unlock()
}

// actionContext derives the context of one browser action from parent (a chromedp context): it
// ends at the ActionTimeout or when ctx (the caller's context) ends, whichever comes first, and
// reports context.DeadlineExceeded when either deadline is what ended it.
func (b *Browser) actionContext(ctx, parent context.Context) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(b.opts.ActionTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	actx, cancel := context.WithDeadline(parent, deadline)
	stop := context.AfterFunc(ctx, func() {
		// At the caller's deadline, actx's own timer fires too, with the better error.
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	return actx, func() {
		stop()
		cancel()
	}
}

// limitedBuffer keeps the first limit bytes written to it; it is safe for concurrent use.
type limitedBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.limit - len(l.buf); room > 0 {
		l.buf = append(l.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
