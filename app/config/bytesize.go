package config

import (
	"fmt"
	"strconv"
	"strings"
)

// ByteSize is a number of bytes, written as a plain number or with a
// binary unit: 65536, 512KiB, 16MiB, 1GiB.
type ByteSize uint64

var byteUnits = []struct {
	suffix string
	size   uint64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// UnmarshalText parses a size for the environment parser.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	unit := uint64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, unit = strings.TrimSpace(rest), u.size
			break
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > (1<<63)/unit {
		return fmt.Errorf("%q is not a size such as 16MiB or 65536", text)
	}
	*b = ByteSize(n * unit)
	return nil
}

func (b ByteSize) String() string {
	for _, u := range byteUnits {
		if uint64(b) >= u.size && uint64(b)%u.size == 0 {
			return strconv.FormatUint(uint64(b)/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatUint(uint64(b), 10) + "B"
}

// MemoryLimit is GOMEMLIMIT: a size, or "off" for none (Go's own syntax).
type MemoryLimit struct {
	ByteSize
	Off bool
}

// UnmarshalText parses a size or "off".
func (m *MemoryLimit) UnmarshalText(text []byte) error {
	if strings.TrimSpace(string(text)) == "off" {
		*m = MemoryLimit{Off: true}
		return nil
	}
	m.Off = false
	return m.ByteSize.UnmarshalText(text)
}

func (m MemoryLimit) String() string {
	if m.Off {
		return "off"
	}
	return m.ByteSize.String()
}
