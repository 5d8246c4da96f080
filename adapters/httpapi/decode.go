package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// MaxBodyBytes caps request bodies; larger ones are refused unread.
const MaxBodyBytes = 16 << 10

// jsonObject is a request body's top-level members, by their exact names.
type jsonObject map[string]json.RawMessage

// readJSONObject reads a JSON object body the strict way: the media type
// must be application/json, the body at most MaxBodyBytes of valid UTF-8
// (a U+FFFD stored in place of a bad byte would change what the client
// sent), and no member may appear twice (which of two would count is
// ambiguous). Member names match exactly: "URL" is not "url".
func readJSONObject(c *gin.Context) (jsonObject, error) {
	if c.Request.ContentLength > MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	if mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mediaType != "application/json" {
		return nil, errNotJSON
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, errBodyTooLarge
		}
		return nil, invalidRequest(reasonBadRequest, "", "could not read the request body")
	}
	if !utf8.Valid(raw) {
		return nil, invalidRequest(reasonInvalidJSON, "", "request body must be valid UTF-8")
	}
	return parseJSONObject(raw)
}

// parseJSONObject reads raw, valid UTF-8, as a JSON object the strict way
// (readJSONObject).
func parseJSONObject(raw []byte) (jsonObject, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, errNotValidJSON
		}
		return nil, invalidRequest(reasonInvalidJSON, "", "request body must be a JSON object")
	}
	obj := jsonObject{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errNotValidJSON
		}
		name, _ := tok.(string) // object keys are always strings
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, errNotValidJSON
		}
		if _, dup := obj[name]; dup {
			name = shortFieldName(name)
			return nil, invalidRequest(reasonDuplicate, name, strconv.Quote(name)+" appears more than once")
		}
		obj[name] = value
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, errNotValidJSON
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errNotValidJSON
	}
	return obj, nil
}

var errNotValidJSON = invalidRequest(reasonInvalidJSON, "", "request body is not valid JSON")

// shortFieldName is a member name as an answer echoes it: at most 40
// bytes, so a client's long name cannot make the answer long.
func shortFieldName(name string) string {
	if len(name) <= 40 {
		return name
	}
	return strings.ToValidUTF8(name[:40], "") + "…"
}

// str returns member name as a string; absent and null are "not given".
func (o jsonObject) str(name string) (value string, given bool, err error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return "", false, invalidRequest(reasonInvalidType, name, name+" must be a string")
	}
	// encoding/json turns a lone surrogate escape into U+FFFD silently.
	if strings.ContainsRune(value, utf8.RuneError) && !bytes.Contains(raw, []byte("\uFFFD")) &&
		!bytes.Contains(bytes.ToLower(raw), []byte(`\ufffd`)) {
		return "", false, invalidRequest(reasonInvalidJSON, name, name+" must be valid Unicode (no lone surrogates)")
	}
	return value, true, nil
}

// readStrings reads a JSON object body (readJSONObject) whose members of
// interest are all strings, and returns them in the order named ("" when
// absent or null).
func readStrings(c *gin.Context, names ...string) ([]string, error) {
	body, err := readJSONObject(c)
	if err != nil {
		return nil, err
	}
	values := make([]string, len(names))
	for i, name := range names {
		if values[i], _, err = body.str(name); err != nil {
			return nil, err
		}
	}
	return values, nil
}

// boolean returns member name as a bool; absent and null are "not given".
func (o jsonObject) boolean(name string) (value, given bool, err error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return false, false, nil
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return false, false, invalidRequest(reasonInvalidType, name, name+" must be true or false")
	}
	return value, true, nil
}
