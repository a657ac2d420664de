package reports

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// cucumberWriter writes the Cucumber JSON that cucumber HTML reporters read: an array of features,
// each with its scenarios as elements and their steps. Durations are in nanoseconds. Attachments
// are embeddings of the failing step, else of the last step. A failed scenario without a failed
// step (a leak found after its steps passed) gets a failed "after" hook carrying the reason and
// leak evidence, so no reporter shows it green; a skipped one whose steps do not say why gets a
// skipped hook carrying its reason.
type cucumberWriter struct{}

type cukeFeature struct {
	URI         string        `json:"uri"`
	ID          string        `json:"id"`
	Keyword     string        `json:"keyword"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Line        int           `json:"line"`
	Tags        []cukeTag     `json:"tags"`
	Elements    []cukeElement `json:"elements"`
}

type cukeTag struct {
	Name string `json:"name"`
	Line int    `json:"line"`
}

type cukeElement struct {
	ID          string     `json:"id"`
	Keyword     string     `json:"keyword"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Line        int        `json:"line"`
	Type        string     `json:"type"`
	Tags        []cukeTag  `json:"tags"`
	Steps       []cukeStep `json:"steps"`
	After       []cukeHook `json:"after,omitempty"`
}

type cukeStep struct {
	Keyword    string          `json:"keyword"`
	Name       string          `json:"name"`
	Line       int             `json:"line"`
	Match      cukeMatch       `json:"match"`
	Result     cukeResult      `json:"result"`
	Embeddings []cukeEmbedding `json:"embeddings,omitempty"`
}

type cukeHook struct {
	Match      cukeMatch       `json:"match"`
	Result     cukeResult      `json:"result"`
	Embeddings []cukeEmbedding `json:"embeddings,omitempty"`
}

type cukeMatch struct {
	Location string `json:"location"`
}

type cukeResult struct {
	Status       string `json:"status"`
	Duration     int64  `json:"duration"`
	ErrorMessage string `json:"error_message,omitempty"`
}

type cukeEmbedding struct {
	MimeType string `json:"mime_type"`
	Data     string `json:"data"`
	Name     string `json:"name,omitempty"`
}

func (cucumberWriter) Write(w io.Writer, run *Run) error {
	features := []cukeFeature{}
	index := map[string]int{}
	for _, sc := range run.Scenarios() {
		uri := sc.uri()
		i, ok := index[uri]
		if !ok {
			i = len(features)
			index[uri] = i
			features = append(features, cukeFeature{
				URI: uri, ID: slug(sc.featureName()), Keyword: "Feature", Name: sc.Feature,
				Line: sc.FeatureLine, Tags: []cukeTag{}, Elements: []cukeElement{},
			})
		}
		f := &features[i]
		f.Elements = append(f.Elements, cucumberElement(f.ID, sc))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(features); err != nil {
		return fmt.Errorf("writing cucumber json: %w", err)
	}
	return nil
}

func cucumberElement(featureID string, sc *Scenario) cukeElement {
	el := cukeElement{
		ID: featureID + ";" + slug(sc.Name), Keyword: "Scenario", Name: sc.Name, Line: sc.Line,
		Type: "scenario", Tags: []cukeTag{}, Steps: []cukeStep{},
	}
	// The results model keeps no tag lines; tags sit on the line above the scenario keyword.
	tagLine := max(sc.Line-1, 0)
	for _, t := range sc.Tags {
		el.Tags = append(el.Tags, cukeTag{Name: t, Line: tagLine})
	}
	failing := sc.failingStep()
	for i, st := range sc.Steps {
		cs := cukeStep{
			Keyword: st.Keyword, Name: st.Text, Line: st.Line,
			Match:  cukeMatch{Location: fmt.Sprintf("%s:%d", sc.uri(), st.Line)},
			Result: cukeResult{Status: cukeStatus(st.Status), Duration: st.Duration.Nanoseconds(), ErrorMessage: st.Error},
		}
		if i == failing {
			cs.Result.ErrorMessage = cucumberError(sc, st.Error)
		}
		el.Steps = append(el.Steps, cs)
	}
	embeddings := cucumberEmbeddings(sc.Attachments)
	needsHook := sc.failed() && failing < 0 || sc.Status == Skipped && !sc.stepSaysWhy()
	switch {
	case needsHook || len(el.Steps) == 0 && len(embeddings) > 0:
		status := cukeStatus(sc.Status)
		if sc.failed() {
			status = "failed"
		}
		el.After = []cukeHook{{
			Match:      cukeMatch{Location: sc.Ref},
			Result:     cukeResult{Status: status, ErrorMessage: cucumberError(sc, "")},
			Embeddings: embeddings,
		}}
	case failing >= 0:
		el.Steps[failing].Embeddings = embeddings
	case len(el.Steps) > 0:
		el.Steps[len(el.Steps)-1].Embeddings = embeddings
	}
	return el
}

// cucumberError is the failing step's error followed by the scenario's reason and leak evidence
// when they say more.
func cucumberError(sc *Scenario, stepError string) string {
	var parts []string
	if stepError != "" {
		parts = append(parts, stepError)
	}
	if sc.Reason != "" && !strings.Contains(stepError, sc.Reason) {
		parts = append(parts, sc.Reason)
	}
	if len(sc.Leaks) > 0 {
		lines := []string{"leaks:"}
		for _, l := range sc.Leaks {
			lines = append(lines, "  - "+l.describe())
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	if sc.Rerun != "" && (sc.failed() || stepError != "") {
		parts = append(parts, "rerun: "+sc.Rerun)
	}
	return strings.Join(parts, "\n\n")
}

// stepSaysWhy reports whether a step carries an error message.
func (sc *Scenario) stepSaysWhy() bool {
	for _, st := range sc.Steps {
		if st.Error != "" {
			return true
		}
	}
	return false
}

func cucumberEmbeddings(atts []Attachment) []cukeEmbedding {
	var out []cukeEmbedding
	for _, a := range atts {
		mt := a.MediaType
		if mt == "" {
			mt = "application/octet-stream"
		}
		out = append(out, cukeEmbedding{MimeType: mt, Data: base64.StdEncoding.EncodeToString(a.Data), Name: a.Name})
	}
	return out
}

// cukeStatus maps a status to Cucumber's words; anything unknown is failed.
func cukeStatus(st Status) string {
	switch st {
	case Passed, Failed, Skipped, Undefined, "pending", "ambiguous":
		return string(st)
	}
	return "failed"
}

// slug is the id form of a name: lowercase, runs of other characters as one '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '\uFFFD' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
