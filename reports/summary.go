package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// summaryWriter writes a short Markdown summary for a CI job summary or a pull-request comment:
// a status line, a counts table, each failed scenario as a bullet with its ref, name, one-line
// reason, leaks and rerun command, and the skipped ones on one line with their reasons.
type summaryWriter struct{}

const (
	maxSummaryFailures = 50  // failed scenarios listed before "and N more"
	maxSummaryLeaks    = 3   // leaks listed per scenario
	maxSummaryReason   = 300 // runes of a one-line reason
)

func (summaryWriter) Write(w io.Writer, run *Run) error {
	bw := bufio.NewWriter(w)
	all := run.Scenarios()
	c := countRun(run, all)

	icon := "❌"
	switch {
	case c.ok():
		icon = "✅"
	case c.Failed == 0:
		icon = "⚠️"
	}
	fmt.Fprintf(bw, "### %s regress: %s — target %s\n\n", icon, c.verdict(), codeSpan(run.Target))
	if c.Unreachable != "" {
		fmt.Fprintf(bw, "> ⚠️ unreachable: %s\n\n", mdText(oneLine(c.Unreachable)))
	}
	fmt.Fprintf(bw, "| passed | failed | skipped | ran | selected | duration |\n")
	fmt.Fprintf(bw, "| ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(bw, "| %d | %d | %d | %d | %d | %s |\n", c.Passed, c.Failed, c.Skipped, c.Ran, c.Selected, shortDuration(run.Duration))

	var failed, skipped []*Scenario
	for _, sc := range all {
		switch {
		case sc.Status == Skipped:
			skipped = append(skipped, sc)
		case sc.failed():
			failed = append(failed, sc)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(bw, "\n**Failed**\n\n")
		for i, sc := range failed {
			if i == maxSummaryFailures {
				fmt.Fprintf(bw, "- and %d more: see report.html\n", len(failed)-i)
				break
			}
			fmt.Fprintf(bw, "- %s **%s**", codeSpan(sc.Ref), mdText(sc.Name))
			if r := oneLine(sc.Reason); r != "" {
				fmt.Fprintf(bw, " — %s", mdText(r))
			}
			bw.WriteString("\n")
			for j, l := range sc.Leaks {
				if j == maxSummaryLeaks {
					fmt.Fprintf(bw, "  - and %d more leaks\n", len(sc.Leaks)-j)
					break
				}
				fmt.Fprintf(bw, "  - leak: %s\n", mdLeak(l))
			}
			if sc.Rerun != "" {
				fmt.Fprintf(bw, "  - rerun: %s\n", codeSpan(sc.Rerun))
			}
		}
	}
	if len(skipped) > 0 {
		var items []string
		for _, sc := range skipped {
			item := codeSpan(sc.Ref) + " " + mdText(sc.Name)
			if r := oneLine(sc.Reason); r != "" {
				item += " (" + mdText(r) + ")"
			}
			items = append(items, item)
		}
		fmt.Fprintf(bw, "\n**Skipped:** %s\n", strings.Join(items, "; "))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

// mdLeak says what a leak is in one Markdown line, values and URLs in code spans.
func mdLeak(l Leak) string {
	s := fmt.Sprintf("%s saw %s's %s %s", mdText(orUnknown(l.Viewer)), mdText(orUnknown(l.Account)), mdText(orUnknown(l.Fingerprint)), codeSpan(l.Masked))
	if l.URL != "" {
		s += " in " + codeSpan(l.URL)
	}
	if l.Where != "" {
		s += " (" + mdText(l.Where) + ")"
	}
	return s
}

// oneLine is the first line of s, cut to maxSummaryReason runes.
func oneLine(s string) string {
	s = firstLine(s)
	if r := []rune(s); len(r) > maxSummaryReason {
		s = string(r[:maxSummaryReason]) + "…"
	}
	return s
}

// shortDuration rounds a duration for people: milliseconds under a minute, seconds above.
func shortDuration(d time.Duration) string {
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// mdText escapes the characters Markdown (and GitHub's HTML sanitiser) would interpret, and
// turns line breaks into spaces.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '!', '&':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// codeSpan puts s in a Markdown code span, with a fence longer than any backtick run inside.
func codeSpan(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
