package reports

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// htmlWriter writes one self-contained HTML page: inline CSS, no script, no external reference
// (a Content-Security-Policy forbids any), readable offline. The header gives target, counts,
// duration and an interrupted banner; failures come first, each with ref, reason, leak table,
// rerun command, steps, screenshots inline, DOM and transcript collapsed; then skipped scenarios
// with their reasons; then passed ones, collapsed.
type htmlWriter struct{}

//go:embed report.html.tmpl
var reportTemplate string

const (
	maxHTMLBody       = 4 << 10 // bytes of a transcript body shown
	maxHTMLAttachment = 1 << 20 // bytes of a text attachment shown
)

// inlineImages are the image types shown inline; others are only listed.
var inlineImages = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

type htmlView struct {
	Target, BaseURL, Started, Duration, Verdict string
	OK                                          bool
	Counts                                      counts
	Failed, Skipped, Passed                     []htmlScenario
}

type htmlScenario struct {
	*Scenario
	Anchor, Duration string
	Steps            []htmlStep
	Images           []htmlImage
	Documents        []htmlDocument
	Exchanges        []htmlExchange
}

type htmlStep struct {
	Step
	Duration string
}

type htmlImage struct {
	Name, MediaType string
	Src             template.URL // a data: URI built here from the image bytes
	Inline          bool
}

type htmlDocument struct {
	Name, MediaType, Text string
	Size                  int
	Cut                   bool
}

type htmlExchange struct {
	Exchange
	Duration                      string
	RequestHeader, ResponseHeader []htmlHeader
	RequestBody, ResponseBody     string
	RequestCut, ResponseCut       bool
}

type htmlHeader struct{ Name, Value string }

func (htmlWriter) Write(w io.Writer, run *Run) error {
	tmpl, err := template.New("report").Parse(reportTemplate)
	if err != nil {
		return fmt.Errorf("parsing the html template: %w", err)
	}
	all := run.Scenarios()
	c := countRun(run, all)
	v := htmlView{
		Target: run.Target, BaseURL: run.BaseURL, Duration: shortDuration(run.Duration),
		Verdict: c.verdict(), OK: c.ok(), Counts: c,
	}
	if !run.Started.IsZero() {
		v.Started = run.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for _, sc := range all {
		hs := htmlScenarioOf(sc)
		switch {
		case sc.Status == Passed:
			v.Passed = append(v.Passed, hs)
		case sc.Status == Skipped:
			v.Skipped = append(v.Skipped, hs)
		default:
			v.Failed = append(v.Failed, hs)
		}
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("rendering the html report: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the html report: %w", err)
	}
	return nil
}

func htmlScenarioOf(sc *Scenario) htmlScenario {
	hs := htmlScenario{Scenario: sc, Anchor: "s-" + slug(sc.Ref), Duration: shortDuration(sc.Duration)}
	for _, st := range sc.Steps {
		step := htmlStep{Step: st}
		if st.Duration > 0 {
			step.Duration = shortDuration(st.Duration)
		}
		hs.Steps = append(hs.Steps, step)
	}
	for _, a := range sc.Attachments {
		mt := strings.ToLower(strings.TrimSpace(a.MediaType))
		if isImage(mt) {
			img := htmlImage{Name: a.Name, MediaType: a.MediaType, Inline: inlineImages[mt]}
			if img.Inline {
				// The URI is only base64 after a fixed prefix from inlineImages: nothing to escape.
				img.Src = template.URL("data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(a.Data))
			}
			hs.Images = append(hs.Images, img)
			continue
		}
		text, cut := excerpt(string(a.Data), maxHTMLAttachment)
		hs.Documents = append(hs.Documents, htmlDocument{Name: a.Name, MediaType: a.MediaType, Text: text, Size: len(a.Data), Cut: cut})
	}
	for _, e := range sc.Transcript {
		he := htmlExchange{Exchange: e, Duration: shortDuration(e.Duration),
			RequestHeader: headerLines(e.RequestHeader), ResponseHeader: headerLines(e.ResponseHeader)}
		he.RequestBody, he.RequestCut = excerpt(e.RequestBody, maxHTMLBody)
		he.ResponseBody, he.ResponseCut = excerpt(e.ResponseBody, maxHTMLBody)
		he.ResponseCut = he.ResponseCut || e.BodyCut
		hs.Exchanges = append(hs.Exchanges, he)
	}
	return hs
}

// headerLines lists a header sorted by name, one line per value.
func headerLines(h map[string][]string) []htmlHeader {
	var out []htmlHeader
	for name, values := range h {
		for _, v := range values {
			out = append(out, htmlHeader{name, v})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// excerpt is s cut to at most n bytes on a character boundary, and whether it was cut.
func excerpt(s string, n int) (string, bool) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
