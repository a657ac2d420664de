// Command regress runs Gherkin regression scenarios against a target and exits with a code that
// gates a release: 0 passed, 1 failed, 2 usage/config/feature error, 3 target unreachable.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"regress/runner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal the run winds down (reports, Chromium); a second one kills.
		<-ctx.Done()
		stop()
	}()
	code := runner.NewApp().Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
