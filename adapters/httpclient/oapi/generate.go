// Package oapi is the API's client as oapi-codegen generates it from an
// OpenAPI 3.0 copy of adapters/httpapi/openapi.yaml (the generator reads
// 3.0 only; internal/openapi30 derives the copy). Nothing here is written
// by hand but this file and the generator's configuration: make generate
// rewrites both outputs, make checkgenerate fails when they are stale.
package oapi

//go:generate go run ../internal/openapi30 -in ../../httpapi/openapi.yaml -out openapi30.yaml
//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi30.yaml
