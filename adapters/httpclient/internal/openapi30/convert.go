package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// unsupported are the JSON Schema 2020-12 keywords that OpenAPI 3.0 has no
// way to say. A document that starts using one fails the conversion (and so
// make generate) instead of giving the generator a looser contract.
var unsupported = []string{
	"prefixItems", "$defs", "$anchor", "$dynamicRef", "$dynamicAnchor", "$id", "$schema",
	"if", "then", "else", "dependentRequired", "dependentSchemas",
	"unevaluatedProperties", "unevaluatedItems", "patternProperties",
	"propertyNames", "contains", "minContains", "maxContains",
}

// narrowing are the keywords that only restrict the values a schema admits
// (or only document them). A $ref whose siblings use nothing else admits a
// subset of the referenced schema's values with no member it lacks, so a
// decoder of the reference reads them all: OpenAPI 3.0's rule (siblings of
// $ref are ignored) loses nothing a client needs.
var narrowing = []string{
	"description", "title", "examples", "example", "deprecated", "readOnly", "writeOnly",
	"const", "enum", "format", "pattern", "minLength", "maxLength",
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"required", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
}

// Convert derives an OpenAPI 3.0.3 document from an OpenAPI 3.1 one, for a
// generator that reads only 3.0. It rewrites what 3.0 says differently:
//
//   - `type: [T, "null"]`, and a `{type: "null"}` choice of oneOf/anyOf,
//     become `nullable: true`;
//   - `const: v` becomes `enum: [v]` (with the type of v when none is given);
//   - a schema's `examples: [a, …]` becomes `example: a`;
//   - numeric exclusiveMinimum/exclusiveMaximum become the 3.0 booleans;
//   - `contentMediaType` on a string becomes `format: binary`;
//   - `$ref` beside other keywords: when the siblings only narrow the
//     referenced schema, the $ref alone (what a decoder needs); when they
//     add members (a property it lacks, null), the referenced schema merged
//     with them;
//   - info.summary and license.identifier, which 3.0 lacks, are dropped.
//
// Anything else that 3.0 cannot say is an error. The result is validated
// as a 3.0 document before it is returned.
func Convert(src []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not an OpenAPI document")
	}
	root := doc.Content[0]
	version := get(root, "openapi")
	if version == nil || !strings.HasPrefix(version.Value, "3.1") {
		return nil, fmt.Errorf("want an OpenAPI 3.1 document")
	}
	c := &converter{schemas: map[string]*yaml.Node{}}
	if schemas := get(get(root, "components"), "schemas"); schemas != nil {
		for i := 0; i+1 < len(schemas.Content); i += 2 {
			c.schemas[schemas.Content[i].Value] = clone(schemas.Content[i+1])
		}
	}
	for _, key := range []string{"webhooks", "jsonSchemaDialect"} {
		if get(root, key) != nil {
			return nil, fmt.Errorf("%s: OpenAPI 3.0 has no equivalent", key)
		}
	}
	if get(get(root, "components"), "pathItems") != nil {
		return nil, fmt.Errorf("components.pathItems: OpenAPI 3.0 has no equivalent")
	}
	version.Value, version.Tag, version.Style = "3.0.3", "!!str", 0
	info := get(root, "info")
	del(info, "summary")
	del(get(info, "license"), "identifier")
	if err := c.walk(root, ""); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	if err := validate30(out.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// validate30 loads the converted document and validates it as OpenAPI 3.0.
func validate30(doc []byte) error {
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(doc)
	if err != nil {
		return fmt.Errorf("the converted document does not load: %w", err)
	}
	if t.IsOpenAPI31OrLater() {
		return fmt.Errorf("the converted document still declares %s", t.OpenAPI)
	}
	if err := t.Validate(context.Background()); err != nil {
		return fmt.Errorf("the converted document is not valid OpenAPI 3.0: %w", err)
	}
	return nil
}

type converter struct {
	schemas map[string]*yaml.Node // components.schemas as the 3.1 document has them
}

// walk finds the schemas of the document outside schemas (the value of
// every `schema` member, every component schema) and converts them.
func (c *converter) walk(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i].Value, n.Content[i+1]
			at := path + "/" + key
			switch {
			case key == "schema":
				if err := c.schema(value, at); err != nil {
					return err
				}
			case path == "/components" && key == "schemas":
				for j := 0; j+1 < len(value.Content); j += 2 {
					if err := c.schema(value.Content[j+1], at+"/"+value.Content[j].Value); err != nil {
						return err
					}
				}
			default:
				if err := c.walk(value, at); err != nil {
					return err
				}
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if err := c.walk(item, path+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// schema converts one schema in place, and the schemas inside it.
func (c *converter) schema(s *yaml.Node, path string) error {
	if s.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: a schema must be an object", path)
	}
	for _, key := range unsupported {
		if get(s, key) != nil {
			return fmt.Errorf("%s: %s has no OpenAPI 3.0 equivalent", path, key)
		}
	}
	if get(s, "$ref") != nil && len(s.Content) > 2 {
		ref := mapping("$ref", get(s, "$ref"))
		siblings := clone(s)
		del(siblings, "$ref")
		merged, err := c.merge(ref, siblings, path, 0)
		if err != nil {
			return err
		}
		s.Content, s.Style = merged.Content, merged.Style
	}
	if get(s, "$ref") != nil {
		return nil
	}
	del(s, "$comment")
	if err := nullable(s, path); err != nil {
		return err
	}
	if v := get(s, "const"); v != nil {
		del(s, "const")
		del(s, "enum")
		set(s, "enum", &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{v}})
		if get(s, "type") == nil {
			if t := scalarType(v); t != "" {
				set(s, "type", scalar(t))
			}
		}
	}
	if v := get(s, "examples"); v != nil {
		del(s, "examples")
		if v.Kind == yaml.SequenceNode && len(v.Content) > 0 && get(s, "example") == nil {
			set(s, "example", v.Content[0])
		}
	}
	for _, bound := range [][2]string{{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}} {
		if v := get(s, bound[0]); v != nil && v.Tag != "!!bool" {
			del(s, bound[0])
			set(s, bound[1], v)
			set(s, bound[0], &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
	}
	if media := get(s, "contentMediaType"); media != nil {
		del(s, "contentMediaType")
		del(s, "contentEncoding")
		if t := get(s, "type"); t != nil && t.Value == "string" && !strings.HasSuffix(media.Value, "json") && get(s, "format") == nil {
			set(s, "format", scalar("binary"))
		}
	}
	return c.children(s, path)
}

// children converts the schemas a schema holds.
func (c *converter) children(s *yaml.Node, path string) error {
	if props := get(s, "properties"); props != nil {
		for i := 0; i+1 < len(props.Content); i += 2 {
			if err := c.schema(props.Content[i+1], path+"/properties/"+props.Content[i].Value); err != nil {
				return err
			}
		}
	}
	for _, key := range []string{"items", "not", "additionalProperties"} {
		if v := get(s, key); v != nil && v.Kind == yaml.MappingNode {
			if err := c.schema(v, path+"/"+key); err != nil {
				return err
			}
		}
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if v := get(s, key); v != nil {
			for i, item := range v.Content {
				if err := c.schema(item, fmt.Sprintf("%s/%s/%d", path, key, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// nullable rewrites 3.1's ways of admitting null as `nullable: true`.
func nullable(s *yaml.Node, path string) error {
	if t := get(s, "type"); t != nil && t.Kind == yaml.SequenceNode {
		var kinds []string
		null := false
		for _, item := range t.Content {
			if item.Value == "null" {
				null = true
			} else {
				kinds = append(kinds, item.Value)
			}
		}
		if len(kinds) != 1 {
			return fmt.Errorf("%s: type %v: OpenAPI 3.0 allows one type (and null)", path, kinds)
		}
		*t = *scalar(kinds[0])
		if null {
			set(s, "nullable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
	}
	if t := get(s, "type"); t != nil && t.Value == "null" {
		return fmt.Errorf("%s: type null alone has no OpenAPI 3.0 equivalent", path)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		choices := get(s, key)
		if choices == nil {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(choices.Content), func(n *yaml.Node) bool {
			t := get(n, "type")
			return len(n.Content) == 2 && t != nil && t.Value == "null"
		})
		if len(kept) == len(choices.Content) {
			continue
		}
		switch {
		case len(kept) == 0:
			return fmt.Errorf("%s: %s admits only null", path, key)
		case len(kept) > 1:
			choices.Content = kept
		case get(kept[0], "$ref") != nil:
			del(s, key)
			set(s, "allOf", &yaml.Node{Kind: yaml.SequenceNode, Content: kept})
		default:
			del(s, key)
			for i := 0; i+1 < len(kept[0].Content); i += 2 {
				if get(s, kept[0].Content[i].Value) == nil {
					set(s, kept[0].Content[i].Value, kept[0].Content[i+1])
				}
			}
			set(s, "nullable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
			return nullable(s, path) // the choice may itself be type: [T, "null"]
		}
		set(s, "nullable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	return nil
}

// merge is base (a schema, possibly a $ref) constrained by siblings, as a
// schema 3.0 can say: base itself when siblings only narrow it, otherwise
// base's effective schema with siblings merged in (properties member by
// member, required as a union, any other keyword taken from siblings).
func (c *converter) merge(base, siblings *yaml.Node, path string, depth int) (*yaml.Node, error) {
	if depth > 32 {
		return nil, fmt.Errorf("%s: $ref nesting too deep (a cycle?)", path)
	}
	narrows, err := c.narrowsOnly(base, siblings, path, depth)
	if err != nil || narrows {
		return base, err
	}
	merged, err := c.effective(base, path, depth+1)
	if err != nil {
		return nil, err
	}
	merged = clone(merged)
	for i := 0; i+1 < len(siblings.Content); i += 2 {
		key, value := siblings.Content[i].Value, siblings.Content[i+1]
		switch current := get(merged, key); {
		case current == nil:
			set(merged, key, value)
		case key == "properties":
			for j := 0; j+1 < len(value.Content); j += 2 {
				name, sub := value.Content[j].Value, value.Content[j+1]
				if have := get(current, name); have != nil {
					m, err := c.merge(have, sub, path+"/properties/"+name, depth+1)
					if err != nil {
						return nil, err
					}
					set(current, name, m)
				} else {
					set(current, name, sub)
				}
			}
		case key == "required":
			for _, name := range value.Content {
				if !slices.ContainsFunc(current.Content, func(n *yaml.Node) bool { return n.Value == name.Value }) {
					current.Content = append(current.Content, name)
				}
			}
		case (key == "items" || key == "additionalProperties") && current.Kind == yaml.MappingNode && value.Kind == yaml.MappingNode:
			m, err := c.merge(current, value, path+"/"+key, depth+1)
			if err != nil {
				return nil, err
			}
			set(merged, key, m)
		default:
			set(merged, key, value)
		}
	}
	return merged, nil
}

// narrowsOnly says whether siblings only restrict the values base admits,
// naming no member base lacks.
func (c *converter) narrowsOnly(base, siblings *yaml.Node, path string, depth int) (bool, error) {
	eff, err := c.effective(base, path, depth+1)
	if err != nil {
		return false, err
	}
	for i := 0; i+1 < len(siblings.Content); i += 2 {
		key, value := siblings.Content[i].Value, siblings.Content[i+1]
		switch {
		case slices.Contains(narrowing, key):
		case key == "additionalProperties" && value.Value == "false":
		case key == "type" && value.Kind == yaml.ScalarNode && get(eff, "type") != nil && get(eff, "type").Value == value.Value:
		case key == "properties" || key == "items":
			var pairs [][2]*yaml.Node
			if key == "items" {
				pairs = [][2]*yaml.Node{{get(eff, "items"), value}}
			} else {
				for j := 0; j+1 < len(value.Content); j += 2 {
					pairs = append(pairs, [2]*yaml.Node{get(get(eff, "properties"), value.Content[j].Value), value.Content[j+1]})
				}
			}
			for _, p := range pairs {
				if p[0] == nil {
					return false, nil
				}
				ok, err := c.narrowsOnly(p[0], p[1], path+"/"+key, depth+1)
				if err != nil || !ok {
					return false, err
				}
			}
		default:
			return false, nil
		}
	}
	return true, nil
}

// effective is s with its $ref resolved (and the ref's own siblings merged).
func (c *converter) effective(s *yaml.Node, path string, depth int) (*yaml.Node, error) {
	if depth > 32 {
		return nil, fmt.Errorf("%s: $ref nesting too deep (a cycle?)", path)
	}
	ref := get(s, "$ref")
	if ref == nil {
		return s, nil
	}
	name, ok := strings.CutPrefix(ref.Value, "#/components/schemas/")
	target := c.schemas[name]
	if !ok || target == nil {
		return nil, fmt.Errorf("%s: $ref %s: only schemas of this document's components can be followed", path, ref.Value)
	}
	resolved, err := c.effective(target, path, depth+1)
	if err != nil {
		return nil, err
	}
	if len(s.Content) == 2 {
		return resolved, nil
	}
	siblings := clone(s)
	del(siblings, "$ref")
	return c.merge(resolved, siblings, path, depth+1)
}

func scalarType(v *yaml.Node) string {
	switch v.Tag {
	case "!!str":
		return "string"
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	}
	return ""
}

// get is the value of key in mapping m, or nil (also when m is nil).
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set replaces key's value in m, or appends the pair.
func set(m *yaml.Node, key string, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = value
			return
		}
	}
	m.Content = append(m.Content, scalar(key), value)
}

// del removes key from m, if there.
func del(m *yaml.Node, key string) {
	if m == nil {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func mapping(key string, value *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{scalar(key), value}}
}

// clone is a deep copy of n.
func clone(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, child := range n.Content {
		c.Content[i] = clone(child)
	}
	return &c
}
