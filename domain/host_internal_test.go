package domain

import "testing"

// FuzzToASCIIShortcut checks that toASCII's shortcut agrees with x/net/idna.
func FuzzToASCIIShortcut(f *testing.F) {
	for _, s := range []string{"Example.COM", "xn--bcher-kva.de", "a.XN--zca", "foo_bar.-x-.", "bücher.de", "a..b", "0x7F.1", "xn-", "a.xn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gotErr := toASCII(s)
		want, wantErr := browserIDNA.ToASCII(s)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("toASCII(%q) = %q, %v; x/net/idna gives %q, %v", s, got, gotErr, want, wantErr)
		}
	})
}
