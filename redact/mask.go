// Package redact removes secrets and personal values from anything regress writes.
package redact

import "strings"

// Mask keeps the first and last few characters of a value and stars the rest, so evidence can
// say which value it was without repeating it. Values of 8 characters or fewer keep only their
// first character; the mask is as long as the value (capped), so lengths stay comparable.
func Mask(value string) string {
	r := []rune(value)
	n := len(r)
	switch {
	case n == 0:
		return ""
	case n <= 8:
		return string(r[:1]) + strings.Repeat("*", n-1)
	}
	keep := 2
	if n >= 24 {
		keep = 4
	}
	stars := n - 2*keep
	if stars > 16 {
		stars = 16
	}
	return string(r[:keep]) + strings.Repeat("*", stars) + string(r[n-keep:])
}
