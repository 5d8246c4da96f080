package porttest

import "testing"

// rule is one named behaviour of a contract, checked against a fixture C
// (a fresh implementation and what the rule needs beside it).
type rule[C any] struct {
	name  string
	check func(t *testing.T, c C)
}

// runRules runs each rule as a parallel subtest named after it, with a
// fixture of its own from newCase: a failure names the rule that broke.
func runRules[C any](t *testing.T, rules []rule[C], newCase func(t *testing.T) C) {
	t.Helper()
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			r.check(t, newCase(t))
		})
	}
}
