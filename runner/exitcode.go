package runner

import (
	"errors"
	"fmt"
)

// Exit codes: the only values the process returns.
const (
	ExitPassed      = 0 // every selected scenario passed
	ExitFailed      = 1 // a scenario failed (or the run was interrupted or timed out)
	ExitUsage       = 2 // usage, config or feature error, undefined step, or no scenario selected
	ExitUnreachable = 3 // the target or the browser could not be reached
)

// exitError carries an exit code and an optional hint for the user beside the error.
type exitError struct {
	code int
	err  error
	hint string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(err error, hint string) error {
	return &exitError{code: ExitUsage, err: err, hint: hint}
}

func unreachableError(err error, hint string) error {
	return &exitError{code: ExitUnreachable, err: err, hint: hint}
}

func failedError(format string, args ...any) error {
	return &exitError{code: ExitFailed, err: fmt.Errorf(format, args...)}
}

// exitCode decides the process's exit code from a command's error. It is the one place that
// does: nil is 0, an error without a code is a usage error, never a pass.
func exitCode(err error) int {
	if err == nil {
		return ExitPassed
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitUsage
}

func hintOf(err error) string {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.hint
	}
	return ""
}
