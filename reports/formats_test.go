package reports

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"regress/redact"
)

// write runs one format on the run and returns its output.
func write(t *testing.T, format string, run *Run) []byte {
	t.Helper()
	w, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, run); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

// junitDoc mirrors the JUnit schema: testsuites, testsuite, testcase, failure, skipped.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitParses(t *testing.T) {
	var doc junitDoc
	if err := xml.Unmarshal(write(t, "junit.xml", mixedRun()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 3 {
		t.Fatalf("counts: tests %d failures %d skipped %d suites %d", doc.Tests, doc.Failures, doc.Skipped, len(doc.Suites))
	}
	tests, failures, skipped := 0, 0, 0
	for _, s := range doc.Suites {
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d, has %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		tests += s.Tests
		failures += s.Failures
		skipped += s.Skipped
	}
	if tests != doc.Tests || failures != doc.Failures || skipped != doc.Skipped {
		t.Errorf("suite counts %d/%d/%d do not add up to %d/%d/%d", tests, failures, skipped, doc.Tests, doc.Failures, doc.Skipped)
	}
	iso := doc.Suites[1]
	if iso.Name != "features/isolation.feature" || iso.Time != "1.750" {
		t.Errorf("suite = %s time %s", iso.Name, iso.Time)
	}
	tc := iso.Cases[0]
	if tc.Name != "Alice cannot read Bob's order by id (features/isolation.feature:12)" || tc.Classname != "Customer isolation" {
		t.Errorf("testcase = %q classname %q", tc.Name, tc.Classname)
	}
	if tc.Failure == nil {
		t.Fatal("no failure")
	}
	if want := `features/isolation.feature:15: step "the response status is 404": expected 404, got 200`; tc.Failure.Message != want {
		t.Errorf("failure message = %q", tc.Failure.Message)
	}
	for _, want := range []string{"leak: alice saw bob's email in GET", "alice saw bob's email (bo************st) in http://127.0.0.1:41234/api/orders/ord_bob_1 (response body)",
		"features/isolation.feature:12", "regress run --target demo features/isolation.feature:12"} {
		if !strings.Contains(tc.Failure.Body, want) {
			t.Errorf("failure body lacks %q:\n%s", want, tc.Failure.Body)
		}
	}
	skip := doc.Suites[2].Cases[0].Skipped
	if skip == nil || !strings.HasPrefix(skip.Message, "target demo is read-only") {
		t.Errorf("skipped = %+v", skip)
	}
}

func TestJUnitStaysWellFormed(t *testing.T) {
	run := &Run{Target: "demo"}
	run.Add(&Scenario{Ref: "f.feature:1", Name: "odd ]]> <b>\x00", Status: Failed, Reason: "colour \x1b[31mred\x1b[0m ]]> \xff end"})
	var doc junitDoc
	if err := xml.Unmarshal(write(t, "junit.xml", run), &doc); err != nil {
		t.Fatal(err)
	}
	if f := doc.Suites[0].Cases[0].Failure; f == nil || !strings.Contains(f.Body, "]]> ") {
		t.Errorf("failure = %+v", f)
	}
}

// cucumberDoc mirrors the Cucumber JSON shape: features, elements, steps, result, embeddings.
type cucumberDoc []struct {
	URI      string `json:"uri"`
	ID       string `json:"id"`
	Keyword  string `json:"keyword"`
	Name     string `json:"name"`
	Line     int    `json:"line"`
	Elements []struct {
		ID      string `json:"id"`
		Keyword string `json:"keyword"`
		Name    string `json:"name"`
		Line    int    `json:"line"`
		Type    string `json:"type"`
		Tags    []struct {
			Name string `json:"name"`
			Line int    `json:"line"`
		} `json:"tags"`
		Steps []cucumberStep `json:"steps"`
		After []cucumberStep `json:"after"`
	} `json:"elements"`
}

type cucumberStep struct {
	Keyword string `json:"keyword"`
	Name    string `json:"name"`
	Line    int    `json:"line"`
	Result  struct {
		Status       string `json:"status"`
		Duration     int64  `json:"duration"`
		ErrorMessage string `json:"error_message"`
	} `json:"result"`
	Embeddings []struct {
		MimeType string `json:"mime_type"`
		Data     string `json:"data"`
		Name     string `json:"name"`
	} `json:"embeddings"`
}

func TestCucumberShape(t *testing.T) {
	var doc cucumberDoc
	if err := json.Unmarshal(write(t, "cucumber.json", mixedRun()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 3 {
		t.Fatalf("%d features", len(doc))
	}
	f := doc[1]
	if f.URI != "features/isolation.feature" || f.Keyword != "Feature" || f.Name != "Customer isolation" || f.Line != 1 || len(f.Elements) != 1 {
		t.Fatalf("feature = %+v", f)
	}
	el := f.Elements[0]
	if el.Keyword != "Scenario" || el.Type != "scenario" || el.Line != 12 || len(el.Tags) != 2 || el.Tags[1].Name != "@smoke" {
		t.Errorf("element = %+v", el)
	}
	var statuses []string
	for _, st := range el.Steps {
		statuses = append(statuses, st.Result.Status)
	}
	if want := []string{"passed", "passed", "failed", "skipped"}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
	failing := el.Steps[2]
	if failing.Keyword != "Then " || failing.Result.Duration != 1_500_000_000 {
		t.Errorf("failing step = %+v", failing)
	}
	for _, want := range []string{"answered 200, expected 404", "alice saw bob's email (bo************st)"} {
		if !strings.Contains(failing.Result.ErrorMessage, want) {
			t.Errorf("error_message lacks %q: %q", want, failing.Result.ErrorMessage)
		}
	}
	if len(failing.Embeddings) != 2 || failing.Embeddings[0].MimeType != "image/png" || failing.Embeddings[1].MimeType != "text/html" {
		t.Fatalf("embeddings = %+v", failing.Embeddings)
	}
	png, err := base64.StdEncoding.DecodeString(failing.Embeddings[0].Data)
	if err != nil || !bytes.Equal(png, tinyPNG) {
		t.Errorf("screenshot embedding does not decode to the PNG: %v", err)
	}
	if len(el.Steps[3].Embeddings) != 0 {
		t.Error("attachments also on another step")
	}
	skipped := doc[2].Elements[0]
	if len(skipped.After) != 1 || skipped.After[0].Result.Status != "skipped" || !strings.Contains(skipped.After[0].Result.ErrorMessage, "read-only") {
		t.Errorf("skipped scenario without steps: after = %+v", skipped.After)
	}
}

func TestCucumberLeakAfterPassingSteps(t *testing.T) {
	var doc cucumberDoc
	if err := json.Unmarshal(write(t, "cucumber.json", interruptedRun()), &doc); err != nil {
		t.Fatal(err)
	}
	el := doc[0].Elements[0]
	if len(el.After) != 1 || el.After[0].Result.Status != "failed" || !strings.Contains(el.After[0].Result.ErrorMessage, "carol saw alice's customer_id") {
		t.Errorf("a scenario failed by the leak sentinel must carry a failed hook: %+v", el.After)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	out := write(t, "report.html", mixedRun())
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var (
		headings []string
		images   []string
		copies   []string
		details  int
	)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "iframe", "object", "embed", "base":
				t.Errorf("report has a <%s> element", n.Data)
			case "h2":
				headings = append(headings, text(n))
			case "details":
				details++
			case "code":
				if attr(n, "class") == "copy" {
					copies = append(copies, text(n))
				}
			case "img":
				images = append(images, attr(n, "src"))
			}
			for _, a := range n.Attr {
				v := strings.ToLower(a.Val)
				switch a.Key {
				case "src", "href", "action", "formaction", "srcset", "poster", "data", "background", "cite", "manifest":
					if strings.Contains(v, "http://") || strings.Contains(v, "https://") || strings.HasPrefix(v, "//") {
						t.Errorf("<%s %s=%q> refers outside the file", n.Data, a.Key, a.Val)
					}
				case "style":
					if strings.Contains(v, "url(") {
						t.Errorf("<%s style=%q> loads a resource", n.Data, a.Val)
					}
				}
			}
		}
		if n.Type == html.ElementNode && n.Data == "style" && strings.Contains(text(n), "url(") {
			t.Error("the stylesheet loads a resource")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if want := []string{"Failed (1)", "Skipped (1)", "Passed (1)"}; !reflect.DeepEqual(headings, want) {
		t.Errorf("sections = %q, want %q", headings, want)
	}
	if len(images) != 1 || images[0] != "data:image/png;base64,"+base64.StdEncoding.EncodeToString(tinyPNG) {
		t.Errorf("images = %q", images)
	}
	if len(copies) != 1 || copies[0] != "regress run --target demo features/isolation.feature:12" {
		t.Errorf("rerun commands = %q", copies)
	}
	if details < 3 { // DOM, transcript, passed
		t.Errorf("%d <details>, want the DOM, the transcript and the passed scenarios collapsed", details)
	}
	for _, want := range []string{"bo************st", "Set-Cookie: session=", "&lt;h1&gt;Order ord_bob_1&lt;/h1&gt;"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	run := &Run{Target: "<script>alert(1)</script>"}
	run.Add(&Scenario{Ref: "f.feature:1", Name: `<img src="https://evil.test/x.png">`, Status: Failed,
		Reason: "</pre><script>x</script>", Attachments: []Attachment{{Name: "dom", MediaType: "text/html", Data: []byte(`<a href="https://evil.test">x</a>`)}}})
	out := write(t, "report.html", run)
	for _, bad := range []string{"<script>", `<img src="https://`, `<a href="https://`} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("report has unescaped %q", bad)
		}
	}
}

func TestSummary(t *testing.T) {
	out := string(write(t, "summary.md", mixedRun()))
	for _, want := range []string{
		"### ❌ regress: 1 failed — target `demo`",
		"| 1 | 1 | 1 | 3 | 3 | 4.2s |",
		"- `features/isolation.feature:12` **Alice cannot read Bob's order by id** — features/isolation.feature:15: step \"the response status is 404\": expected 404, got 200\n",
		"  - rerun: `regress run --target demo features/isolation.feature:12`",
		"**Skipped:** `features/webhook.feature:9` Replaying an event grants one entitlement (target demo is read-only",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	out = string(write(t, "summary.md", interruptedRun()))
	for _, want := range []string{
		"### ❌ regress: 1 failed, target or browser unreachable, interrupted after 2 of 5 scenarios — target `staging`",
		"> ⚠️ unreachable: GET https://staging.example.test/api/me: connection refused",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("interrupted summary lacks %q:\n%s", want, out)
		}
	}
	run := &Run{Target: "demo", Selected: 1}
	run.Add(&Scenario{Ref: "a.feature:1", Name: "ok", Status: Passed})
	if out := string(write(t, "summary.md", run)); !strings.HasPrefix(out, "### ✅ regress: passed") {
		t.Errorf("passing summary = %q", out)
	}
}

func TestCodeSpan(t *testing.T) {
	for in, want := range map[string]string{"a": "`a`", "a`b": "`` a`b ``", "``x": "``` ``x ```", "a\nb": "`a b`"} {
		if got := codeSpan(in); got != want {
			t.Errorf("codeSpan(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmptyRun(t *testing.T) {
	for _, name := range Names() {
		empty := &Run{}
		empty.Add(&Scenario{})
		for _, run := range []*Run{{}, empty} {
			if out := write(t, name, run); len(out) == 0 {
				t.Errorf("%s wrote nothing", name)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("cucumber.json"); err != nil {
		t.Fatal(err)
	}
	_, err := Lookup("pdf")
	if err == nil {
		t.Fatal("Lookup(pdf) succeeded")
	}
	for _, name := range []string{"junit.xml", "cucumber.json", "report.html", "summary.md"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not list %s: %v", name, err)
		}
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports", "nested")
	summaryFile := filepath.Join(t.TempDir(), "step_summary.md")
	if err := os.WriteFile(summaryFile, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths, err := WriteAll(dir, mixedRun(), redact.New(nil), summaryFile)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range []string{"cucumber.json", "junit.xml", "report.html", "summary.md"} {
		want = append(want, filepath.Join(dir, name))
	}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	got, _ := os.ReadFile(summaryFile)
	if string(got) != "earlier step\n\n"+string(md) {
		t.Errorf("step summary = %q", got)
	}
}

func TestWriteAllWithoutStepSummary(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteAll(dir, mixedRun(), nil, ""); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("%d files in the report dir", len(entries))
	}
}

func TestWriteAllReportsErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAll(filepath.Join(file, "dir"), mixedRun(), nil, ""); err == nil {
		t.Error("WriteAll into a path below a file succeeded")
	}
	dir := t.TempDir()
	paths, err := WriteAll(dir, mixedRun(), nil, filepath.Join(file, "summary"))
	if err == nil || len(paths) != 4 {
		t.Errorf("an unwritable step summary: paths %q, err %v", paths, err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWritersReturnErrors(t *testing.T) {
	for name, w := range Formats() {
		if err := w.Write(failingWriter{}, mixedRun()); err == nil {
			t.Errorf("%s hid a write error", name)
		}
	}
}

func TestRedactedIsADeepCopy(t *testing.T) {
	run := mixedRun()
	red := redact.New([]string{fixturePassword})
	c := run.Redacted(red)
	orig := run.Scenarios()[1]
	cp := c.Scenarios()[1]
	if cp.Transcript[0].RequestBody == orig.Transcript[0].RequestBody {
		t.Error("the request body was not redacted")
	}
	if !bytes.Equal(cp.Attachments[0].Data, tinyPNG) {
		t.Error("the screenshot changed")
	}
	cp.Attachments[0].Data[0] = 0
	cp.Steps[0].Text = "changed"
	cp.Transcript[1].RequestHeader["Cookie"][0] = "changed"
	cp.Tags[0] = "changed"
	if orig.Attachments[0].Data[0] == 0 || orig.Steps[0].Text == "changed" ||
		orig.Transcript[1].RequestHeader["Cookie"][0] == "changed" || orig.Tags[0] == "changed" {
		t.Error("the copy shares memory with the run")
	}
	if c.Target != run.Target || !c.Started.Equal(run.Started) || c.Selected != run.Selected || len(c.Scenarios()) != 3 {
		t.Errorf("run fields lost: %+v", c)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
