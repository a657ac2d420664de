// Package runner is the regress command line: its commands and flags, the exit codes, the
// target's lifecycle (starting the embedded demo) and the wiring of godog.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"regress/steps/browser"
)

// Version is set at build time with -ldflags "-X regress/runner.Version=...".
var Version = "dev"

// App is the command line with every OS dependency injected, so it runs in-process in tests.
type App struct {
	Stdout, Stderr io.Writer
	// LookupEnv reads the environment (os.LookupEnv in main).
	LookupEnv func(string) (string, bool)
	// IsTerminal reports whether Stdout is a terminal (colours, live progress).
	IsTerminal bool
	// Browser, when set, is shared by every run of this App and left open (tests run many suites
	// with one Chromium); nil starts one Chromium per run.
	Browser *browser.Browser
}

// NewApp returns an App bound to the process's streams and environment.
func NewApp() *App {
	fi, err := os.Stdout.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return &App{Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv, IsTerminal: tty}
}

type command struct {
	summary string
	run     func(a *App, ctx context.Context, args []string) error
}

// commands is the registry of subcommands.
var commands = map[string]command{
	"run":   {"run feature files against a target; the exit code gates a release", (*App).runCommand},
	"check": {"check the config and feature files offline; no request is sent", (*App).checkCommand},
	"steps": {"print the step catalog (every step pattern, what it does, an example)", (*App).stepsCommand},
	"demo":  {"serve the demo target, optionally with named bugs switched on", (*App).demoCommand},
}

// Run executes one command line (without the program name) and returns the exit code.
// ctx is cancelled on interrupt.
func (a *App) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage(a.Stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitPassed
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(a.Stderr, "regress: unknown command %q; commands: %s\n", args[0], strings.Join(commandNames(), ", "))
		return ExitUsage
	}
	err := cmd.run(a, ctx, args[1:])
	if errors.Is(err, errHelp) {
		return ExitPassed
	}
	code := exitCode(err)
	if err != nil && !isQuiet(err) {
		fmt.Fprintf(a.Stderr, "regress %s: %v\n", args[0], err)
		if hint := hintOf(err); hint != "" {
			fmt.Fprintf(a.Stderr, "hint: %s\n", hint)
		}
	}
	return code
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (a *App) usage(w io.Writer) {
	fmt.Fprintf(w, "regress %s: a black-box regression gate proving one customer never sees another's data.\n", Version)
	fmt.Fprintln(w, "\nusage: regress <command> [flags] [paths]")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-6s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexit codes: 0 passed, 1 a scenario failed, 2 usage/config/feature error or nothing selected, 3 target or browser unreachable")
	fmt.Fprintln(w, "run 'regress <command> -h' for its flags")
}

// quietError is an error whose message was already printed (e.g. the run summary).
type quietError struct{ error }

func (q quietError) Unwrap() error { return q.error }

func isQuiet(err error) bool {
	_, ok := err.(quietError)
	return ok
}
