package bundle

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"regress/redact"
)

// minConfigSecret is the shortest extra secret Scan looks for; shorter values hit by chance.
const minConfigSecret = 8

// Scan scans one asset's text with every rule and for every extra secret value (the
// configuration's passwords, tokens and signing secrets; rule "config-secret"; values shorter
// than 8 characters are ignored). An extra secret is found when it appears literally or in its
// JSON-escaped form. Each (rule, value, URL) is reported once, at its first line; findings come
// in line order, then rule order.
//
// A source-map asset whose JSON has sourcesContent is also scanned source by source, so a
// finding there names the original source file and its line; what the raw map text adds beyond
// the sources is reported against the map itself.
func Scan(a Asset, extraSecrets []string) []Finding {
	rules := Rules()
	extras := usableExtras(extraSecrets)
	if a.Kind == KindSourceMap {
		if out, ok := scanSourceMap(a, rules, extras); ok {
			return out
		}
	}
	return scanText(string(a.Body), a.URL, rules, extras, nil)
}

// ScanCrawl scans every asset of a crawl. A secret found in one of a page's inline scripts or
// its __NEXT_DATA__ is not reported a second time against the page's HTML that contains it.
func ScanCrawl(c *Crawl, extraSecrets []string) []Finding {
	if c == nil {
		return nil
	}
	// Inline scripts come right after their page, so findings inside them are known before the
	// page's own findings are kept or dropped.
	var pages []Finding
	inside := map[string]bool{} // page URL + rule + masked value
	var out []Finding
	for _, a := range c.Assets {
		fs := Scan(a, extraSecrets)
		switch a.Kind {
		case KindPage:
			pages = append(pages, fs...)
		case KindInlineScript, KindNextData:
			page := a.URL
			if i := strings.LastIndex(page, " ("); i >= 0 {
				page = page[:i]
			}
			for _, f := range fs {
				inside[page+"\x00"+f.Rule+"\x00"+f.Masked] = true
			}
			out = append(out, fs...)
		default:
			out = append(out, fs...)
		}
	}
	kept := pages[:0]
	for _, f := range pages {
		if !inside[f.URL+"\x00"+f.Rule+"\x00"+f.Masked] {
			kept = append(kept, f)
		}
	}
	return append(kept, out...)
}

type extraSecret struct {
	value string   // as configured; the dedup key
	forms []string // the value and its JSON-escaped form when that differs
}

func usableExtras(values []string) []extraSecret {
	var out []extraSecret
	seen := map[string]bool{}
	for _, v := range values {
		if utf8.RuneCountInString(v) < minConfigSecret || seen[v] {
			continue
		}
		seen[v] = true
		e := extraSecret{value: v, forms: []string{v}}
		if q := jsonEscape(v); q != v {
			e.forms = append(e.forms, q)
		}
		out = append(out, e)
	}
	return out
}

// jsonEscape returns v as it appears inside a JSON or JavaScript string literal.
func jsonEscape(v string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return v
	}
	s := strings.TrimSuffix(b.String(), "\n")
	return s[1 : len(s)-1]
}

type hit struct {
	rule   int // index in rules
	value  string
	offset int
}

// findHits returns every rule match and extra-secret occurrence in text, unordered; an extra
// secret counts once, at its first occurrence.
func findHits(text string, rules []Rule, extras []extraSecret) []hit {
	var hits []hit
	for i, r := range rules {
		if r.pattern == nil || !containsAny(text, r.keywords) {
			continue
		}
		for _, m := range r.pattern.FindAllStringSubmatchIndex(text, -1) {
			v := text[m[2]:m[3]]
			if r.normalize != nil {
				v = r.normalize(v)
			}
			if r.accept == nil || r.accept(v) {
				hits = append(hits, hit{rule: i, value: v, offset: m[2]})
			}
		}
	}
	if len(extras) == 0 {
		return hits
	}
	cfg := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == ConfigSecretRule })
	if cfg < 0 {
		return hits
	}
	for _, e := range extras {
		first := -1
		for _, form := range e.forms {
			if j := strings.Index(text, form); j >= 0 && (first < 0 || j < first) {
				first = j
			}
		}
		if first >= 0 {
			hits = append(hits, hit{rule: cfg, value: e.value, offset: first})
		}
	}
	return hits
}

func hitKey(rules []Rule, h hit) string { return rules[h.rule].ID + "\x00" + h.value }

// scanText returns the findings in text, reported against url, in line order then rule order.
// skip holds hit keys already reported elsewhere.
func scanText(text, url string, rules []Rule, extras []extraSecret, skip map[string]bool) []Finding {
	hits := findHits(text, rules, extras)
	if len(hits) == 0 {
		return nil
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].offset != hits[j].offset {
			return hits[i].offset < hits[j].offset
		}
		return hits[i].rule < hits[j].rule
	})
	lines := lineIndex(text)
	seen := map[string]bool{}
	var out []Finding
	for _, h := range hits {
		key := hitKey(rules, h)
		if seen[key] || skip[key] {
			continue
		}
		seen[key] = true
		out = append(out, Finding{
			Rule:   rules[h.rule].ID,
			URL:    url,
			Line:   lineAt(lines, h.offset),
			Masked: redact.Mask(h.value),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return ruleIndex(rules, out[i].Rule) < ruleIndex(rules, out[j].Rule)
	})
	return out
}

func ruleIndex(rules []Rule, id string) int {
	return slices.IndexFunc(rules, func(r Rule) bool { return r.ID == id })
}

// scanSourceMap scans each embedded source of a source map, then the raw map text for anything
// the sources did not show. It reports false when the body is not a source map with sources.
func scanSourceMap(a Asset, rules []Rule, extras []extraSecret) ([]Finding, bool) {
	var sm struct {
		Sources        []string  `json:"sources"`
		SourcesContent []*string `json:"sourcesContent"`
	}
	if err := json.Unmarshal(a.Body, &sm); err != nil || len(sm.SourcesContent) == 0 {
		return nil, false
	}
	var out []Finding
	found := map[string]bool{} // hit keys seen in some source
	for i, content := range sm.SourcesContent {
		if content == nil {
			continue
		}
		name := "#" + strconv.Itoa(i)
		if i < len(sm.Sources) && sm.Sources[i] != "" {
			name = sm.Sources[i]
		}
		for _, h := range findHits(*content, rules, extras) {
			found[hitKey(rules, h)] = true
		}
		out = append(out, scanText(*content, a.URL+" (source "+name+")", rules, extras, nil)...)
	}
	out = append(out, scanText(string(a.Body), a.URL, rules, extras, found)...)
	return out, true
}

func containsAny(text string, words []string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// lineIndex returns the offset at which each line after the first starts.
func lineIndex(text string) []int {
	var starts []int
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineAt returns the 1-based line of offset.
func lineAt(starts []int, offset int) int {
	return 1 + sort.Search(len(starts), func(i int) bool { return starts[i] > offset })
}
