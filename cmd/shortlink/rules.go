package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

// maxRulesFile bounds a --rules file: ten rules of long URLs fit.
const maxRulesFile = 64 << 10

// readRules reads the redirect rules in the JSON file at path (- reads
// standard input): an array of {"when": {...}, "url": "..."}, as the API
// takes them (docs/api.md). The server checks them.
func (c *cli) readRules(path string) (oapi.Rules, error) {
	r := c.in
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageErrorf("read the rules file: %v", err)
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxRulesFile+1))
	if err != nil {
		return nil, usageErrorf("read the rules: %v", err)
	}
	if len(raw) > maxRulesFile {
		return nil, usageErrorf("the rules file %s is over %d KiB", path, maxRulesFile>>10)
	}
	var rules oapi.Rules
	if err := json.Unmarshal(raw, &rules); err != nil {
		return nil, usageErrorf("the rules file %s is not a JSON array of {\"when\": {...}, \"url\": \"...\"}: %v", path, err)
	}
	return rules, nil
}

// targetPairs are a link's rules in words, one line each.
func targetPairs(targets *[]oapi.RuleTarget) [][2]string {
	if targets == nil {
		return nil
	}
	var pairs [][2]string
	for i, t := range *targets {
		pairs = append(pairs, [2]string{fmt.Sprintf("rule %d", i+1), t.When + " → " + t.Host})
	}
	return pairs
}
