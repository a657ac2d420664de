package bundle

import "strings"

// maxStars caps the stars in a mask so long values (JWTs, key blocks) stay readable.
const maxStars = 16

// Mask returns value with all but a few characters replaced by stars, so evidence can tell
// values apart without repeating one: values of 16 characters or more keep their first 4 and
// last 4 characters; values of 4 to 15 characters keep their first 2; shorter values are all
// stars. The stars match the hidden length, capped at 16.
func Mask(value string) string {
	r := []rune(value)
	n := len(r)
	switch {
	case n < 4:
		return strings.Repeat("*", n)
	case n < 16:
		return string(r[:2]) + strings.Repeat("*", min(n-2, maxStars))
	}
	return string(r[:4]) + strings.Repeat("*", min(n-8, maxStars)) + string(r[n-4:])
}
