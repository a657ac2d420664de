package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The strict decoder walks a yaml.Node tree into the documents of schema.go. It reports, with lines:
// unknown keys (listing the valid ones), duplicate keys, values of the wrong shape or type, and malformed
// ${...} references. Anchors, aliases and merge keys (<<) are followed. Every scalar value is
// interpolated; keys never are.
//
// In check mode (lookup nil) nothing is looked up: a value holding ${...} is only checked for syntax,
// and its type is checked once it is interpolated.

// maxSteps bounds the nodes one decode visits, so that aliases cannot make a small file expensive.
const maxSteps = 200_000

type decoder struct {
	c       *collector
	lookup  func(string) (string, bool) // nil in check mode
	missing []missingVar
	active  map[*yaml.Node]bool // collections being decoded, to stop alias cycles
	steps   int
}

// missingVar is one reference to a variable that is not set.
type missingVar struct {
	name string
	line int
	ctx  string // short description of the value, e.g. `account "alice" password`
}

func newDecoder(c *collector, lookup func(string) (string, bool)) *decoder {
	return &decoder{c: c, lookup: lookup, active: map[*yaml.Node]bool{}}
}

// place says what is being decoded, for messages.
type place struct {
	labels []string // enclosing entries, outermost first: `target "staging"`, `account "alice"`, `login`
	field  string   // the key being decoded; "" when decoding an entry or list item itself
	noun   string   // the field's entry:"..." tag: what one of its entries is called
}

// in is `in account "alice" of target "staging"`, or `at the top level`.
func (p place) in() string {
	if len(p.labels) == 0 {
		return "at the top level"
	}
	return "in " + p.where()
}

// where is `account "alice" of target "staging"`.
func (p place) where() string {
	inner := slices.Clone(p.labels)
	slices.Reverse(inner)
	return strings.Join(inner, " of ")
}

// subject names the value being decoded: `rate_limit in target "staging"` or `account "alice" of ...`.
func (p place) subject() string {
	switch {
	case p.field != "":
		return p.field + " " + p.in()
	case len(p.labels) > 0:
		return p.where()
	default:
		return "the top level"
	}
}

// short names the value within its target: `account "alice" password`, `base_url`.
func (p place) short() string {
	labels := p.labels
	if len(labels) > 1 {
		labels = labels[1:]
	}
	parts := slices.Clone(labels)
	if p.field != "" {
		parts = append(parts, p.field)
	}
	return strings.Join(parts, " ")
}

func (p place) child(label string) place {
	labels := make([]string, 0, len(p.labels)+1)
	labels = append(labels, p.labels...)
	return place{labels: append(labels, label)}
}

var (
	posType     = reflect.TypeFor[pos]()
	orderedType = reflect.TypeFor[interface{ orderedMapping() }]()
)

// decode decodes n into v, reporting problems; what it cannot decode it leaves as it was. It reports
// whether v was set: false for null, a scalar of the wrong type, or a value not known yet.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, pl place) bool {
	if n == nil || !d.step(n) {
		return false
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.c.add(n.Line, "%s: alias *%s refers to nothing", pl.subject(), n.Value)
			return false
		}
		return d.decode(n.Alias, v, pl)
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if d.active[n] {
			d.c.add(n.Line, "%s: an alias refers to a mapping or list that contains it", pl.subject())
			return false
		}
		d.active[n] = true
		defer delete(d.active, n)
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return false // absent: the zero value, or the default applied by validation
	}
	switch {
	case v.Kind() == reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !d.decode(n, p.Elem(), pl) {
			return false
		}
		v.Set(p)
		return true
	case v.Type().Implements(orderedType):
		return d.orderedMapping(n, v, pl)
	case v.Kind() == reflect.Struct:
		return d.structure(n, v, pl)
	case v.Kind() == reflect.Slice:
		return d.list(n, v, pl)
	default:
		return d.scalar(n, v, pl)
	}
}

// step counts a visited node; it reports false once the budget is spent.
func (d *decoder) step(n *yaml.Node) bool {
	d.steps++
	if d.steps == maxSteps+1 {
		d.c.add(n.Line, "the file expands to more than %d nodes (through aliases); simplify it", maxSteps)
	}
	return d.steps <= maxSteps
}

// structField is one yaml-tagged field of a document struct.
type structField struct {
	index int
	noun  string
}

// structure decodes a mapping into a struct, by the fields' yaml tags.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, pl place) bool {
	if n.Kind != yaml.MappingNode {
		d.typeErr(n, pl, "a mapping of fields (key: value)")
		return false
	}
	inner := pl
	if pl.field != "" {
		inner = pl.child(pl.field)
	}
	inner.field, inner.noun = "", ""

	t := v.Type()
	fields := map[string]structField{}
	posIndex := -1
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == posType {
			posIndex = i
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = structField{index: i, noun: f.Tag.Get("entry")}
	}

	p := pos{Line: n.Line, Fields: map[string]int{}}
	for _, kv := range d.pairs(n, inner, "key") {
		f, ok := fields[kv.key]
		if !ok {
			d.c.add(kv.keyLine, "unknown field %q %s; valid fields: %s", kv.key, inner.in(), strings.Join(sortedKeys(fields), ", "))
			continue
		}
		p.Fields[kv.key] = kv.val.Line
		d.decode(kv.val, v.Field(f.index), place{labels: inner.labels, field: kv.key, noun: f.noun})
	}
	if posIndex >= 0 {
		v.Field(posIndex).Set(reflect.ValueOf(p))
	}
	return true
}

// orderedMapping decodes a mapping name -> value into an ordered[T], keeping the file's order.
func (d *decoder) orderedMapping(n *yaml.Node, v reflect.Value, pl place) bool {
	noun := pl.noun
	if noun == "" {
		noun = "entry"
	}
	if n.Kind != yaml.MappingNode {
		d.typeErr(n, pl, fmt.Sprintf("a mapping of %s names to values (name: value)", noun))
		return false
	}
	outer := place{labels: pl.labels}
	kvs := d.pairs(n, outer, noun)
	out := reflect.MakeSlice(v.Type(), 0, len(kvs))
	for _, kv := range kvs {
		e := reflect.New(v.Type().Elem()).Elem()
		e.FieldByName("Key").SetString(kv.key)
		e.FieldByName("Line").SetInt(int64(kv.keyLine))
		e.FieldByName("Node").Set(reflect.ValueOf(kv.val))
		d.decode(kv.val, e.FieldByName("Value"), outer.child(fmt.Sprintf("%s %q", noun, kv.key)))
		out = reflect.Append(out, e)
	}
	v.Set(out)
	return true
}

// list decodes a sequence into a slice.
func (d *decoder) list(n *yaml.Node, v reflect.Value, pl place) bool {
	if n.Kind != yaml.SequenceNode {
		d.typeErr(n, pl, "a list")
		return false
	}
	elem := v.Type().Elem()
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		e := reflect.New(elem).Elem()
		var ipl place
		if elem.Kind() == reflect.Struct {
			noun := pl.noun
			if noun == "" {
				noun = "item"
			}
			label := fmt.Sprintf("%s #%d", noun, i+1)
			if name, ok := peekName(item); ok {
				label = fmt.Sprintf("%s %q", noun, name)
			}
			ipl = pl.child(label)
		} else {
			ipl = place{labels: pl.labels, field: fmt.Sprintf("%s item %d", pl.field, i+1)}
		}
		d.decode(item, e, ipl)
		out = reflect.Append(out, e)
	}
	v.Set(out)
	return true
}

// peekName returns the scalar under a mapping's "name" key, to label a list item in messages.
func peekName(n *yaml.Node) (string, bool) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "name" && val.Kind == yaml.ScalarNode && val.Value != "" {
			return val.Value, true
		}
	}
	return "", false
}

// scalar decodes a scalar into a string, bool, integer or float, after interpolation.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, pl place) bool {
	want := scalarWant(v.Kind())
	if want == "" {
		d.c.add(n.Line, "%s: field of unsupported type %s", pl.subject(), v.Type())
		return false
	}
	if n.Kind != yaml.ScalarNode {
		d.typeErr(n, pl, want)
		return false
	}
	s, ok := d.value(n, pl)
	if !ok {
		return false
	}
	t := strings.TrimSpace(s)
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return true
	case reflect.Bool:
		switch t {
		case "true", "True", "TRUE":
			v.SetBool(true)
			return true
		case "false", "False", "FALSE":
			v.SetBool(false)
			return true
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64)
		if err == nil && !v.OverflowInt(i) {
			v.SetInt(i)
			return true
		}
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && !v.OverflowFloat(f) {
			v.SetFloat(f)
			return true
		}
	}
	d.c.add(n.Line, "%s must be %s, got %s", pl.subject(), want, quoteShort(s))
	return false
}

func scalarWant(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a single value"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return ""
}

// value returns a scalar's interpolated text. It reports false when the text is not known: a
// malformed reference (reported), a missing variable (recorded), or any reference in check mode.
func (d *decoder) value(n *yaml.Node, pl place) (string, bool) {
	out, refs, missing, err := expand(n.Value, d.lookup)
	if err != nil {
		d.c.add(n.Line, "%s: %v", pl.subject(), err)
		return "", false
	}
	if d.lookup == nil {
		return out, refs == 0
	}
	if len(missing) > 0 {
		for _, name := range missing {
			d.missing = append(d.missing, missingVar{name: name, line: n.Line, ctx: pl.short()})
		}
		d.c.quiet[n.Line] = true
		return "", false
	}
	return out, true
}

func (d *decoder) typeErr(n *yaml.Node, pl place, want string) {
	d.c.add(n.Line, "%s must be %s, got %s", pl.subject(), want, describe(n))
}

// describe says what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return quoteShort(n.Value)
	}
	return "something else"
}

func quoteShort(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return strconv.Quote(string(r[:limit])) + "..."
	}
	return strconv.Quote(s)
}

// keyValue is one key of a mapping and its value node.
type keyValue struct {
	key     string
	keyLine int
	val     *yaml.Node
}

// pairs returns a mapping's keys and values in order, merge keys (<<) resolved: an explicit key wins
// over a merged one, and an earlier merged mapping over a later one. A duplicate explicit key and a key
// that is not a scalar are reported; noun names a key in messages ("key", "route", ...).
func (d *decoder) pairs(n *yaml.Node, pl place, noun string) []keyValue {
	explicit := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolveAlias(n.Content[i])
		if isMergeKey(k) {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.c.add(k.Line, "a %s %s must be a plain name, got %s", noun, pl.in(), describe(k))
			continue
		}
		if first, dup := explicit[k.Value]; dup {
			d.c.add(k.Line, "duplicate %s %q %s (first defined at line %d); remove one of them", noun, k.Value, pl.in(), first)
			continue
		}
		explicit[k.Value] = k.Line
	}

	var out []keyValue
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !d.step(n.Content[i]) {
			return out
		}
		k, val := resolveAlias(n.Content[i]), n.Content[i+1]
		if isMergeKey(k) {
			for _, kv := range d.merged(val, pl, noun) {
				if _, ok := explicit[kv.key]; !ok && !seen[kv.key] {
					seen[kv.key] = true
					out = append(out, kv)
				}
			}
			continue
		}
		if k.Kind != yaml.ScalarNode || seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		out = append(out, keyValue{key: k.Value, keyLine: k.Line, val: val})
	}
	return out
}

// merged returns the pairs a merge key's value brings: a mapping, or a list of mappings.
func (d *decoder) merged(val *yaml.Node, pl place, noun string) []keyValue {
	val = resolveAlias(val)
	if d.active[val] {
		d.c.add(val.Line, "a merge (<<) %s refers to a mapping that contains it", pl.in())
		return nil
	}
	switch val.Kind {
	case yaml.MappingNode:
		d.active[val] = true
		defer delete(d.active, val)
		return d.pairs(val, pl, noun)
	case yaml.SequenceNode:
		d.active[val] = true
		defer delete(d.active, val)
		var out []keyValue
		for _, item := range val.Content {
			if resolveAlias(item).Kind != yaml.MappingNode {
				d.c.add(item.Line, "a merge (<<) %s must list mappings, got %s", pl.in(), describe(resolveAlias(item)))
				continue
			}
			out = append(out, d.merged(item, pl, noun)...)
		}
		return out
	}
	d.c.add(val.Line, "a merge (<<) %s must be a mapping or a list of mappings, got %s", pl.in(), describe(val))
	return nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
