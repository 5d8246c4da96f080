package domain

import (
	"fmt"
	"unicode/utf8"
)

// The lengths a link's password may have, in characters.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// CheckPassword checks a new password for a link: 8 to 128 characters of
// valid UTF-8. Anything else about it is the owner's choice.
func CheckPassword(password string) error {
	n := utf8.RuneCountInString(password)
	if !utf8.ValidString(password) || n < MinPasswordLength || n > MaxPasswordLength {
		return invalid("password", ReasonInvalidPassword,
			fmt.Sprintf("password must be %d to %d characters long", MinPasswordLength, MaxPasswordLength))
	}
	return nil
}
