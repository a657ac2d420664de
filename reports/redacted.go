package reports

import (
	"strings"

	"regress/redact"
)

// Redacted returns a deep copy of the run in which every string — target, URLs, why it was
// unreachable, names, tags, reasons, leak evidence, step texts and errors, transcript URLs,
// headers and bodies, rerun commands, attachment names and the data of every non-image
// attachment — went through red.
// Image attachments keep their bytes. The copy shares nothing with run. A nil red still applies
// the pattern rules of redact.
func (run *Run) Redacted(red *redact.Redactor) *Run {
	s := red.String
	run.mu.Lock()
	unreachable := run.Unreachable
	run.mu.Unlock()
	out := &Run{
		Target:      s(run.Target),
		BaseURL:     s(run.BaseURL),
		Started:     run.Started,
		Duration:    run.Duration,
		Selected:    run.Selected,
		Interrupted: run.Interrupted,
		Unreachable: s(unreachable),
	}
	for _, sc := range run.Scenarios() {
		out.Add(sc.redacted(red))
	}
	return out
}

func (sc *Scenario) redacted(red *redact.Redactor) *Scenario {
	s := red.String
	out := &Scenario{
		Ref:         s(sc.Ref),
		URI:         s(sc.URI),
		Line:        sc.Line,
		Feature:     s(sc.Feature),
		FeatureLine: sc.FeatureLine,
		Name:        s(sc.Name),
		Status:      sc.Status,
		Reason:      s(sc.Reason),
		Duration:    sc.Duration,
		Rerun:       s(sc.Rerun),
	}
	for _, t := range sc.Tags {
		out.Tags = append(out.Tags, s(t))
	}
	for _, l := range sc.Leaks {
		out.Leaks = append(out.Leaks, Leak{
			Viewer: s(l.Viewer), Account: s(l.Account), Fingerprint: s(l.Fingerprint),
			Masked: s(l.Masked), URL: s(l.URL), Where: s(l.Where),
		})
	}
	for _, st := range sc.Steps {
		out.Steps = append(out.Steps, Step{
			Keyword: s(st.Keyword), Text: s(st.Text), Line: st.Line, Status: st.Status,
			Error: s(st.Error), Duration: st.Duration,
		})
	}
	for _, a := range sc.Attachments {
		c := Attachment{Name: s(a.Name), MediaType: a.MediaType}
		if isImage(a.MediaType) {
			c.Data = append([]byte(nil), a.Data...)
		} else {
			c.Data = []byte(s(string(a.Data)))
		}
		out.Attachments = append(out.Attachments, c)
	}
	for _, e := range sc.Transcript {
		out.Transcript = append(out.Transcript, Exchange{
			Session: s(e.Session), Method: s(e.Method), URL: s(e.URL), Status: e.Status,
			RequestHeader: red.Header(e.RequestHeader), RequestBody: s(e.RequestBody),
			ResponseHeader: red.Header(e.ResponseHeader), ResponseBody: s(e.ResponseBody),
			BodyCut: e.BodyCut, Truncated: e.Truncated, Error: s(e.Error), Duration: e.Duration,
		})
	}
	return out
}

// isImage reports whether a media type is a raster image kept as it is.
func isImage(mediaType string) bool {
	mt := strings.ToLower(strings.TrimSpace(mediaType))
	return strings.HasPrefix(mt, "image/") && !strings.HasPrefix(mt, "image/svg")
}
