package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The rules' JSON, as the API and the stores write it (SPEC §15):
//
//	[{"when":{"device":["mobile"],"os":["ios"],"country":["FR"],
//	  "language":["fr"],"query":{"k":"v"}},"url":"https://…"}]

// RulesJSON is rs as a JSON array ("[]" for none).
func RulesJSON(rs *Rules) []byte {
	buf := []byte{'['}
	for i, s := range rs.Specs() {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"when":{`...)
		first := true
		list := func(name string, values []string) {
			if values == nil {
				return
			}
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(buf, '"')
			buf = append(buf, name...)
			buf = append(buf, `":`...)
			buf = appendJSON(buf, values)
		}
		list("device", s.Device)
		list("os", s.OS)
		list("country", s.Country)
		list("language", s.Language)
		if len(s.Query) > 0 {
			if !first {
				buf = append(buf, ',')
			}
			buf = append(buf, `"query":{`...)
			for j, q := range s.Query {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = appendJSON(buf, q.Name)
				buf = append(buf, ':')
				buf = appendJSON(buf, q.Value)
			}
			buf = append(buf, '}')
		}
		buf = append(buf, `},"url":`...)
		buf = appendJSON(buf, s.URL)
		buf = append(buf, '}')
	}
	return append(buf, ']')
}

func appendJSON(buf []byte, v any) []byte {
	raw, _ := json.Marshal(v) // strings and lists of strings always marshal
	return append(buf, raw...)
}

// ParseRulesJSON reads rules as a client sends them (field is where they
// stand, "rules"): a JSON array of {"when": {...}, "url": "..."} objects;
// null or absent conditions are not conditions. Errors name the field, e.g.
// "rules[1].when.os"; the values are checked by ParseRules.
func ParseRulesJSON(raw []byte, field string) ([]RuleSpec, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, invalid(field, ReasonInvalidRules, field+" must be an array of rules")
	}
	if len(items) > MaxRules {
		return nil, invalid(field, ReasonInvalidRules, fmt.Sprintf("%s may list at most %d rules", field, MaxRules))
	}
	specs := make([]RuleSpec, len(items))
	for i, item := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		obj, err := jsonMembers(item, f, "a rule object with when and url")
		if err != nil {
			return nil, err
		}
		var s RuleSpec
		for name, value := range obj {
			switch name {
			case "url":
				if err := jsonString(value, f+".url", &s.URL); err != nil {
					return nil, err
				}
			case "when":
				if err := parseWhen(value, f+".when", &s); err != nil {
					return nil, err
				}
			default:
				return nil, invalid(f+"."+shortName(name), ReasonInvalidRules, fmt.Sprintf("%s.%s is not part of a rule; a rule has when and url", f, shortName(name)))
			}
		}
		if s.URL == "" {
			return nil, invalid(f+".url", ReasonMissingField, f+".url is required")
		}
		specs[i] = s
	}
	return specs, nil
}

func parseWhen(raw json.RawMessage, field string, s *RuleSpec) error {
	obj, err := jsonMembers(raw, field, "an object of conditions")
	if err != nil {
		return err
	}
	for name, value := range obj {
		f := field + "." + shortName(name)
		if string(value) == "null" {
			continue
		}
		switch name {
		case "device":
			err = jsonStrings(value, f, &s.Device)
		case "os":
			err = jsonStrings(value, f, &s.OS)
		case "country":
			err = jsonStrings(value, f, &s.Country)
		case "language":
			err = jsonStrings(value, f, &s.Language)
		case "query":
			var q map[string]json.RawMessage
			if json.Unmarshal(value, &q) != nil || q == nil {
				return invalid(f, ReasonInvalidRules, f+" must be an object of parameter names and values")
			}
			for k, v := range q {
				p := QueryParam{Name: k}
				if err := jsonString(v, f+"."+shortName(k), &p.Value); err != nil {
					return err
				}
				s.Query = append(s.Query, p)
			}
			// A JSON object has no order and Go's maps none either: by name,
			// as ParseRules keeps them, so rules read back equal those stored.
			slices.SortFunc(s.Query, func(a, b QueryParam) int { return strings.Compare(a.Name, b.Name) })
			if s.Query == nil {
				return invalid(f, ReasonInvalidRules, f+" must name at least one parameter, or be left out")
			}
		default:
			return invalid(f, ReasonInvalidRules, fmt.Sprintf("%s is not a condition; the conditions are device, os, country, language and query", f))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// jsonMembers reads an object whose members appear once each.
func jsonMembers(raw json.RawMessage, field, what string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalid(field, ReasonInvalidRules, field+" must be "+what)
	}
	obj := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid(field, ReasonInvalidRules, field+" must be "+what)
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, invalid(field, ReasonInvalidRules, field+" must be "+what)
		}
		if _, dup := obj[name]; dup {
			return nil, invalid(field+"."+shortName(name), ReasonInvalidRules, fmt.Sprintf("%s names %q twice", field, shortName(name)))
		}
		obj[name] = v
	}
	return obj, nil
}

func jsonString(raw json.RawMessage, field string, out *string) error {
	if json.Unmarshal(raw, out) != nil || !utf8.ValidString(*out) || strings.ContainsRune(*out, utf8.RuneError) {
		return invalid(field, ReasonInvalidRules, field+" must be a string")
	}
	return nil
}

func jsonStrings(raw json.RawMessage, field string, out *[]string) error {
	if json.Unmarshal(raw, out) != nil || *out == nil {
		return invalid(field, ReasonInvalidRules, field+" must be an array of strings")
	}
	if len(*out) == 0 {
		*out = []string{} // ParseRules refuses an empty list by name
	}
	return nil
}
