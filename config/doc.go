// Package config reads regress.yaml: the targets a run can select, each with its base URL, accounts
// (credentials from the environment, and fingerprints: values that belong to one account alone),
// routes, timeouts, rate limit and whether mutating scenarios are allowed.
//
// Decoding is strict: an unknown or repeated key, a value of the wrong type, or malformed YAML is an
// error naming the file and line. Values (never keys) may use ${VAR}, ${VAR:-default} and $$; only the
// selected target is interpolated, so another target's variables need not be set. Every problem of a
// call is reported at once, each as "FILE:LINE: message".
//
// Parse or Load check a whole file; File.Target interpolates, validates and resolves one target, with
// defaults applied. A File is safe for concurrent use.
package config
