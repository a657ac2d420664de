//go:build !linux

package browser

import "time"

// processes is empty off Linux: without /proc there is no portable way to find Chromium's
// helpers, and chromedp's own shutdown stops the main process.
type processes map[int]struct{}

func chromiumProcesses(int, string) processes { return processes{} }

func (processes) stop(string, time.Duration) int { return 0 }
