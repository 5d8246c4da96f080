package main

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// doc31 is a minimal 3.1 document around components.schemas.
func doc31(schemas string) []byte {
	return []byte("openapi: 3.1.0\ninfo: {title: t, version: \"1\", summary: s}\npaths: {}\ncomponents:\n  schemas:\n" + schemas)
}

// schemaOf converts a document and returns one component schema as YAML in
// flow style, for comparison.
func schemaOf(t *testing.T, src []byte, name string) string {
	t.Helper()
	out, err := Convert(src)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if v := get(doc.Content[0], "openapi"); v == nil || v.Value != "3.0.3" {
		t.Fatalf("openapi: %v, want 3.0.3", v)
	}
	if get(get(doc.Content[0], "info"), "summary") != nil {
		t.Errorf("info.summary is kept, but 3.0 has none")
	}
	s := get(get(get(doc.Content[0], "components"), "schemas"), name)
	if s == nil {
		t.Fatalf("no schema %s in:\n%s", name, out)
	}
	flow(s)
	b, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func flow(n *yaml.Node) {
	n.Style = yaml.FlowStyle
	for _, c := range n.Content {
		flow(c)
	}
}

func TestConvert(t *testing.T) {
	t.Parallel()
	envelope := "    Envelope: {type: object, required: [status, data], properties: {status: {type: integer}, data: {type: object}}}\n"
	tests := []struct {
		name, schemas, schema, want string
	}{
		{"a nullable type", "    S: {type: [boolean, \"null\"]}\n", "S", `{type: boolean, nullable: true}`},
		{"null first", "    S: {type: [\"null\", string], format: date-time}\n", "S", `{type: string, format: date-time, nullable: true}`},
		{"one type in a list", "    S: {type: [string]}\n", "S", `{type: string}`},
		{"const with its type inferred", "    S: {const: 201}\n", "S", `{enum: [201], type: integer}`},
		{"const replaces a wider enum", "    S: {type: string, enum: [a, b], const: a}\n", "S", `{type: string, enum: [a]}`},
		{"examples to example", "    S: {type: string, examples: [x, y]}\n", "S", `{type: string, example: x}`},
		{"exclusive bounds", "    S: {type: integer, exclusiveMinimum: 0}\n", "S", `{type: integer, minimum: 0, exclusiveMinimum: true}`},
		{"a binary string", "    S: {type: string, contentMediaType: image/png}\n", "S", `{type: string, format: binary}`},
		{"a null choice of oneOf around a ref", envelope + "    S: {oneOf: [{$ref: \"#/components/schemas/Envelope\"}, {type: \"null\"}]}\n", "S",
			`{allOf: [{$ref: '#/components/schemas/Envelope'}], nullable: true}`},
		{"a null choice of anyOf around a schema", "    S: {anyOf: [{type: string, format: date-time}, {type: \"null\"}]}\n", "S",
			`{type: string, format: date-time, nullable: true}`},
		{"siblings that only narrow keep the ref", envelope + "    S: {$ref: \"#/components/schemas/Envelope\", description: d, properties: {status: {const: 201}}}\n", "S",
			`{$ref: '#/components/schemas/Envelope'}`},
		{"siblings that add a member are merged", envelope + "    S: {$ref: \"#/components/schemas/Envelope\", required: [extra], properties: {extra: {type: string}, status: {minimum: 400}}}\n", "S",
			`{type: object, required: [status, data, extra], properties: {status: {type: integer}, data: {type: object}, extra: {type: string}}}`},
		{"merged members of members", envelope + "    S: {$ref: \"#/components/schemas/Envelope\", properties: {data: {properties: {error: {type: string, examples: [e]}}}}}\n", "S",
			`{type: object, required: [status, data], properties: {status: {type: integer}, data: {type: object, properties: {error: {type: string, example: e}}}}}`},
		{"a ref made nullable by a sibling", envelope + "    S: {$ref: \"#/components/schemas/Envelope\", type: [object, \"null\"]}\n", "S",
			`{type: object, required: [status, data], properties: {status: {type: integer}, data: {type: object}}, nullable: true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := schemaOf(t, doc31(tt.schemas), tt.schema); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestConvertRefuses: what 3.0 cannot say fails the conversion, so make
// generate stops instead of handing the generator a looser contract.
func TestConvertRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, schemas, want string }{
		{"two types", "    S: {type: [string, integer]}\n", "one type"},
		{"prefixItems", "    S: {type: array, prefixItems: [{type: string}]}\n", "prefixItems"},
		{"if/then", "    S: {if: {type: string}, then: {minLength: 1}}\n", "if has no"},
		{"null alone", "    S: {type: \"null\"}\n", "null alone"},
		{"a ref elsewhere", "    S: {$ref: \"other.yaml#/S\", description: d, properties: {x: {type: string}}}\n", "only schemas of this document"},
		{"a cycle", "    S: {$ref: \"#/components/schemas/T\", properties: {x: {type: string}}}\n    T: {$ref: \"#/components/schemas/S\", properties: {y: {type: string}}}\n", "too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Convert(doc31(tt.schemas))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Convert = %v, want an error saying %q", err, tt.want)
			}
		})
	}
	if _, err := Convert([]byte("openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths: {}\n")); err == nil {
		t.Errorf("a 3.0 document was converted again")
	}
}

// TestConvertTheAPIDocument: the API's own document converts to a valid
// 3.0 document (Convert validates it), and the copy oapi-codegen reads is
// what Convert makes of today's document.
func TestConvertTheAPIDocument(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../../httpapi/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Convert(src)
	if err != nil {
		t.Fatalf("Convert(openapi.yaml): %v", err)
	}
	committed, err := os.ReadFile("../../oapi/openapi30.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(committed) != header+string(out) {
		t.Fatalf("oapi/openapi30.yaml is stale: run make generate")
	}
}
