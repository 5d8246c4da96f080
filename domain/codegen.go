package domain

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// CodeSpace is the number of distinct generated codes: 62^7.
const CodeSpace uint64 = 3_521_614_606_208

const (
	base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	feistelRounds  = 8
	halfBits       = 21 // two 21-bit halves: a 42-bit domain, the smallest power of two ≥ 62^7
	halfMask       = 1<<halfBits - 1
)

// CodeGenerator turns counter values into generated codes through a keyed
// bijection of [0, CodeSpace): a balanced Feistel network over 42 bits with
// AES as its round function, cycle-walked back into range. Distinct counter
// values always give distinct codes, so uniqueness follows from the counter
// alone, while consecutive values give codes that look unrelated to anyone
// without the secret.
type CodeGenerator struct {
	block cipher.Block
}

// NewCodeGenerator keys the permutation with secret. Changing the secret of
// a running deployment is safe (the counter still never repeats) but makes
// old and new codes unrelated; the store's uniqueness check covers the
// unlikely collision.
func NewCodeGenerator(secret string) (*CodeGenerator, error) {
	if secret == "" {
		return nil, errors.New("code secret must not be empty")
	}
	key := sha256.Sum256([]byte(secret))
	block, err := aes.NewCipher(key[:16])
	if err != nil {
		return nil, err
	}
	return &CodeGenerator{block: block}, nil
}

// Code returns the code of counter value n.
func (g *CodeGenerator) Code(n uint64) (Code, error) {
	if n >= CodeSpace {
		return "", ErrCodeSpaceExhausted
	}
	x := g.encrypt(n)
	for x >= CodeSpace { // cycle walking: at most a few steps, since 2^42/62^7 ≈ 1.25
		x = g.encrypt(x)
	}
	return encodeBase62(x), nil
}

// Counter inverts Code: it returns the counter value a generated code came
// from, and false when c is not a generated code.
func (g *CodeGenerator) Counter(c Code) (uint64, bool) {
	x, ok := decodeBase62(c)
	if !ok {
		return 0, false
	}
	n := g.decrypt(x)
	for n >= CodeSpace {
		n = g.decrypt(n)
	}
	return n, true
}

func (g *CodeGenerator) encrypt(x uint64) uint64 {
	left, right := x>>halfBits, x&halfMask
	for round := range feistelRounds {
		left, right = right, left^g.roundFunc(round, right)
	}
	return left<<halfBits | right
}

func (g *CodeGenerator) decrypt(x uint64) uint64 {
	left, right := x>>halfBits, x&halfMask
	for round := feistelRounds - 1; round >= 0; round-- {
		left, right = right^g.roundFunc(round, left), left
	}
	return left<<halfBits | right
}

func (g *CodeGenerator) roundFunc(round int, half uint64) uint64 {
	var in, out [aes.BlockSize]byte
	in[0] = byte(round)
	binary.BigEndian.PutUint64(in[8:], half)
	g.block.Encrypt(out[:], in[:])
	return binary.BigEndian.Uint64(out[:8]) & halfMask
}

func encodeBase62(x uint64) Code {
	var buf [GeneratedCodeLength]byte
	for i := GeneratedCodeLength - 1; i >= 0; i-- {
		buf[i] = base62Alphabet[x%62]
		x /= 62
	}
	return Code(buf[:])
}

func decodeBase62(c Code) (uint64, bool) {
	if len(c) != GeneratedCodeLength {
		return 0, false
	}
	var x uint64
	for i := 0; i < len(c); i++ {
		ch := c[i]
		var digit byte
		switch {
		case ch >= '0' && ch <= '9':
			digit = ch - '0'
		case ch >= 'A' && ch <= 'Z':
			digit = ch - 'A' + 10
		case ch >= 'a' && ch <= 'z':
			digit = ch - 'a' + 36
		default:
			return 0, false
		}
		x = x*62 + uint64(digit)
	}
	return x, true
}
